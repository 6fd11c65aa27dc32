"""Corpus statistics: keyness, collocation, n-grams, tf-idf, dispersion, lexical diversity, proportions and agreement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from scipy import special as _special

KEYNESS_COLUMNS = [
    "term", "target", "reference", "target_pm", "reference_pm",
    "g2", "g2_2cell", "p_value", "bic", "log_ratio", "chi2", "pct_diff", "simple_maths",
    "direction", "significant",
]
DIRECTIONS = ["negative", "equal", "positive"]
ASSOCIATION_COLUMNS = [
    "observed", "expected", "mi", "mi3", "t_score", "z_score", "dice", "log_dice", "g2", "chi2",
]
DISPERSION_COLUMNS = ["term", "freq", "range", "range_rel", "juilland_d", "dp", "dp_norm"]
DIVERSITY_COLUMNS = ["n_tokens", "n_types", "ttr", "mattr", "mtld"]

_WITHIN_KEYS = {
    "document": ["doc_id"],
    "turn": ["doc_id", "turn_id"],
    "sentence": ["doc_id", "sentence_id"],
}


# --------------------------------------------------------------------------------------------
# 2x2 contingency tables (shared by keyness and collocation)
# --------------------------------------------------------------------------------------------

def _o_ln_o_over_e(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """O * ln(O / E) with the limit 0 * ln 0 = 0 (an observed 0 contributes nothing)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(observed > 0, observed * np.log(observed / expected), 0.0)


def _expected_cells(o11, o12, o21, o22):
    """Expected cell frequencies E_ij = R_i * C_j / N of 2x2 tables (arrays of tables)."""
    n = o11 + o12 + o21 + o22
    r1, r2 = o11 + o12, o21 + o22
    c1, c2 = o11 + o21, o12 + o22
    return r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n


def _g2_4cell(o11, o12, o21, o22, expected=None) -> np.ndarray:
    """Dunning's (1993) log-likelihood G2 = 2 * sum over the four cells of O ln(O/E).

    The statistic of NLTK's ``BigramAssocMeasures.likelihood_ratio`` and of
    ``scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")``.
    """
    e11, e12, e21, e22 = _expected_cells(o11, o12, o21, o22) if expected is None else expected
    return 2.0 * (
        _o_ln_o_over_e(o11, e11) + _o_ln_o_over_e(o12, e12)
        + _o_ln_o_over_e(o21, e21) + _o_ln_o_over_e(o22, e22)
    )


