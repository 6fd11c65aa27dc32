"""Building at scale: the vectorised annotation equals spaCy's own components, parts, workers, Dask."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.__main__ import main
from analysis.corpus import DOCUMENT_TABLES, build, part_file, part_of, read_table, read_tables
from analysis.errors import InputError
from analysis.nlp import annotate_paragraphs, get_pipeline
from analysis.sources import read_document
from analysis.transcripts import parse_transcript
from conftest import INTERVIEW, UN_DIR

SUBSET = ("RUS_77_2022.txt", "USA_47_1992.txt", "CAN_77_2022.txt", "USA_77_2022.txt")


# --- the vectorised annotation against spaCy's components run token by token ----------------------

def spacy_token_by_token(text: str, paragraphs: pd.DataFrame, nlp, *, capitalised: bool = True) -> tuple[list, list]:
    """Sentences and tokens as spaCy's full pipeline gives them, read one token at a time.

    With ``capitalised``, the package's one addition to spaCy's lookup lemmas:
    a capitalised word the table lacks is looked up in lower case.
    """
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup") if capitalised else None
    sentences, tokens = [], []
    for turn_id, paragraph_id, start, end in paragraphs[["turn_id", "paragraph_id", "start", "end"]].itertuples(
            index=False, name=None):
        doc = nlp(text[start:end])
        for sent in doc.sents:
            words = [token for token in sent if not token.is_space]
            if not words:
                continue
            s_start, s_end = start + words[0].idx, start + words[-1].idx + len(words[-1].text)
            sentence_id = len(sentences)
            sentences.append((turn_id, paragraph_id, sentence_id, s_start, s_end, text[s_start:s_end]))
            for token in words:
                t_start = start + token.idx
                lemma = token.lemma_ or token.text
                if table is not None and lemma == token.text and token.text[:1].isupper() and token.text[1:].islower():
                    lemma = table.get(token.text.lower(), token.text.lower()) or token.text.lower()
                tokens.append((turn_id, sentence_id, len(tokens), t_start, t_start + len(token.text), token.text,
                               token.lower_, lemma.lower(), token.is_alpha, token.is_stop, token.is_punct))
    return sentences, tokens


def rows(sentences: pd.DataFrame, tokens: pd.DataFrame) -> tuple[list, list]:
    s_columns = ["turn_id", "paragraph_id", "sentence_id", "start", "end", "text"]
    t_columns = ["turn_id", "sentence_id", "token_id", "start", "end", "text", "lower", "lemma",
                 "is_alpha", "is_stop", "is_punct"]
    return (list(sentences[s_columns].itertuples(index=False, name=None)),
            list(tokens[t_columns].itertuples(index=False, name=None)))


def whole_text(text: str) -> pd.DataFrame:
    return pd.DataFrame({"turn_id": [0], "paragraph_id": [0], "start": [0], "end": [len(text)]})


@pytest.mark.parametrize("path", [INTERVIEW, UN_DIR / "USA_47_1992.txt", UN_DIR / "RUS_77_2022.txt",
                                  UN_DIR / "CAN_79_2024.txt"], ids=lambda p: p.stem)
def test_sentences_and_tokens_equal_spacys_pipeline_on_real_texts(path):
    text = read_document(path).text
    paragraphs = parse_transcript(text).paragraphs
    sentences, tokens = annotate_paragraphs(text, paragraphs, doc_id="d")
    assert rows(sentences, tokens) == spacy_token_by_token(text, paragraphs, get_pipeline())


NASTY = [
    '"Stop!" he said. "Why?"  Because… (See p. 5.) Next.',
    "Wait... what?!  ¿Qué? Done!!! ...and then",
    "U.S.A. and the U.K. met.It ended.\tTabs\tand  double  spaces .",
    "Mr. Smith ( really ) said: 'no.' ) . Then 2.5% rose。 次！ End",
    "   \n  leading and trailing whitespace  \n\n  ",
    "....",
    "",
]


@pytest.mark.parametrize("text", NASTY)
def test_sentences_and_tokens_equal_spacys_pipeline_on_nasty_text(text):
    sentences, tokens = annotate_paragraphs(text, whole_text(text), doc_id="d")
    assert rows(sentences, tokens) == spacy_token_by_token(text, whole_text(text), get_pipeline())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["Yes", "no", "U.S.", "NATO", "sanctions", ".", "!", "?", "…", '"', "'", ")",
                                 "(", "-", ",", ";", " ", "  ", "\n", "\t", "。", "3.5", "e.g."]), max_size=40))
def test_sentence_rule_equals_spacys_sentencizer_on_any_sequence(pieces):
    text = "".join(pieces)
    sentences, tokens = annotate_paragraphs(text, whole_text(text), doc_id="d")
    assert rows(sentences, tokens) == spacy_token_by_token(text, whole_text(text), get_pipeline())


def test_a_pipeline_with_other_components_runs_in_full_and_agrees():
    import spacy
    from spacy.language import Language

    if "analysis_test_passthrough" not in Language.factories:
        Language.component("analysis_test_passthrough", func=lambda doc: doc)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("analysis_test_passthrough")
    nlp.initialize()
    text = read_document(INTERVIEW).text
    paragraphs = parse_transcript(text).paragraphs
    slow = annotate_paragraphs(text, paragraphs, doc_id="d", nlp=nlp)
    fast = annotate_paragraphs(text, paragraphs, doc_id="d")
    assert rows(*slow) == spacy_token_by_token(text, paragraphs, nlp, capitalised=False)  # spaCy's lemmas as such
    assert slow[0].equals(fast[0])
    assert slow[1].drop(columns="lemma").equals(fast[1].drop(columns="lemma"))


# --- builds ---------------------------------------------------------------------------------------

def copy_subset(folder):
    folder.mkdir()
    shutil.copy(INTERVIEW, folder / INTERVIEW.name)
    for name in SUBSET:
        shutil.copy(UN_DIR / name, folder / name)
    return folder


def table_bytes(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*.parquet")}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The subset built once with one process: ``(raw, out)``."""
    root = tmp_path_factory.mktemp("scale")
    raw, out = copy_subset(root / "raw"), root / "out"
    build(raw, out, jobs=1)
    return raw, out


