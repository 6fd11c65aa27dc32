"""Text to turns: header metadata, page furniture, speaker labels, turns and paragraphs (pure)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError

TURN_COLUMNS = ["doc_id", "turn_id", "role", "speaker", "start", "end", "n_paragraphs", "text", "participant", "time"]
PARAGRAPH_COLUMNS = ["doc_id", "turn_id", "paragraph_id", "start", "end"]
SPAN_COLUMNS = ["doc_id", "kind", "start", "end", "turn_id", "text"]
#: Kinds of span; with blank separators they cover every character of a document. ``time`` is a
#: time line ("1:58 P.M. EDT", "END 2:45 P.M. EDT"); ``stage`` a stage direction inside a turn
#: ("(Laughter.)"), not words of the speaker: paragraphs, sentences and tokens leave it out.
SPAN_KINDS = ("date", "title", "lead", "furniture", "time", "label", "turn", "stage")
#: Roles of a turn, and who a speaker is in the event (``participant``), where the text tells.
ROLES = ("question", "answer", "statement", "moderator")
PARTICIPANTS = ("interviewee", "interviewer", "moderator", "journalist", "official", "audience")
#: The columns of these tables that hold integers (offsets, ids, counts); the others hold text.
_INT_COLUMNS = frozenset({"turn_id", "paragraph_id", "start", "end", "n_paragraphs"})
#: A timestamp right after a label, as transcription services write it ("Ned Price: (00:03)").
_TIMESTAMP = re.compile(r"\(?(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\)?(?=\s|$)")

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
    (?:,?\s+\d{{1,2}}:\d{{2}}(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s+[A-Z]{{2,5}})?)?\s*$""",
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
      | advanced\s+settings|version\s+for\s+the\s+visually\s+impaired|print\s+version
      | (?:(?:english|русский|français|francais|español|espanol|deutsch|中文|العربية|português|italiano)
          [\s|·•/,]*+){{2,}}                                         # a language switch
      | you\s+are\s+subscribed\s+to.*+|(?:to\s+)?unsubscribe\b.*+|manage\s+(?:your\s+)?subscriptions?.*+
      | this\s+(?:e-?mail|message)\s+was\s+sent\b.*+
      | .{{0,80}}\b\d{{3,5}}\s+[A-Z][\w.]*\s+(?:street|st\.?|avenue|ave\.?)\b.{{0,40}}\b(?:DC|D\.C\.)\s+\d{{5}}.{{0,20}}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

