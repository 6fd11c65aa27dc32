"""The reading view: one document as a self-contained HTML page, its turns and matches marked in its text.

``render(corpus, doc_id)`` returns the page. Every character of the document
appears in it once, in order, escaped; a turn is a block with its speaker and
role; each match of the chosen layers is one ``<mark>`` around exactly its
characters, with ``data-layer``, ``data-label`` and ``data-pattern``. Nothing is
loaded from the network: the style and a small script are in the page.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .errors import UnknownNameError

#: How the package's layers are drawn: a colour of the Okabe & Ito palette (the figures' palette) and
#: a mark style, so that layers differ in shape as well as colour (and survive greyscale printing).
LAYER_STYLES: dict[str, tuple[str, str]] = {
    "theme": ("#0072B2", "band"),
    "actor": ("#D55E00", "box"),
    "quote": ("#F0E442", "tint"),
    "pronoun": ("#009E73", "solid"),
    "modality": ("#CC79A7", "dashed"),
    "hedge": ("#E69F00", "wavy"),
    "booster": ("#56B4E9", "double"),
    "negation": ("#000000", "dotted"),
    "evaluation": ("#000000", "over"),
}
#: Colours of single labels where the label's meaning calls for its own (evaluation's two poles).
LABEL_COLOURS: dict[tuple[str, str], str] = {
    ("evaluation", "positive"): "#009E73",
    ("evaluation", "negative"): "#D55E00",
}
#: Colours and style for layers the package does not know (a user's own dictionaries), in turn.
_OTHER_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
#: The layers whose marks show when a page opens with every layer (the others are a tick away).
SHOWN_LAYERS = ("theme", "actor", "quote", "hedge")
#: The layer drawn first: its matches are never split, whatever crosses them.
PRIMARY_LAYER = "theme"
#: Tags that hold blocks; a span inside one of them is a ``<div>``, elsewhere a ``<span>``.
_BLOCK_PARENTS = frozenset({"", "section", "div"})


# --- offsets to elements --------------------------------------------------------------------------

@dataclass(frozen=True)
class Element:
    """An element to put around ``text[start:end]``: its tag (``"auto"``: div or span by place) and attributes."""

    start: int
    end: int
    tag: str
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(eq=False)
class _Node:
    start: int
    end: int
    item: int
    children: list[_Node] = field(default_factory=list)


def markup(text: str, elements: Sequence[Element]) -> str:
    """``text`` escaped as HTML, with ``elements`` around their characters; every character once, in order.

    Elements come in order of precedence. One that lies inside an earlier one
    nests in it (of two with the same extent, the earlier is outside); one that
    crosses an earlier one's boundary is cut there, and its pieces carry
    ``data-part="k/n"``. Earlier elements are never cut. Empty elements are
    left out.

    >>> markup("a<b> & c", [Element(0, 4, "mark", (("data-layer", "theme"),))])
    '<mark data-layer="theme">a&lt;b&gt;</mark> &amp; c'
    >>> markup("abcdef", [Element(0, 4, "b"), Element(2, 6, "i")])
    '<b>ab<i data-part="1/2">cd</i></b><i data-part="2/2">ef</i>'
    """
    root = _Node(0, len(text), -1)
    pieces: list[list[_Node]] = [[] for _ in elements]
    for index, element in enumerate(elements):
        start, end = max(element.start, 0), min(element.end, len(text))
        if start < end:
            _insert(root, start, end, index, pieces)
    out: list[str] = []
    _write(out, text, root, "", elements, pieces)
    return "".join(out)


def _insert(parent: _Node, start: int, end: int, item: int, pieces: list[list[_Node]]) -> None:
    """Place ``[start, end)`` of element ``item`` among ``parent``'s children, cutting it where it crosses one."""
    kids = parent.children
    lo = bisect_right(kids, start, key=lambda node: node.start) - 1
    if lo < 0 or kids[lo].end <= start:
        lo += 1
    hi = bisect_left(kids, end, key=lambda node: node.start)
    if hi - lo == 1 and kids[lo].start <= start and end <= kids[lo].end:
        _insert(kids[lo], start, end, item, pieces)
        return
    if lo < hi and kids[lo].start < start:  # crosses the first child's start: that part goes inside it
        _insert(kids[lo], start, kids[lo].end, item, pieces)
        start = kids[lo].end
        lo += 1
    if lo < hi and kids[hi - 1].end > end:  # crosses the last child's end: that part goes inside it
        _insert(kids[hi - 1], kids[hi - 1].start, end, item, pieces)
        end = kids[hi - 1].start
        hi -= 1
    if start < end:
        node = _Node(start, end, item, kids[lo:hi])
        kids[lo:hi] = [node]
        pieces[item].append(node)