def test_every_document_lies_in_one_part_of_each_table(built):
    _, out = built
    for name in DOCUMENT_TABLES:
        for path in (out / name).glob("*.parquet"):
            ids = set(pq.read_table(path, columns=["doc_id"])["doc_id"].to_pylist())
            assert ids and all(path.name == part_file(part_of(doc_id)) for doc_id in ids), (name, path.name)


def test_duckdb_reads_each_table_folder_as_one_dataset(built):
    duckdb = pytest.importorskip("duckdb")
    _, out = built
    corpus = read_tables(out)
    counts = duckdb.sql(
        f"SELECT doc_id, count(*) AS n FROM read_parquet('{out}/tokens/*.parquet') GROUP BY doc_id ORDER BY doc_id"
    ).df()
    expected = corpus.documents.sort_values("doc_id")[["doc_id", "n_tokens"]]
    assert counts["doc_id"].tolist() == expected["doc_id"].tolist()
    assert counts["n"].tolist() == expected["n_tokens"].tolist()
    sanctions = duckdb.sql(
        f"SELECT count(*) AS n FROM read_parquet('{out}/matches/*.parquet') "
        "WHERE layer = 'theme' AND label = 'sanctions'"
    ).df()["n"].iloc[0]
    assert sanctions == ((corpus.matches["layer"] == "theme") & (corpus.matches["label"] == "sanctions")).sum() > 0


def test_tables_come_back_in_document_order(built):
    _, out = built
    corpus = read_tables(out)
    order = corpus.documents["doc_id"].tolist()
    for name in DOCUMENT_TABLES:
        ids = getattr(corpus, name)["doc_id"]
        assert ids.map(order.index).is_monotonic_increasing, name
    assert corpus.tokens.groupby("doc_id")["token_id"].apply(lambda s: s.is_monotonic_increasing).all()
    reversed_order = order[::-1]
    lemmas = read_table(out, "tokens", order=reversed_order[:2], columns=["lemma"])
    assert lemmas.column_names == ["lemma"]
    first_two = corpus.tokens[corpus.tokens["doc_id"].isin(reversed_order[:2])]
    assert lemmas.num_rows == len(first_two)
    assert lemmas["lemma"].to_pylist()[:5] == corpus.tokens.loc[corpus.tokens["doc_id"] == reversed_order[0],
                                                                 "lemma"].tolist()[:5]


