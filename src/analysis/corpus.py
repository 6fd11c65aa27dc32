"""The corpus: build the tables from raw files, cache them as Parquet, load them (rebuilding when stale)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from . import __version__, config
from .errors import AnalysisError, InputError
from .files import atomic_path, write_atomic
from .sources import (
    MANIFEST_COLUMNS,
    doc_id_from_path,
    file_sha256,
    find_documents,
    read_document,
    read_manifest,
    verify_checksums,
)

#: Tables with rows for each document, each written as a folder of parts ``<table>/part-NN.parquet``.
DOCUMENT_TABLES = ("turns", "paragraphs", "sentences", "tokens", "matches", "spans", "texts")
#: Number of parts per table. A document's rows all lie in one part (chosen by a hash of its id), so
#: a changed document rewrites one part, and a corpus of any size is read from a few large files.
N_PARTS = 64
#: The lexicon matcher runs over a part's new documents in batches of at most this many tokens
#: (a document larger than this is a batch of its own).
MATCH_BATCH_TOKENS = 250_000
DOCUMENT_COLUMNS = [
    "doc_id", "path", "sha256", "kind", "title", "speaker", "outlet", "country", "date", "year",
    "n_turns", "n_tokens", "page_date", "encoding", "source", "licence",
]
STATE_FILE = "_build.json"
_CODE_MODULES = ("sources.py", "markup.py", "transcripts.py", "nlp.py", "lexicon.py", "corpus.py")


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

    def subset(self, doc_ids=None, **where) -> Corpus:
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
    clash = plan["doc_id"].duplicated(keep=False)  # names that clean to the same id ("a b", "a-b")
    plan.loc[clash, "doc_id"] = [
        f"{doc_id}-{hashlib.sha1(path.encode()).hexdigest()[:8]}"
        for doc_id, path in zip(plan.loc[clash, "doc_id"], plan.loc[clash, "path"])
    ]
    return plan


# --- building one document ------------------------------------------------------------------------

def build_document(raw_dir: str | Path, row: dict, *, model: str | None = None) -> dict[str, pd.DataFrame]:
    """Every per-document table for one planned document (read → parse → nlp → match), as DataFrames."""
    tables, document = _document_tables(raw_dir, row, model=model)
    frames = {name: table.to_pandas() for name, table in _combined_tables({row["doc_id"]: tables}).items()}
    frames["documents"] = _documents_frame([document])
    return frames


def parse_document(document, *, kind: str | None = None, speaker: str | None = None, title: str | None = None):
    """Parse a read document (:class:`~analysis.sources.Document`), with what its markup marked."""
    from .transcripts import parse_transcript

    return parse_transcript(
        document.text, doc_id=document.doc_id, kind=kind, speaker=speaker, title=title,
        path=str(document.path), labels=list(document.labels), header=list(document.header),
    )


def _document_tables(raw_dir: str | Path, row: dict, *, model: str | None) -> tuple[dict, dict]:
    """The tables of one document before matching, and its ``documents`` row.

    Sentences, tokens and text are Arrow tables; turns, paragraphs and spans stay
    DataFrames until :func:`_combined_tables` converts many documents' rows at once.
    """
    import pyarrow as pa

    from .nlp import annotate_paragraphs_arrow, get_pipeline
    from .transcripts import event_kind, iso_date

    path = Path(raw_dir) / row["path"]
    document = read_document(path, doc_id=row["doc_id"])
    given = document.metadata  # what the file's own markup says (front matter, page elements)
    transcript = parse_document(
        document, kind=row.get("kind") or event_kind(given.get("title", "")) or None,
        speaker=row.get("speaker") or None, title=row.get("title") or None,
    )
    sentences, tokens = annotate_paragraphs_arrow(
        document.text, transcript.paragraphs, doc_id=document.doc_id, nlp=get_pipeline(model),
    )
    header = transcript.header
    date = row.get("date") or iso_date(given.get("date", ""), header.get("page_date", ""), header.get("title", ""))
    year = str(row.get("year") or "") or date[:4]
    record = {
        "doc_id": document.doc_id,
        "path": row["path"],
        "sha256": document.sha256,
        "kind": transcript.kind,
        "title": row.get("title") or header.get("title", ""),
        "speaker": row.get("speaker") or header.get("interviewee", ""),
        "outlet": header.get("outlet", ""),
        "country": row.get("country") or "",
        "date": date,
        "year": int(year) if year.isdigit() else None,
        "n_turns": len(transcript.turns),
        "n_tokens": tokens.num_rows,
        "page_date": header.get("page_date", ""),
        "encoding": document.encoding,
        "source": row.get("source") or str(given.get("source_url", "")),
        "licence": row.get("licence") or "",
    }
    tables = {
        "turns": transcript.turns,
        "paragraphs": transcript.paragraphs,
        "sentences": sentences,
        "tokens": tokens,
        "spans": transcript.spans,
        "texts": pa.table({"doc_id": pa.array([document.doc_id], pa.large_string()),
                           "text": pa.array([document.text], pa.large_string())}),
    }
    return tables, record


def _combined_tables(fresh: dict[str, dict]) -> dict[str, object]:
    """Every per-document table of the documents in ``fresh`` (doc_id -> :func:`_document_tables`),
    each one Arrow table holding the documents' rows in the order given, ``matches`` included.

    Converting and matching many documents at once costs far less than one at a time.
    """
    return {**_joined_tables(fresh), "matches": _matches_table(fresh)}


def _joined_tables(fresh: dict[str, dict]) -> dict[str, object]:
    """The tables of :func:`_document_tables` for the documents in ``fresh``, joined into one Arrow table each."""
    import pyarrow as pa

    joined = {}
    for name, first in next(iter(fresh.values())).items():
        pieces = [tables[name] for tables in fresh.values()]
        if isinstance(first, pd.DataFrame):
            joined[name] = to_arrow(pd.concat([piece for piece in pieces if len(piece)] or pieces[:1], ignore_index=True))
        else:
            joined[name] = pa.concat_tables(pieces)
    return joined


def _matches_table(fresh: dict[str, dict]):
    """The ``matches`` of the documents in ``fresh`` as one Arrow table, in the order given.

    The matcher runs over batches of at most ``MATCH_BATCH_TOKENS`` tokens, so memory
    stays flat however many documents a part holds.
    """
    import pyarrow as pa

    from .lexicon import match_documents

    doc_ids = list(fresh)
    batches = []
    for batch in _batches(doc_ids, [fresh[doc_id]["tokens"].num_rows for doc_id in doc_ids], MATCH_BATCH_TOKENS):
        texts = {doc_id: fresh[doc_id]["texts"]["text"][0].as_py() for doc_id in batch}
        tokens = pa.concat_tables([fresh[doc_id]["tokens"] for doc_id in batch])
        sentences = pa.concat_tables([fresh[doc_id]["sentences"] for doc_id in batch])
        batches.append(to_arrow(match_documents(texts, tokens, sentences)))
    return pa.concat_tables(batches)


def _batches(items: list, sizes: list[int], limit: int) -> list[list]:
    """Consecutive ``items`` grouped so that each group's ``sizes`` add up to at most ``limit`` (or one item).

    >>> _batches(["a", "b", "c", "d"], [5, 5, 20, 1], 10)
    [['a', 'b'], ['c'], ['d']]
    """
    groups, total = [], 0
    for item, size in zip(items, sizes):
        if not groups or total + size > limit:
            groups.append([])
            total = 0
        groups[-1].append(item)
        total += size
    return groups


def _documents_frame(records: list[dict]) -> pd.DataFrame:
    documents = pd.DataFrame(records, columns=DOCUMENT_COLUMNS)
    documents["year"] = documents["year"].astype("Int64")
    for column in ("n_turns", "n_tokens"):
        documents[column] = documents[column].astype("int64")
    return documents


def to_arrow(frame: pd.DataFrame):
    """A DataFrame as the build stores it: an Arrow table, text as ``large_string``, no pandas metadata.

    Every part of a table then has the same schema whatever its content, and
    the bytes written depend on the rows alone.
    """
    import pyarrow as pa

    table = pa.table({str(column): pa.array(frame[column], from_pandas=True) for column in frame.columns})
    return _canonical(table)


def _canonical(table):
    import pyarrow as pa

    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_string(kind) or pa.types.is_null(kind) or pa.types.is_large_string(kind):
            kind = pa.large_string()
        fields.append(pa.field(field.name, kind))
    schema = pa.schema(fields)
    if schema != table.schema.remove_metadata():
        table = table.cast(schema)
    return table.replace_schema_metadata(None)


# --- building parts of the tables -----------------------------------------------------------------

def part_of(doc_id: str) -> int:
    """The part (``0 .. N_PARTS - 1``) that holds a document's rows in every table: a hash of its id.

    The hash is SHA-1 (stable across runs and machines, unlike Python's ``hash``).

    >>> part_of("RUS_77_2022") == part_of("RUS_77_2022") < N_PARTS
    True
    """
    return int.from_bytes(hashlib.sha1(doc_id.encode("utf-8")).digest()[:4], "big") % N_PARTS


def part_file(part: int) -> str:
    """The file name of a part: ``part-07.parquet``."""
    return f"part-{part:02d}.parquet"


@dataclass(frozen=True)
class PartTask:
    """One unit of build work: rewrite the files of one part, (re)making its stale documents.

    ``rows`` are the plan rows of every document the part holds now (by
    ``doc_id``); those in ``stale`` are read, parsed and annotated afresh,
    the others are copied from the part's current files.
    """

    raw_dir: str
    out_dir: str
    part: int
    rows: tuple
    stale: frozenset
    model: str | None = None


def build_part(task: PartTask) -> list[dict]:
    """Write one part of every per-document table; return the ``documents`` rows of its rebuilt documents.

    Rows are ordered by ``doc_id`` within the part, so the bytes written
    depend only on the documents it holds, not on the order or history of
    builds. Each file is written atomically.
    """
    import pyarrow as pa

    out_dir = Path(task.out_dir)
    rows = sorted(task.rows, key=lambda row: row["doc_id"])
    stale = set(task.stale)
    kept = {row["doc_id"] for row in rows} - stale
    previous = {}
    if kept:  # documents missing from the part's current files are made afresh
        previous = {name: _read_part(out_dir / name / part_file(task.part)) for name in DOCUMENT_TABLES}
        present = set() if None in previous.values() else set(previous["texts"]["doc_id"].to_pylist())
        stale |= kept - present
        kept &= present
    fresh, records = {}, []
    for row in rows:
        if row["doc_id"] in stale:
            fresh[row["doc_id"]], record = _document_tables(task.raw_dir, row, model=task.model)
            records.append(record)
    combined = _combined_tables(fresh) if fresh else {}
    for name in DOCUMENT_TABLES:
        sources = [(combined.get(name), fresh), (previous.get(name), kept)]
        runs = [_document_runs(table) if docs else {} for table, docs in sources]
        pieces = []
        for row in rows:
            doc_id = row["doc_id"]
            for (table, docs), doc_runs in zip(sources, runs):
                if doc_id in docs and doc_id in doc_runs:
                    pieces.append(table.slice(*doc_runs[doc_id]))
        path = out_dir / name / part_file(task.part)
        if pieces:
            table = _canonical(pa.concat_tables(pieces, promote_options="permissive"))
            write_table_atomic(table.combine_chunks(), path)
        elif path.exists():
            path.unlink()
    return records


def _read_part(path: Path):
    return _read_parquet(path) if path.is_file() else None


def _document_runs(table) -> dict[str, tuple[int, int]]:
    """``doc_id -> (first row, number of rows)`` of a part, whose documents' rows are contiguous."""
    import pyarrow.compute as pc

    if table is None or table.num_rows == 0:
        return {}
    encoded = pc.run_end_encode(table["doc_id"].combine_chunks())
    ends = encoded.run_ends.to_pylist()
    starts = [0, *ends[:-1]]
    return {doc_id: (start, end - start) for doc_id, start, end in zip(encoded.values.to_pylist(), starts, ends)}


def _run_part(task: PartTask):
    """:func:`build_part` for a worker process: a package error comes back as data (it cannot be pickled)."""
    try:
        return build_part(task)
    except AnalysisError as exc:
        return _Failure(type(exc).__name__, getattr(exc, "path", None), getattr(exc, "reason", str(exc)),
                        getattr(exc, "line", None))


@dataclass(frozen=True)
class _Failure:
    kind: str
    path: str | None
    reason: str
    line: int | None

    def raise_again(self):
        from . import errors

        kind = getattr(errors, self.kind, InputError)
        if isinstance(kind, type) and issubclass(kind, InputError):
            raise kind(self.path, self.reason, line=self.line)
        raise InputError(self.path, self.reason, line=self.line)


# --- writing --------------------------------------------------------------------------------------

def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to a temporary file beside ``path``, then rename it into place."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)


def write_table_atomic(table, path: Path) -> None:
    """Write an Arrow table as Parquet to a temporary file beside ``path``, then rename it into place."""
    import pyarrow.parquet as pq

    with atomic_path(path) as temporary:
        pq.write_table(table, temporary)


def _write_json_atomic(data: dict, path: Path) -> None:
    write_atomic(path, json.dumps(data, indent=1, sort_keys=True))


def _read_parquet(path: Path):
    """A Parquet file of an earlier build as an Arrow table; a damaged one is a clear error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(
            path, f"is not a readable Parquet file ({exc}); delete the output folder and build again",
        ) from None


def _prepare_output(out_dir: Path) -> None:
    """Create the output folder and sweep away temporary files a killed build left behind."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "is a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(out_dir, f"cannot be created ({exc.strerror})") from None
    for leftover in [*out_dir.glob(".*.tmp"), *out_dir.glob("*/.*.tmp")]:
        leftover.unlink(missing_ok=True)


@contextmanager
def _build_lock(out_dir: Path):
    """One build at a time per output folder (a second waits for the first to finish)."""
    import fcntl

    with open(out_dir / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
        "documents": {row["doc_id"]: _row_fingerprint(row) for row in plan.to_dict("records")},
    }


def _row_fingerprint(row: dict) -> str:
    """The raw file's checksum and a hash of its manifest metadata: either changing rebuilds the document."""
    metadata = json.dumps({k: str(v) for k, v in sorted(row.items()) if k != "sha256"}, sort_keys=True)
    return f"{row['sha256']}:{hashlib.sha256(metadata.encode()).hexdigest()[:12]}"


def stale_documents(raw_dir: str | Path = None, out_dir: str | Path = None, *, model: str | None = None) -> list[str]:
    """The doc_ids a build would (re)make: new or changed raw files, or every one when code or lexicons changed."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    plan = plan_documents(raw_dir)
    return _stale(plan, _read_state(out_dir), _current_state(plan, model), out_dir)


def _stale(plan, old: dict, new: dict, out_dir: Path) -> list[str]:
    versions_changed = any(old.get(key) != new[key] for key in ("code", "lexicons", "model"))
    done = old.get("documents", {})
    complete: dict[int, bool] = {}
    stale = []
    for doc_id, sha in new["documents"].items():
        part = part_of(doc_id)
        if part not in complete:
            complete[part] = all((out_dir / name / part_file(part)).is_file() for name in DOCUMENT_TABLES)
        if versions_changed or done.get(doc_id) != sha or not complete[part]:
            stale.append(doc_id)
    if not (out_dir / "documents.parquet").is_file() and not stale:
        stale = list(new["documents"])
    return stale


def _part_tasks(plan: pd.DataFrame, raw_dir: Path, out_dir: Path, todo: list[str], old: dict,
                model: str | None) -> list[PartTask]:
    """One task per part with a stale document or a document removed since the last build, largest first."""
    rows = plan.to_dict("records")
    members: dict[int, list[dict]] = {}
    for row in rows:
        members.setdefault(part_of(row["doc_id"]), []).append(row)
    stale_by_part: dict[int, set] = {}
    for doc_id in todo:
        stale_by_part.setdefault(part_of(doc_id), set()).add(doc_id)
    removed = set(old.get("documents", {})) - set(plan["doc_id"])
    parts = set(stale_by_part) | {part_of(doc_id) for doc_id in removed}
    tasks = [
        PartTask(str(raw_dir), str(out_dir), part, tuple(members.get(part, [])),
                 frozenset(stale_by_part.get(part, set())), model)
        for part in sorted(parts)
    ]

    def size(task: PartTask) -> int:
        return sum(_file_size(raw_dir / row["path"]) for row in task.rows if row["doc_id"] in task.stale)

    return sorted(tasks, key=size, reverse=True)


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def build(
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    jobs: int | None = None,
    model: str | None = None,
    force: bool = False,
    progress: bool | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> list[str]:
    """Build (or bring up to date) the corpus tables; return the doc_ids that were (re)built.

    Only new or changed documents are processed, unless the code, the
    lexicons or the spaCy model changed (then all are). Each per-document
    table is a folder of ``N_PARTS`` Parquet files (a document's rows live in
    the part :func:`part_of` gives), which DuckDB, Dask, Spark or
    ``pyarrow.dataset`` read as one dataset. Each file is written atomically
    and the build state last, so an interrupted build leaves the previous
    tables readable and the next build completes the work.
    ``progress=None`` shows a bar only on an interactive terminal.

    ``engine="local"`` runs ``jobs`` worker processes on this machine (by
    default one per CPU core this process may use, :func:`default_jobs`);
    ``engine="dask"`` runs the parts on a Dask cluster: the one at
    ``scheduler`` (an address such as ``tcp://host:8786``), else a local
    cluster of ``jobs`` processes. The raw and output folders must then be
    visible to every worker at the same paths (a shared file system).
    """
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")
    if scheduler and engine != "dask":
        raise ValueError("a scheduler address needs engine='dask'")
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    raw_dir = Path(raw_dir or config.RAW_DIR)
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    if out_dir.resolve() == raw_dir.resolve() or raw_dir.resolve() in out_dir.resolve().parents:
        raise InputError(out_dir, "the output folder must lie outside the raw-data folder")
    plan = plan_documents(raw_dir)  # a missing or changed raw file fails before anything is written
    _prepare_output(out_dir)
    with _build_lock(out_dir):
        return _build_locked(plan, raw_dir, out_dir, jobs=jobs, model=model, force=force, progress=progress,
                             engine=engine, scheduler=scheduler)


def default_jobs() -> int:
    """The worker processes a build runs unless told otherwise: one per CPU core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no CPU affinity on this platform (macOS, Windows)
        return os.cpu_count() or 1


def _build_locked(plan: pd.DataFrame, raw_dir: Path, out_dir: Path, *, jobs, model, force, progress, engine,
                  scheduler) -> list[str]:
    new_state = _current_state(plan, model)
    old_state = _read_state(out_dir)
    todo = list(new_state["documents"]) if force else _stale(plan, old_state, new_state, out_dir)
    if not todo and old_state == new_state:
        return []
    tasks = _part_tasks(plan, raw_dir.resolve(), out_dir.resolve(), todo, old_state, model)
    built: dict[str, dict] = {}
    if tasks:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="building", unit="doc", file=sys.stderr,
                   disable=(not sys.stderr.isatty()) if progress is None else not progress)
        for records in _run_tasks(tasks, jobs=jobs, engine=engine, scheduler=scheduler, model=model):
            for record in records:
                built[record["doc_id"]] = record
            bar.update(len(records))
        bar.close()
    documents = _assemble_documents(out_dir, plan, built)
    _remove_stale_parts(out_dir, plan["doc_id"])
    write_parquet_atomic(documents, out_dir / "documents.parquet")
    _write_json_atomic(new_state, out_dir / STATE_FILE)
    return todo


def _run_tasks(tasks: list[PartTask], *, jobs: int, engine: str, scheduler: str | None, model: str | None):
    """Run the part tasks (here, in worker processes or on a Dask cluster); yield each one's records."""
    if engine == "dask":
        yield from _run_on_dask(tasks, jobs=jobs, scheduler=scheduler)
        return
    if jobs <= 1 or len(tasks) == 1:
        for task in tasks:
            yield build_part(task)
        return
    import multiprocessing
    from concurrent.futures import as_completed

    context = multiprocessing.get_context()
    if context.get_start_method() == "fork":
        _warm_up(model)  # forked workers inherit the loaded pipeline and lexicons
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(_run_part, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield _checked(future.result())
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def _run_on_dask(tasks: list[PartTask], *, jobs: int, scheduler: str | None):
    import logging

    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise InputError(None, "engine 'dask' needs Dask: pip install 'analysis[distributed]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise InputError(scheduler, f"cannot reach the Dask scheduler ({exc})") from None
    else:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = client.map(_run_part, tasks, pure=False)
        for future in as_completed(futures):
            yield _checked(future.result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _checked(result):
    if isinstance(result, _Failure):
        result.raise_again()
    return result


def _warm_up(model: str | None) -> None:
    """Load the spaCy pipeline and the lexicons once, by annotating and matching one short text."""
    from .lexicon import find_matches
    from .nlp import annotate_paragraphs, get_pipeline

    text = "Sanctions were imposed."
    paragraphs = pd.DataFrame({"turn_id": [0], "paragraph_id": [0], "start": [0], "end": [len(text)]})
    sentences, tokens = annotate_paragraphs(text, paragraphs, doc_id="warm-up", nlp=get_pipeline(model))
    find_matches(text, tokens, sentences, doc_id="warm-up")


def _assemble_documents(out_dir: Path, plan: pd.DataFrame, built: dict[str, dict]) -> pd.DataFrame:
    """The ``documents`` table in plan order: rows of rebuilt documents, the others from the last build."""
    frames = [_documents_frame(list(built.values()))]
    if (out_dir / "documents.parquet").is_file():
        previous = _read_parquet(out_dir / "documents.parquet").to_pandas()
        frames.append(previous[previous["doc_id"].isin(set(plan["doc_id"]) - set(built))][DOCUMENT_COLUMNS])
    documents = pd.concat([frame for frame in frames if len(frame)] or frames[:1], ignore_index=True)
    order = {doc_id: index for index, doc_id in enumerate(plan["doc_id"])}
    documents = documents.iloc[documents["doc_id"].map(order).argsort(kind="stable")].reset_index(drop=True)
    return _documents_frame(documents.to_dict("records"))


def _remove_stale_parts(out_dir: Path, doc_ids) -> None:
    """Delete table files no current document uses (parts left empty, or files of an older layout)."""
    names = {part_file(part_of(doc_id)) for doc_id in doc_ids}
    for name in DOCUMENT_TABLES:
        folder = out_dir / name
        if folder.is_dir():
            for path in folder.glob("*.parquet"):
                if path.name not in names:
                    path.unlink()


# --- loading --------------------------------------------------------------------------------------

def read_tables(out_dir: str | Path | None = None) -> Corpus:
    """Read built tables as they are (no staleness check), rows in document order.

    Each table's parts are read with Arrow's threads; rows are put in the
    order of ``documents`` without copying (text columns stay chunked by document).
    """
    out_dir = Path(out_dir or config.PROCESSED_DIR)
    if not (out_dir / "documents.parquet").is_file():
        raise InputError(out_dir, "holds no built corpus (run `python -m analysis data`)")
    documents = _read_parquet(out_dir / "documents.parquet").to_pandas()
    order = documents["doc_id"].tolist()
    tables = {"documents": documents}
    for name in DOCUMENT_TABLES:
        table = read_table(out_dir, name, order=order)
        tables[name] = table.to_pandas() if table is not None else pd.DataFrame()
    return Corpus(**tables)


def read_table(out_dir: str | Path, name: str, *, order: list[str] | None = None, columns: list[str] | None = None):
    """One per-document table of a built corpus as a ``pyarrow.Table`` (``None`` when it has no parts).

    ``order`` lists doc_ids: the rows of those documents, in that order
    (others are left out); ``columns`` selects columns (``doc_id`` is read
    in any case when ``order`` is given).

    >>> tokens = read_table("data/processed", "tokens", columns=["doc_id", "lemma"])  # doctest: +SKIP
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = sorted((Path(out_dir) / name).glob("part-*.parquet"))
    if not files:
        return None
    wanted = None if columns is None else list(dict.fromkeys(([] if order is None else ["doc_id"]) + columns))
    table = pa.concat_tables([pq.read_table(path, columns=wanted) for path in files])
    if order is None:
        return table
    runs = _document_runs(table)
    slices: list[list[int]] = []  # [first row, number of rows], neighbours in the table merged
    for doc_id in order:
        if doc_id in runs:
            start, length = runs[doc_id]
            if slices and slices[-1][0] + slices[-1][1] == start:
                slices[-1][1] += length
            else:
                slices.append([start, length])
    if len(slices) == 1 and slices[0] == [0, table.num_rows]:
        result = table
    else:  # zero-copy: the result's columns are chunked by document
        result = pa.concat_tables([table.slice(start, length) for start, length in slices]) if slices \
            else table.slice(0, 0)
    if columns is not None and "doc_id" not in columns:
        result = result.drop_columns(["doc_id"])
    return result


def load_corpus(
    raw_dir: str | Path | None = None,
    out_dir: str | Path | None = None,
    *,
    jobs: int = 1,
    model: str | None = None,
) -> Corpus:
    """The corpus tables, built first when they are missing or stale.

    The build runs in this process unless ``jobs`` says otherwise (a notebook's
    kernel is no place to start worker processes unasked).

    >>> corpus = load_corpus()                                   # doctest: +SKIP
    >>> corpus.turns.query("doc_id == 'darchiev-interfax'")      # doctest: +SKIP
    """
    build(raw_dir, out_dir, jobs=jobs, model=model)
    return read_tables(out_dir)
