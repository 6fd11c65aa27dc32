"""Robustness: nasty files, fuzzed input, linear parse time, interrupted builds, untouchable raw data."""

from __future__ import annotations

import ast
import builtins
import codecs
import contextlib
import http.server
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.__main__ import main
from analysis.errors import InputError, RawDataChangedError
from analysis.sources import decode_bytes, doc_id_from_path, file_sha256, read_document, read_manifest
from analysis.transcripts import parse_transcript, split_paragraphs, uncovered_characters
from conftest import INTERVIEW, PROJECT_DIR, UN_DIR

NASTY = Path(__file__).resolve().parent / "fixtures" / "nasty"
SOURCE_DIR = PROJECT_DIR / "src" / "analysis"


def fuzz(examples: int) -> settings:
    """Hypothesis settings: ``examples`` inputs, the same ones on every run (no example database)."""
    return settings(
        max_examples=examples, deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


def read_and_parse(path: Path):
    """What ``python -m analysis parse`` does with one file."""
    document = read_document(path)
    return document, parse_transcript(document.text, doc_id=document.doc_id, path=str(path))


def check_transcript(transcript) -> None:
    """The invariants every parsed document keeps, whatever its input."""
    text = transcript.text
    assert not uncovered_characters(transcript).strip()
    spans = transcript.spans
    for start, end, span_text in zip(spans["start"], spans["end"], spans["text"]):
        assert text[start:end] == span_text
    turns = transcript.turns
    assert turns["turn_id"].tolist() == list(range(len(turns)))
    assert set(turns["role"]) <= {"question", "answer", "statement", "moderator"}
    bounds = list(zip(turns["start"].tolist(), turns["end"].tolist()))
    previous_end = 0
    for (start, end), turn_text in zip(bounds, turns["text"]):
        assert text[start:end] == turn_text and turn_text.strip() and turn_text == turn_text.strip()
        assert start >= previous_end
        previous_end = end
    labels = spans[spans["kind"] == "label"]
    for start, end in zip(labels["start"].tolist(), labels["end"].tolist()):
        assert not any(s < end and e > start for s, e in bounds)
    paragraphs = transcript.paragraphs
    counts = [0] * len(bounds)
    for turn_id, start, end in zip(paragraphs["turn_id"], paragraphs["start"], paragraphs["end"]):
        assert bounds[turn_id][0] <= start < end <= bounds[turn_id][1]
        counts[turn_id] += 1
    assert turns["n_paragraphs"].tolist() == counts


def parses_or_names_the_file(path: Path):
    """Read and parse; a failure must be the documented error, naming the file."""
    try:
        _, transcript = read_and_parse(path)
    except InputError as error:
        assert str(path) in str(error)
        return error
    check_transcript(transcript)
    return transcript


# --- the nasty files ------------------------------------------------------------------------------

QA_TEXT = (
    "Question: Will Russia take “mirror measures” against the embassies?\n\n"
    "Answer: We proceed from the principle of reciprocity — «взаимность», as we say in Moscow.\n\n"
    "Question: Is the dialogue on strategic stability frozen?\n\n"
    "Answer: No. We are preparing for the next session of the Bilateral Consultative Commission.\n"
)
QA_LATIN = QA_TEXT.replace("“", '"').replace("”", '"').replace(" — «взаимность», as we say in Moscow", "")
QA_TURNS = [
    "Will Russia take “mirror measures” against the embassies?",
    "We proceed from the principle of reciprocity — «взаимность», as we say in Moscow.",
    "Is the dialogue on strategic stability frozen?",
    "No. We are preparing for the next session of the Bilateral Consultative Commission.",
]
RUSSIAN = (
    "Интервью директора Департамента Северной Америки МИД России А.Н.Дарчиева агентству «Интерфакс»\n\n"
    "Санкции – это давление, и мы ответим на него зеркально, на основе взаимности.\n\n"
    "Мы не захлопываем дверь: посольство продолжает работу, хотя и в условиях беспрецедентного давления. "
    "Объём контактов сократился, но диалог о стратегической стабильности ещё возможен.\n"
)
WESTERN = (
    "Question: Monsieur le ministre, la coopération européenne a-t-elle déjà échoué ?\n\n"
    "Answer: Non. Notre priorité reste la sécurité, l’équilibre et la réciprocité – « déjà vu », diront certains.\n\n"
    "Question: Und die Größe der Maßnahmen? Kosten in Höhe von 5 € Milliarden?\n\n"
    "Answer: Señor, año tras año: ¿qué más? Naïve façade, œuvre complète… Ærø, Øresund, São Paulo.\n"
)
ROLES = ["question", "answer", "question", "answer"]

#: What each committed nasty file must give: the error it raises, or what it parses into.
EXPECTED = {
    "answer-first-two-questions.txt": {"roles": ["answer", "question", "question", "answer"]},
    "control-characters.txt": {"roles": ["question", "answer"]},
    "cp1251-russian.txt": {"roles": ["statement"], "encoding": "cp1251", "text": RUSSIAN},
    "cp1252-western.txt": {"roles": ROLES, "encoding": "cp1252", "text": WESTERN},
    "cr-only.txt": {"roles": ROLES, "text": QA_LATIN},
    "crlf.txt": {"roles": ROLES, "text": QA_LATIN},
    "empty.txt": {"error": "empty"},
    "external-entity.html": {"roles": ROLES},
    "interview-page.html": {"roles": ROLES},
    "mixed-endings.txt": {"roles": ROLES, "text": QA_LATIN},
    "nul-byte.txt": {"error": "binary"},
    "odd-labels.txt": {"roles": ROLES},
    "random-bytes.txt": {"error": "binary"},
    "rtl-emoji.txt": {"roles": ROLES},
    "truncated-utf8.txt": {"error": "truncated"},
    "utf16-bom.txt": {"roles": ROLES, "encoding": "utf-16", "text": QA_TEXT},
    "utf16le-no-bom.txt": {"roles": ROLES, "encoding": "utf-16-le", "text": QA_LATIN},
    "utf8-bom.txt": {"roles": ROLES, "encoding": "utf-8-sig", "text": QA_TEXT},
    "whitespace-only.txt": {"error": "only whitespace"},
}


def test_every_nasty_file_has_an_expected_outcome():
    assert sorted(p.name for p in NASTY.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_nasty_file_parses_correctly_or_raises_the_documented_error(name):
    path = NASTY / name
    expected = EXPECTED[name]
    result = parses_or_names_the_file(path)
    if "error" in expected:
        assert isinstance(result, InputError) and re.search(expected["error"], str(result)), result
        return
    assert not isinstance(result, InputError), result
    assert list(result.turns["role"]) == expected["roles"]
    if "text" in expected:
        assert result.text == expected["text"]
    if "encoding" in expected:
        assert read_document(path).encoding == expected["encoding"]


def test_legacy_encodings_are_decoded_by_content():
    russian = read_document(NASTY / "cp1251-russian.txt").text
    assert "Объём контактов сократился" in russian and "«Интерфакс»" in russian and "–" in russian
    turns = parse_transcript(read_document(NASTY / "cp1252-western.txt").text).turns
    assert turns["text"].iloc[1].startswith("Non. Notre priorité reste la sécurité, l’équilibre")
    assert "Größe der Maßnahmen" in turns["text"].iloc[2] and "5 € Milliarden" in turns["text"].iloc[2]
    assert turns["text"].iloc[3].endswith("œuvre complète… Ærø, Øresund, São Paulo.")


@pytest.mark.parametrize(
    "text, encoding",
    [
        ("Санкции – не выход. Ответ будет зеркальным.\n", "cp1251"),
        ("Україна і Росія: її позиція ґрунтується на євроінтеграції.\n", "cp1251"),
        ("Müller\n", "cp1252"),
        ("coopération\n", "cp1252"),
        ("déjà été où\n", "cp1252"),
        ("français été été\n", "cp1252"),
        ("€ 5\n", "cp1252"),
    ],
)
def test_short_legacy_texts_are_not_mangled(text, encoding):
    """Found by fuzzing: short cp1252 text came back as cp1251 ('coopйration') or was refused."""
    assert decode_bytes(text.encode(encoding), path="short.txt") == (text, encoding)


def test_line_endings_become_newlines_and_turns_do_not_change():
    reference = parse_transcript(QA_LATIN).turns
    for name in ("crlf.txt", "cr-only.txt", "mixed-endings.txt"):
        document, transcript = read_and_parse(NASTY / name)
        assert "\r" not in document.text
        assert list(transcript.turns["text"]) == list(reference["text"]), name
        assert list(transcript.turns["start"]) == list(reference["start"]), name


def test_a_byte_order_mark_is_not_part_of_the_text():
    for name in ("utf8-bom.txt", "utf16-bom.txt"):
        document, transcript = read_and_parse(NASTY / name)
        assert not document.text.startswith("\ufeff")
        assert list(transcript.turns["text"]) == QA_TURNS
        assert transcript.turns["start"].iloc[0] == len("Question: ")


def test_control_characters_stay_in_the_text_and_through_tokenisation():
    from analysis.nlp import annotate_paragraphs

    document, transcript = read_and_parse(NASTY / "control-characters.txt")
    assert "bell\x07 and an escape\x1b[0m" in transcript.turns["text"].iloc[0]
    assert "page break\x0c and a vertical tab\x0b" in transcript.turns["text"].iloc[1]
    sentences, tokens = annotate_paragraphs(document.text, transcript.paragraphs, doc_id=document.doc_id)
    for table in (sentences, tokens):
        assert [document.text[s:e] for s, e in zip(table["start"], table["end"])] == list(table["text"])


def test_right_to_left_scripts_and_emoji_keep_their_offsets():
    from analysis.nlp import annotate_paragraphs

    document, transcript = read_and_parse(NASTY / "rtl-emoji.txt")
    turns = list(transcript.turns["text"])
    assert turns[0] == "ما هو موقف روسيا من العقوبات؟ 🤔"
    assert turns[1] == "\u200fنحن ننطلق من مبدأ المعاملة بالمثل. שלום 👨\u200d👩\u200d👧 🇷🇺🇺🇸 e\u0301te\u0301 \U0001d54f"
    assert turns[2] == "And in English, with a flag 🏳️\u200d🌈?"
    sentences, tokens = annotate_paragraphs(document.text, transcript.paragraphs, doc_id=document.doc_id)
    for table in (sentences, tokens):
        assert [document.text[s:e] for s, e in zip(table["start"], table["end"])] == list(table["text"])
    assert "🤔" in set(tokens["text"])


def test_labels_in_odd_cases_and_forms():
    _, transcript = read_and_parse(NASTY / "odd-labels.txt")
    turns = transcript.turns
    assert list(turns["speaker"]) == ["Interviewer", "S. Lavrov", "Interviewer", "S. Lavrov"]
    assert list(turns["text"])[::2] == ["Minister, are the sanctions working?", "And the dialogue with Washington?"]
    labels = transcript.spans.loc[transcript.spans["kind"] == "label", "text"]
    assert [label.strip() for label in labels] == ["QUESTION:", "S.Lavrov:", "question :", "S.Lavrov:"]


def test_an_answer_before_any_question_and_two_questions_in_a_row():
    _, transcript = read_and_parse(NASTY / "answer-first-two-questions.txt")
    turns = transcript.turns
    assert list(turns["speaker"]) == ["Lavrov", "Interviewer", "Interviewer", "Lavrov"]
    assert turns["text"].iloc[0].startswith("As I was saying before the break")
    assert turns["text"].iloc[3] == "Both questions have one answer: mirror measures."


PAGE_LEFTOVERS = [
    "dataLayer", "tracking pixel", "structured data", "styled", "cookies", "World news", "About our newsroom",
    "Contact the editors", "Facebook", "Twitter", "LinkedIn", "Tweet", "Related articles", "Ministers meet in Geneva",
    "Markets react", "Leave A Reply", "Commenter", "Post comment", "Copyright", "Privacy policy",
]


def test_an_html_page_keeps_the_interview_and_leaves_out_the_page_around_it():
    document, transcript = read_and_parse(NASTY / "interview-page.html")
    assert document.is_html
    for leftover in PAGE_LEFTOVERS:
        assert leftover not in document.text, leftover
    turns = transcript.turns
    assert list(turns["n_paragraphs"]) == [1, 2, 1, 1]
    assert turns["text"].iloc[1] == (
        "We have repeatedly warned our American colleagues that their course towards breaking off ties would have "
        "consequences.\n\nNevertheless, we do not slam the door: the embassy continues to work, although under "
        "conditions of unprecedented pressure."
    )
    assert transcript.header["outlet"] == "Interfax"
    assert set(turns.loc[turns["role"] == "question", "speaker"]) == {"Interviewer (Interfax)"}


def test_a_file_of_only_labels_is_the_documented_error(tmp_path):
    variants = {
        "lines.txt": "Question:\n" * 5000,
        "blank-lines-crlf.txt": "Question:\r\n\r\n" * 5000,
        "one-line.txt": "Question:" * 5000,
        "one-line-spaced.txt": "Question: " * 5000 + "\n",
        "alternating.txt": "Q:\nA:\n" * 2500,
    }
    for name, text in variants.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        with pytest.raises(InputError, match="labels but no words") as info:
            read_and_parse(path)
        assert str(path) in str(info.value)


def test_a_five_megabyte_single_line(tmp_path):
    sentence = "Any restrictive measure against Russian diplomats will meet a response. Answer: reciprocity. "
    line = (sentence * (5_000_000 // len(sentence) + 1))[:5_000_000]
    path = tmp_path / "one-line.txt"
    path.write_text(line, encoding="utf-8")
    assert path.stat().st_size == 5_000_000
    document, transcript = read_and_parse(path)
    assert document.text == line
    turns = transcript.turns
    assert list(turns["role"]) == ["statement"] and list(turns["n_paragraphs"]) == [1]
    assert turns["text"].iloc[0] == line.strip()
    path.write_text("Question: " + line, encoding="utf-8")  # a label opens the line; the mid-line "Answer:" is no label
    _, transcript = read_and_parse(path)
    assert len(transcript.turns) == 1 and transcript.turns["text"].iloc[0].startswith("Question: Any")
    check_transcript(transcript)


# --- HTML: nothing expanded, nothing fetched ---------------------------------------------------------

@contextlib.contextmanager
def no_network(monkeypatch):
    """Fail any attempt to resolve a name or open a connection; yield the list of attempts."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access during a test")

    monkeypatch.setattr(socket.socket, "connect", lambda self, *a: refuse(*a))
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, *a: refuse(*a))
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


@contextlib.contextmanager
def listening_server():
    """A local HTTP server in a thread; yield its address and the list of paths requested from it.

    It sees fetches made by any code, C libraries included, which patched Python sockets would miss.
    """
    requested = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<!ENTITY leaked 'FETCHED-FROM-THE-NETWORK'>")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()


def test_html_expands_no_external_entity_and_fetches_nothing(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("CANARY-7f3a9e do not inline me\n", encoding="utf-8")
    with listening_server() as (address, requested), no_network(monkeypatch) as attempts:
        page = tmp_path / "entity.html"
        page.write_text(
            (NASTY / "external-entity.html").read_text(encoding="utf-8")
            .replace("file:///etc/passwd", secret.as_uri()).replace("http://127.0.0.1:9", address),
            encoding="utf-8",
        )
        for path in (NASTY / "external-entity.html", page):
            document, transcript = read_and_parse(path)
            assert "CANARY" not in document.text and "root:" not in document.text
            assert "FETCHED" not in document.text
            assert "lollol" not in document.text  # internal entities are not expanded either
            assert transcript.turns["text"].iloc[1].startswith("Nothing: a reader of saved pages")
    assert requested == [] and attempts == []


# --- fuzzing --------------------------------------------------------------------------------------

@fuzz(500)
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes_decode_or_raise_naming_the_file(data):
    try:
        text, encoding = decode_bytes(data, path="fuzz/input.txt")
    except InputError as error:
        assert "fuzz/input.txt" in str(error)
        return
    assert "\r" not in text and not text.startswith("\ufeff") and text.strip()
    assert encoding in {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1251", "cp1252"}


@pytest.fixture(scope="module")
def fuzz_dir():
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        yield Path(folder)


@fuzz(100)
@given(data=st.binary(max_size=1500), suffix=st.sampled_from([".txt", ".html"]))
def test_fuzz_arbitrary_files_parse_or_raise_naming_the_file(fuzz_dir, data, suffix):
    path = fuzz_dir / f"input{suffix}"
    path.write_bytes(data)
    parses_or_names_the_file(path)


HTML_PIECES = st.sampled_from([
    "<html>", "<body>", "<article>", "<p>", "</p>", "<nav>", "<script>", "</script>", "<style>", "<div class=share>",
    "<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE html>", "&amp;", "&nbsp;", "&#x1F600;", "&bogus;", "<br>", "<",
    ">", "Question:", "Answer:", "\n", "\n\n", "sanctions", "reciprocity", "Санкции", "😀", "\u200f", "\x0c",
])


@fuzz(80)
@given(st.lists(HTML_PIECES | st.text(max_size=20), max_size=60))
def test_fuzz_html_pages_parse_or_raise_naming_the_file(fuzz_dir, pieces):
    path = fuzz_dir / "page.html"
    path.write_text("<!DOCTYPE html><html><body>" + "".join(pieces), encoding="utf-8", errors="surrogatepass")
    parses_or_names_the_file(path)


TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from("\n\r\t"), min_size=1, max_size=300)


@fuzz(300)
@given(text=TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32", "utf-16-be-bom"]))
def test_fuzz_unicode_text_round_trips_through_every_encoding(text, encoding):
    data = codecs.BOM_UTF16_BE + text.encode("utf-16-be") if encoding == "utf-16-be-bom" else text.encode(encoding)
    expected = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    try:
        decoded, _ = decode_bytes(data, path="x.txt")
    except InputError as error:
        assert not expected.strip() and "whitespace" in str(error)
        return
    assert decoded == expected


LATIN1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_categories=("Cc",)) | st.just("\n"),
                 min_size=2, max_size=200)


@fuzz(100)
@given(text=LATIN1, encoding=st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_fuzz_latin_text_in_utf16_without_a_mark(text, encoding):
    try:
        decoded, found = decode_bytes(text.encode(encoding), path="x.txt")
    except InputError:
        assert not text.strip()
        return
    assert (decoded, found) == (text, encoding)


RUSSIAN_WORDS = (
    "санкции взаимность диалог посольство дипломаты Россия Америка переговоры безопасность отношения "
    "министерство ответ вопрос мы они будет нельзя поэтому ещё объём подъезд шёл Ёлка США НАТО Украина "
    "її ґрунт євро Київ Ђорђе Љубљана Њујорк"
).split()
WESTERN_WORDS = (
    "sécurité coopération été déjà français façon naïve œuvre relève échange où père Müller Straße Größe "
    "año señor niño São coração Ærø Øresund Œuvre fiancée Ça Übung À"
).split()
SHARED = ["the", "and", "NATO", "2022", ",", ".", "—", "–", "«", "»", "“", "”", "…", "(", ")", "5", "%"]


def legacy_text(words):
    """Text of real words in any order, at least one of them of two or more letters with a non-ASCII one."""
    anchors = [word for word in words if len(word) >= 2]
    return st.tuples(
        st.sampled_from(anchors), st.lists(st.sampled_from(words + SHARED), max_size=30), st.integers(0, 30),
    ).map(lambda t: " ".join(t[1][: t[2]] + [t[0]] + t[1][t[2]:]) + "\n")


@fuzz(150)
@given(legacy_text(RUSSIAN_WORDS))
def test_fuzz_cp1251_text_is_decoded_exactly(text):
    assert decode_bytes(text.encode("cp1251"), path="x.txt") == (text, "cp1251")


@fuzz(150)
@given(legacy_text(WESTERN_WORDS))
def test_fuzz_cp1252_text_is_decoded_exactly(text):
    assert decode_bytes(text.encode("cp1252"), path="x.txt") == (text, "cp1252")


@fuzz(200)
@given(st.text(min_size=1, max_size=60))
def test_fuzz_doc_ids_from_any_file_name_are_plain_file_names(name):
    doc_id = doc_id_from_path(Path("raw") / (name.replace("/", "_") + ".txt"))
    assert re.fullmatch(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?", doc_id), doc_id


# A grammar of transcripts: the parse must give back exactly the turns it was built from.
QUESTION_LABELS = ["Question:", "QUESTION:", "question :", "Q:", "q:", "Q :"]
ANSWER_LABELS = ["Answer:", "ANSWER:", "A:", "a :", "Answer :"]
#: Named answer labels and the speaker each gives.
NAMED_ANSWER_LABELS = {"S.Lavrov:": "S. Lavrov", "Sergey Lavrov:": "Sergey Lavrov", "LAVROV:": "Lavrov",
                       "S. Lavrov:": "S. Lavrov"}
FIRST_WORDS = ["Sanctions", "We", "Reciprocity", "Moscow", "Nothing", "The", "Our", "Санкции", "«Mirror»", "2022", "😀"]
WORDS = [
    "sanctions", "reciprocity", "NATO", "Washington", "the", "embassy", "dialogue", "«взаимность»", "déjà", "😀",
    "U.S.", "A.N.Darchiev", "e.g.", "caller:", "note:", "Answer:", "Question:", "sounded.Biden", "—",
    "\u200fشكرا", "👨\u200d👩\u200d👧", "mid-line", "Q:", "100%", "“quoted”",
]
HEADERS = {
    "none": ("", {}),
    "title": (
        "Monday, May 20\n\nInterview of A.N.Darchiev to the Interfax news agency\n\n",
        {"question": "Interviewer (Interfax)", "answer": "A. N. Darchiev"},
    ),
    "share": ("Share: Facebook Twitter\n\n", {}),
}
FOOTERS = ["", "\n\nLeave A Reply", "\n\nGoogle+ Pinterest LinkedIn Tumblr +", "\n\n© 2022 Example News\n\nLeave A Reply"]


@st.composite
def transcripts(draw):
    named = draw(st.booleans())
    header_key = draw(st.sampled_from(sorted(HEADERS)))
    header, speakers = HEADERS[header_key]
    sep = draw(st.sampled_from(["\n\n", "\n", "\n \t\n", "\n\n\n"]))
    turns = []
    for _ in range(draw(st.integers(2, 8))):
        role = draw(st.sampled_from(["question", "answer"]))
        pool = QUESTION_LABELS if role == "question" else (sorted(NAMED_ANSWER_LABELS) if named else ANSWER_LABELS)
        label = draw(st.sampled_from(pool))
        gap = " " if named and role == "answer" else draw(st.sampled_from([" ", "", "\t", "  "]))
        paragraphs = []
        for _ in range(draw(st.integers(1, 3))):
            words = [draw(st.sampled_from(FIRST_WORDS))] + draw(st.lists(st.sampled_from(WORDS), max_size=12))
            paragraphs.append(" ".join(words) + draw(st.sampled_from([".", "?", "!", "…"])))
        turns.append((role, label, gap, paragraphs))
    body = sep.join(label + gap + sep.join(paragraphs) for _, label, gap, paragraphs in turns)
    text = header + body + draw(st.sampled_from(FOOTERS)) + "\n"
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    return text.replace("\n", newline).encode(encoding), turns, speakers, named


@fuzz(120)
@given(transcripts())
def test_fuzz_generated_transcripts_give_back_their_turns(case):
    data, turns, speakers, named = case
    text, _ = decode_bytes(data, path="generated.txt")
    transcript = parse_transcript(text, path="generated.txt")
    check_transcript(transcript)
    parsed = transcript.turns
    assert list(parsed["role"]) == [role for role, *_ in turns]
    assert list(parsed["n_paragraphs"]) == [len(paragraphs) for *_, paragraphs in turns]
    found = transcript.paragraphs
    assert [text[s:e] for s, e in zip(found["start"], found["end"])] == [p for *_, ps in turns for p in ps]
    full_name_used = any(label == "Sergey Lavrov:" for _, label, _, _ in turns)
    for (role, label, _, _), speaker in zip(turns, parsed["speaker"]):
        if role == "question":
            assert speaker == speakers.get("question", "Interviewer")
        elif named and full_name_used and label in ("S.Lavrov:", "S. Lavrov:"):
            assert speaker == "Sergey Lavrov"  # the initial and the full name are one person
        elif named:
            assert speaker == NAMED_ANSWER_LABELS[label]
        else:
            assert speaker == speakers.get("answer", "")


def test_a_short_transcript_with_headers_and_ellipses_is_not_taken_for_hard_wrapped_text():
    """Found by fuzzing: lines ending in '…' counted as broken mid-sentence, and with a date,
    a title and a footer made a ten-line transcript look hard-wrapped, so paragraphs were merged."""
    text = (
        "Monday, May 20\n\nInterview of A.N.Darchiev to the Interfax news agency\n\n"
        "Question: Sanctions, sanctions and more sanctions…\n"
        "Answer: Sanctions sanctions sanctions, we have heard it before…\n"
        "We will answer them in kind and on the basis of reciprocity…\n"
        "Question: Sanctions sanctions sanctions and the embassies, then…\n"
        "Answer: Sanctions sanctions sanctions, mirror measures, always.\n"
        "Question: Sanctions sanctions sanctions and what comes after them?\n"
        "Answer: Sanctions sanctions sanctions, as I said, and nothing more.\n\n"
        "© 2022 Example News\n\nLeave A Reply\n"
    )
    turns = parse_transcript(text).turns
    assert list(turns["n_paragraphs"]) == [1, 2, 1, 1, 1, 1]
    assert turns["text"].iloc[1] == (
        "Sanctions sanctions sanctions, we have heard it before…\n"
        "We will answer them in kind and on the basis of reciprocity…"
    )


def test_whitespace_after_a_label_is_not_part_of_the_turn():
    """Found by fuzzing: a no-break space (or U+2028) after 'Question:' began the turn's text."""
    transcript = parse_transcript("Question:\u00a0Why?\n\nAnswer:\u2028\u00a0 Because.\n")
    check_transcript(transcript)
    assert list(transcript.turns["text"]) == ["Why?", "Because."]


PIECES = st.sampled_from([
    "Question:", "Answer:", "Q:", "A:", "q :", "QUESTION:", "S.Lavrov:", "Sergey Lavrov:", "LAVROV:", "Mr. Smith:",
    "First:", "Note:", "HOST:", "Host:", "Guest:", "caller:", ":", "::", "\n", "\n\n", "\r\n", "\r", " ", "\t",
    "\u00a0", "\ufeff", "\u200f", "\u2028", "\x0c", "\x0b", "\x07", "Monday, May 20", "Leave A Reply",
    "Google+ Pinterest LinkedIn Tumblr +", "© 2022", "Share: x", "Read more:", "sanctions", "Reciprocity.", "NATO",
    "A.N.Darchiev", "Interview of A.N.Darchiev to the Interfax news agency", "Санкции", "😀", "👨\u200d👩\u200d👧",
    "e\u0301", "...", ".", "?", "A. B. C. D. E.", "Aa Bb Cc Dd Ee Ff",
])


@fuzz(200)
@given(st.lists(PIECES | st.text(max_size=8), min_size=1, max_size=80))
def test_fuzz_label_soup_parses_losslessly_or_raises_the_documented_error(pieces):
    data = "".join(pieces).encode("utf-8", "surrogatepass")
    try:
        text, _ = decode_bytes(data, path="soup.txt")
        transcript = parse_transcript(text, path="soup.txt")
    except InputError as error:
        assert "soup.txt" in str(error)
        return
    check_transcript(transcript)
    if transcript.kind == "speech":
        assert list(transcript.turns["role"]) == ["statement"]


# --- no pathological slowness ---------------------------------------------------------------------

SENTENCES = [
    "We proceed from the principle of reciprocity.",
    "Any restrictive measure against Russian diplomats will meet a response, and the Americans know it.",
    "NATO expansion was the problem from the start?",
    "The embassy continues to work, although under conditions of unprecedented pressure!",
    "Санкции – это давление, и мы ответим на него зеркально.",
    "A.N.Darchiev said so; it sounded.Biden did not reply.",
]
LABEL_CYCLE = ["Question: ", "Answer: ", "Host: ", "Guest: ", "S.Lavrov: ", "QUESTION: ", "Mr. Smith: ", ""]


def generated_transcript(size: int) -> str:
    """About ``size`` characters of interview: labelled turns of several forms, unlabelled paragraphs."""
    parts, length, index = ["Interview of A.N.Darchiev to the Interfax news agency\n\n"], 0, 0
    while length < size:
        words = " ".join(SENTENCES[(index + k) % len(SENTENCES)] for k in range(1 + index % 5))
        part = LABEL_CYCLE[index % len(LABEL_CYCLE)] + words + "\n\n"
        parts.append(part)
        length += len(part)
        index += 1
    return "".join(parts)


def best_time(function, *, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (the regular-expression engine checks for signals)."""

    class TooSlow(Exception):
        pass

    def alarm(signum, frame):
        raise TooSlow(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_parse_time_grows_linearly_with_input_size():
    """Found by this test: many short turns of one-word speakers ('Host:') took quadratic time."""
    small, large = (generated_transcript(n).encode("utf-8") for n in (1_000_000, 8_000_000))

    def read_and_parse_bytes(data):
        return lambda: parse_transcript(decode_bytes(data, path="big.txt")[0], path="big.txt")

    with time_limit(120):  # linear parsing takes about a second; a quadratic one would take hours
        small_time = best_time(read_and_parse_bytes(small), repeat=3)
        large_time = best_time(read_and_parse_bytes(large), repeat=1)
    assert large_time / small_time < 8 * 2.5, (small_time, large_time)


WRAPPED = "the quick brown fox jumps over the lazy dog and runs far away and\n" * 10
LABELS_AFTER = "\n\nQuestion: a?\n\nAnswer: b.\n"
ADVERSARIAL = {
    "capitalised words without a colon": lambda n: "Aaa " * (n // 4) + LABELS_AFTER,
    "lines of capitalised words": lambda n: "Aaa Bbb Ccc Ddd Eee\n" * (n // 20),
    "initials without a name": lambda n: "A." * (n // 2) + " x" + LABELS_AFTER,
    "spaced initials": lambda n: "Aa " + "A. " * (n // 3) + "x" + LABELS_AFTER,
    "dots": lambda n: "." * n + LABELS_AFTER,
    "colons": lambda n: ":" * n,
    "label then spaces": lambda n: "Question" + " \t" * (n // 2) + "x" + LABELS_AFTER,
    "name then spaces": lambda n: "Sergey" + " " * n + "Lavrov: x" + LABELS_AFTER,
    "only Q/A labels then a word": lambda n: "Q: " * (n // 3) + "x",
    "title of capitalised words": lambda n: "Interview to " + "Aa " * (n // 3) + "x" + LABELS_AFTER,
    "title of initials": lambda n: "Interview to " + "A.A" * (n // 3) + " x" + LABELS_AFTER,
    "title of 'of'": lambda n: "Interview to Aa" + " of" * (n // 3) + " x" + LABELS_AFTER,
    "title then spaces": lambda n: "Interview to Aa" + " " * n + "x" + LABELS_AFTER,
    "date then spaces": lambda n: "May 20" + " " * n + "x\n\nHello.\n",
    "share buttons then spaces": lambda n: "Facebook Twitter" + " " * n + "zz\n\nHello there.\n",
    "share words without spaces": lambda n: "okvk" * (n // 4) + "z\n\nHello there.\n",
    "plus signs": lambda n: "+" * n + "z\n\nHello there.\n",
    "copyright, spaces, wrapped lines": lambda n: "© Copyright the quick brown fox jumps over" + " " * n + "\n" + WRAPPED,
    "tags, spaces, wrapped lines": lambda n: "Tags: the quick brown fox jumps over the lazy" + " " * n + "\n" + WRAPPED,
    "read more, spaces": lambda n: "Read more" + " " * n + ":" + " " * n + "x\n\nHello.\n",
    "many one-word speakers": lambda n: "Host: a\nGuest: b\n" * (n // 16),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_input_is_parsed_in_linear_time(name):
    """No regular expression backtracks catastrophically and no loop is quadratic.

    Found by this test: a long run of spaces inside a share-button, copyright,
    'Tags:' or 'Read more' line (regular-expression backtracking), and many
    turns of one-word speakers (a count over all labels for each label).
    """
    make = ADVERSARIAL[name]
    small, large = make(10_000), make(80_000)
    with time_limit(20):
        small_time = best_time(lambda: parses_text(small), repeat=3)
        large_time = best_time(lambda: parses_text(large), repeat=2)
    assert large_time / max(small_time, 1e-3) < 8 * 2.5, (small_time, large_time)


def parses_text(text: str) -> None:
    try:
        parse_transcript(text, path="adversarial.txt")
    except InputError:
        pass


def test_split_paragraphs_on_a_long_hard_wrapped_text_is_linear():
    line = "the quick brown fox jumps over the lazy dog and runs far away and\n"
    small, large = line * 2_000, line * 16_000
    small_time = best_time(lambda: split_paragraphs(small), repeat=3)
    large_time = best_time(lambda: split_paragraphs(large), repeat=1)
    assert large_time / small_time < 8 * 2.5


# --- the command line: one line on standard error ---------------------------------------------------

def failing_nasty_files():
    return [name for name in sorted(EXPECTED) if "error" in EXPECTED[name]]


@pytest.mark.parametrize("name", failing_nasty_files())
def test_the_command_line_reports_a_nasty_file_in_one_line(name, capsys):
    assert main(["parse", str(NASTY / name)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and str(NASTY / name) in err


def test_the_command_line_never_prints_a_partial_table(capsys):
    assert main(["parse", str(NASTY / "crlf.txt"), str(NASTY / "empty.txt")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "empty.txt" in err


# --- safe by construction -------------------------------------------------------------------------

FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "marshal", "shelve", "joblib", "cloudpickle", "requests",
                     "urllib.request", "http.client", "httpx", "urllib3", "socket"}
FORBIDDEN_NAMES = {"eval", "exec", "compile", "__import__", "input"}
FORBIDDEN_ATTRIBUTES = {"read_pickle", "to_pickle", "unsafe_load", "full_load", "system", "popen", "fetch_url"}


def unsafe_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in FORBIDDEN_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.Call):
            func = node.func
            keywords = {k.arg: k.value for k in node.keywords}
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_NAMES:
                found.append(f"{func.id}()")
            elif isinstance(func, ast.Attribute):
                if func.attr in FORBIDDEN_ATTRIBUTES or func.attr == "eval":
                    found.append(f".{func.attr}()")
                elif func.attr == "load" and isinstance(func.value, ast.Name) and func.value.id == "yaml":
                    loader = keywords.get("Loader")
                    if not (isinstance(loader, ast.Attribute) and loader.attr.startswith("Safe")):
                        found.append("yaml.load() without a safe loader")
                if isinstance(keywords.get("allow_pickle"), ast.Constant) and keywords["allow_pickle"].value:
                    found.append("allow_pickle=True")
                if isinstance(keywords.get("shell"), ast.Constant) and keywords["shell"].value:
                    found.append("shell=True")
    return found


def test_the_scan_finds_unsafe_code():
    tree = ast.parse(
        "import pickle\nfrom urllib.request import urlopen\neval(x)\nexec(y)\nyaml.load(s)\n"
        "pd.read_pickle(p)\nnp.load(p, allow_pickle=True)\nsubprocess.run(c, shell=True)\ndf.eval('a + b')\n"
        "yaml.load(s, Loader=yaml.SafeLoader)\nre.compile('x')\n"
    )
    assert unsafe_calls(tree) == [
        "pickle", "urllib.request", "eval()", "exec()", "yaml.load() without a safe loader", ".read_pickle()",
        "allow_pickle=True", "shell=True", ".eval()",
    ]


def test_the_package_holds_no_pickle_eval_exec_or_network_code():
    modules = sorted(SOURCE_DIR.rglob("*.py"))
    assert len(modules) >= 8
    problems = {
        path.name: found for path in modules
        if (found := unsafe_calls(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))))
    }
    assert problems == {}


# --- builds: interrupted, checksummed, never writing raw data ------------------------------------------

def small_raw(folder: Path, *, copies: int = 0) -> Path:
    """A raw folder of the interview and three UN statements, plus ``copies`` renamed duplicates."""
    raw = folder / "raw"
    raw.mkdir(parents=True)
    shutil.copy(INTERVIEW, raw / "darchiev-interfax.txt")
    statements = ["CAN_77_2022.txt", "RUS_77_2022.txt", "USA_47_1992.txt"]
    for name in statements:
        shutil.copy(UN_DIR / name, raw / name)
    for index in range(copies):
        source = statements[index % len(statements)]
        shutil.copy(UN_DIR / source, raw / f"zz_copy{index:02d}_{source}")
    return raw


def write_manifest(raw: Path) -> None:
    rows = [{"doc_id": doc_id_from_path(p), "path": p.relative_to(raw).as_posix(), "sha256": file_sha256(p),
             "kind": "interview" if "darchiev" in p.name else "speech"} for p in sorted(raw.glob("*.txt"))]
    pd.DataFrame(rows).to_csv(raw / "manifest.csv", index=False)


def snapshot(folder: Path) -> dict:
    """Every entry below ``folder``: its bytes' checksum, mode and modification time."""
    entries = {}
    for path in sorted(folder.rglob("*")):
        stat = path.lstat()
        digest = file_sha256(path) if path.is_file() else "folder"
        entries[path.relative_to(folder).as_posix()] = (digest, stat.st_mode, stat.st_mtime_ns)
    return entries


def parquet_bytes(out: Path) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.parquet"))}


def run_cli(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd, check=False,
    )


@contextlib.contextmanager
def refuse_writes_under(folder: Path, monkeypatch):
    """Fail every attempt, made from Python in this process, to write, create, move or delete below ``folder``."""
    folder = folder.resolve()
    attempts: list[str] = []

    def inside(path) -> bool:
        if isinstance(path, int):
            return False
        resolved = Path(os.fsdecode(path)).resolve()
        return resolved == folder or folder in resolved.parents

    def refuse(what, *paths):
        if any(inside(p) for p in paths):
            attempts.append(f"{what} {paths}")
            raise PermissionError(f"test: {what} under the raw folder")

    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            refuse(f"open({mode!r})", file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            refuse("os.open for writing", path)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    for name in ("replace", "rename", "remove", "unlink", "rmdir", "mkdir", "chmod", "utime", "truncate", "link",
                 "symlink"):
        real = getattr(os, name)

        def guarded(*args, _real=real, _name=name, **kwargs):
            refuse(f"os.{_name}", *[a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))])
            return _real(*args, **kwargs)

        monkeypatch.setattr(os, name, guarded)
    yield attempts


def test_the_write_guard_catches_writes(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("text", encoding="utf-8")
    with refuse_writes_under(raw, monkeypatch) as attempts:
        assert (raw / "a.txt").read_text(encoding="utf-8") == "text"
        writes = [
            lambda: (raw / "a.txt").write_text("x"), lambda: builtins.open(raw / "b.txt", "a").close(),
            lambda: (raw / "a.txt").unlink(), lambda: (raw / "a.txt").rename(tmp_path / "c.txt"),
            lambda: tempfile.mkstemp(dir=raw), lambda: (raw / "sub").mkdir(),
        ]
        for write in writes:
            with pytest.raises(PermissionError):
                write()
        (tmp_path / "outside.txt").write_text("allowed", encoding="utf-8")
    assert len(attempts) == 6


def test_a_build_never_writes_into_the_raw_folder(tmp_path, monkeypatch):
    from analysis.corpus import build, load_corpus

    raw = small_raw(tmp_path)
    write_manifest(raw)
    before = snapshot(raw)
    outside = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("raw")}
    with refuse_writes_under(raw, monkeypatch) as attempts:
        assert len(build(raw, tmp_path / "out")) == 4
        assert len(load_corpus(raw, tmp_path / "out").documents) == 4
        assert main(["parse", str(raw / "darchiev-interfax.txt")]) == 0
    assert attempts == []
    assert snapshot(raw) == before
    after = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith(("raw", "out"))}
    assert after == outside  # nothing written outside the chosen output folder either


def test_a_changed_raw_file_is_caught_by_its_checksum_even_with_the_same_size_and_time(tmp_path):
    from analysis.corpus import build, read_tables

    raw, out = small_raw(tmp_path), tmp_path / "out"
    write_manifest(raw)
    build(raw, out)
    tables = parquet_bytes(out)
    path = raw / "RUS_77_2022.txt"
    stat = path.stat()
    data = bytearray(path.read_bytes())
    data[100] = ord("x") if data[100] != ord("x") else ord("y")  # one byte, same length
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(RawDataChangedError, match="RUS_77_2022.txt.*changed"):
        build(raw, out)
    result = run_cli("data", "--raw", str(raw), "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") and "RUS_77_2022.txt" in result.stderr and "sha256" in result.stderr
    assert parquet_bytes(out) == tables and len(read_tables(out).documents) == 4


def test_without_a_manifest_a_changed_file_is_rebuilt_by_checksum_not_by_time(tmp_path):
    from analysis.corpus import build, read_tables

    raw, out = small_raw(tmp_path), tmp_path / "out"
    build(raw, out)
    path = raw / "USA_47_1992.txt"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b"Forty-seven", b"Forty-eight", 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert build(raw, out) == ["USA_47_1992"]
    assert "Forty-eight years ago" in read_tables(out).text("USA_47_1992")


def test_a_manifest_with_unsafe_doc_ids_or_paths_is_refused(tmp_path):
    """Found by review: with one table file per document, a manifest doc_id such as '../../x' wrote files
    outside the output folder; ids now follow the file-name rule, and paths must stay in the raw folder."""
    from analysis.corpus import build

    raw = small_raw(tmp_path)
    write_manifest(raw)
    manifest = pd.read_csv(raw / "manifest.csv", dtype=str)
    for bad in ("../../escaped", "/tmp/escaped", "..", "", "a/b"):
        manifest.loc[0, "doc_id"] = bad
        manifest.to_csv(raw / "manifest.csv", index=False)
        with pytest.raises(InputError, match=r"manifest.csv, line 2: doc_id .* not a plain file name"):
            build(raw, tmp_path / "out" / "deep")
    assert not list(tmp_path.rglob("*.parquet"))
    write_manifest(raw)
    manifest = pd.read_csv(raw / "manifest.csv", dtype=str)
    for bad in ("../RUS_77_2022.txt", "/etc/passwd"):
        manifest.loc[1, "path"] = bad
        manifest.to_csv(raw / "manifest.csv", index=False)
        with pytest.raises(InputError, match=r"line 3: path .* inside the raw-data folder"):
            read_manifest(raw / "manifest.csv")


def test_two_files_whose_names_clean_to_the_same_id_are_both_kept(tmp_path):
    from analysis.corpus import build, read_tables

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a b.txt").write_text("Question: One?\n\nAnswer: The first file.\n", encoding="utf-8")
    (raw / "a-b.txt").write_text("Question: Two?\n\nAnswer: The second file.\n", encoding="utf-8")
    try:
        build(raw, tmp_path / "out")
    except InputError as error:  # refusing the clash, naming a file, would be fine too
        assert "a b.txt" in str(error) or "a-b.txt" in str(error)
        return
    corpus = read_tables(tmp_path / "out")
    assert corpus.documents["doc_id"].is_unique
    assert {"The first file.", "The second file."} <= set(corpus.turns["text"])


def test_an_output_path_that_is_a_file_is_one_line_error(tmp_path, capsys):
    raw = small_raw(tmp_path)
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    assert main(["data", "--raw", str(raw), "--out", str(tmp_path / "taken")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_a_corrupt_table_in_the_output_folder_is_one_line_error(tmp_path, capsys):
    from analysis.corpus import build

    raw, out = small_raw(tmp_path), tmp_path / "out"
    build(raw, out)
    (out / "documents.parquet").write_bytes(b"garbage")
    shutil.copy(raw / "RUS_77_2022.txt", raw / "RUS_77_2022_copy.txt")
    assert main(["data", "--raw", str(raw), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


@pytest.fixture(scope="module")
def build_case(tmp_path_factory):
    """A raw folder of 19 documents, its clean build, and a previous build of its first four documents."""
    from analysis.corpus import build

    folder = tmp_path_factory.mktemp("interrupted")
    raw = small_raw(folder, copies=15)
    clean = folder / "clean"
    build(raw, clean)
    first = folder / "first-raw"
    first.mkdir()
    for name in ("darchiev-interfax.txt", "CAN_77_2022.txt", "RUS_77_2022.txt", "USA_47_1992.txt"):
        shutil.copy(raw / name, first / name)
    previous = folder / "previous"
    build(first, previous)
    return raw, clean, previous


def interrupt_build(raw: Path, previous: Path, out: Path, signum: int, *, jobs: int = 1):
    """Copy the previous tables to ``out``, build ``raw`` into it and signal the build once it has written a table.

    ``texts`` is the last table a unit of build work writes, so a new or
    rewritten ``texts`` file means work is done and more remains.
    """
    shutil.copytree(previous, out)

    def texts_files():
        return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in (out / "texts").glob("*.parquet")}

    before = texts_files()
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis", "data", "--raw", str(raw), "--out", str(out), "--jobs", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=out.parent, start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while texts_files() == before:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build made no progress"
        time.sleep(0.01)
    assert process.poll() is None, "the build finished before it could be interrupted"
    if jobs > 1:
        os.killpg(process.pid, signum)  # what Ctrl-C does: the whole process group
    else:
        process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    return process, err


def check_previous_tables_then_resume(raw, clean, previous, out):
    import pyarrow.parquet as pq

    from analysis.corpus import build, read_tables

    for path in out.rglob("*.parquet"):  # no half-written table file
        pq.read_metadata(path)
    assert (out / "documents.parquet").read_bytes() == (previous / "documents.parquet").read_bytes()
    assert (out / "_build.json").read_bytes() == (previous / "_build.json").read_bytes()
    corpus = read_tables(out)
    expected = read_tables(previous)
    for name in ("documents", "turns", "sentences", "tokens", "matches", "texts"):
        pd.testing.assert_frame_equal(getattr(corpus, name), getattr(expected, name))
    rebuilt = build(raw, out)
    assert 0 < len(rebuilt) <= 15
    assert_same_tables(out, clean)


def assert_same_tables(out: Path, clean: Path) -> None:
    """The same table files, byte for byte, and the same build state."""
    built, expected = parquet_bytes(out), parquet_bytes(clean)
    assert sorted(built) == sorted(expected)
    assert [name for name in built if built[name] != expected[name]] == []
    assert (out / "_build.json").read_bytes() == (clean / "_build.json").read_bytes()


@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_tables_and_the_next_build_completes(build_case, tmp_path):
    raw, clean, previous = build_case
    raw_before = snapshot(raw)
    process, _ = interrupt_build(raw, previous, tmp_path / "out", signal.SIGKILL)
    assert process.returncode == -signal.SIGKILL
    check_previous_tables_then_resume(raw, clean, previous, tmp_path / "out")
    assert snapshot(raw) == raw_before


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_build_stops_cleanly_and_the_next_build_completes(build_case, tmp_path, jobs):
    raw, clean, previous = build_case
    process, err = interrupt_build(raw, previous, tmp_path / "out", signal.SIGINT, jobs=jobs)
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines()[-1] == "interrupted"
    assert not list((tmp_path / "out").rglob("*.tmp"))
    check_previous_tables_then_resume(raw, clean, previous, tmp_path / "out")


@pytest.mark.slow
def test_processed_tables_can_be_deleted_and_are_rebuilt_identically(build_case, tmp_path):
    raw, clean, _ = build_case
    out = tmp_path / "processed"
    shutil.copytree(clean, out)
    shutil.rmtree(out)
    result = run_cli("data", "--raw", str(raw), "--out", str(out), "--jobs", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_same_tables(out, clean)
