"""The report: notebooks executed reproducibly (no volatile metadata), HTML copies and an index page."""

from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.report import (execute_notebook, index_page, make_report, notebook_paths, notebook_to_html,
                             write_notebook)
from conftest import PROJECT_DIR


def small_notebook(folder):
    notebook = new_notebook(cells=[
        new_markdown_cell("# A tiny notebook"),
        new_code_cell("import pandas as pd\npd.DataFrame({'label': ['nato', 'sanctions'], 'count': [6, 9]})"),
        new_code_cell("print(sum(range(10)))"),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "01-tiny.ipynb"
    nbformat.write(notebook, path)
    return path


def test_executing_twice_gives_identical_files(tmp_path):
    path = small_notebook(tmp_path)
    write_notebook(execute_notebook(path), path)
    first = path.read_bytes()
    write_notebook(execute_notebook(path), path)
    assert path.read_bytes() == first
    notebook = nbformat.read(path, as_version=4)
    assert notebook.cells[2].outputs[0]["text"] == "45\n"
    assert all("execution" not in cell.metadata for cell in notebook.cells)
    assert "version" not in notebook.metadata.get("language_info", {})
    html = notebook_to_html(notebook)
    assert "sanctions" in html and "A tiny notebook" in html


def test_the_numbered_notebooks_are_found_in_order():
    names = [p.name for p in notebook_paths(PROJECT_DIR / "notebooks")]
    assert names == sorted(names) and len(names) >= 10
    assert names[0].startswith("01-") and names[9].startswith("10-")


def test_the_index_page_links_every_notebook_and_figure(tmp_path):
    notebooks = [tmp_path / "01-corpus.ipynb", tmp_path / "02-themes.ipynb"]
    figures = [tmp_path / "figures" / "actor-network.pdf"]
    page = index_page(notebooks, figures)
    assert 'href="01-corpus.html"' in page and 'href="02-themes.html"' in page
    assert 'href="figures/actor-network.pdf"' in page


def test_a_notebook_runs_without_a_warning_from_the_kernel(tmp_path, capfd):
    # The kernel inherits this process's standard error: ipykernel warned there about unencrypted TCP.
    notebook = execute_notebook(small_notebook(tmp_path))
    assert notebook.cells[2].outputs[0]["text"] == "45\n"
    assert capfd.readouterr().err == ""


@pytest.mark.slow
def test_the_report_says_each_step_and_what_it_wrote(tmp_path, corpus):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    small_notebook(notebooks)
    lines = []
    written = make_report(notebooks_dir=notebooks, out_dir=tmp_path / "reports", progress=lines.append)
    assert written == [tmp_path / "reports" / "01-tiny.html", tmp_path / "reports" / "index.html"]
    assert lines[:2] == ["data: the tables are up to date", "notebook 1/1: 01-tiny.ipynb"]
    assert lines[2] == (f"wrote 1 executed notebook(s) in {notebooks}/, 2 HTML page(s) in {tmp_path}/reports/ "
                        f"(open index.html) and 0 figure file(s) in {tmp_path}/reports/figures/")
    assert len(lines) == 3
