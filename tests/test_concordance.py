"""KWIC and dispersion on the interview and UN statements, checked against plain regular expressions."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.concordance import KWIC_COLUMNS, dispersion, find_hits, kwic
from conftest import INTERVIEW, UN_DIR, analyse_file

RUS_2022 = UN_DIR / "RUS_77_2022.txt"
DOC = "darchiev-interfax"


@pytest.fixture(scope="module")
def corpus():
    """The interview (parsed into turns) and Russia's 2022 UN statement (one turn of paragraphs)."""
    first = analyse_file(INTERVIEW, doc_id=DOC)
    second = analyse_file(RUS_2022, doc_id="RUS_77_2022", kind="speech")
    text, speech = first["text"], second["text"]
    t1, t2, s1, s2 = first["tokens"], second["tokens"], first["sentences"], second["sentences"]
    turns = pd.concat([first["turns"], second["turns"]], ignore_index=True)
    matches = pd.concat([first["matches"], second["matches"]], ignore_index=True)
    return {"texts": {DOC: text, "RUS_77_2022": speech}, "tokens": pd.concat([t1, t2], ignore_index=True),
            "sentences": pd.concat([s1, s2], ignore_index=True), "turns": turns, "matches": matches}


def regex_count(corpus, pattern: str, flags=re.IGNORECASE) -> int:
    """Occurrences in the parsed turns, counted with a plain regular expression."""
    return sum(len(re.findall(pattern, text, flags)) for text in corpus["turns"]["text"])


def test_word_hits_agree_with_a_regular_expression(corpus):
    hits = find_hits(corpus["tokens"], "sanctions")
    assert len(hits) == regex_count(corpus, r"\bsanctions\b")
    wildcard = find_hits(corpus["tokens"], "sanction*")
    assert len(wildcard) == regex_count(corpus, r"\bsanction\w*")
    for row in wildcard.itertuples():
        assert corpus["texts"][row.doc_id][row.start:row.end].lower().startswith("sanction")


def test_phrase_lemma_and_regex_queries(corpus):
    assert len(find_hits(corpus["tokens"], "United States", by="phrase")) == regex_count(
        corpus, r"United\s+States", flags=0)
    lemma = find_hits(corpus["tokens"], "sanction", by="lemma")
    assert len(lemma) == regex_count(corpus, r"\bsanction(s|ed|ing)?\b")
    regex = find_hits(corpus["tokens"], "sanction(s|ed)", by="regex")
    assert len(regex) == regex_count(corpus, r"\bsanction(s|ed)\b")
    apostrophe = find_hits(corpus["tokens"], "Washington's", by="phrase")
    assert len(apostrophe) == regex_count(corpus, r"Washington[’']s", flags=0)


def test_label_queries_follow_the_matches_table(corpus):
    hits = find_hits(corpus["tokens"], "theme:nato", by="label", matches=corpus["matches"])
    expected = corpus["matches"].query("layer == 'theme' and label == 'nato'")
    assert len(hits) == len(expected)
    assert hits["first_token"].le(hits["last_token"]).all()
    tokens = corpus["tokens"].set_index(["doc_id", "token_id"])
    for row in hits.itertuples():
        assert tokens.loc[(row.doc_id, row.first_token), "start"] == row.start
        assert tokens.loc[(row.doc_id, row.last_token), "end"] == row.end
    by_label_only = find_hits(corpus["tokens"], "United States", by="label", matches=corpus["matches"])
    assert len(by_label_only) == len(corpus["matches"].query("label == 'United States'"))


def test_kwic_with_a_token_window(corpus):
    table = kwic(corpus["tokens"], "reciprocity", window=4)
    assert list(table.columns) == KWIC_COLUMNS
    interview = table[table["doc_id"] == DOC]
    assert interview["keyword"].tolist() == ["reciprocity", "reciprocity"]
    assert interview["left"].tolist() == ["are ready for such", "from the principle of"]
    assert interview["right"].iloc[1] == ". That is,"
    assert all(corpus["texts"][d][s:e] == k for d, s, e, k in zip(table["doc_id"], table["start"], table["end"],
                                                                   table["keyword"]))


