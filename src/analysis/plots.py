"""Figures from tidy tables in the package's one style, and saving them with stable bytes.

Every plot function takes a table (documented columns, renamable by keyword), draws on ``ax``
(or a new one-column figure) and returns the Axes with a title and labelled axes. Only
:func:`save_figure` writes files.

>>> use_style()                                             # doctest: +SKIP
>>> ax = keyness_plot(table, target_name="Interview", reference_name="UN")  # doctest: +SKIP
>>> save_figure(ax.figure, "keyness-interview")             # doctest: +SKIP
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import patches, patheffects, ticker
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from analysis import config
from analysis.files import write_atomic

COLUMN_WIDTH = 3.35
"""Width of a one-column figure in inches (most two-column journals: 8.5 cm)."""
DOUBLE_COLUMN_WIDTH = 7.0
"""Width of a figure spanning both columns in inches (about 17.8 cm)."""
FORMATS = ("pdf", "svg", "png")
"""The formats :func:`save_figure` writes by default (and the only ones it accepts)."""

_DEFAULT_HEIGHT = 2.4
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":")
# Metadata that would change from run to run or machine to machine (dates, tool versions).
_METADATA = {
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    "svg": {"Creator": None, "Date": None},
    "png": {"Software": None},
}
_UPRIGHT_COLUMNS = 8  # a heatmap with more columns than this turns its column labels upright
_TURN_LABEL_MIN_WIDTH = 0.04  # an x-ray labels a turn above the axes when it is this wide (share of the text)
_STANCE_LAYERS = ("modality", "hedge", "booster", "negation")
_UPTAKE_LABELS = {
    "responsiveness": "Responsiveness (P(clear reply) − P(non-reply))",
    "lemma_overlap": "Content-lemma overlap (0–1)",
    "tfidf_cosine": "tf-idf cosine similarity (0–1)",
}
_MEASURE_LABELS = {
    "mi": "MI (log₂ observed/expected)",
    "mi3": "MI³ (log₂ observed³/expected)",
    "t_score": "t-score",
    "z_score": "z-score",
    "dice": "Dice coefficient (0–1)",
    "log_dice": "logDice (maximum 14)",
    "g2": "Log-likelihood G²",
    "observed": "Co-occurrences (count)",
}


# --------------------------------------------------------------------------- style


def use_style() -> None:
    """Apply the paper style for the rest of the session.

    Seaborn's theme is set first and the style file (:data:`analysis.config.STYLE_FILE`)
    after it, so seaborn cannot override the style. Call it once at the top of a notebook.
    """
    import seaborn as sns

    sns.set_theme(context="paper", style="ticks", palette="colorblind")
    plt.style.use(config.STYLE_FILE)


@contextmanager
def style_context() -> Iterator[None]:
    """Apply the paper style inside a ``with`` block and restore the previous settings after.

    >>> with style_context():                                # doctest: +SKIP
    ...     ax = theme_heatmap(counts)
    ...     save_figure(ax.figure, "themes")
    """
    with mpl.rc_context():
        use_style()
        yield


def subplots(
    nrows: int = 1, ncols: int = 1, *, columns: int = 1, height: float | None = None, **kwargs: Any
) -> tuple[Figure, Any]:
    """A new figure one (``columns=1``) or two (``columns=2``) journal columns wide.

    Returns ``(figure, axes)`` as :func:`matplotlib.pyplot.subplots` does; the layout is
    constrained so that labels fit while the size stays exact.
    """
    if columns not in (1, 2):
        raise ValueError(f"columns must be 1 or 2, not {columns!r}")
    width = COLUMN_WIDTH if columns == 1 else DOUBLE_COLUMN_WIDTH
    kwargs.setdefault("layout", "constrained")
    return plt.subplots(nrows, ncols, figsize=(width, height or _DEFAULT_HEIGHT), **kwargs)


# --------------------------------------------------------------------------- plots


def theme_heatmap(
    counts: pd.DataFrame,
    *,
    turn: str = "turn_id",
    label: str = "label",
    value: str | None = None,
    layer: str | None = "theme",
    turns: Sequence[Any] | None = None,
    labels: Sequence[str] | None = None,
    value_label: str | None = None,
    annotate: bool = True,
    title: str = "Themes by turn",
    ax: Axes | None = None,
) -> Axes:
    """Turn-by-theme heatmap of one document: one row per theme, one column per turn.

    ``counts`` is either tidy, with columns ``turn_id`` and ``label`` -- the ``matches``
    table (one row per match) or the per-turn table of ``analysis.features.count_matches``
    (its ``count`` column) -- or already wide: index (or a ``turn_id`` column) = turns,
    numeric columns = themes. ``value`` names the column to sum; by default ``count`` when
    there is one, else the rows are counted. Rows of a ``layer`` column other than ``layer``
    are left out (``layer=None`` keeps all). ``turns``/``labels`` fix the order and add
    turns or themes without matches (shown as 0). Non-zero cells are annotated. Theme names
    are written with spaces for underscores ("world order"); with more than eight turns the
    turn labels stand upright so that they cannot run together.

    >>> theme_heatmap(corpus.matches.query("doc_id == 'darchiev-interfax'"))  # doctest: +SKIP
    """
    if label in counts.columns:
        _require(counts, [turn, label] + ([value] if value else []), "theme_heatmap")
        _one_document(counts, turn, "theme_heatmap")
        if layer is not None and "layer" in counts.columns:
            counts = counts[counts["layer"] == layer]
        wide = _tally(counts, turn, label, value)
    else:
        wide = counts.set_index(turn) if turn in counts.columns else counts
        if not all(pd.api.types.is_numeric_dtype(dtype) for dtype in wide.dtypes):
            raise ValueError(
                f"theme_heatmap: a table without a {label!r} column must be wide (index = turns, "
                f"numeric columns = themes); it has columns {list(counts.columns)}"
            )
    if turns is not None:
        wide = wide.reindex(list(turns), fill_value=0)
    if labels is not None:
        wide = wide.reindex(columns=list(labels), fill_value=0)
    if wide.empty:
        raise ValueError("theme_heatmap: no turns or themes to plot")
    matrix = wide.T.astype(float)  # themes down, turns across
    if ax is None:
        _, ax = subplots(columns=1 if matrix.shape[1] <= 16 else 2,
                         height=max(1.6, 0.6 + 0.2 * matrix.shape[0]))
    fig = ax.figure
    mesh = ax.pcolormesh(matrix.to_numpy(), cmap=mpl.rcParams["image.cmap"],
                         vmin=0, vmax=max(float(matrix.to_numpy().max()), 1.0),
                         edgecolors="0.85", linewidth=0.4)
    ax.set_xlim(0, matrix.shape[1])
    ax.set_ylim(matrix.shape[0], 0)
    ax.set_xticks(np.arange(matrix.shape[1]) + 0.5, [str(t) for t in matrix.columns])
    ax.set_yticks(np.arange(matrix.shape[0]) + 0.5, [_category_name(t) for t in matrix.index])
    ax.tick_params(length=0)
    if matrix.shape[1] > _UPRIGHT_COLUMNS:
        # many narrow columns: upright labels ("A9", "Q10", "A11") would run together
        ax.tick_params(axis="x", labelrotation=90)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if annotate and matrix.size <= 400:
        _annotate_cells(ax, mesh, matrix.to_numpy())
    unit = value_label or ("Matches (count)" if value in (None, "count") else _humanise(value))
    colorbar = fig.colorbar(mesh, ax=ax, pad=0.02, fraction=0.05, aspect=25)
    colorbar.set_label(unit)
    if all(float(v).is_integer() for v in matrix.to_numpy().ravel()):
        colorbar.ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    colorbar.outline.set_visible(False)
    colorbar.ax.tick_params(length=2)
    ax.set_xlabel("Turn (order in the document)")
    ax.set_ylabel("Theme")
    ax.set_title(title)
    return ax


def dispersion_plot(
    positions: pd.DataFrame,
    *,
    pattern: str | None = None,
    patterns: Sequence[str] | None = None,
    documents: Sequence[str] | None = None,
    turns: pd.DataFrame | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Lexical x-ray: a tick at each hit's relative position, for several patterns at once.

    ``positions`` has columns ``doc_id``, the pattern (``query`` as
    ``analysis.concordance.dispersion`` names it, or ``pattern``; ``pattern=`` names another)
    and ``position`` (0 = start of the document, 1 = end). Each document is a band; each
    pattern a coloured lane within it, so patterns never hide one another.
    ``patterns``/``documents`` fix the order and keep patterns or documents without hits (as
    empty lanes). With one document the lanes are labelled by pattern and the title names
    the document. Each lane has its own colour while there are no more lanes than colours
    in the style's palette (13).

    ``turns`` (one document only) marks its turns: columns ``start`` and ``end`` on the same
    0-1 scale as ``position``, optionally ``role`` (question turns are shaded grey) and
    ``label`` (written above the axes where the turn is wide enough). A thin line marks
    each boundary between turns.

    >>> positions = dispersion(corpus.tokens, ["theme:sanctions", "theme:nato"], by="label",
    ...                        matches=corpus.matches)                         # doctest: +SKIP
    >>> dispersion_plot(positions.query("doc_id == 'darchiev-interfax'"))     # doctest: +SKIP
    """
    if pattern is None:
        pattern = "query" if "query" in positions.columns else "pattern"
    _require(positions, ["doc_id", pattern, "position"], "dispersion_plot")
    values = pd.to_numeric(positions["position"], errors="coerce")
    if values.isna().any() or ((values < 0) | (values > 1)).any():
        raise ValueError("dispersion_plot: every position must be a number from 0 to 1")
    pattern_order = _order(positions[pattern], patterns)
    doc_order = _order(positions["doc_id"], documents)
    if not pattern_order or not doc_order:
        raise ValueError("dispersion_plot: no patterns or documents to plot")
    n_lanes = len(pattern_order)
    if ax is None:
        lanes = len(doc_order) * n_lanes
        _, ax = subplots(columns=1, height=max(1.5, 0.7 + 0.16 * lanes + 0.05 * len(doc_order)))
    colours = _colours(n_lanes)
    pattern_index = {p: i for i, p in enumerate(pattern_order)}
    doc_index = {d: i for i, d in enumerate(doc_order)}
    table = positions.assign(_x=values)
    for (doc, name), rows in table.groupby(["doc_id", pattern], sort=True):
        if doc not in doc_index or name not in pattern_index:
            continue
        lane = doc_index[doc] * (n_lanes + 0.5) + pattern_index[name]
        ax.vlines(np.sort(rows["_x"].to_numpy()), lane - 0.38, lane + 0.38,
                  colors=colours[pattern_index[name]], linewidth=1.1)
    band = n_lanes + 0.5
    if turns is not None:
        if len(doc_order) != 1:
            raise ValueError("dispersion_plot: turns can be marked for one document only")
        _mark_turns(ax, turns)
    # room above the axes for the turn labels, under the title
    pad = mpl.rcParams["axes.titlepad"] + (9 if turns is not None and "label" in turns.columns else 0)
    if len(doc_order) == 1:
        ax.set_yticks(np.arange(n_lanes), [_category_name(p) for p in pattern_order])
        ax.set_ylabel("Pattern")
        ax.set_title(title or f"Where the patterns occur: {doc_order[0]}", pad=pad)
    else:
        centres = np.arange(len(doc_order)) * band + (n_lanes - 1) / 2
        ax.set_yticks(centres, [str(d) for d in doc_order])
        for i in range(1, len(doc_order)):
            ax.axhline(i * band - 0.75, color="0.8", linewidth=0.4)
        ax.legend(handles=[Line2D([], [], color=colours[i], linewidth=1.5, label=_category_name(p))
                           for i, p in enumerate(pattern_order)],
                  title="Pattern", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        ax.set_ylabel("Document")
        ax.set_title(title or "Where the patterns occur")
    ax.set_xlim(0, 1)
    ax.set_ylim(len(doc_order) * band - 1.0, -0.6)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel("Position in the document (0 = start, 1 = end)")
    return ax


def _mark_turns(ax: Axes, turns: pd.DataFrame) -> None:
    """Shade question turns, draw a line at each boundary between turns, label wide turns on top."""
    _require(turns, ["start", "end"], "dispersion_plot(turns=...)")
    spans = turns.sort_values("start", kind="stable")
    starts, ends = spans["start"].to_numpy(float), spans["end"].to_numpy(float)
    if ((starts < 0) | (ends > 1) | (ends < starts)).any():
        raise ValueError("dispersion_plot: turn spans must lie from 0 to 1, start before end")
    roles = spans["role"].tolist() if "role" in spans.columns else [None] * len(spans)
    for start, end, role in zip(starts, ends, roles):
        if role == "question":
            ax.axvspan(start, end, color="0.9", linewidth=0, zorder=0)
    for boundary in starts[1:]:
        ax.axvline(boundary, color="0.55", linewidth=0.4, zorder=0.5)
    if "label" in spans.columns:
        size = mpl.rcParams["xtick.labelsize"]
        size = size if isinstance(size, (int, float)) else 7
        for start, end, label in zip(starts, ends, spans["label"]):
            if end - start >= _TURN_LABEL_MIN_WIDTH:
                ax.text((start + end) / 2, 1.0, str(label), transform=ax.get_xaxis_transform(),
                        ha="center", va="bottom", fontsize=size - 1, color="0.3")


def _corpus_size(table: pd.DataFrame, count: str, per_million: str) -> float | None:
    """A corpus size recovered from a keyness table: ``count / per_million * 1e6`` of a row with a count."""
    if per_million not in table.columns:
        return None
    rows = table[(table[count].astype(float) > 0) & (table[per_million].astype(float) > 0)]
    if rows.empty:
        return None
    return float(round(rows[count].astype(float).iloc[0] / rows[per_million].astype(float).iloc[0] * 1e6))


def keyness_plot(
    keyness: pd.DataFrame,
    *,
    score: str = "g2",
    n: int = 15,
    negative: int = 0,
    target_name: str = "target",
    reference_name: str = "reference",
    target_size: float | None = None,
    reference_size: float | None = None,
    alpha: float | None = 0.05,
    threshold: float | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the top keywords' scores, with their raw counts and the corpus sizes printed beside.

    ``keyness`` has columns ``term``, ``target`` and ``reference`` (raw counts), ``g2`` and
    ``log_ratio`` -- the table ``analysis.stats.keyness`` returns. ``score`` is the column
    the bars show (``g2`` or ``log_ratio``); G² is signed by the direction of ``log_ratio``
    (positive = more frequent in the target). The ``n`` strongest positive keywords are
    shown, and the ``negative`` strongest negative ones below them. Ties are broken by term.

    Each count column is headed by its corpus name and size in tokens (``target_size``,
    ``reference_size``; by default recovered from the ``target_pm`` and ``reference_pm``
    columns), so a count can be read against what it is a count of. A dashed line marks the
    significance threshold: for G², the critical value of chi-square with 1 df at ``alpha``
    (3.84 at 0.05; on both sides when negative keywords are shown); ``threshold`` draws it at
    a value of your own instead (a BIC-based cut, say). The log ratio is an effect size and
    gets no line unless ``threshold`` is given; ``alpha=None`` draws none.

    >>> ax = keyness_plot(stats.keyness(answers, russia), n=12, target_name="Answers")  # doctest: +SKIP
    """
    _require(keyness, ["term", "target", "reference", "g2", "log_ratio", score], "keyness_plot")
    if n < 0 or negative < 0:
        raise ValueError("keyness_plot: n and negative must be zero or more")
    if alpha is not None and not 0 < alpha < 1:
        raise ValueError(f"keyness_plot: alpha must lie between 0 and 1, not {alpha!r}")
    sizes = {"target": target_size if target_size is not None else _corpus_size(keyness, "target", "target_pm"),
             "reference": (reference_size if reference_size is not None
                           else _corpus_size(keyness, "reference", "reference_pm"))}
    table = keyness.loc[:, list(dict.fromkeys(["term", "target", "reference", "log_ratio", score]))]
    table = table.assign(term=table["term"].astype(str))
    signed = table[score].astype(float)
    if score != "log_ratio":
        signed = signed.abs() * np.sign(table["log_ratio"].astype(float))
    table = table.assign(_score=signed)
    ranked = table.sort_values(["_score", "term"], ascending=[False, True], kind="mergesort")
    up = ranked[ranked["log_ratio"] > 0].head(n)
    down = ranked[ranked["log_ratio"] < 0].tail(negative) if negative else ranked.iloc[:0]
    shown = pd.concat([up, down], ignore_index=True)
    if shown.empty:
        raise ValueError("keyness_plot: no keywords to plot (no rows with the requested direction)")
    if ax is None:
        _, ax = subplots(columns=1, height=max(1.8, 0.9 + 0.15 * len(shown)))
    colours = _colours(2)
    y = np.arange(len(shown))
    ax.barh(y, shown["_score"], height=0.7,
            color=[colours[0] if s >= 0 else colours[1] for s in shown["_score"]])
    ax.set_yticks(y, shown["term"].tolist())
    ax.set_ylim(len(shown) - 0.5, -2.2)  # the top rows hold the count headers and corpus sizes
    ax.axvline(0, color="black", linewidth=0.6)
    ax.tick_params(axis="y", length=0)
    _count_columns(ax, y, shown, [("target", target_name), ("reference", reference_name)],
                   sizes=[f"{value:,.0f}" if value is not None else "" for value in sizes.values()])
    cut, cut_label = threshold, None
    if cut is not None:
        cut_label = f"threshold\n{cut:g}"
    elif alpha is not None and score in ("g2", "g2_2cell"):
        from scipy.stats import chi2

        cut = float(chi2.ppf(1 - alpha, 1))
        cut_label = f"p = {alpha:g}\nG² = {cut:.2f}"
    if cut is not None:
        sides = [cut, -cut] if (shown["_score"] < 0).any() else [cut]
        for side in sides:
            ax.axvline(side, color="0.3", linewidth=0.7, linestyle="--")
        ax.annotate(cut_label, (cut, -1.35), xytext=(2, 0), textcoords="offset points", ha="left", va="center",
                    fontsize=_tick_size(), color="0.3")
    label = {"g2": "Log-likelihood G² (signed)",
             "g2_2cell": "Log-likelihood G², two-cell (signed)",
             "log_ratio": "Log ratio (log₂ of relative frequencies)"}.get(score, _humanise(score))
    ax.set_xlabel(label)
    ax.set_ylabel("Keyword")
    ax.set_title(title or f"Keywords: {target_name} vs {reference_name}")
    return ax


def _poisson_rate_interval(count, n_tokens, *, per: int = 10_000, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The exact (Garwood 1936) interval of rates: :func:`analysis.stats.poisson_rate_interval`."""
    from .stats import poisson_rate_interval

    return poisson_rate_interval(count, n_tokens, per=per, level=level)


def rate_over_time(
    rates: pd.DataFrame,
    *,
    x: str = "year",
    group: str = "country",
    value: str = "rate",
    per: int = 10_000,
    connect: bool = False,
    few: int = 5,
    what: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A rate through the years (or months) as points, one colour and marker per group (country).

    ``rates`` has columns ``year``, ``country`` and ``rate`` (per ``per`` tokens, 10,000
    by default). Each group gets its own colour and marker, so the groups stay apart in
    greyscale; groups are drawn in sorted order, so a country keeps its colour. By default
    the points are not joined: in the UN data each (country, year) point is one speech, and a
    line would draw a trend through single texts. ``connect=True`` joins them (each group with
    its own line style), for points that each pool many documents (the White House's months).
    Where the table also has ``count`` and ``n_tokens`` (as :func:`analysis.features.group_rates`
    gives), each point gets its 95 % interval (exact Poisson intervals), so that a point
    resting on one or two matches shows how little it says. Where it has ``ci_low`` and
    ``ci_high`` (:func:`analysis.features.rate_intervals`), those bootstrap intervals are drawn instead.
    Where it has ``count``, each point resting on one to ``few - 1`` matches is labelled ``n=K``
    (a point on the zero line has none, which its place already says).

    >>> rates = pd.DataFrame({"year": [2021, 2022], "country": "RUS", "rate": [2.0, 9.5],
    ...                       "count": [1, 12], "n_tokens": [5_000, 12_600]})
    >>> ax = rate_over_time(rates, what="Sanctions")
    >>> [t.get_text() for t in ax.texts], ax.get_lines()[0].get_linestyle()
    (['n=1'], 'None')
    """
    _require(rates, [x, group, value], "rate_over_time")
    if rates.empty:
        raise ValueError("rate_over_time: the table has no rows")
    if ax is None:
        _, ax = subplots(columns=1, height=2.3)
    groups = sorted(rates[group].astype(str).unique())
    colours = _colours(len(groups))
    bootstrap = {"ci_low", "ci_high"} <= set(rates.columns)
    with_intervals = bootstrap or {"count", "n_tokens"} <= set(rates.columns)
    for i, name in enumerate(groups):
        rows = rates[rates[group].astype(str) == name].sort_values(x, kind="mergesort")
        ax.plot(rows[x], rows[value], color=colours[i], marker=_MARKERS[i % len(_MARKERS)],
                linestyle=_LINESTYLES[i % len(_LINESTYLES)] if connect else "none",
                markersize=3, linewidth=1.0, label=name)
        if with_intervals:
            if bootstrap:
                low, high = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
            else:
                low, high = _poisson_rate_interval(rows["count"], rows["n_tokens"], per=per)
            ax.vlines(rows[x], low, high, color=colours[i], linewidth=0.5, alpha=0.45, zorder=1)
        if "count" in rows.columns:
            for at, rate, count in zip(rows[x], rows[value], rows["count"]):
                if 0 < count < few:
                    ax.annotate(f"n={int(count)}", (at, rate), xytext=(2, 2), textcoords="offset points",
                                fontsize=_tick_size() - 2, color=colours[i])
    ax.set_ylim(bottom=0)
    ax.margins(x=0.02)
    if pd.api.types.is_integer_dtype(rates[x]):
        ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    handles, _ = ax.get_legend_handles_labels()
    if with_intervals:
        handles.append(Line2D([], [], color="0.4", linewidth=0.5,
                              label="95 % bootstrap interval" if bootstrap else "95 % interval"))
    ax.legend(handles=handles, title=_humanise(group), loc="best")
    ax.set_xlabel(_humanise(x) if x != "year" else "Year")
    ax.set_ylabel(f"Rate per {per:,} tokens")
    ax.set_title(title or (f"{what} over time" if what else "Rate over time"))
    return ax


def interval_plot(
    table: pd.DataFrame,
    *,
    y: str = "source",
    hue: str | None = "label",
    value: str = "rate",
    low: str = "ci_low",
    high: str = "ci_high",
    order: Sequence[Any] | None = None,
    per: int = 10_000,
    legend: str = "best",
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Rates as points with their intervals: one row per value of ``y``, points of ``hue`` side by side.

    ``table`` is :func:`analysis.features.rate_intervals` or ``label_intervals`` output. Rows
    follow ``order`` (else the table's order), top to bottom; each ``hue`` (a theme) has its
    own colour and marker, so the points stay apart in greyscale. The whiskers are the
    ``low``-``high`` interval; a point of a group resampled by turn (``unit == "turn"``) is
    drawn hollow, and the legend (placed at ``legend``, a Matplotlib location) says so.
    """
    _require(table, [y, value, low, high] + ([hue] if hue else []), "interval_plot")
    if table.empty:
        raise ValueError("interval_plot: the table has no rows")
    if ax is None:
        _, ax = subplots(columns=1, height=2.4)
    rows = _order(table[y], order)
    hues = _order(table[hue], None) if hue else [None]
    colours = _colours(len(hues))
    step = 0.7 / max(len(hues), 1)
    for i, name in enumerate(hues):
        part = table if hue is None else table[table[hue] == name]
        position = {row: k for k, row in enumerate(rows)}
        ys = np.array([position[r] for r in part[y]], dtype=float) + (i - (len(hues) - 1) / 2) * step
        values = part[value].to_numpy(dtype=float)
        errors = [values - part[low].to_numpy(dtype=float), part[high].to_numpy(dtype=float) - values]
        ax.errorbar(values, ys, xerr=errors, fmt="none", ecolor=colours[i], elinewidth=0.8, capsize=1.5)
        hollow = (part["unit"] == "turn").to_numpy() if "unit" in part.columns else np.zeros(len(part), bool)
        marker = _MARKERS[i % len(_MARKERS)]
        ax.plot(values[~hollow], ys[~hollow], linestyle="none", marker=marker, color=colours[i], markersize=4,
                label=str(name) if hue else value)
        ax.plot(values[hollow], ys[hollow], linestyle="none", marker=marker, markersize=4,
                markerfacecolor="white", markeredgecolor=colours[i])
    ax.set_yticks(range(len(rows)), [str(r) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(left=0)
    handles, _ = ax.get_legend_handles_labels()
    if "unit" in table.columns and (table["unit"] == "turn").any():
        handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
                              markeredgecolor="0.3", markersize=4, label="hollow: turns resampled"))
    if hue:
        ax.legend(handles=handles, title=_humanise(hue), loc=legend)
    ax.set_xlabel(f"Rate per {per:,} tokens (95 % interval)")
    ax.set_ylabel(_humanise(y))
    ax.set_title(title or f"{_humanise(value)} with intervals")
    return ax


def keyness_grid_plot(
    table: pd.DataFrame,
    references: Sequence[str],
    *,
    n: int = 20,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Keywords against several references as a grid: one row per term, one column per reference.

    ``table`` is :func:`analysis.stats.keyness_across` output, ``references`` the names it was
    given. The first ``n`` rows are drawn in the table's order (sturdiest first); a cell is
    dark where the term is key against that reference and pale where not, and shows the
    signed G² ("–" where the term is too rare to test). The target's raw count follows the term.
    """
    _require(table, ["term", "target"] + [f"{kind} {name}" for name in references for kind in ("g2", "key")],
             "keyness_grid_plot")
    if table.empty:
        raise ValueError("keyness_grid_plot: the table has no rows")
    shown = table.head(n)
    if ax is None:
        _, ax = subplots(columns=1, height=0.6 + 0.16 * len(shown))
    key = np.column_stack([shown[f"key {name}"].to_numpy(dtype=bool) for name in references]).astype(float)
    ax.imshow(key, cmap="Greys", vmin=-0.35, vmax=1.6, aspect="auto", interpolation="nearest")
    for i in range(len(shown)):
        for j, name in enumerate(references):
            value = shown[f"g2 {name}"].iloc[i]
            text = "–" if pd.isna(value) else f"{value:.1f}"
            ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                    color="white" if key[i, j] else "black")
    import textwrap

    ax.set_xticks(range(len(references)), [textwrap.fill(str(name), 12) for name in references])
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(shown)), [f"{t} ({c:,})" for t, c in zip(shown["term"], shown["target"])])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xlabel("Signed G²; dark: key")
    ax.set_ylabel("Keyword (count in target)")
    ax.set_title(title or "Keywords against each reference")
    return ax


def collocates_plot(
    collocates: pd.DataFrame,
    *,
    measure: str = "log_dice",
    term: str = "collocate",
    count: str | None = "observed",
    n: int = 15,
    node: str | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot plot of the strongest collocates by one association measure, counts beside.

    ``collocates`` has columns ``collocate``, the measure (``log_dice`` by default; also
    ``mi``, ``mi3``, ``t_score``, ``z_score``, ``dice``, ``g2``...) and, if ``count`` is not
    None, the observed co-occurrence count printed beside each dot.
    """
    _require(collocates, [term, measure] + ([count] if count else []), "collocates_plot")
    table = collocates.assign(_term=collocates[term].astype(str),
                              _score=collocates[measure].astype(float))
    table = table.sort_values(["_score", "_term"], ascending=[False, True], kind="mergesort")
    table = table.head(n)
    if table.empty:
        raise ValueError("collocates_plot: the table has no rows")
    if ax is None:
        _, ax = subplots(columns=1, height=max(1.6, 0.75 + 0.15 * len(table)))
    y = np.arange(len(table))
    low = min(0.0, float(table["_score"].min()))
    colour = _colours(1)[0]
    ax.hlines(y, low, table["_score"], color="0.75", linewidth=0.8)
    ax.plot(table["_score"], y, "o", color=colour, markersize=4)
    ax.set_yticks(y, table["_term"].tolist())
    ax.set_ylim(len(table) - 0.5, -1.4 if count else -0.5)
    ax.tick_params(axis="y", length=0)
    if count:
        _count_columns(ax, y, table, [(count, "n")])
    ax.set_xlabel(_MEASURE_LABELS.get(measure, _humanise(measure)))
    ax.set_ylabel("Collocate")
    ax.set_title(title or (f"Collocates of “{node}”" if node else "Collocates"))
    return ax


def actor_network(
    edges: pd.DataFrame,
    *,
    source: str = "source",
    target: str = "target",
    weight: str = "weight",
    groups: Mapping[str, str] | pd.Series | None = None,
    min_weight: float = 0,
    weight_label: str = "co-occurrences",
    seed: int = 0,
    title: str = "Actors named together",
    ax: Axes | None = None,
) -> Axes:
    """Co-occurrence network of actors, laid out by networkx's spring layout with a fixed seed.

    ``edges`` has columns ``source``, ``target`` and ``weight`` (for example the number of
    sentences naming both actors). Edges are undirected: (A, B) and (B, A) are summed, and
    self-loops dropped. Line width follows the weight, node size the weighted degree (the sum of
    a node's weights); a legend gives the smallest and largest of each. The positions come from
    ``networkx.spring_layout`` seeded with ``seed`` (Fruchterman & Reingold 1991), so the same
    table gives the same drawing; their coordinates mean nothing, so no axes are drawn. Names
    are placed where they overlap no other name and no node.
    ``groups`` maps actors to a group (e.g. the actor lexicon's camp) to colour the nodes.
    """
    import networkx as nx

    _require(edges, [source, target, weight], "actor_network")
    pairs = pd.DataFrame({
        "a": edges[source].astype(str), "b": edges[target].astype(str),
        "w": pd.to_numeric(edges[weight], errors="coerce"),
    })
    if pairs["w"].isna().any() or (pairs["w"] < 0).any():
        raise ValueError("actor_network: every weight must be a number of zero or more")
    pairs = pairs[pairs["a"] != pairs["b"]]
    ends = np.sort(pairs[["a", "b"]].to_numpy(dtype=object), axis=1)
    pairs = pd.DataFrame({"a": ends[:, 0], "b": ends[:, 1], "w": pairs["w"].to_numpy()}) \
        if len(pairs) else pairs
    pairs = pairs.groupby(["a", "b"], sort=True, as_index=False)["w"].sum()
    pairs = pairs[(pairs["w"] > 0) & (pairs["w"] >= min_weight)]
    if pairs.empty:
        raise ValueError("actor_network: no edges to draw")
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(pairs["a"]) | set(pairs["b"])))
    graph.add_weighted_edges_from(pairs.itertuples(index=False, name=None))
    layout = nx.spring_layout(graph, seed=seed, weight="weight")
    nodes = list(graph.nodes)
    xy = np.array([layout[node] for node in nodes])
    strength = np.array([graph.degree(node, weight="weight") for node in nodes], dtype=float)
    if ax is None:
        _, ax = subplots(columns=1, height=3.0)
    w_min, w_max = float(pairs["w"].min()), float(pairs["w"].max())

    def width(w: float) -> float:
        return 0.6 + 3.4 * ((w - w_min) / (w_max - w_min) if w_max > w_min else 0.5)

    segments = [(layout[a], layout[b]) for a, b, _ in pairs.itertuples(index=False, name=None)]
    ax.add_collection(LineCollection(segments, linewidths=[width(w) for w in pairs["w"]],
                                     colors="0.55", alpha=0.7, zorder=1))
    sizes = 30 + 270 * strength / strength.max()
    colours = _colours(8)
    handles: list[Line2D] = []
    if groups is not None:
        mapping = {str(k): str(v) for k, v in dict(groups).items()}
        names = sorted({mapping.get(node, "other") for node in nodes})
        index = {name: i for i, name in enumerate(names)}
        node_colours = [colours[index[mapping.get(node, "other")] % len(colours)] for node in nodes]
        handles = [Line2D([], [], marker="o", linestyle="", label=name,
                          color=colours[index[name] % len(colours)]) for name in names]
    else:
        node_colours = [colours[0]] * len(nodes)
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=node_colours, edgecolors="white", linewidths=0.6,
               zorder=2)
    weight_handles = [Line2D([], [], color="0.55", linewidth=width(w), label=f"{w:g}")
                      for w in sorted({w_min, w_max})]
    size_handles = [Line2D([], [], marker="o", linestyle="", color="0.55", markeredgecolor="white",
                           markersize=float(np.sqrt(30 + 270 * v / strength.max())), label=f"{v:g}")
                    for v in sorted({float(strength.min()), float(strength.max())})]
    legends = [(handles, None, "upper left", (1.0, 1.0)),
               (size_handles, "Node size: sum of its lines", "center left", (1.0, 0.5)),
               (weight_handles, f"Line: {_humanise(weight_label).lower()}", "lower left", (1.0, 0.0))]
    for number, (entries, heading, loc, anchor) in enumerate(legends):
        if not entries:
            continue
        legend = ax.legend(handles=entries, title=heading, loc=loc, bbox_to_anchor=anchor, borderaxespad=0.2)
        if number < len(legends) - 1:
            ax.add_artist(legend)
    span = max(float(np.ptp(xy[:, 0])), float(np.ptp(xy[:, 1])), 1e-9)
    ax.set_xlim(xy[:, 0].min() - 0.12 * span, xy[:, 0].max() + 0.12 * span)
    ax.set_ylim(xy[:, 1].min() - 0.1 * span, xy[:, 1].max() + 0.18 * span)
    # The layout's coordinates have no meaning: no axes, only the nodes, their links and their names.
    ax.set_axis_off()
    _place_labels(ax, xy, nodes, np.sqrt(sizes) / 2, order=np.argsort(-strength, kind="stable"))
    ax.set_title(title)
    return ax


def _place_labels(ax: Axes, xy: np.ndarray, names: list[str], radii: np.ndarray, *, order: np.ndarray) -> None:
    """Name each node beside it where the name overlaps no other name and no node.

    Nodes are named in ``order`` (the strongest first); for each, eight places around the node
    are tried, nearest first, then twice as far; the first place free of earlier names and of
    the nodes is taken (the last one tried if none is free). ``radii`` are the nodes' radii in
    points.
    """
    figure = ax.figure
    renderer = figure.canvas.get_renderer()
    to_pixels = ax.transData.transform
    scale = figure.dpi / 72
    centres = to_pixels(xy)
    node_boxes = [(cx - r * scale, cy - r * scale, cx + r * scale, cy + r * scale)
                  for (cx, cy), r in zip(centres, radii)]
    directions = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)]
    alignment = {-1: "right", 0: "center", 1: "left"}
    vertical = {-1: "top", 0: "center", 1: "bottom"}
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    placed: list[tuple[float, float, float, float]] = []

    def overlaps(box, others) -> bool:
        return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in others)

    for i in order:
        label = None
        for distance in (1.0, 2.0):
            for dx, dy in directions:
                gap = (radii[i] + 2) * distance
                offset = (dx * gap, dy * gap)
                if label is not None:
                    label.remove()
                label = ax.annotate(names[i], xy[i], xytext=offset, textcoords="offset points",
                                    ha=alignment[dx], va=vertical[dy], fontsize=7, zorder=3, path_effects=halo)
                extent = label.get_window_extent(renderer)
                box = (extent.x0, extent.y0, extent.x1, extent.y1)
                others = [b for j, b in enumerate(node_boxes) if j != i]
                if not overlaps(box, placed) and not overlaps(box, others):
                    break
            else:
                continue
            break
        placed.append(box)


