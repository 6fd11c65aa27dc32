"""The reading view: offsets to nested and cut elements, escaping, every character once, generic tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.corpus import Corpus
from analysis.errors import UnknownNameError
from analysis.view import Element, markup, render

VOID = frozenset({"meta", "input", "br", "img", "link", "hr", "wbr"})


class Collector(HTMLParser):
    """An independent reading of the HTML: all text in order, and each element's text, by ``data-i``.

    With ``inside`` set, text counts only within the element with that id (e.g. the article).
    """

    def __init__(self, inside: str | None = None):
        super().__init__(convert_charrefs=True)
        self.inside = inside
        self.depth = 0 if inside else 1
        self.stack: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.pieces: dict[str, list[str]] = {}
        self.parts: dict[str, list[str]] = {}
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.inside and attrs.get("id") == self.inside:
            self.depth = 1
        self.stack.append((tag, attrs))
        if self.depth and "data-i" in attrs:
            self.pieces.setdefault(attrs["data-i"], []).append("")
            self.parts.setdefault(attrs["data-i"], []).append(attrs.get("data-part", ""))
        if self.depth:
            self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        opened, _ = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if self.inside and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            return
        self.text.append(data)
        for _, attrs in self.stack:
            if "data-i" in attrs:
                self.pieces[attrs["data-i"]][-1] += data


def read_html(page: str, inside: str | None = None) -> Collector:
    collector = Collector(inside)
    collector.feed(page)
    collector.close()
    return collector


def elements_with_ids(spans):
    return [Element(s, e, "span", (("data-i", str(i)),)) for i, (s, e) in enumerate(spans)]


# --- offsets to elements --------------------------------------------------------------------------

def test_a_span_inside_another_nests_in_it():
    page = markup("the sanctions regime", elements_with_ids([(4, 20), (4, 13)]))
    assert page == 'the <span data-i="0"><span data-i="1">sanctions</span> regime</span>'


def test_of_two_spans_with_the_same_extent_the_earlier_is_outside():
    page = markup("NATO", elements_with_ids([(0, 4), (0, 4)]))
    assert page == '<span data-i="0"><span data-i="1">NATO</span></span>'


def test_a_later_span_that_crosses_an_earlier_one_is_cut_and_the_earlier_stays_whole():
    # "United States sanctions": theme "States sanctions" (cut nothing), actor "United States" (crosses it)
    text = "United States sanctions"
    read = read_html(markup(text, elements_with_ids([(7, 23), (0, 13)])))
    assert read.pieces["0"] == ["States sanctions"]
    assert read.pieces["1"] == ["United ", "States"] and read.parts["1"] == ["1/2", "2/2"]
    assert "".join(read.text) == text


def test_a_span_crossing_two_siblings_is_cut_in_three():
    text = "aa bb cc dd"
    read = read_html(markup(text, elements_with_ids([(0, 5), (6, 11), (3, 8)])))
    assert read.pieces["2"] == ["bb", " ", "cc"] and read.parts["2"] == ["1/3", "2/3", "3/3"]
    assert read.pieces["0"] == ["aa bb"] and read.pieces["1"] == ["cc dd"]


def test_empty_and_out_of_range_spans_are_left_out_or_clipped():
    read = read_html(markup("abc", elements_with_ids([(1, 1), (2, 99), (-5, 1)])))
    assert "0" not in read.pieces and read.pieces["1"] == ["c"] and read.pieces["2"] == ["a"]


def crosses(a, b):
    return a[0] < b[0] < a[1] < b[1] or b[0] < a[0] < b[1] < a[1]


@st.composite
def text_and_spans(draw):
    text = draw(st.text(alphabet='ab <>&"\'\n;é', max_size=40))
    bound = st.integers(0, len(text))
    spans = draw(st.lists(st.tuples(bound, bound).map(sorted).map(tuple), max_size=12))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(text_and_spans())
def test_every_character_appears_once_in_order_and_each_span_holds_exactly_its_characters(case):
    text, spans = case
    read = read_html(markup(text, elements_with_ids(spans)))
    assert "".join(read.text) == text
    for i, (start, end) in enumerate(spans):
        if start == end:
            assert str(i) not in read.pieces
            continue
        assert "".join(read.pieces[str(i)]) == text[start:end]
        earlier = [s for s in spans[:i] if s[0] < s[1]]
        if not any(crosses(s, (start, end)) for s in earlier) and all(
                len(read.pieces[str(j)]) == 1 for j, s in enumerate(spans[:i]) if s[0] < s[1]):
            assert len(read.pieces[str(i)]) == 1, "a span that crosses nothing is one element"


# --- a document's page ----------------------------------------------------------------------------

NASTY = (
    'Moderator: Welcome. (Laughter.)\n\n'
    'Question: Is <script>alert("x")</script> a <b>sanction</b> & not "fair"?\n\n'
    'Answer: Washington’s sanctions &amp; NATO.\n\nSecond paragraph.\n\n'
    '10:42\n\nEND\n'
)


def nasty_corpus() -> Corpus:
    """One document built by hand: a moderator, a participant column, new span kinds, crossing matches."""
    text = NASTY
    at = text.index

    def span(kind, piece, turn_id=-1):
        start = at(piece)
        return {"doc_id": "nasty", "kind": kind, "start": start, "end": start + len(piece), "turn_id": turn_id,
                "text": piece}

    turn_texts = [("moderator", "Chair", "moderator", "Welcome. (Laughter.)"),
                  ("question", "Reporter", "journalist", text[at("Is <script>"):at("?\n\nAnswer") + 1]),
                  ("answer", "Official", "official", text[at("Washington"):at("Second") + len("Second paragraph.")])]
    turns = pd.DataFrame([
        {"doc_id": "nasty", "turn_id": i, "role": role, "speaker": who, "participant": part,
         "start": at(body), "end": at(body) + len(body), "n_paragraphs": 1 + (role == "answer"), "text": body}
        for i, (role, who, part, body) in enumerate(turn_texts)])
    paragraphs = pd.DataFrame([
        {"doc_id": "nasty", "turn_id": 0, "paragraph_id": 0, "start": at("Welcome"), "end": at("\n\nQuestion")},
        {"doc_id": "nasty", "turn_id": 1, "paragraph_id": 1, "start": at("Is <"), "end": at("\n\nAnswer")},
        {"doc_id": "nasty", "turn_id": 2, "paragraph_id": 2, "start": at("Washington"), "end": at("\n\nSecond")},
        {"doc_id": "nasty", "turn_id": 2, "paragraph_id": 3, "start": at("Second"), "end": at("\n\n10:42")},
    ])
    spans = pd.DataFrame([span("label", "Moderator: "), span("stage", "(Laughter.)", 0),
                          span("label", "Question: "), span("label", "Answer: "), span("time", "10:42"),
                          span("end", "END")]
                         + [span("turn", body, i) for i, (_, _, _, body) in enumerate(turn_texts)])

    def match(layer, label, piece, pattern, occurrence=0):
        start = at(piece) if not occurrence else at(piece, at(piece) + 1)
        return {"doc_id": "nasty", "turn_id": 0, "sentence_id": 0, "start": start, "end": start + len(piece),
                "layer": layer, "label": label, "text": piece, "pattern": pattern}

    matches = pd.DataFrame([
        match("theme", "sanctions", "sanction", "sanction"),
        match("theme", "sanctions", "’s sanctions", "sanction"),          # crosses the actor below
        match("actor", "United States", "Washington’s", "Washington"),
        match("quote", "scare_quote", "fair", '"…"'),
        match("negation", "negation", "not", "not"),
        match("mine", "x<y", "NATO", "<NATO>"),                             # a user's layer, nasty label
    ])
    documents = pd.DataFrame([{"doc_id": "nasty", "title": "A <b>nasty</b> & odd page", "date": "2022-03-01",
                               "source": "made by hand", "licence": "CC0 1.0", "kind": "briefing",
                               "speaker": "", "n_turns": 3, "n_tokens": 30}])
    empty = pd.DataFrame(columns=["doc_id"])
    return Corpus(documents=documents, turns=turns, paragraphs=paragraphs, sentences=empty, tokens=empty,
                  matches=matches, spans=spans, texts=pd.DataFrame([{"doc_id": "nasty", "text": text}]))


@pytest.fixture(scope="module")
def nasty_page():
    return render(nasty_corpus(), "nasty")


def test_the_text_of_the_page_is_the_document_text(nasty_page):
    read = read_html(nasty_page, inside="text")
    assert "".join(read.text) == NASTY


def test_markup_in_a_transcript_is_shown_as_text(nasty_page):
    assert nasty_page.count("<script") == 2  # the page's own: the cards' data and the small script
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt;" in nasty_page
    assert "a &lt;b&gt;<mark" in nasty_page and "sanction</mark>&lt;/b&gt; &amp; " in nasty_page
    assert "<b>nasty</b>" not in nasty_page and "A &lt;b&gt;nasty&lt;/b&gt; &amp; odd page" in nasty_page
    assert "&amp;amp;" in nasty_page  # a literal "&amp;" in the text stays those five characters
    read = read_html(nasty_page, inside="text")
    assert {tag for tag, _ in read.elements} <= {"article", "section", "p", "div", "span", "mark"}


def test_turns_are_blocks_with_role_speaker_and_participant_whatever_the_role(nasty_page):
    read = read_html(nasty_page, inside="text")
    sections = [attrs for tag, attrs in read.elements if tag == "section"]
    assert [s["data-role"] for s in sections] == ["moderator", "question", "answer"]
    assert [s["data-participant"] for s in sections] == ["moderator", "journalist", "official"]
    assert sections[0]["class"] == "turn role-moderator"
    assert sections[1]["data-badge"] == "Question · Reporter (journalist)"


def test_every_span_kind_is_shown_with_its_kind_as_a_class(nasty_page):
    read = read_html(nasty_page, inside="text")
    kinds = {attrs["data-kind"]: (tag, attrs["class"]) for tag, attrs in read.elements if "data-kind" in attrs}
    assert kinds["stage"] == ("span", "span kind-stage")      # inside a paragraph: inline
    assert kinds["time"] == ("div", "span kind-time")         # between turns: a block
    assert kinds["end"][0] == "div" and kinds["label"][0] == "div"
    assert "turn" not in kinds  # a turn is its section


def test_each_match_is_one_mark_and_the_theme_layer_is_never_cut(nasty_page):
    read = read_html(nasty_page, inside="text")
    marks = [attrs for tag, attrs in read.elements if tag == "mark"]
    themes = [m for m in marks if m["data-layer"] == "theme"]
    assert len(themes) == 2 and not any("data-part" in m for m in themes)
    actor = [m for m in marks if m["data-layer"] == "actor"]
    assert [m["data-part"] for m in actor] == ["1/2", "2/2"]  # "Washington" + "’s": crosses the theme
    mine = next(m for m in marks if m["data-layer"] == "mine")
    assert mine["data-label"] == "x<y" and mine["data-pattern"] == "<NATO>"


def test_theme_marks_hold_exactly_their_characters():
    corpus = nasty_corpus()
    page = render(corpus, "nasty", layers=["theme"])
    text = NASTY
    spans = [(m.start, m.end) for m in corpus.matches.itertuples() if m.layer == "theme"]
    legend, article = page.split('id="text">', 1)
    numbers = iter(range(len(spans)))  # tag the article's marks in document order to read their text back
    article = re.sub('data-layer="theme"', lambda _: f'data-i="{next(numbers)}" data-layer="theme"', article)
    read = read_html(legend + 'id="text">' + article, inside="text")
    assert ["".join(read.pieces[str(i)]) for i in range(len(spans))] == [text[s:e] for s, e in spans]


def test_layers_and_labels_choose_the_marks(nasty_page):
    corpus = nasty_corpus()
    only = render(corpus, "nasty", layers="theme,quote")
    assert 'data-layer="actor"' not in only.split('id="text"')[1] and only.count('<mark') == 3
    labelled = render(corpus, "nasty", labels=["theme:sanctions"])
    assert labelled.count("<mark") == 2
    assert render(corpus, "nasty", labels=["scare_quote"]).count("<mark") == 1


def test_the_legend_counts_each_label_and_hides_layers_off_by_default(nasty_page):
    assert 'data-label="sanctions"><span class="key m l-theme" data-layer="theme" data-label="sanctions">' \
           'sanctions</span><span class="count">2</span>' in nasty_page
    # negation is not among the layers shown first: its box is unticked and its marks carry "off"
    assert '<input type="checkbox" data-layer="negation">' in nasty_page
    assert 'class="m l-negation off"' in nasty_page and 'class="m l-theme"' in nasty_page


def test_the_page_loads_nothing_from_the_network(nasty_page):
    assert "http://" not in nasty_page and "https://" not in nasty_page
    assert "@import" not in nasty_page and "url(" not in nasty_page


def test_the_header_gives_title_date_source_and_licence(nasty_page):
    for words in ("<dt>Date</dt><dd>2022-03-01</dd>", "<dt>Source</dt><dd>made by hand</dd>",
                  "<dt>Licence</dt><dd>CC0 1.0</dd>"):
        assert words in nasty_page


def test_unknown_document_layer_and_label_name_the_nearest():
    corpus = nasty_corpus()
    with pytest.raises(UnknownNameError, match=r"no document 'nasy' in the corpus; nearest: nasty"):
        render(corpus, "nasy")
    with pytest.raises(UnknownNameError, match=r"no layer 'themes'.*nearest: theme"):
        render(corpus, "nasty", layers="themes")
    with pytest.raises(UnknownNameError, match=r"no label 'sanction'.*nearest: sanctions"):
        render(corpus, "nasty", labels=["sanction"])


def test_a_notebook_shows_the_page_in_a_frame(nasty_page):
    frame = nasty_page._repr_html_()
    assert frame.startswith("<iframe") and 'srcdoc="&lt;!DOCTYPE html&gt;' in frame
    assert "<script" not in frame  # the page's script runs inside the frame only
    assert repr(nasty_page).startswith("<ReadingView of 'nasty'")


def test_the_interview_page_marks_every_match_of_the_matches_table(corpus):
    doc_id = "darchiev-interfax"
    page = render(corpus, doc_id)
    read = read_html(page, inside="text")
    assert "".join(read.text) == corpus.text(doc_id)
    matches = corpus.matches[corpus.matches["doc_id"] == doc_id]
    marks = [attrs for tag, attrs in read.elements if tag == "mark"]
    whole = [m for m in marks if m.get("data-part", "1/1").startswith("1/")]
    assert len(whole) == len(matches)
    themes = [m for m in marks if m["data-layer"] == "theme"]
    assert len(themes) == (matches["layer"] == "theme").sum() and not any("data-part" in m for m in themes)
    sections = [attrs for tag, attrs in read.elements if tag == "section"]
    turns = corpus.turns[corpus.turns["doc_id"] == doc_id]
    assert [s["data-role"] for s in sections] == turns["role"].tolist()
