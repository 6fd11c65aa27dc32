"""Lexicon loading and matching, on real sentences of the interview and the UN statements."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import lexicon
from analysis.errors import InputError
from analysis.lexicon import (
    MATCH_COLUMNS,
    PACKAGED_FILES,
    actor_camps,
    compile_lexicon,
    find_matches,
    find_quotes,
    lexicon_version,
    load_lexicon,
    match_text,
    packaged_lexicons,
)

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "lexicon"
INTERVIEW = HERE.parent / "data" / "raw" / "interview" / "darchiev-interfax.txt"
DOC = "darchiev-interfax"


@pytest.fixture(scope="module")
def interview(interview_tables):
    return interview_tables


def rows(matches: pd.DataFrame, layer: str, label: str | None = None) -> list[str]:
    chosen = matches[matches["layer"] == layer]
    if label is not None:
        chosen = chosen[chosen["label"] == label]
    return list(chosen["text"])


# --- the packaged lexicons --------------------------------------------------------------------

def test_packaged_lexicons_have_every_layer_and_the_named_themes():
    entries = packaged_lexicons()
    assert set(entries["layer"]) == {"theme", "actor", "pronoun", "modality", "hedge", "booster", "negation",
                                     "evaluation"}
    themes = set(entries.loc[entries["layer"] == "theme", "label"]) - {"-"}
    assert {"sanctions", "nato", "reciprocity"} <= themes
    assert len(themes) >= 9
    assert set(entries.loc[entries["layer"] == "pronoun", "label"]) == {
        "first_plural", "first_singular", "third_plural", "second"}
    assert set(entries.loc[entries["layer"] == "modality", "label"]) == {"possibility", "obligation", "prediction"}


def test_every_packaged_file_has_a_card():
    for name in PACKAGED_FILES:
        card = lexicon.LEXICON_DIR / name.replace(".csv", ".md")
        text = card.read_text(encoding="utf-8")
        for heading in ("What it measures", "How the terms were chosen", "Known false positives", "Source"):
            assert heading in text, (card.name, heading)


def test_no_two_labels_claim_the_same_pattern_in_a_layer():
    compiled = compile_lexicon(packaged_lexicons())
    steps = compiled.steps[compiled.steps["seq"] < len(compiled.entries)]
    signature = steps.groupby("seq").apply(lambda s: tuple(zip(s["field"], s["value"])), include_groups=False)
    entries = compiled.entries.assign(signature=signature.sort_index().to_numpy())
    entries = entries[entries["label"] != "-"]   # blocking entries deliberately shadow other entries
    labels = entries.groupby(["layer", "signature"])["label"].nunique()
    assert labels.max() == 1, labels[labels > 1]


def test_every_actor_has_a_camp():
    camps = actor_camps()
    assert camps["camp"].ne("").all()
    assert set(camps["camp"]) <= {"russia", "west", "ukraine", "international", "disputed", "other"}
    camp = dict(zip(camps["actor"], camps["camp"]))
    assert camp["Russia"] == "russia" and camp["United States"] == "west" and camp["Ukraine"] == "ukraine"


def test_lexicon_version_is_a_short_stable_hash():
    assert re.fullmatch(r"[0-9a-f]{12}", lexicon_version())
    assert lexicon.LEXICON_VERSION == lexicon_version()


# --- themes on the interview --------------------------------------------------------------------

def test_interview_theme_counts_per_turn_match_a_reading_of_the_text(interview):
    themes = interview["matches"][interview["matches"]["layer"] == "theme"]
    found = {label: themes[themes["label"] == label].groupby("turn_id")["text"].apply(list).to_dict()
             for label in ("sanctions", "nato", "bloc", "reciprocity", "mutuality")}
    # Read off the transcript by hand: every sanction, NATO, bloc, reciprocity and mutuality
    # expression per turn; touching matches of one label are one mention ("NATO forward-based").
    assert found["sanctions"] == {
        2: ["sanctions"],
        3: ["restrictive measure"],
        8: ["sanctions", "sanctions"],
        9: ["sanctions", "sanctions", "sanctions pressure", "sanctions"],
        11: ["sanctions"],
    }
    assert found["nato"] == {
        1: ["expansion of NATO", "alliance", "NATO forward-based"],
        11: ["NATO", "forward springboard"],
    }
    assert found["bloc"] == {}
    assert found["reciprocity"] == {
        1: ["reciprocity"],
        2: ["mirror measures"],
        3: ["reciprocity", "an eye for an eye", "symmetrically", "similar"],
    }
    assert found["mutuality"] == {1: ["mutually", "oncoming traffic on both sides"]}


def test_every_match_points_at_its_text_sentence_and_turn(interview):
    text, matches, sentences = interview["text"], interview["matches"], interview["sentences"]
    assert list(matches.columns) == MATCH_COLUMNS
    assert all(text[s:e] == t for s, e, t in zip(matches["start"], matches["end"], matches["text"]))
    located = matches.merge(sentences, on=["doc_id", "sentence_id"], suffixes=("", "_s"))
    assert len(located) == len(matches)
    assert (located["turn_id"] == located["turn_id_s"]).all()
    assert (located["start"] >= located["start_s"]).all() and (located["start"] < located["end_s"]).all()
    order = matches[["start", "layer", "label"]].apply(tuple, axis=1).tolist()
    assert order == sorted(order)


def test_no_token_is_counted_twice_within_a_layer(interview):
    for _, group in interview["matches"].groupby("layer"):
        spans = sorted(zip(group["start"], group["end"]))
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))


@pytest.mark.parametrize("name", ["RUS_77_2022", "ARG_77_2022", "USA_77_2022"])
def test_no_span_counts_twice_in_a_un_statement(name):
    folder = "rus_usa_can_1992_2024" if name[:3] in ("RUS", "USA", "CAN") else "session77_2022_all"
    text = (HERE.parent / "data" / "raw" / "ungdc" / folder / f"{name}.txt").read_text(encoding="utf-8-sig")
    m = match_text(text)
    for _, group in m.groupby("layer"):
        spans = sorted(zip(group["start"], group["end"]))
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:])), name


# --- the traps ------------------------------------------------------------------------------------

def test_capital_US_is_the_country_and_lower_us_the_pronoun():
    # interview, answers 1 and 5
    m = match_text("The pumping up of the regime in Kiev with Western weapons and the connivance of the United "
                   "States to its bid for a forceful solution to the Donbass problem left us no choice but to "
                   "take the DPR and LPR under protection. And even more so, sanctions pressure is not able to "
                   "force us to change our foreign policy course and, unlike US allies and clients, to give up "
                   "at least a small fraction of national dignity and sovereignty.")
    assert rows(m, "pronoun", "first_plural") == ["us", "us", "our"]
    assert rows(m, "actor", "United States") == ["United States", "US"]


def test_united_states_is_one_mention_not_also_states():
    # interview, answer 3
    m = match_text("The decision of the United States and other Western countries to close the airspace for "
                   "Russian aircraft, of course, makes adjustments to everyday diplomatic life.", layers=["actor"])
    assert rows(m, "actor") == ["United States", "Western", "Russian"]
    m = match_text("Troika plus mechanism (Russia-China-the United States with the involvement of Pakistan).",
                   layers=["actor"])
    assert rows(m, "actor") == ["Russia", "China", "United States", "Pakistan"]


@pytest.mark.parametrize("sentence", [
    # CAN_48_1993, CAN_50_1995, RUS_70_2015: "sanctioned"/"sanctioning" meaning authorised
    "Too often in the past, the Secretary-General has had to delay United Nations-sanctioned operations for "
    "want of adequate personnel or matériel.",
    "Our goal is concrete, internationally sanctioned conservation measures.",
    "As a consequence, they thought, why should they bother with the United Nations, which instead of "
    "automatically sanctioning and legitimizing necessary decisions frequently just stands in the way?",
    "This year, collective action under United Nations sanction helped to limit the loss of life in Libya.",
])
def test_authorising_sanction_is_not_a_sanction(sentence):
    assert rows(match_text(sentence, layers=["theme"]), "theme", "sanctions") == []


@pytest.mark.parametrize("sentence, expected", [
    # LVA_77_2022, USA_66_2011, interview answer 6
    ("Belarus, being equally responsible for enabling Russia’s military aggression against Ukraine, is also "
     "being sanctioned.", ["sanctioned"]),
    ("Now is the time for the Security Council to sanction the Syrian regime.", ["sanction"]),
    ("imposing various kinds of personal and sectoral sanctions on us", ["sanctions"]),
])
def test_punitive_sanctions_are_found(sentence, expected):
    assert rows(match_text(sentence, layers=["theme"]), "theme", "sanctions") == expected


def test_alliance_of_civilizations_and_other_alliances_are_not_nato():
    # RUS_62_2007 (with NATO named right before it), DEU_77_2022
    m = match_text("NATO is expanding. Those are the tasks to be tackled within the framework of the Alliance "
                   "of Civilizations, which we support.", layers=["theme", "actor"])
    # "NATO is expanding." is NATO's expansion (intransitive, NATO named); the Alliance of Civilizations is not NATO.
    assert rows(m, "theme", "nato") == ["NATO", "expanding."] and rows(m, "actor", "NATO") == ["NATO"]
    m = match_text("We are fighting the hunger crisis with a new Alliance for Global Food Security, and I would "
                   "like to invite all Member States to join the Alliance.", layers=["theme", "actor"])
    assert rows(m, "theme", "nato") == [] and rows(m, "actor", "NATO") == []


def test_the_alliance_counts_as_nato_only_in_a_nato_context():
    # RUS_77_2022
    m = match_text("At the NATO summit in June in Madrid, the self-proclaimed defensive alliance declared the "
                   "security of the Euro-Atlantic and Indo-Pacific regions indivisible.", layers=["theme", "actor"])
    assert rows(m, "theme", "nato") == ["NATO", "alliance"]
    assert rows(m, "actor", "NATO") == ["NATO", "alliance"]
    # GBR_77_2022: no NATO anywhere near
    m = match_text("That will not work. The international alliance is strong, and Ukraine is strong.",
                   layers=["theme", "actor"])
    assert rows(m, "theme", "nato") == [] and rows(m, "actor", "NATO") == []


def test_negated_modal_cannot_be_ruled_out_is_a_hedge_not_a_negation(interview):
    sentence = interview["sentences"].query("text.str.contains('ruled out')", engine="python")
    m = interview["matches"][interview["matches"]["sentence_id"].isin(sentence["sentence_id"])]
    assert rows(m, "hedge") == ["cannot be ruled out"]
    assert rows(m, "modality", "possibility") == ["can"]
    assert rows(m, "negation") == []
    # a plain negated modal keeps its negation
    m = match_text("The United Nations cannot be a dog that barks but does not bite.", layers=["modality", "negation"])
    assert rows(m, "modality") == ["can"] and rows(m, "negation") == ["not", "not"]


@pytest.mark.parametrize("sentence", [
    "including the resumption of full-fledged visa services for Russian citizens in our country, which was "
    "terminated under far-fetched pretexts in May last year.",                        # interview: the month
    "Our security is guaranteed by our military might, economic ingenuity and democratic resilience.",  # ISR_77_2022
    "the solution always and above all depends on the political will of the parties directly involved",  # AGO_77_2022
    "and there is no need to wait for any expert consultations in the foreseeable future?",  # interview
    "the issue of the need to return to normality in our consular and visa relations",  # interview
])
def test_nouns_that_look_like_modals_are_not_modality(sentence):
    assert rows(match_text(sentence, layers=["modality"]), "modality") == []


def test_modal_meanings():
    # interview, answers 1 and 3
    m = match_text("Apparently, Washington will need time to get used to the fact that its hegemony is in the past, "
                   "and will have to reckon with the national interests of Russia. However, a sense of "
                   "self-preservation should still be present.", layers=["modality", "hedge"])
    assert list(zip(m["label"], m["text"])) == [
        ("hedge", "Apparently"), ("prediction", "will"), ("prediction", "will"), ("obligation", "have to"),
        ("obligation", "should")]


def test_roman_numeral_I_is_not_a_pronoun():
    m = match_text("Since World War I, I have believed that Annex I matters.", layers=["pronoun"])
    assert rows(m, "pronoun") == ["I"]


def test_boosters_and_hedges_in_the_interview(interview):
    m = interview["matches"]
    assert rows(m, "booster").count("of course") + rows(m, "booster").count("Of course") == 4
    assert "It is clear" in rows(m, "booster")
    assert {"Apparently", "Perhaps", "seems", "as they say", "not necessarily"} <= set(rows(m, "hedge"))


def test_geography_is_not_an_actor():
    # USA_70_2015, CAN_78_2023
    m = match_text("Similarly, in the South China Sea, the United States makes no claim on territory there. "
                   "Today Canadians are greatly concerned by the rising levels of violence in the West Bank.",
                   layers=["actor"])
    assert rows(m, "actor") == ["United States", "Canadians"]


def test_longest_match_wins_within_a_layer():
    m = match_text("the Russian Federation and nuclear weapons", layers=["actor", "theme"])
    assert rows(m, "actor") == ["Russian Federation"]
    assert rows(m, "theme", "nuclear") == ["nuclear weapons"]


# --- quotes ----------------------------------------------------------------------------------------

def test_every_quote_of_the_interview(interview):
    quotes = interview["matches"][interview["matches"]["layer"] == "quote"]
    # every pair of “ ” in the interview's turns, read off the text
    assert list(quotes["text"]) == [
        "complete rupture", "rules-based world order", "progressive", "an eye for an eye", "red line",
        "unacceptable damage", "tear to shreds", "iron Curtain", "below the baseboard.", "regime change",
        "jump", "iron Curtain",
    ]
    assert set(quotes["label"]) == {"scare_quote"}
    assert set(quotes["pattern"]) == {"“…”"}


def test_a_quotation_spanning_a_sentence_end():
    # USA_53_1998
    text = ("She said, in one of her many speeches in support of the United Nations when it was just beginning, "
            "“All agreements and all peace are built on confidence. You cannot have peace and you cannot get on "
            "with other people in the world unless you have confidence in them.” It is not necessary that we solve "
            "all the world’s problems to have confidence in one another.")
    m = match_text(text, layers=["quote"])
    assert len(m) == 1
    quote = m.iloc[0]
    assert quote["label"] == "quotation"
    assert quote["text"].startswith("All agreements") and quote["text"].endswith("confidence in them.")
    assert text[quote["start"] - 1] == "“" and text[quote["end"]] == "”"


def test_long_and_short_quotes_and_straight_marks():
    # RUS_77_2022, RUS_47_1992
    m = match_text("the West has established dividing lines everywhere based on the notion of confrontation between "
                   "blocs and the spirit of “either you are with us or against us”. We welcome Boutros "
                   "Boutros-Ghali's report \"An Agenda for Peace\" and the statements.", layers=["quote"])
    assert list(zip(m["label"], m["text"], m["pattern"])) == [
        ("quotation", "either you are with us or against us", "“…”"),
        ("scare_quote", "An Agenda for Peace", '"…"'),
    ]


def test_unclosed_opening_marks_are_skipped():
    text = "“The Bolivarian Republic greets the Assembly.\n\n“Likewise, we salute the “new” Secretary-General."
    m = match_text(text, layers=["quote"])
    assert list(m["text"]) == ["new"]


def test_find_quotes_without_sentences_is_empty():
    empty = pd.DataFrame(columns=["doc_id", "turn_id", "paragraph_id", "sentence_id", "start", "end", "text"])
    assert find_quotes("“x”", empty, doc_id="d").empty


# --- evaluation ------------------------------------------------------------------------------------

def test_evaluative_words_and_names_that_look_evaluative():
    # interview, answer 1
    m = match_text("It was Washington, with its hostile actions and arrogant disregard for Russian demands, that "
                   "brought relations to the point of no return. The United States is ready.", layers=["evaluation"])
    words = dict(zip(m["text"], m["label"]))
    assert words["hostile"] == "negative" and words["arrogant"] == "negative" and words["ready"] == "positive"
    assert "United" not in words and "no" not in words


# --- user dictionaries -----------------------------------------------------------------------------

def test_liwc_dictionary_with_wildcards_and_phrases():
    entries = load_lexicon(FIXTURES / "sanctions.dic")
    assert set(entries["label"]) == {"sanctions", "reciprocity", "west"}
    assert (entries["match"] == "form").all()
    m = match_text("Washington sanctioned us; sanctions and embargoes followed, and we took mirror measures.",
                   lexicons=entries)
    found = list(zip(m["label"], m["text"]))
    assert ("west", "Washington") in found and ("sanctions", "Washington") in found
    assert [t for label, t in found if label == "sanctions" and t != "Washington"] == [
        "sanctioned", "sanctions", "embargoes"]
    assert ("reciprocity", "mirror measures") in found


def test_quanteda_yaml_with_nested_keys():
    entries = load_lexicon(FIXTURES / "themes.yml")
    assert set(entries["label"]) == {"pressure.sanctions", "pressure.reciprocity", "actors.west"}
    m = match_text("The United States took restrictive measures, on the principle of “an eye for an eye”.",
                   lexicons=entries, layers=["theme"])
    assert list(zip(m["label"], m["text"])) == [
        ("actors.west", "United States"), ("pressure.sanctions", "restrictive measures"),
        ("pressure.reciprocity", "an eye for an eye")]


@pytest.mark.parametrize("name, line, words", [
    ("undeclared.dic", 7, "category 4 is not declared"),
    ("no_header.dic", 1, "starts with a line holding only '%'"),
    ("bad_syntax.yml", 5, "not valid YAML"),
    ("bad_entry.yml", 7, "must be words or phrases"),
    ("bad_mode.csv", 3, "match must be one of"),
])
def test_a_malformed_dictionary_names_its_file_and_line(name, line, words):
    with pytest.raises(InputError) as error:
        load_lexicon(FIXTURES / name)
    assert error.value.line == line
    assert error.value.path.endswith(name)
    assert f"{name}, line {line}" in str(error.value) and words in str(error.value)


def test_unknown_format_and_missing_file():
    with pytest.raises(InputError, match="unknown lexicon format"):
        load_lexicon(FIXTURES / "themes.txt")
    with pytest.raises(InputError, match="cannot read"):
        load_lexicon(FIXTURES / "absent.csv")


# --- nasty inputs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\n  ", "“", "”unopened“", "NATO", "U.S.", "— – …"])
def test_odd_texts_match_without_error(text):
    m = match_text(text)
    assert list(m.columns) == MATCH_COLUMNS
    assert all(text[s:e] == t for s, e, t in zip(m["start"], m["end"], m["text"]))


def test_text_paragraphs_split_on_blank_lines():
    paragraphs = lexicon.text_paragraphs("  First one.\nStill first.\n \n\nSecond.  ")
    assert list(zip(paragraphs["start"], paragraphs["end"])) == [(2, 25), (29, 36)]


@pytest.mark.slow
def test_whole_corpus_matches_fast_and_consistently(corpus):
    texts = corpus.texts if isinstance(corpus.texts, dict) else dict(zip(corpus.texts["doc_id"], corpus.texts["text"]))
    speeches = corpus.documents[corpus.documents["kind"] == "speech"]["doc_id"].tolist()[::15]
    for doc_id in speeches:
        tokens = corpus.tokens[corpus.tokens["doc_id"] == doc_id]
        sentences = corpus.sentences[corpus.sentences["doc_id"] == doc_id]
        began = time.perf_counter()
        found = find_matches(texts[doc_id], tokens, sentences, doc_id=doc_id)
        assert time.perf_counter() - began < 1.0, doc_id
        text = texts[doc_id]
        assert all(text[s:e] == t for s, e, t in zip(found["start"], found["end"], found["text"]))


# --- many documents in one pass ------------------------------------------------------------------

def test_matching_many_documents_at_once_equals_one_at_a_time(corpus):
    """The build matches a part's documents in one pass; each document's rows must be those of
    matching it alone, from pandas or Arrow tables alike (the interview and 30 UN statements)."""
    import pyarrow as pa

    texts = corpus.texts if isinstance(corpus.texts, dict) else dict(zip(corpus.texts["doc_id"], corpus.texts["text"]))
    doc_ids = ["darchiev-interfax", *sorted(d for d in texts if d != "darchiev-interfax")[::10][:30]]
    tokens = corpus.tokens[corpus.tokens["doc_id"].isin(doc_ids)]
    sentences = corpus.sentences[corpus.sentences["doc_id"].isin(doc_ids)]
    alone = [find_matches(texts[d], tokens, sentences, doc_id=d) for d in sorted(doc_ids)]
    expected = pd.concat(alone, ignore_index=True)
    chosen = {d: texts[d] for d in doc_ids}
    together = lexicon.match_documents(chosen, tokens.sample(frac=1, random_state=0), sentences)
    pd.testing.assert_frame_equal(together, expected)
    as_arrow = lexicon.match_documents(chosen, pa.Table.from_pandas(tokens, preserve_index=False),
                                       pa.Table.from_pandas(sentences, preserve_index=False))
    pd.testing.assert_frame_equal(as_arrow, expected)
    assert set(together["layer"]) >= {"theme", "actor", "quote", "evaluation"}


def _greedy_reference(layer, first, last, n_chars, is_block, label, entry):
    """The overlap rule as its docstring states it, written plainly (quadratic) to check the fast path."""
    order = sorted(range(len(first)), key=lambda i: (layer[i], -(last[i] - first[i]), -n_chars[i],
                                                     not is_block[i], first[i], entry[i]))
    accepted, owners = set(), {}
    for i in order:
        span = (layer[i], first[i], last[i])
        if span in owners:  # the same span again: another label counts too, unless a block owns it
            if owners[span] is not None and not is_block[i] and label[i] not in owners[span]:
                owners[span].add(label[i])
                accepted.add(i)
        elif not any(s[0] == layer[i] and s[1] <= last[i] and first[i] <= s[2] for s in owners):
            owners[span] = None if is_block[i] else {label[i]}
            accepted.add(i)
    return sorted(i for i in accepted if not is_block[i])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 12), st.integers(0, 2), st.integers(0, 5)),
                min_size=1, max_size=25))
def test_overlap_resolution_follows_the_stated_rule(spans):
    """Random candidate spans over 15 tokens: the vectorised resolver accepts what the plain rule accepts."""
    import numpy as np

    compiled = compile_lexicon(pd.DataFrame({
        "layer": ["a", "a", "a", "b", "b", "b"],
        "label": ["x", "y", "-", "x", "-", "z"],
        "pattern": ["one", "two", "three", "four", "five", "six"],
    }))
    entries = compiled.entries
    view = type("View", (), {"start": np.arange(15) * 10, "end": np.arange(15) * 10 + 7,
                             "__len__": lambda self: 15})()  # 15 tokens of 7 characters
    rows = {}
    for layer, start, width, pick in spans:
        entry = layer * 3 + pick % 3 if layer < 2 else pick % 6
        rows[(entry, start)] = (entry, start, min(start + width, 14))
    candidates = pd.DataFrame(list(rows.values()), columns=["entry", "first", "last"])
    chosen = lexicon._resolve_overlaps(candidates, view, compiled)
    e = candidates["entry"].to_numpy()
    f, last = candidates["first"].to_numpy(), candidates["last"].to_numpy()
    expected = _greedy_reference(
        entries["layer"].to_numpy()[e], f, last, view.end[last] - view.start[f], entries["is_block"].to_numpy()[e],
        entries["label"].to_numpy()[e], e,
    )
    pd.testing.assert_frame_equal(chosen, candidates.iloc[expected].reset_index(drop=True))
