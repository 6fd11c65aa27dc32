"""Counts, rates, pronoun balance, sentiment, actor evaluations, explain() and the scikit-learn vectoriser."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from analysis.features import (
    actor_evaluation_summary,
    actor_evaluations,
    count_matches,
    explain,
    feature_table,
    mean_sentiment,
    pronoun_balance,
    quote_counts,
    sentence_sentiment,
    split_feature,
    word_counts,
)
from analysis.lexicon import match_text
from analysis.vectorizer import LexiconVectorizer

HERE = Path(__file__).resolve().parent
INTERVIEW = HERE.parent / "data" / "raw" / "interview" / "darchiev-interfax.txt"
DOC = "darchiev-interfax"


@pytest.fixture(scope="module")
def interview(interview_tables):
    return interview_tables


@pytest.mark.parametrize("unit", ["turn", "document"])
def test_every_count_equals_its_match_rows(interview, unit):
    counts = count_matches(interview["matches"], interview["tokens"], turns=interview["turns"], unit=unit)
    assert counts["count"].sum() == len(interview["matches"])
    for row in counts.itertuples():
        rows = explain(interview["matches"], interview["sentences"], doc_id=row.doc_id, feature=row.feature,
                       turn_id=getattr(row, "turn_id", None))
        assert len(rows) == row.count, (row.feature, getattr(row, "turn_id", None))
    wide = feature_table(counts)
    features = [c for c in wide.columns if ":" in c]
    for column in features:
        layer, label = split_feature(column)
        for _, unit_row in wide.iterrows():
            chosen = interview["matches"][(interview["matches"]["layer"] == layer)
                                          & (interview["matches"]["label"] == label)]
            if unit == "turn":
                chosen = chosen[chosen["turn_id"] == unit_row["turn_id"]]
            assert unit_row[column] == len(chosen)


def test_rates_per_thousand_words(interview):
    counts = count_matches(interview["matches"], interview["tokens"], turns=interview["turns"])
    # an independent word count: tokens of each turn that contain a letter or digit
    words = Counter(t for t, text in zip(interview["tokens"]["turn_id"], interview["tokens"]["text"])
                    if any(ch.isalnum() for ch in text))
    sanctions = counts[counts["feature"] == "theme:sanctions"].set_index("turn_id")
    assert sanctions.loc[9, "count"] == 4
    assert sanctions.loc[9, "n_tokens"] == words[9]
    assert sanctions.loc[9, "per_1000"] == pytest.approx(4 / words[9] * 1000)
    assert (sanctions.loc[0, "count"], sanctions.loc[0, "per_1000"]) == (0, 0.0)
    assert set(counts["turn_id"]) == set(range(12))


def test_word_counts_keep_empty_turns():
    tokens = pd.DataFrame({"doc_id": ["d"] * 3, "turn_id": [0, 0, 2], "is_punct": [False, True, False]})
    turns = pd.DataFrame({"doc_id": ["d"] * 3, "turn_id": [0, 1, 2]})
    assert word_counts(tokens, turns=turns)["n_tokens"].tolist() == [1, 0, 1]


def test_feature_table_of_rates_and_named_features(interview):
    counts = count_matches(interview["matches"], interview["tokens"], unit="document",
                           features=["theme:unused_label"])
    wide = feature_table(counts, value="per_1000")
    assert wide.loc[0, "theme:unused_label"] == 0.0
    # five NATO mentions: "NATO forward-based" is one (touching matches of one label join)
    assert wide.loc[0, "theme:nato"] == pytest.approx(5 / wide.loc[0, "n_tokens"] * 1000)
    with pytest.raises(ValueError):
        feature_table(counts, value="mean")


def test_pronoun_balance_formula():
    m = match_text("We and they and we.\n\nThey said nothing.", layers=["pronoun"])
    paragraphs = m.assign(turn_id=[0, 0, 0, 0])
    tokens = pd.DataFrame({"doc_id": ["text"] * 2, "turn_id": [0, 0], "is_punct": [False, False]})
    balance = pronoun_balance(count_matches(paragraphs, tokens))
    assert balance[["we", "they"]].iloc[0].tolist() == [2, 2]
    assert balance["balance"].iloc[0] == 0.0
    one = pronoun_balance(count_matches(m.iloc[:3], tokens))
    assert one["balance"].iloc[0] == pytest.approx((2 - 1) / 3)


def test_pronoun_balance_of_the_interview(interview):
    balance = pronoun_balance(count_matches(interview["matches"], interview["tokens"], turns=interview["turns"]))
    answers = balance[balance["turn_id"] % 2 == 1]
    assert (answers["we"] > 0).all()
    assert balance["balance"].dropna().between(-1, 1).all()
    assert len(balance) == 12


def test_quote_counts(interview):
    quotes = quote_counts(count_matches(interview["matches"], interview["tokens"], unit="document"))
    assert quotes[["scare_quote", "quotation", "quotes"]].iloc[0].tolist() == [12, 0, 12]


def test_sentence_sentiment_on_real_sentences(interview):
    sentiment = sentence_sentiment(interview["sentences"])
    assert len(sentiment) == len(interview["sentences"])
    assert sentiment["compound"].between(-1, 1).all()
    scores = dict(zip(interview["sentences"]["text"], sentiment["compound"]))
    hostile = next(s for s in scores if s.startswith("It was Washington, with its hostile actions"))
    friends = next(s for s in scores if s.startswith("At the same time, we have friends, allies"))
    assert scores[hostile] < 0 < scores[friends]
    means = mean_sentiment(sentiment)
    manual = sentiment.groupby("turn_id")["compound"].apply(lambda s: float(np.mean(s.to_numpy())))
    assert means.set_index("turn_id")["mean_compound"].to_dict() == pytest.approx(manual.to_dict())
    assert mean_sentiment(sentiment, unit="document")["n_sentences"].iloc[0] == len(sentiment)


def test_actor_evaluations_in_the_same_sentence(interview):
    pairs = actor_evaluations(interview["matches"])
    first = pairs[(pairs["sentence_id"] == 1) & (pairs["actor"] == "United States")]
    assert {"hostile", "arrogant"} <= set(first["word"])
    assert set(first["camp"]) == {"west"}
    sentences = set(zip(pairs["doc_id"], pairs["sentence_id"]))
    actor_sentences = interview["matches"].query("layer == 'actor'")[["doc_id", "sentence_id"]]
    assert sentences <= set(map(tuple, actor_sentences.to_numpy()))
    summary = actor_evaluation_summary(pairs)
    us = summary.set_index("actor").loc["United States"]
    assert us["positive"] + us["negative"] == len(pairs[pairs["actor"] == "United States"])
    assert us["balance"] == pytest.approx((us["positive"] - us["negative"]) / (us["positive"] + us["negative"]))
    assert "hostile" in us["top_negative"]


def test_explain_returns_the_words_and_their_sentences(interview):
    rows = explain(interview["matches"], interview["sentences"], doc_id=DOC, feature="theme:sanctions", turn_id=9)
    assert rows["text"].tolist() == ["sanctions", "sanctions", "sanctions pressure", "sanctions"]
    assert all(t in s for t, s in zip(rows["text"], rows["sentence"]))
    whole_layer = explain(interview["matches"], interview["sentences"], doc_id=DOC, feature="quote")
    assert len(whole_layer) == 12


# --- the scikit-learn transformer --------------------------------------------------------------------

TEXTS = [
    "Washington’s economic sanctions leave the possibility of financing our foreign institutions.",
    "We proceed from the principle of reciprocity, an “eye for an eye”, but not necessarily symmetrically.",
    "NATO expansion and the alliance’s military potential.",
]


def test_vectoriser_follows_the_scikit_learn_contract():
    vec = LexiconVectorizer(layers=["theme", "quote"])
    assert vec.get_params() == {"lexicons": None, "layers": ["theme", "quote"], "per_1000": False}
    assert clone(vec).get_params() == vec.get_params()
    assert vec.fit(TEXTS) is vec
    X = vec.transform(TEXTS)
    assert sparse.issparse(X) and X.shape == (3, len(vec.get_feature_names_out()))
    names = list(vec.get_feature_names_out())
    assert names == sorted(names) and "theme:sanctions" in names and "quote:scare_quote" in names
    dense = pd.DataFrame(X.toarray(), columns=names)
    assert dense.loc[0, "theme:sanctions"] == 1 and dense.loc[1, "theme:reciprocity"] == 2
    assert dense.loc[1, "quote:scare_quote"] == 1
    for i, text in enumerate(TEXTS):
        found = match_text(text, layers=["theme", "quote"])
        assert dense.loc[i].sum() == len(found)


def test_vectoriser_agrees_with_countvectorizer_on_single_words():
    words = ["sanctions", "embargo", "reciprocity", "nato"]
    entries = pd.DataFrame({"layer": "theme", "label": words, "pattern": words, "match": "form"})
    texts = ["Sanctions, sanctions and an embargo.", "NATO, nato, reciprocity!", "Nothing here."]
    ours = LexiconVectorizer(lexicons=entries, layers=["theme"]).fit(texts)
    reference = CountVectorizer(vocabulary=sorted(words), lowercase=True)
    X_ours = pd.DataFrame(ours.transform(texts).toarray(), columns=ours.get_feature_names_out())
    X_ref = pd.DataFrame(reference.transform(texts).toarray(), columns=reference.get_feature_names_out())
    for word in words:
        assert X_ours[f"theme:{word}"].tolist() == X_ref[word].tolist()


def test_vectoriser_in_a_pipeline_and_as_rates():
    labels = [1, 0, 1]
    model = make_pipeline(LexiconVectorizer(layers=["theme"]), LogisticRegression())
    model.fit(TEXTS, labels)
    assert model.predict(TEXTS).shape == (3,)
    rates = LexiconVectorizer(layers=["theme"], per_1000=True).fit(TEXTS)
    X = pd.DataFrame(rates.transform(TEXTS[:1]).toarray(), columns=rates.get_feature_names_out())
    # 12 non-punctuation tokens: Washington ’s economic sanctions leave the possibility of financing our ...
    assert X.loc[0, "theme:sanctions"] == pytest.approx(1000 / 12)
    with pytest.raises(ValueError):
        rates.transform("one string")


def test_vectoriser_must_be_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LexiconVectorizer().transform(TEXTS)
