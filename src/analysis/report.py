"""The one-command report: build the data, draw the figures, execute every notebook, write a small website."""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import config
from .files import write_atomic

#: Cell metadata that records when or how long a cell ran: never committed.
_VOLATILE_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def notebook_paths(folder: str | Path | None = None) -> list[Path]:
    """The numbered notebooks (``01-….ipynb`` …), in order."""
    folder = Path(folder or config.NOTEBOOKS_DIR)
    return sorted(folder.glob("[0-9][0-9]-*.ipynb"))


def solution_paths(folder: str | Path | None = None) -> list[Path]:
    """The worked solutions of the notebooks' exercises (``solutions/03-…-solution.ipynb`` …), in order."""
    folder = Path(folder or config.NOTEBOOKS_DIR) / "solutions"
    return sorted(folder.glob("[0-9][0-9]-*-solution.ipynb"))


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


#: The link back to the index that tops each notebook's HTML copy.
_BACK_LINK = ('<nav style="font:14px/1.4 system-ui,sans-serif;padding:8px 16px;border-bottom:1px solid #d4d4d4">'
              '<a href="{href}">← Report index</a></nav>')


def notebook_title(notebook) -> str:
    """A notebook's title: the text of its first Markdown heading (``# 03 · Sanctions`` → ``03 · Sanctions``).

    ``notebook`` is a notebook node or its JSON as a dictionary; a notebook without a
    heading has the title ``""``.

    >>> notebook_title({"cells": [{"cell_type": "markdown", "source": ["Intro\\n", "# 02 · Themes\\n"]}]})
    '02 · Themes'
    """
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        heading = next((line for line in source.splitlines() if re.match(r"#{1,6}\s", line)), None)
        if heading is not None:
            return heading.lstrip("#").strip()
    return ""


def notebook_to_html(notebook, *, home: str | None = "index.html", title: str | None = None) -> str:
    """A standalone HTML copy of an executed notebook, with a link back to the report's index (``home``).

    The page's ``<title>`` is ``title``, by default the notebook's first heading
    (:func:`notebook_title`); nbconvert would otherwise call every page "Notebook".
    """
    from nbconvert import HTMLExporter

    title = title if title is not None else notebook_title(notebook)
    resources = {"metadata": {"name": title or "Notebook"}}
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook, resources=resources)
    if home:
        link = _BACK_LINK.format(href=html.escape(home))
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + link, body, count=1)
    # A link to another notebook ("solutions/03-sanctions-solution.ipynb") points to its HTML copy.
    return re.sub(r'href="([^":#?]+)\.ipynb(#[^"]*)?"', r'href="\1.html\2"', body)


# --- what the index says of each notebook, figure and reading view --------------------------------

@dataclass(frozen=True)
class NotebookCard:
    """A notebook as the index shows it: title, question, main finding (Markdown) and key figure."""

    stem: str
    title: str
    question: str
    finding: str
    figure: str


@dataclass(frozen=True)
class FigureCard:
    """A paper figure as the gallery shows it: caption and the hrefs of its files (by suffix)."""

    name: str
    caption: str
    files: dict


@dataclass(frozen=True)
class ReadingCard:
    """A document's reading view as the index lists it."""

    doc_id: str
    title: str
    kind: str
    n_turns: int
    n_tokens: int
    href: str


_DRAWN_FIGURE = re.compile(r"""draw_figure\(\s*["']([^"']+)["']""")


def notebook_card(path: str | Path) -> NotebookCard:
    """What the index says of a notebook, read from the notebook itself.

    The title is the first Markdown heading; the question is the Markdown
    paragraph that opens with ``**Question.**`` and the main finding the one
    that opens with ``**Finding.**`` (in any Markdown cell); the key figure is
    ``metadata["analysis"]["key_figure"]``, else the first registered figure
    the notebook draws with ``draw_figure("name", ...)``.
    """
    from .figures import FIGURES

    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    markdown = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                for c in notebook["cells"] if c["cell_type"] == "markdown"]
    code = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                     for c in notebook["cells"] if c["cell_type"] == "code")
    paragraphs = [p.strip() for cell in markdown for p in re.split(r"\n\s*\n", cell)]
    title = notebook_title(notebook) or path.stem
    title = re.sub(r"^\d+\s*[·.:]\s*", "", title)  # "02 · Themes", "6. Actors": the index numbers them

    def opening(marker: str) -> str:
        found = next((p for p in paragraphs if p.startswith(marker)), "")
        return found[len(marker):].strip()

    figure = notebook.get("metadata", {}).get("analysis", {}).get("key_figure", "")
    if not figure:
        figure = next((name for name in _DRAWN_FIGURE.findall(code) if name in FIGURES), "")
    return NotebookCard(path.stem, title, opening("**Question.**"), opening("**Finding.**"), figure)


