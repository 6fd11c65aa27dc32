"""Features per turn and per document: lexicon counts and rates, pronoun balance, sentiment, actor evaluations."""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .lexicon import BLOCK_LABEL, CompiledLexicon, actor_camps, compiled_lexicon, match_text

UNIT_KEYS = {"turn": ["doc_id", "turn_id"], "document": ["doc_id"]}
QUOTE_LABELS = ("quotation", "scare_quote")
COUNT_COLUMNS = ["layer", "label", "feature", "count", "n_tokens", "per_1000"]


def feature_name(layer: str, label: str) -> str:
    """The column name of a layer's label in a feature table: ``"theme:sanctions"``."""
    return f"{layer}:{label}"


def split_feature(feature: str) -> tuple[str, str]:
    """``"theme:sanctions"`` -> ``("theme", "sanctions")``."""
    layer, sep, label = feature.partition(":")
    if not sep or not layer or not label:
        raise ValueError(f"a feature is named 'layer:label', not {feature!r}")
    return layer, label


def _keys(unit: str) -> list[str]:
    if unit not in UNIT_KEYS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_KEYS)}, not {unit!r}")
    return UNIT_KEYS[unit]


def word_counts(tokens: pd.DataFrame, *, turns: pd.DataFrame | None = None, unit: str = "turn") -> pd.DataFrame:
    """Tokens per unit that are not punctuation (the base of every rate), zero for units without any.

    Units come from ``turns`` when given (so empty turns are kept), else from ``tokens``.
    """
    keys = _keys(unit)
    words = tokens[~tokens["is_punct"].astype(bool)]
    counted = words.groupby(keys, sort=True).size().rename("n_tokens").reset_index()
    units = (turns if turns is not None else tokens)[keys].drop_duplicates()
    result = units.merge(counted, on=keys, how="left")
    result["n_tokens"] = result["n_tokens"].fillna(0).astype("int64")
    return result.sort_values(keys, kind="stable", ignore_index=True)


