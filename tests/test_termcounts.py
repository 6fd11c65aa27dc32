"""Tests of analysis.termcounts on small tables built from real sentences of the corpus."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from wordfreq import top_n_list, word_frequency

from analysis.nlp import annotate_paragraphs
from analysis.stats import keyness
from analysis.termcounts import (
    WORDFREQ_CORPUS_SIZE,
    select_tokens,
    subset_term_counts,
    term_counts,
    un2022_term_counts,
    wordfreq_term_counts,
)

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


def _document(doc_id: str, turns: list[tuple[str, str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tokens and turns of one document made of (role, speaker, text) turns, one paragraph each."""
    text = "\n\n".join(body for _, _, body in turns)
    rows, turn_rows, pos = [], [], 0
    for turn_id, (role, speaker, body) in enumerate(turns):
        rows.append((turn_id, turn_id, pos, pos + len(body)))
        turn_rows.append((doc_id, turn_id, role, speaker, pos, pos + len(body), 1, body))
        pos += len(body) + 2
    paragraphs = pd.DataFrame(rows, columns=["turn_id", "paragraph_id", "start", "end"])
    tokens = annotate_paragraphs(text, paragraphs, doc_id=doc_id)[1]
    turns_table = pd.DataFrame(turn_rows, columns=["doc_id", "turn_id", "role", "speaker", "start", "end",
                                                   "n_paragraphs", "text"])
    return tokens, turns_table


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    interview = _paragraphs(RAW / "interview" / "darchiev-interfax.txt")
    question = next(p for p in interview if p.startswith("Question:")).removeprefix("Question:").strip()
    answers = [p for p in interview if p.startswith("Answer:")]
    answer = answers[1].removeprefix("Answer:").strip()
    sanctions_question = next(p for p in interview if p.startswith("Question:") and "sanctions" in p)
    sanctions_question = sanctions_question.removeprefix("Question:").strip()
    un = RAW / "ungdc" / "rus_usa_can_1992_2024"
    documents = [
        ("darchiev", "interview", "A. N. Darchiev", "Russia", pd.NA,
         [("question", "Interfax", question), ("answer", "A. N. Darchiev", answer),
          ("question", "Interfax", sanctions_question)]),
        ("RUS_77_2022", "speech", "Sergey Lavrov", "Russia", 2022,
         [("statement", "Sergey Lavrov", _paragraphs(un / "RUS_77_2022.txt")[2])]),
        ("USA_77_2022", "speech", "Joseph R. Biden", "United States of America", 2022,
         [("statement", "Joseph R. Biden", _paragraphs(un / "USA_77_2022.txt")[2])]),
        ("USA_76_2021", "speech", "Joseph R. Biden", "United States of America", 2021,
         [("statement", "Joseph R. Biden", _paragraphs(un / "USA_76_2021.txt")[2])]),
        ("CAN_47_1992", "speech", "Barbara McDougall", "Canada", 1992,
         [("statement", "Barbara McDougall", _paragraphs(un / "CAN_47_1992.txt")[2])]),
    ]
    token_frames, turn_frames, doc_rows = [], [], []
    for doc_id, kind, speaker, country, year, turns in documents:
        tokens, turns_table = _document(doc_id, turns)
        token_frames.append(tokens)
        turn_frames.append(turns_table)
        doc_rows.append((doc_id, kind, speaker, country, year))
    docs = pd.DataFrame(doc_rows, columns=["doc_id", "kind", "speaker", "country", "year"])
    docs["year"] = docs["year"].astype("Int64")
    return pd.concat(token_frames, ignore_index=True), pd.concat(turn_frames, ignore_index=True), docs


def _keys(tokens: pd.DataFrame) -> set[tuple[str, int]]:
    return set(zip(tokens["doc_id"], tokens["turn_id"]))


def test_select_by_role_and_speaker(tables):
    tokens, turns, documents = tables
    answers = select_tokens(tokens, turns, documents, role="answer")
    assert _keys(answers) == {("darchiev", 1)}
    questions = select_tokens(tokens, turns, documents, speaker="Interfax")
    assert _keys(questions) == {("darchiev", 0), ("darchiev", 2)}
    statements = select_tokens(tokens, turns, role=["statement"], speaker=["Joseph R. Biden"])
    assert _keys(statements) == {("USA_77_2022", 0), ("USA_76_2021", 0)}
    # index and order are kept
    assert answers.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(answers, tokens.loc[answers.index])