def figure_cards(figures_dir: str | Path) -> list[FigureCard]:
    """Every figure saved in ``figures_dir`` (PNG, SVG, PDF), registered ones first in the registry's order."""
    from .figures import FIGURES

    figures_dir = Path(figures_dir)
    files: dict[str, dict] = {}
    for path in sorted(figures_dir.glob("*")):
        if path.suffix in (".png", ".svg", ".pdf"):
            files.setdefault(path.stem, {})[path.suffix[1:]] = f"figures/{path.name}"
    order = [name for name in FIGURES if name in files] + sorted(set(files) - set(FIGURES))
    cards = []
    for name in order:
        doc = (FIGURES[name].draw.__doc__ or "") if name in FIGURES else ""
        caption = " ".join(doc.strip().split("\n\n")[0].split()) or name
        caption = re.sub(r":\w+:`~?([^`]*)`", r"\1", caption).replace("`", "")  # Sphinx roles as plain names
        cards.append(FigureCard(name, caption, files[name]))
    return cards


def reading_documents(documents, *, per_kind: int = 2) -> list[str]:
    """The documents the report shows as reading views: the interview, then of each kind the richest.

    "Richest" is most turns, then most tokens (so a Direct Line or a long briefing
    comes before a short statement); ``per_kind`` documents of each kind.
    """
    from .figures import INTERVIEW_ID

    chosen = [INTERVIEW_ID] if INTERVIEW_ID in set(documents["doc_id"]) else []
    for _, rows in documents.groupby("kind", sort=True):
        rows = rows[~rows["doc_id"].isin(chosen)]
        rows = rows.sort_values(["n_turns", "n_tokens", "doc_id"], ascending=[False, False, True], kind="stable")
        chosen.extend(rows["doc_id"].head(per_kind))
    return chosen


# --- the index page -------------------------------------------------------------------------------

def _inline_markdown(text: str) -> str:
    """Inline Markdown (code, strong, emphasis, ``\\*``) as HTML, the rest escaped."""
    out = html.escape(" ".join(text.split()), quote=False).replace("\\*", "\0")
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", out)
    return out.replace("\0", "*")


def index_page(notebooks: list[NotebookCard], figures: list[FigureCard], readings: list[ReadingCard]) -> str:
    """The report's index: each notebook with its question, finding and key figure; the gallery; reading views."""
    esc = html.escape
    thumbs = {card.name: card.files.get("png", "") for card in figures}
    notebook_items = []
    for card in notebooks:
        number, _, _ = card.stem.partition("-")
        thumb = thumbs.get(card.figure, "")
        image = (f'<img src="{esc(thumb)}" alt="Key figure: {esc(card.figure)}" loading="lazy">' if thumb
                 else '<span class="no-figure">tables and text</span>')
        finding = (f'<p class="finding"><span>Finding</span> {_inline_markdown(card.finding)}</p>'
                   if card.finding else "")
        question = f'<p class="question">{_inline_markdown(card.question)}</p>' if card.question else ""
        notebook_items.append(
            f'<article class="card"><a class="thumb" href="{esc(card.stem)}.html" tabindex="-1">{image}</a>'
            f'<div class="body"><p class="number">Notebook {esc(number)}</p>'
            f'<h3><a href="{esc(card.stem)}.html">{esc(card.title)}</a></h3>{question}{finding}</div></article>'
        )
    figure_items = []
    for card in figures:
        links = " · ".join(f'<a href="{esc(href)}">{esc(kind.upper())}</a>'
                           for kind, href in sorted(card.files.items()))
        image = card.files.get("png") or card.files.get("svg")
        picture = (f'<a href="{esc(image)}"><img src="{esc(image)}" alt="{esc(card.caption)}" loading="lazy"></a>'
                   if image else "")
        figure_items.append(f'<figure>{picture}<figcaption><b>{esc(card.name)}</b> {esc(card.caption)}'
                            f'<span class="files">{links}</span></figcaption></figure>')
    reading_items = [
        f'<li><a href="{esc(r.href)}">{esc(r.title or r.doc_id)}</a><span class="facts">{esc(r.kind)} · '
        f'{r.n_turns:,} turn{"s" if r.n_turns != 1 else ""} · {r.n_tokens:,} tokens · <code>{esc(r.doc_id)}</code>'
        f"</span></li>" for r in readings
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Discourse analysis of interview transcripts: report</title>\n<style>\n{_INDEX_CSS}</style>\n"
        "</head>\n<body>\n<header class=\"hero\"><p class=\"kicker\">Report</p>\n"
        "<h1>Discourse analysis of interview transcripts</h1>\n"
        '<p class="lede">How a diplomatic interview speaks of sanctions, NATO and reciprocity, whom it names and how '
        "it frames them, set against the UN General Debate. Each notebook opens with its question; every "
        "number in it can be traced to words, and the reading views show those words in the transcripts.</p>\n"
        '<nav><a href="#notebooks">Notebooks</a><a href="#figures">Figures</a>'
        '<a href="#reading">Reading views</a></nav></header>\n<main>\n'
        f'<section id="notebooks"><h2>Notebooks</h2>\n<div class="cards">\n{chr(10).join(notebook_items)}\n</div>'
        "</section>\n"
        '<section id="figures"><h2>Figures</h2>\n<p class="note">The paper\'s figures, each drawn from the corpus '
        "tables by one registered function (<code>analysis.figures.FIGURES</code>); the same files on every run."
        f'</p>\n<div class="gallery">\n{chr(10).join(figure_items)}\n</div></section>\n'
        '<section id="reading"><h2>Reading views</h2>\n<p class="note">Transcripts with their turns, speakers '
        "and lexicon matches marked in the text (<code>python -m analysis show DOC_ID</code>).</p>\n"
        f'<ul class="readings">\n{chr(10).join(reading_items)}\n</ul></section>\n</main>\n'
        '<footer>Made with <code>python -m analysis report</code>: data, figures, executed notebooks and this '
        "page from the raw files and the code.</footer>\n</body>\n</html>\n"
    )