def _chi2_pearson(o11, o12, o21, o22, *, yates: bool, expected=None) -> np.ndarray:
    """Pearson's X2 of 2x2 tables, optionally with Yates' correction as SciPy applies it.

    SciPy (>= 1.7, ``chi2_contingency(correction=True)``) moves every observed count
    towards its expected value by min(0.5, |O - E|) before summing (O - E)^2 / E;
    in a 2x2 table |O - E| is the same in all four cells, so each term becomes
    max(|O - E| - 0.5, 0)^2 / E (SciPy GitHub issue #13875, fixed by PR #13925). A cell whose expected
    frequency is 0 (possible only when one row is empty) contributes 0; SciPy refuses
    such tables.
    """
    e11, e12, e21, e22 = _expected_cells(o11, o12, o21, o22) if expected is None else expected
    deviation = np.abs(o11 - e11)
    if yates:
        deviation = np.maximum(deviation - 0.5, 0.0)
    squared = deviation ** 2
    total = np.zeros_like(squared, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        for e in (e11, e12, e21, e22):
            total = total + np.where(e > 0, squared / e, 0.0)
    return total


# --------------------------------------------------------------------------------------------
# Keyness
# --------------------------------------------------------------------------------------------

def _term_counts(counts: pd.Series | Mapping, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Check term counts (index = term, values >= 0); return (terms as objects, counts as floats)."""
    if isinstance(counts, Mapping):
        counts = pd.Series(counts, dtype="float64")
    if not isinstance(counts, pd.Series):
        raise TypeError(f"{name} must be a pandas Series of term counts (index = term), got {type(counts).__name__}")
    if len(counts) and not pd.api.types.is_numeric_dtype(counts.dtype):
        raise ValueError(f"{name} must hold numeric counts, got dtype {counts.dtype}")
    values = counts.to_numpy(dtype="float64", na_value=np.nan)
    if not np.isfinite(values).all():
        raise ValueError(f"{name} has missing or infinite counts")
    if (values < 0).any():
        raise ValueError(f"{name} has negative counts")
    return counts.index.to_numpy(dtype=object), values


def _corpus_total(counts: np.ndarray, total: float | None, name: str) -> float:
    """The corpus size: the given total, or the sum of the counts."""
    value = float(counts.sum()) if total is None else float(total)
    if not value > 0:
        raise ValueError(f"{name} corpus is empty: its total number of tokens must be positive")
    if len(counts) and counts.max() > value:
        raise ValueError(f"{name} has a count larger than its corpus total {value:g}")
    return value


def keyness(
    target: pd.Series,
    reference: pd.Series,
    *,
    target_total: float | None = None,
    reference_total: float | None = None,
    min_freq: int = 1,
    threshold: Literal["bonferroni", "bic"] | None = None,
    alpha: float = 0.05,
    min_bic: float = 2.0,
    simple_maths_n: float = 1.0,
) -> pd.DataFrame:
    """Keyness of every term of a target corpus against a reference corpus.

    ``target`` and ``reference`` are Series of term counts (index = term). The
    corpus sizes ``c`` and ``d`` are the sums of the Series unless
    ``target_total`` / ``reference_total`` are given (needed when a Series holds
    only some of its corpus's terms, e.g. a ``wordfreq`` reference). For a term
    with counts ``a`` (target) and ``b`` (reference) the 2x2 table is
    ``[[a, b], [c - a, d - b]]`` and the columns are:

    - ``target``, ``reference``: the raw counts; ``target_pm``, ``reference_pm``:
      per million tokens.
    - ``g2``: Dunning's (1993) log-likelihood over all four cells,
      ``2 * sum O ln(O/E)`` with ``E_ij = R_i C_j / N`` and ``0 ln 0 = 0``; this is
      NLTK's ``likelihood_ratio`` and SciPy's
      ``chi2_contingency(table, correction=False, lambda_="log-likelihood")``.
    - ``g2_2cell``: Rayson & Garside (2000), the UCREL log-likelihood wizard and
      WordSmith's form, ``2 * (a ln(a/E1) + b ln(b/E2))`` with
      ``E1 = c (a+b)/(c+d)``, ``E2 = d (a+b)/(c+d)``.
    - ``p_value``: upper tail of chi-square with 1 degree of freedom at ``g2``
      (computed as ``erfc(sqrt(g2 / 2))``, the same function).
    - ``bic``: ``g2 - ln(c + d)``, Wilson's (2013) BIC approximation to the Bayes
      factor with 1 degree of freedom (from the 4-cell ``g2``).
    - ``log_ratio``: Hardie (2014), ``log2((a/c) / (b/d))``, with 0.5 in place of a
      zero count (so it stays finite when a term is absent from one side).
    - ``chi2``: Pearson's X2 with Yates' correction exactly as
      ``scipy.stats.chi2_contingency`` (default ``correction=True``) applies it to a
      2x2 table (see ``_chi2_pearson``).
    - ``pct_diff``: Gabrielatos & Marchi (2012), ``100 (a/c - b/d) / (b/d)``;
      ``inf`` when the term is absent from the reference.
    - ``simple_maths``: Kilgarriff (2009), ``(fpm_target + N) / (fpm_reference + N)``
      with ``N = simple_maths_n`` (Sketch Engine's default 1).
    - ``direction``: ``"positive"`` where ``a/c > b/d`` (a keyword of the target),
      ``"negative"`` where ``a/c < b/d``, ``"equal"`` otherwise (a categorical).
    - ``significant``: ``p_value < alpha`` without a threshold;
      ``p_value < alpha / m`` with ``threshold="bonferroni"`` (``m`` = number of
      rows returned); ``bic > min_bic`` with ``threshold="bic"`` (2 = "positive
      evidence" in Raftery's 1995 bands, as KeynessMeasures uses them).

    Terms whose combined count ``a + b`` is below ``min_freq`` (at least 1) are
    left out. Rows are sorted by ``g2`` (descending), then term.

    >>> import pandas as pd
    >>> k = keyness(pd.Series({"w": 52}), pd.Series({"w": 57}),
    ...             target_total=50_000, reference_total=75_000)
    >>> round(float(k.g2.iloc[0]), 4), round(float(k.g2_2cell.iloc[0]), 4)
    (2.6541, 2.6517)
    """
    if threshold not in (None, "bonferroni", "bic"):
        raise ValueError(f"threshold must be None, 'bonferroni' or 'bic', got {threshold!r}")
    target_terms, target_values = _term_counts(target, "target")
    reference_terms, reference_values = _term_counts(reference, "reference")
    c = _corpus_total(target_values, target_total, "target")
    d = _corpus_total(reference_values, reference_total, "reference")

    # align the two sides on the union of their terms, in sorted term order
    codes, terms = pd.factorize(np.concatenate([target_terms, reference_terms]))
    if (codes < 0).any():
        raise ValueError("a term in the index is missing (NaN or None)")
    for side, side_codes in (("target", codes[:len(target_terms)]), ("reference", codes[len(target_terms):])):
        if len(side_codes) and np.bincount(side_codes).max() > 1:
            raise ValueError(f"{side} has duplicated terms in its index")
    a = np.zeros(len(terms))
    b = np.zeros(len(terms))
    a[codes[:len(target_terms)]] = target_values
    b[codes[len(target_terms):]] = reference_values
    by_term = np.argsort(terms, kind="stable")
    keep = by_term[(a[by_term] + b[by_term]) >= max(min_freq, 1)]
    terms, a, b = terms[keep], a[keep], b[keep]

    n = c + d
    o21, o22 = c - a, d - b
    expected = _expected_cells(a, b, o21, o22)
    g2 = _g2_4cell(a, b, o21, o22, expected)
    e1, e2 = expected[0], expected[1]  # c (a+b) / N and d (a+b) / N
    g2_2cell = 2.0 * (_o_ln_o_over_e(a, e1) + _o_ln_o_over_e(b, e2))
    chi2 = _chi2_pearson(a, b, o21, o22, yates=True, expected=expected)
    # chi-square with 1 degree of freedom is a squared standard normal: P(X > x) = erfc(sqrt(x / 2))
    p_value = _special.erfc(np.sqrt(g2 / 2.0))
    bic = g2 - np.log(n)

    rate_t, rate_r = a / c, b / d
    log_ratio = np.log2((np.where(a > 0, a, 0.5) / c) / (np.where(b > 0, b, 0.5) / d))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct_diff = np.where(rate_r > 0, 100.0 * (rate_t - rate_r) / rate_r, np.inf)
    simple_maths = (1e6 * rate_t + simple_maths_n) / (1e6 * rate_r + simple_maths_n)
    cross_t, cross_r = a * d, b * c
    direction_code = np.sign(cross_t - cross_r).astype(np.int8) + 1  # 0 negative, 1 equal, 2 positive

    if threshold == "bonferroni":
        significant = p_value < alpha / max(len(terms), 1)
    elif threshold == "bic":
        significant = bic > min_bic
    else:
        significant = p_value < alpha

    order = np.argsort(-g2, kind="stable")  # g2 descending; ties keep the sorted term order
    whole = np.all(np.mod(target_values, 1) == 0) and np.all(np.mod(reference_values, 1) == 0)
    count_dtype = "int64" if whole else "float64"
    columns = {
        "term": terms,
        "target": a.astype(count_dtype),
        "reference": b.astype(count_dtype),
        "target_pm": 1e6 * rate_t,
        "reference_pm": 1e6 * rate_r,
        "g2": g2,
        "g2_2cell": g2_2cell,
        "p_value": p_value,
        "bic": bic,
        "log_ratio": log_ratio,
        "chi2": chi2,
        "pct_diff": pct_diff,
        "simple_maths": simple_maths,
        "direction": direction_code,
        "significant": significant.astype(bool),
    }
    table = {name: values[order] for name, values in columns.items()}
    table["term"] = pd.Series(table["term"], dtype=object)
    table["direction"] = pd.Categorical.from_codes(table["direction"], categories=DIRECTIONS)
    return pd.DataFrame(table, columns=KEYNESS_COLUMNS)


# --------------------------------------------------------------------------------------------
# Collocation
# --------------------------------------------------------------------------------------------

def association_measures(
    observed,
    node_freq,
    collocate_freq,
    n_tokens,
    *,
    window_tokens=None,
) -> pd.DataFrame:
    """Association scores of node-collocate pairs, vectorised over arrays of pairs.

    In Evert's notation the 2x2 table has ``O11 = observed``, row total
    ``R1 = window_tokens`` (the token slots in the node's windows; defaults to
    ``node_freq``, i.e. adjacent pairs as in NLTK's bigram measures), column total
    ``C1 = collocate_freq`` and ``N = n_tokens``; ``E = R1 * C1 / N``. Columns:

    - ``mi`` = log2(O/E) (Church & Hanks 1990); ``mi3`` = log2(O^3/E) (Daille 1994).
    - ``t_score`` = (O - E) / sqrt(O) (Church et al. 1991; NLTK's ``student_t``).
    - ``z_score`` = (O - E) / sqrt(E) (Evert 2008, the UCS/``corpora`` form).
    - ``dice`` = 2 O / (f_node + f_collocate) (Smadja et al. 1996);
      ``log_dice`` = 14 + log2(dice) (Rychlý 2008). With windows wider than one
      token ``O`` may exceed ``f_node``, so Dice may exceed 1 and logDice 14.
    - ``g2``: Dunning's (1993) four-cell log-likelihood of the table (NLTK's
      ``likelihood_ratio``); ``chi2``: Pearson's X2 without correction (NLTK's
      ``chi_sq``). Both are two-sided: compare ``observed`` with ``expected`` for
      the direction.

    MI, MI3 and logDice are ``-inf`` where ``observed`` is 0; t is ``-inf`` there.

    >>> m = association_measures(20, 42, 20, 14_307_668)
    >>> round(float(m.mi.iloc[0]), 4)
    18.378
    """
    o = np.atleast_1d(np.asarray(observed, dtype=float))
    f1 = np.broadcast_to(np.asarray(node_freq, dtype=float), o.shape)
    f2 = np.broadcast_to(np.asarray(collocate_freq, dtype=float), o.shape)
    n = np.broadcast_to(np.asarray(n_tokens, dtype=float), o.shape)
    r1 = f1 if window_tokens is None else np.broadcast_to(np.asarray(window_tokens, dtype=float), o.shape)
    if (o < 0).any() or (o > r1).any() or (o > f2).any() or (r1 + f2 - o > n).any():
        raise ValueError("inconsistent counts: need 0 <= observed <= window/node and collocate frequencies, "
                         "and window + collocate - observed <= n_tokens")
    expected = r1 * f2 / n
    o11, o12, o21 = o, r1 - o, f2 - o
    o22 = n - o11 - o12 - o21
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.log2(o / expected)
        mi3 = np.log2(o ** 3 / expected)
        t_score = (o - expected) / np.sqrt(o)
        z_score = (o - expected) / np.sqrt(expected)
        dice = 2.0 * o / (f1 + f2)
        log_dice = 14.0 + np.log2(dice)
    return pd.DataFrame({
        "observed": o,
        "expected": expected,
        "mi": mi,
        "mi3": mi3,
        "t_score": t_score,
        "z_score": z_score,
        "dice": dice,
        "log_dice": log_dice,
        "g2": _g2_4cell(o11, o12, o21, o22),
        "chi2": _chi2_pearson(o11, o12, o21, o22, yates=False),
    })


def tokens_in_spans(tokens: pd.DataFrame, spans: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the tokens lying wholly inside one of the spans.

    ``spans`` has columns ``doc_id, start, end`` (e.g. rows of the ``matches``
    table for one label); the mask can be the ``node`` of :func:`collocates`.
    """
    mask = np.zeros(len(tokens), dtype=bool)
    if not len(tokens) or not len(spans):
        return mask
    token_docs = tokens["doc_id"].to_numpy()
    starts = tokens["start"].to_numpy(dtype=np.int64)
    ends = tokens["end"].to_numpy(dtype=np.int64)
    for doc_id, doc_spans in spans.groupby("doc_id", sort=True):
        rows = np.flatnonzero(token_docs == doc_id)
        if not len(rows):
            continue
        size = int(max(ends[rows].max(), doc_spans["end"].max())) + 1
        marks = np.zeros(size + 1, dtype=np.int64)
        np.add.at(marks, doc_spans["start"].to_numpy(dtype=np.int64), 1)
        np.add.at(marks, doc_spans["end"].to_numpy(dtype=np.int64), -1)
        covered = np.concatenate(([0], np.cumsum(np.cumsum(marks)[:-1] > 0)))
        inside = covered[ends[rows]] - covered[starts[rows]] == ends[rows] - starts[rows]
        mask[rows] = inside & (ends[rows] > starts[rows])
    return mask


def _node_mask(tokens: pd.DataFrame, node, by: str) -> np.ndarray:
    """Which token rows are the node: a word/lemma, a collection of them, a mask or (doc_id, token_id) pairs."""
    if isinstance(node, str):
        return (tokens[by] == node).to_numpy(dtype=bool, na_value=False)
    if isinstance(node, pd.Series) and node.dtype == bool:
        if not node.index.equals(tokens.index):
            raise ValueError("a boolean node Series must have the same index as the tokens table")
        return node.to_numpy(dtype=bool)
    if isinstance(node, np.ndarray) and node.dtype == bool:
        if node.shape != (len(tokens),):
            raise ValueError(f"a boolean node mask must have one value per token ({len(tokens)}), got {node.shape}")
        return node
    items = list(node) if isinstance(node, Iterable) else None
    if not items:
        raise ValueError("node must be a word, a non-empty collection of words, a boolean mask "
                         "or a collection of (doc_id, token_id) pairs")
    if all(isinstance(item, str) for item in items):
        return tokens[by].isin(items).to_numpy(dtype=bool, na_value=False)
    if all(isinstance(item, tuple) and len(item) == 2 for item in items):
        keys = pd.MultiIndex.from_frame(tokens[["doc_id", "token_id"]])
        return keys.isin(items)
    raise ValueError("node must be a word, a collection of words, a boolean mask or (doc_id, token_id) pairs")


def _stop_filter(terms: pd.Series, tokens: pd.DataFrame, stop_words: bool | Iterable[str]) -> np.ndarray:
    """Mask of terms to keep after stop-word removal (``True``: the tokens' ``is_stop`` flag)."""
    if stop_words is False or stop_words is None:
        return np.ones(len(terms), dtype=bool)
    if stop_words is True:
        return ~tokens["is_stop"].to_numpy(dtype=bool)
    return ~terms.isin(set(stop_words)).to_numpy(dtype=bool)


def _ordered(tokens: pd.DataFrame) -> pd.DataFrame:
    """Tokens in document order (doc_id, token_id), keeping the original index."""
    return tokens.sort_values(["doc_id", "token_id"], kind="stable")


def _check_tokens(tokens: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in tokens.columns]
    if missing:
        raise ValueError(f"the tokens table lacks column(s) {missing}")


def collocates(
    tokens: pd.DataFrame,
    node,
    *,
    by: Literal["lower", "lemma", "text"] = "lower",
    left: int = 5,
    right: int = 5,
    within: Literal["document", "turn", "sentence"] = "document",
    alpha_only: bool = True,
    stop_words: bool | Iterable[str] = False,
    min_freq: int = 1,
    sort_by: str = "g2",
) -> pd.DataFrame:
    """Collocates of a node within ``left`` tokens before and ``right`` tokens after it.

    ``node`` is a word or lemma (matched in the ``by`` column), a collection of
    them, a boolean mask over the token rows (e.g. :func:`tokens_in_spans` of a
    lexicon label's matches) or a collection of ``(doc_id, token_id)`` pairs.
    Adjacent node tokens form one node occurrence (a two-word match is one node).

    The token stream is the tokens table in document order, keeping alphabetic
    tokens only when ``alpha_only`` (node tokens are always kept); windows count
    positions in that stream and never cross the ``within`` unit (a document by
    default). Stop words (``True``: the ``is_stop`` flag; or a list) are dropped
    from the candidate collocates, not from the stream.

    Expected frequency (surface co-occurrence; Evert 2008, "Corpora and
    collocations"): the windows of all node occurrences form one region of
    ``R1`` token slots (overlapping windows are merged so that no token
    is counted twice, node tokens are excluded, windows are cut at unit edges);
    ``observed`` is the number of tokens of the collocate in that region and
    ``expected = R1 * f_collocate / N`` with ``N`` the stream length. When no
    windows overlap or are cut, ``R1 = (left + right) * f_node`` and this is
    ``E = k f1 f2 / N`` with span size ``k``, as in Evert's ``corpora``
    (``am.score(span.size = k)``). The scores come from
    :func:`association_measures` on that table; ``dice``/``log_dice`` use
    ``f_node``, the number of node occurrences. NLTK's window finder instead
    counts right-hand neighbours only and divides O by (w - 1); the two agree for
    ``left=0, right=1``.

    Returns one row per collocate with ``observed >= min_freq``: ``collocate``,
    ``collocate_freq`` and the columns of :func:`association_measures`, sorted by
    ``sort_by`` (descending), then collocate. ``attrs`` holds ``node_freq``,
    ``window_tokens`` and ``n_tokens``.
    """
    _check_tokens(tokens, ["doc_id", "token_id", by] + _WITHIN_KEYS[within] + (["is_alpha"] if alpha_only else []))
    if left < 0 or right < 0 or left + right == 0:
        raise ValueError("the window needs left >= 0, right >= 0 and left + right >= 1")
    if sort_by not in ASSOCIATION_COLUMNS:
        raise ValueError(f"sort_by must be one of {ASSOCIATION_COLUMNS}, got {sort_by!r}")
    if not len(tokens):
        raise ValueError("the tokens table is empty")
    is_node_all = _node_mask(tokens, node, by)
    stream = tokens.assign(_node=is_node_all)
    if alpha_only:
        stream = stream[stream["is_alpha"].to_numpy(dtype=bool) | is_node_all]
    stream = _ordered(stream)
    is_node = stream["_node"].to_numpy(dtype=bool)
    n = len(stream)
    if not is_node.any():
        raise ValueError(f"the node {node if isinstance(node, str) else '(mask)'} does not occur in the tokens")

    unit = stream.groupby(_WITHIN_KEYS[within], sort=False).ngroup().to_numpy()
    positions = np.arange(n)
    new_unit = np.r_[True, unit[1:] != unit[:-1]]
    unit_first = np.maximum.accumulate(np.where(new_unit, positions, 0))
    new_unit_rev = np.r_[unit[1:] != unit[:-1], True]
    unit_last = np.minimum.accumulate(np.where(new_unit_rev, positions, n)[::-1])[::-1]

    previous_node = np.r_[False, is_node[:-1]] & ~new_unit
    next_node = np.r_[is_node[1:], False] & ~new_unit_rev
    run_start = np.flatnonzero(is_node & ~previous_node)
    run_end = np.flatnonzero(is_node & ~next_node)
    node_freq = len(run_start)

    marks = np.zeros(n + 1, dtype=np.int64)
    if left:
        lo = np.maximum(run_start - left, unit_first[run_start])
        hi = run_start  # exclusive
        np.add.at(marks, lo, 1)
        np.add.at(marks, hi, -1)
    if right:
        lo = run_end + 1
        hi = np.minimum(run_end + right, unit_last[run_end]) + 1  # exclusive
        np.add.at(marks, lo, 1)
        np.add.at(marks, hi, -1)
    in_window = (np.cumsum(marks)[:n] > 0) & ~is_node

    terms = stream[by].astype(object)
    codes, vocabulary = pd.factorize(terms.to_numpy(), sort=True)
    collocate_freq = np.bincount(codes, minlength=len(vocabulary))
    observed = np.bincount(codes[in_window], minlength=len(vocabulary))
    window_tokens = int(in_window.sum())

    keep = observed >= max(min_freq, 1)
    if stop_words is not False and stop_words is not None:
        # a term flagged as a stop word in any of its tokens is a stop word
        flagged = np.zeros(len(vocabulary), dtype=bool)
        flagged[codes[~_stop_filter(terms, stream, stop_words)]] = True
        keep &= ~flagged
    scores = association_measures(
        observed[keep], node_freq, collocate_freq[keep], n, window_tokens=window_tokens,
    )
    table = pd.concat([
        pd.DataFrame({"collocate": np.asarray(vocabulary, dtype=object)[keep],
                      "collocate_freq": collocate_freq[keep].astype("int64")}),
        scores,
    ], axis=1)
    table["observed"] = table["observed"].astype("int64")
    table = table[["collocate", "observed", "expected", "collocate_freq"] + ASSOCIATION_COLUMNS[2:]]
    order = np.lexsort((np.arange(len(table)), -table[sort_by].to_numpy()))
    table = table.iloc[order].reset_index(drop=True)
    table.attrs.update({"node_freq": int(node_freq), "window_tokens": window_tokens, "n_tokens": int(n)})
    return table


# --------------------------------------------------------------------------------------------
# Multi-word expressions
# --------------------------------------------------------------------------------------------

def ngrams(
    tokens: pd.DataFrame,
    *,
    n: int = 2,
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    min_freq: int = 2,
    min_range: int = 1,
    range_unit: Literal["document", "turn"] = "document",
) -> pd.DataFrame:
    """Contiguous n-grams within sentences, with their frequency and range.

    N-grams never cross a sentence boundary; with ``alpha_only`` an n-gram is kept
    only if all its tokens are alphabetic (so "sanctions , and" does not become
    "sanctions and"). ``range`` is the number of documents (or turns, with
    ``range_unit="turn"``) the n-gram occurs in (Keniston's range; Gries 2008).
    Returns ``ngram`` (tokens joined by a space), ``n``, ``freq``, ``range`` for
    n-grams with ``freq >= min_freq`` and ``range >= min_range``, sorted by
    frequency (descending), range (descending), then n-gram.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    _check_tokens(tokens, ["doc_id", "token_id", "sentence_id", "turn_id", by] + (["is_alpha"] if alpha_only else []))
    columns = ["ngram", "n", "freq", "range"]
    if not len(tokens):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c != "ngram" else object) for c in columns})
    ordered = _ordered(tokens)
    words = ordered[by].astype(object).to_numpy()
    sentence = ordered.groupby(["doc_id", "sentence_id"], sort=False).ngroup().to_numpy()
    unit_keys = ["doc_id"] if range_unit == "document" else ["doc_id", "turn_id"]
    unit = ordered.groupby(unit_keys, sort=False).ngroup().to_numpy()
    good = ordered["is_alpha"].to_numpy(dtype=bool) if alpha_only else np.ones(len(ordered), dtype=bool)
    m = len(ordered) - n + 1
    if m <= 0:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c != "ngram" else object) for c in columns})
    valid = np.ones(m, dtype=bool)
    for k in range(n):
        valid &= good[k:k + m] & (sentence[k:k + m] == sentence[:m])
    starts = np.flatnonzero(valid)
    grams = pd.Series(words[starts], dtype=object)
    for k in range(1, n):
        grams = grams + " " + pd.Series(words[starts + k], dtype=object)
    found = pd.DataFrame({"ngram": grams.to_numpy(dtype=object), "unit": unit[starts]})
    table = found.groupby("ngram", sort=True).agg(freq=("unit", "size"), range=("unit", "nunique")).reset_index()
    table.insert(1, "n", n)
    table = table[(table["freq"] >= min_freq) & (table["range"] >= min_range)]
    table = table.sort_values(["freq", "range", "ngram"], ascending=[False, False, True], kind="stable")
    table = table.reset_index(drop=True).astype({"n": "int64", "freq": "int64", "range": "int64"})
    table["ngram"] = table["ngram"].astype(object)
    return table[columns]


# --------------------------------------------------------------------------------------------
# Distinctive terms (tf-idf)
# --------------------------------------------------------------------------------------------

def _as_is(document: list[str]) -> list[str]:
    """Analyzer handing scikit-learn a document that is already a list of terms."""
    return document


def tfidf_terms(
    tokens: pd.DataFrame,
    *,
    unit: str | Sequence[str] = "doc_id",
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    stop_words: bool | Iterable[str] = False,
    top_n: int | None = 10,
    min_df: int | float = 1,
    sublinear_tf: bool = False,
) -> pd.DataFrame:
    """The most distinctive terms of each unit by tf-idf (scikit-learn's ``TfidfVectorizer``).

    Each unit (a column of the tokens table, or several, e.g.
    ``["doc_id", "turn_id"]``; join other tables first to group by country or
    year) becomes one document of terms. Weights are scikit-learn's defaults:
    ``tf * idf`` with the smoothed ``idf = ln((1 + n) / (1 + df)) + 1`` and each
    unit's vector scaled to unit length (Salton & Buckley 1988; scikit-learn user
    guide, "Tf-idf term weighting"). The sparse matrix is converted explicitly
    (COO triplets) to a tidy table: the unit column(s), ``term``, ``count`` (raw
    frequency in the unit), ``tfidf`` and ``rank`` (1 = most distinctive, ties
    broken by term), keeping the ``top_n`` terms of each unit (all with ``None``).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    unit_cols = [unit] if isinstance(unit, str) else list(unit)
    _check_tokens(tokens, ["doc_id", "token_id", by] + unit_cols + (["is_alpha"] if alpha_only else []))
    stream = _ordered(tokens)
    if alpha_only:
        stream = stream[stream["is_alpha"].to_numpy(dtype=bool)]
    stream = stream[_stop_filter(stream[by], stream, stop_words)]
    if not len(stream):
        raise ValueError("no tokens left to weigh (empty table, or everything filtered out)")
    keys, documents = [], []
    for key, group in stream.groupby(unit_cols, sort=True)[by]:
        keys.append(key if isinstance(key, tuple) else (key,))
        documents.append(list(group.astype(object)))
    vectorizer = TfidfVectorizer(analyzer=_as_is, lowercase=False, min_df=min_df, sublinear_tf=sublinear_tf)
    matrix = vectorizer.fit_transform(documents).tocoo()
    vocabulary = vectorizer.get_feature_names_out()
    unit_frame = pd.DataFrame(keys, columns=unit_cols)
    table = unit_frame.iloc[matrix.row].reset_index(drop=True)
    table["term"] = np.asarray(vocabulary, dtype=object)[matrix.col]
    table["tfidf"] = matrix.data
    counts = stream.groupby(unit_cols + [by], sort=False).size().rename("count").reset_index()
    counts = counts.rename(columns={by: "term"}).astype({"term": object})
    table = table.merge(counts, on=unit_cols + ["term"], how="left", validate="one_to_one")
    table = table.sort_values(unit_cols + ["tfidf", "term"], ascending=[True] * len(unit_cols) + [False, True],
                              kind="stable")
    table["rank"] = table.groupby(unit_cols, sort=False).cumcount() + 1
    if top_n is not None:
        table = table[table["rank"] <= top_n]
    table = table.astype({"count": "int64", "rank": "int64"})
    return table[unit_cols + ["term", "count", "tfidf", "rank"]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Dispersion
# --------------------------------------------------------------------------------------------

def dispersion(counts: pd.DataFrame, *, sizes: pd.Series | None = None) -> pd.DataFrame:
    """Range, Juilland's D and Gries' DP of terms across the parts of a corpus.

    ``counts`` has one row per term (index = term) and one column per part;
    ``sizes`` gives each part's size in tokens (index = part) and defaults to the
    column sums, which is right only if ``counts`` holds every term of the
    corpus. With ``n`` parts, ``v_i`` the term's count in part ``i``, ``f`` its
    total, ``s_i`` the part's share of the corpus and ``p_i = v_i / size_i``:

    - ``range``: parts with ``v_i > 0``; ``range_rel`` = range / n (Keniston 1920).
    - ``juilland_d`` = 1 - CV / sqrt(n - 1), with CV the population standard
      deviation of ``p_i`` over its mean (Juilland & Chang-Rodríguez 1964; the
      relative-frequency version of Gries 2008 that allows unequal parts; with
      equal parts it equals the raw-count version of Carroll 1970). Scale: 1 =
      perfectly even, 0 = all in one part. NaN for one part or an absent term.
    - ``dp`` = 0.5 * sum |v_i/f - s_i| (Gries 2008) and ``dp_norm`` =
      dp / (1 - min s_i) (Lijffijt & Gries 2012). Scale (Gries' direction, the
      opposite of D): 0 = distributed exactly like the part sizes, towards 1 =
      concentrated in few parts. NaN for an absent term.

    Rows keep the order of ``counts``; the term becomes the ``term`` column.
    """
    if not isinstance(counts, pd.DataFrame) or counts.shape[1] == 0:
        raise ValueError("counts must be a DataFrame with one column per part")
    v = counts.to_numpy(dtype=float)
    if np.isnan(v).any() or (v < 0).any():
        raise ValueError("counts must be non-negative numbers")
    if sizes is None:
        size = v.sum(axis=0)
    else:
        missing = [part for part in counts.columns if part not in sizes.index]
        if missing:
            raise ValueError(f"sizes lacks the part(s) {missing[:5]}")
        size = sizes.reindex(counts.columns).to_numpy(dtype=float)
    if (size <= 0).any():
        raise ValueError("every part must have a positive size")
    if (v > size).any():
        raise ValueError("a count exceeds the size of its part")
    n_parts = v.shape[1]
    freq = v.sum(axis=1)
    share = size / size.sum()
    rel = v / size
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = rel.mean(axis=1)
        cv = rel.std(axis=1, ddof=0) / mean
        juilland = 1.0 - cv / np.sqrt(n_parts - 1) if n_parts > 1 else np.full(len(v), np.nan)
        juilland = np.where(freq > 0, np.clip(juilland, 0.0, 1.0), np.nan)  # clip rounding error
        dp = 0.5 * np.abs(v / freq[:, None] - share[None, :]).sum(axis=1)
        dp = np.where(freq > 0, dp, np.nan)
        dp_norm = dp / (1.0 - share.min()) if n_parts > 1 else np.full(len(v), np.nan)
    table = pd.DataFrame({
        "term": counts.index.to_numpy(),
        "freq": freq,
        "range": (v > 0).sum(axis=1).astype("int64"),
        "range_rel": (v > 0).sum(axis=1) / n_parts,
        "juilland_d": juilland,
        "dp": dp,
        "dp_norm": dp_norm,
    })
    if np.all(np.mod(freq, 1) == 0):
        table["freq"] = table["freq"].astype("int64")
    return table[DISPERSION_COLUMNS]


def term_dispersion(
    tokens: pd.DataFrame,
    terms: Iterable[str] | None = None,
    *,
    part: str | Sequence[str] = "doc_id",
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
) -> pd.DataFrame:
    """:func:`dispersion` of terms over parts of the tokens table (documents by default).

    Part sizes are the number of (alphabetic, with ``alpha_only``) tokens of each
    part; ``terms`` defaults to every term, sorted by frequency then term.
    """
    part_cols = [part] if isinstance(part, str) else list(part)
    _check_tokens(tokens, [by] + part_cols + (["is_alpha"] if alpha_only else []))
    stream = tokens[tokens["is_alpha"].to_numpy(dtype=bool)] if alpha_only else tokens
    if not len(stream):
        raise ValueError("no tokens to measure dispersion on")
    sizes = stream.groupby(part_cols, sort=True).size()
    table = stream.groupby([by] + part_cols, sort=True).size().unstack(part_cols, fill_value=0)
    table = table.reindex(columns=sizes.index, fill_value=0)
    if terms is None:
        totals = table.sum(axis=1)
        order = sorted(table.index, key=lambda term: (-totals[term], term))
        table = table.loc[order]
    else:
        wanted = list(dict.fromkeys(terms))
        table = table.reindex(wanted, fill_value=0)
    return dispersion(table, sizes=sizes)


def term_rate_intervals(
    tokens: pd.DataFrame,
    terms: Iterable[str],
    *,
    part: str | Sequence[str] = "doc_id",
    by: Literal["lower", "lemma", "text"] = "lower",
    per: float = 1_000_000,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Each term's rate per ``per`` tokens in a corpus of parts, with a bootstrap interval that resamples parts.

    The rate pools the parts (``sum of counts / sum of sizes``, sizes in alphabetic tokens as
    :func:`term_dispersion` counts them); :func:`bootstrap_rate` resamples the parts (documents)
    with their counts and sizes, so a word that one speech repeats gets the wide interval it
    deserves. Columns: ``term``, ``count``, ``n_tokens``, ``rate``, ``ci_low``, ``ci_high``, in
    the order of ``terms``; a term absent from every part has rate 0 and interval (0, 0).

    >>> term_rate_intervals(reference_tokens, ["sanctions", "nato"])         # doctest: +SKIP
    """
    part_cols = [part] if isinstance(part, str) else list(part)
    _check_tokens(tokens, [by, "is_alpha"] + part_cols)
    stream = tokens[tokens["is_alpha"].to_numpy(dtype=bool)]
    if not len(stream):
        raise ValueError("no tokens to count rates in")
    sizes = stream.groupby(part_cols, sort=True).size()
    wanted = list(dict.fromkeys(terms))
    table = stream[stream[by].isin(wanted)].groupby([by] + part_cols, sort=True).size()
    table = table.unstack(part_cols, fill_value=0).reindex(index=wanted, columns=sizes.index, fill_value=0)
    rows = []
    for term, counts in table.iterrows():
        rate, low, high = bootstrap_rate(counts.to_numpy(), sizes.to_numpy(), per=per, n_boot=n_boot, level=level,
                                         seed=seed)
        rows.append((term, int(counts.sum()), int(sizes.sum()), rate, low, high))
    return pd.DataFrame(rows, columns=["term", "count", "n_tokens", "rate", "ci_low", "ci_high"])


def filter_keywords(
    keyness: pd.DataFrame, dispersion: pd.DataFrame, *, min_freq: int = 3, min_range: int = 2
) -> pd.DataFrame:
    """The rows of a keyness table whose term the target uses often enough and in enough of its parts.

    ``keyness`` is :func:`keyness` output; ``dispersion`` is :func:`dispersion` (or
    :func:`term_dispersion`) of the *target* over its parts (the turns of an interview, the
    documents of a corpus). A row is kept where the target count is at least ``min_freq`` and
    the term occurs in at least ``min_range`` parts: a frequency floor (a word used once or
    twice cannot be told from chance however large its G²) and a dispersion floor (a word one
    answer repeats is that answer's topic, not the speaker's habit; Gries 2008, Egbert & Biber
    2019). The ``range`` and ``dp`` columns of ``dispersion`` are added (0 and NaN for a term
    the target lacks); the row order of ``keyness`` is kept.

    >>> spread = term_dispersion(answer_tokens, part="turn_id")              # doctest: +SKIP
    >>> filter_keywords(keyness(answers, reference), spread)                 # doctest: +SKIP
    """
    if min_freq < 1 or min_range < 1:
        raise ValueError("min_freq and min_range must be at least 1")
    for name, table, columns in (("keyness", keyness, ["term", "target"]),
                                 ("dispersion", dispersion, ["term", "range", "dp"])):
        missing = [column for column in columns if column not in table.columns]
        if missing:
            raise ValueError(f"{name} lacks the column(s) {missing}")
    spread = dispersion.drop_duplicates("term").set_index("term")
    table = keyness.assign(range=spread["range"].reindex(keyness["term"]).fillna(0).astype("int64").to_numpy(),
                           dp=spread["dp"].reindex(keyness["term"]).to_numpy(dtype=float))
    return table[(table["target"] >= min_freq) & (table["range"] >= min_range)]


# --------------------------------------------------------------------------------------------
# Lexical diversity
# --------------------------------------------------------------------------------------------

def _token_list(tokens: Sequence[str]) -> list:
    values = list(tokens)
    if not values:
        raise ValueError("lexical diversity needs at least one token")
    return values


def ttr(tokens: Sequence[str]) -> float:
    """Type-token ratio V/N (Templin 1957; Chotlos 1944). Strongly length-dependent.

    >>> ttr("one one two".split())
    0.6666666666666666
    """
    values = _token_list(tokens)
    return len(set(values)) / len(values)


def mattr(tokens: Sequence[str], *, window: int = 100) -> float:
    """Moving-average type-token ratio (Covington & McFall 2010).

    The mean TTR of every window of ``window`` consecutive tokens
    (positions 1..W, 2..W+1, ..., N-W+1..N). A text shorter than the window is
    measured with a window of its own length (MATTR = TTR), as quanteda does
    (without its warning). Computed exactly in O(N): a token adds one type to each
    window that contains it but not its previous occurrence.

    >>> mattr("one one two one one two one".split(), window=2)  # quanteda's test
    0.8333333333333334
    """
    values = _token_list(tokens)
    if window < 1:
        raise ValueError(f"window must be a positive integer, got {window}")
    n = len(values)
    w = min(window, n)
    codes, _ = pd.factorize(pd.Series(values, dtype=object))
    j = np.arange(n)
    previous = pd.Series(j).groupby(codes).shift(1).fillna(-1).to_numpy(dtype=np.int64)
    first_window = np.maximum.reduce([j - w + 1, previous + 1, np.zeros(n, dtype=np.int64)])
    last_window = np.minimum(j, n - w)
    new_type_windows = np.clip(last_window - first_window + 1, 0, None)
    return float(new_type_windows.sum() / (w * (n - w + 1)))


def _mtld_pass(values: Sequence, threshold: float) -> float:
    """One directional MTLD pass: tokens per factor (McCarthy & Jarvis 2010)."""
    factors = 0.0
    types: set = set()
    count = 0
    ratio = 1.0
    for value in values:
        count += 1
        types.add(value)
        ratio = len(types) / count
        if ratio <= threshold:
            factors += 1.0
            types = set()
            count = 0
    if count > 0:
        factors += (1.0 - ratio) / (1.0 - threshold)
    if factors == 0:
        return float(len(values))
    return len(values) / factors


def mtld(tokens: Sequence[str], *, threshold: float = 0.72) -> float:
    """Measure of textual lexical diversity (McCarthy 2005; McCarthy & Jarvis 2010).

    Walking through the tokens, a factor is complete when the running TTR of the
    current segment falls to the threshold (``<=``, as LexicalRichness and
    Wordless do; 0.72 after McCarthy & Jarvis 2010, p. 385); the counters then
    reset. The unfinished segment at the end adds the partial factor
    ``(1 - TTR) / (1 - threshold)``. A pass's score is N / factors; MTLD is the
    mean of the forward and the backward pass. A text whose tokens are all
    different never lowers its TTR (no factor at all) and scores N.
    """
    values = _token_list(tokens)
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie strictly between 0 and 1, got {threshold}")
    return (_mtld_pass(values, threshold) + _mtld_pass(values[::-1], threshold)) / 2.0


def lexical_diversity(
    tokens: pd.DataFrame,
    *,
    unit: str | Sequence[str] = "doc_id",
    by: Literal["lower", "lemma", "text"] = "lower",
    alpha_only: bool = True,
    window: int = 100,
    threshold: float = 0.72,
) -> pd.DataFrame:
    """TTR, MATTR and MTLD of each unit (document by default, or e.g. ``["doc_id", "turn_id"]``).

    Tokens are taken in document order from the ``by`` column (alphabetic ones
    only with ``alpha_only``). Returns the unit column(s), ``n_tokens``,
    ``n_types``, ``ttr``, ``mattr`` (``window``) and ``mtld`` (``threshold``),
    sorted by unit. Units without tokens are absent.
    """
    unit_cols = [unit] if isinstance(unit, str) else list(unit)
    _check_tokens(tokens, ["doc_id", "token_id", by] + unit_cols + (["is_alpha"] if alpha_only else []))
    stream = _ordered(tokens)
    if alpha_only:
        stream = stream[stream["is_alpha"].to_numpy(dtype=bool)]
    if not len(stream):
        raise ValueError("no tokens to measure lexical diversity on")
    rows = []
    for key, group in stream.groupby(unit_cols, sort=True):
        values = list(group[by].astype(object))
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, len(values), len(set(values)), ttr(values),
                     mattr(values, window=window), mtld(values, threshold=threshold)))
    return pd.DataFrame(rows, columns=unit_cols + DIVERSITY_COLUMNS)


def poisson_rate_interval(
    count: Sequence[float] | np.ndarray,
    n_tokens: Sequence[float] | np.ndarray,
    *,
    per: int = 10_000,
    level: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """The exact (Garwood 1936) confidence interval of rates ``count / n_tokens * per``.

    Each count is taken as Poisson, the right model for the matches of one text: the bounds
    are ``chi2.ppf(a/2, 2k) / 2`` and ``chi2.ppf(1 - a/2, 2k + 2) / 2`` with ``a = 1 - level``
    (the lower bound is 0 for ``k = 0``), scaled to the rate. NaN where ``n_tokens`` is 0.
    For a corpus of documents use :func:`bootstrap_rate`, which resamples documents.

    >>> low, high = poisson_rate_interval([2], [10_000], per=10_000)
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.2422, 7.2247)
    """
    from scipy.stats import chi2

    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, not {level!r}")
    k = np.asarray(count, dtype=float)
    n = np.asarray(n_tokens, dtype=float)
    if (k < 0).any() or (n < 0).any():
        raise ValueError("counts and token numbers cannot be negative")
    alpha = 1 - level
    lower = np.where(k > 0, chi2.ppf(alpha / 2, 2 * k) / 2, 0.0)
    upper = chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, per / n, np.nan)
    return lower * scale, upper * scale


def bootstrap_rate(
    count: Sequence[float] | np.ndarray,
    n_tokens: Sequence[float] | np.ndarray,
    *,
    per: int = 10_000,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """A pooled rate ``sum(count) / sum(n_tokens) * per`` and its percentile bootstrap interval, resampling units.

    Each unit (a document) is one pair of ``count`` and ``n_tokens``; a resample draws as many
    units with replacement and keeps each unit's count and tokens together, so the interval
    reflects how much the rate varies between documents (a cluster bootstrap; Efron &
    Tibshirani 1993, ch. 13), not only how rare the word is. Returns ``(rate, low, high)``;
    with a single unit the interval is the rate itself. Same inputs and ``seed``, same result.

    >>> bootstrap_rate([1, 3, 0, 2], [1000, 1500, 500, 1000], per=1000, n_boot=500)  # doctest: +SKIP
    """
    counts = np.asarray(count, dtype=float)
    sizes = np.asarray(n_tokens, dtype=float)
    if counts.shape == sizes.shape and ((sizes < 0).any() or (counts < 0).any()):
        raise ValueError("counts and token numbers cannot be negative")
    if per <= 0:
        raise ValueError("n_boot and per must be positive")
    ratio, low, high = bootstrap_ratio(counts, sizes, n_boot=n_boot, level=level, seed=seed)
    return ratio * per, low * per, high * per


def keyness_across(
    target: pd.Series,
    references: Mapping[str, pd.Series],
    *,
    threshold: Literal["bonferroni", "bic"] | None = "bic",
    min_freq: int = 3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The keywords of one target against several reference corpora side by side: which survive every one.

    :func:`keyness` of ``target`` against each named reference (same ``threshold``,
    ``min_freq`` and ``alpha``); a term is *key* against a reference where it is positive
    and significant. One row per term key against at least one reference, with ``target``
    (its raw count), then per reference its raw count (``<name>``), its signed G²
    (``g2 <name>``, negative where the reference uses it more; NaN where target and
    reference together have it fewer than ``min_freq`` times) and whether it is key there
    (``key <name>``); ``n_key`` counts the references it is key against and ``key_in_all``
    says whether that is all of them. Sorted by ``n_key`` (most first), then by the smallest
    G² among the references (so the top rows are the sturdiest keywords), then by term.

    >>> keyness_across(answers, {"Kremlin": kremlin, "UN": un})             # doctest: +SKIP
    """
    if not references:
        raise ValueError("name at least one reference corpus")
    tables = {name: keyness(target, reference, threshold=threshold, min_freq=min_freq, alpha=alpha)
              for name, reference in references.items()}
    keyed = {name: table.set_index("term") for name, table in tables.items()}
    terms = sorted(set().union(*(set(t.index[(t["direction"] == "positive") & t["significant"]])
                                 for t in keyed.values())))
    wide = pd.DataFrame({"term": terms})
    wide["target"] = [int(target.get(term, 0)) for term in terms]
    for name, table in keyed.items():
        rows = table.reindex(terms)
        sign = np.where(rows["direction"].astype(str) == "negative", -1.0, 1.0)
        wide[name] = rows["reference"].fillna(0).astype("int64").to_numpy()
        wide[f"g2 {name}"] = (rows["g2"].to_numpy(dtype=float) * sign)
        wide[f"key {name}"] = ((rows["direction"].astype(str) == "positive")
                               & rows["significant"].fillna(False).astype(bool)).to_numpy()
    key_columns = [f"key {name}" for name in references]
    wide["n_key"] = wide[key_columns].sum(axis=1).astype("int64")
    wide["key_in_all"] = wide["n_key"] == len(references)
    weakest = wide[[f"g2 {name}" for name in references]].min(axis=1)
    wide = wide.assign(_weakest=weakest).sort_values(["n_key", "_weakest", "term"], ascending=[False, False, True],
                                                      kind="stable")
    return wide.drop(columns="_weakest").reset_index(drop=True)


def _values_in_groups(values, groups) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as floats and a group code (0, 1, …) per value; each value its own group without ``groups``."""
    data = np.asarray(values, dtype=float)
    if data.ndim != 1 or not len(data):
        raise ValueError("values must be a non-empty one-dimensional sequence")
    keys = np.arange(len(data)) if groups is None else np.asarray(groups)
    if len(keys) != len(data):
        raise ValueError("values and groups must be of the same length")
    _, codes = np.unique(keys, return_inverse=True)
    return data, codes


def bootstrap_mean(
    values: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """The mean of ``values`` and its percentile bootstrap interval, resampling ``groups`` (clusters) whole.

    With ``groups`` (a document id per value), a resample draws as many groups as there are,
    with replacement, and takes the mean of all their values (a cluster bootstrap: values of
    one document are not independent); without, it resamples the values. Returns
    ``(mean, low, high)``. Same inputs and ``seed``, same result.

    >>> bootstrap_mean([0.2, -0.1, 0.5, 0.4], groups=["a", "a", "b", "c"])     # doctest: +SKIP
    """
    data, codes = _values_in_groups(values, groups)
    sums = np.bincount(codes, weights=data)
    sizes = np.bincount(codes).astype(float)
    return bootstrap_ratio(sums, sizes, n_boot=n_boot, level=level, seed=seed)


def bootstrap_median(
    values: Sequence[float] | np.ndarray,
    *,
    groups: Sequence | np.ndarray | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """The median of ``values`` and its percentile bootstrap interval, resampling ``groups`` (clusters) whole.

    As :func:`bootstrap_mean`, but for the median: with ``groups`` (a document id per value),
    a resample draws as many groups as there are, with replacement, and takes the median of
    all their values; without, it resamples the values. Returns ``(median, low, high)``; a
    single group gives a point interval. Same inputs and ``seed``, same result.

    >>> median, low, high = bootstrap_median([3.0, 1.0, 2.0, 8.0, 5.0], n_boot=200)
    >>> median, low <= median <= high
    (3.0, True)
    """
    data, codes = _values_in_groups(values, groups)
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, not {level!r}")
    if n_boot < 1:
        raise ValueError("n_boot must be positive")
    median = float(np.median(data))
    members = [data[codes == code] for code in range(codes.max() + 1)]
    if len(members) == 1:
        return median, median, median
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(members), size=(n_boot, len(members)))
    medians = np.array([np.median(np.concatenate([members[i] for i in row])) for row in picks])
    alpha = (1 - level) / 2
    low, high = np.quantile(medians, [alpha, 1 - alpha])
    return median, float(low), float(high)


def bootstrap_ratio(
    numerator: Sequence[float] | np.ndarray,
    denominator: Sequence[float] | np.ndarray,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """``sum(numerator) / sum(denominator)`` over units and its percentile bootstrap interval, resampling units.

    The engine of :func:`bootstrap_rate` and :func:`bootstrap_mean`: each unit keeps its
    numerator and denominator together. Returns ``(ratio, low, high)``; one unit gives a
    point interval.
    """
    top = np.asarray(numerator, dtype=float)
    bottom = np.asarray(denominator, dtype=float)
    if top.shape != bottom.shape or top.ndim != 1:
        raise ValueError("count and n_tokens must be one-dimensional and of the same length")
    if not len(top):
        raise ValueError("no units to bootstrap")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, not {level!r}")
    if n_boot < 1:
        raise ValueError("n_boot and per must be positive")
    total = bottom.sum()
    ratio = top.sum() / total if total > 0 else np.nan
    if len(top) == 1:
        return float(ratio), float(ratio), float(ratio)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(top), size=(n_boot, len(top)))
    boot_bottom = bottom[picks].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = top[picks].sum(axis=1) / boot_bottom
    ratios = ratios[boot_bottom > 0]
    if not len(ratios):
        return float(ratio), np.nan, np.nan
    alpha = (1 - level) / 2
    low, high = np.quantile(ratios, [alpha, 1 - alpha])
    return float(ratio), float(low), float(high)


# --------------------------------------------------------------------------------------------
# proportions and agreement (validating a measure against hand coding)
# --------------------------------------------------------------------------------------------

def wilson_interval(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """The Wilson (1927) score interval for a binomial proportion ``successes / n``.

    Unlike the normal (Wald) interval it stays inside 0–1 and keeps its coverage for small
    samples and proportions near 0 or 1, as precision and recall on a small hand-coded sample
    are (Brown, Cai & DasGupta 2001). With ``n == 0`` the proportion is undefined and both
    bounds are NaN.

    >>> [round(x, 3) for x in wilson_interval(8, 9)]
    [0.565, 0.98]
    """
    successes, n = int(successes), int(n)
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, not {level}")
    if n == 0:
        return float("nan"), float("nan")
    z = float(_special.ndtri(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def cohen_kappa(first: Sequence, second: Sequence) -> float:
    """Cohen's (1960) kappa: agreement of two codings of the same units, corrected for chance.

    ``(p_o - p_e) / (1 - p_e)``, where ``p_o`` is the share of units coded alike and ``p_e``
    the agreement expected from each coding's category shares. When both codings put every
    unit in one and the same category, ``p_e`` is 1 and kappa is undefined (NaN).

    >>> round(cohen_kappa([1, 1, 0, 0, 1], [1, 0, 0, 0, 1]), 3)
    0.615
    """
    a, b = np.asarray(first), np.asarray(second)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("the two codings must be sequences of the same length")
    if len(a) == 0:
        raise ValueError("no units to compare")
    categories = np.union1d(a, b)
    observed = float(np.mean(a == b))
    expected = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    if expected == 1.0:
        return float("nan")
    return (observed - expected) / (1 - expected)