def test_kwic_window_stays_inside_the_turn(corpus):
    table = kwic(corpus["tokens"], "Is", window=10)
    first = table[(table["doc_id"] == DOC) & (table["turn_id"] == 0)].iloc[0]
    assert first["left"] == ""      # the first word of the first question


def test_kwic_with_sentence_and_turn_context(corpus):
    table = kwic(corpus["tokens"], "oncoming traffic", by="phrase", context="sentence",
                 sentences=corpus["sentences"])
    row = table.iloc[0]
    assert (row["left"], row["keyword"], row["right"]) == (
        "But this, of course, requires", "oncoming traffic", "on both sides.")
    sentence = corpus["sentences"].set_index(["doc_id", "sentence_id"]).loc[(row["doc_id"], row["sentence_id"]),
                                                                            "text"]
    assert " ".join([row["left"], row["keyword"], row["right"]]) == sentence
    turn = kwic(corpus["tokens"], "oncoming traffic", by="phrase", context="turn", turns=corpus["turns"])
    assert turn.iloc[0]["left"].startswith("It was Washington")
    assert turn.iloc[0]["right"].endswith("we are ready for such reciprocity.")


def test_kwic_sorted_by_left_and_right_context(corpus):
    right = kwic(corpus["tokens"], "sanctions", sort="right")
    keys = [" ".join(re.findall(r"\w+", text.lower())) for text in right["right"]]
    assert keys == sorted(keys)
    left = kwic(corpus["tokens"], "sanctions", sort="left")
    keys = [" ".join(reversed(re.findall(r"\w+", text.lower()))) for text in left["left"]]
    assert keys == sorted(keys)
    assert sorted(left["start"]) == sorted(right["start"])


def test_kwic_errors_are_clear(corpus):
    with pytest.raises(ValueError, match="context"):
        kwic(corpus["tokens"], "NATO", context="paragraph")
    with pytest.raises(ValueError, match="sentences"):
        kwic(corpus["tokens"], "NATO", context="sentence")
    with pytest.raises(ValueError, match="matches"):
        find_hits(corpus["tokens"], "theme:nato", by="label")
    with pytest.raises(ValueError, match="by must be"):
        find_hits(corpus["tokens"], "NATO", by="stem")
    with pytest.raises(ValueError, match="empty"):
        find_hits(corpus["tokens"], "  ")


def test_no_hits_give_an_empty_table(corpus):
    assert kwic(corpus["tokens"], "zzzzz").empty
    assert find_hits(corpus["tokens"], "theme:nothing", by="label", matches=corpus["matches"]).empty


def test_dispersion_of_several_labels(corpus):
    table = dispersion(corpus["tokens"], ["theme:sanctions", "theme:nato", "theme:reciprocity"], by="label",
                       matches=corpus["matches"])
    assert set(table["query"]) == {"theme:sanctions", "theme:nato", "theme:reciprocity"}
    assert table["position"].between(0, 1, inclusive="left").all()
    sizes = corpus["tokens"].groupby("doc_id").size()
    assert (table["position"] == table["token_id"] / table["doc_id"].map(sizes)).all()
    interview = table[table["doc_id"] == DOC]
    assert interview.groupby("query").size().to_dict() == {
        "theme:sanctions": 9, "theme:nato": 5, "theme:reciprocity": 6}
    for _, group in interview.groupby("query"):
        assert group["position"].is_monotonic_increasing


def test_dispersion_of_words_keeps_query_order(corpus):
    table = dispersion(corpus["tokens"], ["NATO", "Washington"])
    speech = table[table["doc_id"] == "RUS_77_2022"]
    assert speech["query"].tolist() == sorted(speech["query"].tolist(), key=["NATO", "Washington"].index)
    assert len(speech[speech["query"] == "NATO"]) == len(re.findall(r"\bNATO\b", corpus["texts"]["RUS_77_2022"]))
