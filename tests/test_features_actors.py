"""Actor co-occurrence edges, sentiment by actor and presupposition triggers in questions."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.features import (
    EDGE_COLUMNS,
    PRESUPPOSITION_COLUMNS,
    PRESUPPOSITION_TRIGGERS,
    actor_cooccurrence,
    actor_sentiment,
    question_presuppositions,
    sentence_sentiment,
)

HERE = Path(__file__).resolve().parent
INTERVIEW = HERE.parent / "data" / "raw" / "interview" / "darchiev-interfax.txt"


@pytest.fixture(scope="module")
def interview(interview_tables):
    return interview_tables


def _tables(text: str, *, doc_id: str = "hand-made") -> dict:
    """A hand-made interview through the whole pipeline (parse, sentences and tokens, matches)."""
    from analysis.lexicon import find_matches
    from analysis.nlp import annotate_paragraphs
    from analysis.transcripts import parse_transcript

    transcript = parse_transcript(text, doc_id=doc_id, kind="interview")
    sentences, tokens = annotate_paragraphs(text, transcript.paragraphs, doc_id=doc_id)
    matches = find_matches(text, tokens, sentences, doc_id=doc_id)
    return {"text": text, "turns": transcript.turns, "sentences": sentences, "tokens": tokens, "matches": matches}


def _pairs_by_counter(matches: pd.DataFrame, keys: list[str]) -> Counter:
    """Independent count: for every unit, each unordered pair of distinct actors named in it."""
    counted: Counter = Counter()
    actors = matches[matches["layer"] == "actor"]
    for _, group in actors.groupby(keys):
        for pair in combinations(sorted(set(group["label"])), 2):
            counted[pair] += 1
    return counted


# ------------------------------------------------------------------------------ actor co-occurrence


@pytest.mark.parametrize("unit, keys", [("sentence", ["doc_id", "sentence_id"]), ("turn", ["doc_id", "turn_id"]),
                                        ("document", ["doc_id"])])
def test_cooccurrence_weights_equal_an_independent_count_on_the_interview(interview, unit, keys):
    edges = actor_cooccurrence(interview["matches"], unit=unit)
    assert list(edges.columns) == EDGE_COLUMNS
    expected = _pairs_by_counter(interview["matches"], keys)
    assert {(s, t): w for s, t, w in edges.itertuples(index=False)} == dict(expected)
    assert (edges["source"] < edges["target"]).all()
    assert edges["weight"].dtype == "int64"


def test_cooccurrence_of_the_interview_names_russia_and_the_united_states_together_most(interview):
    edges = actor_cooccurrence(interview["matches"])
    top = edges.iloc[0]
    assert (top["source"], top["target"]) == ("Russia", "United States")
    # trace the weight back to sentences: each names both actors
    actors = interview["matches"][interview["matches"]["layer"] == "actor"]
    named = actors.groupby("sentence_id")["label"].agg(set)
    both = [sid for sid, labels in named.items() if {"Russia", "United States"} <= labels]
    assert len(both) == top["weight"]
    text = interview["text"]
    for sid in both:
        row = interview["sentences"].set_index("sentence_id").loc[sid]
        sentence = text[row["start"]:row["end"]]
        assert any(w in sentence for w in ("United States", "Washington", "American", "US"))


def test_cooccurrence_is_sorted_and_agrees_with_networkx_weighted_degree(interview):
    edges = actor_cooccurrence(interview["matches"])
    order = edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    pd.testing.assert_frame_equal(edges, order.reset_index(drop=True))
    # weighted degree from networkx, built from the sentences directly, agrees with the edge table
    graph = nx.Graph()
    actors = interview["matches"][interview["matches"]["layer"] == "actor"]
    for _, group in actors.groupby("sentence_id"):
        for a, b in combinations(sorted(set(group["label"])), 2):
            previous = graph.get_edge_data(a, b, default={"weight": 0})["weight"]
            graph.add_edge(a, b, weight=previous + 1)
    ours = pd.concat([edges[["source", "weight"]].rename(columns={"source": "actor"}),
                      edges[["target", "weight"]].rename(columns={"target": "actor"})]).groupby("actor")["weight"].sum()
    assert ours.to_dict() == dict(graph.degree(weight="weight"))


def test_an_actor_named_twice_in_a_sentence_is_no_edge_and_overlaps_count_once():
    tables = _tables(
        "Question: What about the United States?\n\n"
        "Answer: The United States and the US again. The United States of America and Russia talk. "
        "Russia, Moscow and Washington.\n"
    )
    edges = actor_cooccurrence(tables["matches"])
    assert edges.to_dict("records") == [{"source": "Russia", "target": "United States", "weight": 2}]
    by_turn = actor_cooccurrence(tables["matches"], unit="turn")
    assert by_turn.to_dict("records") == [{"source": "Russia", "target": "United States", "weight": 1}]


def test_cooccurrence_of_nothing_is_an_empty_edge_table_and_a_bad_unit_is_refused(interview):
    empty = actor_cooccurrence(interview["matches"].iloc[:0])
    assert list(empty.columns) == EDGE_COLUMNS and empty.empty
    no_actors = actor_cooccurrence(interview["matches"][interview["matches"]["layer"] != "actor"])
    assert no_actors.empty
    with pytest.raises(ValueError, match="unit must be one of"):
        actor_cooccurrence(interview["matches"], unit="paragraph")


def test_cooccurrence_never_joins_sentences_of_different_documents(interview):
    other = interview["matches"].assign(doc_id="copy")
    both = pd.concat([interview["matches"], other], ignore_index=True)
    single = actor_cooccurrence(interview["matches"])
    doubled = actor_cooccurrence(both)
    assert doubled["weight"].tolist() == (single["weight"] * 2).tolist()


# ------------------------------------------------------------------------------ sentiment by actor


def test_actor_sentiment_gives_each_sentence_once_per_actor_with_vaders_own_scores(interview):
    scores = sentence_sentiment(interview["sentences"])
    table = actor_sentiment(scores, interview["matches"])
    actors = interview["matches"][interview["matches"]["layer"] == "actor"]
    assert len(table) == len(actors[["sentence_id", "label"]].drop_duplicates())
    assert not table.duplicated(["doc_id", "sentence_id", "actor"]).any()
    analyzer = SentimentIntensityAnalyzer()
    text = interview["text"]
    spans = interview["sentences"].set_index("sentence_id")
    for row in table.head(25).itertuples():
        sentence = text[spans.loc[row.sentence_id, "start"]:spans.loc[row.sentence_id, "end"]]
        assert row.compound == pytest.approx(analyzer.polarity_scores(sentence)["compound"])
    camps = dict(zip(table["actor"], table["camp"]))
    assert camps["Russia"] == "russia" and camps["United States"] == "west"


def test_a_sentence_naming_two_actors_counts_under_both():
    tables = _tables(
        "Question: Is this good?\n\n"
        "Answer: Russia and Canada had a wonderful, excellent meeting. NATO is a terrible threat.\n"
    )
    table = actor_sentiment(sentence_sentiment(tables["sentences"]), tables["matches"])
    assert table["actor"].tolist() == ["Canada", "Russia", "NATO"]
    assert table.loc[0, "compound"] == table.loc[1, "compound"] > 0
    assert table.loc[2, "compound"] < 0


# ------------------------------------------------------------------------------ presupposition triggers


def test_presupposition_triggers_in_the_interviews_questions(interview):
    found = question_presuppositions(interview["tokens"], interview["turns"], interview["sentences"])
    assert list(found.columns) == PRESUPPOSITION_COLUMNS
    roles = interview["turns"].set_index("turn_id")["role"]
    assert (found["turn_id"].map(roles) == "question").all()
    seen = set(zip(found["trigger"], found["text"].str.lower()))
    assert ("factive", "understand correctly that") in seen
    assert ("change of state", "no longer") in seen
    assert ("temporal clause", "after which") in seen
    assert ("change of state", "have left") in seen
    # offsets point into the document, and each row's sentence holds its trigger
    text = interview["text"]
    for row in found.itertuples():
        assert text[row.start:row.end].lower().split() == row.text.lower().split()
        assert text[row.start:row.end] in row.sentence
    # the answers' "since 2014" is not a question's trigger
    assert "since" not in set(found["text"].str.lower())


def test_presuppositions_of_the_answers_and_custom_triggers(interview):
    tables = interview["tokens"], interview["turns"], interview["sentences"]
    answers = question_presuppositions(*tables, role="answer")
    assert "since" in set(answers["text"].str.lower())
    custom = question_presuppositions(*tables, triggers={"mirror": ("mirror measures",)})
    assert custom[["trigger", "text"]].to_dict("records") == [{"trigger": "mirror", "text": "mirror measures"}]
    nothing = question_presuppositions(*tables, triggers={})
    assert nothing.empty and list(nothing.columns) == PRESUPPOSITION_COLUMNS


@pytest.mark.parametrize("question, trigger, words", [
    ("Have you stopped supporting the sanctions?", "change of state", "stopped"),
    ("Do you regret the decision to expel the diplomats?", "factive", "regret"),
    ("Will the talks resume again in Geneva?", "iterative", "again"),
    ("Did the embassy manage to renew the visas?", "implicative", "manage"),
    ("What happened after the embassy closed?", "temporal clause", "after"),
])
def test_classic_triggers_in_hand_made_questions(question, trigger, words):
    tables = _tables(f"Question: {question}\n\nAnswer: We will see.\n")
    found = question_presuppositions(tables["tokens"], tables["turns"], tables["sentences"])
    assert (trigger, words) in set(zip(found["trigger"], found["text"].str.lower()))


def test_a_phrase_trigger_never_runs_over_a_sentence_end():
    tables = _tables("Question: What do you know? That is the question. You know that it matters?\n\n"
                     "Answer: Yes.\n")
    found = question_presuppositions(tables["tokens"], tables["turns"], tables["sentences"])
    factives = found[found["trigger"] == "factive"]
    assert len(factives) == 1
    assert factives["sentence"].iloc[0].startswith("You know that")


def test_every_default_trigger_is_a_non_empty_pattern():
    assert PRESUPPOSITION_TRIGGERS
    for kind, patterns in PRESUPPOSITION_TRIGGERS.items():
        assert patterns and all(p.strip() == p and p for p in patterns), kind
        assert len(set(patterns)) == len(patterns), kind


# ------------------------------------------------------------------------------ pooled rates


def test_pooled_rates_by_role_equal_a_direct_count_of_matches_and_tokens(interview):
    from analysis.features import count_matches, pooled_rates

    turns = interview["turns"]
    counts = count_matches(interview["matches"], interview["tokens"], turns=turns, unit="turn")
    counts = counts.merge(turns[["doc_id", "turn_id", "role"]], on=["doc_id", "turn_id"])
    pooled = pooled_rates(counts[counts["layer"].isin(["hedge", "modality"])], by="role", level="layer")
    roles = turns.set_index("turn_id")["role"]
    tokens = interview["tokens"]
    words = tokens[~tokens["is_punct"].astype(bool)]
    for row in pooled.itertuples():
        chosen = interview["matches"][(interview["matches"]["layer"] == row.layer)
                                      & (interview["matches"]["turn_id"].map(roles) == row.role)]
        n_tokens = int((words["turn_id"].map(roles) == row.role).sum())
        assert (row.count, row.n_tokens) == (len(chosen), n_tokens)
        assert row.per_1000 == pytest.approx(len(chosen) / n_tokens * 1000)
    assert sorted(pooled["role"].unique()) == ["answer", "question"]


def test_pooled_rates_are_a_ratio_of_sums_not_a_mean_of_rates():
    from analysis.features import pooled_rates

    counts = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "layer": "hedge", "label": ["hedge", "other"] * 2,
                           "count": [1, 0, 9, 3], "n_tokens": [10, 10, 990, 990]})
    labels = pooled_rates(counts)
    assert labels[["label", "count", "n_tokens"]].to_dict("records") == [
        {"label": "hedge", "count": 10, "n_tokens": 1000}, {"label": "other", "count": 3, "n_tokens": 1000}]
    layer = pooled_rates(counts, level="layer")
    assert layer[["layer", "count", "n_tokens"]].to_dict("records") == [
        {"layer": "hedge", "count": 13, "n_tokens": 1000}]
    assert layer["per_1000"].iloc[0] == pytest.approx(13.0)  # the mean of the two documents' rates would be 56.1
    empty = pooled_rates(counts.assign(n_tokens=0))
    assert empty["per_1000"].isna().all()
    with pytest.raises(ValueError, match="grouping column"):
        pooled_rates(counts, by="role")
    with pytest.raises(ValueError, match="level"):
        pooled_rates(counts, level="turn")
