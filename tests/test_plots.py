"""Tests for the figure style, the plot functions and byte-stable figure files."""

from __future__ import annotations

import atexit
import hashlib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from functools import lru_cache
from itertools import combinations
from pathlib import Path

# A private matplotlib configuration folder, so nothing depends on the home folder.
if "MPLCONFIGDIR" not in os.environ:
    _MPL_DIR = tempfile.mkdtemp(prefix="mplconfig-")
    atexit.register(shutil.rmtree, _MPL_DIR, True)
    os.environ["MPLCONFIGDIR"] = _MPL_DIR

import matplotlib

matplotlib.use("Agg")

import matplotlib.collections  # noqa: E402
import matplotlib.legend  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import config, plots  # noqa: E402

HERE = Path(__file__).resolve().parent
RAW = HERE.parent / "data" / "raw"
INTERVIEW = RAW / "interview" / "darchiev-interfax.txt"
UN_DIR = RAW / "ungdc" / "rus_usa_can_1992_2024"
QEVASION = RAW / "qevasion" / "qevasion_train_subset_518.csv"

WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z“\"])")


# ---------------------------------------------------------------- realistic tables from the data


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


@lru_cache(maxsize=1)
def interview_turns() -> pd.DataFrame:
    """The interview's turns, split at its "Question:"/"Answer:" labels (no header, no footer)."""
    text = INTERVIEW.read_text(encoding="utf-8")
    body = text[text.index("Question:"): text.index("Leave A Reply")]
    rows = []
    for part in re.split(r"\n\s*\n(?=(?:Question|Answer):)", body.strip()):
        role, content = part.split(":", 1)
        rows.append({"turn_id": len(rows), "role": role.lower(), "text": content.strip()})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def interview_sentences() -> pd.DataFrame:
    rows = []
    for turn in interview_turns().itertuples():
        for sentence in SENTENCE_END.split(turn.text.replace("\n\n", " ")):
            if sentence.strip():
                rows.append({"turn_id": turn.turn_id, "role": turn.role, "text": sentence.strip()})
    return pd.DataFrame(rows)


THEMES = {
    "sanctions": r"\bsanction(?:s)?\b|restrictive measures?",
    "nato": r"\bNATO\b|\bthe alliance\b",
    "reciprocity": r"\breciprocity\b|mirror measures|eye for an eye|on both sides|symmetrically",
    "dialogue": r"\bdialogue\b|\bconsultations?\b",
    "sovereignty": r"\bsovereignty\b|\bindependent\b",
    "ukraine": r"\bUkrain\w*|\bKiev\b|\bDonbass?\b",
}
ACTORS = {
    "Russia": r"\bRussia\b|\bMoscow\b|Russian Federation",
    "United States": r"United States|\bWashington\b|\bUS\b|\bAmericans?\b",
    "Canada": r"\bCanada\b|\bOttawa\b",
    "NATO": r"\bNATO\b|\bthe alliance\b",
    "Ukraine": r"\bUkraine\b|\bKiev\b",
    "China": r"\bChina\b",
    "the West": r"\bthe West\b|\bWestern\b",
}


def _matches(table: pd.DataFrame, lexicon: dict[str, str], *, layer: str) -> pd.DataFrame:
    rows = []
    for row in table.itertuples():
        for label, pattern in lexicon.items():
            for m in re.finditer(pattern, row.text, flags=re.IGNORECASE if layer != "actor" else 0):
                rows.append({"doc_id": "darchiev-interfax", "turn_id": row.turn_id, "layer": layer,
                             "label": label, "text": m.group(0)})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def theme_matches() -> pd.DataFrame:
    return _matches(interview_turns(), THEMES, layer="theme")


@lru_cache(maxsize=1)
def dispersion_positions() -> pd.DataFrame:
    text = INTERVIEW.read_text(encoding="utf-8")
    rows = []
    statement = (UN_DIR / "RUS_77_2022.txt").read_text(encoding="utf-8-sig")
    for doc_id, doc_text in [("darchiev-interfax", text), ("RUS_77_2022", statement)]:
        for pattern in ("sanction", "NATO", "reciprocity", "dialogue"):
            for m in re.finditer(pattern, doc_text, flags=re.IGNORECASE):
                rows.append({"doc_id": doc_id, "pattern": pattern,
                             "position": m.start() / len(doc_text)})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def keyness_table() -> pd.DataFrame:
    """Interview answers against Russia's 2022 UN statement.

    G² from SciPy (Dunning's 2x2 form, no Yates correction); log ratio as Hardie (2014).
    """
    from scipy.stats import chi2_contingency

    target = Counter(_words(" ".join(interview_turns().query("role == 'answer'")["text"])))
    reference = Counter(_words((UN_DIR / "RUS_77_2022.txt").read_text(encoding="utf-8-sig")))
    c, d = sum(target.values()), sum(reference.values())
    rows = []
    for term in sorted(set(target) | set(reference)):
        a, b = target[term], reference[term]
        if a + b < 4:
            continue
        g2 = chi2_contingency([[a, b], [c - a, d - b]], correction=False,
                              lambda_="log-likelihood")[0]
        log_ratio = math.log2((max(a, 0.5) / c) / (max(b, 0.5) / d))
        rows.append({"term": term, "target": a, "reference": b, "g2": g2, "log_ratio": log_ratio})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def counts_by_year() -> pd.DataFrame:
    """"Sanction(s)" in each UN statement: its count, its length in words and its rate per 10,000 words."""
    rows = []
    for path in sorted(UN_DIR.glob("*.txt")):
        country, _, year = path.stem.split("_")
        words = _words(path.read_text(encoding="utf-8-sig", errors="replace"))
        hits = sum(w in ("sanction", "sanctions") for w in words)
        rows.append({"country": country, "year": int(year), "rate": 10_000 * hits / len(words),
                     "count": hits, "n_tokens": len(words)})
    return pd.DataFrame(rows)