def _write(out: list[str], text: str, node: _Node, tag: str, elements: Sequence[Element],
           pieces: list[list[_Node]]) -> None:
    position = node.start
    for child in node.children:
        if child.start > position:
            out.append(html.escape(text[position:child.start], quote=False))
        element = elements[child.item]
        child_tag = element.tag if element.tag != "auto" else ("div" if tag in _BLOCK_PARENTS else "span")
        attrs = "".join(f' {name}="{html.escape(value)}"' for name, value in element.attrs)
        split = pieces[child.item]
        if len(split) > 1:
            split.sort(key=lambda piece: piece.start)
            attrs += f' data-part="{split.index(child) + 1}/{len(split)}"'
        out.append(f"<{child_tag}{attrs}>")
        _write(out, text, child, child_tag, elements, pieces)
        out.append(f"</{child_tag}>")
        position = child.end
    if position < node.end:
        out.append(html.escape(text[position:node.end], quote=False))


# --- a document's tables to elements --------------------------------------------------------------

def _slug(value: str) -> str:
    """A CSS class fragment: lower case letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "none"


def _present(value) -> str:
    """A table cell as text; missing values (None, NaN, NA) as ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


def _turn_elements(text: str, turns: pd.DataFrame, spans: pd.DataFrame) -> list[Element]:
    """One block per turn, from its speaker label (a ``label`` span just before it) to its end."""
    labels = spans[spans["kind"] == "label"]
    label_start = dict(zip(labels["end"], labels["start"]))
    elements, previous_end = [], 0
    for turn in turns.sort_values("start").itertuples(index=False):
        start = gap = turn.start
        while gap > previous_end and text[gap - 1].isspace():
            gap -= 1
        label_end = next((end for end in range(turn.start, gap - 1, -1) if end in label_start), None)
        if label_end is not None and label_start[label_end] >= previous_end:
            start = label_start[label_end]
        role, speaker = _present(turn.role), _present(turn.speaker)
        participant = _present(getattr(turn, "participant", ""))
        badge = " · ".join(part for part in (role.capitalize(), speaker) if part)
        if participant and participant.lower() not in (role.lower(), speaker.lower()):
            badge += f" ({participant})"
        attrs = [("class", f"turn role-{_slug(role)}"), ("data-turn", str(turn.turn_id)), ("data-role", role),
                 ("data-speaker", speaker)]
        if participant:
            attrs.append(("data-participant", participant))
        attrs.append(("data-badge", badge))
        elements.append(Element(start, turn.end, "section", tuple(attrs)))
        previous_end = turn.end
    return elements


def _paragraph_elements(paragraphs: pd.DataFrame) -> list[Element]:
    return [Element(p.start, p.end, "p", (("class", "para"), ("data-paragraph", str(p.paragraph_id))))
            for p in paragraphs.sort_values("start").itertuples(index=False)]


def _span_elements(spans: pd.DataFrame) -> list[Element]:
    """Every span but the turns themselves (headers, furniture, labels and any other kind), muted."""
    rows = spans[spans["kind"] != "turn"].sort_values(["start", "end"], ascending=[True, False])
    return [Element(s.start, s.end, "auto", (("class", f"span kind-{_slug(s.kind)}"), ("data-kind", str(s.kind))))
            for s in rows.itertuples(index=False)]


