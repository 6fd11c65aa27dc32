"""The report: notebooks executed reproducibly (no volatile metadata), HTML copies and an index page."""

from __future__ import annotations

import html
import re
import shutil

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.report import (
    FigureCard,
    NotebookCard,
    ReadingCard,
    execute_notebook,
    index_page,
    make_report,
    notebook_card,
    notebook_paths,
    notebook_title,
    notebook_to_html,
    reading_documents,
    solution_paths,
    write_notebook,
    write_site,
)
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


def test_the_html_copy_links_back_to_the_index(tmp_path):
    notebook = nbformat.read(small_notebook(tmp_path), as_version=4)
    page = notebook_to_html(notebook)
    assert re.search(r'<body[^>]*><nav [^>]*><a href="index.html">', page)


def test_each_html_copy_carries_its_notebooks_title(tmp_path):
    notebook = nbformat.read(small_notebook(tmp_path), as_version=4)
    assert re.search(r"<title>A tiny notebook</title>", notebook_to_html(notebook))
    notebook.cells.insert(0, new_markdown_cell("Before the title.\n\n## 05 · Reciprocity & \"mirror\" steps"))
    assert notebook_title(notebook) == '05 · Reciprocity & "mirror" steps'
    title = re.search(r"<title>(.*?)</title>", notebook_to_html(notebook)).group(1)
    assert "&amp;" in title and html.unescape(title) == '05 · Reciprocity & "mirror" steps'


@pytest.mark.parametrize("path", notebook_paths(PROJECT_DIR / "notebooks"), ids=lambda p: p.stem)
def test_the_html_title_of_each_committed_notebook_is_its_first_heading(path):
    notebook = nbformat.read(path, as_version=4)
    heading = next(line for cell in notebook.cells if cell.cell_type == "markdown"
                   for line in cell.source.splitlines() if line.startswith("#"))
    title = re.search(r"<title>(.*?)</title>", notebook_to_html(notebook)).group(1)
    assert html.unescape(title) == heading.lstrip("#").strip() and title != "Notebook"


def test_a_notebook_card_comes_from_the_notebook_itself(tmp_path):
    notebook = new_notebook(cells=[
        new_markdown_cell("# 07 · Questions and answers\n\n**Question.** Do the answers take\nthe questions up?"
                          "\n\nThis notebook shows:\n\n- pairs"),
        new_code_cell('ax = figures.draw_figure("no-such-figure", corpus)\n'
                      'ax = figures.draw_figure("qa-uptake", corpus)'),
        new_markdown_cell("Some prose.\n\n**Finding.** Each answer is *longer* than its question."),
    ])
    nbformat.write(notebook, tmp_path / "07-qa.ipynb")
    card = notebook_card(tmp_path / "07-qa.ipynb")
    assert card == NotebookCard("07-qa", "Questions and answers", "Do the answers take\nthe questions up?",
                                "Each answer is *longer* than its question.", "qa-uptake")
    notebook.metadata["analysis"] = {"key_figure": "actor-network"}
    nbformat.write(notebook, tmp_path / "07-qa.ipynb")
    assert notebook_card(tmp_path / "07-qa.ipynb").figure == "actor-network"


def test_every_committed_notebook_states_its_question_and_finding():
    from analysis.figures import FIGURES

    for path in notebook_paths(PROJECT_DIR / "notebooks"):
        card = notebook_card(path)
        assert card.question and card.finding, path.name
        assert card.figure == "" or card.figure in FIGURES, path.name


def test_the_index_page_shows_each_notebook_figure_and_reading_view():
    notebooks = [NotebookCard("02-themes", "Themes", "Which *themes*?", "Diplomacy & `dialogue`.", "actor-network"),
                 NotebookCard("01-corpus", "The <corpus>", "What is in it?", "", "")]
    figures = [FigureCard("actor-network", "Actors named together.", {"png": "figures/actor-network.png",
                                                                      "pdf": "figures/actor-network.pdf"})]
    readings = [ReadingCard("darchiev-interfax", "Interview", "interview", 12, 1896, "read/darchiev-interfax.html")]
    page = index_page(notebooks, figures, readings)
    assert 'href="02-themes.html"' in page and 'href="01-corpus.html"' in page
    assert '<img src="figures/actor-network.png" alt="Key figure: actor-network"' in page
    assert "Which <em>themes</em>?" in page and "Diplomacy &amp; <code>dialogue</code>." in page
    assert "The &lt;corpus&gt;" in page and 'href="figures/actor-network.pdf"' in page
    assert 'href="read/darchiev-interfax.html"' in page and "12 turns · 1,896 tokens" in page
    assert "http://" not in page and "https://" not in page
    assert page.count("<style>") == 1 and "<link" not in page and "<script" not in page