def rates_by_year() -> pd.DataFrame:
    return counts_by_year()[["country", "year", "rate"]]


@lru_cache(maxsize=1)
def collocates_table() -> pd.DataFrame:
    """Collocates of "sanctions" (4 words either side) in the UN statements; logDice (Rychlý 2008)."""
    counts: Counter[str] = Counter()
    together: Counter[str] = Counter()
    for path in sorted(UN_DIR.glob("*.txt")):
        words = _words(path.read_text(encoding="utf-8-sig", errors="replace"))
        counts.update(words)
        for i, w in enumerate(words):
            if w == "sanctions":
                together.update(words[max(0, i - 4): i] + words[i + 1: i + 5])
    node = counts["sanctions"]
    rows = [{"collocate": w, "observed": o, "log_dice": 14 + math.log2(2 * o / (node + counts[w]))}
            for w, o in sorted(together.items()) if o >= 3 and len(w) > 3]
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def actor_edges() -> pd.DataFrame:
    pairs: Counter[tuple[str, str]] = Counter()
    for sentence in interview_sentences()["text"]:
        found = sorted({name for name, p in ACTORS.items() if re.search(p, sentence)})
        pairs.update(combinations(found, 2))
    return pd.DataFrame([{"source": a, "target": b, "weight": w}
                         for (a, b), w in sorted(pairs.items())])


@lru_cache(maxsize=1)
def sentence_sentiment() -> pd.DataFrame:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    table = interview_sentences()
    return table.assign(compound=[analyser.polarity_scores(t)["compound"] for t in table["text"]])


@lru_cache(maxsize=1)
def actor_sentiment() -> pd.DataFrame:
    table = sentence_sentiment()
    rows = [{"actor": name, "compound": s.compound}
            for s in table.itertuples() for name, p in ACTORS.items() if re.search(p, s.text)]
    return pd.DataFrame(rows)


STANCE = {
    "modality": r"\b(?:must|should|can|cannot|could|may|might|will|would|need)\b",
    "hedge": r"\b(?:perhaps|apparently|seems?|possible|possibility)\b",
    "booster": r"\b(?:of course|obvious(?:ly)?|clear(?:ly)?|fully|never|truly|even)\b",
    "negation": r"\b(?:not|no|never|nor)\b|n't\b",
}


@lru_cache(maxsize=1)
def stance_rates() -> pd.DataFrame:
    rows = []
    for turn in interview_turns().itertuples():
        n = len(_words(turn.text))
        for layer, pattern in STANCE.items():
            hits = len(re.findall(pattern, turn.text, flags=re.IGNORECASE))
            rows.append({"doc_id": "darchiev-interfax", "turn_id": turn.turn_id, "layer": layer,
                         "count": hits, "per_1000": 1000 * hits / n})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def pronoun_matches() -> pd.DataFrame:
    return _matches(interview_turns(), {"first_plural": r"\b(?:we|us|our|ours)\b",
                                        "third_plural": r"\b(?:they|them|their|theirs)\b"},
                    layer="pronoun")


@lru_cache(maxsize=1)
def interview_pairs() -> pd.DataFrame:
    turns = interview_turns()
    rows = []
    for q, a in zip(turns.itertuples(), turns.iloc[1:].itertuples()):
        if q.role == "question" and a.role == "answer":
            qw, aw = set(_words(q.text)), set(_words(a.text))
            content_q = {w for w in qw if len(w) > 3}
            content_a = {w for w in aw if len(w) > 3}
            rows.append({"pair_id": len(rows) + 1, "question_tokens": len(_words(q.text)),
                         "answer_tokens": len(_words(a.text)),
                         "overlap": len(content_q & content_a) / len(content_q | content_a)})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def qevasion_pairs() -> pd.DataFrame:
    table = pd.read_csv(QEVASION)
    return pd.DataFrame({"question": table["interview_question"], "answer": table["interview_answer"],
                         "clarity_label": table["clarity_label"]})


