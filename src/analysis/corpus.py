"""The corpus: build the tables from raw files, cache them as Parquet, load them (rebuilding when stale)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from . import __version__, config
from .errors import InputError
from .sources import (
    MANIFEST_COLUMNS, doc_id_from_path, file_sha256, find_documents, read_document, read_manifest,
    verify_checksums,
)

#: Tables written once per document, as ``<table>/<doc_id>.parquet`` (a partitioned dataset).
DOCUMENT_TABLES = ("turns", "paragraphs", "sentences", "tokens", "matches", "spans", "texts")
DOCUMENT_COLUMNS = [
    "doc_id", "path", "sha256", "kind", "title", "speaker", "outlet", "country", "date", "year",
    "n_turns", "n_tokens", "page_date", "encoding", "source", "licence",
]
STATE_FILE = "_build.json"
_CODE_MODULES = ("sources.py", "transcripts.py", "nlp.py", "lexicon.py", "corpus.py")


@dataclass
class Corpus:
    """Every table of a built corpus, joined by ``doc_id`` (and ``turn_id``, ``sentence_id``)."""

    documents: pd.DataFrame
    turns: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    tokens: pd.DataFrame
    matches: pd.DataFrame
    spans: pd.DataFrame
    texts: pd.DataFrame

    def text(self, doc_id: str) -> str:
        """The full text of one document (what every offset points into)."""
        rows = self.texts.loc[self.texts["doc_id"] == doc_id, "text"]
        if rows.empty:
            raise KeyError(f"no document {doc_id!r} in the corpus")
        return rows.iloc[0]

    def subset(self, doc_ids=None, **where) -> "Corpus":
        """The corpus restricted to some documents: by id, or by ``documents`` columns.

        >>> corpus.subset(kind="interview")                      # doctest: +SKIP
        >>> corpus.subset(country="Russia", year=range(2014, 2025))  # doctest: +SKIP
        """
        keep = self.documents
        if doc_ids is not None:
            keep = keep[keep["doc_id"].isin(list(doc_ids))]
        for column, value in where.items():
            if column not in keep:
                raise KeyError(f"documents has no column {column!r}")
            if isinstance(value, (list, tuple, set, range, pd.Series)):
                keep = keep[keep[column].isin(list(value))]
            else:
                keep = keep[keep[column] == value]
        ids = set(keep["doc_id"])
        return Corpus(**{
            f.name: getattr(self, f.name)[getattr(self, f.name)["doc_id"].isin(ids)].reset_index(drop=True)
            for f in fields(self)
        })


def code_version() -> str:
    """A hash of the package version, spaCy's version and the code that makes the tables."""
    from importlib.metadata import version

    digest = hashlib.sha256(f"{__version__}|{version('spacy')}".encode())
    for name in _CODE_MODULES:
        path = config.PACKAGE_DIR / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _lexicon_version() -> str:
    from .lexicon import lexicon_version

    return lexicon_version()


# --- planning a build -----------------------------------------------------------------------------

def plan_documents(raw_dir: str | Path) -> pd.DataFrame:
    """The documents a build will read, with their manifest metadata and current checksums.

    With ``manifest.csv`` in ``raw_dir`` every listed file is checked against
    its checksum (a changed or missing file is refused, named) and a document
    file the manifest does not list is an error. Without a manifest every
    text or HTML file below ``raw_dir`` is read and metadata come from the
    texts and file names.
    """
    raw_dir = Path(raw_dir)
    found = find_documents(raw_dir)
    manifest_path = raw_dir / config.MANIFEST_FILE.name
    if manifest_path.is_file():
        manifest = read_manifest(manifest_path)
        verify_checksums(manifest, raw_dir)
        listed = {(raw_dir / p).resolve() for p in manifest["path"]}
        for path in found:
            if path.resolve() not in listed:
                raise InputError(
                    path, f"is not listed in {manifest_path.name}; add a row for it "
                    "(`python -m analysis manifest` prints rows for the package's own data)",
                )
        return manifest.reset_index(drop=True)
    if not found:
        raise InputError(raw_dir, "holds no .txt or .html documents")
    rows = []
    for path in found:
        year = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", path.stem)
        rows.append({
            "doc_id": doc_id_from_path(path), "path": path.relative_to(raw_dir).as_posix(),
            "sha256": file_sha256(path), "year": year.group(0) if year else "",
        })
    plan = pd.DataFrame(rows).reindex(columns=MANIFEST_COLUMNS, fill_value="").fillna("")
    return _unique_doc_ids(plan)