def sentiment_plot(
    scores: pd.DataFrame,
    *,
    by: str = "turn_id",
    value: str = "compound",
    role: str | None = "role",
    title: str = "Sentiment",
    ax: Axes | None = None,
) -> Axes:
    """Mean sentiment per turn or per actor, with each sentence's score as a dot.

    ``scores`` has one row per sentence with columns ``by`` (``turn_id``, or e.g. ``actor``)
    and ``compound`` (VADER's compound score, -1 to +1), as
    ``analysis.features.sentence_sentiment`` gives it; one row per unit works too (e.g.
    ``mean_sentiment`` with ``value="mean_compound"``), without the dots. By turn, bars follow
    the turns' order and are coloured by ``role`` when that column is present (merge it from
    ``turns``); by any other column they are horizontal, from most negative to most positive.
    """
    _require(scores, [by, value], "sentiment_plot")
    if scores.empty:
        raise ValueError("sentiment_plot: the table has no rows")
    _one_document(scores, by, "sentiment_plot")
    table = scores.assign(_v=pd.to_numeric(scores[value], errors="coerce")).dropna(subset=["_v"])
    by_turn = pd.api.types.is_numeric_dtype(table[by])
    means = table.groupby(by, sort=True)["_v"].mean()
    if not by_turn:
        means = means.reset_index().assign(_k=lambda d: d[by].astype(str)) \
            .sort_values(["_v", "_k"], kind="mergesort").set_index(by)["_v"]
    groups = list(means.index)
    position = {g: i for i, g in enumerate(groups)}
    colours = _colours(3)
    bar_colours = [colours[0]] * len(groups)
    handles: list[Any] = []
    if by_turn and role and role in table.columns:
        roles = table.groupby(by, sort=True)[role].first().astype(str)
        names = sorted(roles.unique())
        bar_colours = [colours[names.index(roles[g]) % 3] for g in groups]
        handles = [patches.Patch(color=colours[i % 3], label=name) for i, name in enumerate(names)]
    if ax is None:
        many = len(groups) > 16
        _, ax = subplots(columns=2 if many and by_turn else 1,
                         height=2.3 if by_turn else max(1.6, 0.7 + 0.18 * len(groups)))
    spread = table.groupby(by)["_v"].transform("size") > 1
    dots = table[spread]
    where = dots[by].map(position).to_numpy(dtype=float)
    if by_turn:
        ax.bar(np.arange(len(groups)), means.to_numpy(), color=bar_colours, width=0.7, alpha=0.85)
        ax.plot(where, dots["_v"], "o", color="black", markersize=1.8, alpha=0.5,
                markeredgewidth=0, label="sentence")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.set_xticks(np.arange(len(groups)), [str(g) for g in groups])
        ax.set_ylim(-1.05, 1.05)
        ax.set_xlabel("Turn (order in the document)" if by == "turn_id" else _humanise(by))
        ax.set_ylabel("VADER compound score (−1 to +1)")
        if handles:
            ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                      ncols=len(handles), frameon=False)
            ax.set_title(title, pad=14)
        else:
            ax.set_title(title)
    else:
        ax.barh(np.arange(len(groups)), means.to_numpy(), color=bar_colours, height=0.7, alpha=0.85)
        ax.plot(dots["_v"], where, "o", color="black", markersize=1.8, alpha=0.5, markeredgewidth=0)
        ax.axvline(0, color="black", linewidth=0.6)
        ax.set_yticks(np.arange(len(groups)), [str(g) for g in groups])
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(-1.05, 1.05)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("VADER compound score (−1 to +1)")
        ax.set_ylabel(_humanise(by))
        ax.set_title(title)
    return ax


