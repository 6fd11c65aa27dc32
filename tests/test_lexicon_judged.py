"""The key themes on judged sentences: positives found, traps avoided.

``fixtures/lexicon/judged_sentences.csv`` keeps sentences read in their documents (UN statements, White
House briefings, kremlin.ru pages, the interview; ``doc_id`` is the file stem, ``-`` for a sentence
reported by a reader of such transcripts) with the label they hold (``positive``) or must not be
given (``trap``). ``context`` holds the sentences before it where a rule reads them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.lexicon import match_text

JUDGED = pd.read_csv(Path(__file__).parent / "fixtures" / "lexicon" / "judged_sentences.csv",
                     keep_default_na=False, dtype=str)


def _labels_in_sentence(context: str, sentence: str) -> list[str]:
    """Theme labels matched inside ``sentence`` when it follows ``context`` in one paragraph."""
    text = f"{context} {sentence}" if context else sentence
    start = len(text) - len(sentence)
    matches = match_text(text, layers=["theme"])
    return matches.loc[matches["start"] >= start, "label"].tolist()


@pytest.mark.parametrize("row", JUDGED.to_dict("records"),
                         ids=[f"{r['label']}-{r['expect']}-{i}" for i, r in JUDGED.iterrows()])
def test_judged_sentence(row):
    labels = _labels_in_sentence(row["context"], row["sentence"])
    if row["expect"] == "positive":
        assert row["label"] in labels, f"missed in {row['doc_id']}: {row['sentence']}"
    else:
        assert row["label"] not in labels, f"taken wrongly in {row['doc_id']}: {row['sentence']}"


def test_the_judged_file_has_positives_and_traps_for_every_label_it_holds():
    kinds = JUDGED.groupby("label")["expect"].agg(set).to_dict()
    assert {"sanctions", "nato", "bloc", "reciprocity", "mutuality"} <= set(kinds)
    assert all(found == {"positive", "trap"} for found in kinds.values())


def test_touching_matches_of_one_label_are_one_mention():
    m = match_text("But this, of course, requires oncoming traffic on both sides.", layers=["theme"])
    assert m[["label", "text", "pattern"]].values.tolist() == [
        ["mutuality", "oncoming traffic on both sides", "oncoming traffic + on both sides"]]


def _card_table() -> dict[tuple[str, str], tuple[str, str]]:
    """The precision-and-recall table of ``themes.md``: (label, measure) -> (before, after) cells."""
    from analysis.config import LEXICON_DIR

    card = (LEXICON_DIR / "themes.md").read_text(encoding="utf-8")
    section = card.split("## Precision and recall of the key themes", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1] in ("precision", "recall"):
            rows[(cells[0], cells[1])] = (cells[2], cells[3])
    return rows


def _cell(correct: int, n: int) -> str:
    """``k/n = p (low–high)`` with SciPy's Wilson score interval (95 %)."""
    from scipy.stats import binomtest

    interval = binomtest(correct, n).proportion_ci(confidence_level=0.95, method="wilson")
    return f"{correct}/{n} = {correct / n:.2f} ({interval.low:.2f}–{interval.high:.2f})"


def test_the_card_reports_the_judged_samples():
    from analysis.config import LEXICON_DIR

    judged = pd.read_csv(LEXICON_DIR / "themes-evaluation.csv", dtype={"doc_id": str})
    table = _card_table()
    labels = ("sanctions", "nato", "bloc", "reciprocity", "mutuality")
    assert set(table) == {(label, measure) for label in labels for measure in ("precision", "recall")}
    precision = judged[judged["kind"] == "precision"]
    recall = judged[(judged["kind"] == "recall") & (judged["correct"] == 1) & judged["version"].isna()]
    recall = recall.drop_duplicates(["label", "doc_id", "sentence_id"])
    for label in labels:
        for version, column in (("before", 0), ("after", 1)):
            rows = precision[(precision["version"] == version) & (precision["label"] == label)]
            expected = _cell(int(rows["correct"].sum()), len(rows)) if len(rows) else "—"
            assert table[(label, "precision")][column] == expected, (label, version)
            found = recall.loc[recall["label"] == label, f"found_{version}"]
            assert table[(label, "recall")][column] == _cell(int(found.sum()), len(found)), (label, version)
    # each source gives at most 10 matches per label and version to the precision sample
    assert precision.groupby(["version", "label", "source"]).size().max() <= 10


def _current_table() -> dict[tuple[str, str], tuple[str, ...]]:
    """The table of every theme on the current lexicon: (label, measure) -> (n, before, after) cells."""
    from analysis.config import LEXICON_DIR

    card = (LEXICON_DIR / "themes.md").read_text(encoding="utf-8")
    section = card.split("## Precision and recall of every theme", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1] in ("precision", "recall", "recall-fresh"):
            rows[(cells[0], cells[1])] = tuple(cells[2:])
    return rows


def test_the_card_reports_every_theme_before_and_after_the_rule_changes():
    from analysis.config import LEXICON_DIR
    from analysis.lexicon import packaged_lexicons

    judged = pd.read_csv(LEXICON_DIR / "themes-evaluation.csv", dtype={"doc_id": str})
    current = judged[judged["version"] == "current"]
    table = _current_table()
    themes = packaged_lexicons(layers=["theme"])
    others = set(themes["label"]) - {"-", "sanctions", "nato", "bloc", "reciprocity", "mutuality"}
    expected = {(label, m) for label in others for m in ("precision", "recall")}
    expected |= {("bloc", "precision"), ("bloc", "recall"), ("bloc", "recall-fresh"), ("reciprocity", "recall")}
    assert set(table) == expected
    for (label, measure), (n, *cells) in table.items():
        drawn = current[(current["kind"] == measure) & (current["label"] == label)]
        assert n == str(len(drawn)), (label, measure)
        for version, cell in zip(("before", "after"), cells):
            if measure.startswith("recall"):
                rows = drawn[drawn["correct"] == 1]
                k = int(rows[f"found_{version}"].sum())
            else:
                # a match drawn on one lexicon counts for the other only where that lexicon keeps it
                rows = drawn[drawn[f"found_{version}"] == 1]
                k = int(rows["correct"].sum())
            assert cell == (_cell(k, len(rows)) if len(rows) else "—"), (label, measure, version)
    # 10 per source and label (20 for the two thin recall samples): the three kinds of text weigh equally
    sizes = current.groupby(["kind", "label", "source"]).size().reset_index(name="n")
    thin = sizes["kind"].eq("recall") & sizes["label"].isin(["bloc", "reciprocity"])
    # a fresh sample never repeats a sentence of the first
    first = current[current["kind"] == "recall"]
    fresh = current[current["kind"] == "recall-fresh"]
    assert not set(zip(fresh["label"], fresh["doc_id"], fresh["sentence_id"])) & set(
        zip(first["label"], first["doc_id"], first["sentence_id"]))
    assert sizes.loc[~thin, "n"].max() <= 10 and sizes.loc[thin, "n"].max() <= 20