def test_the_reading_views_are_the_interview_and_the_richest_of_each_kind():
    documents = pd.DataFrame({
        "doc_id": ["a", "b", "c", "d", "darchiev-interfax", "e"],
        "kind": ["briefing", "briefing", "briefing", "speech", "interview", "interview"],
        "n_turns": [40, 80, 80, 1, 12, 300],
        "n_tokens": [9000, 100, 5000, 3000, 1896, 40000],
    })
    assert reading_documents(documents) == ["darchiev-interfax", "c", "b", "e", "d"]
    assert reading_documents(documents, per_kind=1) == ["darchiev-interfax", "c", "e", "d"]


def test_the_site_links_only_files_it_has(corpus, tmp_path):
    shutil.copytree(PROJECT_DIR / "reports" / "figures", tmp_path / "figures")
    notebooks = notebook_paths(PROJECT_DIR / "notebooks")
    written = write_site(tmp_path, notebooks=notebooks, corpus=corpus)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert tmp_path / "read" / "darchiev-interfax.html" in written
    targets = set(re.findall(r'(?:href|src)="([^"#]+)"', index))
    stems = {f"{p.stem}.html" for p in notebooks}
    assert stems <= targets  # the notebooks' HTML copies are written beside it by make_report
    assert all((tmp_path / target).is_file() for target in targets - stems)
    view = (tmp_path / "read" / "darchiev-interfax.html").read_text(encoding="utf-8")
    assert '<a class="home" href="../index.html">' in view


def test_the_gallery_captions_are_the_registered_functions_first_lines(tmp_path):
    from analysis.figures import FIGURES
    from analysis.report import figure_cards

    for name in ("nato-expansion-by-year", "actor-network", "zz-extra"):
        for suffix in (".png", ".pdf"):
            (tmp_path / f"{name}{suffix}").write_bytes(b"x")
    cards = figure_cards(tmp_path)
    registered = [n for n in FIGURES if n in ("nato-expansion-by-year", "actor-network")]
    assert [c.name for c in cards] == registered + ["zz-extra"]
    nato = next(c for c in cards if c.name == "nato-expansion-by-year")
    assert "NATO_EXPANSION" in nato.caption and ":data:" not in nato.caption and "`" not in nato.caption
    assert nato.files == {"png": "figures/nato-expansion-by-year.png", "pdf": "figures/nato-expansion-by-year.pdf"}
    assert cards[-1].caption == "zz-extra"

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
    assert written[0] == tmp_path / "reports" / "01-tiny.html" and written[-1] == tmp_path / "reports" / "index.html"
    assert lines[:2] == ["data: the tables are up to date", "notebook 1/1: 01-tiny.ipynb"]
    assert lines[2] == (f"wrote 1 executed notebook(s) in {notebooks}/, {len(written)} HTML page(s) in "
                        f"{tmp_path}/reports/ (open index.html) and 0 figure file(s) in {tmp_path}/reports/figures/")
    assert len(lines) == 3


def test_the_report_runs_the_solutions_after_the_notebooks(tmp_path, corpus):
    notebooks = tmp_path / "notebooks"
    (notebooks / "solutions").mkdir(parents=True)
    small_notebook(notebooks)
    shutil.copy(small_notebook(tmp_path), notebooks / "solutions" / "01-tiny-solution.ipynb")
    assert solution_paths(notebooks) == [notebooks / "solutions" / "01-tiny-solution.ipynb"]
    lines = []
    written = make_report(notebooks_dir=notebooks, out_dir=tmp_path / "reports", progress=lines.append)
    page = tmp_path / "reports" / "solutions" / "01-tiny-solution.html"
    assert written[:2] == [tmp_path / "reports" / "01-tiny.html", page]
    assert lines[1:3] == ["notebook 1/1: 01-tiny.ipynb", "solution 1/1: 01-tiny-solution.ipynb"]
    assert lines[3].startswith(f"wrote 1 executed notebook(s) and 1 solution(s) in {notebooks}/, {len(written)} HTML page(s)")
    assert '<a href="../index.html">' in page.read_text(encoding="utf-8")
    executed = nbformat.read(notebooks / "solutions" / "01-tiny-solution.ipynb", as_version=4)
    assert executed.cells[2].outputs[0]["text"] == "45\n"


def test_links_between_notebooks_point_to_their_html_copies(tmp_path):
    notebook = nbformat.read(small_notebook(tmp_path), as_version=4)
    notebook.cells.append(new_markdown_cell(
        "[the solution](solutions/03-sanctions-solution.ipynb), [back](../03-sanctions.ipynb#Exercise), "
        "[elsewhere](https://example.org/a.ipynb)"))
    page = notebook_to_html(notebook)
    assert 'href="solutions/03-sanctions-solution.html"' in page
    assert 'href="../03-sanctions.html#Exercise"' in page
    assert 'href="https://example.org/a.ipynb"' in page