def stance_plot(
    rates: pd.DataFrame,
    *,
    by: str = "turn_id",
    category: str = "layer",
    value: str = "per_1000",
    per: int = 1_000,
    categories: Sequence[str] | None = None,
    title: str = "Stance markers",
    ax: Axes | None = None,
) -> Axes:
    """Grouped bars of stance-marker rates (modality, hedges, boosters, negation) by turn or group.

    ``rates`` is tidy, with columns ``by`` (``turn_id``, ``country``...), ``layer`` and a rate
    per ``per`` tokens -- ``per_1000`` as ``analysis.features.count_matches`` gives it; the
    rates of a layer's labels are summed (they share one denominator). ``categories`` fixes
    which layers are shown and their order: by default the stance layers ``modality``,
    ``hedge``, ``booster`` and ``negation`` that the table holds (or, if none, every value of
    ``category``). A missing combination is drawn as 0.
    """
    _require(rates, [by, category, value], "stance_plot")
    if rates.empty:
        raise ValueError("stance_plot: the table has no rows")
    _one_document(rates, by, "stance_plot")
    if categories is None:
        present = set(rates[category].astype(str))
        categories = [c for c in _STANCE_LAYERS if c in present] or None
    order = _order(rates[category], categories)
    kept = rates[rates[category].isin(order)]
    wide = kept.pivot_table(index=by, columns=category, values=value, aggfunc="sum",
                            fill_value=0, sort=True).reindex(columns=order, fill_value=0)
    groups = list(wide.index)
    if ax is None:
        _, ax = subplots(columns=2 if len(groups) * len(order) > 40 else 1, height=2.4)
    colours = _colours(len(order))
    width = 0.8 / max(len(order), 1)
    x = np.arange(len(groups))
    for i, name in enumerate(order):
        ax.bar(x - 0.4 + width * (i + 0.5), wide[name].to_numpy(), width=width, color=colours[i],
               label=str(name), linewidth=0)
    ax.set_xticks(x, [str(g) for g in groups])
    per_row = min(len(order), 4 if ax.figure.get_figwidth() > 4 else 2)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=per_row, frameon=False)
    ax.set_xlabel("Turn (order in the document)" if by == "turn_id" else _humanise(by))
    ax.set_ylabel(f"Rate per {per:,} tokens")
    ax.set_title(title, pad=4 + 10 * -(-len(order) // per_row))
    return ax


def pronoun_balance_plot(
    pronouns: pd.DataFrame,
    *,
    by: str = "turn_id",
    label: str = "label",
    value: str | None = None,
    we: str = "first_plural",
    they: str = "third_plural",
    turns: Sequence[Any] | None = None,
    value_label: str | None = None,
    title: str = "We and they",
    ax: Axes | None = None,
) -> Axes:
    """Diverging bars per turn: *we* above zero, *they* below, and their difference as a dot.

    ``pronouns`` is either the table of ``analysis.features.pronoun_balance`` (columns
    ``turn_id``, ``we``, ``they``) or tidy with columns ``turn_id`` and ``label`` -- the
    ``matches`` table (rows counted) or ``count_matches`` output (its ``count`` summed; or
    name ``value``). ``we`` and ``they`` are the labels of the first and third person
    plural; ``turns`` fixes the order and keeps turns without either (shown as 0).
    """
    if label in pronouns.columns:
        _require(pronouns, [by, label] + ([value] if value else []), "pronoun_balance_plot")
        _one_document(pronouns, by, "pronoun_balance_plot")
        wide = _tally(pronouns[pronouns[label].isin([we, they])], by, label, value)
        wide = wide.reindex(columns=[we, they], fill_value=0).set_axis(["we", "they"], axis=1)
    else:
        _require(pronouns, [by, "we", "they"], "pronoun_balance_plot")
        _one_document(pronouns, by, "pronoun_balance_plot")
        wide = pronouns.groupby(by, sort=True)[["we", "they"]].sum()
    if turns is not None:
        wide = wide.reindex(list(turns), fill_value=0)
    if wide.empty:
        raise ValueError("pronoun_balance_plot: the table has no rows")
    wide = wide.astype(float)
    groups = list(wide.index)
    if ax is None:
        _, ax = subplots(columns=2 if len(groups) > 20 else 1, height=2.3)
    colours = _colours(2)
    x = np.arange(len(groups))
    up = ax.bar(x, wide["we"], color=colours[0], width=0.7, label="we")
    down = ax.bar(x, -wide["they"], color=colours[1], width=0.7, label="they (below 0)")
    (net,) = ax.plot(x, wide["we"] - wide["they"], "o", color="black", markersize=3,
                     label="we − they")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, [str(g) for g in groups])
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{abs(v):g}"))
    ax.legend(handles=[up, down, net], loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3,
              frameon=False)
    ax.set_xlabel("Turn (order in the document)" if by == "turn_id" else _humanise(by))
    ax.set_ylabel(value_label
                  or ("Mentions (count)" if value in (None, "count") else _humanise(value)))
    ax.set_title(title, pad=15)
    return ax


def answer_length_plot(
    pairs: pd.DataFrame,
    *,
    question: str = "question",
    answer: str = "answer",
    hue: str | None = None,
    label: str | None = None,
    log: bool = True,
    title: str = "Answer length against question length",
    ax: Axes | None = None,
) -> Axes:
    """Scatter of answer length against question length, one dot per question-answer pair.

    ``pairs`` has a ``question`` and an ``answer`` column, either the texts (as
    ``analysis.qa.qa_pairs`` and ``read_qevasion`` give them), measured in words separated
    by white space, or lengths already counted (numbers, in tokens). Optionally a ``hue``
    column (e.g. ``clarity_label``) for colour and a ``label`` column written beside each dot
    (e.g. ``pair_id``). The dashed line marks answers as long as their questions.
    Logarithmic axes by default (lengths must then be positive).
    """
    _require(pairs, [question, answer] + [c for c in (hue, label) if c], "answer_length_plot")
    if pairs.empty:
        raise ValueError("answer_length_plot: the table has no rows")
    (q, q_unit), (a, a_unit) = _lengths(pairs[question]), _lengths(pairs[answer])
    if log and ((q <= 0) | (a <= 0)).any():
        raise ValueError("answer_length_plot: lengths must be positive on log axes (use log=False)")
    if ax is None:
        _, ax = subplots(columns=1, height=2.6)
    if hue:
        names = sorted(pairs[hue].astype(str).unique())
        colours = _colours(len(names))
        for i, name in enumerate(names):
            mask = (pairs[hue].astype(str) == name).to_numpy()
            ax.plot(q[mask], a[mask], _MARKERS[i % len(_MARKERS)], color=colours[i], markersize=3.5,
                    alpha=0.75, markeredgewidth=0, label=name)
        ax.legend(title=_humanise(hue), loc="best")
    else:
        ax.plot(q, a, "o", color=_colours(1)[0], markersize=3.5, alpha=0.75, markeredgewidth=0)
    if label:
        for x, y, text in zip(q, a, pairs[label].astype(str)):
            ax.annotate(text, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=6.5)
    low = float(min(q.min(), a.min()))
    high = float(max(q.max(), a.max()))
    if log:
        low, high = low / 1.3, high * 1.3
        subs = (1.0,) if high / low >= 100 else (1.0, 2.0, 5.0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(ticker.LogLocator(base=10, subs=subs))
            axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:,.10g}"))
            axis.set_minor_formatter(ticker.NullFormatter())
    else:
        low, high = 0.0, high * 1.05
    ax.plot([low, high], [low, high], linestyle="--", color="0.5", linewidth=0.7, zorder=0)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    ax.set_xlabel(f"Question length ({q_unit})")
    ax.set_ylabel(f"Answer length ({a_unit})")
    ax.set_title(title)
    return ax


def uptake_plot(
    pairs: pd.DataFrame,
    *,
    value: str = "responsiveness",
    by: str = "pair_id",
    hue: str | None = None,
    value_label: str | None = None,
    title: str = "Does the answer take up the question?",
    ax: Axes | None = None,
) -> Axes:
    """Bars of a question-answer uptake measure per pair, in the pairs' order.

    ``pairs`` has columns ``pair_id`` and the measure: ``responsiveness`` by default (as
    ``analysis.qa.score_pairs`` gives it), or a feature such as ``lemma_overlap`` or
    ``tfidf_cosine``; optionally a ``hue`` column (e.g. the predicted clarity class) for
    colour. Pairs are drawn in ``pair_id`` order. ``value_label`` names the measure and its
    unit on the axis.
    """
    _require(pairs, [by, value] + ([hue] if hue else []), "uptake_plot")
    if pairs.empty:
        raise ValueError("uptake_plot: the table has no rows")
    table = pairs.sort_values(by, kind="mergesort")
    if ax is None:
        _, ax = subplots(columns=2 if len(table) > 24 else 1, height=2.3)
    x = np.arange(len(table))
    colours = _colours(8)
    if hue:
        names = sorted(table[hue].astype(str).unique())
        index = {name: i for i, name in enumerate(names)}
        ax.bar(x, table[value].astype(float), width=0.7,
               color=[colours[index[h] % 8] for h in table[hue].astype(str)])
        ax.legend(handles=[patches.Patch(color=colours[i % 8], label=name)
                           for i, name in enumerate(names)],
                  loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(len(names), 3),
                  frameon=False)
        ax.set_title(title, pad=14)
    else:
        ax.bar(x, table[value].astype(float), width=0.7, color=colours[0])
        ax.set_title(title)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xticks(x, table[by].astype(str).tolist())
    ax.set_xlabel("Question–answer pair" if by == "pair_id" else _humanise(by))
    ax.set_ylabel(value_label or _UPTAKE_LABELS.get(value, f"{_humanise(value)} (score)"))
    return ax


def reliability_plot(
    table: pd.DataFrame,
    *,
    title: str = "Reliability of the predicted probabilities",
    ax: Axes | None = None,
) -> Axes:
    """A reliability diagram: how often a label is true against the probability a model gave it.

    ``table`` has ``mean_predicted`` and ``observed`` (one row per probability bin, as
    ``analysis.responsiveness.reliability_table`` gives them) and optionally ``model``, one
    line each. The dashed diagonal is perfect calibration; both axes run from 0 to 1.
    """
    _require(table, ["mean_predicted", "observed"], "reliability_plot")
    if table.empty:
        raise ValueError("reliability_plot: the table has no rows")
    if ax is None:
        _, ax = subplots(columns=1, height=2.6)
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="--")
    groups = table.groupby("model", sort=False) if "model" in table.columns else [("", table)]
    for name, group in groups:
        ax.plot(group["mean_predicted"], group["observed"], marker="o", label=name or None)
    if "model" in table.columns and table["model"].nunique() > 1:
        ax.legend(frameon=False)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Probability given to a label")
    ax.set_ylabel("Share of cases with that label")
    ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- saving