# A speaker label opens a paragraph: the interview keywords, "Q" before spaces (as White House
# transcripts write it), a name in capitals with its title ("MS. PSAKI:", "SENIOR ADMINISTRATION
# OFFICIAL:"), or a name followed by a colon; a note in brackets may stand before the colon.
_QA_WORDS = {
    "question": "question", "q": "question", "remark": "question", "comment": "question",
    "answer": "answer", "a": "answer", "reply": "answer", "response": "answer",
}
_NAME = r"""
    (?:[A-Z]\.\s?){1,3}[A-Z][\w'’-]+                               # S.Lavrov, A. N. Darchiev
  | (?:(?:Mr|Mrs|Ms|Dr)\.?\s)?[A-Z][\w'’-]+(?:\s(?:[A-Z]\.\s?)*[A-Z][\w'’-]+){0,3}  # Sergey Lavrov, LAVROV
"""
#: A name in capitals, with a title (MS. PSAKI, THE PRESIDENT, SENIOR ADMINISTRATION OFFICIAL ONE).
_UPPER_NAME = r"(?:(?:MR|MRS|MS|DR|ST)\.[ \u00a0]?)?[A-Z][A-Z'’-]*[A-Z](?:[ \u00a0]+(?:[A-Z]\.[ \u00a0]?)*[A-Z][A-Z'’.-]*[A-Z.]|[ \u00a0]+\d{1,2}){0,7}"
_NOTE = r"(?:[ \u00a0]*\([^()\n]{1,40}\))?"  # (retranslated), (via interpreter)
LABEL = re.compile(
    rf"""[ \t]*(?:
        (?P<qa>(?i:question|answer|remark|comment|reply|response|q|a))
            (?P<source>[ \u00a0]+(?i:from|to|by)[ \u00a0][^:\n]{{1,80}}?)?{_NOTE}[ \t\u00a0]*:
      | (?P<q>Q)(?=[ \t\u00a0]+\S)
      | (?P<upper>{_UPPER_NAME}){_NOTE}[ \t\u00a0]*:(?=\s|$)
      | (?P<name>{_NAME}){_NOTE}[ \t]*:(?=\s|$)
    )[ \t]*""",
    re.VERBOSE,
)
#: A long label in plain text: a title before a name ("President of Russia Vladimir Putin:"); it
#: counts only where its last words are the name of a speaker labelled elsewhere in the document.
_LONG_LABEL = re.compile(r"[ \t]*(?P<long>[A-Z][^:\n.!?;]{3,160}?)[ \t\u00a0]*:(?=\s)[ \t]*")
#: A time line, with or without "END" ("1:58 P.M. EDT", "END 2:45 P.M. EDT", "7:28 P.M EDT", "END").
TIME_LINE = re.compile(
    r"^\s*(?:(?:END|End)\s*)?(?:\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?\s?[Mm]\.?)?(?:\s+[A-Z]{2,5})?\s*)?$"
)
#: A stage direction: a bracketed note of the transcriber ("(Laughter.)", "(Inaudible)", "(Cross-talk.)").
STAGE_DIRECTION = re.compile(
    r"""\((?:
        (?i:laughter|laughs|laughing|applause|inaudible|cross-?talk|crosstalk|no\ response|pause|silence|
            off[- ]mic(?:rophone)?|audio\ [a-z]+|technical\ difficulties|interruption|unintelligible|
            indiscernible|coughs|sighs|phone\ rings|speaks\ [A-Z][a-z]+|in\ [A-Z][a-z]+)[^()\n]{0,60}
      | [A-Z][^()\n]{0,80}[.!]
    )\)""",
    re.VERBOSE,
)
#: A separator line between parts of a page ("* * *", "***", "— — —").
SEPARATOR = re.compile(r"^\s*(?:[*•·—–-]\s*){3,}$")
#: Words of a label that make its speaker chair the event, or say who is asking.
_MODERATOR_WORDS = re.compile(r"(?i)\b(?:moderator|host|anchor|presenter|operator|facilitator)\b")
_CHAIR_WORDS = re.compile(r"(?i)\b(?:moderator|operator|facilitator)\b")
_AUDIENCE_WORDS = re.compile(r"(?i)\b(?:audience|participant|caller|viewer|member of the public|student)\b")
_JOURNALIST_WORDS = re.compile(r"(?i)\b(?:reporter|journalist|correspondent|editor|columnist|presenter)\b")
#: Words of office before a name in a long label ("President of Russia", "Press Secretary").
_OFFICE_WORDS = frozenset(
    """president presidential prime minister ministers chancellor federal secretary press deputy chief
    director head chairman chairwoman chair general governor mayor ambassador spokesperson spokesman
    spokeswoman adviser advisor aide senior administration official officials assistant special envoy
    representative senator congressman congresswoman king queen emir sheikh crown prince premier
    vice foreign affairs national security council state of the and moderator host anchor reporter
    journalist correspondent editor editor-in-chief commentator research foundation member surgeon
    administrator white house""".split()
)
#: What a chairing turn says: it gives the floor ("Go ahead, Trevor.", "Next question."), thanks or closes.
_GIVES_FLOOR = re.compile(
    r"(?i)\b(?:go\s+ahead|(?:next|last|final|one\s+more)\s+question|(?:first|next|last|final)\s+question\s+(?:goes|comes|is)|"
    r"(?:question|floor)\s+(?:goes|passes)\s+to|you['’]?re\s+(?:up|next)|in\s+the\s+(?:back|front|middle)|"
    r"let['’]?s\s+(?:go|turn|do|take)|over\s+to|(?:give|hand)\s+(?:the\s+)?floor|please,?\s+go|your\s+question|"
    r"operator|queue|open\s+(?:up\s+)?the\s+line|instructions|(?:can|could)\s+we\s+(?:do|go|take|have)|"
    r"time\s+for|why\s+don['’]?t\s+we\s+go|"
    r"(?:we['’]?ll|we\s+will|i['’]?ll|i\s+will|let\s+me|let['’]?s)\s+(?:now\s+)?(?:turn|go|come|move)\s+(?:back\s+|over\s+)?(?:to|over)|"
    r"come\s+(?:back\s+)?to\s+(?:you|the\s+(?:back|front|middle))|what\s+do\s+you\s+(?:guys\s+|all\s+)?(?:got|have)|"
    r"you\s+can\s+follow\s+up|why\s+don['’]?t\s+you\s+(?:finish|go)|i['’]?ll\s+take\s+(?:a\s+couple|one|two|a\s+few)|"
    r"who\s+have\s+i\s+not\s+called|thanks?\s+(?:you\s+)?(?:all\s+|everyone\s+)?for\s+joining|embargo(?:ed)?)\b"
)
#: Handing the floor to a colleague, with what they are to speak to ("I'd like to go to Dr. Daskalakis, the
#: Deputy Coordinator, to speak to that too, please."; "I'd like to turn it over to Dr. Daskalakis to talk
#: about the second question."). "I'll let her speak to that" is not one: it declines to answer.
_HANDS_OVER = re.compile(
    r"(?i)\b(?:(?:i['’]?d|i\s+would)\s+like\s+to|i\s+want\s+to)\s+(?:go|turn|hand|pass)\s+(?:it\s+)?(?:over\s+)?(?:now\s+)?to\b"
    r"[^.?!]{0,80}?(?:\bto\s+(?:speak|talk|respond|answer|add|address|say)\b[^.?!]*)?(?=[.?!]|$)"
)
_COURTESY = re.compile(
    r"(?i)(?:\b(?:good\s+(?:morning|afternoon|evening)|thank\s+you|thanks|okay|ok|all\s+right|alright|right|"
    r"great|good|sure|yes|yeah|please|"
    r"so\s+much|very\s+much|again|everyone|everybody|all|guys|folks|sir|ma['’]?am|mr\.?|ms\.?|mrs\.?|"
    r"president|colleagues|hello|hi|hey|welcome|good\s+(?:morning|afternoon|evening)|and|then|you|sorry|i['’]?m|so|"
    r"now|next|appreciate\s+(?:it|you|that)|(?:for\s+)?(?:coming|being\s+here))\b|[\s,.!;:—–-])+"
)
#: Names of people and outlets given the floor ("Tamara Keith from NPR", "Madison Muller at Bloomberg").
_NAMED = re.compile(r"(?:\b(?:from|with|at|of)\s+(?:the\s+)?)?\b[A-Z][\w'’.&-]*(?:\s+[A-Z][\w'’.&-]*)*")
#: A name addressed after a comma ("Thanks, Karine.", "Yes, Peter.").
_VOCATIVE = re.compile(r",\s*(?:[A-Z][\w'’.-]*\s?){1,3}")
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
    label: _Label | None = None
    kind: str = ""


@dataclass
class _Label:
    """A speaker label at a paragraph start: ``end`` is where the turn's words may begin."""

    end: int
    name: str  # the label's words, tidied: "MS. PSAKI", "President of Russia Vladimir Putin", "Question"
    qa: str = ""  # "question" or "answer" for the interview keywords and Q, else ""
    source: str = ""  # who asks, for "Question from the audience:"
    upper: bool = False  # written in capitals ("MS. PSAKI:")
    marked: bool = False  # marked by the document's markup (a bold run), not found in the plain text
    full: str = ""  # the whole label, affiliation included ("Fyodor Lukyanov, moderator")