def count_matches(
    matches: pd.DataFrame,
    tokens: pd.DataFrame,
    *,
    turns: pd.DataFrame | None = None,
    unit: str = "turn",
    features: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Counts and rates per 1,000 tokens of every layer and label, one row per unit and feature.

    Every unit gets a row for every feature seen anywhere in ``matches`` (plus any named in
    ``features``), with a count of 0 where it has none. ``per_1000 = count / n_tokens * 1000``,
    the normalised frequency of Biber, Conrad & Reppen (1998, *Corpus Linguistics*, p. 263),
    with ``n_tokens`` the unit's non-punctuation tokens (NaN for a unit without tokens).

    >>> c = count_matches(matches, tokens, unit="document")            # doctest: +SKIP
    >>> c.query("feature == 'theme:sanctions'")[["doc_id", "count", "per_1000"]]  # doctest: +SKIP
    """
    keys = _keys(unit)
    bases = word_counts(tokens, turns=turns, unit=unit)
    seen = matches[["layer", "label"]].drop_duplicates()
    wanted = pd.DataFrame([split_feature(f) for f in (features or [])], columns=["layer", "label"])
    grid = pd.concat([seen, wanted], ignore_index=True).drop_duplicates()
    grid = grid.sort_values(["layer", "label"], kind="stable", ignore_index=True)
    counted = matches.groupby(keys + ["layer", "label"], sort=True).size().rename("count").reset_index()
    units = pd.concat([bases[keys], counted[keys]], ignore_index=True).drop_duplicates()
    full = units.merge(grid, how="cross").merge(counted, on=keys + ["layer", "label"], how="left")
    full["count"] = full["count"].fillna(0).astype("int64")
    full = full.merge(bases, on=keys, how="left")
    full["n_tokens"] = full["n_tokens"].fillna(0).astype("int64")
    full["feature"] = [feature_name(a, b) for a, b in zip(full["layer"], full["label"])]
    with np.errstate(divide="ignore", invalid="ignore"):
        full["per_1000"] = np.where(full["n_tokens"] > 0, full["count"] / full["n_tokens"] * 1000.0, np.nan)
    full = full.sort_values(keys + ["layer", "label"], kind="stable", ignore_index=True)
    return full[keys + COUNT_COLUMNS]


def feature_table(counts: pd.DataFrame, *, value: str = "count") -> pd.DataFrame:
    """A wide table from :func:`count_matches`: one row per unit, one column per feature.

    ``value`` is ``"count"`` or ``"per_1000"``; columns are sorted by name, and ``n_tokens``
    comes first.
    """
    if value not in ("count", "per_1000"):
        raise ValueError(f"value must be 'count' or 'per_1000', not {value!r}")
    keys = [key for key in ("doc_id", "turn_id") if key in counts.columns]
    wide = counts.pivot_table(index=keys, columns="feature", values=value, aggfunc="first", sort=True)
    wide.columns.name = None
    if value == "count":
        wide = wide.fillna(0).astype("int64")
    bases = counts.groupby(keys, sort=True)["n_tokens"].first()
    wide.insert(0, "n_tokens", bases.astype("int64"))
    return wide.reset_index()


def pronoun_balance(counts: pd.DataFrame) -> pd.DataFrame:
    """We/they balance per unit from :func:`count_matches` (pronoun layer).

    ``balance = (we - they) / (we + they)`` in [-1, 1], where ``we`` counts first person plural
    and ``they`` third person plural pronouns (the categories of Pennebaker 2011, *The Secret
    Life of Pronouns*); NaN when a unit has neither. The normalised difference is this
    package's own summary, not a published index.
    """
    keys = [key for key in ("doc_id", "turn_id") if key in counts.columns]
    pronouns = counts[counts["layer"] == "pronoun"]
    per_label = pronouns.pivot_table(index=keys, columns="label", values="count", aggfunc="sum", sort=True)
    units = counts[keys].drop_duplicates().set_index(keys).sort_index()
    we = per_label["first_plural"] if "first_plural" in per_label else pd.Series(dtype="int64")
    they = per_label["third_plural"] if "third_plural" in per_label else pd.Series(dtype="int64")
    result = units.assign(we=we.reindex(units.index).fillna(0).astype("int64"),
                          they=they.reindex(units.index).fillna(0).astype("int64"))
    total = result["we"] + result["they"]
    result["balance"] = np.where(total > 0, (result["we"] - result["they"]) / total.where(total > 0, 1), np.nan)
    return result.reset_index()


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentence_sentiment(sentences: pd.DataFrame) -> pd.DataFrame:
    """VADER scores of every sentence: ``neg``, ``neu``, ``pos`` and ``compound`` in [-1, 1].

    Hutto, C. J. & Gilbert, E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment
    Analysis of Social Media Text. ICWSM. The full VADER model is used (with its rules for
    negation, intensifiers and "but"), not the filtered word list of the evaluation layer.
    """
    analyzer = _vader()
    scores = [analyzer.polarity_scores(text) for text in sentences["text"]]
    frame = pd.DataFrame(scores, columns=["neg", "neu", "pos", "compound"], index=sentences.index, dtype="float64")
    keys = sentences[["doc_id", "turn_id", "sentence_id"]]
    return pd.concat([keys, frame], axis=1).reset_index(drop=True)


def mean_sentiment(sentiment: pd.DataFrame, *, unit: str = "turn") -> pd.DataFrame:
    """Mean VADER compound score and the number of sentences per unit (from :func:`sentence_sentiment`)."""
    keys = _keys(unit)
    grouped = sentiment.groupby(keys, sort=True)["compound"]
    return grouped.agg(n_sentences="size", mean_compound="mean").reset_index()


def quote_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Quotes per unit from :func:`count_matches`: scare quotes, quotations and their total."""
    keys = [key for key in ("doc_id", "turn_id") if key in counts.columns]
    units = counts[keys].drop_duplicates().set_index(keys).sort_index()
    quotes = counts[counts["layer"] == "quote"].pivot_table(
        index=keys, columns="label", values="count", aggfunc="sum", sort=True)
    for label in QUOTE_LABELS:
        column = quotes[label] if label in quotes else pd.Series(dtype="int64")
        units[label] = column.reindex(units.index).fillna(0).astype("int64")
    units["quotes"] = units[list(QUOTE_LABELS)].sum(axis=1).astype("int64")
    return units.reset_index()


def actor_evaluations(matches: pd.DataFrame, *, camps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pair of an actor mention and an evaluative word in the same sentence.

    Columns: ``doc_id, turn_id, sentence_id, actor, camp, actor_start, word, evaluation,
    word_start``; ``evaluation`` is ``positive`` or ``negative``. Co-occurrence in a sentence
    says nothing about who evaluates whom: read the sentences (:func:`explain`) before
    concluding.
    """
    keys = ["doc_id", "sentence_id"]
    actors = matches[matches["layer"] == "actor"][keys + ["turn_id", "label", "start"]].rename(
        columns={"label": "actor", "start": "actor_start"})
    words = matches[matches["layer"] == "evaluation"][keys + ["text", "label", "start"]].rename(
        columns={"text": "word", "label": "evaluation", "start": "word_start"})
    pairs = actors.merge(words, on=keys, how="inner")
    camp_table = actor_camps() if camps is None else camps
    pairs = pairs.merge(camp_table, on="actor", how="left")
    pairs["camp"] = pairs["camp"].fillna("").astype(str)
    pairs["word"] = pairs["word"].str.lower()
    columns = ["doc_id", "turn_id", "sentence_id", "actor", "camp", "actor_start", "word", "evaluation", "word_start"]
    return pairs[columns].sort_values(["doc_id", "actor_start", "word_start"], kind="stable", ignore_index=True)


def actor_evaluation_summary(pairs: pd.DataFrame, *, top: int = 5) -> pd.DataFrame:
    """Per actor: positive and negative co-occurring words, their balance and the most frequent words.

    ``balance = (positive - negative) / (positive + negative)``; ``top_positive`` and
    ``top_negative`` list the ``top`` commonest words with their counts (ties by word).
    """
    rows = []
    for (actor, camp), group in pairs.groupby(["actor", "camp"], sort=True):
        counts = {label: group[group["evaluation"] == label]["word"].value_counts() for label in ("positive", "negative")}
        positive, negative = int(counts["positive"].sum()), int(counts["negative"].sum())
        tops = {}
        for label, series in counts.items():
            ordered = sorted(series.items(), key=lambda item: (-item[1], item[0]))[:top]
            tops[label] = ", ".join(f"{word} ({n})" for word, n in ordered)
        rows.append({
            "actor": actor, "camp": camp, "positive": positive, "negative": negative,
            "balance": (positive - negative) / (positive + negative) if positive + negative else np.nan,
            "top_positive": tops["positive"], "top_negative": tops["negative"],
        })
    columns = ["actor", "camp", "positive", "negative", "balance", "top_positive", "top_negative"]
    return pd.DataFrame(rows, columns=columns)


def explain(
    matches: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    doc_id: str,
    feature: str,
    turn_id: int | None = None,
) -> pd.DataFrame:
    """The match rows behind one cell of a feature table, each with its sentence.

    ``feature`` is a column name of :func:`feature_table` (``"theme:sanctions"``) or a whole
    layer (``"theme"``); ``turn_id=None`` means the whole document. The number of rows equals
    the cell's count.

    >>> explain(corpus.matches, corpus.sentences, doc_id="darchiev-interfax",
    ...         feature="theme:sanctions", turn_id=9)                 # doctest: +SKIP
    """
    layer, _, label = feature.partition(":")
    chosen = (matches["doc_id"] == doc_id) & (matches["layer"] == layer)
    if label:
        chosen &= matches["label"] == label
    if turn_id is not None:
        chosen &= matches["turn_id"] == turn_id
    rows = matches[chosen]
    context = sentences[sentences["doc_id"] == doc_id][["doc_id", "sentence_id", "text"]].rename(
        columns={"text": "sentence"})
    explained = rows.merge(context, on=["doc_id", "sentence_id"], how="left")
    return explained.sort_values(["start", "end"], kind="stable", ignore_index=True)


class LexiconVectorizer(TransformerMixin, BaseEstimator):
    """Turn raw texts into lexicon counts, so the lexicons plug into scikit-learn pipelines.

    Each text is tokenised and matched with :func:`analysis.lexicon.match_text` (one paragraph
    per blank-line-separated block). ``lexicons`` is None (the packaged lexicons), an entries
    table or a path; ``layers`` keeps only those layers; ``per_1000=True`` gives rates per
    1,000 non-punctuation tokens instead of counts. ``transform`` returns a sparse CSR matrix
    (convert with ``.toarray()``); columns are ``get_feature_names_out()``, e.g. ``theme:nato``.

    >>> vec = LexiconVectorizer(layers=["theme"]).fit(["NATO expansion"])
    >>> X = vec.transform(["Sanctions, sanctions and NATO."])
    >>> dict(zip(vec.get_feature_names_out(), X.toarray()[0]))["theme:sanctions"]
    np.float64(2.0)
    """

    def __init__(self, lexicons=None, layers: Sequence[str] | None = None, per_1000: bool = False):
        self.lexicons = lexicons
        self.layers = layers
        self.per_1000 = per_1000

    def fit(self, X=None, y=None):
        """Compile the lexicons and fix the feature names (the texts are not needed)."""
        layers = list(self.layers) if self.layers is not None else None
        compiled = compiled_lexicon(self.lexicons, layers=layers)
        entries = compiled.entries[compiled.entries["label"] != BLOCK_LABEL]
        names = {feature_name(a, b) for a, b in zip(entries["layer"], entries["label"])}
        if layers is None or "quote" in layers:
            names |= {feature_name("quote", label) for label in QUOTE_LABELS}
        self.compiled_: CompiledLexicon = compiled
        self.feature_names_ = np.array(sorted(names), dtype=object)
        return self

    def transform(self, X) -> sparse.csr_matrix:
        """A (texts x features) sparse matrix of counts (or rates with ``per_1000=True``)."""
        check_is_fitted(self, "compiled_")
        if isinstance(X, str):
            raise ValueError("expected an iterable of texts, not one string")
        column = {name: i for i, name in enumerate(self.feature_names_)}
        layers = list(self.layers) if self.layers is not None else None
        texts = [str(text) for text in X]
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            found = match_text(text, lexicons=self.compiled_, layers=layers)
            names = [feature_name(a, b) for a, b in zip(found["layer"], found["label"])]
            counted = pd.Series(names, dtype=object).value_counts()
            scale = 1.0
            if self.per_1000:
                n_words = _word_count(text)
                scale = 1000.0 / n_words if n_words else 0.0
            for name, n in counted.items():
                if name in column:
                    rows.append(row)
                    cols.append(column[name])
                    values.append(n * scale)
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(column)), dtype=np.float64)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The feature names, ``layer:label``, in column order."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()


def _word_count(text: str) -> int:
    from .nlp import get_pipeline

    return sum(1 for tok in get_pipeline().tokenizer(text) if not tok.is_space and not tok.is_punct)
