"""The paper figures of the themes: each draws from the tables what an independent count of the rows gives."""

from __future__ import annotations

from collections import Counter

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from analysis import figures
from analysis.corpus import DOCUMENT_TABLES

DOC = "darchiev-interfax"
THEME_FIGURES = ["interview-themes-by-turn", "interview-theme-xray", "sanctions-by-year", "nato-by-year",
                 "nato-expansion-by-year", "sanctions-collocates-un", "reciprocity-interview-vs-un"]
COUNTRIES = {"CAN": "Canada", "RUS": "Russia", "USA": "United States of America"}
SHOWN = {"Canada": "Canada", "Russia": "Russia", "United States of America": "USA"}  # legend and tick names


@pytest.fixture(scope="module")
def statements(corpus):
    """The 99 UN statements of Canada, Russia and the USA, found by their file names (not by country)."""
    chosen = corpus.documents["path"].str.startswith("ungdc/rus_usa_can_1992_2024/")
    return corpus.subset(doc_ids=corpus.documents.loc[chosen, "doc_id"])


@pytest.mark.parametrize("name", THEME_FIGURES)
def test_each_figure_draws_an_axes_with_title_and_labels(drawn, corpus, name):
    assert name in figures.FIGURES
    figure = figures.FIGURES[name]
    assert set(figure.tables) <= {"documents", *DOCUMENT_TABLES}
    assert figure.function.startswith("analysis.figures.")
    ax = drawn(name)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_title(loc="left") or ax.get_title()
    assert ax.get_xlabel() and ax.get_ylabel()
    width = ax.figure.get_figwidth()
    assert width == pytest.approx(3.35 if figure.columns == 1 else 7.0)


def test_heatmap_cells_are_the_theme_matches_of_each_turn(drawn, corpus):
    ax = drawn("interview-themes-by-turn")
    mesh = next(c for c in ax.collections if isinstance(c, matplotlib.collections.QuadMesh))
    values = np.asarray(mesh.get_array()).reshape(len(ax.get_yticks()), len(ax.get_xticks()))
    themes = [t.get_text().replace(" ", "_") for t in ax.get_yticklabels()]  # "world order" is world_order
    assert themes[:3] == ["sanctions", "nato", "reciprocity"]
    turns = corpus.turns[corpus.turns["doc_id"] == DOC]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{turn}\n{'Q' if role == 'question' else 'A'}" for turn, role in zip(turns["turn_id"], turns["role"])]
    interview = corpus.matches[corpus.matches["doc_id"] == DOC]
    counted = Counter((row.label, row.turn_id) for row in interview.itertuples() if row.layer == "theme")
    expected = np.array([[counted[(theme, turn)] for turn in turns["turn_id"]] for theme in themes])
    assert (values == expected).all()
    assert values.sum() == sum(counted.values())


def test_xray_has_one_tick_per_theme_match(drawn, corpus):
    ax = drawn("interview-theme-xray")
    ticks = sum(len(c.get_segments()) for c in ax.collections)
    interview = corpus.matches[(corpus.matches["doc_id"] == DOC) & (corpus.matches["layer"] == "theme")]
    assert ticks == len(interview)
    assert [t.get_text() for t in ax.get_yticklabels()][:3] == ["sanctions", "nato", "reciprocity"]
    lanes = [tuple(c.get_colors()[0]) for c in ax.collections]
    assert len(set(lanes)) == len(lanes), "two theme lanes share a colour"
    turns = corpus.turns[corpus.turns["doc_id"] == DOC]
    boundaries = [line for line in ax.get_lines() if line.get_xdata()[0] == line.get_xdata()[1]]
    assert len(boundaries) == len(turns) - 1
    shaded = [p for p in ax.patches if p.get_facecolor()[:3] != (1.0, 1.0, 1.0)]
    assert len(shaded) == (turns["role"] == "question").sum()


def _rates_by_row(statements, *, label, entries=None):
    """Rate per 10,000 non-punctuation tokens per (country, year), counting rows one by one."""
    group = {doc_id: (COUNTRIES[doc_id[:3]], int(doc_id[-4:])) for doc_id in statements.documents["doc_id"]}
    words = Counter(group[d] for d, punct in zip(statements.tokens["doc_id"], statements.tokens["is_punct"])
                    if not punct)
    m = statements.matches
    hits = Counter(group[d] for d, layer, lab, pattern in zip(m["doc_id"], m["layer"], m["label"], m["pattern"])
                   if layer == "theme" and lab == label
                   and (entries is None or any(e in pattern.lower() for e in entries)))
    return {key: hits[key] / words[key] * 10_000 for key in words}


