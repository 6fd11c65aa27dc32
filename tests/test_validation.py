"""The hand-coded validation sample: it loads, its offsets are the interview's, and the scores recount."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from scipy.stats import binomtest
from sklearn.metrics import cohen_kappa_score

from analysis import validation
from conftest import PROJECT_DIR

THEMES = ["sanctions", "nato", "reciprocity"]


@pytest.fixture(scope="module")
def sample():
    return validation.load_coded_sample()


def test_the_sample_and_its_rules_are_package_data(sample):
    rules = (validation.VALIDATION_DIR / "coding-rules.md").read_text(encoding="utf-8")
    for theme in THEMES:
        assert re.search(rf"^## {theme}$", rules, re.MULTILINE), theme
    assert set(sample["role"]) == {"question", "answer"}
    assert set(sample["doc_id"]) == {"darchiev-interfax"}
    pyproject = (PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert '"lexicons/validation/*.csv"' in pyproject and '"lexicons/validation/*.md"' in pyproject


def test_the_offsets_are_the_interview_text(sample, interview_text):
    for row in sample.itertuples():
        assert interview_text[row.start:row.end] == row.text, row.sentence_id


def test_the_sample_is_every_sentence_of_every_turn(sample, interview_tables):
    sentences = interview_tables["sentences"]
    assert sample[["sentence_id", "turn_id", "start", "end"]].values.tolist() == \
        sentences[["sentence_id", "turn_id", "start", "end"]].values.tolist()
    roles = interview_tables["turns"].set_index("turn_id")["role"]
    assert sample["role"].tolist() == sample["turn_id"].map(roles).tolist()


def _recount(sample: pd.DataFrame, matches: pd.DataFrame, theme: str, labels: list[str]) -> dict:
    """Precision and recall counted from sets of sentence ids, with SciPy's Wilson interval."""
    coded = {s for s, v in zip(sample["sentence_id"], sample[theme]) if v == 1}
    found = {s for s, layer, label in zip(matches["sentence_id"], matches["layer"], matches["label"])
             if layer == "theme" and label in labels} & set(sample["sentence_id"])
    both = len(coded & found)
    p = binomtest(both, len(found)).proportion_ci(method="wilson")
    r = binomtest(both, len(coded)).proportion_ci(method="wilson")
    return {"both": both, "found": len(found), "coded": len(coded), "precision": both / len(found),
            "precision_low": p.low, "precision_high": p.high, "recall": both / len(coded),
            "recall_low": r.low, "recall_high": r.high}


@pytest.mark.parametrize("labels", [None, {"reciprocity": ["reciprocity", "mutuality"]}])
def test_scores_equal_an_independent_recount(sample, interview_tables, labels):
    matches = interview_tables["matches"]
    scores = validation.lexicon_scores(sample, matches, labels=labels).set_index("theme")
    for theme in THEMES:
        expected = _recount(sample, matches, theme, (labels or {}).get(theme, [theme]))
        for column, value in expected.items():
            assert scores.loc[theme, column] == pytest.approx(value, abs=1e-12), (theme, column)


def test_disagreements_are_the_sentences_where_codes_and_matches_differ(sample, interview_tables):
    matches = interview_tables["matches"]
    table = validation.disagreements(sample, matches)
    for theme in THEMES:
        found = set(matches.loc[(matches["layer"] == "theme") & (matches["label"] == theme), "sentence_id"])
        coded = set(sample.loc[sample[theme] == 1, "sentence_id"])
        rows = table[table["theme"] == theme]
        assert set(rows.loc[rows["kind"] == "missed", "sentence_id"]) == coded - found
        assert set(rows.loc[rows["kind"] == "extra", "sentence_id"]) == found - coded
        assert all(rows.loc[rows["kind"] == "extra", "matched"] != "")
        for row in rows.itertuples():
            here = matches[(matches["sentence_id"] == row.sentence_id) & (matches["layer"] == "theme")]
            assert row.other_labels == ", ".join(sorted(set(here["label"]) - {theme}))


def test_recode_agreement_equals_scikit_learn(sample):
    table = validation.recode_agreement(sample).set_index("theme")
    for theme in THEMES:
        first, second = sample[theme], sample[f"{theme}_recode"]
        if first.nunique() + second.nunique() > 2:
            assert table.loc[theme, "kappa"] == pytest.approx(cohen_kappa_score(first, second), abs=1e-12)
        assert table.loc[theme, "agree"] == pytest.approx((first == second).mean())


def test_a_sample_with_a_bad_code_is_refused(tmp_path, sample):
    bad = sample.copy()
    bad.loc[0, "nato"] = 2
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="nato"):
        validation.load_coded_sample(tmp_path / "bad.csv")
    with pytest.raises(ValueError, match="columns"):
        sample.drop(columns="reciprocity").to_csv(tmp_path / "short.csv", index=False)
        validation.load_coded_sample(tmp_path / "short.csv")


def _cell_outputs(notebook: str, marker: str) -> str:
    cells = json.loads((PROJECT_DIR / "notebooks" / notebook).read_text(encoding="utf-8"))["cells"]
    chosen = [c for c in cells if c["cell_type"] == "code" and marker in "".join(c["source"])]
    assert len(chosen) == 1, marker
    return "".join("".join(o.get("data", {}).get("text/plain", o.get("text", ""))) for o in chosen[0]["outputs"])


def test_the_notebook_shows_the_recounted_scores(sample, interview_tables):
    shown = _cell_outputs("02-themes.ipynb", "scores = pd.concat(")
    matches = interview_tables["matches"]
    for theme, labels in [("sanctions", ["sanctions"]), ("nato", ["nato"]), ("reciprocity", ["reciprocity"]),
                          ("reciprocity", ["reciprocity", "mutuality"])]:
        r = _recount(sample, matches, theme, labels)
        assert (f"{r['both']}/{r['found']} = {r['precision']:.2f} "
                f"({r['precision_low']:.2f}–{r['precision_high']:.2f})") in shown, (theme, labels)
        assert (f"{r['both']}/{r['coded']} = {r['recall']:.2f} "
                f"({r['recall_low']:.2f}–{r['recall_high']:.2f})") in shown, (theme, labels)