PLOTS = {
    "theme_heatmap": lambda ax: plots.theme_heatmap(theme_matches(), ax=ax),
    "dispersion_plot": lambda ax: plots.dispersion_plot(dispersion_positions(), ax=ax),
    "keyness_plot": lambda ax: plots.keyness_plot(keyness_table(), n=12, negative=3, ax=ax,
                                                  target_name="Interview", reference_name="UN 2022"),
    "rate_over_time": lambda ax: plots.rate_over_time(rates_by_year(), what="“Sanctions”", ax=ax),
    "collocates_plot": lambda ax: plots.collocates_plot(collocates_table(), node="sanctions", ax=ax),
    "actor_network": lambda ax: plots.actor_network(actor_edges(), ax=ax, groups={
        "Russia": "Russia", "United States": "West", "Canada": "West", "NATO": "West",
        "the West": "West", "Ukraine": "other", "China": "other"}),
    "sentiment_plot_turns": lambda ax: plots.sentiment_plot(sentence_sentiment(), ax=ax),
    "sentiment_plot_actors": lambda ax: plots.sentiment_plot(actor_sentiment(), by="actor", ax=ax),
    "stance_plot": lambda ax: plots.stance_plot(stance_rates(), ax=ax),
    "pronoun_balance_plot": lambda ax: plots.pronoun_balance_plot(pronoun_matches(), ax=ax),
    "answer_length_plot": lambda ax: plots.answer_length_plot(qevasion_pairs(), hue="clarity_label",
                                                              ax=ax),
    "answer_length_plot_labelled": lambda ax: plots.answer_length_plot(
        interview_pairs(), question="question_tokens", answer="answer_tokens", label="pair_id",
        ax=ax),
    "uptake_plot": lambda ax: plots.uptake_plot(interview_pairs(), value="overlap", ax=ax,
                                                value_label="Content-word overlap (Jaccard, 0–1)"),
    "reliability_plot": lambda ax: plots.reliability_plot(reliability_bins(), ax=ax),
    "interval_plot": lambda ax: plots.interval_plot(pd.DataFrame({
        "label": ["sanctions", "nato"], "source": ["Kremlin", "Kremlin"], "unit": ["document", "turn"],
        "rate": [4.4, 1.2], "ci_low": [2.3, 0.5], "ci_high": [6.9, 2.1]}), ax=ax),
    "keyness_grid_plot": lambda ax: plots.keyness_grid_plot(pd.DataFrame({
        "term": ["ottawa", "despite"], "target": [3, 5], "g2 A": [28.5, 18.0], "key A": [True, True],
        "g2 B": [24.6, 9.0], "key B": [True, False]}), ["A", "B"], ax=ax),
}


def reliability_bins() -> pd.DataFrame:
    """Reliability bins of made-up probabilities, from scikit-learn's ``calibration_curve``."""
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(5)
    probabilities = rng.uniform(size=400)
    truth = rng.uniform(size=400) < probabilities ** 1.5
    observed, predicted = calibration_curve(truth, probabilities, n_bins=5)
    return pd.DataFrame({"model": "m", "mean_predicted": predicted, "observed": observed})


def test_reliability_plot_draws_the_bins_against_the_diagonal():
    table = reliability_bins()
    ax = plots.reliability_plot(table)
    diagonal, line = ax.get_lines()
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]
    assert np.allclose(line.get_xdata(), table["mean_predicted"]) and np.allclose(line.get_ydata(), table["observed"])
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    with pytest.raises(ValueError, match="observed"):
        plots.reliability_plot(table.drop(columns="observed"))


@pytest.fixture(autouse=True)
def _paper_style():
    with plots.style_context():
        yield
    plt.close("all")


# ---------------------------------------------------------------- style


def test_style_is_package_data_and_wins_over_seaborn():
    assert config.STYLE_FILE.name == "paper.mplstyle" and config.STYLE_FILE.is_file()
    rc = matplotlib.rcParams
    # seaborn's "colorblind" palette starts with #0173B2; the style's Okabe-Ito cycle with #0072B2
    assert rc["axes.prop_cycle"].by_key()["color"][:3] == ["#0072B2", "#D55E00", "#009E73"]
    assert rc["pdf.fonttype"] == 42 and rc["ps.fonttype"] == 42
    assert rc["svg.fonttype"] == "none" and rc["svg.hashsalt"]
    assert rc["font.sans-serif"][0] == "DejaVu Sans" and rc["font.size"] == 8
    assert rc["figure.figsize"] == [plots.COLUMN_WIDTH, 2.4]
    assert Path(matplotlib.font_manager.findfont("DejaVu Sans")).name == "DejaVuSans.ttf"


def test_style_loads_by_package_name_and_context_restores_settings():
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        before = matplotlib.rcParams["pdf.fonttype"]
        with plots.style_context():
            assert matplotlib.rcParams["pdf.fonttype"] == 42
        assert matplotlib.rcParams["pdf.fonttype"] == before == 3
        plt.style.use("analysis.paper")
        assert matplotlib.rcParams["svg.hashsalt"] == "analysis-paper-figures"


def test_subplots_sizes():
    fig, _ = plots.subplots(columns=2, height=3)
    assert tuple(fig.get_size_inches()) == (plots.DOUBLE_COLUMN_WIDTH, 3)
    with pytest.raises(ValueError, match="columns"):
        plots.subplots(columns=3)


# ---------------------------------------------------------------- every plot function


@pytest.mark.parametrize("name", sorted(PLOTS))
@pytest.mark.parametrize("given_axes", [False, True], ids=["new", "given"])
def test_plot_returns_titled_labelled_axes(name, given_axes):
    ax_in = plots.subplots(columns=2, height=3)[1] if given_axes else None
    ax = PLOTS[name](ax_in)
    assert isinstance(ax, matplotlib.axes.Axes)
    if given_axes:
        assert ax is ax_in
    assert ax.get_title(loc="left") or ax.get_title()
    # a plot whose axes mean nothing (a network layout) draws none; every other labels both
    assert not ax.axison or (ax.get_xlabel().strip() and ax.get_ylabel().strip())
    if not given_axes:
        ax.figure.draw_without_rendering()  # every artist draws and the layout solves


