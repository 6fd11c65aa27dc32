"""Time the corpus build against spaCy's tokenizer alone, on the UN statements repeated to a given size.

Run: .venv/bin/python benchmarks/bench_build.py [--mb 100] [--engines local,dask] [--json FILE]

The UN General Debate statements in data/raw are copied under new names into a temporary folder
until the corpus holds ``--mb`` megabytes. On that folder, in one run, the script measures:

- spaCy's tokenizer alone (blank English, default settings) and scikit-learn's CountVectorizer
  over the same decoded texts: the baselines;
- the time of each build stage (read, parse, sentences/tokens/lemmas, matches, Parquet) over one
  copy of the statements;
- full builds with ``--jobs 1`` and ``--jobs 2`` (each in a fresh process, with the peak memory
  of the build's processes), a rebuild with nothing changed, ``import analysis`` and loading the
  built tables.

It prints throughput and the ratios the project targets: a build with the default settings (one
worker per available core) >= 0.6 x the tokenizer's throughput (the one-process ratio is printed too),
``--jobs 2`` >= 1.7 x ``--jobs 1``, peak memory <= 2 GB at 100 MB, a no-change rebuild <= 2 s,
``import analysis`` <= 1 s, loading the tables <= 10 s. Wall times depend on what else the machine
runs: the load average, and how well two plain processes scale on it, are printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from analysis.config import RAW_DIR

MB = 1_000_000
TARGETS = {
    "build_vs_tokenizer": 0.6, "jobs2_vs_jobs1": 1.7, "peak_memory_gb": 2.0,
    "rebuild_s": 2.0, "import_s": 1.0, "load_s": 10.0,
}


# --- the scaled corpus ----------------------------------------------------------------------------

def make_corpus(folder: Path, megabytes: float) -> list[Path]:
    """Copy the UN statements into ``folder`` as ``<stem>-rNNN.txt`` until it holds ``megabytes`` MB."""
    from analysis.sources import find_documents

    sources = find_documents(RAW_DIR / "ungdc")
    folder.mkdir(parents=True, exist_ok=True)
    written, total, copy = [], 0, 0
    while total < megabytes * MB:
        for source in sources:
            target = folder / f"{source.stem}-r{copy:03d}{source.suffix}"
            shutil.copyfile(source, target)
            written.append(target)
            total += target.stat().st_size
            if total >= megabytes * MB:
                break
        copy += 1
    return written


# --- measuring ------------------------------------------------------------------------------------

def timed(step):
    """``(wall seconds, CPU seconds of this process, result)`` of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in family:
                family.add(child)
                frontier.append(child)
    total = 0
    for member in family:
        try:
            with open(f"/proc/{member}/statm", encoding="ascii") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_child(code: str, *args: str) -> dict:
    """Run Python ``code`` in a fresh process; return the JSON it prints last, with its peak memory.

    ``peak_rss`` sums the resident memory of the process and its workers,
    sampled every 0.2 s (pages shared by forked workers are counted in each,
    so this is an upper bound).
    """
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    peak, done = 0, threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            if sys.platform.startswith("linux"):
                peak = max(peak, tree_rss(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise RuntimeError(f"child process failed ({process.returncode}):\n{code}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss"] = peak
    return result


BUILD_CODE = """
import json, os, sys, time
started = time.perf_counter()
from analysis.corpus import build
raw, out, jobs, engine = sys.argv[1], sys.argv[2], (int(sys.argv[3]) if sys.argv[3] != "default" else None), sys.argv[4]
call = time.perf_counter()
built = build(raw, out, jobs=jobs, engine=engine, progress=False)
done = time.perf_counter()
times = os.times()
print(json.dumps({"built": len(built), "build_s": done - call, "process_s": done - started,
                  "cpu_s": times.user + times.system + times.children_user + times.children_system}))
"""

IMPORT_CODE = """
import json, time
started = time.perf_counter()
import analysis
print(json.dumps({"import_s": time.perf_counter() - started}))
"""

LOAD_CODE = """
import json, sys, time
from analysis.corpus import read_tables
started = time.perf_counter()
corpus = read_tables(sys.argv[1])
print(json.dumps({"load_s": time.perf_counter() - started, "tokens": len(corpus.tokens),
                  "sentences": len(corpus.sentences), "matches": len(corpus.matches)}))
"""


def spin(n: int) -> float:
    """Seconds of a pure-Python loop of ``n`` steps (a probe of one core's speed)."""
    started, total = time.perf_counter(), 0
    for i in range(n):
        total += i * i % 7
    return time.perf_counter() - started


def machine_scaling(n: int = 20_000_000) -> float:
    """How much faster two processes finish two equal loops than one process finishes one, times two.

    2.0 on two idle cores; less when other programs hold a core (then no
    build can reach 2 x with two jobs either).
    """
    from concurrent.futures import ProcessPoolExecutor

    one = spin(n)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pool.submit(spin, 1000).result()  # start both workers before timing
        started = time.perf_counter()
        list(pool.map(spin, [n, n]))
        two = time.perf_counter() - started
    return 2 * one / two


def baseline_tokenizer(texts: list[str]) -> tuple[float, float, int]:
    """spaCy's tokenizer alone (a fresh blank English pipeline, default settings) over ``texts``."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer

    def run():
        return sum(len(doc) for doc in tokenizer.pipe(texts))

    return timed(run)


def baseline_countvectorizer(texts: list[str]) -> tuple[float, float, int]:
    """scikit-learn's ``CountVectorizer`` (default settings) counting ``texts``."""
    from sklearn.feature_extraction.text import CountVectorizer

    return timed(lambda: int(CountVectorizer().fit_transform(texts).sum()))


def stage_times(paths: list[Path], scratch: Path) -> dict[str, float]:
    """CPU seconds of each build stage over ``paths``, run one after another in this process.

    The stages call the build's own functions in the order the build does:
    each document is read, parsed and annotated; then, part by part, the
    documents' tables are joined and converted to Arrow ("parquet"), the
    lexicon matcher runs over the part's documents ("match"), and the part's
    files are written ("parquet").
    """
    import pandas as pd
    import pyarrow as pa

    from analysis.corpus import (
        DOCUMENT_TABLES,
        _joined_tables,
        _matches_table,
        part_file,
        part_of,
        write_table_atomic,
    )
    from analysis.lexicon import match_documents
    from analysis.nlp import annotate_paragraphs_arrow, get_pipeline
    from analysis.sources import read_document
    from analysis.transcripts import parse_transcript

    stages = dict.fromkeys(["load pipeline and lexicons", "read", "parse", "nlp", "match", "parquet"], 0.0)
    clock = time.process_time()

    def tick(stage: str) -> None:
        nonlocal clock
        now = time.process_time()
        stages[stage] += now - clock
        clock = now

    nlp = get_pipeline()
    warm = pd.DataFrame({"turn_id": [0], "paragraph_id": [0], "start": [0], "end": [10]})
    sentences, tokens = annotate_paragraphs_arrow("Sanctions.", warm, doc_id="w", nlp=nlp)
    match_documents({"w": "Sanctions."}, tokens, sentences)
    tick("load pipeline and lexicons")
    parts: dict[int, dict[str, dict]] = {}
    for path in sorted(paths, key=lambda path: path.stem):
        document = read_document(path)
        tick("read")
        transcript = parse_transcript(document.text, doc_id=document.doc_id)
        tick("parse")
        sentences, tokens = annotate_paragraphs_arrow(document.text, transcript.paragraphs,
                                                      doc_id=document.doc_id, nlp=nlp)
        tick("nlp")
        parts.setdefault(part_of(document.doc_id), {})[document.doc_id] = {
            "turns": transcript.turns, "paragraphs": transcript.paragraphs, "sentences": sentences,
            "tokens": tokens, "spans": transcript.spans,
            "texts": pa.table({"doc_id": pa.array([document.doc_id], pa.large_string()),
                               "text": pa.array([document.text], pa.large_string())}),
        }
    for number, fresh in parts.items():
        tables = _joined_tables(fresh)
        tick("parquet")
        tables["matches"] = _matches_table(fresh)
        tick("match")
        for name in DOCUMENT_TABLES:
            write_table_atomic(tables[name].combine_chunks(), scratch / name / part_file(number))
        tick("parquet")
    return stages


# --- the report -----------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import spacy

    return (f"{cpu}; {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; spaCy {spacy.__version__}")


def load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def verdict(value: float, target: float, *, at_least: bool) -> str:
    met = value >= target if at_least else value <= target
    return f"(target {'>=' if at_least else '<='} {target:g}: {'met' if met else 'NOT met'})"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="corpus size in MB (default 100)")
    parser.add_argument("--engines", default="local", help="comma-separated: local, dask (default local)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the corpus and tables here")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-build-"))
    raw = workdir / "raw"
    figures: dict = {"machine": machine(), "load_average_before": load_average(), "mb_requested": args.mb}
    print(f"machine: {figures['machine']}")
    print(f"load average before: {figures['load_average_before']}")
    try:
        paths = make_corpus(raw, args.mb)
        size = sum(path.stat().st_size for path in paths)
        distinct = [path for path in paths if path.stem.endswith("-r000")]
        figures |= {"documents": len(paths), "bytes": size}
        print(f"corpus: {len(paths):,} files, {size / MB:.1f} MB ({len(distinct)} distinct statements repeated)")

        from analysis.sources import read_document

        read_wall, _, texts = timed(lambda: [read_document(path).text for path in paths])
        tok_wall, tok_cpu, n_tokens = baseline_tokenizer(texts)
        cv_wall, _, _ = baseline_countvectorizer(texts)
        del texts
        figures |= {"tokenizer_s": tok_wall, "tokenizer_cpu_s": tok_cpu, "spacy_tokens": n_tokens,
                    "countvectorizer_s": cv_wall, "read_all_s": read_wall}

        stages = stage_times(distinct, workdir / "stages")
        figures["stages_cpu_s"] = stages

        figures["machine_scaling_before"] = machine_scaling()
        from analysis.corpus import default_jobs

        figures["default_jobs"] = default_jobs()
        builds = {}
        for engine in [name.strip() for name in args.engines.split(",") if name.strip()]:
            for jobs in (1, 2):
                out = workdir / f"out-{engine}-{jobs}"
                builds[f"{engine}-{jobs}"] = run_child(BUILD_CODE, str(raw), str(out), str(jobs), engine)
        if figures["default_jobs"] not in (1, 2):
            builds["local-default"] = run_child(BUILD_CODE, str(raw), str(workdir / "out-default"), "default", "local")
        figures["builds"] = builds
        first = workdir / f"out-{next(iter(builds)).rsplit('-', 1)[0]}-1"
        figures["rebuild"] = run_child(BUILD_CODE, str(raw), str(first), "1", "local")
        cli_started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "analysis", "data", "--raw", str(raw), "--out", str(first)],
                       check=True, capture_output=True)
        figures["rebuild_cli_s"] = time.perf_counter() - cli_started
        imports = sorted(run_child(IMPORT_CODE)["import_s"] for _ in range(5))
        figures["import_s"] = imports[len(imports) // 2]
        figures["load"] = run_child(LOAD_CODE, str(first))
        figures["machine_scaling_after"] = machine_scaling()
        figures["load_average_after"] = load_average()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True), encoding="utf-8")
    return figures


