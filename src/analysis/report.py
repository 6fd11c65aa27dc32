"""The one-command report: build the data, draw the figures, execute every notebook, write HTML copies."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from . import config
from .files import write_atomic

#: Cell metadata that records when or how long a cell ran: never committed.
_VOLATILE_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The numbered notebooks (``01-….ipynb`` …), in order."""
    folder = Path(folder or config.NOTEBOOKS_DIR)
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def execute_notebook(path: str | Path, *, timeout: int = 600):
    """Run a notebook top to bottom in its own folder; return it with volatile metadata removed."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
        config=_kernel_config(),
    )
    client.execute()
    return scrub_notebook(notebook)


def _kernel_config():
    """Kernel settings: encrypt the connection to the kernel (CurveZMQ) where the kernel offers it.

    The kernel talks to this process over local TCP; unencrypted, ipykernel warns once per notebook.
    jupyter_client 8.10 added ``transport_encryption``; with older versions the option is left out.
    """
    from jupyter_client import KernelManager
    from traitlets.config import Config

    config = Config()
    if KernelManager.class_traits().get("transport_encryption") is not None:
        config.KernelManager.transport_encryption = "auto"
    return config


def scrub_notebook(notebook):
    """Drop timings, widget state and kernel versions so that re-running gives identical files."""
    notebook.metadata.pop("widgets", None)
    language = notebook.metadata.get("language_info", {})
    language.pop("version", None)
    for cell in notebook.cells:
        for key in _VOLATILE_METADATA:
            cell.metadata.pop(key, None)
    return notebook


def write_notebook(notebook, path: str | Path) -> None:
    """Write a notebook atomically (temporary file, then rename)."""
    import nbformat

    write_atomic(path, nbformat.writes(notebook) + "\n")


def notebook_to_html(notebook) -> str:
    """A standalone HTML copy of an executed notebook."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    return body


def index_page(notebooks: list[Path], figures: list[Path]) -> str:
    """The report's index: a link to each notebook's HTML copy and to each figure."""
    def item(href: str, label: str) -> str:
        return f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>'

    notebook_items = "\n".join(item(f"{p.stem}.html", p.stem) for p in notebooks)
    figure_items = "\n".join(item(f"figures/{p.name}", p.name) for p in figures)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Discourse analysis: report</title></head>\n<body>\n"
        "<h1>Discourse analysis of an interview transcript: report</h1>\n"
        "<h2>Notebooks</h2>\n<ol>\n" + notebook_items + "\n</ol>\n"
        "<h2>Figures</h2>\n<ul>\n" + figure_items + "\n</ul>\n</body></html>\n"
    )


def make_report(*, jobs: int | None = None, notebooks_dir: str | Path | None = None, out_dir: str | Path | None = None,
                progress: Callable[[str], None] | None = None) -> list[Path]:
    """Build the data, execute each notebook in place, write HTML copies and an index page.

    The paper-figures notebook saves every figure (``figures.make_figures``),
    so the report regenerates ``reports/figures/`` too. Returns the HTML files
    written. Notebooks run in order; one that fails stops the report with the
    notebook's error. ``progress``, if given, receives one line per step and a
    closing summary of what was written.
    """
    from .corpus import build

    say = progress or (lambda line: None)
    out_dir = Path(out_dir or config.REPORTS_DIR)
    built = build(jobs=jobs)
    say(f"data: built {len(built)} document(s)" if built else "data: the tables are up to date")
    written = []
    notebooks = notebook_paths(notebooks_dir)
    for number, path in enumerate(notebooks, start=1):
        say(f"notebook {number}/{len(notebooks)}: {path.name}")
        notebook = execute_notebook(path)
        write_notebook(notebook, path)
        target = out_dir / f"{path.stem}.html"
        write_atomic(target, notebook_to_html(notebook))
        written.append(target)
    figures = sorted(p for p in (out_dir / "figures").glob("*") if p.suffix in (".pdf", ".svg", ".png"))
    index = out_dir / "index.html"
    write_atomic(index, index_page(notebooks, figures))
    say(f"wrote {len(notebooks)} executed notebook(s) in {_shown(notebooks_dir or config.NOTEBOOKS_DIR)}, "
        f"{len(written) + 1} HTML page(s) in {_shown(out_dir)} (open index.html) "
        f"and {len(figures)} figure file(s) in {_shown(out_dir / 'figures')}")
    return [*written, index]


def _shown(folder: str | Path) -> str:
    """A folder as a user would type it: relative to the working folder when inside it."""
    folder = Path(folder).resolve()
    try:
        return f"{folder.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"