def test_a_changed_document_rewrites_only_its_own_part(built, tmp_path):
    raw, out = copy_subset(tmp_path / "raw"), tmp_path / "out"
    shutil.copytree(built[1], out)
    before = table_bytes(out)
    with open(raw / "CAN_77_2022.txt", "a", encoding="utf-8") as handle:
        handle.write("\nThe sanctions must end. Reciprocity matters.\n")
    assert build(raw, out) == ["CAN_77_2022"]
    after = table_bytes(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert {path.name for path in changed} - {"documents.parquet"} == {part_file(part_of("CAN_77_2022"))}
    corpus = read_tables(out)
    assert corpus.text("CAN_77_2022").endswith("Reciprocity matters.\n")
    assert corpus.tokens[corpus.tokens["doc_id"] == "CAN_77_2022"]["text"].iloc[-3:].tolist() == [
        "Reciprocity", "matters", "."]
    shutil.copy(UN_DIR / "CAN_77_2022.txt", raw / "CAN_77_2022.txt")
    build(raw, out)
    assert table_bytes(out) == before


def test_a_removed_document_leaves_every_table(built, tmp_path):
    raw, out = copy_subset(tmp_path / "raw"), tmp_path / "out"
    shutil.copytree(built[1], out)
    (raw / "USA_47_1992.txt").unlink()
    assert build(raw, out) == []
    corpus = read_tables(out)
    for name in ("documents",) + DOCUMENT_TABLES:
        assert "USA_47_1992" not in set(getattr(corpus, name)["doc_id"]), name
    alone = not any(part_of(p.stem) == part_of("USA_47_1992") for p in raw.glob("*.txt"))
    assert (out / "tokens" / part_file(part_of("USA_47_1992"))).exists() is not alone


def test_files_of_another_layout_are_removed(tmp_path):
    raw, out = copy_subset(tmp_path / "raw"), tmp_path / "out"
    (out / "tokens").mkdir(parents=True)
    pd.DataFrame({"doc_id": ["gone"]}).to_parquet(out / "tokens" / "gone.parquet")
    build(raw, out)
    assert not (out / "tokens" / "gone.parquet").exists()
    assert "gone" not in set(read_tables(out).tokens["doc_id"])


def test_two_worker_processes_write_the_same_bytes_as_one(built, tmp_path):
    raw, out = built[0], tmp_path / "out"
    assert sorted(build(raw, out, jobs=2)) == sorted(p.stem for p in raw.glob("*.txt"))
    assert table_bytes(out) == table_bytes(built[1])


def test_the_default_build_uses_every_available_core_and_writes_the_same_bytes(built, tmp_path, monkeypatch):
    import analysis.corpus as corpus_module

    assert corpus_module.default_jobs() == len(os.sched_getaffinity(0))
    seen = []
    run_tasks = corpus_module._run_tasks
    monkeypatch.setattr(corpus_module, "_run_tasks", lambda tasks, **kw: seen.append(kw["jobs"]) or run_tasks(tasks, **kw))
    build(built[0], tmp_path / "out")
    assert seen == [corpus_module.default_jobs()]
    assert table_bytes(tmp_path / "out") == table_bytes(built[1])
    with pytest.raises(ValueError, match="at least 1"):
        build(built[0], tmp_path / "out", jobs=0)


def test_matching_in_small_batches_writes_the_same_bytes(built, tmp_path, monkeypatch):
    """The matcher runs over batches of a part's documents; the batch size must not change a byte."""
    import analysis.corpus as corpus_module

    monkeypatch.setattr(corpus_module, "MATCH_BATCH_TOKENS", 500)
    build(built[0], tmp_path / "out", jobs=1)
    assert table_bytes(tmp_path / "out") == table_bytes(built[1])


def test_an_error_in_a_worker_process_names_the_file(tmp_path):
    raw = copy_subset(tmp_path / "raw")
    (raw / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(InputError, match="broken.txt"):
        build(raw, tmp_path / "out", jobs=2)


def test_the_command_line_takes_an_engine(built, tmp_path, capsys):
    raw = built[0]
    assert main(["data", "--raw", str(raw), "--out", str(tmp_path / "out"), "--engine", "local"]) == 0
    assert table_bytes(tmp_path / "out") == table_bytes(built[1])
    assert main(["data", "--raw", str(raw), "--out", str(tmp_path / "out"), "--engine", "local",
                 "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err


@pytest.mark.slow  # about 15 s: starting a local cluster and loading spaCy in its workers
def test_the_dask_engine_writes_the_same_tables(built, tmp_path):
    pytest.importorskip("dask.distributed")
    raw, out = built[0], tmp_path / "out"
    assert sorted(build(raw, out, engine="dask", jobs=2)) == sorted(p.stem for p in raw.glob("*.txt"))
    plain, distributed = read_tables(built[1]), read_tables(out)
    for name in ("documents",) + DOCUMENT_TABLES:
        pd.testing.assert_frame_equal(getattr(distributed, name), getattr(plain, name), obj=name)
    assert table_bytes(out) == table_bytes(built[1])
