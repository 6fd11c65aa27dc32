"""The command line: ``python -m analysis {data,parse,manifest,show,figures,report}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import AnalysisError


def _cmd_data(args) -> int:
    from .corpus import build

    engine = args.engine or ("dask" if args.scheduler else "local")
    if args.scheduler and engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    built = build(args.raw, args.out, jobs=args.jobs, model=args.model, force=args.force,
                  engine=engine, scheduler=args.scheduler)
    print(f"built {len(built)} document(s)" if built else "tables are up to date", file=sys.stderr)
    return 0


def _cmd_parse(args) -> int:
    import csv

    from .corpus import parse_document
    from .sources import read_document

    columns = ["doc_id", "turn_id", "role", "speaker", "participant", "start", "end", "text"]
    tables = []
    for path in args.files:  # parse every file before printing, so an error prints no partial table
        tables.append(parse_document(read_document(path), kind=args.kind).turns)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for turns in tables:
        writer.writerows(turns[columns].itertuples(index=False, name=None))
    return 0


def _cmd_manifest(args) -> int:
    from .sources import describe_raw_files

    describe_raw_files(args.raw or _default("RAW_DIR")).to_csv(sys.stdout, index=False, lineterminator="\n")
    return 0


def _cmd_show(args) -> int:
    from .corpus import load_corpus
    from .files import write_atomic
    from .view import render

    page = render(load_corpus(args.raw, args.out), args.doc_id, layers=args.layers)
    if args.output is None:
        sys.stdout.write(page)
    else:
        write_atomic(args.output, page)
    return 0


def _cmd_figures(args) -> int:
    from .figures import make_figures

    written = make_figures(out_dir=args.out)
    print(f"wrote {len(written)} figure file(s)", file=sys.stderr)
    if args.verbose:
        for path in written:
            _say(f"  {path}")
    return 0


def _cmd_report(args) -> int:
    from .report import make_report

    written = make_report(jobs=args.jobs, progress=_say)
    if args.verbose:
        for path in written:
            _say(f"  {path}")
    return 0


def _say(line: str) -> None:
    """One line of progress on standard error (standard output stays for results)."""
    print(line, file=sys.stderr, flush=True)


def _default(name: str) -> Path:
    from . import config

    return getattr(config, name)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    parser.add_argument("--verbose", action="store_true", help="list every file written")
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="build the corpus tables (Parquet) from raw files")
    data.add_argument("--raw", type=Path, default=None, help="folder of raw transcripts (default: data/raw)")
    data.add_argument("--out", type=Path, default=None, help="folder for the tables (default: data/processed)")
    data.add_argument("--jobs", type=int, default=None,
                      help="worker processes (default: one per CPU core available)")
    data.add_argument("--model", default=None, help="an installed spaCy pipeline to use instead of blank English")
    data.add_argument("--force", action="store_true", help="rebuild every document")
    data.add_argument("--engine", choices=["local", "dask"], default=None,
                      help="run on this machine's processes (local, the default) or on a Dask cluster "
                           "(dask: a local cluster of --jobs processes unless --scheduler is given)")
    data.add_argument("--scheduler", default=None, metavar="ADDRESS",
                      help="the Dask scheduler to use (e.g. tcp://10.0.0.5:8786); implies --engine dask")
    data.set_defaults(run=_cmd_data)

    parse = commands.add_parser("parse", help="print the turns of transcript files as CSV")
    parse.add_argument("files", nargs="+", type=Path)
    parse.add_argument("--kind", choices=["interview", "speech"], default=None,
                       help="read as a labelled interview or as one statement (default: detect)")
    parse.set_defaults(run=_cmd_parse)

    manifest = commands.add_parser("manifest", help="print manifest rows for the package's raw data")
    manifest.add_argument("--raw", type=Path, default=None)
    manifest.set_defaults(run=_cmd_manifest)

    show = commands.add_parser("show", help="write one document's reading view (HTML, its matches marked)")
    show.add_argument("doc_id", metavar="DOC_ID", help="the document's id (see the documents table)")
    show.add_argument("--raw", type=Path, default=None, help="folder of raw transcripts (default: data/raw)")
    show.add_argument("--out", type=Path, default=None, help="folder of the tables (default: data/processed)")
    show.add_argument("--layers", default=None, metavar="LAYER,...",
                      help="the match layers to mark, e.g. theme,actor,quote (default: every layer)")
    show.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                      help="write the page to FILE (default: standard output)")
    show.set_defaults(run=_cmd_show)

    figures = commands.add_parser("figures", help="draw and save every paper figure")
    figures.add_argument("--out", type=Path, default=None, help="folder for figures (default: reports/figures)")
    figures.set_defaults(run=_cmd_figures)

    report = commands.add_parser("report", help="build data, execute every notebook, write HTML reports")
    report.add_argument("--jobs", type=int, default=None,
                        help="worker processes for the data build (default: one per CPU core available)")
    report.set_defaults(run=_cmd_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a command; a documented error becomes one line on standard error and exit code 2."""
    args = make_parser().parse_args(argv)
    try:
        return args.run(args)
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permission denied: the system's words, on one line
        if args.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