def parse_transcript(
    text: str,
    *,
    doc_id: str = "document",
    kind: str | None = None,
    speaker: str | None = None,
    title: str | None = None,
    path: str | None = None,
    labels: list[tuple[int, int]] | None = None,
    header: list[tuple[str, int, int]] | None = None,
) -> Transcript:
    """Parse a decoded document into turns, paragraphs and marked spans.

    ``kind="speech"`` reads the text as a monologue (one ``statement`` turn,
    spoken by ``speaker``); any other kind, or ``None``, looks for speaker
    labels at paragraph starts (``Question:``/``Answer:``, ``Q:``/``A:``, ``Q``
    before spaces, names such as ``Sergey Lavrov:``, ``S.Lavrov:``, ``LAVROV:``,
    ``MS. PSAKI:``, and a long title before a name that is labelled elsewhere,
    ``President of Russia Vladimir Putin:``) and falls back to a statement when
    there are none. A reader of markup may pass the ``labels`` its markup marks
    (``(start, end)``, e.g. bold runs opening paragraphs) and the ``header``
    spans it knows (``(kind, start, end)``). A leading date line, the title,
    time lines, ``END``, separators and share-button or "Leave A Reply" lines
    become spans of their own, and stage directions ("(Laughter.)") spans inside
    their turn; no character is dropped. Raises :class:`InputError` (naming
    ``path``) when the text has no words or only labels.

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
    _mark_known_header(paras, header or [])
    labelled = [] if kind == "speech" else (
        _find_labels(text, paras, marked=labels or []) or _implicit_labels(text, paras))
    kind = kind or ("interview" if labelled else "speech")
    head, body = _split_header(text, paras, first_turn=min(labelled) if labelled else None)
    header_data = _header_metadata(text, head)
    if title:
        header_data["title"] = title
    body = _mark_trailing_furniture(text, body, transcript=bool(labelled))
    content = [p for p in body if not p.kind]
    if not content:
        raise InputError(path or doc_id, "has a header but no text after it")
    if not labelled and _ONLY_QA_LABELS.fullmatch(text, content[0].start, content[-1].end):
        raise InputError(path or doc_id, "contains speaker labels but no words after them")
    if labelled:
        turns = _turns_from_labels(text, body, header_data, speaker=speaker, kind=kind)
    else:
        turns = [("statement", speaker or header_data.get("interviewee") or "", "", content)]
    turn_rows, para_rows, span_rows = [], [], []
    for p in head + body:
        if p.kind:
            span_rows.append((doc_id, p.kind, p.start, p.end, -1, text[p.start:p.end]))
    for role, who, participant, members in turns:
        start, time = members[0].start, ""
        for p in members:
            if p.label is not None and p.label.end > p.start:
                span_rows.append((doc_id, "label", p.start, p.label.end, -1, text[p.start:p.label.end]))
                if p is members[0]:
                    start = p.label.end
                    while start < p.end and text[start].isspace():  # e.g. a no-break space after the colon
                        start += 1
                    stamp = _TIMESTAMP.match(text, start, p.end)
                    if stamp:
                        span_rows.append((doc_id, "time", start, stamp.end(), -1, stamp.group(0)))
                        time, start = stamp["time"], stamp.end()
                        while start < p.end and text[start].isspace():
                            start += 1
        pieces = [(start if p is members[0] else p.start, p.end) for p in members]
        pieces = [(s, e) for s, e in pieces if text[s:e].strip()]
        if not pieces:
            continue  # a label with nothing after it: its label span stays, no turn
        turn_id = len(turn_rows)
        t_start, t_end = pieces[0][0], pieces[-1][1]
        stages = [m.span() for s, e in pieces for m in STAGE_DIRECTION.finditer(text, s, e)] if labelled else []
        words = [piece for s, e in pieces for piece in _outside(text, s, e, stages)]
        for s, e in words:
            para_rows.append((doc_id, turn_id, len(para_rows), s, e))
        turn_rows.append((doc_id, turn_id, role, who, t_start, t_end, len(words), text[t_start:t_end],
                          participant, time))
        span_rows.append((doc_id, "turn", t_start, t_end, turn_id, text[t_start:t_end]))
        span_rows.extend((doc_id, "stage", s, e, turn_id, text[s:e]) for s, e in stages)
    if not turn_rows:
        raise InputError(path or doc_id, "contains speaker labels but no words after them")
    span_rows.sort(key=lambda row: (row[2], row[3]))  # by start, then end (a stable sort: ties keep their order)
    return Transcript(
        doc_id=doc_id,
        text=text,
        kind=kind,
        header=header_data,
        spans=_frame(span_rows, SPAN_COLUMNS),
        turns=_frame(turn_rows, TURN_COLUMNS),
        paragraphs=_frame(para_rows, PARAGRAPH_COLUMNS),
    )


def _outside(text: str, start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pieces of ``text[start:end]`` outside the ``holes``, trimmed, empty pieces left out."""
    inside = [(s, e) for s, e in holes if s < end and e > start]
    if not inside:
        return [(start, end)]
    pieces, position = [], start
    for s, e in inside:
        pieces.append((position, s))
        position = e
    pieces.append((position, end))
    trimmed = []
    for s, e in pieces:
        chunk = text[s:e]
        if chunk.strip(" \t\n\u00a0.,;:—–-"):
            lead = len(chunk) - len(chunk.lstrip())
            trimmed.append((s + lead, s + len(chunk.rstrip())))
    return trimmed


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


def _find_labels(text: str, paras: list[_Para], *, marked: list[tuple[int, int]]) -> list[int]:
    """Indexes of the paragraphs that open with a speaker label (and record the label on each).

    Labels the markup marks (``marked``) are taken as they are. Where there are
    such labels, a label found in the plain text counts only when it names the
    same speaker as a marked one or is a question/answer keyword, so that
    "Germany:" opening a sentence of a speech stays words.
    """
    by_start = {start: end for start, end in marked}
    candidates: list[tuple[int, _Label]] = []
    for index, p in enumerate(paras):
        if p.kind:
            continue
        end = by_start.get(p.start)
        if end is not None and end <= p.end:
            candidates.append((index, _marked_label(text, p.start, end)))
            continue
        match = LABEL.match(text, p.start, p.end)
        if match and _could_be_label(match):
            candidates.append((index, _regex_label(match)))
    if marked:
        known = {_name_key(label.name) for _, label in candidates if label.end and _from_markup(label)}
        candidates = [(i, label) for i, label in candidates
                      if _from_markup(label) or label.qa or _name_key(label.name) in known]
    names = Counter(_name_key(label.name) for _, label in candidates if not label.qa)
    accepted = [(i, label) for i, label in candidates if label.qa or _accept_name(label, names)]
    accepted = _with_long_labels(text, paras, accepted)
    if len(accepted) < 2:  # a transcript has at least two labelled turns
        return []
    for index, label in accepted:
        paras[index].label = label
    return [index for index, _ in accepted]


#: A dialogue turn opened by a dash ("- What should be our reaction?", "– We cannot prohibit it.").
_DASH_TURN = re.compile(r"[ \t]*[-–—][ \t\u00a0]+(?=\S)")
#: A numbered question ("❓1. Question text?", "1. Question text?", "3) Question?").
_NUMBERED_QUESTION = re.compile(r"[ \t]*(?:❓\ufe0f?[ \t]*)?\d{1,2}[.)][ \t\u00a0]+(?=\S)")


