"""Every notebook's exercise has a worked solution in notebooks/solutions/, which the tests execute.

A solution opens with its exercise's text, word for word, and the exercise links to it; nbval runs the
solutions with the notebooks (``notebooks`` is a test path, and pytest collects its subfolders), and
tests/test_notebook_numbers.py checks the numbers of their prose like any notebook's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import nbformat
import pytest

from analysis.report import notebook_paths, notebook_title, solution_paths
from conftest import PROJECT_DIR

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
NOTEBOOKS = notebook_paths(NOTEBOOKS_DIR)


def exercise(path) -> str:
    """The exercise of a notebook: its last cell from "## Exercise" on, without the link to its solution."""
    source = nbformat.read(path, as_version=4).cells[-1].source
    assert "## Exercise" in source, f"{path.name}: the last cell holds no exercise"
    text = source[source.index("## Exercise") + len("## Exercise"):]
    return re.sub(r"\*Solution:\*.*$", "", text, flags=re.S).strip()


def unquoted(markdown: str) -> str:
    """The text of a Markdown block quote, the "> " of each line removed."""
    return "\n".join(re.sub(r"^> ?", "", line) for line in markdown.splitlines())


def test_each_exercise_has_one_solution_and_each_solution_one_exercise():
    expected = [NOTEBOOKS_DIR / "solutions" / f"{path.stem}-solution.ipynb" for path in NOTEBOOKS]
    assert solution_paths(NOTEBOOKS_DIR) == expected


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_a_solution_opens_with_its_exercise_and_the_exercise_links_to_it(path):
    solution = NOTEBOOKS_DIR / "solutions" / f"{path.stem}-solution.ipynb"
    notebook = nbformat.read(solution, as_version=4)
    assert notebook_title(notebook) == f"{notebook_title(nbformat.read(path, as_version=4))}: the exercise solved"
    first = notebook.cells[0].source
    assert exercise(path) in unquoted(first)
    assert f"](solutions/{solution.name})" in nbformat.read(path, as_version=4).cells[-1].source


@pytest.mark.parametrize("path", solution_paths(NOTEBOOKS_DIR), ids=lambda p: p.stem)
def test_a_solution_is_executed_and_uses_the_library_without_copying_it(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.get("execution_count") for cell in code), "commit the solution executed"
    assert not any(output.get("output_type") == "error" or output.get("name") == "stderr"
                   for cell in code for output in cell.outputs)
    assert any("from analysis import" in cell.source for cell in code)
    assert not any(re.search(r"^\s*(import|from)\s+(scipy|sklearn)\b", cell.source, re.M) for cell in code)
    prose = [cell for cell in notebook.cells[1:] if cell.cell_type == "markdown"]
    assert sum(len(cell.source.split()) for cell in prose) >= 60, "explain the answer in prose"


def test_the_nbval_run_collects_the_solutions():
    testpaths = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert "notebooks" in testpaths
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "--collect-only", "-q",
         "-p", "no:cacheprovider", "notebooks"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    files = {line.split("::")[0] for line in collected.stdout.splitlines() if "::" in line}
    assert {f"notebooks/solutions/{p.name}" for p in solution_paths(NOTEBOOKS_DIR)} <= files, collected.stdout[-2000:]