def _mark_elements(matches: pd.DataFrame, *, shown: bool = True) -> list[Element]:
    rows = matches.sort_values(["start", "end"], ascending=[True, False], kind="stable")
    off = "" if shown else " off"
    return [Element(m.start, m.end, "mark", (
        ("class", f"m l-{_slug(m.layer)}{off}"), ("data-layer", str(m.layer)), ("data-label", str(m.label)),
        ("data-pattern", _present(m.pattern)),
    )) for m in rows.itertuples(index=False)]


def document_elements(text: str, *, turns: pd.DataFrame, paragraphs: pd.DataFrame, spans: pd.DataFrame,
                      matches: pd.DataFrame, layers: Sequence[str],
                      hidden: Iterable[str] = ()) -> list[Element]:
    """A document's elements in order of precedence: turns, paragraphs, the primary layer, spans, other layers.

    Turns and paragraphs are never cut; neither are the matches of
    :data:`PRIMARY_LAYER`. Matches of the other ``layers`` come in that order;
    those of ``hidden`` layers are marked but not drawn (class ``off``) until shown.
    """
    hidden = set(hidden)
    by_layer = dict(tuple(matches.groupby("layer", sort=False))) if len(matches) else {}
    marks = {layer: _mark_elements(by_layer[layer], shown=layer not in hidden) for layer in layers if layer in by_layer}
    primary = marks.pop(PRIMARY_LAYER, [])
    return [
        *_turn_elements(text, turns, spans), *_paragraph_elements(paragraphs), *primary,
        *_span_elements(spans), *(element for layer in layers for element in marks.get(layer, [])),
    ]


# --- the page -------------------------------------------------------------------------------------

class ReadingView(str):
    """An HTML page (a ``str``) that Jupyter shows inline, in a frame of its own."""

    doc_id: str = ""

    def _repr_html_(self) -> str:
        return (f'<iframe title="Reading view of {html.escape(self.doc_id)}" srcdoc="{html.escape(self)}" '
                'style="width:100%;height:36em;border:1px solid #bdbdbd"></iframe>')

    def __repr__(self) -> str:
        return f"<ReadingView of {self.doc_id!r}: {len(self):,} characters of HTML>"


def render(corpus, doc_id: str, *, layers: Sequence[str] | str | None = None,
           labels: Iterable[str] | None = None, home: str | None = None) -> ReadingView:
    """One document as a self-contained HTML page: header, turns, paragraphs and marked matches.

    ``layers`` chooses the match layers (a list or a comma-separated string;
    default: every layer the document has, in the package's order, those of
    :data:`SHOWN_LAYERS` ticked and the others a tick away); ``labels``
    keeps only matches with these labels (``"sanctions"`` or
    ``"theme:sanctions"``). ``home`` adds a link back (e.g. to a report's index).
    An unknown document, layer or label raises
    :class:`~analysis.errors.UnknownNameError` naming the nearest ones.

    >>> page = render(corpus, "darchiev-interfax", layers="theme,actor,quote")  # doctest: +SKIP
    >>> page                                      # in a notebook: the page itself  # doctest: +SKIP
    """
    from .lexicon import LAYERS, layer_cards

    documents = corpus.documents
    if doc_id not in set(documents["doc_id"]):
        raise UnknownNameError(_unknown("document", doc_id, documents["doc_id"], "in the corpus"))
    text = corpus.text(doc_id)
    tables = {name: _rows(getattr(corpus, name), doc_id) for name in ("turns", "paragraphs", "spans", "matches")}
    matches = tables["matches"]
    known_layers = list(dict.fromkeys([*LAYERS, *sorted(corpus.matches["layer"].unique())]))  # not set(): 10^5 rows
    if layers is None:
        present = set(matches["layer"])
        chosen = [layer for layer in known_layers if layer in present]
        hidden = [layer for layer in chosen if layer not in SHOWN_LAYERS]
    else:
        chosen = [s.strip() for s in layers.split(",")] if isinstance(layers, str) else list(layers)
        for layer in chosen:
            if layer not in known_layers:
                raise UnknownNameError(_unknown("layer", layer, known_layers, "in the corpus"))
        hidden = []
    matches = matches[matches["layer"].isin(chosen)]
    if labels is not None:
        matches = matches[_label_filter(matches, list(labels), corpus.matches)]
    elements = document_elements(text, turns=tables["turns"], paragraphs=tables["paragraphs"],
                                 spans=tables["spans"], matches=matches, layers=chosen, hidden=hidden)
    document = documents[documents["doc_id"] == doc_id].iloc[0]
    page = _page(document, markup(text, elements), matches=matches, layers=chosen, hidden=hidden,
                 turns=tables["turns"], cards=layer_cards(), home=home)
    view = ReadingView(page)
    view.doc_id = doc_id
    return view


