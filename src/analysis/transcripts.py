"""Text to turns: header metadata, page furniture, speaker labels, turns and paragraphs (pure)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError

TURN_COLUMNS = ["doc_id", "turn_id", "role", "speaker", "start", "end", "n_paragraphs", "text"]
PARAGRAPH_COLUMNS = ["doc_id", "turn_id", "paragraph_id", "start", "end"]
SPAN_COLUMNS = ["doc_id", "kind", "start", "end", "turn_id", "text"]
#: Kinds of span; with blank separators they cover every character of a document.
SPAN_KINDS = ("date", "title", "lead", "furniture", "label", "turn")
#: The columns of these tables that hold integers (offsets, ids, counts); the others hold text.
_INT_COLUMNS = frozenset({"turn_id", "paragraph_id", "start", "end", "n_paragraphs"})

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun"
DATE_LINE = re.compile(
    rf"""^\s*(?:(?:{_WEEKDAYS}),?\s+)?
    (?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?      # May 20, 2022
      |\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?(?:,?\s+\d{{4}})?       # 20 May 2022
      |\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}})           # 2022-05-20, 20.05.2022
    (?:,?\s+\d{{1,2}}:\d{{2}}(?:\s*[AaPp]\.?[Mm]\.?)?)?\s*$""",
    re.VERBOSE,
)
_SHARE_WORDS = (
    r"google\+|pinterest|linkedin|tumblr|facebook|twitter|x|whatsapp|telegram|vk|vkontakte|reddit|"
    r"e-?mail|print|share|tweet|copy\s+link|pocket|viber|ok|odnoklassniki|\+"
)
# Possessive quantifiers (``*+``) where a run of spaces could be split between two quantifiers:
# without them a long run of spaces inside a line costs quadratic time.
FURNITURE = re.compile(
    rf"""^\s*(?:
        (?:(?:{_SHARE_WORDS})[\s|·•,]*+){{2,}}                     # a row of share buttons
      | (?:share|share\s+this(?:\s+article)?|print\s+this\s+page|tags?)\s*:.*+
      | leave\s+a\s+(?:reply|comment)
      | (?:\d+\s+)?comments?
      | related\s+(?:posts|articles|news)
      | read\s+(?:more|also)\s*+:?
      | subscribe(?:\s+to\s+our\s+newsletter)?
      | (?:©|\(c\)|copyright\b).*+
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# A speaker label opens a paragraph: the interview keywords, or a name followed by a colon.
_QA_WORDS = {"question": "question", "q": "question", "answer": "answer", "a": "answer"}
_NAME = r"""
    (?:[A-Z]\.\s?){1,3}[A-Z][\w'’-]+                               # S.Lavrov, A. N. Darchiev
  | (?:(?:Mr|Mrs|Ms|Dr)\.?\s)?[A-Z][\w'’-]+(?:\s(?:[A-Z]\.\s?)*[A-Z][\w'’-]+){0,3}  # Sergey Lavrov, LAVROV
"""
LABEL = re.compile(
    rf"""[ \t]*(?:(?P<qa>(?i:question|answer|q|a))[ \t]*:|(?P<name>{_NAME})[ \t]*:(?=\s|$))[ \t]*""",
    re.VERBOSE,
)
#: Text made of nothing but question/answer labels ("Question:Question:..." on one line).
_ONLY_QA_LABELS = re.compile(r"(?:\s*(?i:question|answer|q|a)[ \t]*:)+\s*")
#: Words that open a speech's own sentences with a colon ("First: ...") and are never speaker labels.
NOT_A_SPEAKER = frozenset(
    """first second third fourth fifth sixth seventh eighth ninth tenth last lastly next finally firstly
    secondly thirdly note notes nb ps example examples conclusion summary result results today however
    therefore moreover also thus again yes no why what how here there this that these those subject re
    tel fax email source date title tags update updated editor photo warning important attention remember
    question answer background context quote quotes translation transcript total goal goals objective
    objectives priority priorities step steps point points lesson lessons message answer reason reasons
    the in of and on for to with by at from as our my we they it he she you your his her their its""".split()
)
_TITLE_INTERVIEWEE = re.compile(
    r"(?:(?:[A-Z]\.\s?){1,3}[A-Z][a-z][\w'’-]+"                       # A.N.Darchiev
    r"|(?<=, )[A-Z][a-z]+(?:\s[A-Z][a-z]+){1,2}(?=,))"                 # , Sergey Lavrov,
)
_TITLE_OUTLET = re.compile(
    r"\b(?:to|with|for|on)\s+(?:the\s+)?(?P<outlet>[A-Z][\w&.’'-]*(?:\s(?:[A-Z][\w&.’'-]*|of|de))*?)"
    r"(?:\s+(?:news\s+agency|agency|newspaper|magazine|daily|weekly|TV|television|channel|radio|"
    r"broadcaster|portal|website))?\s*(?:[,.:;]|$)"
)
_SENTENCE_END = tuple(".!?:;\"”’)»…")


@dataclass
class Transcript:
    """A parsed document: header metadata, its spans, turns and paragraphs (all offsets into ``text``)."""

    doc_id: str
    text: str
    kind: str
    header: dict = field(default_factory=dict)
    spans: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SPAN_COLUMNS))
    turns: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TURN_COLUMNS))
    paragraphs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARAGRAPH_COLUMNS))