_INDEX_CSS = """\
:root{--ink:#1a1a1a;--muted:#555;--rule:#d9d9d9;--accent:#0072B2;--soft:#f4f6f8}
*{box-sizing:border-box}
html{font:16px/1.55 system-ui,"DejaVu Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:#fff}
body{margin:0 auto;max-width:76rem;padding:0 1.5rem}
a{color:#0a4f85}
code{font:.85em "DejaVu Sans Mono",Menlo,Consolas,monospace;background:var(--soft);padding:0 .2em;border-radius:3px}
.hero{padding:2.2rem 0 1.2rem;border-bottom:1px solid var(--rule)}
.kicker,.number{margin:0;font-size:.72rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
h1{font-size:2rem;line-height:1.2;margin:.3rem 0 .6rem}
.lede{max-width:48rem;margin:0 0 1rem;font-size:1.05rem}
nav a{margin-right:1.4rem;font-weight:600;text-decoration:none}
nav a:hover{text-decoration:underline}
h2{font-size:1.3rem;margin:2.2rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--accent);
 display:inline-block}
.note{color:var(--muted);margin:-.2rem 0 1rem;max-width:50rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(21rem,1fr));gap:1.2rem}
.card{border:1px solid var(--rule);border-radius:6px;overflow:hidden;display:flex;flex-direction:column;background:#fff}
.thumb{text-decoration:none;display:flex;align-items:center;justify-content:center;height:11rem;background:var(--soft);
 border-bottom:1px solid var(--rule)}
.thumb img{max-width:100%;max-height:100%;object-fit:contain;background:#fff}
.no-figure{color:var(--muted);font-size:.85rem;font-style:italic}
.card .body{padding:.8rem 1rem 1rem}
.card h3{font-size:1.08rem;line-height:1.3;margin:.15rem 0 .5rem}
.card h3 a{color:var(--ink);text-decoration:none}
.card h3 a:hover{text-decoration:underline}
.question{margin:0 0 .6rem;font-size:.92rem}
.finding{margin:0;font-size:.9rem;padding:.45rem .6rem;background:var(--soft);border-left:3px solid var(--accent)}
.finding span{display:block;font-size:.68rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));gap:1.2rem}
figure{margin:0;border:1px solid var(--rule);border-radius:6px;padding:.6rem;background:#fff}
figure img{width:100%;height:12rem;object-fit:contain}
figcaption{font-size:.82rem;color:var(--muted);margin-top:.3rem}
figcaption b{display:block;color:var(--ink);font-weight:600}
.files{display:block;margin-top:.25rem}
.readings{list-style:none;padding:0;margin:0;max-width:56rem}
.readings li{padding:.55rem 0;border-bottom:1px solid var(--rule)}
.readings .facts{display:block;font-size:.82rem;color:var(--muted)}
footer{margin:3rem 0 2rem;padding-top:1rem;border-top:1px solid var(--rule);font-size:.82rem;color:var(--muted)}
@media print{nav{display:none}.card,figure{break-inside:avoid}body{max-width:none}a{color:inherit}}
"""


