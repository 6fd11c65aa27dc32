"""Building and loading the corpus: the data contract, losslessness, incremental and atomic builds."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from analysis.corpus import DOCUMENT_TABLES, build, load_corpus, read_tables, stale_documents
from analysis.errors import InputError, RawDataChangedError
from conftest import INTERVIEW, UN_DIR

CONTRACT = {
    "documents": ["doc_id", "path", "sha256", "kind", "title", "speaker", "outlet", "country", "date", "year",
                  "n_turns", "n_tokens"],
    "turns": ["doc_id", "turn_id", "role", "speaker", "start", "end", "n_paragraphs", "text"],
    "sentences": ["doc_id", "turn_id", "paragraph_id", "sentence_id", "start", "end", "text"],
    "tokens": ["doc_id", "turn_id", "sentence_id", "token_id", "start", "end", "text", "lower", "lemma",
               "is_alpha", "is_stop", "is_punct"],
    "matches": ["doc_id", "turn_id", "sentence_id", "start", "end", "layer", "label", "text", "pattern"],
}


def test_tables_follow_the_data_contract(corpus):
    for name, columns in CONTRACT.items():
        table = getattr(corpus, name)
        assert list(table.columns[: len(columns)]) == columns, name
    assert corpus.documents["doc_id"].is_unique
    assert len(corpus.documents) == 290 + 298 + 52  # UN statements and the interview, briefings, kremlin.ru
    assert {"interview", "speech", "briefing", "gaggle", "background call", "news conference"} <= set(
        corpus.documents["kind"])
    assert set(corpus.turns["role"]) == {"question", "answer", "statement", "moderator"}
    assert set(corpus.turns["participant"]) <= {"", "interviewee", "interviewer", "moderator", "journalist",
                                                "official", "audience"}
    assert corpus.documents.set_index("doc_id").loc["RUS_77_2022", "speaker"] == "Sergei Lavrov"  # as the source spells it in 2022


def test_the_interview_in_the_built_corpus(corpus):
    doc = corpus.documents.set_index("doc_id").loc["darchiev-interfax"]
    assert (doc["kind"], doc["speaker"], doc["outlet"], doc["n_turns"]) == ("interview", "A. N. Darchiev", "Interfax", 12)
    turns = corpus.turns[corpus.turns["doc_id"] == "darchiev-interfax"]
    assert list(turns["n_paragraphs"]) == [1, 4, 1, 3, 1, 2, 1, 2, 1, 4, 1, 3]


@pytest.mark.slow
def test_every_offset_round_trips_and_units_nest(corpus):
    texts = dict(zip(corpus.texts["doc_id"], corpus.texts["text"]))
    for name in ("turns", "sentences", "tokens", "matches", "spans"):
        table = getattr(corpus, name)
        if name == "matches":
            table = table[table["layer"] != "quote"]  # a quote's text is given without its marks
        spans = [texts[d][s:e] for d, s, e in zip(table["doc_id"], table["start"], table["end"])]
        assert spans == list(table["text"]), name
    tokens = corpus.tokens.merge(corpus.sentences, on=["doc_id", "sentence_id"], suffixes=("", "_s"))
    assert ((tokens["start"] >= tokens["start_s"]) & (tokens["end"] <= tokens["end_s"])).all()
    sentences = corpus.sentences.merge(corpus.turns, on=["doc_id", "turn_id"], suffixes=("", "_t"))
    assert ((sentences["start"] >= sentences["start_t"]) & (sentences["end"] <= sentences["end_t"])).all()
    assert len(tokens) == len(corpus.tokens) and len(sentences) == len(corpus.sentences)


@pytest.mark.slow
def test_spans_cover_every_character_of_every_document(corpus):
    starts, ends = corpus.spans["start"].tolist(), corpus.spans["end"].tolist()
    rows = corpus.spans.groupby("doc_id", sort=False).indices  # each document's span rows, found in one pass
    for doc_id, text in zip(corpus.texts["doc_id"], corpus.texts["text"]):
        covered = bytearray(len(text))
        for row in rows.get(doc_id, ()):
            covered[starts[row]:ends[row]] = b"\x01" * (ends[row] - starts[row])
        # every run of characters outside the spans is whitespace (looked at run by run, not character by character)
        assert all(text[gap.start():gap.end()].isspace() for gap in re.finditer(rb"\x00+", covered)), doc_id


def small_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(INTERVIEW, raw / "darchiev-interfax.txt")
    for name in ("RUS_77_2022.txt", "USA_47_1992.txt"):
        shutil.copy(UN_DIR / name, raw / name)
    return raw


def test_a_folder_without_manifest_builds_from_texts_and_names(tmp_path):
    raw, out = small_raw(tmp_path), tmp_path / "out"
    assert sorted(build(raw, out)) == ["RUS_77_2022", "USA_47_1992", "darchiev-interfax"]
    corpus = read_tables(out)
    documents = corpus.documents.set_index("doc_id")
    assert documents.loc["RUS_77_2022", "year"] == 2022
    assert documents.loc["RUS_77_2022", "kind"] == "speech"
    assert documents.loc["darchiev-interfax", "kind"] == "interview"
    assert corpus.text("darchiev-interfax").startswith("Monday, May 20")


def test_rebuilds_only_what_changed_and_identically(tmp_path):
    raw, out = small_raw(tmp_path), tmp_path / "out"
    build(raw, out)
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}
    assert build(raw, out) == []
    (raw / "extra.txt").write_text("Question: Why?\n\nAnswer: Reciprocity.\n", encoding="utf-8")
    assert stale_documents(raw, out) == ["extra"]
    assert build(raw, out) == ["extra"]
    (raw / "extra.txt").unlink()
    build(raw, out)
    second = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}
    assert second == first
    shutil.rmtree(out)
    build(raw, out)
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")} == first


def test_a_changed_raw_file_listed_in_the_manifest_is_refused(tmp_path):
    from analysis.sources import file_sha256

    raw, out = small_raw(tmp_path), tmp_path / "out"
    rows = [{"doc_id": p.stem, "path": p.name, "sha256": file_sha256(p), "kind": "speech" if "_" in p.stem else ""}
            for p in sorted(raw.glob("*.txt"))]
    pd.DataFrame(rows).to_csv(raw / "manifest.csv", index=False)
    build(raw, out)
    with open(raw / "USA_47_1992.txt", "a", encoding="utf-8") as handle:
        handle.write("An added line.\n")
    with pytest.raises(RawDataChangedError, match="USA_47_1992.txt"):
        build(raw, out)
    assert len(read_tables(out).documents) == 3  # the previous tables are still there


def test_an_unreadable_file_in_a_folder_is_named(tmp_path):
    raw = small_raw(tmp_path)
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="broken.txt"):
        build(raw, tmp_path / "out")


def test_the_output_folder_may_not_lie_inside_the_raw_folder(tmp_path):
    raw = small_raw(tmp_path)
    with pytest.raises(InputError, match="outside"):
        build(raw, raw / "processed")


def test_load_corpus_rebuilds_when_the_state_is_stale(tmp_path):
    raw, out = small_raw(tmp_path), tmp_path / "out"
    build(raw, out)
    state = json.loads((out / "_build.json").read_text())
    state["code"] = "an older version"
    (out / "_build.json").write_text(json.dumps(state))
    assert sorted(stale_documents(raw, out)) == ["RUS_77_2022", "USA_47_1992", "darchiev-interfax"]
    corpus = load_corpus(raw, out)
    assert len(corpus.turns) == 14
    assert all((out / name).is_dir() for name in DOCUMENT_TABLES)


def test_subset_selects_documents_in_every_table(corpus):
    russia = corpus.subset(country="Russia", kind="speech")
    assert len(russia.documents) == 33
    assert set(russia.tokens["doc_id"]) == set(russia.documents["doc_id"])
    with pytest.raises(KeyError):
        corpus.subset(colour="red")