@dataclass
class _Para:
    start: int
    end: int
    label: re.Match | None = None
    kind: str = ""


def parse_transcript(
    text: str,
    *,
    doc_id: str = "document",
    kind: str | None = None,
    speaker: str | None = None,
    title: str | None = None,
    path: str | None = None,
) -> Transcript:
    """Parse a decoded document into turns, paragraphs and marked spans.

    ``kind="speech"`` reads the text as a monologue (one ``statement`` turn,
    spoken by ``speaker``); ``kind="interview"`` or ``None`` looks for speaker
    labels at paragraph starts (``Question:``/``Answer:``, ``Q:``/``A:``, or
    names such as ``Sergey Lavrov:``, ``S.Lavrov:``, ``LAVROV:``) and falls
    back to a statement when there are none. A leading date line, the title
    and share-button or "Leave A Reply" lines become spans of their own; no
    character is dropped. Raises :class:`InputError` (naming ``path``) when
    the text has no words or only labels.

    >>> t = parse_transcript("Question: Why?\\n\\nAnswer: Because.\\n")
    >>> list(t.turns.role), list(t.turns.text)
    (['question', 'answer'], ['Why?', 'Because.'])
    """
    if not text.strip():
        raise InputError(path or doc_id, "contains no text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(path or doc_id, f"is not valid Unicode (lone surrogate at character {exc.start})") from None
    paras = split_paragraphs(text)
    labelled = [] if kind == "speech" else _find_labels(text, paras)
    kind = kind or ("interview" if labelled else "speech")
    head, body = _split_header(text, paras, first_turn=min(labelled) if labelled else None)
    header = _header_metadata(text, head)
    if title:
        header["title"] = title
    body = _mark_trailing_furniture(text, body)
    content = [p for p in body if not p.kind]
    if not content:
        raise InputError(path or doc_id, "has a header but no text after it")
    if not labelled and _ONLY_QA_LABELS.fullmatch(text, content[0].start, content[-1].end):
        raise InputError(path or doc_id, "contains speaker labels but no words after them")
    if labelled:
        turns = _turns_from_labels(text, content, header, speaker=speaker)
    else:
        turns = [("statement", speaker or header.get("interviewee") or "", content)]
    turn_rows, para_rows, span_rows = [], [], []
    for p in head + body:
        if p.kind:
            span_rows.append((doc_id, p.kind, p.start, p.end, -1, text[p.start:p.end]))
    for role, who, members in turns:
        start = members[0].start
        for p in members:
            if p.label is not None:
                span_rows.append((doc_id, "label", p.start, p.label.end(), -1, text[p.start:p.label.end()]))
                if p is members[0]:
                    start = p.label.end()
                    while start < p.end and text[start].isspace():  # e.g. a no-break space after the colon
                        start += 1
        pieces = [(start if p is members[0] else p.start, p.end) for p in members]
        pieces = [(s, e) for s, e in pieces if text[s:e].strip()]
        if not pieces:
            continue  # a label with nothing after it: its label span stays, no turn
        turn_id = len(turn_rows)
        t_start, t_end = pieces[0][0], pieces[-1][1]
        for s, e in pieces:
            para_rows.append((doc_id, turn_id, len(para_rows), s, e))
        turn_rows.append((doc_id, turn_id, role, who, t_start, t_end, len(pieces), text[t_start:t_end]))
        span_rows.append((doc_id, "turn", t_start, t_end, turn_id, text[t_start:t_end]))
    if not turn_rows:
        raise InputError(path or doc_id, "contains speaker labels but no words after them")
    span_rows.sort(key=lambda row: (row[2], row[3]))  # by start, then end (a stable sort: ties keep their order)
    return Transcript(
        doc_id=doc_id,
        text=text,
        kind=kind,
        header=header,
        spans=_frame(span_rows, SPAN_COLUMNS),
        turns=_frame(turn_rows, TURN_COLUMNS),
        paragraphs=_frame(para_rows, PARAGRAPH_COLUMNS),
    )


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows as a DataFrame: integer columns as ``int64``, text as pandas infers it (``str``).

    Each column is built on its own with its final type: a frame built from
    the rows and cast afterwards costs several times as much. (``rows`` is
    never empty: a transcript has a turn, and so a span and a paragraph.)
    """
    return pd.DataFrame(
        {
            name: np.array([row[i] for row in rows], dtype=np.int64) if name in _INT_COLUMNS
            else [row[i] for row in rows]
            for i, name in enumerate(columns)
        },
        copy=False,  # the columns were just built: no need to copy them
    )


def split_paragraphs(text: str) -> list[_Para]:
    """Paragraph spans (whitespace trimmed): blank-line blocks, one line each unless hard-wrapped.

    Hard-wrapped text (PDF line breaks near a fixed width, most lines ending
    mid-sentence) is rejoined: a paragraph ends at a line that is clearly
    shorter than the wrap width and ends a sentence.
    """
    lines = []  # (start, end) of each non-blank line, trimmed
    position = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            lines.append((position + lead, position + lead + len(stripped)))
        else:
            lines.append(None)
        position += len(raw) + 1
    width = _wrap_width(text, [line for line in lines if line])
    paras: list[_Para] = []
    current: _Para | None = None
    for line in lines:
        if line is None:
            current = None
            continue
        start, end = line
        opens_turn = LABEL.match(text, start, end) is not None
        if current is None or width is None or opens_turn:
            current = _Para(start, end)
            paras.append(current)
        else:
            current.end = end
        if width is not None and end - start < 0.85 * width and text[start:end].endswith(_SENTENCE_END):
            current = None
    return paras


def _wrap_width(text: str, lines: list[tuple[int, int]]) -> float | None:
    """The wrap width of hard-wrapped text, or ``None`` when lines are paragraphs.

    Date and furniture lines ("Leave A Reply") are not prose and say nothing
    about wrapping: they are left out of the line statistics.
    """
    lines = [(s, e) for s, e in lines if not _furniture_kind(text[s:e])]
    if len(lines) < 8:
        return None
    lengths = sorted(end - start for start, end in lines)
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    mid_sentence = sum(not text[s:e].endswith(_SENTENCE_END) for s, e in lines) / len(lines)
    if p90 <= 110 and lengths[len(lengths) // 2] >= 35 and mid_sentence >= 0.5:
        return float(p90)
    return None


def _find_labels(text: str, paras: list[_Para]) -> list[int]:
    """Indexes of the paragraphs that open with a speaker label (and record the match)."""
    candidates = []
    for index, p in enumerate(paras):
        match = LABEL.match(text, p.start, p.end)
        if match and _could_be_label(match):
            candidates.append((index, match))
    names = Counter(_name_key(m["name"]) for _, m in candidates if m["name"])
    accepted = []
    for index, match in candidates:
        if match["name"] and not _accept_name(match["name"], names):
            continue
        accepted.append((index, match))
    if len(accepted) < 2:  # a transcript has at least two labelled turns
        return []
    for index, match in accepted:
        paras[index].label = match
    return [index for index, _ in accepted]


def _could_be_label(match: re.Match) -> bool:
    label = match["name"]
    if match["qa"]:
        return True
    words = re.findall(r"[\w'’]+", label)
    return bool(words) and len(label) <= 40 and not any(w.lower() in NOT_A_SPEAKER for w in words)


def _name_key(name: str) -> str:
    """The surname, lower-cased: 'S.Lavrov', 'Sergey Lavrov' and 'LAVROV' share 'lavrov'."""
    return re.findall(r"[\w'’-]+", name)[-1].lower()


def _accept_name(name: str, names: Counter) -> bool:
    """A lone capitalised word is a label only when it recurs or is in capitals ('LAVROV:').

    ``names`` counts the candidate labels by surname (a counter, so that a
    document of many short turns is read in linear time).
    """
    words = re.findall(r"[\w'’-]+", name)
    if len(words) > 1 or "." in name or name.isupper():
        return True
    return names[_name_key(name)] >= 2


def _split_header(text: str, paras: list[_Para], *, first_turn: int | None) -> tuple[list[_Para], list[_Para]]:
    """Leading date, title and furniture paragraphs (before the first label, or leading lines of a speech)."""
    if first_turn is not None:
        head, body = paras[:first_turn], paras[first_turn:]
        titled = False
        for p in head:
            p.kind = _furniture_kind(text[p.start:p.end]) or ("lead" if titled else "title")
            titled = titled or p.kind == "title"
        return head, body
    head = []
    for p in paras:
        kind = _furniture_kind(text[p.start:p.end])
        if not kind:
            break
        p.kind = kind
        head.append(p)
    return head, paras[len(head):]


def _furniture_kind(chunk: str) -> str:
    if DATE_LINE.match(chunk):
        return "date"
    if FURNITURE.match(chunk):
        return "furniture"
    return ""


def _mark_trailing_furniture(text: str, body: list[_Para]) -> list[_Para]:
    for p in reversed(body):
        if p.label is not None or not FURNITURE.match(text[p.start:p.end]):
            break
        p.kind = "furniture"
    return body


def _header_metadata(text: str, head: list[_Para]) -> dict:
    header: dict = {}
    for p in head:
        chunk = text[p.start:p.end]
        if p.kind == "date" and "page_date" not in header:
            header["page_date"] = chunk.strip()
        elif p.kind == "title" and "title" not in header:
            header["title"] = chunk.strip()
    title = header.get("title", "")
    person = _TITLE_INTERVIEWEE.search(title)
    if person:
        header["interviewee"] = normalise_name(person.group(0))
    outlet = _TITLE_OUTLET.search(title)
    if outlet and re.search(r"(?i)\binterview", title):
        header["outlet"] = outlet["outlet"].strip()
    return header


def normalise_name(name: str) -> str:
    """Spaces after initials, title case for names in capitals.

    >>> normalise_name("A.N.Darchiev"), normalise_name("LAVROV"), normalise_name("S.Lavrov")
    ('A. N. Darchiev', 'Lavrov', 'S. Lavrov')
    """
    name = re.sub(r"\.(?=\S)", ". ", name.strip())
    name = re.sub(r"\s+", " ", name)
    return name.title() if name.isupper() and len(name) > 3 else name


def _turns_from_labels(text: str, content: list[_Para], header: dict, *, speaker: str | None):
    """Group paragraphs into turns at labels and give each its role and speaker."""
    groups: list[list[_Para]] = []
    for p in content:
        if p.label is not None or not groups:
            groups.append([p])
        else:
            groups[-1].append(p)
    interviewee_key = _interviewee_key(text, groups, header, speaker)
    interviewer = f"Interviewer ({header['outlet']})" if header.get("outlet") else "Interviewer"
    interviewee = speaker or header.get("interviewee") or ""
    turns = []
    for members in groups:
        label = members[0].label
        if label is None:  # text before the first label that is not header: the interviewee's
            turns.append(("answer", interviewee, members))
        elif label["qa"]:
            role = _QA_WORDS[label["qa"].lower()]
            turns.append((role, interviewee if role == "answer" else interviewer, members))
        else:
            who = normalise_name(label["name"])
            role = "answer" if _name_key(label["name"]) == interviewee_key else "question"
            turns.append((role, who, members))
    if not interviewee:
        named = {t[1] for t in turns if t[0] == "answer" and t[1]}
        if len(named) == 1:
            header.setdefault("interviewee", named.pop())
    return turns


def _interviewee_key(text, groups, header, speaker) -> str | None:
    """The named speaker who answers: the one the title names, else the one with the most words."""
    named = [g for g in groups if g[0].label is not None and g[0].label["name"]]
    if not named:
        return None
    for candidate in (speaker, header.get("interviewee")):
        if candidate:
            key = _name_key(candidate)
            if any(_name_key(g[0].label["name"]) == key for g in named):
                return key
    words: dict[str, int] = {}
    for g in named:
        key = _name_key(g[0].label["name"])
        words[key] = words.get(key, 0) + sum(len(text[p.start:p.end].split()) for p in g)
    return max(sorted(words), key=words.__getitem__)


def uncovered_characters(transcript: Transcript) -> str:
    """Every character outside the transcript's spans (must be whitespace: the lossless check)."""
    covered = bytearray(len(transcript.text))
    for start, end in transcript.spans[["start", "end"]].itertuples(index=False, name=None):
        covered[start:end] = b"\x01" * (end - start)
    return "".join(ch for ch, flag in zip(transcript.text, covered) if not flag)
