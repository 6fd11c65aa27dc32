"""The command line: CSV of turns, one-line errors without tracebacks, exit codes."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

from conftest import INTERVIEW, PROJECT_DIR


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], capture_output=True, text=True, cwd=cwd or PROJECT_DIR,
    )


def test_parse_prints_the_turns_as_csv(tmp_path):
    result = run("parse", str(INTERVIEW), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["role"] for r in rows] == ["question", "answer"] * 6
    assert list(rows[0]) == ["doc_id", "turn_id", "role", "speaker", "participant", "start", "end", "text"]
    text = INTERVIEW.read_text(encoding="utf-8")
    assert all(text[int(r["start"]):int(r["end"])] == r["text"] for r in rows)


def test_errors_are_one_line_without_traceback(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for args in (["parse", str(empty)], ["parse", str(tmp_path / "missing.txt")], ["parse", str(tmp_path)],
                 ["data", "--raw", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")]):
        result = run(*args)
        assert result.returncode == 2, args
        assert result.stdout == ""
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("error: ")


def test_debug_shows_the_traceback(tmp_path):
    result = run("--debug", "parse", str(tmp_path / "missing.txt"))
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_manifest_prints_the_committed_manifest():
    result = run("manifest")
    assert result.returncode == 0
    assert result.stdout == (PROJECT_DIR / "data" / "raw" / "manifest.csv").read_text(encoding="utf-8")


def test_show_writes_the_reading_view_to_standard_output_or_a_file(tmp_path):
    result = run("show", "darchiev-interfax", "--layers", "theme,actor")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and 'data-layer="theme"' in result.stdout
    assert 'data-layer="pronoun"' not in result.stdout
    target = tmp_path / "interview.html"
    result = run("show", "darchiev-interfax", "-o", str(target))
    assert result.returncode == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_show_an_unknown_document_suggests_the_nearest_ids():
    result = run("show", "darchiev")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: no document 'darchiev' in the corpus; nearest: darchiev-interfax\n"
