"""Rates of a label in chosen turns, per document or turn, with bootstrap intervals, against hand counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.features import INTERVAL_COLUMNS, document_counts, group_rates, rate_intervals
from analysis.stats import bootstrap_rate


def _toy():
    """Three briefings: a question turn and an answer turn each; words and sanctions matches by hand."""
    turns = pd.DataFrame({
        "doc_id": ["a", "a", "b", "b", "c", "c"],
        "turn_id": [0, 1, 0, 1, 0, 1],
        "role": ["question", "answer"] * 3,
    })
    words = {("a", 0): "what about sanctions ?", ("a", 1): "sanctions work and sanctions bite",
             ("b", 0): "and NATO ?", ("b", 1): "no comment on that today",
             ("c", 0): "sanctions again ?", ("c", 1): "we said sanctions"}
    rows = []
    for (doc_id, turn_id), text in words.items():
        for i, word in enumerate(text.split()):
            rows.append((doc_id, turn_id, i, word, word == "?"))
    tokens = pd.DataFrame(rows, columns=["doc_id", "turn_id", "token_id", "text", "is_punct"])
    hits = tokens[tokens["text"] == "sanctions"]
    matches = hits[["doc_id", "turn_id"]].assign(layer="theme", label="sanctions", pattern="sanction",
                                                 text="sanctions")
    nato = tokens[tokens["text"] == "NATO"][["doc_id", "turn_id"]].assign(
        layer="theme", label="nato", pattern="nato", text="NATO")
    documents = pd.DataFrame({"doc_id": ["a", "b", "c"], "kind": ["briefing", "briefing", "gaggle"],
                              "date": ["2022-01-10", "2022-02-25", "2022-02-28"], "n_tokens": [99, 99, 99]})
    return turns, tokens, pd.concat([matches, nato], ignore_index=True), documents


def test_document_counts_count_only_the_chosen_turns():
    turns, tokens, matches, documents = _toy()
    answers = document_counts(matches, tokens, documents, feature="theme:sanctions", turns=turns, roles="answer")
    assert answers[["doc_id", "n_tokens", "count"]].values.tolist() == [["a", 5, 2], ["b", 5, 0], ["c", 3, 1]]
    questions = document_counts(matches, tokens, documents, feature="theme:sanctions", turns=turns,
                                roles="question")
    assert questions["n_tokens"].tolist() == [3, 2, 2] and questions["count"].tolist() == [1, 0, 1]
    per_turn = document_counts(matches, tokens, documents, feature="theme:sanctions", turns=turns,
                               roles="answer", unit="turn")
    assert per_turn[["doc_id", "turn_id", "count"]].values.tolist() == [["a", 1, 2], ["b", 1, 0], ["c", 1, 1]]


def test_rates_without_roles_equal_group_rates():
    turns, tokens, matches, documents = _toy()
    mine = rate_intervals(matches, tokens, documents, feature="theme:sanctions", by="kind", n_boot=50)
    theirs = group_rates(matches, tokens, documents, feature="theme:sanctions", by="kind")
    assert mine["rate"].tolist() == pytest.approx(theirs["rate"].tolist())
    assert mine["count"].tolist() == theirs["count"].tolist()
    assert list(mine.columns) == ["kind"] + INTERVAL_COLUMNS


def test_rates_of_answers_by_month_with_their_intervals():
    turns, tokens, matches, documents = _toy()
    table = rate_intervals(matches, tokens, documents, feature="theme:sanctions", by="month", turns=turns,
                           roles="answer", per=100, n_boot=200, seed=4)
    assert table["month"].tolist() == [1, 2]
    assert table["rate"].tolist() == pytest.approx([2 / 5 * 100, 1 / 8 * 100])
    expected = bootstrap_rate([0, 1], [5, 3], per=100, n_boot=200, seed=4)
    assert tuple(table.loc[1, ["rate", "ci_low", "ci_high"]]) == pytest.approx(expected)
    assert table.loc[0, "ci_low"] == table.loc[0, "ci_high"] == pytest.approx(40.0)
    assert table.attrs["unit"] == "document"


def test_turns_are_the_units_when_asked():
    turns, tokens, matches, documents = _toy()
    table = rate_intervals(matches, tokens, documents, feature="theme:sanctions", turns=turns, unit="turn",
                           per=100, n_boot=100)
    assert table.loc[0, "n_units"] == 6 and table.loc[0, "n_documents"] == 3
    assert table.loc[0, "rate"] == pytest.approx(5 / 20 * 100)
    assert np.isfinite(table.loc[0, ["ci_low", "ci_high"]].astype(float)).all()


def test_bad_choices_are_named():
    turns, tokens, matches, documents = _toy()
    with pytest.raises(ValueError, match="'interview'.*roles are"):
        document_counts(matches, tokens, documents, feature="theme:sanctions", turns=turns, roles="interview")
    with pytest.raises(ValueError, match="need the turns"):
        document_counts(matches, tokens, documents, feature="theme:sanctions", roles="answer")
    with pytest.raises(ValueError, match="no column"):
        rate_intervals(matches, tokens, documents, feature="theme:sanctions", by="country")
    with pytest.raises(ValueError, match="date"):
        rate_intervals(matches, tokens, documents.drop(columns="date"), feature="theme:sanctions", by="month")


def test_mention_forms_count_the_words_of_one_actor_in_answers():
    from analysis.features import mention_forms

    matches = pd.DataFrame({
        "doc_id": ["a", "a", "a", "b", "b"], "turn_id": [1, 1, 0, 1, 1],
        "layer": "actor", "label": ["Russia", "Russia", "Russia", "Russia", "United States"],
        "text": ["Moscow", "the  Kremlin", "Moscow", "moscow", "Washington"], "pattern": "x"})
    turns = pd.DataFrame({"doc_id": ["a", "a", "b"], "turn_id": [0, 1, 1], "role": ["question", "answer", "answer"]})
    documents = pd.DataFrame({"doc_id": ["a", "b"], "source": ["White House", "Kremlin"]})
    forms = mention_forms(matches, documents, feature="actor:Russia", turns=turns)
    assert forms[["source", "form", "count"]].values.tolist() == [
        ["Kremlin", "moscow", 1], ["White House", "moscow", 1], ["White House", "the kremlin", 1]]
    assert forms["share"].tolist() == pytest.approx([1.0, 0.5, 0.5])
    everything = mention_forms(matches, documents, feature="actor:Russia", roles=None, top=1)
    assert everything[["source", "form", "count"]].values.tolist() == [["Kremlin", "moscow", 1],
                                                                       ["White House", "moscow", 2]]