def _rows(table: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    return table[table["doc_id"] == doc_id] if len(table) else table


def _unknown(what: str, name: str, names: Iterable[str], where: str) -> str:
    """"no document 'x' in the corpus; nearest: a, b" (case-insensitive closeness)."""
    names = sorted(set(map(str, names)))
    lowered = {n.lower(): n for n in names}
    near = (difflib.get_close_matches(str(name).lower(), list(lowered), n=3, cutoff=0.6)
            or difflib.get_close_matches(str(name).lower(), list(lowered), n=3, cutoff=0))
    near = [lowered[n] for n in near]
    return f"no {what} {name!r} {where}" + (f"; nearest: {', '.join(near)}" if near else "")


def _label_filter(matches: pd.DataFrame, labels: list[str], every: pd.DataFrame) -> pd.Series:
    """Rows whose label (or ``layer:label``) is one of ``labels``; an unknown label is an error."""
    known = set(every["label"]) | set(every["layer"] + ":" + every["label"])
    for label in labels:
        if label not in known:
            raise UnknownNameError(_unknown("label", label, known, "in the corpus's matches"))
    wanted = set(labels)
    return matches["label"].isin(wanted) | (matches["layer"] + ":" + matches["label"]).isin(wanted)


def _page(document, body: str, *, matches: pd.DataFrame, layers: list[str], hidden: list[str],
          turns: pd.DataFrame, cards: dict, home: str | None) -> str:
    esc = html.escape
    title = _present(document["title"]) or str(document["doc_id"])
    date = _present(document.get("date")) or _present(document.get("page_date")) or _present(document.get("year"))
    facts = [("Date", date), ("Source", _present(document.get("source"))),
             ("Licence", _present(document.get("licence")))]
    for label, column in (("Speaker", "speaker"), ("Outlet", "outlet"), ("Kind", "kind"), ("Country", "country")):
        if _present(document.get(column)):
            facts.append((label, _present(document.get(column))))
    facts.append(("Document", f"{document['doc_id']} · {len(turns)} turns · {len(matches):,} matches shown"))
    meta = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v) if v else '<i>not stated</i>'}</dd></div>" for k, v in facts)
    back = f'<a class="home" href="{esc(home)}">← Report</a>' if home else ""
    card_data = {layer: {"file": card.file, "summary": card.summary} for layer, card in cards.items()
                 if layer in layers}
    cards_json = json.dumps(card_data, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} · reading view</title>\n<style>\n{_css(layers)}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#text">Skip to the text</a>\n'
        f'<header class="masthead">{back}<p class="kicker">Reading view</p>\n<h1>{esc(title)}</h1>\n'
        f'<dl class="meta">{meta}</dl>\n</header>\n'
        '<div class="layout">\n<aside class="legend" aria-label="What is marked">\n'
        f"{_legend(matches, layers, hidden, turns, cards)}"
        f'</aside>\n<main>\n<article class="doc" id="text">{body}</article>\n</main>\n</div>\n'
        '<div id="tip" role="tooltip" hidden></div>\n'
        f'<script type="application/json" id="cards">{cards_json}</script>\n<script>\n{_SCRIPT}</script>\n'
        "</body>\n</html>\n"
    )


