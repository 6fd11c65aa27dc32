"""Keyword in context and lexical dispersion: where a word, phrase, pattern or lexicon label occurs."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .lexicon import match_tokens

QUERY_KINDS = ("word", "phrase", "lemma", "regex", "label")
CONTEXTS = ("tokens", "sentence", "turn")
HIT_COLUMNS = ["doc_id", "turn_id", "sentence_id", "start", "end", "first_token", "last_token", "query"]
KWIC_COLUMNS = HIT_COLUMNS[:-1] + ["left", "keyword", "right"]
DISPERSION_COLUMNS = ["doc_id", "query", "turn_id", "token_id", "start", "position", "n_tokens"]
_MODES = {"word": "form", "phrase": "form", "lemma": "lemma", "regex": "regex"}
_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"\w+")


def find_hits(
    tokens: pd.DataFrame,
    query: str,
    *,
    by: str = "word",
    matches: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Where ``query`` occurs: one row per hit with offsets and the token ids it spans.

    ``by`` says how to read the query:

    - ``"word"`` / ``"phrase"``: word forms, case-insensitive, ``*`` and ``?`` as wildcards
      (``"sanction*"``, ``"the United States"``);
    - ``"lemma"``: every word by its lemma (``"sanction"`` finds sanctions, sanctioned);
    - ``"regex"``: each space-separated part is a regular expression that must match a whole
      token, case-insensitive (``"sanction(s|ed)"``);
    - ``"label"``: a lexicon label from ``matches``, as ``"layer:label"`` or ``"label"``
      (``"theme:nato"``, ``"United States"``).

    Word, phrase, lemma and regex queries use the lexicon matcher, so they agree with the
    ``matches`` table on tokenisation and apostrophes; a phrase never runs over a sentence end.
    """
    if by not in QUERY_KINDS:
        raise ValueError(f"by must be one of {', '.join(QUERY_KINDS)}, not {by!r}")
    if not query or not query.strip():
        raise ValueError("the query is empty")
    if by == "label":
        if matches is None:
            raise ValueError("a label query needs the matches table (matches=...)")
        return _label_hits(tokens, matches, query)
    entries = pd.DataFrame([{"layer": "query", "label": query, "pattern": query, "match": _MODES[by]}])
    found = match_tokens(tokens, entries)
    hits = found.assign(query=query)
    return hits[HIT_COLUMNS].sort_values(["doc_id", "start"], kind="stable", ignore_index=True)


def _label_hits(tokens: pd.DataFrame, matches: pd.DataFrame, query: str) -> pd.DataFrame:
    layer, sep, label = query.partition(":")
    if sep:
        chosen = matches[(matches["layer"] == layer) & (matches["label"] == label)]
    else:
        chosen = matches[matches["label"] == query]
    chosen = chosen[chosen["doc_id"].isin(tokens["doc_id"].unique())]
    wanted = tokens[tokens["doc_id"].isin(chosen["doc_id"].unique())]
    by_doc = {doc_id: group for doc_id, group in wanted.groupby("doc_id", sort=False)}
    rows = []
    for doc_id, group in chosen.groupby("doc_id", sort=False):
        doc_tokens = by_doc[doc_id].sort_values("start", kind="stable")
        starts = doc_tokens["start"].to_numpy(np.int64)
        ends = doc_tokens["end"].to_numpy(np.int64)
        ids = doc_tokens["token_id"].to_numpy(np.int64)
        first = np.searchsorted(ends, group["start"].to_numpy(np.int64), side="right")
        last = np.searchsorted(starts, group["end"].to_numpy(np.int64), side="left") - 1
        first = np.clip(first, 0, len(ids) - 1)
        last = np.clip(np.maximum(last, first), 0, len(ids) - 1)
        rows.append(group.assign(first_token=ids[first], last_token=ids[last], query=query))
    if not rows:
        return pd.DataFrame({column: pd.Series(dtype="int64" if column not in ("doc_id", "query") else "str")
                             for column in HIT_COLUMNS})
    hits = pd.concat(rows, ignore_index=True)
    return hits[HIT_COLUMNS].sort_values(["doc_id", "start"], kind="stable", ignore_index=True)