def test_every_public_plot_function_is_covered():
    public = {n for n in dir(plots) if not n.startswith("_") and callable(getattr(plots, n))
              and getattr(getattr(plots, n), "__module__", "") == "analysis.plots"}
    drawing = public - {"use_style", "style_context", "subplots", "save_figure"}
    covered = {name.removesuffix("_turns").removesuffix("_actors").removesuffix("_labelled")
               for name in PLOTS}
    assert drawing == covered


# ---------------------------------------------------------------- what the plots show


def test_theme_heatmap_counts_match_rows_tidy_and_wide():
    matches = theme_matches()
    expected = pd.crosstab(matches["label"], matches["turn_id"])
    ax = plots.theme_heatmap(matches)
    shown = np.asarray(ax.collections[0].get_array()).reshape(expected.shape)
    assert np.array_equal(shown, expected.to_numpy())
    assert [t.get_text() for t in ax.get_yticklabels()] == list(expected.index)
    cells = {t.get_text() for t in ax.texts}
    assert cells == {str(v) for v in expected.to_numpy().ravel() if v}
    wide = plots.theme_heatmap(expected.T, ax=plots.subplots()[1])
    assert np.array_equal(np.asarray(wide.collections[0].get_array()).ravel(), shown.ravel())
    with_column = plots.theme_heatmap(expected.T.reset_index(), ax=plots.subplots()[1])
    assert np.array_equal(np.asarray(with_column.collections[0].get_array()).ravel(),
                          shown.ravel())


def test_theme_heatmap_sums_counts_and_keeps_one_layer():
    matches = theme_matches()
    counts = matches.groupby(["doc_id", "turn_id", "layer", "label"]).size().rename("count")
    per_turn = pd.concat([counts.reset_index(), pronoun_matches().assign(count=2)])
    ax = plots.theme_heatmap(per_turn)
    expected = pd.crosstab(matches["label"], matches["turn_id"])
    shown = np.asarray(ax.collections[0].get_array()).reshape(expected.shape)
    assert np.array_equal(shown, expected.to_numpy())


def test_theme_heatmap_keeps_turns_and_themes_without_matches():
    turns = interview_turns()["turn_id"].tolist()
    ax = plots.theme_heatmap(theme_matches(), turns=turns, labels=["sanctions", "nato", "hegemony"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(t) for t in turns]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["sanctions", "nato", "hegemony"]
    assert np.asarray(ax.collections[0].get_array()).reshape(3, -1)[2].sum() == 0


def test_dispersion_plot_draws_every_hit_of_several_patterns():
    positions = dispersion_positions()
    ax = plots.dispersion_plot(positions, patterns=["sanction", "NATO", "reciprocity", "dialogue",
                                                    "hegemony"])
    drawn = sum(len(c.get_segments()) for c in ax.collections)
    assert drawn == len(positions)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["sanction", "NATO", "reciprocity", "dialogue", "hegemony"]
    one = plots.dispersion_plot(positions.query("doc_id == 'darchiev-interfax'"),
                                ax=plots.subplots()[1])
    assert [t.get_text() for t in one.get_yticklabels()] == ["sanction", "NATO", "reciprocity",
                                                             "dialogue"]
    assert "darchiev-interfax" in one.get_title(loc="left")


def test_dispersion_plot_reads_the_query_column_of_the_concordance_table():
    positions = dispersion_positions().rename(columns={"pattern": "query"})
    ax = plots.dispersion_plot(positions)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["sanction", "NATO", "reciprocity", "dialogue"]


def _turn_spans() -> pd.DataFrame:
    """The interview's turns as character shares of its text (the x-ray's 0-1 scale), with Q/A labels."""
    text = INTERVIEW.read_text(encoding="utf-8")
    turns = interview_turns()
    starts = [text.index(t[:60]) / len(text) for t in turns["text"]]
    ends = starts[1:] + [text.index("Leave A Reply") / len(text)]
    labels = [("Q" if r == "question" else "A") + str(i) for i, r in zip(turns["turn_id"], turns["role"])]
    return pd.DataFrame({"start": starts, "end": ends, "role": turns["role"], "label": labels})


def test_dispersion_plot_marks_turn_boundaries_and_shades_questions():
    positions = dispersion_positions().query("doc_id == 'darchiev-interfax'")
    spans = _turn_spans()
    ax = plots.dispersion_plot(positions, turns=spans)
    assert sum(len(c.get_segments()) for c in ax.collections) == len(positions)  # ticks only: hits
    boundaries = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert boundaries == pytest.approx(sorted(spans["start"])[1:])
    shaded = sorted(p.get_x() for p in ax.patches)
    assert shaded == pytest.approx(sorted(spans.loc[spans["role"] == "question", "start"]))
    written = {t.get_text() for t in ax.texts}
    wide = spans.loc[spans["end"] - spans["start"] >= 0.04, "label"]
    assert written == set(wide) and "A1" in written
    with pytest.raises(ValueError, match="one document"):
        plots.dispersion_plot(dispersion_positions(), turns=spans, ax=plots.subplots()[1])
    with pytest.raises(ValueError, match="0 to 1"):
        plots.dispersion_plot(positions, turns=spans.assign(end=spans["end"] + 1), ax=plots.subplots()[1])


def test_dispersion_plot_gives_each_lane_its_own_colour_and_a_readable_name():
    names = [f"theme_{i}" for i in range(13)]
    positions = pd.DataFrame({"doc_id": "d", "pattern": names, "position": np.linspace(0, 1, 13)})
    ax = plots.dispersion_plot(positions, patterns=names)
    colours = [matplotlib.colors.to_hex(c.get_colors()[0]) for c in ax.collections]
    assert len(colours) == 13 and len(set(colours)) == 13
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"theme {i}" for i in range(13)]


