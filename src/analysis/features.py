"""Features per turn and per document: lexicon counts and rates, pronoun balance, sentiment, actor evaluations."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd

from .lexicon import actor_camps

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


#: Fixed names the lexicons match whose words VADER scores as evaluations: the themes lexicon's
#: entry for Russia's name of its war in Ukraine ("special" is +1.7 in VADER).
FIXED_NAMES = ("special military operation",)
#: What a masked word becomes: one token per word, outside VADER's lexicon and rules, not in capitals.
MASK_TOKEN = "_"
_NON_SPACE = re.compile(r"\S+")


def sentiment_mask(
    matches: pd.DataFrame, *, layers: Sequence[str] = ("actor",), names: Sequence[str] = FIXED_NAMES
) -> pd.DataFrame:
    """The spans whose words must not carry sentiment: every match of ``layers`` and of the entries ``names``.

    Names are not evaluations, yet VADER (built for social-media English) scores "United"
    +1.8, so every sentence naming the United States or the United Nations would lean
    positive, and "special" +1.7 in "special military operation". The mask is every match of
    the ``actor`` layer (countries, organisations, people, "Washington", "American") and every
    match, in any layer, whose lexicon entry (``pattern``, case-insensitive) is one of
    ``names`` (:data:`FIXED_NAMES`). Columns: ``doc_id, sentence_id, start, end, layer, text``,
    in document order. Pass it to :func:`sentence_sentiment` as ``mask``.

    >>> spans = sentiment_mask(match_text("The United States imposed sanctions."))  # doctest: +SKIP
    >>> spans["text"].tolist()                                                      # doctest: +SKIP
    ['United States']
    """
    wanted = {name.lower() for name in names}
    chosen = matches["layer"].isin(list(layers)) | matches["pattern"].astype(str).str.lower().isin(wanted)
    columns = ["doc_id", "sentence_id", "start", "end", "layer", "text"]
    return (matches.loc[chosen, columns].sort_values(["doc_id", "start", "end"], kind="stable")
            .drop_duplicates(["doc_id", "start", "end"]).reset_index(drop=True))


def _masked(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each word of the (sentence-relative, sorted) spans replaced by :data:`MASK_TOKEN`."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    pieces, done = [], 0
    for start, end in merged:
        pieces += [text[done:start], _NON_SPACE.sub(MASK_TOKEN, text[start:end])]
        done = end
    return "".join(pieces) + text[done:]


def mask_sentences(sentences: pd.DataFrame, mask: pd.DataFrame) -> pd.DataFrame:
    """The sentences with every word inside a span of ``mask`` replaced by :data:`MASK_TOKEN`.

    ``mask`` has ``doc_id``, ``sentence_id``, ``start`` and ``end`` (document offsets), e.g.
    :func:`sentiment_mask`. Each whitespace-separated word of a span becomes one ``_``, so the
    words around it keep their distances (VADER's negation and intensifier rules look three
    words back): only the masked words' own scores are lost. Spans may overlap; parts outside
    their sentence are ignored. Rows, columns and offsets are kept; ``text`` is replaced.

    >>> mask_sentences(sentences, sentiment_mask(matches))["text"].iloc[0]         # doctest: +SKIP
    'The _ _ imposed sanctions.'
    """
    _require_columns(mask, ["doc_id", "sentence_id", "start", "end"], "mask")
    keys = ["doc_id", "sentence_id"]
    starts = sentences.set_index(keys)["start"]
    spans: dict[tuple, list[tuple[int, int]]] = {}
    for row in mask.sort_values(["doc_id", "start", "end"], kind="stable").itertuples(index=False):
        key = (row.doc_id, row.sentence_id)
        if key in starts.index:
            offset = int(starts.loc[key])
            spans.setdefault(key, []).append((int(row.start) - offset, int(row.end) - offset))
    texts = [_masked(text, sorted((max(s, 0), min(e, len(text))) for s, e in spans[key]))
             if key in spans else text
             for key, text in zip(zip(sentences["doc_id"], sentences["sentence_id"]), sentences["text"])]
    return sentences.assign(text=texts)


def _require_columns(table: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"{name} lacks the column(s) {missing}")


def sentence_sentiment(sentences: pd.DataFrame, *, mask: pd.DataFrame | None = None) -> pd.DataFrame:
    """VADER scores of every sentence: ``neg``, ``neu``, ``pos`` and ``compound`` in [-1, 1].

    Hutto, C. J. & Gilbert, E. (2014). VADER: A Parsimonious Rule-based Model for Sentiment
    Analysis of Social Media Text. ICWSM. The full VADER model is used (with its rules for
    negation, intensifiers and "but"), not the filtered word list of the evaluation layer.
    VADER's word ratings were made for social-media English (tweets, reviews, editorials):
    in diplomatic speech names carry its valences ("United" +1.8), so pass
    ``mask=sentiment_mask(matches)`` to score each sentence with its actors and fixed names
    masked (:func:`mask_sentences`). Without ``mask`` the sentences are scored as written.

    >>> sentence_sentiment(corpus.sentences, mask=sentiment_mask(corpus.matches))  # doctest: +SKIP
    """
    if mask is not None:
        sentences = mask_sentences(sentences, mask)
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


def mean_intervals(
    sentiment: pd.DataFrame,
    *,
    by: str | Sequence[str],
    value: str = "compound",
    cluster: str | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """The mean ``value`` per group of sentences with a percentile bootstrap interval.

    ``sentiment`` is :func:`sentence_sentiment` or :func:`actor_sentiment` output (with any
    grouping columns merged in); ``by`` names the groups (``"actor"``, ``"role"``).
    :func:`analysis.stats.bootstrap_mean` resamples the group's sentences, or with ``cluster``
    (``"doc_id"``) its documents whole: sentences of one document are not independent, so
    across a corpus resample documents; within one interview, sentences are the only units.
    Columns: ``by``, ``n_sentences``, ``n_clusters`` (with ``cluster``), ``mean``, ``ci_low``,
    ``ci_high``; sorted by ``by``.

    >>> mean_intervals(actor_sentiment(scores, matches), by="actor")              # doctest: +SKIP
    """
    from .stats import bootstrap_mean

    keys = [by] if isinstance(by, str) else list(by)
    _require_columns(sentiment, keys + [value] + ([cluster] if cluster else []), "sentiment")
    rows = []
    for key, group in sentiment.groupby(keys, sort=True, observed=True):
        groups = group[cluster].to_numpy() if cluster else None
        mean, low, high = bootstrap_mean(group[value].to_numpy(dtype=float), groups=groups, n_boot=n_boot,
                                         level=level, seed=seed)
        key = key if isinstance(key, tuple) else (key,)
        extra = [group[cluster].nunique()] if cluster else []
        rows.append((*key, len(group), *extra, mean, low, high))
    columns = keys + ["n_sentences"] + (["n_clusters"] if cluster else []) + ["mean", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


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
    the cell's count. A ``doc_id`` the sentences do not hold, a turn the document does not have,
    or a layer or label no lexicon knows raises ``ValueError`` naming the known ones.

    >>> explain(corpus.matches, corpus.sentences, doc_id="darchiev-interfax",
    ...         feature="theme:sanctions", turn_id=9)                 # doctest: +SKIP
    """
    known_docs = sentences["doc_id"].astype(str)
    if not (known_docs == doc_id).any():
        ids = sorted(set(known_docs))
        close = difflib.get_close_matches(str(doc_id), ids, n=5, cutoff=0.5)
        raise ValueError(f"no document {doc_id!r} in the sentences; "
                         + (f"close names: {', '.join(close)}" if close else f"known documents: {_listed(ids)}"))
    rows = _chosen_matches(matches, feature, None)
    chosen = rows["doc_id"] == doc_id
    if turn_id is not None:
        turns = set(sentences.loc[known_docs == doc_id, "turn_id"].dropna().astype(int))
        if turn_id not in turns:
            raise ValueError(f"the document {doc_id!r} has no turn {turn_id!r}; its turns: "
                             f"{', '.join(map(str, sorted(turns)))}")
        chosen &= rows["turn_id"] == turn_id
    rows = rows[chosen]
    context = sentences[sentences["doc_id"] == doc_id][["doc_id", "sentence_id", "text"]].rename(
        columns={"text": "sentence"})
    explained = rows.merge(context, on=["doc_id", "sentence_id"], how="left")
    return explained.sort_values(["start", "end"], kind="stable", ignore_index=True)


