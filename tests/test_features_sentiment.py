"""Sentence sentiment with names masked, mean intervals, and pooled rates with intervals."""

from __future__ import annotations

import string

import numpy as np
import pandas as pd
import pytest
from scipy.stats import poisson
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis.features import (
    FIXED_NAMES,
    actor_sentiment,
    mask_sentences,
    mean_intervals,
    pooled_rates,
    sentence_sentiment,
    sentiment_mask,
)
from analysis.lexicon import match_text
from analysis.stats import bootstrap_mean, bootstrap_rate

VADER = SentimentIntensityAnalyzer()


def one_sentence(text: str) -> pd.DataFrame:
    return pd.DataFrame({"doc_id": ["text"], "turn_id": [0], "sentence_id": [0], "start": [0],
                         "end": [len(text)], "text": [text]})


def compound(text: str) -> float:
    return VADER.polarity_scores(text)["compound"]


@pytest.fixture(scope="module")
def interview(interview_tables):
    return interview_tables


# ------------------------------------------------------------------------------ the mask


def test_a_sentence_naming_the_united_states_is_no_longer_positive_for_the_name():
    text = "The United States announced new measures on Tuesday."
    sentences, matches = one_sentence(text), match_text(text)
    raw = sentence_sentiment(sentences)["compound"].iloc[0]
    assert raw == pytest.approx(compound(text)) and raw > 0  # "united" is +1.8 in VADER's lexicon
    masked = sentence_sentiment(sentences, mask=sentiment_mask(matches))
    assert masked["compound"].iloc[0] == 0.0
    # VADER itself on the text with the name removed, and with one placeholder per word
    assert masked["compound"].iloc[0] == compound("The announced new measures on Tuesday.")
    assert masked.iloc[0][["neg", "neu", "pos", "compound"]].tolist() == pytest.approx(
        list(VADER.polarity_scores("The _ _ announced new measures on Tuesday.").values()))


@pytest.mark.parametrize("text, without_names", [
    ("Washington's hostile actions brought Russian-American relations to a deadlock, but we remain open "
     "to an honest dialogue with the United States.",
     "hostile actions brought relations to a deadlock, but we remain open to an honest dialogue with the."),
    ("The special military operation will continue until the United Nations listens.",
     "The will continue until the listens."),
    ("Canada and the United Kingdom have chosen a path of confrontation.",
     "and the have chosen a path of confrontation."),
])
def test_masking_removes_only_the_names_contribution(text, without_names):
    sentences, matches = one_sentence(text), match_text(text)
    masked = sentence_sentiment(sentences, mask=sentiment_mask(matches))["compound"].iloc[0]
    assert masked == pytest.approx(compound(without_names))
    assert masked != pytest.approx(compound(text)) or not any(
        word.lower() in VADER.lexicon for word in text.replace("-", " ").split())


def test_the_mask_is_the_actor_layer_and_the_fixed_names_only():
    text = "The special military operation protects Donbass from the hostile West and the United States."
    spans = sentiment_mask(match_text(text))
    assert spans["text"].tolist() == ["special military operation", "Donbass", "West", "United States"]
    assert set(spans["layer"]) == {"theme", "actor"}
    assert "special military operation" in FIXED_NAMES
    assert sentiment_mask(match_text(text), names=())["text"].tolist() == ["Donbass", "West", "United States"]
    masked = mask_sentences(one_sentence(text), spans)["text"].iloc[0]
    assert masked == "The _ _ _ protects _ from the hostile _ and the _ _."


def test_mask_sentences_merges_overlapping_spans_and_keeps_rows_and_offsets():
    text = "Russian-American relations are at their lowest point."
    sentences = pd.concat([one_sentence("Nothing here."), one_sentence(text).assign(sentence_id=1, start=14,
                                                                                   end=14 + len(text))])
    spans = pd.DataFrame({"doc_id": "text", "sentence_id": 1, "start": [14, 14, 22], "end": [21, 30, 30]})
    masked = mask_sentences(sentences, spans)
    assert masked["text"].tolist() == ["Nothing here.", "_ relations are at their lowest point."]
    assert masked[["sentence_id", "start", "end"]].equals(sentences[["sentence_id", "start", "end"]])
    with pytest.raises(ValueError, match="lacks the column"):
        mask_sentences(sentences, spans.drop(columns="sentence_id"))