def kwic(
    tokens: pd.DataFrame,
    query: str,
    *,
    by: str = "word",
    context: str = "tokens",
    window: int = 5,
    sentences: pd.DataFrame | None = None,
    turns: pd.DataFrame | None = None,
    matches: pd.DataFrame | None = None,
    sort: str | None = None,
) -> pd.DataFrame:
    """Keyword in context: one row per hit with ``left``, ``keyword`` and ``right`` context.

    ``context="tokens"`` shows ``window`` tokens on each side, within the hit's turn;
    ``"sentence"`` the rest of the hit's sentence (needs ``sentences``); ``"turn"`` the rest
    of its turn (needs ``turns`` with their ``text`` and ``start``). Whitespace runs are shown
    as single spaces. ``sort="left"`` orders rows by the words just left of the keyword
    (nearest first), ``"right"`` by the words right of it; ``None`` keeps document order.
    Offsets (``start``, ``end``) and token ids point into the document, so every row can be
    traced back. See :func:`find_hits` for ``query`` and ``by``.

    >>> kwic(corpus.tokens, "sanction*", context="sentence", sentences=corpus.sentences)  # doctest: +SKIP
    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}, not {context!r}")
    if sort not in (None, "left", "right"):
        raise ValueError(f"sort must be None, 'left' or 'right', not {sort!r}")
    hits = find_hits(tokens, query, by=by, matches=matches)
    if context == "tokens":
        left, keyword, right = _token_context(tokens, hits, window)
    elif context == "sentence":
        if sentences is None:
            raise ValueError("context='sentence' needs the sentences table (sentences=...)")
        left, keyword, right = _span_context(hits, sentences, ["doc_id", "sentence_id"], tokens)
    else:
        if turns is None:
            raise ValueError("context='turn' needs the turns table (turns=...)")
        left, keyword, right = _span_context(hits, turns, ["doc_id", "turn_id"], tokens)
    table = hits.drop(columns="query").assign(left=left, keyword=keyword, right=right)
    if sort == "left":
        table["_key"] = [" ".join(reversed(_WORDS.findall(text.lower()))) for text in table["left"]]
    elif sort == "right":
        table["_key"] = [" ".join(_WORDS.findall(text.lower())) for text in table["right"]]
    if sort:
        table = table.sort_values(["_key", "doc_id", "start"], kind="stable").drop(columns="_key")
    return table[KWIC_COLUMNS].reset_index(drop=True)


def _joined(texts: np.ndarray, starts: np.ndarray, ends: np.ndarray, lo: int, hi: int) -> str:
    """Tokens ``lo..hi-1`` joined with a space wherever the source had whitespace."""
    parts: list[str] = []
    for i in range(lo, hi):
        if parts and starts[i] > ends[i - 1]:
            parts.append(" ")
        parts.append(texts[i])
    return "".join(parts)


def _token_context(tokens: pd.DataFrame, hits: pd.DataFrame, window: int) -> tuple[list, list, list]:
    left, keyword, right = [], [], []
    ordered = tokens.sort_values(["doc_id", "token_id"], kind="stable")
    by_doc = {doc_id: group for doc_id, group in ordered.groupby("doc_id", sort=False)}
    for doc_id, first, last in zip(hits["doc_id"], hits["first_token"], hits["last_token"]):
        group = by_doc[doc_id]
        ids = group["token_id"].to_numpy(np.int64)
        texts = group["text"].to_numpy(dtype=object)
        starts = group["start"].to_numpy(np.int64)
        ends = group["end"].to_numpy(np.int64)
        turn = group["turn_id"].to_numpy(np.int64)
        i = int(np.searchsorted(ids, first))
        j = int(np.searchsorted(ids, last)) + 1
        lo = i
        while lo > 0 and i - lo < window and turn[lo - 1] == turn[i]:
            lo -= 1
        hi = j
        while hi < len(ids) and hi - j < window and turn[hi] == turn[j - 1]:
            hi += 1
        left.append(_joined(texts, starts, ends, lo, i))
        keyword.append(_joined(texts, starts, ends, i, j))
        right.append(_joined(texts, starts, ends, j, hi))
    return left, keyword, right


def _span_context(hits: pd.DataFrame, spans: pd.DataFrame, keys: list[str], tokens: pd.DataFrame):
    """Left and right context from the text of the sentence or turn holding each hit."""
    located = hits[keys + ["start", "end", "first_token", "last_token"]].merge(
        spans[keys + ["start", "end", "text"]].rename(columns={"start": "s_start", "end": "s_end"}),
        on=keys, how="left",
    )
    keyword = _token_context(tokens, hits, 0)[1]
    left, right = [], []
    for start, end, s_start, _s_end, text in zip(
        located["start"], located["end"], located["s_start"], located["s_end"], located["text"]
    ):
        if pd.isna(s_start):
            left.append("")
            right.append("")
            continue
        cut_left = max(0, int(start) - int(s_start))
        cut_right = max(0, int(end) - int(s_start))
        left.append(_SPACE.sub(" ", text[:cut_left]).strip())
        right.append(_SPACE.sub(" ", text[cut_right:]).strip() if cut_right < len(text) else "")
    return left, keyword, right


def dispersion(
    tokens: pd.DataFrame,
    queries: Sequence[str],
    *,
    by: str = "word",
    matches: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Where each query occurs through each document, for a lexical dispersion (x-ray) plot.

    One row per hit and query: ``position = token_id / n_tokens`` in [0, 1), the share of the
    document's tokens before the hit, and ``n_tokens`` the document's token count (all tokens,
    as ``token_id`` counts them). Several queries at once, each read as ``by`` says (see
    :func:`find_hits`); rows follow the documents' order in ``tokens``, then the queries' order;
    a query without hits simply has no rows.

    >>> dispersion(corpus.tokens, ["theme:sanctions", "theme:nato"], by="label",
    ...            matches=corpus.matches)                           # doctest: +SKIP
    """
    if isinstance(queries, str):
        queries = [queries]
    sizes = tokens.groupby("doc_id", sort=False).size().rename("n_tokens")
    frames = []
    for query in queries:
        hits = find_hits(tokens, query, by=by, matches=matches)
        frames.append(hits.rename(columns={"first_token": "token_id"}))
    if not frames:
        return pd.DataFrame(columns=DISPERSION_COLUMNS)
    table = pd.concat(frames, ignore_index=True).merge(sizes.reset_index(), on="doc_id", how="left")
    table["position"] = table["token_id"] / table["n_tokens"]
    documents = {doc_id: i for i, doc_id in enumerate(sizes.index)}
    queries_order = {query: i for i, query in enumerate(queries)}
    table["_doc"] = table["doc_id"].map(documents)
    table["_query"] = table["query"].map(queries_order)
    table = table.sort_values(["_doc", "_query", "start"], kind="stable", ignore_index=True)
    return table[DISPERSION_COLUMNS]