def test_theme_heatmap_writes_theme_names_with_spaces_and_turns_upright_when_many():
    matches = theme_matches().replace({"label": {"sanctions": "economic_sanctions"}})
    ax = plots.theme_heatmap(matches, turns=interview_turns()["turn_id"].tolist())
    assert "economic sanctions" in [t.get_text() for t in ax.get_yticklabels()]
    assert len(ax.get_xticklabels()) > 8
    assert all(t.get_rotation() == 90 for t in ax.get_xticklabels())
    few = plots.theme_heatmap(matches, turns=[0, 1, 2], ax=plots.subplots()[1])
    assert all(t.get_rotation() == 0 for t in few.get_xticklabels())


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_dispersion_plot_rejects_positions_outside_the_document(bad):
    table = pd.DataFrame({"doc_id": ["d", "d"], "pattern": ["x", "x"], "position": [0.2, bad]})
    with pytest.raises(ValueError, match="from 0 to 1"):
        plots.dispersion_plot(table)


def test_keyness_plot_prints_raw_counts_beside_the_strongest_keywords():
    table = keyness_table()
    ax = plots.keyness_plot(table, n=10, target_name="Interview", reference_name="UN 2022")
    terms = [t.get_text() for t in ax.get_yticklabels()]
    positive = table[table["log_ratio"] > 0].sort_values(["g2", "term"], ascending=[False, True])
    assert terms == positive["term"].head(10).tolist()
    bars = [p.get_width() for p in ax.patches]
    assert bars == pytest.approx(positive["g2"].head(10).tolist())
    texts = [t.get_text() for t in ax.texts]
    assert "Interview" in texts and "UN 2022" in texts
    for row in positive.head(10).itertuples():
        assert f"{row.target:,}" in texts and f"{row.reference:,}" in texts


def test_keyness_plot_takes_the_table_of_stats_keyness_as_it_is():
    from analysis.stats import keyness

    target = pd.Series(Counter(_words(" ".join(interview_turns().query("role == 'answer'")["text"]))))
    reference = pd.Series(Counter(_words((UN_DIR / "RUS_77_2022.txt").read_text(encoding="utf-8-sig"))))
    table = keyness(target, reference, min_freq=3)
    ax = plots.keyness_plot(table, n=8, negative=2)
    terms = [t.get_text() for t in ax.get_yticklabels()]
    texts = {t.get_text() for t in ax.texts}
    for row in table.set_index("term").loc[terms].itertuples():
        assert f"{row.target:,}" in texts and f"{row.reference:,}" in texts
    assert [p.get_width() > 0 for p in ax.patches] == [True] * 8 + [False] * 2


