"""The interval plot and bootstrap intervals in rate_over_time: what is drawn is what the table holds."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis import plots  # noqa: E402


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "label": ["sanctions", "sanctions", "nato", "nato"],
        "source": ["Kremlin", "White House", "Kremlin", "White House"],
        "unit": ["document", "turn", "document", "turn"],
        "rate": [4.0, 5.5, 1.2, 4.3], "ci_low": [2.0, 4.0, 0.5, 3.0], "ci_high": [7.0, 7.0, 2.0, 5.0],
    })


def test_interval_plot_draws_each_rate_with_its_whiskers():
    ax = plots.interval_plot(_table(), y="source", hue="label")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kremlin", "White House"]
    points = [line for line in ax.get_lines() if line.get_marker() != "|"]  # not the whiskers' caps
    xs = sorted(x for line in points for x in np.asarray(line.get_xdata(), dtype=float))
    assert xs == sorted(_table()["rate"])
    segments = [s for c in ax.collections for s in c.get_segments()]
    spans = sorted((round(s[0][0], 6), round(s[1][0], 6)) for s in segments)
    assert spans == sorted(zip(_table()["ci_low"], _table()["ci_high"]))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["sanctions", "nato"] and "turns resampled" in labels[-1]


def test_interval_plot_refuses_missing_columns_and_empty_tables():
    with pytest.raises(ValueError, match="lacks column"):
        plots.interval_plot(_table().drop(columns="ci_low"))
    with pytest.raises(ValueError, match="no rows"):
        plots.interval_plot(_table().iloc[:0])


def test_rate_over_time_draws_bootstrap_intervals_when_given():
    rates = pd.DataFrame({"month": [1, 2, 3], "turns": "Answers", "rate": [3.0, 21.0, 10.0],
                          "ci_low": [1.0, 12.0, 6.0], "ci_high": [5.0, 31.0, 14.0],
                          "count": [1, 2, 3], "n_tokens": [100, 100, 100]})
    ax = plots.rate_over_time(rates, x="month", group="turns")
    segments = [s for c in ax.collections for s in c.get_segments()]
    assert sorted((s[0][1], s[1][1]) for s in segments) == [(1.0, 5.0), (6.0, 14.0), (12.0, 31.0)]
    assert "95 % bootstrap interval" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_keyness_grid_shows_each_signed_g2_and_darkens_key_cells():
    table = pd.DataFrame({"term": ["ottawa", "russian"], "target": [3, 12],
                          "g2 A": [28.5, 13.4], "key A": [True, False],
                          "g2 B": [33.6, np.nan], "key B": [True, False]})
    ax = plots.keyness_grid_plot(table, ["A", "B"])
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["28.5", "33.6", "13.4", "–"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ottawa (3)", "russian (12)"]
    image = ax.get_images()[0].get_array()
    assert image.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    with pytest.raises(ValueError, match="lacks column"):
        plots.keyness_grid_plot(table, ["A", "C"])