def save_figure(
    fig: Figure,
    name: str,
    *,
    out_dir: str | os.PathLike[str] | None = None,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Write ``fig`` as ``<name>.pdf``, ``.svg`` and ``.png`` with the same bytes every time.

    Files go to ``out_dir`` (default :data:`analysis.config.FIGURES_DIR`, created if
    missing). Dates and tool versions are left out of the metadata; fonts are embedded as
    Type 42 in PDF and kept as text in SVG, with a fixed SVG hash salt and resolution (the
    style file's ``savefig.*``, ``pdf.*``, ``svg.*`` settings, applied whether or not the
    style is active). Each file is written to a temporary file in the same folder and
    renamed over the old one, so a reader never sees half a figure. ``name`` is a plain file
    stem: no folders, no extension. Returns the written paths in the order of ``formats``.

    >>> save_figure(ax.figure, "themes-by-turn")             # doctest: +SKIP
    [PosixPath('.../reports/figures/themes-by-turn.pdf'), ...]
    """
    if not isinstance(fig, Figure):
        hint = " (pass ax.figure)" if isinstance(fig, Axes) else ""
        raise TypeError(f"save_figure needs a matplotlib Figure, not {type(fig).__name__}{hint}")
    _check_name(name)
    chosen = _check_formats(formats)
    folder = Path(config.FIGURES_DIR if out_dir is None else out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    settings = _save_settings()
    written = []
    with mpl.rc_context(settings):
        for fmt in chosen:
            buffer = io.BytesIO()
            fig.savefig(buffer, format=fmt, dpi=settings["savefig.dpi"], metadata=_METADATA[fmt])
            path = folder / f"{name}.{fmt}"
            write_atomic(path, buffer.getvalue())
            written.append(path)
    return written


@lru_cache(maxsize=1)
def _save_settings() -> dict[str, Any]:
    """The style file's settings that decide the saved bytes."""
    params = mpl.rc_params_from_file(config.STYLE_FILE, use_default_template=False)
    return {key: params[key] for key in sorted(params)
            if key.split(".")[0] in {"savefig", "pdf", "ps", "svg"}}


def _check_name(name: str) -> None:
    """Reject names that could leave the output folder or clash with the extension."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"figure name must be a non-empty string, not {name!r}")
    bad = [c for c in ("/", "\\", ":", "\0") if c in name]
    if bad or any(ord(c) < 32 for c in name):
        raise ValueError(f"figure name {name!r} must be a plain file name without folders "
                         f"(no '/', '\\', ':' or control characters)")
    if name.startswith(".") or Path(name).is_absolute():
        raise ValueError(f"figure name {name!r} must not start with '.' or be a path")
    if Path(name).suffix.lower().lstrip(".") in {*FORMATS, "jpg", "jpeg", "eps", "ps", "tiff"}:
        raise ValueError(f"figure name {name!r} must be given without its extension")


def _check_formats(formats: Sequence[str]) -> list[str]:
    chosen = [formats] if isinstance(formats, str) else list(formats)
    chosen = list(dict.fromkeys(str(f).lower().lstrip(".") for f in chosen))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"formats must be among {FORMATS}, got {list(formats)!r}")
    return chosen


# --------------------------------------------------------------------------- helpers


def _require(table: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{where} needs a pandas DataFrame, not {type(table).__name__}")
    missing = [c for c in dict.fromkeys(columns) if c not in table.columns]
    if missing:
        raise ValueError(
            f"{where}: the table lacks column(s) {missing}; it has {list(table.columns)}")


def _one_document(table: pd.DataFrame, by: str, where: str) -> None:
    """Turn numbers restart in every document: refuse to mix documents on a turn axis."""
    if by == "turn_id" and "doc_id" in table.columns and table["doc_id"].nunique() > 1:
        raise ValueError(f"{where}: the table holds {table['doc_id'].nunique()} documents; "
                         f"select one (turn numbers restart in every document)")


def _tally(table: pd.DataFrame, index: str, columns: str, value: str | None) -> pd.DataFrame:
    """Wide table index x columns: the sum of ``value`` (default ``count`` if any), else rows."""
    if value is None and "count" in table.columns:
        value = "count"
    if value is None:
        return table.groupby([index, columns], sort=True).size().unstack(columns, fill_value=0)
    return table.pivot_table(index=index, columns=columns, values=value, aggfunc="sum",
                             fill_value=0, sort=True)


def _lengths(column: pd.Series) -> tuple[pd.Series, str]:
    """Numbers as given (tokens), or texts measured in whitespace-separated words."""
    if pd.api.types.is_numeric_dtype(column):
        return pd.to_numeric(column, errors="coerce").astype(float), "tokens"
    return column.fillna("").astype(str).str.split().str.len().astype(float), "words"


def _order(values: pd.Series, given: Sequence[Any] | None) -> list[Any]:
    """``given`` if set; else the categories of a categorical; else order of first appearance."""
    if given is not None:
        return list(dict.fromkeys(given))
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return list(pd.unique(values.dropna()))


def _colours(n: int) -> list[str]:
    """``n`` colours from the active colour cycle (the style's Okabe-Ito palette), repeating."""
    cycle = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]] or ["black"]
    return [cycle[i % len(cycle)] for i in range(max(n, 1))]