# --- rates through time and groups (themes, sanctions, NATO, reciprocity) -------------------------

#: The countries whose UN General Debate statements (1992-2024) the corpus holds in full.
UN_COUNTRIES = ("Canada", "Russia", "United States of America")
RATE_COLUMNS = ["n_documents", "n_tokens", "count", "rate"]
_MATCH_KEYS = ("label", "pattern")

#: Words and phrases that open a conditional (or conditional-like) clause, after the subordinators
#: of condition in Quirk, Greenbaum, Leech & Svartvik (1985), *A Comprehensive Grammar of the
#: English Language*, ch. 15; "to the extent that" and "insofar as" set a condition by degree.
CONDITIONAL_MARKERS = (
    "if", "unless", "provided that", "providing that", "on condition that", "on the condition that",
    "as long as", "so long as", "in case", "in the event that", "to the extent that", "insofar as",
    "in so far as",
)


#: Other names of the corpus's countries, resolved by :func:`country_documents` (case-insensitive).
COUNTRY_ALIASES = {
    "united states": "United States of America", "usa": "United States of America", "us": "United States of America",
    "u.s.": "United States of America", "u.s.a.": "United States of America", "america": "United States of America",
    "russian federation": "Russia", "uk": "United Kingdom of Great Britain and Northern Ireland",
    "united kingdom": "United Kingdom of Great Britain and Northern Ireland",
}


