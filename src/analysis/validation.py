"""Validate the theme lexicon against sentences coded by hand: precision, recall and coder agreement.

A coded sample is a CSV in ``lexicons/validation/`` with one row per sentence (``doc_id``,
``sentence_id``, ``turn_id``, ``role``, ``start``, ``end``, ``text``), one 0/1 column per theme
(the reference coding) and, where the sample was coded twice, a ``<theme>_recode`` column per
theme. Its coding rules are the Markdown file beside it.

>>> sample = load_coded_sample()                                   # doctest: +SKIP
>>> lexicon_scores(sample, corpus.matches)                          # doctest: +SKIP
>>> recode_agreement(sample)                                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from .config import LEXICON_DIR
from .stats import cohen_kappa, wilson_interval

VALIDATION_DIR = LEXICON_DIR / "validation"
"""Where the package keeps its hand-coded samples and their coding rules."""
DEFAULT_SAMPLE = "darchiev-themes.csv"
THEMES = ("sanctions", "nato", "reciprocity")
"""The themes coded by hand; each is compared with the lexicon label of the same name by default."""
SAMPLE_COLUMNS = ["doc_id", "sentence_id", "turn_id", "role", "start", "end", "text"]
SCORE_COLUMNS = [
    "theme", "labels", "n_sentences", "coded", "found", "both",
    "precision", "precision_low", "precision_high", "recall", "recall_low", "recall_high",
]


def load_coded_sample(path: str | Path | None = None) -> pd.DataFrame:
    """A hand-coded sample as a table (the package's interview sample by default).

    Checks that it has the sentence columns and a 0/1 column per theme in :data:`THEMES`.

    >>> load_coded_sample()[["sentence_id", "sanctions", "nato", "reciprocity"]].head(2)  # doctest: +SKIP
    """
    path = Path(path) if path is not None else VALIDATION_DIR / DEFAULT_SAMPLE
    sample = pd.read_csv(path, dtype={"doc_id": str}, keep_default_na=False)
    missing = [c for c in SAMPLE_COLUMNS + list(THEMES) if c not in sample.columns]
    if missing:
        raise ValueError(f"{path}: a coded sample needs the columns {missing}")
    codes = [c for c in sample.columns if c in THEMES or c.endswith("_recode")]
    for column in codes:
        if not sample[column].isin([0, 1]).all():
            raise ValueError(f"{path}: column {column!r} must hold only 0 and 1")
    return sample


def lexicon_flags(sample: pd.DataFrame, matches: pd.DataFrame, labels: Sequence[str]) -> pd.Series:
    """For each sentence of ``sample``, whether the theme layer of ``matches`` has any of ``labels`` in it.

    >>> lexicon_flags(sample, corpus.matches, ["sanctions"]).sum()  # doctest: +SKIP
    """
    hits = matches[(matches["layer"] == "theme") & matches["label"].isin(list(labels))]
    keys = set(zip(hits["doc_id"], hits["sentence_id"]))
    return pd.Series([(d, s) in keys for d, s in zip(sample["doc_id"], sample["sentence_id"])],
                     index=sample.index, dtype=bool)


def lexicon_scores(
    sample: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    labels: Mapping[str, Sequence[str]] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Precision and recall of the lexicon against the hand codes, per theme, with Wilson intervals.

    A sentence is *found* when the lexicon matches one of the theme's ``labels`` in it (by
    default the label named as the theme; ``labels={"reciprocity": ["reciprocity",
    "mutuality"]}`` widens one theme), and *coded* when the hand coding says 1. Precision is
    ``both / found`` and recall ``both / coded``, each with its :func:`~analysis.stats.wilson_interval`;
    the counts stand beside them. :func:`score_theme` gives one such row for any theme and labels.

    >>> lexicon_scores(sample, corpus.matches)[["theme", "both", "found", "coded"]]  # doctest: +SKIP
    """
    labels = dict(labels or {})
    rows = [score_theme(sample, matches, theme, labels.get(theme, [theme]), level=level) for theme in THEMES]
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def score_theme(
    sample: pd.DataFrame, matches: pd.DataFrame, theme: str, labels: Sequence[str], *, level: float = 0.95
) -> dict:
    """One row of :func:`lexicon_scores`: the hand codes of ``theme`` against the lexicon ``labels``.

    >>> score_theme(sample, corpus.matches, "reciprocity", ["reciprocity", "mutuality"])  # doctest: +SKIP
    """
    coded = sample[theme].astype(bool)
    found = lexicon_flags(sample, matches, labels)
    both = int((coded & found).sum())
    n_found, n_coded = int(found.sum()), int(coded.sum())
    p_low, p_high = wilson_interval(both, n_found, level=level)
    r_low, r_high = wilson_interval(both, n_coded, level=level)
    return {
        "theme": theme, "labels": " + ".join(labels), "n_sentences": len(sample),
        "coded": n_coded, "found": n_found, "both": both,
        "precision": both / n_found if n_found else float("nan"), "precision_low": p_low, "precision_high": p_high,
        "recall": both / n_coded if n_coded else float("nan"), "recall_low": r_low, "recall_high": r_high,
    }


def disagreements(
    sample: pd.DataFrame, matches: pd.DataFrame, *, labels: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """The sentences where the lexicon and the hand coding disagree, with what the lexicon matched.

    One row per theme and sentence: ``kind`` is ``missed`` (coded, not found) or ``extra``
    (found, not coded); ``matched`` lists the lexicon's matched words for the theme's labels
    in the sentence, ``other_labels`` the other theme labels it found there (what the
    lexicon made of a missed sentence); ``note`` is the coder's note, where there is one.

    >>> disagreements(sample, corpus.matches)[["theme", "kind", "sentence_id"]]  # doctest: +SKIP
    """
    labels = dict(labels or {})
    themes = matches[matches["layer"] == "theme"]
    rows = []
    for theme in THEMES:
        names = list(labels.get(theme, [theme]))
        found = lexicon_flags(sample, matches, names)
        coded = sample[theme].astype(bool)
        hits = themes[themes["label"].isin(names)]
        words = hits.groupby(["doc_id", "sentence_id"])["text"].agg(" | ".join)
        others = themes[~themes["label"].isin(names)].groupby(["doc_id", "sentence_id"])["label"].agg(
            lambda found: ", ".join(sorted(set(found))))
        for index in sample.index[coded != found]:
            row = sample.loc[index]
            rows.append({
                "theme": theme, "kind": "missed" if coded[index] else "extra",
                "sentence_id": int(row["sentence_id"]), "turn_id": int(row["turn_id"]), "role": row["role"],
                "matched": words.get((row["doc_id"], row["sentence_id"]), ""),
                "other_labels": others.get((row["doc_id"], row["sentence_id"]), ""),
                "note": row["note"] if "note" in sample.columns else "", "text": row["text"],
            })
    columns = ["theme", "kind", "sentence_id", "turn_id", "role", "matched", "other_labels", "note", "text"]
    return pd.DataFrame(rows, columns=columns)


def recode_agreement(sample: pd.DataFrame) -> pd.DataFrame:
    """Agreement between the first coding and the blind re-coding of each theme.

    Columns: ``theme``, ``n`` (sentences), ``coded_first``, ``coded_second`` (sentences coded 1
    each time), ``agree`` (share coded alike) and ``kappa`` (:func:`~analysis.stats.cohen_kappa`).

    >>> recode_agreement(load_coded_sample())  # doctest: +SKIP
    """
    rows = []
    for theme in THEMES:
        first, second = sample[theme].to_numpy(), sample[f"{theme}_recode"].to_numpy()
        rows.append({"theme": theme, "n": len(sample), "coded_first": int(first.sum()),
                     "coded_second": int(second.sum()), "agree": float((first == second).mean()),
                     "kappa": cohen_kappa(first, second)})
    return pd.DataFrame(rows)


def format_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """:func:`lexicon_scores` as a table to read: ``both/found = precision (low–high)`` and the same for recall.

    >>> format_scores(lexicon_scores(sample, corpus.matches))  # doctest: +SKIP
    """
    def cell(k: int, n: int, value: float, low: float, high: float) -> str:
        return f"{k}/{n} = {value:.2f} ({low:.2f}–{high:.2f})" if n else f"{k}/{n} (undefined)"

    return pd.DataFrame({
        "theme": scores["theme"],
        "lexicon labels": scores["labels"],
        "sentences": scores["n_sentences"],
        "precision (95 % CI)": [cell(r.both, r.found, r.precision, r.precision_low, r.precision_high)
                                for r in scores.itertuples()],
        "recall (95 % CI)": [cell(r.both, r.coded, r.recall, r.recall_low, r.recall_high)
                             for r in scores.itertuples()],
    })