def _category_name(name: Any) -> str:
    """A category as a reader sees it: "world_order" becomes "world order"."""
    return str(name).replace("_", " ")


def _humanise(column: str) -> str:
    text = str(column).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _annotate_cells(ax: Axes, mesh: Any, values: np.ndarray) -> None:
    """Write each non-zero cell's value in black or white, whichever reads on its colour."""
    colours = mesh.cmap(mesh.norm(values))
    luminance = 0.2126 * colours[..., 0] + 0.7152 * colours[..., 1] + 0.0722 * colours[..., 2]
    for (row, col), v in np.ndenumerate(values):
        if v == 0 or np.isnan(v):
            continue
        ax.text(col + 0.5, row + 0.5, f"{v:g}", ha="center", va="center", fontsize=6,
                color="black" if luminance[row, col] > 0.45 else "white")


def _tick_size() -> float:
    """The y tick labels' font size in points (7 where the style names a size such as "small")."""
    size = mpl.rcParams["ytick.labelsize"]
    return float(size) if isinstance(size, (int, float)) else 7.0


def _count_columns(ax: Axes, y: np.ndarray, table: pd.DataFrame,
                   columns: Sequence[tuple[str, str]], *, sizes: Sequence[str] | None = None) -> None:
    """Print raw counts in right-aligned columns right of the axes, headers in the row at y = -1.

    With ``sizes`` (one text per column, e.g. a corpus size) the header moves up to y = -1.7
    and the size, with "n =", takes the row at y = -1."""
    size = _tick_size()
    char = 0.62 * float(size)  # DejaVu Sans digits are 0.636 em wide
    offset = 6.0
    for i, (column, header) in enumerate(columns):
        texts = [f"{int(v):,}" if float(v).is_integer() else f"{float(v):,.1f}"
                 for v in table[column]]
        size_text = f"n = {sizes[i]}" if sizes is not None and sizes[i] else ""
        offset += char * max(len(header), len(size_text), *(len(t) for t in texts))
        for position, text in zip(y, texts):
            ax.annotate(text, (1.0, position), xycoords=("axes fraction", "data"),
                        xytext=(offset, 0), textcoords="offset points", ha="right", va="center",
                        fontsize=size, annotation_clip=False)
        heads = [(header, -1.7 if sizes is not None else -1.0)] + ([(size_text, -1.0)] if size_text else [])
        for text, position in heads:
            ax.annotate(text, (1.0, position), xycoords=("axes fraction", "data"), xytext=(offset, 0),
                        textcoords="offset points", ha="right", va="center", fontsize=size,
                        color="0.35", annotation_clip=False)
        offset += 2.5 * char