def _legend(matches: pd.DataFrame, layers: list[str], hidden: list[str], turns: pd.DataFrame, cards: dict) -> str:
    esc = html.escape
    parts = ['<h2>What is marked</h2>\n<p class="hint">Point at a marked word to see its label, the lexicon '
             "entry that matched and what the layer measures. Untick a box to hide its marks.</p>\n"]
    counts = matches.groupby(["layer", "label"], sort=True).size() if len(matches) else pd.Series(dtype=int)
    for layer in layers:
        by_label = counts[layer] if layer in counts.index.get_level_values(0) else pd.Series(dtype=int)
        card = cards.get(layer)
        about = (f'<p class="card" title="{esc(card.summary)}">{esc(card.summary)} '
                 f'<span class="source">(card: {esc(card.file)})</span></p>'
                 if card else '<p class="card">A layer of the user\'s own dictionaries (no card).</p>')
        items = "".join(
            f'<li><label><input type="checkbox" checked data-layer="{esc(layer)}" data-label="{esc(str(label))}">'
            f'<span class="key m l-{_slug(layer)}" data-layer="{esc(layer)}" data-label="{esc(str(label))}">'
            f'{esc(str(label))}</span><span class="count">{n:,}</span></label></li>'
            for label, n in by_label.sort_values(ascending=False, kind="stable").items())
        details = (f'<details{" open" if len(by_label) <= 8 else ""}><summary>{len(by_label)} label'
                   f'{"s" if len(by_label) != 1 else ""}</summary><ul>{items}</ul></details>' if len(by_label) else "")
        parts.append(
            f'<fieldset class="layer" data-layer="{esc(layer)}"><legend><label>'
            f'<input type="checkbox"{"" if layer in hidden else " checked"} data-layer="{esc(layer)}">'
            f'<span class="key m l-{_slug(layer)}" data-layer="{esc(layer)}">{esc(layer)}</span>'
            f'<span class="count">{int(by_label.sum()):,}</span></label></legend>{about}{details}</fieldset>\n'
        )
    roles = turns["role"].map(_present).value_counts(sort=False) if len(turns) else pd.Series(dtype=int)
    keys = "".join(f'<li><span class="role-key role-{_slug(role)}">{esc(role or "turn")}</span>'
                   f'<span class="count">{n}</span></li>' for role, n in roles.items())
    parts.append(f'<h2>Turns</h2>\n<ul class="roles">{keys}</ul>\n')
    return "".join(parts)


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _layer_rule(selector: str, colour: str, style: str, offset: int) -> str:
    if style == "band":
        return f"{selector}{{background-color:{_rgba(colour, .16)};box-shadow:inset 0 -2px 0 {colour}}}"
    if style == "box":
        return f"{selector}{{box-shadow:0 0 0 1.5px {colour};border-radius:2px}}"
    if style == "tint":
        return f"{selector}{{background-color:{_rgba(colour, .5)}}}"
    if style == "over":
        return f"{selector}{{text-decoration:overline solid {colour} 2px}}"
    if style == "frame":
        return f"{selector}{{outline:1px dashed {colour};outline-offset:1px}}"
    return (f"{selector}{{text-decoration:underline {style} {colour} 2px;"
            f"text-underline-offset:{offset}px;text-decoration-skip-ink:none}}")