def test_keyness_plot_prints_the_corpus_sizes_and_draws_the_significance_threshold():
    from scipy.stats import chi2

    from analysis.stats import keyness

    target = pd.Series(Counter(_words(" ".join(interview_turns().query("role == 'answer'")["text"]))))
    reference = pd.Series(Counter(_words((UN_DIR / "RUS_77_2022.txt").read_text(encoding="utf-8-sig"))))
    table = keyness(target, reference, min_freq=3)
    ax = plots.keyness_plot(table, n=8, negative=2, target_name="Answers", reference_name="UN")
    texts = {t.get_text() for t in ax.texts}
    # the sizes are the token totals of the two sides, recovered from the per-million columns
    assert f"n = {int(target.sum()):,}" in texts and f"n = {int(reference.sum()):,}" in texts
    critical = chi2.ppf(0.95, 1)  # 3.84: p = 0.05 with 1 degree of freedom
    dashed = sorted(line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--")
    assert dashed == pytest.approx([-critical, critical])
    assert any("3.84" in t for t in texts)
    # given sizes win; a threshold of one's own replaces the p-value line; the log ratio gets none
    ax = plots.keyness_plot(table, n=5, target_size=1000, reference_size=2000, threshold=10.0)
    assert {"n = 1,000", "n = 2,000"} <= {t.get_text() for t in ax.texts}
    assert [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == "--"] == [10.0]
    ax = plots.keyness_plot(table, score="log_ratio", n=5)
    assert not [line for line in ax.lines if line.get_linestyle() == "--"]
    ax = plots.keyness_plot(keyness_table(), n=5)  # no per-million columns: no sizes, still the counts
    assert not any(t.get_text().startswith("n = ") for t in ax.texts)
    with pytest.raises(ValueError, match="alpha"):
        plots.keyness_plot(table, alpha=1.5)


def test_keyness_plot_shows_negative_keywords_below_zero_with_log_ratio():
    table = keyness_table()
    ax = plots.keyness_plot(table, score="log_ratio", n=5, negative=4)
    widths = [p.get_width() for p in ax.patches]
    assert len(widths) == 9 and all(w > 0 for w in widths[:5]) and all(w < 0 for w in widths[5:])
    assert widths == sorted(widths, reverse=True)
    assert "Log ratio" in ax.get_xlabel()


def test_rate_intervals_are_garwood_exact_poisson_intervals():
    # published values of the exact 95 % interval for a Poisson count (Garwood 1936; e.g. the table of
    # Ulm 1990, Am J Epidemiol 131:373): k=0 -> (0, 3.689), k=2 -> (0.2422, 7.2247), k=10 -> (4.7954, 18.3904)
    low, high = plots._poisson_rate_interval([0, 2, 10], [10_000, 10_000, 10_000], per=10_000)
    assert low == pytest.approx([0.0, 0.2422, 4.7954], abs=1e-4)
    assert high == pytest.approx([3.6889, 7.2247, 18.3904], abs=1e-4)
    low, high = plots._poisson_rate_interval([2], [991], per=10_000)
    assert (low[0], high[0]) == pytest.approx((0.2422 * 10_000 / 991, 7.2247 * 10_000 / 991), rel=1e-4)


def test_rate_over_time_draws_an_interval_for_each_point_with_counts():
    rates = rates_by_year().assign(count=2, n_tokens=2_000)
    ax = plots.rate_over_time(rates)
    bars = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    assert sum(len(c.get_segments()) for c in bars) == len(rates)


def test_rate_over_time_one_line_per_country_in_year_order():
    ax = plots.rate_over_time(rates_by_year())
    assert [line.get_label() for line in ax.get_lines()] == ["CAN", "RUS", "USA"]
    for line in ax.get_lines():
        years = np.asarray(line.get_xdata())
        assert np.all(np.diff(years) > 0) and len(years) == 33
    assert ax.get_ylabel() == "Rate per 10,000 tokens"


def test_rate_over_time_does_not_join_single_speeches_unless_asked():
    rates = counts_by_year()
    ax = plots.rate_over_time(rates)
    points = [line for line in ax.get_lines() if line.get_label() in {"CAN", "RUS", "USA"}]
    assert len(points) == 3
    assert all(line.get_linestyle() == "None" and line.get_marker() not in (None, "None", "") for line in points)
    assert len({line.get_marker() for line in points}) == 3 and len({line.get_color() for line in points}) == 3
    bars = [c for c in ax.collections if isinstance(c, matplotlib.collections.LineCollection)]
    assert sum(len(c.get_segments()) for c in bars) == len(rates)
    joined = plots.rate_over_time(rates, connect=True, ax=plots.subplots()[1])
    assert all(line.get_linestyle() != "None" for line in joined.get_lines())


def test_rate_over_time_labels_n_exactly_on_the_points_with_one_to_four_matches():
    rates = counts_by_year()
    few = rates[(rates["count"] > 0) & (rates["count"] < 5)]
    assert 0 < len(few) < len(rates)  # the fixture has both kinds of point
    ax = plots.rate_over_time(rates)
    labels = sorted((round(float(t.xy[0]), 6), round(float(t.xy[1]), 6), t.get_text()) for t in ax.texts)
    expected = sorted((float(year), round(float(rate), 6), f"n={count}")
                      for year, rate, count in zip(few["year"], few["rate"], few["count"]))
    assert labels == expected
    assert len(plots.rate_over_time(rates_by_year(), ax=plots.subplots()[1]).texts) == 0


def test_collocates_plot_orders_by_measure_with_counts():
    table = collocates_table()
    ax = plots.collocates_plot(table, measure="log_dice", n=8)
    top = table.sort_values(["log_dice", "collocate"], ascending=[False, True]).head(8)
    assert [t.get_text() for t in ax.get_yticklabels()] == top["collocate"].tolist()
    assert {f"{v:,}" for v in top["observed"]} <= {t.get_text() for t in ax.texts}
    assert ax.get_xlabel().startswith("logDice")


def test_actor_network_is_deterministic_and_undirected():
    edges = actor_edges()
    first = plots.actor_network(edges)
    flipped = edges.rename(columns={"source": "target", "target": "source"}).iloc[::-1]
    second = plots.actor_network(flipped, ax=plots.subplots()[1])
    assert np.array_equal(first.collections[1].get_offsets(), second.collections[1].get_offsets())
    nodes = {t.get_text() for t in first.texts}
    assert nodes == set(edges["source"]) | set(edges["target"])
    doubled = pd.concat([edges, flipped], ignore_index=True)
    third = plots.actor_network(doubled, ax=plots.subplots()[1])
    assert len(third.collections[0].get_segments()) == len(edges)
    with pytest.raises(ValueError, match="no edges"):
        plots.actor_network(pd.DataFrame({"source": ["Russia"], "target": ["Russia"],
                                          "weight": [3]}))


def test_actor_network_has_no_axes_and_names_that_do_not_overlap():
    ax = plots.actor_network(actor_edges())
    assert not ax.axison and ax.get_xlabel() == "" and ax.get_ylabel() == ""
    renderer = ax.figure.canvas.get_renderer()
    boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert len(boxes) == len(set(actor_edges()["source"]) | set(actor_edges()["target"]))
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i))
    titles = [legend.get_title().get_text() for legend in ax.findobj(matplotlib.legend.Legend)]
    assert "Node size: sum of its lines" in titles


def test_sentiment_plot_bars_are_turn_means():
    scores = sentence_sentiment()
    ax = plots.sentiment_plot(scores)
    means = scores.groupby("turn_id")["compound"].mean()
    assert [p.get_height() for p in ax.patches] == pytest.approx(means.tolist())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["answer", "question"]