def country_documents(
    documents: pd.DataFrame,
    countries: Sequence[str] | None = None,
    *,
    kind: str | Sequence[str] | None = "speech",
    names: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The documents of some countries: by default (``countries=None``) the UN statements of Canada,
    Russia and the USA (:data:`UN_COUNTRIES`).

    ``kind`` is one kind, several kinds, or None (every kind: the interview is a Russian document
    too). ``names`` maps other spellings of a country in ``documents`` to one name before choosing
    (a corpus whose metadata spell "Russian Federation" and "Russia"). A name in ``countries`` may
    be an alias ("United States", "USA" for "United States of America"; :data:`COUNTRY_ALIASES`);
    a name that is neither a country of ``documents`` nor an alias of one raises ``ValueError``
    listing the known names. Rows keep their order.

    >>> un = corpus.subset(doc_ids=country_documents(corpus.documents)["doc_id"])  # doctest: +SKIP
    >>> usa = country_documents(corpus.documents, ["United States"])  # doctest: +SKIP
    """
    if isinstance(countries, str):
        raise ValueError(f"countries is a list of names, not the string {countries!r}")
    renamed = documents if not names else documents.assign(country=documents["country"].replace(names))
    known = set(renamed["country"].dropna().astype(str))
    resolved = list(UN_COUNTRIES) if countries is None else []
    for country in countries or ():
        name = country if country in known else COUNTRY_ALIASES.get(str(country).strip().lower(), country)
        if name not in known:
            by_case = [k for k in known if k.lower() == str(country).strip().lower()]
            if not by_case:
                raise ValueError(f"no document of the country {country!r}; known names: {', '.join(sorted(known))}")
            name = by_case[0]
        resolved.append(name)
    chosen = renamed["country"].isin(resolved)
    if kind is not None:
        chosen &= renamed["kind"].isin([kind] if isinstance(kind, str) else list(kind))
    return renamed[chosen].reset_index(drop=True)


def _chosen_matches(matches: pd.DataFrame, feature: str, pattern: str | None) -> pd.DataFrame:
    """The rows of ``matches`` for ``"layer:label"`` (or a whole ``"layer"``), optionally by entry.

    A layer, label or pattern that neither ``matches`` nor the packaged lexicons know raises
    ``ValueError`` naming the known ones (a misspelt "theme:sanction" would otherwise count 0).
    """
    import re

    layer, _, label = feature.partition(":")
    if not layer:
        raise ValueError(f"a feature is 'layer' or 'layer:label', not {feature!r}")
    chosen = matches["layer"] == layer
    if label:
        chosen &= matches["label"] == label
    rows = matches[chosen]
    if rows.empty:
        _check_feature(matches, layer, label)
    if pattern is not None:
        entry = re.compile(pattern, re.IGNORECASE)
        found = rows[np.array([entry.search(p) is not None for p in rows["pattern"].astype(str)], dtype=bool)]
        if found.empty:
            known = _known_values(matches, "pattern", layer=layer, label=label)
            if not any(entry.search(p) for p in known):
                raise ValueError(f"the pattern {pattern!r} matches no entry of {feature!r}; "
                                 f"its entries: {_listed(known)}")
        rows = found
    return rows


def _known_values(matches: pd.DataFrame, column: str, *, layer: str | None = None, label: str = "") -> list[str]:
    """The values of ``column`` (layer, label or pattern) in ``matches`` and in the packaged lexicons."""
    from .lexicon import LAYERS, packaged_lexicons

    entries = packaged_lexicons()
    known = set(LAYERS) if column == "layer" else set()
    if column == "label" and layer == "quote":
        known |= set(QUOTE_LABELS)
    for table in (matches, entries):
        if column not in table.columns:
            continue
        chosen = np.ones(len(table), dtype=bool)
        if layer is not None:
            chosen &= (table["layer"].astype(str) == layer).to_numpy()
        if label:
            chosen &= (table["label"].astype(str) == label).to_numpy()
        known |= set(table.loc[chosen, column].dropna().astype(str))
    return sorted(known)


def _listed(values: Sequence[str], *, limit: int = 40) -> str:
    """Values joined by commas, the first ``limit`` of them and how many more."""
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values) - limit} more)" if len(values) > limit else "")


def _check_feature(matches: pd.DataFrame, layer: str, label: str) -> None:
    """Raise ``ValueError`` naming the known layers or labels when ``layer:label`` is unknown."""
    layers = _known_values(matches, "layer")
    if layer not in layers:
        raise ValueError(f"no layer {layer!r}; known layers: {_listed(layers)}")
    if label:
        labels = _known_values(matches, "label", layer=layer)
        if label not in labels:
            raise ValueError(f"the layer {layer!r} has no label {label!r}; known labels: {_listed(labels)}")


def _wanted_roles(turns: pd.DataFrame, roles: str | Sequence[str]) -> list[str]:
    """``roles`` as a list, checked against the roles of ``turns`` (``ValueError`` naming them)."""
    wanted = [roles] if isinstance(roles, str) else list(roles)
    known = sorted(set(turns["role"].astype(str)))
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValueError(f"no turn has the role(s) {unknown}; roles are {known}")
    return wanted


def group_rates(
    matches: pd.DataFrame,
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    feature: str,
    by: str | Sequence[str] = ("year", "country"),
    per: int = 10_000,
    pattern: str | None = None,
) -> pd.DataFrame:
    """Matches of one label (or layer) per ``per`` tokens in groups of documents: per year and country.

    ``documents`` says which documents count and holds the columns of ``by`` (``year``,
    ``country``, ``kind``...); ``by`` may also name ``label`` or ``pattern``, the match columns,
    to split the count by lexicon label or entry (each group then gets a row for every value seen
    in the selected documents). ``feature`` is ``"theme:sanctions"`` or a whole layer
    (``"theme"``); ``pattern`` keeps only the matches whose lexicon entry (the ``pattern``
    column) contains this regular expression, case-insensitive (``"expan|enlarg|eastward"``).

    ``rate = count / n_tokens * per``, the normalised frequency of Biber, Conrad & Reppen (1998,
    *Corpus Linguistics*, p. 263), where ``n_tokens`` are the non-punctuation tokens of the
    group's documents (:func:`word_counts`) and ``count`` their matches. A group with documents
    but no match has ``count`` 0 and ``rate`` 0 (a year without a statement has no row at all);
    a group without tokens has ``rate`` NaN. Rows are sorted by ``by``.

    >>> rates = group_rates(corpus.matches, corpus.tokens, corpus.documents,
    ...                     feature="theme:sanctions", by=["year", "country"])  # doctest: +SKIP
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ValueError("by must name at least one column")
    if per <= 0:
        raise ValueError(f"per must be positive, not {per!r}")
    match_keys = [key for key in by if key in _MATCH_KEYS]
    doc_keys = [key for key in by if key not in _MATCH_KEYS]
    missing = [key for key in doc_keys if key not in documents.columns]
    if missing:
        raise ValueError(f"documents has no column(s) {missing}; it has {list(documents.columns)}")
    docs = documents[list(dict.fromkeys(["doc_id"] + doc_keys))].drop_duplicates("doc_id")
    sizes = word_counts(tokens[tokens["doc_id"].isin(docs["doc_id"])], unit="document")
    docs = docs.merge(sizes, on="doc_id", how="left")
    docs["n_tokens"] = docs["n_tokens"].fillna(0).astype("int64")
    group_keys = doc_keys or ["_all"]
    docs = docs.assign(_all=0)
    keyed = list(dict.fromkeys(["doc_id"] + group_keys))
    groups = docs.groupby(group_keys, sort=True, dropna=False).agg(
        n_documents=("doc_id", "size"), n_tokens=("n_tokens", "sum")).reset_index()
    chosen = _chosen_matches(matches, feature, pattern)
    chosen = chosen[["doc_id"] + match_keys].merge(docs[keyed], on="doc_id", how="inner")
    counted = chosen.groupby(group_keys + match_keys, sort=True, dropna=False).size().rename("count").reset_index()
    if match_keys:
        seen = chosen[match_keys].drop_duplicates().sort_values(match_keys, kind="stable")
        groups = groups.merge(seen, how="cross")
    table = groups.merge(counted, on=group_keys + match_keys, how="left")
    table["count"] = table["count"].fillna(0).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        table["rate"] = np.where(table["n_tokens"] > 0, table["count"] / table["n_tokens"] * per, np.nan)
    table = table.sort_values(by, kind="stable", ignore_index=True)
    table.attrs["per"] = per
    return table[by + RATE_COLUMNS]


def label_tokens(
    tokens: pd.DataFrame,
    matches: pd.DataFrame,
    *,
    feature: str,
    words: str | None = None,
    pattern: str | None = None,
) -> np.ndarray:
    """Boolean mask over ``tokens``: the tokens inside a match of ``feature``, a node for collocations.

    ``words`` keeps only tokens whose lower-case form fully matches this regular expression
    (``"sanction.*"``: the word itself, not "pressure" of "sanctions pressure"); ``pattern``
    selects lexicon entries as in :func:`group_rates`. Because the matches decide, a word the
    lexicon leaves out ("UN-sanctioned", meaning authorised) is not a node.

    >>> node = label_tokens(corpus.tokens, corpus.matches, feature="theme:sanctions",
    ...                     words="sanction.*")                                   # doctest: +SKIP
    >>> stats.collocates(corpus.tokens, node, by="lemma")                         # doctest: +SKIP
    """
    from .stats import tokens_in_spans

    mask = tokens_in_spans(tokens, _chosen_matches(matches, feature, pattern))
    if words is not None:
        mask &= tokens["lower"].astype(str).str.fullmatch(words, case=False).to_numpy(dtype=bool)
    return mask


def matches_near(
    matches: pd.DataFrame,
    *,
    feature: str,
    layer: str = "evaluation",
    within: str = "sentence",
    pattern: str | None = None,
) -> pd.DataFrame:
    """The matches of ``layer`` (evaluative words by default) in the sentences that mention ``feature``.

    One row per match of ``layer`` lying in a sentence (``within="turn"``: a turn) that holds at
    least one match of ``feature`` (``"theme:sanctions"``; ``pattern`` as in
    :func:`group_rates`) and not overlapping any of them, so each word counts once however many
    mentions share its sentence. Columns: ``doc_id, turn_id, sentence_id, start, end, word``
    (lower-cased text), ``label``, ``n_mentions`` and ``mentions`` (the feature's matches in the
    unit, joined with "; "). Sharing a sentence says nothing about what the word evaluates:
    read the sentences (:func:`explain`) before concluding.

    >>> near = matches_near(corpus.matches, feature="theme:sanctions")           # doctest: +SKIP
    >>> near.value_counts(["label", "word"]).head()                              # doctest: +SKIP
    """
    keys = {"sentence": ["doc_id", "sentence_id"], "turn": ["doc_id", "turn_id"]}
    if within not in keys:
        raise ValueError(f"within must be 'sentence' or 'turn', not {within!r}")
    unit = keys[within]
    columns = ["doc_id", "turn_id", "sentence_id", "start", "end", "word", "label", "n_mentions", "mentions"]
    nodes = _chosen_matches(matches, feature, pattern).sort_values(["doc_id", "start"], kind="stable")
    words = matches[matches["layer"] == layer].reset_index(drop=True).rename_axis("_word").reset_index()
    if words.empty:
        _check_feature(matches, layer, "")
    mentions = nodes.groupby(unit, sort=True).agg(n_mentions=("text", "size"), mentions=("text", "; ".join))
    near = words.merge(mentions.reset_index(), on=unit, how="inner")
    pairs = near[unit + ["_word", "start", "end"]].merge(
        nodes[unit + ["start", "end"]].rename(columns={"start": "_start", "end": "_end"}), on=unit, how="inner")
    overlapping = pairs.loc[(pairs["start"] < pairs["_end"]) & (pairs["end"] > pairs["_start"]), "_word"]
    near = near[~near["_word"].isin(overlapping)]
    near = near.assign(word=near["text"].astype(str).str.lower(), n_mentions=near["n_mentions"].astype("int64"))
    return near.sort_values(["doc_id", "start", "end"], kind="stable", ignore_index=True)[columns]


def find_conditionals(tokens: pd.DataFrame, *, markers: Sequence[str] = CONDITIONAL_MARKERS) -> pd.DataFrame:
    """The markers of conditional clauses ("if", "unless", "provided that"...) as a matches table.

    Layer ``conditional``, label ``conditional``, ``pattern`` the marker; word forms are matched
    case-insensitively and a longer marker wins over a shorter one inside it. The rows feed
    :func:`count_matches`, :func:`group_rates` and ``concordance.kwic(by="label")`` like any
    lexicon layer. A marker is not a meaning: "if" also opens indirect questions ("asked if") and
    "as long as" can be temporal; read the sentences (``kwic(context="sentence")``).

    >>> find_conditionals(corpus.tokens)["pattern"].value_counts()          # doctest: +SKIP
    """
    from .lexicon import MATCH_COLUMNS, match_tokens

    markers = list(dict.fromkeys(str(m).strip() for m in markers if str(m).strip()))
    if not markers:
        raise ValueError("markers must hold at least one word or phrase")
    entries = pd.DataFrame({"layer": "conditional", "label": "conditional", "pattern": markers, "match": "form"})
    return match_tokens(tokens, entries)[MATCH_COLUMNS]


# --- actors, framing, questions and answers --------------------------------------------------------

#: The units within which two actors count as named together (:func:`actor_cooccurrence`).
COOCCURRENCE_UNITS = {"sentence": ["doc_id", "sentence_id"], "turn": ["doc_id", "turn_id"], "document": ["doc_id"]}
EDGE_COLUMNS = ["source", "target", "weight"]

#: Words and phrases that commonly trigger a presupposition, by kind (after the list of
#: Levinson 1983, *Pragmatics*, pp. 181-185, which follows Karttunen). Patterns are word forms,
#: case-insensitive, ``*`` a wildcard; where two overlap the longer wins. A trigger marks a
#: candidate for reading, not a proven presupposition: "since" may be causal, "left" may mean
#: departed, "the start of" is a definite description as much as a change of state.
PRESUPPOSITION_TRIGGERS: dict[str, tuple[str, ...]] = {
    "factive": ("understand correctly that", "know that", "knew that", "realize that", "realise that",
                "aware that", "the fact that", "regret*"),
    "change of state": ("stop", "stops", "stopped", "stopping", "continue*", "no longer", "still",
                        "begin*", "began", "begun", "start", "starts", "started", "the start of",
                        "remain*", "have left", "has left", "had left"),
    "iterative": ("again", "another", "anymore", "any more", "return to", "returned to", "back to",
                  "restore*", "resum*"),
    "temporal clause": ("after which", "after", "before", "since", "when", "while"),
    "implicative": ("manage*", "forget to", "forgot to", "happen to", "happened to", "avoid*"),
}
PRESUPPOSITION_COLUMNS = ["doc_id", "turn_id", "sentence_id", "start", "end", "trigger", "text", "pattern", "sentence"]


def actor_cooccurrence(matches: pd.DataFrame, *, unit: str = "sentence", layer: str = "actor") -> pd.DataFrame:
    """Edges of the actor co-occurrence network: ``source, target, weight``.

    Two actors (labels of the ``actor`` layer) co-occur when one unit -- a sentence by default,
    or a ``"turn"`` or ``"document"`` -- names both; ``weight`` is the number of units naming
    both, however often each is named in them (the unit co-occurrence count of semantic network
    analysis; van Atteveldt 2008, *Semantic Network Analysis*, ch. 4). Edges are undirected:
    ``source`` sorts before ``target``, and an actor never pairs with itself. Rows are sorted
    by weight (descending), then source and target. Co-occurrence says nothing about how the
    two are related: read the sentences (:func:`explain`).

    >>> m = pd.DataFrame({"doc_id": "d", "turn_id": 0, "sentence_id": [0, 0, 0, 1, 1],
    ...                   "layer": "actor", "label": ["Russia", "NATO", "Russia", "NATO", "Russia"]})
    >>> actor_cooccurrence(m).to_dict("records")
    [{'source': 'NATO', 'target': 'Russia', 'weight': 2}]
    """
    if unit not in COOCCURRENCE_UNITS:
        raise ValueError(f"unit must be one of {', '.join(COOCCURRENCE_UNITS)}, not {unit!r}")
    keys = COOCCURRENCE_UNITS[unit]
    named = matches.loc[matches["layer"] == layer, keys + ["label"]].drop_duplicates()
    if named.empty:
        _check_feature(matches, layer, "")
    named = named.assign(label=named["label"].astype(str))
    pairs = named.merge(named, on=keys, suffixes=("_a", "_b"))
    pairs = pairs[pairs["label_a"] < pairs["label_b"]]
    edges = pairs.groupby(["label_a", "label_b"], sort=True).size().rename("weight").reset_index()
    edges = edges.rename(columns={"label_a": "source", "label_b": "target"})
    edges["weight"] = edges["weight"].astype("int64")
    edges = edges.sort_values(["weight", "source", "target"], ascending=[False, True, True], kind="stable")
    return edges[EDGE_COLUMNS].reset_index(drop=True)


def pooled_rates(
    counts: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    level: str = "label",
    interval: str | None = None,
    confidence: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Counts and rates per 1,000 tokens pooled over the units of :func:`count_matches`, in groups.

    ``counts`` is :func:`count_matches` output, per turn or per document, with any grouping
    columns merged in (a turn's ``role``, a document's ``country``); ``by`` names them (None:
    all units together). ``level="label"`` keeps each layer's labels apart; ``"layer"`` adds
    them up. ``count`` is the sum of the units' counts and ``n_tokens`` the sum of their tokens
    (each unit once), so ``per_1000 = count / n_tokens * 1000`` is the pooled normalised
    frequency (Biber, Conrad & Reppen 1998, p. 263), not the mean of the units' rates.

    ``interval`` adds ``ci_low`` and ``ci_high`` (per 1,000, at ``confidence``): ``"poisson"``
    the exact (Garwood 1936) interval of the pooled count, for the counts of one text;
    ``"bootstrap"`` resamples the group's units (documents) with
    :func:`analysis.stats.bootstrap_rate`, for a corpus whose documents differ.

    >>> c = count_matches(matches, tokens, turns=turns).merge(turns[["doc_id", "turn_id", "role"]])  # doctest: +SKIP
    >>> pooled_rates(c[c["layer"] == "hedge"], by="role")                                           # doctest: +SKIP
    """
    if level not in ("label", "layer"):
        raise ValueError(f"level must be 'label' or 'layer', not {level!r}")
    groups = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [column for column in groups if column not in counts.columns]
    if missing:
        raise ValueError(f"the counts lack the grouping column(s) {missing}")
    units = [key for key in ("doc_id", "turn_id") if key in counts.columns]
    feature_keys = ["layer"] + (["label"] if level == "label" else [])
    table = counts.assign(_all=0)
    groups = groups or ["_all"]
    sizes = table.drop_duplicates(units).groupby(groups, sort=True)["n_tokens"].sum().reset_index()
    summed = table.groupby(groups + feature_keys, sort=True)["count"].sum().reset_index()
    pooled = summed.merge(sizes, on=groups, how="left")
    pooled["count"] = pooled["count"].astype("int64")
    pooled["n_tokens"] = pooled["n_tokens"].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled["per_1000"] = np.where(pooled["n_tokens"] > 0, pooled["count"] / pooled["n_tokens"] * 1000.0, np.nan)
    if interval == "poisson":
        from .stats import poisson_rate_interval

        pooled["ci_low"], pooled["ci_high"] = poisson_rate_interval(pooled["count"], pooled["n_tokens"], per=1000,
                                                                    level=confidence)
    elif interval == "bootstrap":
        from .stats import bootstrap_rate

        unit_rows = table.drop_duplicates(units).set_index(units)
        wide = table.pivot_table(index=units, columns=feature_keys, values="count", aggfunc="sum", fill_value=0)
        wide = wide.reindex(unit_rows.index, fill_value=0)
        bounds = []
        for row in pooled.to_dict("records"):
            members = (unit_rows[groups] == [row[g] for g in groups]).all(axis=1).to_numpy()
            feature = tuple(row[k] for k in feature_keys)
            column = wide[feature if len(feature) > 1 else feature[0]].to_numpy()
            _, low, high = bootstrap_rate(column[members], unit_rows["n_tokens"].to_numpy()[members], per=1000,
                                          n_boot=n_boot, level=confidence, seed=seed)
            bounds.append((low, high))
        pooled["ci_low"] = [low for low, _ in bounds]
        pooled["ci_high"] = [high for _, high in bounds]
    elif interval is not None:
        raise ValueError(f"interval must be None, 'poisson' or 'bootstrap', not {interval!r}")
    return pooled.drop(columns=["_all"], errors="ignore").reset_index(drop=True)


def actor_sentiment(
    sentiment: pd.DataFrame, matches: pd.DataFrame, *, camps: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Each sentence's VADER scores once for every actor it names: sentiment by actor.

    ``sentiment`` is :func:`sentence_sentiment`'s table; ``matches`` supplies the ``actor``
    layer. Columns: ``doc_id, turn_id, sentence_id, actor, camp, neg, neu, pos, compound``,
    one row per sentence and actor (an actor named twice in a sentence counts once), sorted
    by document, sentence and actor. A sentence naming two actors appears under both: the
    score belongs to the sentence, not to what is said about either actor.
    """
    keys = ["doc_id", "sentence_id"]
    actors = matches.loc[matches["layer"] == "actor", keys + ["label"]].drop_duplicates()
    actors = actors.rename(columns={"label": "actor"})
    table = sentiment.merge(actors, on=keys, how="inner")
    table = table.merge(actor_camps() if camps is None else camps, on="actor", how="left")
    table["camp"] = table["camp"].fillna("").astype(str)
    columns = ["doc_id", "turn_id", "sentence_id", "actor", "camp", "neg", "neu", "pos", "compound"]
    return table[columns].sort_values(["doc_id", "sentence_id", "actor"], kind="stable", ignore_index=True)


def question_presuppositions(
    tokens: pd.DataFrame,
    turns: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    triggers: dict[str, Sequence[str]] | None = None,
    role: str = "question",
) -> pd.DataFrame:
    """Presupposition triggers in the question turns, each with its sentence.

    ``triggers`` maps a kind to word-form patterns (default :data:`PRESUPPOSITION_TRIGGERS`);
    they are matched with the lexicon matcher (:func:`analysis.lexicon.match_tokens`), so a
    phrase never crosses a sentence end and overlapping patterns count once. Only turns whose
    ``role`` is ``role`` are searched. Columns: ``doc_id, turn_id, sentence_id, start, end,
    trigger`` (the kind), ``text`` (the matched words), ``pattern, sentence``, in document order.
    Offsets point into the document, as in ``matches``.
    """
    from .lexicon import match_tokens

    chosen = turns.loc[turns["role"] == role, ["doc_id", "turn_id"]]
    asked = tokens.merge(chosen, on=["doc_id", "turn_id"], how="inner")
    entries = pd.DataFrame(
        [("presupposition", kind, pattern, "form")
         for kind, patterns in (PRESUPPOSITION_TRIGGERS if triggers is None else triggers).items()
         for pattern in patterns],
        columns=["layer", "label", "pattern", "match"])
    if asked.empty or entries.empty:
        return pd.DataFrame(columns=PRESUPPOSITION_COLUMNS)
    found = match_tokens(asked, entries).rename(columns={"label": "trigger"})
    context = sentences[["doc_id", "sentence_id", "text"]].rename(columns={"text": "sentence"})
    found = found.merge(context, on=["doc_id", "sentence_id"], how="left")
    return found.sort_values(["doc_id", "start", "end"], kind="stable", ignore_index=True)[PRESUPPOSITION_COLUMNS]



#: Columns of :func:`rate_intervals` after the grouping columns.
INTERVAL_COLUMNS = ["n_documents", "n_units", "n_tokens", "count", "rate", "ci_low", "ci_high"]


def _with_month(documents: pd.DataFrame) -> pd.DataFrame:
    """``documents`` with a ``month`` column (1-12) from ``date``, unless it has one."""
    if "month" in documents.columns:
        return documents
    if "date" not in documents.columns:
        raise ValueError("documents has neither a 'month' nor a 'date' column to group by month")
    dates = pd.to_datetime(documents["date"], errors="coerce")
    return documents.assign(month=dates.dt.month.astype("Int64"))


def document_counts(
    matches: pd.DataFrame,
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    feature: str,
    turns: pd.DataFrame | None = None,
    roles: str | Sequence[str] | None = None,
    pattern: str | None = None,
    unit: str = "document",
) -> pd.DataFrame:
    """Matches of one label (or layer) and non-punctuation tokens per document, in chosen turns only.

    ``documents`` says which documents count (one row each, all its columns kept). With
    ``roles`` ("answer", or ``["question", "answer"]``) only the turns of ``turns`` with these
    roles count, for the matches and the tokens alike; without it, the whole document. A
    document without such a turn keeps its row, with 0 tokens and 0 matches. ``feature`` and
    ``pattern`` as in :func:`group_rates`. ``unit="turn"`` gives one row per chosen turn
instead (with ``turn_id``; needs ``turns``). Columns: those of ``documents`` (its own
``n_tokens``, the whole document's, replaced), ``n_tokens``, ``count``.

    >>> answers = document_counts(corpus.matches, corpus.tokens, corpus.documents,
    ...                           feature="theme:sanctions", turns=corpus.turns, roles="answer")  # doctest: +SKIP
    """
    docs = documents.drop_duplicates("doc_id").drop(columns=["n_tokens", "count"], errors="ignore")
    docs = docs.reset_index(drop=True)
    # only the columns counted here: filtering the token texts of a large corpus would cost most of the time
    tokens = tokens[[column for column in ("doc_id", "turn_id", "is_punct") if column in tokens.columns]]
    chosen_tokens = tokens[tokens["doc_id"].isin(docs["doc_id"])]
    chosen_matches = _chosen_matches(matches, feature, pattern)
    chosen_matches = chosen_matches[chosen_matches["doc_id"].isin(docs["doc_id"])]
    unit_keys = _keys(unit)
    if (roles is not None or unit == "turn") and turns is None:
        raise ValueError("roles and unit='turn' need the turns table (turns=...)")
    units = None
    if turns is not None and (roles is not None or unit == "turn"):
        units = turns[turns["doc_id"].isin(docs["doc_id"])]
        if roles is not None:
            units = units[units["role"].isin(_wanted_roles(turns, roles))]
        units = units[["doc_id", "turn_id"]].drop_duplicates()
        chosen_tokens = chosen_tokens.merge(units, on=["doc_id", "turn_id"], how="inner")
        chosen_matches = chosen_matches.merge(units, on=["doc_id", "turn_id"], how="inner")
    sizes = word_counts(chosen_tokens, turns=units if unit == "turn" else None, unit=unit)
    counted = chosen_matches.groupby(unit_keys, sort=True).size().rename("count").reset_index()
    table = docs.merge(sizes, on="doc_id", how="left" if unit == "document" else "inner")
    table = table.merge(counted, on=unit_keys, how="left")
    table["n_tokens"] = table["n_tokens"].fillna(0).astype("int64")
    table["count"] = table["count"].fillna(0).astype("int64")
    return table


def rate_intervals(
    matches: pd.DataFrame,
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    feature: str,
    by: str | Sequence[str] | None = None,
    turns: pd.DataFrame | None = None,
    roles: str | Sequence[str] | None = None,
    pattern: str | None = None,
    unit: str = "document",
    per: int = 10_000,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """A label's rate per ``per`` tokens of chosen turns in groups of documents, with document-bootstrap intervals.

    The unit of analysis is the document: :func:`document_counts` gives each document's
    matches and tokens (in the turns of ``roles`` only, when given), the group's rate pools
    them (``sum(count) / sum(n_tokens) * per``, as :func:`group_rates`), and
    :func:`analysis.stats.bootstrap_rate` resamples the group's documents ``n_boot`` times
    for a percentile interval (``ci_low``, ``ci_high``) at ``level``. Matches within a document
    are not independent (a briefing on sanctions says "sanctions" twenty times), so a test
    that treats tokens as independent draws would give intervals far too narrow.
    ``unit="turn"`` resamples turns instead: the only choice for a group of one document
    (a single interview), where it says how much the rate owes to a few answers.

    ``n_units`` is the number of resampled units (documents, or turns), ``n_documents`` the
    documents they come from. ``by`` names columns of ``documents`` (``kind``, ``country``, ``year``); ``"month"`` (1-12)
    is taken from ``date`` when ``documents`` has no such column. None: one group of all.
    Documents without tokens in the chosen turns do not enter their group. Rows are sorted by
    ``by``; columns are ``by`` + :data:`INTERVAL_COLUMNS`.

    >>> rate_intervals(corpus.matches, corpus.tokens, corpus.documents, feature="theme:sanctions",
    ...                by="kind", turns=corpus.turns, roles="answer")  # doctest: +SKIP
    """
    from .stats import bootstrap_rate

    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    if "month" in by:
        documents = _with_month(documents)
    missing = [key for key in by if key not in documents.columns]
    if missing:
        raise ValueError(f"documents has no column(s) {missing}; it has {list(documents.columns)}")
    counts = document_counts(matches, tokens, documents, feature=feature, turns=turns, roles=roles,
                             pattern=pattern, unit=unit)
    counts = counts[counts["n_tokens"] > 0].assign(_all=0)
    keys = by or ["_all"]
    rows = []
    for key, group in counts.groupby(keys, sort=True, dropna=False):
        rate, low, high = bootstrap_rate(group["count"].to_numpy(), group["n_tokens"].to_numpy(), per=per,
                                         n_boot=n_boot, level=level, seed=seed)
        key = key if isinstance(key, tuple) else (key,)
        rows.append((*key, group["doc_id"].nunique(), len(group), int(group["n_tokens"].sum()),
                     int(group["count"].sum()), rate, low, high))
    table = pd.DataFrame(rows, columns=keys + INTERVAL_COLUMNS).drop(columns=["_all"], errors="ignore")
    table.attrs.update(per=per, n_boot=n_boot, level=level, seed=seed, unit=unit)
    return table


#: The three sources of the capitals' comparison, in the order of tables and figures.
CAPITAL_SOURCES = ("Interview", "Kremlin", "White House")


def capital_sources(documents: pd.DataFrame, *, interview: str = "darchiev-interfax") -> pd.DataFrame:
    """The interview, the Kremlin's transcripts and the White House's briefings, with a ``source`` column.

    Kremlin: Russia's documents of every kind but ``speech`` (the UN statements) and the
    interview; White House: the United States' documents but ``speech``. ``source`` is one of
    :data:`CAPITAL_SOURCES`, an ordered categorical. Raises ``ValueError`` if one is missing.

    >>> sources = capital_sources(corpus.documents)                   # doctest: +SKIP
    """
    not_speech = documents["kind"] != "speech"
    source = pd.Series(pd.NA, index=documents.index, dtype="object")
    source[not_speech & (documents["country"] == "Russia")] = "Kremlin"
    source[not_speech & (documents["country"] == "United States of America")] = "White House"
    source[documents["doc_id"] == interview] = "Interview"
    chosen = documents.assign(source=source)[source.notna()]
    absent = [name for name in CAPITAL_SOURCES if name not in set(chosen["source"])]
    if absent:
        raise ValueError(f"no document of the source(s) {absent} (interview id {interview!r})")
    chosen = chosen.assign(source=pd.Categorical(chosen["source"], categories=list(CAPITAL_SOURCES), ordered=True))
    return chosen.reset_index(drop=True)


def label_intervals(
    matches: pd.DataFrame,
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    turns: pd.DataFrame,
    labels: Sequence[str],
    layer: str = "theme",
    by: str = "source",
    roles: str | Sequence[str] | None = "answer",
    **options,
) -> pd.DataFrame:
    """:func:`rate_intervals` of several labels of a layer, one group of ``documents`` per value of ``by``.

    A group of several documents is resampled by document; a group of one document (the
    interview) by turn, the only spread it has: the ``unit`` column says which. ``options``
    go to :func:`rate_intervals` (``per``, ``n_boot``, ``level``, ``seed``). Columns:
    ``label``, ``by``, ``unit`` and :data:`INTERVAL_COLUMNS`, in the order of ``labels`` and ``by``.

    >>> label_intervals(corpus.matches, corpus.tokens, capital_sources(corpus.documents),
    ...                 turns=corpus.turns, labels=["sanctions", "nato"])          # doctest: +SKIP
    """
    sizes = documents.groupby(by, sort=True, observed=True)["doc_id"].nunique()
    parts = []
    for label in labels:
        for unit, groups in (("document", sizes.index[sizes > 1]), ("turn", sizes.index[sizes == 1])):
            if not len(groups):
                continue
            chosen = documents[documents[by].isin(list(groups))]
            table = rate_intervals(matches, tokens, chosen, feature=f"{layer}:{label}", by=by, turns=turns,
                                   roles=roles, unit=unit, **options)
            parts.append(table.assign(label=label, unit=unit))
    result = pd.concat(parts, ignore_index=True)
    result["_order"] = result["label"].map({label: i for i, label in enumerate(labels)})
    result = result.sort_values(["_order", by], kind="stable", ignore_index=True)
    return result[["label", by, "unit"] + INTERVAL_COLUMNS]


def mention_forms(
    matches: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    feature: str,
    by: str = "source",
    turns: pd.DataFrame | None = None,
    roles: str | Sequence[str] | None = "answer",
    top: int | None = None,
) -> pd.DataFrame:
    """How each group names one actor: the matched words (lower-cased) of ``feature``, counted per group.

    ``feature`` is ``"actor:United States"``; ``documents`` holds ``by`` (a ``source``);
    with ``roles`` only matches in turns of these roles count (needs ``turns``). Columns:
    ``by``, ``form``, ``count``, ``share`` (of the group's matches of ``feature``), sorted by
    group and count (most first, then form); ``top`` keeps each group's most frequent forms.

    >>> mention_forms(corpus.matches, capital_sources(corpus.documents), feature="actor:Russia",
    ...               turns=corpus.turns)                                     # doctest: +SKIP
    """
    if by not in documents.columns:
        raise ValueError(f"documents has no column {by!r}; it has {list(documents.columns)}")
    chosen = _chosen_matches(matches, feature, None)
    if roles is not None:
        if turns is None:
            raise ValueError("roles needs the turns table (turns=...)")
        keys = turns.loc[turns["role"].isin(_wanted_roles(turns, roles)), ["doc_id", "turn_id"]]
        chosen = chosen.merge(keys, on=["doc_id", "turn_id"], how="inner")
    chosen = chosen.merge(documents[["doc_id", by]], on="doc_id", how="inner")
    chosen = chosen.assign(form=chosen["text"].astype(str).str.lower().str.replace(r"\s+", " ", regex=True))
    counted = chosen.groupby([by, "form"], sort=True, observed=True).size().rename("count").reset_index()
    totals = counted.groupby(by, observed=True)["count"].transform("sum")
    counted["share"] = counted["count"] / totals
    counted = counted.sort_values([by, "count", "form"], ascending=[True, False, True], kind="stable")
    if top is not None:
        counted = counted.groupby(by, sort=False, observed=True).head(top)
    return counted.reset_index(drop=True)