def _unique_doc_ids(plan: pd.DataFrame) -> pd.DataFrame:
    """Documents with the same file stem in different folders get their folder in the id."""
    clash = plan["doc_id"].duplicated(keep=False)
    plan.loc[clash, "doc_id"] = [
        doc_id_from_path(p.replace("/", "__").rsplit(".", 1)[0] + ".x") for p in plan.loc[clash, "path"]
    ]
    return plan


# --- building one document ------------------------------------------------------------------------

def build_document(raw_dir: str | Path, row: dict, *, model: str | None = None) -> dict[str, pd.DataFrame]:
    """Every per-document table for one planned document (read → parse → nlp → match)."""
    from .lexicon import find_matches
    from .nlp import annotate_paragraphs, get_pipeline
    from .transcripts import parse_transcript

    path = Path(raw_dir) / row["path"]
    document = read_document(path, doc_id=row["doc_id"])
    transcript = parse_transcript(
        document.text, doc_id=document.doc_id, kind=row.get("kind") or None,
        speaker=row.get("speaker") or None, title=row.get("title") or None, path=str(path),
    )
    sentences, tokens = annotate_paragraphs(
        document.text, transcript.paragraphs, doc_id=document.doc_id, nlp=get_pipeline(model),
    )
    matches = find_matches(document.text, tokens, sentences, doc_id=document.doc_id)
    header = transcript.header
    year = str(row.get("year") or "")
    documents = pd.DataFrame([{
        "doc_id": document.doc_id,
        "path": row["path"],
        "sha256": document.sha256,
        "kind": transcript.kind,
        "title": row.get("title") or header.get("title", ""),
        "speaker": row.get("speaker") or header.get("interviewee", ""),
        "outlet": header.get("outlet", ""),
        "country": row.get("country") or "",
        "date": row.get("date") or "",
        "year": int(year) if year.isdigit() else None,
        "n_turns": len(transcript.turns),
        "n_tokens": len(tokens),
        "page_date": header.get("page_date", ""),
        "encoding": document.encoding,
        "source": row.get("source") or "",
        "licence": row.get("licence") or "",
    }], columns=DOCUMENT_COLUMNS)
    documents["year"] = documents["year"].astype("Int64")
    return {
        "documents": documents,
        "turns": transcript.turns,
        "paragraphs": transcript.paragraphs,
        "sentences": sentences,
        "tokens": tokens,
        "matches": matches,
        "spans": transcript.spans,
        "texts": pd.DataFrame({"doc_id": [document.doc_id], "text": [document.text]}),
    }


def _build_and_write(args) -> tuple[str, pd.DataFrame]:
    raw_dir, out_dir, row, model = args
    tables = build_document(raw_dir, row, model=model)
    for name in DOCUMENT_TABLES:
        write_parquet_atomic(tables[name], Path(out_dir) / name / f"{row['doc_id']}.parquet")
    return row["doc_id"], tables["documents"]


# --- writing --------------------------------------------------------------------------------------