def _css(layers: list[str]) -> str:
    rules, offsets = [], {"solid": 3, "dashed": 4, "double": 3, "wavy": 5, "dotted": 7}
    for index, layer in enumerate(layers):
        colour, style = LAYER_STYLES.get(layer, (_OTHER_COLOURS[index % len(_OTHER_COLOURS)], "frame"))
        rules.append(_layer_rule(f".l-{_slug(layer)}", colour, style, offsets.get(style, 3)))
    for (layer, label), colour in LABEL_COLOURS.items():
        if layer in layers:
            style = LAYER_STYLES.get(layer, ("", "frame"))[1]
            rules.append(_layer_rule(f'.l-{_slug(layer)}[data-label="{label}"]', colour, style, 3))
    return _CSS + "\n".join(rules) + "\n"


_CSS = """\
:root{--ink:#1a1a1a;--muted:#555;--rule:#d4d4d4;--question:#f1f3f5}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,"DejaVu Sans","Liberation Sans",Arial,sans-serif;color:var(--ink);background:#fff}
body{margin:0}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.3rem}
.masthead{padding:1.2rem 2rem 1rem;border-bottom:1px solid var(--rule)}
.home{font-size:.85rem;color:#0a4f85}
.kicker{margin:.4rem 0 0;font-size:.72rem;letter-spacing:.08em;text-transform:uppercase;color:var(--muted)}
h1{font-size:1.45rem;line-height:1.25;margin:.25rem 0 .7rem;max-width:52rem}
.meta{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.35rem 1.5rem;margin:0;
 font-size:.85rem;max-width:70rem}
.meta dt{font-size:.7rem;letter-spacing:.06em;text-transform:uppercase;color:var(--muted)}
.meta dd{margin:0}
.layout{display:grid;grid-template-columns:17rem minmax(0,46rem);gap:2.2rem;padding:1.4rem 2rem 3rem}
.legend{position:sticky;top:.8rem;align-self:start;max-height:calc(100vh - 1.6rem);overflow:auto;font-size:.85rem}
.legend h2{font-size:.8rem;letter-spacing:.06em;text-transform:uppercase;margin:.2rem 0 .4rem}
.hint{color:var(--muted);font-size:.78rem;margin:0 0 .6rem}
.legend fieldset{border:0;border-top:1px solid var(--rule);margin:0;padding:.45rem 0}
.legend legend{padding:0;font-weight:600}
.legend label{cursor:pointer}
.legend input{margin:0 .4rem 0 0;vertical-align:-.1em}
.legend ul{list-style:none;margin:.2rem 0 0;padding:0 0 0 1.3rem}
.legend li{margin:.1rem 0}
.legend summary{cursor:pointer;color:var(--muted);font-size:.78rem}
.card{color:var(--muted);font-size:.75rem;line-height:1.35;margin:.2rem 0 .3rem;display:-webkit-box;
 -webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.count{color:var(--muted);font-variant-numeric:tabular-nums;margin-left:.45em;font-weight:400}
.roles{list-style:none;padding:0;margin:0}
.roles li{margin:.2rem 0}
.role-key{display:inline-block;min-width:6.5rem;padding:.05rem .5rem;border-left:4px solid #bdbdbd}
.doc{font-family:Georgia,"DejaVu Serif","Liberation Serif",serif;font-size:1.05rem;line-height:1.95}
.doc>.span{font:.85rem/1.5 system-ui,"DejaVu Sans",sans-serif;margin:0 0 .7rem}
.doc>.kind-title{font-size:1rem;font-weight:600;color:var(--ink)}
.turn{margin:0 0 1.1rem;padding:.45rem 1rem .1rem;border-left:4px solid #bdbdbd}
.turn::before{content:attr(data-badge);display:block;font:600 .7rem/1.5 system-ui,"DejaVu Sans",sans-serif;
 letter-spacing:.06em;text-transform:uppercase;color:var(--muted);margin-bottom:.15rem}
.role-question{background:var(--question);border-left-color:#333}
.role-moderator{border-left-style:dashed;border-left-color:#777;font-size:.95em;color:#333}
.role-statement{border-left-color:#8a8a8a}
.para{margin:0 0 .75rem}
.span{color:var(--muted)}
.turn>.kind-label{float:left;margin-right:.45em;font-weight:700}
:where(mark.m){background:none;color:inherit;padding:0}
.legend .key{padding:0 .15em}
mark.m.off{background:none!important;box-shadow:none!important;text-decoration:none!important;outline:none!important}
#tip{position:fixed;z-index:10;max-width:25rem;background:#fff;color:var(--ink);border:1px solid #8a8a8a;
 box-shadow:0 2px 10px rgba(0,0,0,.18);padding:.45rem .65rem;font:.8rem/1.4 system-ui,"DejaVu Sans",sans-serif;
 pointer-events:none}
#tip .row+.row{border-top:1px solid var(--rule);margin-top:.4rem;padding-top:.4rem}
#tip .about{color:var(--muted);font-size:.72rem;margin-top:.15rem}
@media (max-width:62rem){.layout{grid-template-columns:minmax(0,1fr)}.legend{position:static;max-height:none}}
@media print{
 .skip,.hint,.legend input,.legend summary,.card,#tip,.home{display:none}
 .layout{display:block;padding:0}
 .legend{position:static;max-height:none;overflow:visible;font-size:8pt;margin:0 0 .8rem;padding-bottom:.4rem;
  border-bottom:1px solid var(--rule)}
 .legend fieldset{display:inline-block;vertical-align:top;border:0;padding:0 1.4em .3em 0}
 .legend fieldset:has(legend input:not(:checked)){display:none}
 .legend ul{padding:0}.legend li{display:inline-block;margin-right:.7em}
 .legend h2{margin:.3rem 0}.roles li{display:inline-block;margin-right:1em}
 .masthead{padding:0 0 .5rem}
 .doc{font-size:10.5pt;line-height:1.75}
 .para{orphans:3;widows:3}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""

_SCRIPT = """\
(function () {
  "use strict";
  var text = document.getElementById("text");
  var marks = text.querySelectorAll("mark.m");
  var boxes = document.querySelectorAll(".legend input[data-layer]");
  var cards = JSON.parse(document.getElementById("cards").textContent);
  var tip = document.getElementById("tip");
  function update() {
    var layers = {}, labels = {};
    boxes.forEach(function (box) {
      if (box.checked) return;
      if (box.hasAttribute("data-label")) labels[box.dataset.layer + "\\u0000" + box.dataset.label] = true;
      else layers[box.dataset.layer] = true;
    });
    marks.forEach(function (m) {
      var off = layers[m.dataset.layer] || labels[m.dataset.layer + "\\u0000" + m.dataset.label];
      m.classList.toggle("off", Boolean(off));
    });
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
  function line(parent, tag, cls, words) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = words;
    parent.appendChild(el);
    return el;
  }
  function show(event) {
    var rows = [];
    for (var m = event.target.closest("mark.m"); m; m = m.parentElement.closest("mark.m")) {
      if (!m.classList.contains("off")) rows.push(m);
    }
    if (!rows.length) { tip.hidden = true; return; }
    tip.replaceChildren();
    rows.forEach(function (m) {
      var row = line(tip, "div", "row", "");
      line(row, "b", "", m.dataset.layer + " · " + m.dataset.label);
      line(row, "div", "", "entry: " + (m.dataset.pattern || "(none)"));
      var card = cards[m.dataset.layer];
      line(row, "div", "about", card ? card.summary + " (card: " + card.file + ")" : "no card");
    });
    tip.hidden = false;
    place(event);
  }
  function place(event) {
    if (tip.hidden) return;
    var x = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = event.clientY + 18;
    if (y + tip.offsetHeight > window.innerHeight) y = event.clientY - tip.offsetHeight - 12;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }
  text.addEventListener("mouseover", show);
  text.addEventListener("mousemove", place);
  text.addEventListener("mouseleave", function () { tip.hidden = true; });
})();
"""
