"""Rates through time and groups, words near a theme, conditional markers and collocation nodes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.features import (
    CONDITIONAL_MARKERS,
    RATE_COLUMNS,
    UN_COUNTRIES,
    count_matches,
    country_documents,
    find_conditionals,
    group_rates,
    label_tokens,
    matches_near,
)
from analysis.sources import read_manifest
from conftest import analyse_file

HERE = Path(__file__).resolve().parent
RAW = HERE.parent / "data" / "raw"
UN_DIR = RAW / "ungdc" / "rus_usa_can_1992_2024"
DOC = "darchiev-interfax"
#: Statements of the three countries in years where the speaker tables spell them differently.
STATEMENTS = ["CAN_77_2022", "RUS_52_1997", "RUS_67_2012", "RUS_69_2014", "RUS_77_2022", "USA_68_2013",
              "USA_76_2021", "USA_77_2022"]


@pytest.fixture(scope="module")
def un():
    """A few UN statements through the pipeline, with their manifest rows as the documents table."""
    parts = [analyse_file(UN_DIR / f"{doc_id}.txt", doc_id=doc_id, kind="speech") for doc_id in STATEMENTS]
    manifest = read_manifest(RAW / "manifest.csv")
    documents = manifest[manifest["doc_id"].isin(STATEMENTS)].assign(year=lambda d: d["year"].astype("int64"))
    return {
        "texts": {doc_id: part["text"] for doc_id, part in zip(STATEMENTS, parts)},
        "tokens": pd.concat([p["tokens"] for p in parts], ignore_index=True),
        "matches": pd.concat([p["matches"] for p in parts], ignore_index=True),
        "sentences": pd.concat([p["sentences"] for p in parts], ignore_index=True),
        "documents": documents.reset_index(drop=True),
    }


# --- country names --------------------------------------------------------------------------------

def test_country_documents_choose_countries_and_kind(un):
    chosen = country_documents(un["documents"])
    assert chosen["doc_id"].tolist() == un["documents"]["doc_id"].tolist()
    prefix = {"CAN": "Canada", "RUS": "Russia", "USA": "United States of America"}
    assert [prefix[d[:3]] for d in chosen["doc_id"]] == chosen["country"].tolist()
    assert country_documents(un["documents"], ["Canada"])["doc_id"].str.startswith("CAN").all()
    assert country_documents(un["documents"], kind="interview").empty
    assert sorted(UN_COUNTRIES) == list(UN_COUNTRIES)


def test_country_documents_resolve_aliases_and_refuse_unknown_names(un):
    usa = country_documents(un["documents"], ["United States of America"])["doc_id"].tolist()
    assert usa and all(doc_id.startswith("USA") for doc_id in usa)
    for alias in ("United States", "USA", "united states", "U.S."):
        assert country_documents(un["documents"], [alias])["doc_id"].tolist() == usa
    with pytest.raises(ValueError, match=r"'Narnia'.*known names: .*Canada.*Russia"):
        country_documents(un["documents"], ["Narnia"])
    with pytest.raises(ValueError, match="list of names"):
        country_documents(un["documents"], "Russia")


def test_country_documents_give_several_spellings_one_name():
    documents = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"], "kind": ["speech", "speech", "interview", "speech"],
        "country": ["Russian Federation", "Russia", "Russia", "USA"],
    })
    names = {"Russian Federation": "Russia", "USA": "United States of America"}
    chosen = country_documents(documents, names=names)
    assert chosen[["doc_id", "country"]].values.tolist() == [
        ["a", "Russia"], ["b", "Russia"], ["d", "United States of America"]]
    assert country_documents(documents, ["Russia"], kind=None, names=names)["doc_id"].tolist() == ["a", "b", "c"]
    assert country_documents(documents)["doc_id"].tolist() == ["b"]  # without names, spellings differ
    assert documents["country"].tolist()[0] == "Russian Federation"  # the input is not changed


def test_country_documents_of_the_corpus_are_the_99_statements():
    manifest = read_manifest(RAW / "manifest.csv").assign(year=lambda d: d["year"].astype("int64"))
    chosen = country_documents(manifest)
    assert len(chosen) == 99
    per_country = chosen.groupby("country")["year"].agg(["size", "min", "max", "nunique"])
    assert per_country.to_dict("list") == {"size": [33] * 3, "min": [1992] * 3, "max": [2024] * 3,
                                           "nunique": [33] * 3}


# --- rates ----------------------------------------------------------------------------------------

def _independent_rates(tokens, matches, documents, *, layer, label, per=10_000):
    """Counts and rates per (year, country) by walking the rows one by one."""
    group_of = {row.doc_id: (int(row.year), row.country) for row in documents.itertuples()}
    words, hits = Counter(), Counter()
    for doc_id, is_punct in zip(tokens["doc_id"], tokens["is_punct"]):
        if doc_id in group_of and not is_punct:
            words[group_of[doc_id]] += 1
    for doc_id, lay, lab in zip(matches["doc_id"], matches["layer"], matches["label"]):
        if doc_id in group_of and lay == layer and lab == label:
            hits[group_of[doc_id]] += 1
    return {key: (hits[key], words[key], hits[key] / words[key] * per) for key in sorted(words)}


@pytest.mark.parametrize("label", ["sanctions", "nato", "reciprocity"])
def test_group_rates_equal_an_independent_count(un, label):
    documents = country_documents(un["documents"])
    rates = group_rates(un["matches"], un["tokens"], documents, feature=f"theme:{label}")
    assert list(rates.columns) == ["year", "country"] + RATE_COLUMNS
    expected = _independent_rates(un["tokens"], un["matches"], documents, layer="theme", label=label)
    got = {(int(r.year), r.country): (r.count, r.n_tokens, r.rate) for r in rates.itertuples()}
    assert got.keys() == expected.keys()
    for key, (count, n_tokens, rate) in expected.items():
        assert got[key][:2] == (count, n_tokens)
        assert got[key][2] == pytest.approx(rate, rel=1e-12)
    assert rates["count"].sum() == ((un["matches"]["layer"] == "theme") & (un["matches"]["label"] == label)).sum()


def test_sanctions_counts_equal_the_word_in_the_raw_text(un):
    """An independent check through the raw files: the word "sanctions", found by a regular expression."""
    documents = country_documents(un["documents"])
    rates = group_rates(un["matches"], un["tokens"], documents, feature="theme:sanctions", by="doc_id",
                        pattern=r"^sanctions( pressure)?$")
    word = re.compile(r"\bsanctions\b", re.IGNORECASE)
    expected = {doc_id: len(word.findall(un["texts"][doc_id])) for doc_id in sorted(un["texts"])}
    assert dict(zip(rates["doc_id"], rates["count"])) == expected
    assert sum(expected.values()) > 10


def test_group_rates_split_by_entry_and_label(un):
    documents = country_documents(un["documents"])
    by_entry = group_rates(un["matches"], un["tokens"], documents, feature="theme:nato", by=["country", "pattern"])
    nato = un["matches"][(un["matches"]["layer"] == "theme") & (un["matches"]["label"] == "nato")]
    patterns = sorted(nato["pattern"].unique())
    assert len(by_entry) == 3 * len(patterns)  # every country gets every entry seen, zero or not
    assert by_entry.groupby("country")["pattern"].apply(list).map(sorted).tolist() == [patterns] * 3
    whole = group_rates(un["matches"], un["tokens"], documents, feature="theme:nato", by="country")
    assert by_entry.groupby("country")["count"].sum().tolist() == whole["count"].tolist()
    assert by_entry.groupby("country")["rate"].sum().to_numpy() == pytest.approx(whole["rate"].to_numpy())
    layer = group_rates(un["matches"], un["tokens"], documents, feature="theme", by=["country", "label"])
    assert layer["count"].sum() == (un["matches"]["layer"] == "theme").sum()
    assert "sanctions" in set(layer["label"]) and "economy" in set(layer["label"])


def test_group_rates_nato_expansion_entries(un):
    documents = country_documents(un["documents"])
    rates = group_rates(un["matches"], un["tokens"], documents, feature="theme:nato", by="doc_id",
                        pattern="expan|enlarg|eastward")
    counts = dict(zip(rates["doc_id"], rates["count"]))
    # RUS_77_2022: "expanding NATO eastward" and "expand NATO eastward by an inch" (entry and "eastward"
    # touch, so each is one mention)
    assert counts["RUS_77_2022"] == 2
    assert counts["RUS_52_1997"] == 1  # "NATO's enlargement"
    assert counts["USA_77_2022"] == 0 and counts["CAN_77_2022"] == 0


def _tiny():
    tokens = pd.DataFrame({
        "doc_id": ["a"] * 5 + ["b"] * 3 + ["c"] * 2,
        "token_id": [0, 1, 2, 3, 4, 0, 1, 2, 0, 1],
        "is_punct": [False, False, False, False, True, False, False, True, False, False],
    })
    matches = pd.DataFrame({
        "doc_id": ["a", "a", "b", "c", "z"],
        "layer": ["theme", "theme", "theme", "actor", "theme"],
        "label": ["sanctions", "nato", "sanctions", "Russia", "sanctions"],
        "pattern": ["sanctions", "NATO", "embargo", "Russia", "sanctions"],
    })
    documents = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "year": [2020, 2021, 2021, 2022],
                              "country": ["X", "X", "Y", "Y"]})
    return matches, tokens, documents


def test_group_rates_worked_example():
    matches, tokens, documents = _tiny()
    rates = group_rates(matches, tokens, documents, feature="theme:sanctions", by=["year", "country"])
    assert rates[["year", "country"]].values.tolist() == [[2020, "X"], [2021, "X"], [2021, "Y"], [2022, "Y"]]
    assert rates["n_tokens"].tolist() == [4, 2, 2, 0]       # punctuation left out; "d" has no tokens
    assert rates["count"].tolist() == [1, 1, 0, 0]          # "z" is not among the documents
    assert rates["rate"].iloc[:3].tolist() == [2500.0, 5000.0, 0.0]  # zero, not missing, without a match
    assert np.isnan(rates["rate"].iloc[3])                  # no tokens: no rate
    per_100 = group_rates(matches, tokens, documents, feature="theme:sanctions", by="country", per=100)
    assert per_100["rate"].tolist() == [pytest.approx(2 / 6 * 100), 0.0]
    assert per_100.attrs["per"] == 100
    absent = group_rates(matches.iloc[:0], tokens, documents, feature="theme:sanctions", by="country")
    assert absent["count"].tolist() == [0, 0] and absent["rate"].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"feature": "theme:sanctions", "by": "continent"}, "no column"),
    ({"feature": "theme:sanctions", "by": []}, "at least one"),
    ({"feature": ":sanctions"}, "layer"),
    ({"feature": "theme:sanctions", "per": 0}, "positive"),
])
def test_group_rates_refuses_bad_options(kwargs, message):
    matches, tokens, documents = _tiny()
    with pytest.raises(ValueError, match=message):
        group_rates(matches, tokens, documents, **kwargs)


# --- words near a theme ---------------------------------------------------------------------------

def test_matches_near_equal_a_sentence_by_sentence_reading(interview_tables):
    matches = interview_tables["matches"]
    near = matches_near(matches, feature="theme:sanctions")
    nodes = matches[(matches["layer"] == "theme") & (matches["label"] == "sanctions")]
    expected = []
    for row in matches[matches["layer"] == "evaluation"].itertuples():
        here = nodes[nodes["sentence_id"] == row.sentence_id]
        if len(here) and all(row.end <= s or row.start >= e for s, e in zip(here["start"], here["end"])):
            expected.append((row.start, row.text.lower(), row.label, len(here)))
    assert list(zip(near["start"], near["word"], near["label"], near["n_mentions"])) == sorted(expected)
    assert len(expected) > 3
    text = interview_tables["text"]
    assert all(text[s:e].lower() == w for s, e, w in zip(near["start"], near["end"], near["word"]))
    # turn 9: "We have been living under sanctions ..." - its evaluative words are the answer's own
    assert set(near["turn_id"]) <= set(nodes["turn_id"])


def test_matches_near_leaves_out_words_inside_a_mention():
    matches = pd.DataFrame({
        "doc_id": ["d"] * 4, "turn_id": [0] * 4, "sentence_id": [0, 0, 0, 1],
        "start": [0, 0, 20, 40], "end": [16, 8, 25, 45],
        "layer": ["theme", "evaluation", "evaluation", "evaluation"],
        "label": ["sanctions", "negative", "positive", "negative"],
        "text": ["punitive measure", "punitive", "Great", "awful"], "pattern": ["", "", "", ""],
    })
    near = matches_near(matches, feature="theme:sanctions")
    assert near["word"].tolist() == ["great"]  # "punitive" is the mention itself; "awful" another sentence
    by_turn = matches_near(matches, feature="theme:sanctions", within="turn")
    assert by_turn["word"].tolist() == ["great", "awful"]
    assert matches_near(matches, feature="theme:nato").empty
    with pytest.raises(ValueError, match="within"):
        matches_near(matches, feature="theme:sanctions", within="paragraph")


# --- conditional markers --------------------------------------------------------------------------

def test_conditionals_in_the_interview(interview_tables):
    found = find_conditionals(interview_tables["tokens"])
    text = interview_tables["text"]
    assert (found["layer"] == "conditional").all() and (found["label"] == "conditional").all()
    assert all(text[s:e] == t for s, e, t in zip(found["start"], found["end"], found["text"]))
    ifs = [m.start() for m in re.finditer(r"\bif\b", text, re.IGNORECASE)]
    assert found.loc[found["pattern"] == "if", "start"].tolist() == ifs
    assert "to the extent that" in set(found["pattern"])  # "open to ... dialogue to the extent that the US is ready"
    counts = count_matches(found, interview_tables["tokens"], turns=interview_tables["turns"])
    assert counts["count"].sum() == len(found)


@pytest.mark.parametrize("sentence, expected", [
    ("We will respond only if they act first.", ["if"]),
    ("Unless the embassy reopens, we will not.", ["unless"]),
    ("Provided that the channel stays open, we talk. They provided assistance.", ["provided that"]),
    ("We will act as long as they do, and so long as it lasts.", ["as long as", "so long as"]),
    ("In the event that visas are refused, in case of need, we reply.", ["in the event that", "in case"]),
    ("We cooperate insofar as they do, in so far as possible.", ["insofar as", "in so far as"]),
    ("On the condition that both sides agree.", ["on the condition that"]),
    ("Whether they act is unclear; the talks in Iffley ended.", []),
])
def test_conditional_markers_on_sentences(sentence, expected):
    from analysis.lexicon import text_paragraphs
    from analysis.nlp import annotate_paragraphs

    _, tokens = annotate_paragraphs(sentence, text_paragraphs(sentence), doc_id="s")
    found = find_conditionals(tokens)
    assert found["pattern"].tolist() == expected
    assert all(sentence[s:e].lower() == p for s, e, p in zip(found["start"], found["end"], found["pattern"]))


def test_conditional_markers_options():
    assert len(set(CONDITIONAL_MARKERS)) == len(CONDITIONAL_MARKERS)
    tokens = pd.DataFrame(columns=["doc_id", "turn_id", "sentence_id", "token_id", "start", "end", "text",
                                   "lower", "lemma", "is_alpha", "is_stop", "is_punct"])
    with pytest.raises(ValueError, match="at least one"):
        find_conditionals(tokens, markers=["  "])


# --- collocation nodes ----------------------------------------------------------------------------

def test_label_tokens_follow_the_lexicon(un):
    tokens, matches = un["tokens"], un["matches"]
    node = label_tokens(tokens, matches, feature="theme:sanctions", words="sanction.*")
    assert node.dtype == bool and len(node) == len(tokens)
    chosen = tokens[node]
    assert chosen["lower"].str.startswith("sanction").all()
    sanctions = matches[(matches["layer"] == "theme") & (matches["label"] == "sanctions")]
    with_word = sanctions[sanctions["text"].str.lower().str.contains("sanction")]
    assert len(chosen) == len(with_word)  # one node token per mention that contains the word
    for row in chosen.itertuples():
        assert ((with_word["doc_id"] == row.doc_id) & (with_word["start"] <= row.start)
                & (with_word["end"] >= row.end)).any()
    everything = label_tokens(tokens, matches, feature="theme:sanctions")
    assert everything.sum() >= node.sum()
    assert not (node & ~everything).any()


def test_label_tokens_leave_out_authorised():
    from analysis.lexicon import find_matches, text_paragraphs
    from analysis.nlp import annotate_paragraphs

    text = "United Nations-sanctioned operations went ahead. Sanctions pressure rose."
    sentences, tokens = annotate_paragraphs(text, text_paragraphs(text), doc_id="t")
    matches = find_matches(text, tokens, sentences, doc_id="t")
    node = label_tokens(tokens, matches, feature="theme:sanctions", words="sanction.*")
    assert tokens.loc[node, "text"].tolist() == ["Sanctions"]
    both = label_tokens(tokens, matches, feature="theme:sanctions")
    assert tokens.loc[both, "text"].tolist() == ["Sanctions", "pressure"]