def report(figures: dict) -> None:
    mb = figures["bytes"] / MB
    tok = mb / figures["tokenizer_s"]
    cv = mb / figures["countvectorizer_s"]
    print()
    print(f"{'step':34} {'seconds':>9} {'MB/s':>8} {'x tokenizer':>12}")
    print(f"{'spaCy tokenizer alone':34} {figures['tokenizer_s']:9.2f} {tok:8.3f} {1:12.2f}")
    print(f"{'CountVectorizer':34} {figures['countvectorizer_s']:9.2f} {cv:8.3f} {cv / tok:12.2f}")
    for name, run in figures["builds"].items():
        rate = mb / run["build_s"]
        label = "build " + name.replace("-", ", jobs ")
        print(f"{label:34} {run['build_s']:9.2f} {rate:8.3f} {rate / tok:12.2f}"
              f"   CPU {run['cpu_s']:.1f} s, peak memory {run['peak_rss'] / 1e9:.2f} GB")
    print()
    stages = figures["stages_cpu_s"]
    total = sum(stages.values())
    print(f"stages (CPU seconds, one copy of the statements, one process; total {total:.2f} s):")
    for name, seconds in stages.items():
        print(f"  {name:30} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print()
    print("targets:")

    def line(label: str, value: float, unit: str = "", target: str | None = None, *, at_least: bool = False):
        judged = f" {verdict(value, TARGETS[target], at_least=at_least)}" if target else ""
        print(f"  {label:46} {value:7.2f}{unit}{judged}")

    local1, local2 = figures["builds"].get("local-1"), figures["builds"].get("local-2")
    jobs = figures["default_jobs"]
    default = figures["builds"].get(f"local-{jobs}" if jobs in (1, 2) else "local-default")
    if default:
        line(f"build, default settings ({jobs} jobs) / tokenizer", (mb / default["build_s"]) / tok,
             target="build_vs_tokenizer", at_least=True)
    if local1:
        line("build, one process (jobs 1) / tokenizer", (mb / local1["build_s"]) / tok)
        line("  the same in CPU time (less hit by other load)", figures["tokenizer_cpu_s"] / local1["cpu_s"])
        line("build (jobs 1) / CountVectorizer, throughput", (mb / local1["build_s"]) / cv)
    if local1 and local2:
        line("jobs 2 / jobs 1, throughput", local1["build_s"] / local2["build_s"],
             target="jobs2_vs_jobs1", at_least=True)
        line("  two processes / one on a plain loop, before", figures["machine_scaling_before"])
        line("  the same, after the builds", figures["machine_scaling_after"])
        peak = max(local1["peak_rss"], local2["peak_rss"]) / 1e9
        line(f"peak memory of a build at {mb:.0f} MB", peak, " GB", "peak_memory_gb")
    for name in ("dask-1", "dask-2"):
        if name in figures["builds"] and local1:
            line(f"{name} / local jobs 1, throughput", local1["build_s"] / figures["builds"][name]["build_s"])
    rebuild = figures["rebuild"]
    line("no-change rebuild (the build call)", rebuild["build_s"], " s", "rebuild_s")
    if rebuild["built"]:
        print(f"    ({rebuild['built']} documents were rebuilt: the code or lexicons changed during the run)")
    line("no-change rebuild (the whole command)", figures["rebuild_cli_s"], " s")
    line("import analysis (median of 5)", figures["import_s"], " s", "import_s")
    load = figures["load"]
    line(f"load the tables ({load['tokens']:,} tokens)", load["load_s"], " s", "load_s")
    print(f"load average after: {figures['load_average_after']}")


if __name__ == "__main__":
    main()
