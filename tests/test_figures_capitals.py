"""The figures of the two capitals' Q&A: each point is a rate that an independent count of the rows gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import figures

DOC = "darchiev-interfax"


def _role_rows(corpus, doc_ids, role):
    """Non-punctuation tokens and sanctions matches of the turns with ``role`` in ``doc_ids``."""
    turns = corpus.turns[corpus.turns["doc_id"].isin(doc_ids) & (corpus.turns["role"] == role)]
    keys = set(zip(turns["doc_id"], turns["turn_id"]))
    # the documents first (every key lies in them), then the turns, row by row
    tokens = corpus.tokens[corpus.tokens["doc_id"].isin(doc_ids)]
    tokens = tokens[[k in keys for k in zip(tokens["doc_id"], tokens["turn_id"])]]
    matches = corpus.matches[corpus.matches["doc_id"].isin(doc_ids)]
    matches = matches[[k in keys for k in zip(matches["doc_id"], matches["turn_id"])]]
    return tokens[~tokens["is_punct"].astype(bool)], matches


def test_monthly_lines_are_sanctions_per_10000_tokens_of_each_role(drawn, corpus):
    ax = drawn("whitehouse-sanctions-by-month")
    documents = corpus.documents
    white_house = documents[(documents["country"] == "United States of America") & (documents["kind"] != "speech")]
    month = dict(zip(white_house["doc_id"], pd.to_datetime(white_house["date"]).dt.month))
    lines = {line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert sorted(lines) == ["Answers", "Questions"]
    for role, name in (("answer", "Answers"), ("question", "Questions")):
        tokens, matches = _role_rows(corpus, set(white_house["doc_id"]), role)
        sanctions = matches[(matches["layer"] == "theme") & (matches["label"] == "sanctions")]
        words = tokens["doc_id"].map(month).value_counts()
        hits = sanctions["doc_id"].map(month).value_counts().reindex(words.index, fill_value=0)
        expected = (hits / words * 10_000).sort_index()
        line = lines[name]
        assert [int(x) for x in line.get_xdata()] == list(expected.index)
        assert np.asarray(line.get_ydata(), dtype=float) == pytest.approx(expected.to_numpy(), rel=1e-12)


def test_theme_points_are_answer_rates_of_each_source(drawn, corpus):
    ax = drawn("capitals-themes-answers")
    tokens, matches = _role_rows(corpus, {DOC}, "answer")
    interview_sanctions = ((matches["layer"] == "theme") & (matches["label"] == "sanctions")).sum()
    expected = interview_sanctions / len(tokens) * 10_000
    points = [x for line in ax.get_lines() for x in np.asarray(line.get_xdata(), dtype=float)]
    assert any(x == pytest.approx(expected, rel=1e-12) for x in points)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Interview", "Kremlin", "White House"]
    assert ax.get_xscale() == "symlog"


def test_keyness_grid_counts_are_the_interviews_answer_words(drawn, corpus):
    ax = drawn("keyness-three-references")
    tokens, _ = _role_rows(corpus, {DOC}, "answer")
    words = tokens[tokens["is_alpha"].astype(bool)]["lower"].value_counts()
    for label in ax.get_yticklabels():
        term, count = label.get_text().rsplit(" (", 1)
        assert words[term] == int(count.rstrip(")").replace(",", ""))
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == list(figures.REFERENCE_NAMES)


def test_we_points_are_first_plural_pronouns_per_1000_answer_tokens(drawn, corpus):
    ax = drawn("capitals-we-they-answers")
    tokens, matches = _role_rows(corpus, {DOC}, "answer")
    we = ((matches["layer"] == "pronoun") & (matches["label"] == "first_plural")).sum()
    points = [x for line in ax.get_lines() for x in np.asarray(line.get_xdata(), dtype=float)]
    assert any(x == pytest.approx(we / len(tokens) * 1000, rel=1e-12) for x in points)
    assert ax.get_xlabel() == "Rate per 1,000 tokens (95 % interval)"
