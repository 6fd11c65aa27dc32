"""Markup to text: Markdown with a front matter and article HTML pages → text, metadata and marked spans.

A reader of a saved web page or an archived Markdown transcript produces the
document's text (one paragraph per blank-line-separated block), and keeps
what the markup says before dropping it:

- ``metadata``: title, date, source address and the like, from the YAML front
  matter or the page's own elements (``<h1>``, ``<time datetime>``, ``<meta>``);
- ``header``: ``(kind, start, end)`` spans of the text that are header (the
  title line, the date line, a lead paragraph);
- ``labels``: ``(start, end)`` spans of paragraphs that open with a bold run
  followed by a colon (``<b>Vladimir Putin:</b>``, ``<b>Yevgeny Rozhkov</b>,
  reporter at VGTRK:``, ``**Q:**``): the markup's speaker labels.

Offsets count into ``text``, which is what every later table points into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: A front matter: a YAML block between two ``---`` lines at the very start of the file.
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
#: White space inside a line of HTML or Markdown source (not the no-break space, which is kept as text).
_COLLAPSE = re.compile(r"[ \t\n\r\f\v]+")
#: A label's tail after its bold run: an affiliation or a note, then the colon (``, reporter at VGTRK:``).
_LABEL_TAIL = re.compile(r"[^.!?:\n]{0,80}?:")
#: Class names that mark what is not main text: hidden elements, captions, media and share widgets.
_SKIP_CLASSES = frozenset(
    "hidden masha-ignore media media__title video video__description caption figcaption tooltip share "
    "social sharing read__tags read__bottom".split()
)
_SKIP_TAGS = frozenset("script style noscript template button nav aside form svg iframe figure figcaption "
                       "img video audio object select textarea".split())
_BLOCK_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li blockquote pre dd dt tr caption".split())
_BOLD_TAGS = frozenset(("b", "strong"))


@dataclass
class Extracted:
    """What a markup reader found: the text, metadata, header spans and speaker labels."""

    text: str
    metadata: dict = field(default_factory=dict)
    header: list[tuple[str, int, int]] = field(default_factory=list)
    labels: list[tuple[int, int]] = field(default_factory=list)


class _Writer:
    """Builds the text paragraph by paragraph, recording bold runs and header spans."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.header: list[tuple[str, int, int]] = []
        self.labels: list[tuple[int, int]] = []

    def paragraph(self, runs: list[tuple[str, bool]], *, kind: str = "") -> None:
        """Add one paragraph from ``(text, bold)`` runs: white space collapsed, each line trimmed."""
        pieces, bold, position = [], [], 0
        for text, is_bold in runs:
            text = text if text == "\n" else _COLLAPSE.sub(" ", text)
            if text:
                pieces.append(text)
                bold.append((position, position + len(text), is_bold))
                position += len(text)
        raw = "".join(pieces)
        lines = [line.strip() for line in raw.split("\n")]
        text = "\n".join(line for line in lines if line)
        if not text:
            return
        start = self.length + (2 if self.parts else 0)
        if self.parts:
            self.parts.append("\n\n")
        self.parts.append(text)
        self.length = start + len(text)
        if kind:
            self.header.append((kind, start, start + len(text)))
            return
        lead = len(raw) - len(raw.lstrip())  # the first line's leading white space, trimmed away
        label = _opening_label(text, [(s - lead, e - lead, b) for s, e, b in bold if e > lead])
        if label:
            self.labels.append((start, start + label))

    def result(self, metadata: dict) -> Extracted:
        text = "".join(self.parts)
        return Extracted(text + "\n" if text else "", metadata, self.header, self.labels)


def _opening_label(text: str, bold: list[tuple[int, int, bool]]) -> int:
    """The end of a speaker label that opens the paragraph in bold, or 0.

    The label is the bold run at the very start (adjacent bold runs merged),
    then, unless it ends with a colon already, a short tail up to a colon
    (``: `` right after it, or ``, reporter at VGTRK:``).
    """
    end = 0
    for start, stop, is_bold in bold:
        start = max(start, 0)
        if is_bold:
            end = max(end, stop)
        elif text[start:stop].strip():
            break  # the first plain words: the bold opening ends here
    if not text[:end].strip():
        return 0
    colon = text.find(":", 0, end)
    if colon >= 0:
        return colon + 1
    tail = _LABEL_TAIL.match(text, len(text[:end].rstrip()))
    if tail and len(text[:tail.end()].split()) <= 25:
        return tail.end()
    return 0