def _implicit_labels(text: str, paras: list[_Para]) -> list[int]:
    """Turns without speaker labels: a dialogue marked by dashes, or numbered questions with answers after them.

    Dash paragraphs alternate question and answer (starting with a question
    unless the first one asks nothing and the second asks); paragraphs without
    a dash continue the turn before them. A numbered paragraph that ends with a
    question mark is a question; the paragraphs after it, its answer. Each needs
    at least two such turns. Returns the labelled paragraphs' indexes.
    """
    body = [(i, p) for i, p in enumerate(paras) if not p.kind and not _furniture_kind(text[p.start:p.end])]
    dashes = [(i, p, m) for i, p in body if (m := _DASH_TURN.match(text, p.start, p.end))]
    if len(dashes) >= 2 and len(dashes) >= len(body) // 3:
        asks = ["?" in text[p.start:p.end] for _, p, _ in dashes]
        first = "answer" if not asks[0] and len(asks) > 1 and asks[1] else "question"
        other = "answer" if first == "question" else "question"
        for n, (_, p, m) in enumerate(dashes):
            role = first if n % 2 == 0 else other
            p.label = _Label(end=m.end(), name="-", qa=role)
        return [i for i, _, _ in dashes]
    numbered = [(i, p, m) for i, p in body
                if (m := _NUMBERED_QUESTION.match(text, p.start, p.end)) and text[p.start:p.end].rstrip().endswith("?")]
    if len(numbered) < 2:
        return []
    found = []
    for i, p, m in numbered:
        p.label = _Label(end=m.end(), name="Question", qa="question")
        found.append(i)
        following = paras[i + 1] if i + 1 < len(paras) else None
        if following is not None and following.label is None and not following.kind and not any(
                following is q for _, q, _ in numbered):
            following.label = _Label(end=following.start, name="Answer", qa="answer")  # no label in the text
            found.append(i + 1)
    return sorted(found)