@pytest.mark.parametrize("name, label, entries", [
    ("sanctions-by-year", "sanctions", None),
    ("nato-by-year", "nato", None),
    ("nato-expansion-by-year", "nato", ("expan", "enlarg", "eastward")),
])
def test_rate_lines_equal_a_count_of_the_rows(drawn, statements, name, label, entries):
    ax = drawn(name)
    expected = _rates_by_row(statements, label=label, entries=entries)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert sorted(lines) == sorted(SHOWN.values())
    for country in COUNTRIES.values():
        line = lines[SHOWN[country]]
        years = [int(x) for x in line.get_xdata()]
        assert years == list(range(1992, 2025))
        assert np.asarray(line.get_ydata(), dtype=float) == pytest.approx(
            [expected[(country, year)] for year in years], rel=1e-12)


def test_nato_expansion_is_russian_talk(drawn):
    ax = drawn("nato-expansion-by-year")
    totals = {line.get_label(): float(np.sum(line.get_ydata())) for line in ax.get_lines()}
    # the USA once, in 1997: "expanded military alliances, such as the North Atlantic Treaty Organization"
    assert totals["Canada"] == 0 and 0 < totals["USA"] < totals["Russia"]


def test_reciprocity_bars_equal_a_count_of_the_rows(drawn, corpus, statements):
    ax = drawn("reciprocity-interview-vs-un")
    groups = ["Interview", "Russia", "Canada", "United States of America"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Interview", "Russia", "Canada", "USA"]
    source = {doc_id: COUNTRIES[doc_id[:3]] for doc_id in statements.documents["doc_id"]} | {DOC: "Interview"}
    words, mutual, action = Counter(), Counter(), Counter()
    for doc_id, punct in zip(corpus.tokens["doc_id"], corpus.tokens["is_punct"]):
        if doc_id in source and not punct:
            words[source[doc_id]] += 1
    m = corpus.matches
    for doc_id, layer, label in zip(m["doc_id"], m["layer"], m["label"]):
        if doc_id in source and layer == "theme" and label in ("mutuality", "reciprocity"):
            (mutual if label == "mutuality" else action)[source[doc_id]] += 1
    heights = [bar.get_height() for bar in ax.patches]
    expected = [mutual[g] / words[g] * 10_000 for g in groups] + [action[g] / words[g] * 10_000 for g in groups]
    assert heights == pytest.approx(expected, rel=1e-12)
    # read in the transcript: mutuality "mutually" and "oncoming traffic on both sides"; reciprocal action
    # reciprocity (twice), mirror measures, an eye for an eye, symmetrically, "similar difficulties"
    assert mutual["Interview"] == 2 and action["Interview"] == 6


def _window_counts(statements, *, left=5, right=5):
    """Lemmas within 5 alphabetic tokens of a sanctions word, in its sentence, each position counted once."""
    spans = statements.matches[(statements.matches["layer"] == "theme")
                               & (statements.matches["label"] == "sanctions")]
    sentences = set(zip(spans["doc_id"], spans["sentence_id"]))  # windows never leave a sentence
    keys = list(zip(statements.tokens["doc_id"], statements.tokens["sentence_id"]))
    tokens = statements.tokens[[key in sentences for key in keys]].sort_values(["doc_id", "token_id"])
    inside = {(d, s, e) for d, s, e in zip(spans["doc_id"], spans["start"], spans["end"])}
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for d, s, e in inside:
        by_doc.setdefault(d, []).append((s, e))
    counts: Counter = Counter()
    for (doc_id, _), sentence in tokens.groupby(["doc_id", "sentence_id"], sort=False):
        rows = [r for r in sentence.itertuples()
                if r.is_alpha or (r.lower.startswith("sanction")
                                  and any(s <= r.start and r.end <= e for s, e in by_doc.get(doc_id, [])))]
        node = [r.lower.startswith("sanction") and any(s <= r.start and r.end <= e for s, e in by_doc.get(doc_id, []))
                for r in rows]
        window = set()
        for i, is_node in enumerate(node):
            if is_node:
                window.update(j for j in range(max(0, i - left), min(len(rows), i + right + 1)) if not node[j])
        counts.update(rows[j].lemma for j in window)
    return counts


def test_collocate_counts_equal_an_independent_window_count(drawn, statements):
    ax = drawn("sanctions-collocates-un")
    shown = [t.get_text() for t in ax.get_yticklabels()]
    printed = [t.get_text() for t in ax.texts if t.get_text() != "n"]
    assert len(shown) == 15 and len(printed) == 15
    counts = _window_counts(statements)
    assert [int(n) for n in printed] == [counts[lemma] for lemma in shown]
    assert all(counts[lemma] >= 3 for lemma in shown)
    assert "impose" in shown  # sanctions are imposed: the verb is among the strongest collocates


def test_saving_a_theme_figure_twice_gives_the_same_bytes(corpus, tmp_path):
    from analysis.plots import save_figure

    def saved(folder):
        ax = figures.draw_figure("sanctions-collocates-un", corpus)
        paths = save_figure(ax.figure, "s", out_dir=tmp_path / folder, formats=("svg", "pdf"))
        plt.close(ax.figure)
        return paths

    first, second = saved("a"), saved("b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