def write_site(out_dir: str | Path, *, notebooks: list[Path], corpus, figures_dir: str | Path | None = None,
               per_kind: int = 2) -> list[Path]:
    """Write the index page and the reading views (``read/<doc_id>.html``) into ``out_dir``; return the files.

    The index links each notebook's HTML copy (``<stem>.html``) beside it; the
    figures come from ``figures_dir`` (default ``out_dir/figures``), linked
    relative to ``out_dir``.
    """
    from .view import render

    out_dir = Path(out_dir)
    figures_dir = Path(figures_dir or out_dir / "figures")
    figures = figure_cards(figures_dir)
    prefix = Path(os.path.relpath(figures_dir, out_dir)).as_posix()
    if prefix != "figures":
        figures = [FigureCard(f.name, f.caption, {k: f"{prefix}/{Path(v).name}" for k, v in f.files.items()})
                   for f in figures]
    written, readings = [], []
    documents = corpus.documents.set_index("doc_id", drop=False)
    for doc_id in reading_documents(corpus.documents, per_kind=per_kind):
        path = write_atomic(out_dir / "read" / f"{doc_id}.html", render(corpus, doc_id, home="../index.html"))
        written.append(path)
        row = documents.loc[doc_id]
        readings.append(ReadingCard(doc_id, str(row["title"] or ""), str(row["kind"]), int(row["n_turns"]),
                                    int(row["n_tokens"]), f"read/{doc_id}.html"))
    cards = [notebook_card(path) for path in notebooks]
    written.append(write_atomic(out_dir / "index.html", index_page(cards, figures, readings)))
    return written


def make_report(*, jobs: int | None = None, notebooks_dir: str | Path | None = None, out_dir: str | Path | None = None,
                progress: Callable[[str], None] | None = None) -> list[Path]:
    """Build the data, execute each notebook and each exercise's solution in place, write HTML copies and an index.

    The paper-figures notebook saves every figure (``figures.make_figures``),
    so the report regenerates ``reports/figures/`` too. The solutions
    (``notebooks/solutions/``) run after the notebooks; their HTML copies go to
    ``reports/solutions/``. Returns the HTML files written. Notebooks run in
    order; one that fails stops the report with the notebook's error.
    ``progress``, if given, receives one line per step and a closing summary
    of what was written.
    """
    from .corpus import build, read_tables

    say = progress or (lambda line: None)
    out_dir = Path(out_dir or config.REPORTS_DIR)
    built = build(jobs=jobs)
    say(f"data: built {len(built)} document(s)" if built else "data: the tables are up to date")
    written = []
    notebooks = notebook_paths(notebooks_dir)
    solutions = solution_paths(notebooks_dir)
    runs = ([("notebook", i, len(notebooks), path, "", "index.html") for i, path in enumerate(notebooks, start=1)]
            + [("solution", i, len(solutions), path, "solutions/", "../index.html")
               for i, path in enumerate(solutions, start=1)])
    for what, number, total, path, folder, home in runs:
        say(f"{what} {number}/{total}: {path.name}")
        notebook = execute_notebook(path)
        write_notebook(notebook, path)
        target = out_dir / f"{folder}{path.stem}.html"
        write_atomic(target, notebook_to_html(notebook, home=home))
        written.append(target)
    site = write_site(out_dir, notebooks=notebooks, corpus=read_tables())
    figures = sorted(p for p in (out_dir / "figures").glob("*") if p.suffix in (".pdf", ".svg", ".png"))
    solved = f" and {len(solutions)} solution(s)" if solutions else ""
    say(f"wrote {len(notebooks)} executed notebook(s){solved} in {_shown(notebooks_dir or config.NOTEBOOKS_DIR)}, "
        f"{len(written) + len(site)} HTML page(s) in {_shown(out_dir)} (open index.html) "
        f"and {len(figures)} figure file(s) in {_shown(out_dir / 'figures')}")
    return [*written, *site]


def _shown(folder: str | Path) -> str:
    """A folder as a user would type it: relative to the working folder when inside it."""
    folder = Path(folder).resolve()
    try:
        return f"{folder.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"