def test_sentiment_plot_by_actor_runs_from_most_negative_to_most_positive():
    scores = actor_sentiment()
    ax = plots.sentiment_plot(scores, by="actor")
    means = scores.groupby("actor")["compound"].mean().sort_values(kind="mergesort")
    assert [t.get_text() for t in ax.get_yticklabels()] == means.index.tolist()
    assert [p.get_width() for p in ax.patches] == pytest.approx(means.tolist())


def test_uptake_plot_keeps_pair_order_and_colours_by_class():
    pairs = interview_pairs().assign(predicted=["Clear Reply", "Ambivalent", "Clear Reply",
                                                "Clear Non-Reply", "Ambivalent", "Clear Reply"])
    ax = plots.uptake_plot(pairs.iloc[::-1], value="overlap", hue="predicted")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4", "5", "6"]
    assert [p.get_height() for p in ax.patches] == pytest.approx(pairs["overlap"].tolist())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == \
        ["Ambivalent", "Clear Non-Reply", "Clear Reply"]
    colours = {p.get_facecolor() for p, c in zip(ax.patches, pairs["predicted"]) if c == "Clear Reply"}
    assert len(colours) == 1


def test_stance_plot_fills_missing_combinations_with_zero():
    rates = stance_rates()
    ax = plots.stance_plot(rates.query("not (turn_id == 1 and layer == 'hedge')"))
    assert len(ax.patches) == rates["turn_id"].nunique() * 4
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(STANCE)


def test_stance_plot_shows_only_stance_layers_of_a_full_count_table():
    counts = pd.concat([stance_rates(), theme_matches().assign(count=1, per_1000=5.0)])
    ax = plots.stance_plot(counts)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(STANCE)
    modality = stance_rates().query("layer == 'modality'")["per_1000"].tolist()
    n = len(modality)
    assert [p.get_height() for p in ax.patches][:n] == pytest.approx(modality)


def test_pronoun_balance_plot_counts_we_up_and_they_down():
    matches = pronoun_matches()
    ax = plots.pronoun_balance_plot(matches)
    counts = pd.crosstab(matches["turn_id"], matches["label"])
    heights = [p.get_height() for p in ax.patches]
    n = len(counts)
    assert heights[:n] == counts["first_plural"].tolist()
    assert heights[n:] == (-counts["third_plural"]).tolist()
    # the same from a table of counts per turn and label, and from we/they columns
    tidy = counts.stack().rename("count").reset_index()
    wide = counts.rename(columns={"first_plural": "we", "third_plural": "they"}).reset_index()
    for table in (tidy, wide):
        again = plots.pronoun_balance_plot(table, ax=plots.subplots()[1])
        assert [p.get_height() for p in again.patches] == heights


def test_turn_axes_refuse_several_documents():
    two = pd.concat([theme_matches(), theme_matches().assign(doc_id="other")])
    with pytest.raises(ValueError, match="select one"):
        plots.theme_heatmap(two)
    with pytest.raises(ValueError, match="select one"):
        plots.pronoun_balance_plot(pd.concat([pronoun_matches(), pronoun_matches().assign(doc_id="x")]))


def test_answer_length_plot_measures_texts_in_words():
    pairs = qevasion_pairs().head(20)
    ax = plots.answer_length_plot(pairs)
    x, y = ax.get_lines()[0].get_data()
    assert list(x) == [len(t.split()) for t in pairs["question"]]
    assert list(y) == [len(t.split()) for t in pairs["answer"]]
    assert ax.get_xlabel() == "Question length (words)"


def test_answer_length_plot_rejects_zero_lengths_on_log_axes():
    table = pd.DataFrame({"question": [0, 12], "answer": [40, 80]})
    with pytest.raises(ValueError, match="log=False"):
        plots.answer_length_plot(table)
    ax = plots.answer_length_plot(table, log=False)
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "Question length (tokens)"


@pytest.mark.parametrize("call", [
    lambda: plots.keyness_plot(keyness_table().drop(columns="reference")),
    lambda: plots.rate_over_time(rates_by_year(), group="speaker"),
    lambda: plots.uptake_plot(interview_pairs()),
    lambda: plots.dispersion_plot(dispersion_positions(), pattern="label"),
])
def test_missing_columns_are_named(call):
    with pytest.raises(ValueError, match="lacks column"):
        call()


def test_empty_tables_are_refused():
    with pytest.raises(ValueError, match="no rows"):
        plots.stance_plot(stance_rates().iloc[:0])
    with pytest.raises(TypeError, match="DataFrame"):
        plots.keyness_plot([("sanctions", 3)])


# ---------------------------------------------------------------- saving with stable bytes


def write_reference_figure(out_dir: str) -> list[Path]:
    """Two panels with text, clip paths, a legend and a colour bar, saved in every format."""
    with plots.style_context():
        fig, (left, right) = plots.subplots(1, 2, columns=2, height=2.6)
        plots.theme_heatmap(theme_matches(), ax=left)
        plots.dispersion_plot(dispersion_positions(), ax=right)
        paths = plots.save_figure(fig, "reference", out_dir=out_dir)
        plt.close(fig)
    return paths