def test_on_the_interview_only_sentences_with_a_scored_name_change(interview):
    """Independently: VADER on each sentence with its masked words' valences known from VADER's lexicon."""
    sentences, matches = interview["sentences"], interview["matches"]
    spans = sentiment_mask(matches)
    raw = sentence_sentiment(sentences)
    masked = sentence_sentiment(sentences, mask=spans)
    assert masked[["doc_id", "turn_id", "sentence_id"]].equals(raw[["doc_id", "turn_id", "sentence_id"]])
    changed = 0
    for row, before, after in zip(sentences.itertuples(), raw["compound"], masked["compound"]):
        mine = matches[(matches["sentence_id"] == row.sentence_id)
                       & (matches["layer"].eq("actor") | matches["pattern"].str.lower().isin(FIXED_NAMES))]
        text = row.text
        for match in mine.sort_values("start", ascending=False).itertuples():
            start, end = match.start - row.start, match.end - row.start
            text = text[:start] + " ".join("_" for _ in text[start:end].split()) + text[end:]
        assert after == pytest.approx(compound(text))
        words = {w.strip(string.punctuation).lower() for m in mine["text"] for w in m.replace("-", " ").split()}
        if not words & set(VADER.lexicon):
            assert after == pytest.approx(before)
        changed += after != pytest.approx(before)
    assert changed > 0
    assert set(masked["compound"].round(12)) != set(raw["compound"].round(12))


# ------------------------------------------------------------------------------ mean intervals


def test_mean_intervals_are_the_group_means_with_bootstrap_mean_intervals(interview):
    scores = actor_sentiment(sentence_sentiment(interview["sentences"]), interview["matches"])
    table = mean_intervals(scores, by="actor", n_boot=500, seed=3)
    for row in table.itertuples():
        values = scores.loc[scores["actor"] == row.actor, "compound"].to_numpy()
        assert row.n_sentences == len(values)
        assert row.mean == pytest.approx(float(np.mean(values)))
        assert (row.ci_low, row.ci_high) == pytest.approx(bootstrap_mean(values, n_boot=500, seed=3)[1:])
        assert row.ci_low <= row.mean <= row.ci_high
    clustered = mean_intervals(scores.assign(doc_id=scores["turn_id"]), by="camp", cluster="doc_id")
    assert {"n_clusters"} <= set(clustered.columns)
    assert (clustered["n_clusters"] <= clustered["n_sentences"]).all()


# ------------------------------------------------------------------------------ pooled rates with intervals


def counts_table() -> pd.DataFrame:
    return pd.DataFrame({"doc_id": list("aabbcc"), "group": ["x", "x", "x", "x", "y", "y"],
                         "layer": "hedge", "label": ["hedge", "other"] * 3,
                         "count": [1, 0, 9, 3, 4, 2], "n_tokens": [100, 100, 900, 900, 400, 400]})


def test_pooled_rates_poisson_interval_is_exact():
    table = pooled_rates(counts_table(), by="group", level="layer", interval="poisson")
    for row in table.itertuples():
        # the exact bounds leave 2.5 % of a Poisson distribution on each side of the count
        low_mu, high_mu = row.ci_low * row.n_tokens / 1000, row.ci_high * row.n_tokens / 1000
        assert poisson.sf(row.count - 1, low_mu) == pytest.approx(0.025)
        assert poisson.cdf(row.count, high_mu) == pytest.approx(0.025)


def test_pooled_rates_bootstrap_interval_resamples_the_units():
    counts = counts_table()
    table = pooled_rates(counts, by="group", interval="bootstrap", n_boot=400, seed=5)
    row = table[(table["group"] == "x") & (table["label"] == "other")].iloc[0]
    _, low, high = bootstrap_rate([0, 3], [100, 900], per=1000, n_boot=400, seed=5)
    assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
    assert row.ci_low <= row.per_1000 <= row.ci_high
    whole = pooled_rates(counts, interval="bootstrap", n_boot=400, seed=5)  # one group of all units
    row = whole[whole["label"] == "hedge"].iloc[0]
    assert (row.ci_low, row.ci_high) == pytest.approx(
        bootstrap_rate([1, 9, 4], [100, 900, 400], per=1000, n_boot=400, seed=5)[1:])
    with pytest.raises(ValueError, match="interval"):
        pooled_rates(counts, interval="normal")