def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_json_atomic(data: dict, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    os.replace(temporary, path)


def _read_state(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _current_state(plan: pd.DataFrame, model: str | None) -> dict:
    return {
        "code": code_version(),
        "lexicons": _lexicon_version(),
        "model": model or "blank:en",
        "documents": dict(zip(plan["doc_id"], plan["sha256"])),
    }


def stale_documents(raw_dir: str | Path = None, out_dir: str | Path = None, *, model: str | None = None) -> list[str]:
    """The doc_ids a build would (re)make: new or changed raw files, or every one when code or lexicons changed."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    plan = plan_documents(raw_dir)
    return _stale(plan, _read_state(out_dir), _current_state(plan, model), out_dir)


def _stale(plan, old: dict, new: dict, out_dir: Path) -> list[str]:
    versions_changed = any(old.get(key) != new[key] for key in ("code", "lexicons", "model"))
    done = old.get("documents", {})
    stale = []
    for doc_id, sha in new["documents"].items():
        parts_exist = all((out_dir / name / f"{doc_id}.parquet").is_file() for name in DOCUMENT_TABLES)
        if versions_changed or done.get(doc_id) != sha or not parts_exist:
            stale.append(doc_id)
    if not (out_dir / "documents.parquet").is_file() and not stale:
        stale = list(new["documents"])
    return stale


def build(
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    jobs: int = 1,
    model: str | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> list[str]:
    """Build (or bring up to date) the corpus tables; return the doc_ids that were (re)built.

    Only new or changed documents are processed, unless the code, the
    lexicons or the spaCy model changed (then all are). Each table file is
    written atomically and the build state last, so an interrupted build
    leaves the previous tables readable and the next build completes the
    work. ``progress=None`` shows a bar only on an interactive terminal.
    """
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    if out_dir.resolve() == raw_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise InputError(out_dir, "the output folder must lie outside the raw-data folder")
    plan = plan_documents(raw_dir)
    new_state = _current_state(plan, model)
    old_state = _read_state(out_dir)
    todo = list(new_state["documents"]) if force else _stale(plan, old_state, new_state, out_dir)
    if not todo and old_state == new_state:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {row["doc_id"]: row for row in plan.to_dict("records")}
    work = [(str(raw_dir), str(out_dir), rows[doc_id], model) for doc_id in todo]
    built: dict[str, pd.DataFrame] = {}
    if work:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(work), desc="building", unit="doc", file=sys.stderr,
                   disable=(not sys.stderr.isatty()) if progress is None else not progress)
        if jobs > 1 and len(work) > 1:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                for doc_id, frame in pool.map(_build_and_write, work, chunksize=max(1, len(work) // (jobs * 8))):
                    built[doc_id] = frame
                    bar.update()
        else:
            for item in work:
                doc_id, frame = _build_and_write(item)
                built[doc_id] = frame
                bar.update()
        bar.close()
    documents = _assemble_documents(out_dir, plan, built)
    _remove_stale_parts(out_dir, set(plan["doc_id"]))
    write_parquet_atomic(documents, out_dir / "documents.parquet")
    _write_json_atomic(new_state, out_dir / STATE_FILE)
    return todo


def _assemble_documents(out_dir: Path, plan: pd.DataFrame, built: dict[str, pd.DataFrame]) -> pd.DataFrame:
    previous = pd.DataFrame(columns=DOCUMENT_COLUMNS)
    if (out_dir / "documents.parquet").is_file():
        previous = pd.read_parquet(out_dir / "documents.parquet")
    frames = []
    for doc_id in plan["doc_id"]:
        if doc_id in built:
            frames.append(built[doc_id])
        else:
            frames.append(previous[previous["doc_id"] == doc_id])
    documents = pd.concat(frames, ignore_index=True)[DOCUMENT_COLUMNS]
    documents["year"] = documents["year"].astype("Int64")
    return documents


def _remove_stale_parts(out_dir: Path, keep: set[str]) -> None:
    for name in DOCUMENT_TABLES:
        folder = out_dir / name
        if folder.is_dir():
            for part in folder.glob("*.parquet"):
                if part.stem not in keep:
                    part.unlink()


# --- loading --------------------------------------------------------------------------------------

def read_tables(out_dir: str | Path | None = None) -> Corpus:
    """Read built tables as they are (no staleness check), in document order."""
    import pyarrow.parquet as pq

    out_dir = Path(out_dir or config.PROCESSED_DIR)
    if not (out_dir / "documents.parquet").is_file():
        raise InputError(out_dir, "holds no built corpus (run `python -m analysis data`)")
    documents = pd.read_parquet(out_dir / "documents.parquet")
    tables = {"documents": documents}
    for name in DOCUMENT_TABLES:
        paths = [str(out_dir / name / f"{doc_id}.parquet") for doc_id in documents["doc_id"]]
        table = pq.ParquetDataset(paths).read() if paths else None
        tables[name] = table.to_pandas() if table is not None else pd.DataFrame()
    return Corpus(**tables)


def load_corpus(
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    jobs: int = 1,
    model: str | None = None,
) -> Corpus:
    """The corpus tables, built first when they are missing or stale.

    >>> corpus = load_corpus()                                   # doctest: +SKIP
    >>> corpus.turns.query("doc_id == 'darchiev-interfax'")      # doctest: +SKIP
    """
    build(raw_dir, out_dir, jobs=jobs, model=model)
    return read_tables(out_dir)