# --- Markdown -----------------------------------------------------------------------------------

def split_front_matter(source: str) -> tuple[dict, str]:
    """A YAML front matter as a dict, and the body after it (``({}, source)`` when there is none).

    >>> split_front_matter("---\\ntitle: A briefing\\n---\\nText\\n")
    ({'title': 'A briefing'}, 'Text\\n')
    """
    import yaml

    match = _FRONT_MATTER.match(source)
    if not match:
        return {}, source
    try:
        data = yaml.safe_load(match["yaml"])
    except yaml.YAMLError:
        return {}, source
    if not isinstance(data, dict):
        return {}, source
    return {str(key): value for key, value in data.items()}, source[match.end():]


def markdown_to_text(source: str) -> Extracted:
    """The text of a Markdown transcript, its front matter as metadata, bold labels marked.

    Markdown is parsed by ``markdown-it-py`` (CommonMark): escapes such as
    ``\\[senior administration official\\]`` become their characters, emphasis
    and inline HTML tags (``<s>``) are dropped and their text kept. Lines made
    only of white space (no-break spaces included) separate paragraphs, and
    indented lines are paragraphs, not code. The front matter's title and
    date open the text as header lines.

    >>> markdown_to_text("---\\ntitle: Briefing\\ndate: '2022-01-04'\\n---\\nMS. X:\\u00a0 Hi \\\\[all\\\\].\\n").text
    'Briefing\\n\\n2022-01-04\\n\\nMS. X:\\xa0 Hi [all].\\n'
    """
    from markdown_it import MarkdownIt

    metadata, body = _metadata_and_body(source)
    body = "\n".join("" if line.isspace() else line for line in body.split("\n"))
    parser = MarkdownIt("commonmark").disable("code")
    writer = _Writer()
    if metadata.get("title"):
        writer.paragraph([(metadata["title"], False)], kind="title")
    if metadata.get("date"):
        writer.paragraph([(metadata["date"], False)], kind="date")
    for token in parser.parse(body):
        if token.type == "inline":
            writer.paragraph(_inline_runs(token.children or []))
        elif token.type in ("fence", "html_block"):
            text = _strip_tags(token.content) if token.type == "html_block" else token.content
            for line in text.split("\n"):
                writer.paragraph([(line, False)])
    return writer.result(metadata)


def markdown_metadata(source: str) -> dict[str, str]:
    """A Markdown transcript's front matter, each value as one line of plain text (the body is not parsed).

    >>> markdown_metadata("---\\ntitle: Press\\u00a0Briefing\\n---\\nQ:  Why?\\n")
    {'title': 'Press Briefing'}
    """
    return _metadata_and_body(source)[0]


def _metadata_and_body(source: str) -> tuple[dict[str, str], str]:
    metadata, body = split_front_matter(source)
    return {key: _plain(value) for key, value in metadata.items()}, body


def _plain(value) -> str:
    """A front-matter value as one line of plain text (no-break spaces as spaces)."""
    text = "" if value is None else str(value)
    return _COLLAPSE.sub(" ", text.replace("\u00a0", " ")).strip()


def _inline_runs(children) -> list[tuple[str, bool]]:
    runs, bold = [], 0
    for child in children:
        if child.type == "strong_open":
            bold += 1
        elif child.type == "strong_close":
            bold = max(0, bold - 1)
        elif child.type in ("text", "code_inline"):
            runs.append((child.content, bold > 0))
        elif child.type == "softbreak":
            runs.append((" ", bold > 0))
        elif child.type == "hardbreak":
            runs.append(("\n", bold > 0))
        elif child.type == "image":
            continue
    return runs


def _strip_tags(html: str) -> str:
    return re.sub(r"<[^>]*>", "", html)


# --- HTML -------------------------------------------------------------------------------------

#: Where an article page keeps its text: schema.org's articleBody, the h-entry microformat's content.
_ARTICLE_BODY = (
    '//*[@itemprop="articleBody"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " e-content ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " entry-content ")]',
)


