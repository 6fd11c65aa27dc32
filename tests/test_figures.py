"""The paper figures: each draws a titled, labelled Axes from the tables; `figures` gives the same bytes every time."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy.stats import chi2_contingency
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from analysis import figures
from analysis.corpus import DOCUMENT_TABLES

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
DOC = "darchiev-interfax"
MANIFEST_HEADER = ["figure", "file", "sha256", "tables", "function"]
#: Figures that train the responsiveness model on QEvasion first (several seconds): tested as slow.
TRAINED = [name for name, figure in figures.FIGURES.items() if "qevasion" in figure.tables]
QUICK = [name for name in figures.FIGURES if name not in TRAINED]


def _interview(corpus):
    return corpus.subset(doc_ids=[DOC])


def _check_axes(ax, figure) -> None:
    assert isinstance(ax, matplotlib.axes.Axes)
    assert any(ax.get_title(loc=loc).strip() for loc in ("left", "center", "right")), figure.name
    # a figure whose axes mean nothing (the actor network's layout) draws none; every other labels both
    assert not ax.axison or (ax.get_xlabel().strip() and ax.get_ylabel().strip()), figure.name
    assert ax.figure.get_figwidth() == pytest.approx(3.35 if figure.columns == 1 else 7.0)


# ------------------------------------------------------------------------------ the registry


def test_at_least_nine_figures_are_registered_each_with_its_function_tables_and_caption():
    assert len(figures.FIGURES) >= 9
    for name, figure in figures.FIGURES.items():
        assert figure.name == name
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name  # a plain, portable file stem
        assert figure.columns in (1, 2)
        assert figure.tables and set(figure.tables) <= {"documents", *DOCUMENT_TABLES, "qevasion"}, name
        assert figure.function.startswith("analysis.figures."), name
        assert (figure.draw.__doc__ or "").strip(), f"{name} has no caption (docstring)"


def test_a_name_is_registered_once():
    name = next(iter(figures.FIGURES))
    with pytest.raises(ValueError, match="already called"):
        figures.paper_figure(name, tables=("turns",))(lambda corpus, ax=None: ax)


def test_an_unknown_figure_is_refused_with_the_known_names(corpus):
    with pytest.raises(KeyError, match="actor-network"):
        figures.draw_figure("no-such-figure", corpus)


# ------------------------------------------------------------------------------ every figure


@pytest.mark.parametrize("name", QUICK)
def test_every_figure_returns_an_axes_with_a_title_and_labelled_axes(drawn, name):
    _check_axes(drawn(name), figures.FIGURES[name])


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINED)
def test_every_trained_figure_returns_an_axes_with_a_title_and_labelled_axes(drawn, name):
    _check_axes(drawn(name), figures.FIGURES[name])


# ------------------------------------------------------------------------------ what the figures show


def test_actor_network_draws_every_actor_that_shares_a_sentence_with_another(drawn, corpus):
    ax = drawn("actor-network")
    actors = _interview(corpus).matches.query("layer == 'actor'")
    named = actors.groupby("sentence_id")["label"].agg(lambda s: sorted(set(s)))
    linked = sorted({actor for labels in named if len(labels) > 1 for actor in labels})
    shown = sorted(text.get_text() for text in ax.texts)
    assert shown == linked
    points = ax.collections[-1].get_offsets()
    assert len(points) == len(linked)


def test_we_they_bars_are_the_pronoun_matches_of_each_turn(drawn, corpus):
    ax = drawn("we-they-by-turn")
    interview = _interview(corpus)
    pronouns = interview.matches.query("layer == 'pronoun'")
    counted = Counter(zip(pronouns["turn_id"], pronouns["label"]))
    turns = interview.turns["turn_id"].tolist()
    heights = [bar.get_height() for bar in ax.patches]
    assert heights[:len(turns)] == [counted[(t, "first_plural")] for t in turns]
    assert heights[len(turns):] == [-counted[(t, "third_plural")] for t in turns]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        f"{turn}\n{'Q' if role == 'question' else 'A'}"
        for turn, role in zip(interview.turns["turn_id"], interview.turns["role"])]


def test_stance_bars_are_rates_per_thousand_non_punctuation_tokens(drawn, corpus):
    ax = drawn("stance-by-turn")
    interview = _interview(corpus)
    words = interview.tokens[~interview.tokens["is_punct"].astype(bool)].groupby("turn_id").size()
    layers = [text.get_text() for text in ax.get_legend().get_texts()]
    assert layers == list(figures.STANCE_LAYERS)
    stance = interview.matches[interview.matches["layer"].isin(layers)]
    counted = Counter(zip(stance["layer"], stance["turn_id"]))
    turns = interview.turns["turn_id"].tolist()
    heights = np.array([bar.get_height() for bar in ax.patches]).reshape(len(layers), len(turns))
    expected = np.array([[counted[(layer, t)] / words[t] * 1000 for t in turns] for layer in layers])
    assert heights == pytest.approx(expected)


def test_sentiment_bars_are_each_turns_mean_vader_score_with_actor_names_masked(drawn, corpus):
    ax = drawn("sentiment-by-turn")
    interview = _interview(corpus)
    text = interview.texts["text"].iloc[0]
    # names carry no sentiment: every word of an actor match (and of "special military operation") becomes "_"
    masked = list(text)
    names = interview.matches[(interview.matches["layer"] == "actor")
                              | (interview.matches["pattern"].str.lower() == "special military operation")]
    for row in names.itertuples():
        for word in re.finditer(r"\S+", text[row.start:row.end]):
            first, last = row.start + word.start(), row.start + word.end()
            masked[first:last] = ["_"] + [""] * (last - first - 1)
    analyzer = SentimentIntensityAnalyzer()
    scores = {}
    for row in interview.sentences.itertuples():
        sentence = "".join(masked[row.start:row.end])
        scores.setdefault(row.turn_id, []).append(analyzer.polarity_scores(sentence)["compound"])
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx([np.mean(scores[t]) for t in interview.turns["turn_id"]])


def test_keyness_bars_are_dunnings_g2_of_the_printed_raw_counts(drawn, corpus):
    ax = drawn("keyness-answers-vs-russia-un")
    documents = corpus.documents
    russia = documents.loc[documents["path"].str.startswith("ungdc/rus_usa_can_1992_2024/RUS_"), "doc_id"]
    roles = corpus.turns[corpus.turns["doc_id"] == DOC].set_index("turn_id")["role"]
    tokens = corpus.tokens[corpus.tokens["is_alpha"].astype(bool)]
    interview = tokens[tokens["doc_id"] == DOC]
    answers = Counter(interview.loc[interview["turn_id"].map(roles) == "answer", "lower"])
    reference = Counter(tokens.loc[tokens["doc_id"].isin(russia), "lower"])
    c, d = sum(answers.values()), sum(reference.values())
    terms = [label.get_text() for label in ax.get_yticklabels()]
    printed = [text.get_text() for text in ax.texts]
    assert "Answers" in printed and "Russia, UN" in printed
    for bar, term in zip(ax.patches, terms):
        a, b = answers[term], reference[term]
        table = np.array([[a, b], [c - a, d - b]])
        g2 = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
        assert bar.get_width() == pytest.approx(g2 * np.sign(a / c - b / d), rel=1e-9)
        assert f"{a:,}" in printed and f"{b:,}" in printed
    assert len(terms) == 15 and all(bar.get_width() > 0 for bar in ax.patches)


# ------------------------------------------------------------------------------ saving: the same bytes


def _read_manifest(folder: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / "MANIFEST.csv").read_text(encoding="utf-8"))))


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_make_figures_twice_gives_the_same_bytes_and_a_true_manifest(corpus, tmp_path, monkeypatch):
    chosen = [name for name in ("actor-network", "we-they-by-turn", "keyness-answers-vs-russia-un")
              if name in figures.FIGURES]
    monkeypatch.setattr(figures, "FIGURES", {name: figures.FIGURES[name] for name in chosen})
    open_before = set(plt.get_fignums())
    first = figures.make_figures(out_dir=tmp_path / "a", corpus=corpus)
    second = figures.make_figures(out_dir=tmp_path / "b", corpus=corpus)
    assert [p.name for p in first] == [p.name for p in second]
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert sorted(p.name for p in first) == sorted(_files(tmp_path / "a"))
    header = (tmp_path / "a" / "MANIFEST.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == MANIFEST_HEADER
    rows = _read_manifest(tmp_path / "a")
    assert [row["file"] for row in rows] == [f"{name}.{fmt}" for name in chosen for fmt in ("pdf", "svg", "png")]
    for row in rows:
        content = (tmp_path / "a" / row["file"]).read_bytes()
        assert row["sha256"] == hashlib.sha256(content).hexdigest()
        figure = figures.FIGURES[row["figure"]]
        assert row["tables"] == " ".join(figure.tables) and row["function"] == figure.function
    assert set(plt.get_fignums()) == open_before  # make_figures closes what it drew


# ------------------------------------------------------------------------------ the command, here and elsewhere


def _environment(root: Path, tmp: Path, seed: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANALYSIS_", "PYTHONPATH"))}
    env.update(MPLCONFIGDIR=str(tmp / f"mpl-{seed}"), MPLBACKEND="Agg", PYTHONHASHSEED=seed,
               ANALYSIS_PROJECT_ROOT=str(root), PYTHONPATH=str(root / "src"))
    return env


def _start(args: list[str], *, root: Path, tmp: Path, seed: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=tmp, env=_environment(root, tmp, seed),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, *, timeout: int) -> subprocess.CompletedProcess:
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    assert process.returncode == 0, stderr[-2000:]
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _run(args: list[str], *, root: Path, tmp: Path, seed: str, timeout: int) -> subprocess.CompletedProcess:
    return _finish(_start(args, root=root, tmp=tmp, seed=seed), timeout=timeout)


def _copy_of_the_repository(where: Path) -> Path:
    """The package's source, raw data and project file copied to ``where`` (no built tables)."""
    shutil.copytree(PROJECT / "src" / "analysis", where / "src" / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(PROJECT / "data" / "raw", where / "data" / "raw")
    shutil.copy2(PROJECT / "pyproject.toml", where / "pyproject.toml")
    return where


@pytest.fixture(scope="module")
def command_outputs(tmp_path_factory, corpus):
    """``python -m analysis figures`` run twice, side by side: from this repository (hash seed 1), and from
    a copy of it in another folder that builds its own tables first (hash seeds 3 and 4).

    One comparison covers the three ways bytes could drift: another process, another hash seed and
    another folder (with tables built there). Returns the two output folders and the copy's root.
    """
    tmp = tmp_path_factory.mktemp("figures")
    copy = _copy_of_the_repository(tmp / "elsewhere" / "project")
    here = _start(["-m", "analysis", "figures", "--out", str(tmp / "here")], root=PROJECT, tmp=tmp, seed="1")
    try:
        _run(["-m", "analysis", "data", "--jobs", "1"], root=copy, tmp=tmp, seed="3", timeout=1800)
        _run(["-m", "analysis", "figures", "--out", str(tmp / "there")], root=copy, tmp=tmp, seed="4", timeout=1200)
        _finish(here, timeout=1200)
    finally:
        if here.poll() is None:
            here.kill()
            here.communicate()
    return tmp / "here", tmp / "there", copy


@pytest.mark.slow
def test_the_figures_command_gives_identical_files_here_and_in_a_copy_elsewhere(command_outputs):
    here, there, _ = command_outputs
    first, second = _files(here), _files(there)
    assert first == second
    rows = _read_manifest(here)
    assert {row["figure"] for row in rows} == set(figures.FIGURES)
    assert len(rows) == 3 * len(figures.FIGURES) and len(first) == len(rows) + 1


@pytest.mark.slow
def test_the_copy_elsewhere_reads_its_own_folder_not_this_one(command_outputs, tmp_path):
    copy = command_outputs[2]
    where = _run(["-c", "import analysis.config as c; print(c.PROJECT_ROOT); print(c.PACKAGE_DIR)"],
                 root=copy, tmp=tmp_path, seed="3", timeout=60).stdout.split()
    assert where == [str(copy.resolve()), str((copy / "src" / "analysis").resolve())]
    assert (copy / "data" / "processed" / "documents.parquet").is_file()