@pytest.fixture(scope="module")
def reference_files(tmp_path_factory) -> list[Path]:
    """The reference figure saved once in this process, shared by the tests that read it."""
    return write_reference_figure(str(tmp_path_factory.mktemp("reference")))


def _digests(paths) -> dict[str, str]:
    return {Path(p).name: hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in paths}


def _png_text_chunks(data: bytes) -> list[bytes]:
    chunks, i = [], 8
    while i < len(data):
        length = int.from_bytes(data[i:i + 4], "big")
        kind = data[i + 4:i + 8]
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            chunks.append(data[i + 8:i + 8 + length])
        i += 12 + length
    return chunks


def test_save_figure_twice_gives_identical_bytes(tmp_path, reference_files):
    first = _digests(reference_files)
    second = _digests(write_reference_figure(str(tmp_path / "again")))
    assert sorted(first) == ["reference.pdf", "reference.png", "reference.svg"]
    assert first == second
    # saving the same figure object twice into the same folder, over the old files
    fig = plots.dispersion_plot(dispersion_positions()).figure
    once = _digests(plots.save_figure(fig, "x-ray", out_dir=tmp_path, formats=("svg", "png")))
    twice = _digests(plots.save_figure(fig, "x-ray", out_dir=tmp_path, formats=("svg", "png")))
    assert once == twice
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == \
        ["x-ray.png", "x-ray.svg"]  # no temporary files left behind


def test_saved_files_have_no_dates_or_versions_and_embedded_text(reference_files):
    pdf, svg, png = reference_files
    raw = pdf.read_bytes()
    assert b"/CreationDate" not in raw and b"/ModDate" not in raw
    assert matplotlib.__version__.encode() not in raw and b"/Producer" not in raw
    streams = [zlib.decompress(m.group(1)) for m in
               re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, flags=re.S)
               if b"/FlateDecode" in raw[max(0, m.start() - 300):m.start()]]
    assert b"/FontFile2" in raw and b"/Subtype /Type3" not in raw  # TrueType (Type 42), no Type 3
    assert any(b"Tj" in s or b"TJ" in s for s in streams)  # text drawn as text
    assert re.search(rb"/MediaBox \[ ?0 0 504 187\.2 ?\]", raw)  # 7 in x 2.6 in, as asked
    text = svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in text and matplotlib.__version__ not in text
    assert "<text" in text and "sanctions" in text  # text kept as text
    chunks = _png_text_chunks(png.read_bytes())
    assert not any(b"Software" in c or b"Matplotlib" in c for c in chunks)


def test_fresh_process_elsewhere_gives_the_same_bytes(tmp_path, reference_files):
    here = _digests(reference_files)
    script = ("import sys; sys.path.insert(0, sys.argv[1]); import test_plots; "
              "test_plots.write_reference_figure(sys.argv[2])")
    home = tmp_path / "elsewhere" / "home"
    (home / "work").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items()
           if k not in {"MPLCONFIGDIR", "ANALYSIS_PROJECT_ROOT", "PYTHONPATH", "SOURCE_DATE_EPOCH"}}
    # another home, an empty matplotlib folder (its font cache is rebuilt), another hash seed
    env.update(HOME=str(home), MPLCONFIGDIR=str(home / "mpl"), MPLBACKEND="Agg",
               PYTHONHASHSEED=str(12345 if os.environ.get("PYTHONHASHSEED") != "12345" else 1))
    out = tmp_path / "elsewhere" / "figures"
    subprocess.run([sys.executable, "-c", script, str(HERE), str(out)], cwd=home / "work",
                   env=env, check=True, timeout=120, capture_output=True)
    assert _digests(sorted(out.iterdir())) == here


def test_save_figure_writes_to_the_figures_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "FIGURES_DIR", tmp_path / "reports" / "figures")
    fig = plots.uptake_plot(interview_pairs(), value="overlap").figure
    paths = plots.save_figure(fig, "uptake", formats=("svg", "PNG", "svg"))
    assert paths == [tmp_path / "reports" / "figures" / "uptake.svg",
                     tmp_path / "reports" / "figures" / "uptake.png"]


@pytest.mark.parametrize("name", ["../escape", "..", ".", "", "   ", "/tmp/abs", "sub/dir", "sub\\dir",
                                  "C:name", "name.pdf", "bad\nname", ".hidden"])
def test_save_figure_rejects_names_that_escape_or_mislead(tmp_path, name):
    fig = plots.subplots()[0]
    target = tmp_path / "figures"
    with pytest.raises(ValueError, match="figure name"):
        plots.save_figure(fig, name, out_dir=target)
    assert not any(tmp_path.rglob("*.*"))


def test_save_figure_rejects_unknown_formats_and_non_figures(tmp_path):
    fig, ax = plots.subplots()
    with pytest.raises(ValueError, match="formats"):
        plots.save_figure(fig, "x", out_dir=tmp_path, formats=("pdf", "jpg"))
    with pytest.raises(TypeError, match="ax.figure"):
        plots.save_figure(ax, "x", out_dir=tmp_path)


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    fig = plots.subplots()[0]
    fig.axes[0].set_title("first")
    (old,) = plots.save_figure(fig, "fig", out_dir=tmp_path, formats=("svg",))
    before = old.read_bytes()
    fig.axes[0].set_title("second")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        plots.save_figure(fig, "fig", out_dir=tmp_path, formats=("svg",))
    assert old.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["fig.svg"]
