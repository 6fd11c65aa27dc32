"""Term-count Series for keyness: any subset of the corpus tables and the two reference lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

#: Nominal size (in tokens) of the general-English reference built from ``wordfreq``.
WORDFREQ_CORPUS_SIZE = 1_000_000_000


def _values(value) -> list:
    """A filter value as a list: a scalar (a string counts as one) becomes a one-item list."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def select_tokens(
    tokens: pd.DataFrame,
    turns: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
    *,
    role: str | Iterable[str] | None = None,
    speaker: str | Iterable[str] | None = None,
    country: str | Iterable[str] | None = None,
    year: int | Iterable[int] | None = None,
    year_range: tuple[int, int] | None = None,
    doc_id: str | Iterable[str] | None = None,
    kind: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``tokens`` in the selected part of the corpus (index and order kept).

    Every filter takes one value or a collection of values; filters combine with
    AND. ``role`` and ``speaker`` are the turn's (``turns`` table, joined on
    ``doc_id, turn_id``); ``country``, ``year``, ``kind`` are the document's
    (``documents`` table, joined on ``doc_id``); ``year_range=(first, last)`` is
    inclusive. Values are compared exactly as stored in the tables; a document
    with an unknown year never matches a year filter. Example::

        answers = select_tokens(corpus.tokens, corpus.turns, corpus.documents,
                                role="answer", doc_id="darchiev-interfax")
    """
    mask = np.ones(len(tokens), dtype=bool)
    if doc_id is not None:
        mask &= tokens["doc_id"].isin(_values(doc_id)).to_numpy(dtype=bool)

    turn_filters = {"role": role, "speaker": speaker}
    if any(v is not None for v in turn_filters.values()):
        if turns is None:
            raise ValueError("selecting by role or speaker needs the turns table")
        chosen = np.ones(len(turns), dtype=bool)
        for column, value in turn_filters.items():
            if value is not None:
                chosen &= turns[column].isin(_values(value)).to_numpy(dtype=bool, na_value=False)
        keys = pd.MultiIndex.from_frame(turns.loc[chosen, ["doc_id", "turn_id"]])
        mask &= pd.MultiIndex.from_frame(tokens[["doc_id", "turn_id"]]).isin(keys)

    doc_filters = {"country": country, "year": year, "kind": kind}
    if any(v is not None for v in doc_filters.values()) or year_range is not None:
        if documents is None:
            raise ValueError("selecting by country, year or kind needs the documents table")
        chosen = np.ones(len(documents), dtype=bool)
        for column, value in doc_filters.items():
            if value is not None:
                chosen &= documents[column].isin(_values(value)).to_numpy(dtype=bool, na_value=False)
        if year_range is not None:
            first, last = year_range
            years = pd.to_numeric(documents["year"], errors="coerce")
            chosen &= ((years >= first) & (years <= last)).to_numpy(dtype=bool, na_value=False)
        mask &= tokens["doc_id"].isin(documents.loc[chosen, "doc_id"]).to_numpy(dtype=bool)
    return tokens[mask]


def term_counts(
    tokens: pd.DataFrame,
    *,
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    stop_words: bool | Iterable[str] = False,
) -> pd.Series:
    """Count the terms of a tokens table: a Series (index ``term``, name ``count``).

    Terms are the ``by`` column (lower-cased form by default, or the lemma);
    only alphabetic tokens are counted unless ``alpha_only=False``; stop words
    are dropped with ``stop_words=True`` (the tokens' ``is_stop`` flag, spaCy's
    English list) or a collection of words. Sorted by count (descending), then
    term. The sum of the Series is the corpus size to use for keyness.

    >>> import pandas as pd
    >>> tokens = pd.DataFrame({"lower": ["sanctions", ",", "sanctions", "again"],
    ...                        "is_alpha": [True, False, True, True]})
    >>> term_counts(tokens).to_dict()
    {'sanctions': 2, 'again': 1}
    """
    missing = [c for c in [by] + (["is_alpha"] if alpha_only else []) + (["is_stop"] if stop_words is True else [])
               if c not in tokens.columns]
    if missing:
        raise ValueError(f"the tokens table lacks column(s) {missing}")
    keep = np.ones(len(tokens), dtype=bool)
    if alpha_only:
        keep &= tokens["is_alpha"].to_numpy(dtype=bool)
    if stop_words is True:
        keep &= ~tokens["is_stop"].to_numpy(dtype=bool)
    elif stop_words:
        keep &= ~tokens[by].isin(set(stop_words)).to_numpy(dtype=bool)
    counts = tokens.loc[keep, by].value_counts(sort=False)
    return _tidy(counts)


def _tidy(counts: pd.Series) -> pd.Series:
    """Index ``term``, name ``count``, int64, sorted by count (descending) then term."""
    counts = counts.astype("int64")
    counts.index = counts.index.astype(object)
    frame = pd.DataFrame({"term": counts.index, "count": counts.to_numpy()})
    frame = frame.sort_values(["count", "term"], ascending=[False, True], kind="stable")
    return pd.Series(frame["count"].to_numpy(), index=pd.Index(frame["term"], name="term"), name="count")


def subset_term_counts(
    tokens: pd.DataFrame,
    turns: pd.DataFrame | None = None,
    documents: pd.DataFrame | None = None,
    *,
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    stop_words: bool | Iterable[str] = False,
    **selection,
) -> pd.Series:
    """:func:`term_counts` of the tokens that :func:`select_tokens` picks with ``selection``.

    Example (the interview's answers against Russia's statements)::

        tables = corpus.tokens, corpus.turns, corpus.documents
        answers = subset_term_counts(*tables, role="answer", doc_id="darchiev-interfax")
        russia = subset_term_counts(*tables, kind="speech", country="Russia", year_range=(1992, 2024))
        keyness(answers, russia)
    """
    chosen = select_tokens(tokens, turns, documents, **selection)
    return term_counts(chosen, by=by, alpha_only=alpha_only, stop_words=stop_words)


def un2022_term_counts(
    tokens: pd.DataFrame,
    turns: pd.DataFrame | None,
    documents: pd.DataFrame,
    *,
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    stop_words: bool | Iterable[str] = False,
) -> pd.Series:
    """Reference list "all UN General Debate statements of 2022": the speech documents of year 2022.

    In the project's data these are the 193 statements of the 77th session.
    """
    return subset_term_counts(tokens, turns, documents, by=by, alpha_only=alpha_only,
                              stop_words=stop_words, kind="speech", year=2022)


def wordfreq_term_counts(
    terms: Iterable[str] | None = None,
    *,
    n_top: int | None = None,
    lang: str = "en",
    corpus_size: int = WORDFREQ_CORPUS_SIZE,
) -> pd.Series:
    """Reference list "general English": counts derived from ``wordfreq`` (Speer 2022).

    ``wordfreq`` gives each word a proportion of running text (``word_frequency``,
    its "best" list for ``lang``, rounded by wordfreq to about three significant
    digits). Counts are those proportions scaled to a nominal corpus of
    ``corpus_size`` tokens (default :data:`WORDFREQ_CORPUS_SIZE`, one billion)
    and rounded to whole numbers (half to even): ``count = round(word_frequency(term) *
    corpus_size)``. Give either ``terms`` (e.g. the index of a target's counts;
    words wordfreq does not know count 0) or ``n_top`` (wordfreq's ``n_top`` most
    frequent words).

    In :func:`analysis.stats.keyness` pass ``reference_total=corpus_size``, since
    the Series holds only some of the nominal corpus's words. G2 and the log ratio
    converge as the nominal size grows (G2 tends to the likelihood ratio against
    wordfreq's proportion taken as known); what the size decides is the score of
    a word it rounds to zero or to a few units (the log ratio puts 0.5 in place of
    a zero count), and BIC, which subtracts ln N. So choose a size at which none
    of the target's words rounds to zero (the default is enough for ordinary
    English words: wordfreq's smallest listed proportion, about 1e-8, gives a count of
    about 10; a word wordfreq does not know stays at 0 at any size, so its score
    is the size's, not English's) and do not read BIC against this reference. Counts are of surface forms,
    so use them with ``by="lower"`` counts, not lemmas.
    """
    from wordfreq import top_n_list, word_frequency

    if (terms is None) == (n_top is None):
        raise ValueError("give either terms or n_top")
    if corpus_size <= 0:
        raise ValueError(f"corpus_size must be positive, got {corpus_size}")
    if terms is None:
        if n_top < 1:
            raise ValueError(f"n_top must be positive, got {n_top}")
        words = top_n_list(lang, n_top)
    else:
        words = list(dict.fromkeys(_values(terms)))
    counts = pd.Series(
        [int(round(word_frequency(str(word), lang) * corpus_size)) for word in words],
        index=pd.Index(words, dtype=object), dtype="int64",
    )
    return _tidy(counts)