def test_select_by_document_attributes(tables):
    tokens, turns, documents = tables
    usa = select_tokens(tokens, documents=documents, country="United States of America")
    assert set(usa["doc_id"]) == {"USA_77_2022", "USA_76_2021"}
    assert set(select_tokens(tokens, documents=documents, year=2022)["doc_id"]) == {"RUS_77_2022", "USA_77_2022"}
    assert set(select_tokens(tokens, documents=documents, year=[1992, 2021])["doc_id"]) == {"CAN_47_1992",
                                                                                            "USA_76_2021"}
    assert set(select_tokens(tokens, documents=documents, year=range(2021, 2023))["doc_id"]) == {
        "RUS_77_2022", "USA_77_2022", "USA_76_2021"}
    assert set(select_tokens(tokens, documents=documents, year_range=(1992, 2021))["doc_id"]) == {"CAN_47_1992",
                                                                                                  "USA_76_2021"}
    assert set(select_tokens(tokens, documents=documents, kind="interview")["doc_id"]) == {"darchiev"}
    assert set(select_tokens(tokens, doc_id=["CAN_47_1992"])["doc_id"]) == {"CAN_47_1992"}
    both = select_tokens(tokens, turns, documents, country="Russia", role="statement")
    assert set(both["doc_id"]) == {"RUS_77_2022"}
    # the interview has no known year: it never matches a year filter
    assert "darchiev" not in set(select_tokens(tokens, documents=documents, year_range=(1900, 2100))["doc_id"])


def test_select_without_filters_and_with_no_match(tables):
    tokens, turns, documents = tables
    assert len(select_tokens(tokens, turns, documents)) == len(tokens)
    assert select_tokens(tokens, documents=documents, country="Narnia").empty


def test_select_needs_the_tables_it_filters_on(tables):
    tokens, _, _ = tables
    with pytest.raises(ValueError, match="turns"):
        select_tokens(tokens, role="answer")
    with pytest.raises(ValueError, match="documents"):
        select_tokens(tokens, year_range=(2000, 2010))


def test_term_counts_alphabetic_lower_case(tables):
    tokens, _, _ = tables
    counts = term_counts(tokens)
    alpha = tokens[tokens["is_alpha"]]
    assert counts.sum() == len(alpha)
    assert counts.name == "count" and counts.index.name == "term" and counts.dtype == "int64"
    assert not ({",", ".", "?", "–"} & set(counts.index))
    assert counts["sanctions"] == (alpha["lower"] == "sanctions").sum() > 0
    keys = list(zip(-counts.to_numpy(), counts.index))
    assert keys == sorted(keys)
    with_punct = term_counts(tokens, alpha_only=False)
    assert with_punct.sum() == len(tokens) and "," in with_punct.index


def test_term_counts_by_lemma_and_without_stop_words(tables):
    tokens, _, _ = tables
    lemmas = term_counts(tokens, by="lemma")
    assert "sanction" in lemmas.index and "sanctions" not in lemmas.index
    content = term_counts(tokens, stop_words=True)
    assert not {"the", "of", "and"} & set(content.index)
    assert content.sum() == int((tokens["is_alpha"] & ~tokens["is_stop"]).sum())
    custom = term_counts(tokens, stop_words=["the", "sanctions"])
    assert not {"the", "sanctions"} & set(custom.index) and "of" in custom.index
    empty = term_counts(tokens.iloc[:0])
    assert empty.empty and empty.dtype == "int64"


def test_subset_term_counts_is_selection_then_counting(tables):
    tokens, turns, documents = tables
    answers = subset_term_counts(tokens, turns, documents, role="answer", kind="interview")
    expected = term_counts(tokens[(tokens["doc_id"] == "darchiev") & (tokens["turn_id"] == 1)])
    pd.testing.assert_series_equal(answers, expected)


def test_un2022_counts_take_the_2022_speeches_only(tables):
    tokens, turns, documents = tables
    counts = un2022_term_counts(tokens, turns, documents)
    expected = term_counts(tokens[tokens["doc_id"].isin(["RUS_77_2022", "USA_77_2022"])])
    pd.testing.assert_series_equal(counts, expected)


def test_wordfreq_counts_scale_proportions_to_the_nominal_corpus():
    terms = ["sanctions", "the", "reciprocity", "washington", "zzqxv"]
    counts = wordfreq_term_counts(terms)
    for term in terms:
        assert counts[term] == round(word_frequency(term, "en") * WORDFREQ_CORPUS_SIZE)
    assert counts["zzqxv"] == 0 and counts["the"] > counts["sanctions"] > 0
    assert list(counts.index[:1]) == ["the"]
    small = wordfreq_term_counts(["sanctions"], corpus_size=1_000_000)
    assert small["sanctions"] == round(word_frequency("sanctions", "en") * 1_000_000)


def test_wordfreq_top_n_list():
    counts = wordfreq_term_counts(n_top=200)
    assert len(counts) == 200 and set(counts.index) == set(top_n_list("en", 200))
    assert (counts > 0).all()


def test_wordfreq_arguments():
    with pytest.raises(ValueError, match="either"):
        wordfreq_term_counts()
    with pytest.raises(ValueError, match="either"):
        wordfreq_term_counts(["a"], n_top=5)
    with pytest.raises(ValueError, match="n_top"):
        wordfreq_term_counts(n_top=0)


def test_interview_against_general_english(tables):
    tokens, turns, documents = tables
    target = subset_term_counts(tokens, turns, documents, kind="interview")
    reference = wordfreq_term_counts(target.index)
    table = keyness(target, reference, reference_total=WORDFREQ_CORPUS_SIZE).set_index("term")
    assert table.loc["sanctions", "direction"] == "positive"
    assert table.loc["sanctions", "log_ratio"] > 5
    assert np.isclose(table.loc["sanctions", "reference_pm"], reference["sanctions"] / 1000)