def article_to_text(html: str) -> Extracted | None:
    """The text of an article page marked up with schema.org or h-entry, or ``None`` for other pages.

    The title comes from the article's ``<h1>`` (else the page's ``<title>``),
    the date from a ``<time datetime>`` (else a ``datePublished`` or
    ``article:published_time`` meta element), the lead from the element marked
    ``description`` or ``entry-summary``. The body is every paragraph of the
    article's main element, in order; hidden elements, photo captions, media and
    share widgets are left out; ``<br>`` is a line break. Nothing is fetched.
    """
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(html)
    except (ValueError, TypeError):
        return None
    body = None
    for query in _ARTICLE_BODY:
        found = root.xpath(query)
        if found:
            body = found[0]
            break
    if body is None:
        return None
    metadata: dict = {}
    article = _ancestor_article(body)
    title = _first_text(article, ".//h1") or _first_text(root, "//h1") or _first_text(root, "//title")
    date = _first_attr(article, ".//time[@datetime]", "datetime") or _first_attr(
        root, '//*[@itemprop="datePublished"]', "content") or _first_attr(
        root, '//meta[@property="article:published_time"]', "content")
    lead = _first_text(article, './/*[@itemprop="description"]') or _first_text(
        article, './/*[contains(concat(" ", normalize-space(@class), " "), " entry-summary ")]')
    url = _first_attr(root, '//link[@rel="canonical"]', "href") or _first_attr(
        root, '//meta[@property="og:url"]', "content") or _first_attr(article, ".", "data-href")
    place = _first_text(article, './/*[contains(concat(" ", normalize-space(@class), " "), " p-location ")]')
    writer = _Writer()
    if title:
        metadata["title"] = _plain(title)
        writer.paragraph([(title, False)], kind="title")
    if date:
        metadata["date"] = date.strip()[:10]
        shown = _first_text(article, ".//time[@datetime]") or date
        writer.paragraph([(shown, False)], kind="date")
    if lead:
        writer.paragraph([(lead, False)], kind="lead")
    if url:
        metadata["source_url"] = url.strip()
    if place:
        metadata["place"] = _plain(place)
    for runs in _html_paragraphs(body):
        writer.paragraph(runs)
    return writer.result(metadata)


def _ancestor_article(element):
    node = element
    while node is not None:
        if node.tag == "article" or node.get("itemscope") is not None:
            return node
        node = node.getparent()
    return element.getroottree().getroot()


def _first_text(root, query: str) -> str:
    for element in root.xpath(query):
        text = _COLLAPSE.sub(" ", element.text_content()).strip()
        if text:
            return text
    return ""


def _first_attr(root, query: str, name: str) -> str:
    for element in root.xpath(query):
        value = (element.get(name) or "").strip()
        if value:
            return value
    return ""


def _skipped(element) -> bool:
    if not isinstance(element.tag, str):
        return True  # comments and processing instructions
    if element.tag in _SKIP_TAGS or element.get("hidden") is not None:
        return True
    if (element.get("aria-hidden") or "").lower() == "true":
        return True
    if re.search(r"display\s*:\s*none", element.get("style") or "", re.IGNORECASE):
        return True
    return bool(_SKIP_CLASSES.intersection((element.get("class") or "").split()))


def _html_paragraphs(body) -> list[list[tuple[str, bool]]]:
    """The ``(text, bold)`` runs of each paragraph below ``body``, in document order."""
    paragraphs: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []

    def flush():
        nonlocal current
        if "".join(text for text, _ in current).strip():
            paragraphs.append(current)
        current = []

    def walk(element, bold: bool):
        is_block = element.tag in _BLOCK_TAGS or element.tag in ("div", "section", "article", "ul", "ol",
                                                                 "table", "tbody", "dl", "br", "hr")
        if element.tag == "br":
            current.append(("\n", bold))
            return
        if is_block:
            flush()
        bold = bold or element.tag in _BOLD_TAGS
        if element.text:
            current.append((element.text, bold))
        for child in element:
            if not _skipped(child):
                walk(child, bold)
            if child.tail:
                current.append((child.tail, bold))
        if is_block:
            flush()

    walk(body, False)
    flush()
    return paragraphs