def _tidy_label(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\u00a0", " ")).strip()


def _marked_label(text: str, start: int, end: int) -> _Label:
    """A label the markup marks: its words without the colon and any note in brackets."""
    words = full = _tidy_label(re.sub(r"\([^()]*\)", " ", text[start:end].rstrip().rstrip(":")))
    head = words.split(",", 1)[0]
    if "," in words and re.fullmatch(r"(?:[A-Z][\w'’.-]+\s){1,3}[A-Z][\w'’-]+", head) and not any(
            word.lower() in _OFFICE_WORDS for word in head.split()):
        words = head  # "Yevgeny Rozhkov, reporter at VGTRK": the name before the affiliation
    qa = re.fullmatch(r"(?i)(question|answer|remark|comment|reply|response|q|a)(?:\s+(?:from|to|by)\s+(.+))?", words)
    while end < len(text) and text[end] in " \t":
        end += 1
    return _Label(end=end, name=words, qa=_QA_WORDS[qa[1].lower()] if qa else "",
                  source=(qa[2] or "") if qa else "", upper=words.isupper() and len(words) > 1, marked=True,
                  full=full)


def _from_markup(label: _Label) -> bool:
    return label.marked


def _regex_label(match: re.Match) -> _Label:
    if match["q"]:
        return _Label(end=match.end(), name="Q", qa="question", upper=True)  # "upper": the bare Q of a briefing
    if match["qa"]:
        return _Label(end=match.end(), name=match["qa"], qa=_QA_WORDS[match["qa"].lower()],
                      source=_tidy_label(match["source"] or ""))
    name = match["upper"] or match["name"]
    return _Label(end=match.end(), name=_tidy_label(name), upper=bool(match["upper"]))


def _could_be_label(match: re.Match) -> bool:
    if match["qa"] or match["q"]:
        return True
    label = match["upper"] or match["name"]
    words = re.findall(r"[\w'’]+", label)
    if match["upper"] and len(words) > 1:
        return len(label) <= 60
    return bool(words) and len(label) <= 40 and not any(w.lower() in NOT_A_SPEAKER for w in words)


def _name_key(name: str) -> str:
    """The surname, lower-cased: 'S.Lavrov', 'Sergey Lavrov' and 'LAVROV' share 'lavrov'."""
    words = re.findall(r"[\w'’-]+", name)
    return words[-1].lower() if words else ""


def _accept_name(label: _Label, names: Counter) -> bool:
    """A lone capitalised word is a label only when it recurs or is in capitals ('LAVROV:').

    ``names`` counts the candidate labels by surname (a counter, so that a
    document of many short turns is read in linear time).
    """
    name = label.name
    words = re.findall(r"[\w'’-]+", name)
    if _from_markup(label) or len(words) > 1 or "." in name or name.isupper():
        return True
    return names[_name_key(name)] >= 2


def _with_long_labels(text: str, paras: list[_Para], accepted: list[tuple[int, _Label]]):
    """Add long labels whose last words name a speaker labelled elsewhere ("President of Russia Vladimir Putin:")."""
    short = {_words_key(label.name) for _, label in accepted if not label.qa and len(label.name.split()) >= 2}
    if not short or any(label.qa and label.upper for _, label in accepted):
        return accepted  # a briefing's labels are in capitals: a sentence ending in a colon stays words
    taken = {index for index, _ in accepted}
    found = []
    for index, p in enumerate(paras):
        if index in taken or p.kind:
            continue
        match = _LONG_LABEL.match(text, p.start, p.end)
        if not match or match["long"].split()[0].strip(",").lower() in NOT_A_SPEAKER:
            continue
        words = _words_key(match["long"])
        if any(words[-len(name):] == name and len(words) > len(name) for name in short):
            found.append((index, _Label(end=match.end(), name=_tidy_label(match["long"]))))
    return sorted(accepted + found, key=lambda item: item[0])


def _words_key(name: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in re.findall(r"[\w'’-]+", name))


def _mark_known_header(paras: list[_Para], header: list[tuple[str, int, int]]) -> None:
    """Paragraphs inside the header spans a markup reader reported take that span's kind."""
    for kind, start, end in header:
        for p in paras:
            if p.start >= start and p.end <= end:
                p.kind = kind


def _split_header(text: str, paras: list[_Para], *, first_turn: int | None) -> tuple[list[_Para], list[_Para]]:
    """Leading date, title and furniture paragraphs (before the first label, or leading lines of a speech)."""
    if first_turn is not None:
        head, body = paras[:first_turn], paras[first_turn:]
        titled = any(p.kind == "title" for p in head)
        for p in head:
            if p.kind:
                continue
            p.kind = _furniture_kind(text[p.start:p.end], transcript=True) or ("lead" if titled else "title")
            titled = titled or p.kind == "title"
        return head, body
    head = []
    for p in paras:
        kind = p.kind or _furniture_kind(text[p.start:p.end])
        if not kind:
            break
        p.kind = kind
        head.append(p)
    return head, paras[len(head):]


def _furniture_kind(chunk: str, *, transcript: bool = False) -> str:
    if DATE_LINE.match(chunk):
        return "date"
    if FURNITURE.match(chunk):
        return "furniture"
    if transcript and TIME_LINE.match(chunk) and chunk.strip():
        return "time"
    if transcript and SEPARATOR.match(chunk):
        return "furniture"
    return ""


def _mark_trailing_furniture(text: str, body: list[_Para], *, transcript: bool = False) -> list[_Para]:
    """Page furniture at the end; in a transcript also time lines and separators anywhere between turns.

    In a transcript, an ``END`` line or the closing time line ends the event:
    every paragraph after it is furniture.
    """
    if transcript:
        for index, p in enumerate(body):
            if p.label is not None or p.kind:
                continue
            chunk = text[p.start:p.end]
            kind = _furniture_kind(chunk, transcript=True)
            if kind in ("time", "furniture") and (kind == "furniture" or _after_words(body, index)):
                p.kind = kind
                if chunk.strip().upper().startswith("END") or (kind == "time" and _closing(text, body, index)):
                    for rest in body[index + 1:]:
                        if rest.label is None:
                            rest.kind = rest.kind or "furniture"
                    break
    for p in reversed(body):
        if p.label is not None or not FURNITURE.match(text[p.start:p.end]):
            break
        p.kind = "furniture"
    if transcript:
        _mark_closing_fragment(text, body)
    return body


def _mark_closing_fragment(text: str, body: list[_Para]) -> None:
    """The last paragraph of a transcript when it is a fragment cut off mid-sentence (a teaser of another
    page: "Lavrov also said that the United States has been"), after a turn whose words end a sentence.

    Only an unlabelled paragraph that ends in a word or a comma and does not speak in the first or second
    person counts: a speaker cut off by a dash or an ellipsis ("and we will —") or by the transcript
    ("Thank you very much for join") is still speaking.
    """
    words = [p for p in body if not p.kind]
    if len(words) < 2 or words[-1].label is not None:
        return
    last, before = words[-1], words[-2]
    chunk = text[last.start:last.end].rstrip()
    if (re.search(r"[\w,]$", chunk) and len(chunk.split()) <= 60 and not _SPEAKS.search(chunk)
            and text[before.start:before.end].rstrip().endswith(_SENTENCE_END)):
        last.kind = "furniture"


#: Words of a speaker addressing an audience: a paragraph with them is speech, not page furniture.
_SPEAKS = re.compile(r"(?i)\b(?:i|i['’](?:m|ll|ve|d)|me|my|we|we['’](?:re|ll|ve|d)|us|our|you|your|thank|thanks)\b")


def _after_words(body: list[_Para], index: int) -> bool:
    return any(p.label is not None for p in body[:index + 1]) or index == 0


def _closing(text: str, body: list[_Para], index: int) -> bool:
    """A time line after the turns began with no label after it: the event's end."""
    return any(p.label is not None for p in body[:index]) and not any(p.label is not None for p in body[index:])


def _header_metadata(text: str, head: list[_Para]) -> dict:
    header: dict = {}
    for p in head:
        chunk = text[p.start:p.end]
        if p.kind == "date" and "page_date" not in header:
            header["page_date"] = chunk.strip()
        elif p.kind == "title" and "title" not in header:
            header["title"] = chunk.strip()
        elif p.kind == "lead" and "lead" not in header:
            header["lead"] = chunk.strip()
    title = header.get("title", "")
    person = _TITLE_INTERVIEWEE.search(title)
    if person:
        header["interviewee"] = normalise_name(person.group(0))
    elif (named := person_named(title) or person_named(header.get("lead", ""))):
        header["interviewee"] = named
    outlet = _TITLE_OUTLET.search(title)
    if outlet and header.get("interviewee") and header["interviewee"] in outlet["outlet"]:
        outlet = None  # "Interview with Foreign Minister Sergey Lavrov": a person, not an outlet
    if outlet and re.search(r"(?i)\binterview", title):
        header["outlet"] = outlet["outlet"].strip()
    return header


#: Kinds of event, from the words of a title (the first that matches names the kind).
_EVENT_KINDS = (
    (r"\bvaldai\b|\bdiscussion\s+club\b", "discussion club"),
    (r"\b(?:answers?|answered|replies|repl(?:y|ied))\s+(?:to\s+)?(?:\w+\s+)?(?:journalists|media|questions)", "answers to journalists"),
    (r"^\s*meeting\b", "meeting"),
    (r"\bpress\s+briefing|\bbriefing\b", "briefing"),
    (r"\bgaggle\b", "gaggle"),
    (r"\b(?:background\s+)?press\s+call\b|\bconference\s+call\b", "background call"),
    (r"\bdirect\s+line\b", "Direct Line"),
    (r"\b(?:news|press)\s+conference\b", "news conference"),
    (r"\binterview", "interview"),
    (r"\bpress\s+statements?\b|\bstatements?\s+(?:for|to)\s+the\s+press\b", "press statements"),
)


def event_kind(title: str) -> str:
    """The kind of event a transcript's title names, or ``""``.

    >>> event_kind("Press Gaggle by Press Secretary Jen Psaki"), event_kind("Interview to Bloomberg")
    ('gaggle', 'interview')
    >>> event_kind("Joint news conference with President of Kyrgyzstan Almazbek Atambayev")
    'news conference'
    """
    for pattern, kind in _EVENT_KINDS:
        if re.search(pattern, title, re.IGNORECASE):
            return kind
    return ""


_MONTH_NUMBER = {name[:3].lower(): number for number, name in enumerate(
    "January February March April May June July August September October November December".split(), 1)}
_FULL_DATE = re.compile(
    rf"\b(?:(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month2>{_MONTHS})\.?,?\s+(?P<year2>(?:19|20)\d\d)"
    rf"|(?P<iso>(?:19|20)\d\d-\d\d-\d\d))\b"
)


def iso_date(*texts: str) -> str:
    """The first full date (with its year) in ``texts`` as ``YYYY-MM-DD``, or ``""`` (a date with no
    year, "Monday, May 20", is ambiguous and gives nothing).

    >>> iso_date("Monday, May 20", "Interview of May 15, 2019"), iso_date("20 May 2022"), iso_date("May 20")
    ('2019-05-15', '2022-05-20', '')
    """
    import datetime

    for text in texts:
        for match in _FULL_DATE.finditer(text or ""):
            if match["iso"]:
                candidate = match["iso"]
            else:
                month = _MONTH_NUMBER[(match["month"] or match["month2"])[:3].lower()]
                day, year = int(match["day"] or match["day2"]), int(match["year"] or match["year2"])
                candidate = f"{year:04d}-{month:02d}-{day:02d}"
            try:
                datetime.date.fromisoformat(candidate)
            except ValueError:
                continue
            return candidate
    return ""


def normalise_name(name: str) -> str:
    """Spaces after initials, title case for names in capitals.

    >>> normalise_name("A.N.Darchiev"), normalise_name("LAVROV"), normalise_name("S.Lavrov")
    ('A. N. Darchiev', 'Lavrov', 'S. Lavrov')
    """
    name = re.sub(r"\.(?=\S)", ". ", name.strip())
    name = re.sub(r"\s+", " ", name)
    return name.title() if name.isupper() and len(name) > 3 else name


def _turns_from_labels(text: str, body: list[_Para], header: dict, *, speaker: str | None, kind: str = ""):
    """Group paragraphs into turns at labels; give each its role, speaker and participant.

    A furniture line (a time, a separator) ends a turn; paragraphs after it
    without a label continue the same speaker in a turn of their own.
    """
    groups: list[tuple[_Label | None, list[_Para]]] = []
    broken = False
    for p in body:
        if p.kind:
            broken = True
            continue
        if p.label is not None or not groups:
            groups.append((p.label, [p]))
        elif broken:
            groups.append((groups[-1][0], [p]))
        else:
            groups[-1][1].append(p)
        broken = False
    people = _Speakers(text, groups, header, speaker=speaker, kind=kind)
    turns = []
    asked = False  # has anyone asked a question yet? (before that, principals make statements)
    previous = ("", False, False)  # the last turn that is not chairing: role, a real question, a principal asking
    open_question = False  # a question that officials are still answering (until chairing closes it)
    for index, (label, members) in enumerate(groups):
        first = members[0]
        opening = first.label.end if first.label is not None else first.start
        words = " ".join([text[opening:first.end]] + [text[p.start:p.end] for p in members[1:]])
        who, participant, principal = people.describe(label)
        role = _role(label, words, principal=principal, participant=participant,
                     asked=asked or people.interview, after_question=previous[0] == "question",
                     real_question=previous[1], principal_asked=previous[2], open_question=open_question,
                     briefing=people.briefing, interview=people.interview,
                     question_next=_asks_next(groups, index))
        real = role == "question" and _has_words(words) and (
            "?" in words or (len(words.split()) > 3 and not _only_courtesy(words)))
        asked = asked or real
        if role == "question":
            open_question = True
        elif role == "moderator" and previous[0] == "answer" and _only_courtesy(words) or role == "statement":
            open_question = False  # thanks after the answers close the question; a hand-over to a colleague does not
        if role != "moderator":
            previous = (role, real, principal and "?" in words)
        turns.append((role, who, participant, members))
    if not header.get("interviewee") and people.interviewee:
        header["interviewee"] = people.interviewee
    return turns


def _asks_next(groups: list, index: int) -> bool:
    """The turn after ``groups[index]`` is labelled as a question (a reporter's ``Q``, ``Question:``)."""
    label = groups[index + 1][0] if index + 1 < len(groups) else None
    return label is not None and label.qa == "question"


def _has_words(text: str) -> bool:
    """Words outside stage directions ("(Inaudible.)" alone asks nothing)."""
    return bool(re.search(r"\w", STAGE_DIRECTION.sub(" ", text)))


def _role(label, words: str, *, principal: bool, participant: str, asked: bool, after_question: bool,
          real_question: bool = True, principal_asked: bool = False, open_question: bool = False,
          briefing: bool = False, interview: bool = False, question_next: bool = False) -> str:
    """A turn's role from who speaks, what it says and what came before (see ``ROLES``).

    ``after_question``: the last turn that did not chair was a question
    (``real_question``: one with words that ask, not a greeting or a bid for
    the floor); ``principal_asked``: it was an answerer's turn with a question
    mark; ``open_question``: a question is still being answered (officials
    may answer one after another) and no chairing turn has closed it. In a
    briefing (reporters as ``Q``) a moderator only chairs, and an official's
    turn that follows no open question is a statement; elsewhere a host's turn
    that asks is a question. ``question_next``: the next turn is labelled a question.
    """
    asks = "?" in words or bool(_ASKS.search(words))
    if label is not None and label.qa == "question":
        return "question"
    if label is not None and label.qa == "answer":
        return "answer"
    if principal and _CALLS_ON.fullmatch(words):
        return "moderator"  # "Dr. Walensky?": a colleague called to answer
    if principal and not after_question and question_next and _BARE_NAME.fullmatch(words):
        return "moderator"  # "Jeremy." after an answer, before Jeremy's question: the floor given
    if principal:
        if not asks and _SIGN_OFF.match(words):
            return "moderator"  # "Thank you, everyone, for joining our call. As a reminder, …"
        cut_off = words.rstrip().endswith(("—", "–", "-", "…", "..."))
        if after_question:
            if not asks and _only_chairs(words):
                return "moderator"  # "Thank you. And next we'll turn to Tamara Keith from NPR."
            if real_question or interview or cut_off or not (_only_courtesy(words) or len(words.split()) <= 6):
                return "answer"  # even "Yes." or "No." answers the question before it
            return "moderator"  # "Sure." to "I have a follow-up."
        if not asks and (_chairs(words) or _only_courtesy(words)):
            return "moderator"
        if briefing:
            return "answer" if open_question else "statement"  # remarks at the top, after a guest's segment
        if not asks and asked and not interview and not cut_off and len(words.split()) <= 8 and not open_question:
            return "moderator"  # a few words between answers that name the next asker ("Colleagues from Kuzbass.")
        return "answer" if asked else "statement"
    if principal_asked and participant != "moderator" and not _only_chairs(words):
        return "question"  # a reply to the answerer's own question ("Me?" — "Yes.") keeps the exchange going
    if participant == "moderator":
        return "question" if asks and not briefing and not _chairs(words) else "moderator"
    if not asks and (_chairs(words) or _only_courtesy(words)):
        return "moderator"
    return "question"


#: A closing that thanks for joining (whatever reminders follow it).
_SIGN_OFF = re.compile(
    r"(?i)^\W*(?:(?:okay|all\s+right|great|well)[,.]?\s+)?(?:thanks?|thank\s+you)\b[\w\s,]{0,40}?"
    r"\bfor\s+(?:joining|being\s+(?:with|on)|taking\s+the\s+time|your\s+time)"
)
#: A turn that only calls on someone by title and name ("Dr. Walensky?", "Secretary Becerra.", "Dr. Fauci.").
#: A bare word with a question mark ("Infrastructure?", "Peter?") may be a clarifying question, so it is not one.
_CALLS_ON = re.compile(
    r"\W*(?:(?:Dr|Mr|Mrs|Ms|Secretary|Director|Administrator|General|Admiral|Ambassador|Commissioner|Governor|"
    r"Senator|Deputy\s+Secretary)\.?\s+)(?:[A-Z][\w'’-]*\s?){1,2}[?.]\W*"
)
#: A turn of one or two capitalised words and a full stop ("Jeremy.", "Mike Memoli."): a name when an
#: answerer says it between an answer and a reporter's question (not "Mm-hmm." or "Sure.", not after a question).
_BARE_NAME = re.compile(r"\s*[A-Z][a-z'’]+(?:\s[A-Z][a-z'’]+)?\.\s*")
#: Asking without a question mark ("I would like to ask", "Tell us", "My question is"), or relaying a
#: question ("Vasily Denisov wonders if …", "people want to know when …").
_ASKS = re.compile(
    r"(?i)\b(?:i\s+(?:would|['’]d)\s+like\s+to\s+ask|my\s+question|tell\s+us|could\s+you\s+(?:tell|explain|comment)|"
    r"(?:wonders?|asks?)\s+(?:if|whether|why|how|when|what)|(?:wants?|would\s+like|demands?)\s+to\s+know)\b"
)


def _chairs(words: str) -> bool:
    """A short turn that gives the floor or runs the event ("Go ahead, Trevor.", "Next question, please.")."""
    return len(words.split()) <= 25 and bool(_GIVES_FLOOR.search(words) or _HANDS_OVER.search(words))


def _only_chairs(words: str) -> bool:
    """Nothing but giving the floor, thanks and names ("Okay. Go ahead, Patsy. Go ahead.")."""
    if not _chairs(words):
        return False
    rest = _GIVES_FLOOR.sub(" ", _HANDS_OVER.sub(" ", STAGE_DIRECTION.sub(" ", words)))
    rest = _COURTESY.sub(" ", _NAMED.sub(" ", _VOCATIVE.sub(" ", rest)))
    return not re.search(r"\w", rest)


def _only_courtesy(words: str) -> bool:
    """Thanks, greetings or yes/okay and names alone ("Thank you.", "Thanks, Karine.", "Hello, Mr President.")."""
    if len(words.split()) > 12 or not _has_words(words):
        return False
    rest = _COURTESY.sub(" ", _VOCATIVE.sub(" ", STAGE_DIRECTION.sub(" ", words)))
    return not re.search(r"\w", rest)


class _Speakers:
    """Who speaks in a document: canonical names, participants and the principals who answer."""

    def __init__(self, text: str, groups, header: dict, *, speaker: str | None, kind: str = ""):
        self.header = header
        self.context = " ".join([header.get("title", ""), text])
        labels = [label for label, _ in groups if label is not None and not label.qa]
        names = {_tidy_label(label.name) for label in labels}
        self.canonical = _canonical_names(names, Counter(_tidy_label(label.name) for label in labels))
        words: Counter = Counter()
        asking: Counter = Counter()
        replying: Counter = Counter()
        chairing: Counter = Counter()
        turns: Counter = Counter()
        order: dict[str, int] = {}
        previous_asked = False
        for position, (label, members) in enumerate(groups):
            chunk = " ".join(text[p.start:p.end] for p in members)
            asked = label is not None and label.qa == "question"  # an anonymous "Question:" turn
            if label is not None and not label.qa:
                key = self.key(label)
                words[key] += len(chunk.split())
                asking[key] += "?" in chunk
                replying[key] += previous_asked and "?" not in chunk
                chairing[key] += _chairs(chunk) or _only_courtesy(chunk)
                turns[key] += 1
                order.setdefault(key, position)
            previous_asked = asked
        briefing = any(label is not None and label.qa and label.upper for label, _ in groups)  # reporters as "Q"
        named = {_name_key(candidate) for candidate in (speaker, header.get("interviewee")) if candidate}
        # An interview unless the kind or the title names another event, or reporters are "Q" (a briefing).
        event = kind if kind not in (None, "", "interview") else event_kind(header.get("title", ""))
        interview = event in ("", "interview") and not any(
            label is not None and label.qa and label.upper for label, _ in groups)
        self.moderators = {self.key(label) for label in labels
                           if (_CHAIR_WORDS if interview else _MODERATOR_WORDS).search(label.full or label.name)}
        self.audience = {self.key(label) for label in labels if _AUDIENCE_WORDS.search(label.full or label.name)}
        journalists = {self.key(label) for label in labels if _JOURNALIST_WORDS.search(label.full or label.name)}
        self.principals = set()
        for label in labels:
            key = self.key(label)
            if key in self.moderators or key in self.audience or key in journalists:
                continue
            mostly_asks = turns[key] >= 2 and asking[key] / turns[key] >= 0.5
            if briefing and turns[key] >= 2 and chairing[key] / turns[key] >= 0.5 and _name_key(key) not in named:
                self.moderators.add(key)  # a named call moderator ("MR. HASAN") who mostly gives the floor
            elif _name_key(key) in named or (label.upper and briefing):
                self.principals.add(key)
            elif not mostly_asks and (_office_title(label.name) or replying[key] / turns[key] >= 0.5
                                      or self._introduced(key)):
                self.principals.add(key)
        speakers = sorted(set(words) - self.moderators - self.audience - journalists)
        if speakers and not (named & {_name_key(key) for key in self.principals}):
            self.principals.add(max(speakers, key=words.__getitem__))  # who speaks most answers
        first_principal = min((order[key] for key in self.principals if key in order), default=0)
        for key, position in order.items():
            if key not in self.principals and position < first_principal and not interview:
                self.moderators.add(key)  # speaks before anyone answers: opens and chairs the event
        self.interview = interview
        self.briefing = briefing and not interview
        ranked = sorted(self.principals, key=lambda key: (-words[key], key))
        self.interviewee = speaker or header.get("interviewee") or (self.display(ranked[0]) if ranked else "")

    def _introduced(self, key: str) -> bool:
        """Whether the title or the lead names this speaker in full ("… with Vladimir Putin")."""
        name = self.display(key)
        opening = " ".join((self.header.get("title", ""), self.header.get("lead", ""))).replace("\u00a0", " ")
        return len(name.split()) >= 2 and name.lower() in opening.lower()

    def key(self, label: _Label) -> str:
        return self.canonical.get(_tidy_label(label.name), _tidy_label(label.name))

    def display(self, key: str) -> str:
        """The name to show: a person's name from the title or text for "MS. PSAKI", tidy otherwise."""
        if key.isupper():
            return _resolve_upper(key, self.context)
        if len(_words_key(key)) > 3 and _office_title(key):
            return _person_from_title(key)
        return normalise_name(key)

    def describe(self, label: _Label | None) -> tuple[str, str, bool]:
        """``(speaker, participant, principal)`` for a turn's label (``None``: before the first label)."""
        interviewer = f"Interviewer ({self.header['outlet']})" if self.header.get("outlet") else "Interviewer"
        if label is None:
            return self.interviewee, "interviewee" if self.interview else "official", True
        if label.qa == "answer":
            return self.interviewee, "interviewee" if self.interview else "official", True
        if label.qa == "question":
            if label.source and _AUDIENCE_WORDS.search(label.source):
                return "Audience", "audience", False
            if label.source:
                return normalise_name(label.source), "journalist", False
            if self.interview:
                return interviewer, "interviewer", False
            return ("Q" if label.name.upper() == "Q" else "Question"), "journalist", False
        key = self.key(label)
        who = self.display(key)
        if key in self.principals or _name_key(key) in {_name_key(k) for k in self.principals}:
            return who, "interviewee" if self.interview else "official", True
        if key in self.moderators:
            return who, "moderator", False
        if key in self.audience:
            return who, "audience", False
        return who, "interviewer" if self.interview else "journalist", False


def _canonical_names(names: set[str], counts: Counter) -> dict[str, str]:
    """Each label's canonical form: one spelling per person, and a long label's short form.

    Labels that differ only in case or spacing ("Vladimir PUTIN", "VladimirPutin")
    take the most frequent spelling; a long label takes the shortest other label
    (two words or more) whose words end it ("President of Russia Vladimir Putin"
    → "Vladimir Putin").
    """
    spelling: dict[str, str] = {}
    for name in sorted(names, key=lambda name: (-counts[name], name)):
        spelling.setdefault("".join(_words_key(name)), name)
    for compact, name in list(spelling.items()):  # "S. Ryabkov" is "Sergey Ryabkov" when both are labels
        words = name.replace(".", ". ").split()
        if len(words) == 2 and re.fullmatch(r"[A-Z]\.", words[0]):
            full = [other for other in spelling.values() if len(other.split()) == 2 and other != name
                    and other.split()[1].lower() == words[1].lower() and other[0] == words[0][0]
                    and not other.split()[0].endswith(".")]
            if len(full) == 1:
                spelling[compact] = full[0]
    canonical = {}
    for name in names:
        words = _words_key(name)
        best = spelling["".join(words)]
        for other in spelling.values():
            other_words = _words_key(other)
            if 2 <= len(other_words) < len(words) and words[-len(other_words):] == other_words:
                if best == spelling["".join(words)] or len(other_words) < len(_words_key(best)):
                    best = other
        canonical[name] = best
    return canonical


_PERSON_RUN = re.compile(
    r"(?:\b(?P<word>with|of|by|to|from|for)\s+|^(?=(?:[A-Z][\w.-]*\s+){1,2}[A-Z][\w-]*(?::|['’]s\b)))"
    r"(?P<run>(?:[A-Z][\w.-]*\s+){0,5}[A-Z][a-z][\w-]*)"
)
_NOT_A_PERSON = re.compile(
    r"(?i)^\s*(?:tv|channel|television|radio|newspaper|agency|magazine|company|network|news|daily|weekly|"
    r"broadcast|broadcasting|portal|website|journal|service)\b"
)


def person_named(text: str) -> str:
    """The person a title or lead names ("Interview with Foreign Minister Sergey Lavrov to …"), or ``""``.

    A run of two or three capitalised words after "with", "of", "by" … (or at
    the start, or before "'s"), words of office taken off its front, and not
    followed by "TV", "channel", "agency" and the like.

    >>> person_named("Interview with Foreign Minister Sergey Lavrov to the BBC")
    'Sergey Lavrov'
    >>> person_named("Interview with Austrian ORF television channel"), person_named("Interview to Bloomberg")
    ('', '')
    """
    for match in _PERSON_RUN.finditer(text.replace("\u00a0", " ")):
        words = match["run"].split()
        if match["word"] == "of" and len(words) >= 3:
            words = words[1:]  # "of Turkey Recep Tayyip Erdogan": a place before the name
        while words and words[0].lower().strip(".") in _OFFICE_WORDS | _HONORIFIC_WORDS:
            words.pop(0)
        if not 2 <= len(words) <= 3 or _NOT_A_PERSON.match(text[match.end():]):
            continue
        if all(word[0].isupper() and not word.isupper() and word.lower() not in _OFFICE_WORDS for word in words):
            return " ".join(words)
    return ""


def _office_title(name: str) -> bool:
    """A label that opens with words of office ("President of Russia …", "Presidential Press Secretary …")."""
    words = _words_key(name)
    return len(words) >= 3 and words[0] in _OFFICE_WORDS and words[0] not in ("of", "the", "and")


def _person_from_title(name: str) -> str:
    """The person in a long label: "Research Director …, moderator Fyodor Lukyanov" → "Fyodor Lukyanov"."""
    tail = name.rsplit(",", 1)[-1].strip()
    words = tail.split()
    while words and (words[0][:1].islower() or words[0].lower() in _OFFICE_WORDS):
        words.pop(0)
    if " of " in f" {tail} ":
        after = tail.rsplit(" of ", 1)[-1].split()
        if after and after[0].lower() == "the":
            after = after[1:]
        if len(after) >= 3:
            words = after[1:]
    return " ".join(words) if words else name


_HONORIFIC_WORDS = frozenset("mr mrs ms dr the".split())


def _resolve_upper(label: str, context: str) -> str:
    """A capitalised label as the person the document names: "MS. PSAKI" → "Jen Psaki".

    The surname is looked for in the title and the opening text with a given
    name before it (a capitalised word that is not a title of office); without
    one the label is kept in title case ("Senior Administration Official").
    """
    words = [w for w in re.findall(r"[A-Z][A-Z'’-]*", label)]
    tidy = [w.title() for w in words]
    titled = words and (words[0].lower() in _HONORIFIC_WORDS or words[0].lower() in _OFFICE_WORDS)
    if titled and len(words) >= 2 and words[-1].lower() not in _OFFICE_WORDS:
        surname = words[-1]
        pattern = re.compile(rf"\b([A-Z][a-z]+(?:\s[A-Z]\.)?)\s+({re.escape(surname.title())}|{re.escape(surname)})\b")
        for match in pattern.finditer(context):
            given = match[1].split()[0]
            if given.lower() not in _OFFICE_WORDS and given.lower() not in _HONORIFIC_WORDS:
                return f"{match[1]} {match[2].title() if match[2].isupper() else match[2]}"
        if words[0].lower() in _HONORIFIC_WORDS and words[0] != "THE":
            return normalise_name(f"{tidy[0]}. {' '.join(tidy[1:])}")
    return " ".join(tidy) if tidy else label


def uncovered_characters(transcript: Transcript) -> str:
    """Every character outside the transcript's spans (must be whitespace: the lossless check)."""
    covered = bytearray(len(transcript.text))
    for start, end in transcript.spans[["start", "end"]].itertuples(index=False, name=None):
        covered[start:end] = b"\x01" * (end - start)
    return "".join(ch for ch, flag in zip(transcript.text, covered) if not flag)
