"""Question–answer pairs, the labelled QEvasion sample, and responsiveness features with their evidence.

Does an answer take up its question? This module pairs each question of a
parsed interview with its answer, reads the labelled QEvasion sample (Thomas
et al. 2024), and measures responsiveness with features a reader can check
word by word: shared content lemmas and tf-idf similarity, shared lexicon
themes and actors, length, what the question requests (yes/no, a choice, a
number, a name, a reason) and whether the answer's first sentences supply it,
the answer's opening and how long it runs before taking up the question, and
decline/ignorance/clarification/deflection/hedging markers. Words are
normalised by :func:`analysis.nlp.word_forms` and the markers matched by the
lexicon matcher. The model that maps the features onto the coders' labels,
and its evaluation, are in :mod:`analysis.responsiveness`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .config import LEXICON_DIR, RAW_DIR
from .errors import InputError

#: The three clarity classes of QEvasion, spelled as in the data, from most to least responsive.
CLARITY_LABELS = ("Clear Reply", "Ambivalent", "Clear Non-Reply")
QEVASION_FILE = RAW_DIR / "qevasion" / "qevasion_train_subset_518.csv"
MARKERS_FILE = LEXICON_DIR / "responsiveness.yml"
#: Columns ``read_qevasion`` needs in the CSV.
QEVASION_COLUMNS = (
    "title", "date", "president", "url", "question_order", "interview_question",
    "interview_answer", "question", "clarity_label", "evasion_label",
)
#: Marker categories of ``responsiveness.yml``, each counted as the feature ``<category>_markers``.
MARKER_CATEGORIES = ("decline", "ignorance", "clarification", "deflection", "hedge", "question_reference")
#: The responsiveness features, in the order of every feature table.
FEATURES = (
    "lemma_overlap", "tfidf_cosine", "theme_continuity", "topic_shift", "length_ratio", "answer_length",
    "yes_no_question", "wh_question", "choice_question", "opens_with_stance", "yes_no_answered",
    "request_supplied", "opening_overlap", "opening_rest_similarity", "uptake_delay",
) + tuple(f"{category}_markers" for category in MARKER_CATEGORIES) + ("early_refusals", "hedged_refusal")
#: The marker categories that refuse an answer (``early_refusals``, ``hedged_refusal``).
REFUSAL_CATEGORIES = ("decline", "ignorance", "clarification", "deflection")
PAIR_COLUMNS = [
    "doc_id", "pair_id", "question_turn_id", "answer_turn_id", "question_speaker", "answer_speaker",
    "question", "answer",
]
#: Lexicon layers whose labels stand for what a question or an answer is about.
TOPIC_LAYERS = ("theme", "actor")


# --------------------------------------------------------------------------------------------
# Question–answer pairs of a parsed interview
# --------------------------------------------------------------------------------------------

def qa_pairs(turns: pd.DataFrame) -> pd.DataFrame:
    """Each question turn with the answer turns that take it up.

    ``turns`` is a turns table of the data contract (``doc_id, turn_id, role,
    text``; ``speaker`` when present), for one or many documents. Moderator
    turns between a question and its answer ("Go ahead.") are passed over. A
    question answered by two officials in turn gives two pairs, one per
    answer (a speaker's second answer turn to the same question is left out).
    A question followed by another question has no pair, and an answer without
    a question before it is left out. Returns one row per pair: ``doc_id, pair_id`` (0-based within the
    document), ``question_turn_id, answer_turn_id, question_speaker,
    answer_speaker, question, answer``.

    >>> turns = pd.DataFrame({"doc_id": ["d"] * 5, "turn_id": [0, 1, 2, 3, 4],
    ...                       "role": ["question", "moderator", "answer", "answer", "question"],
    ...                       "speaker": ["Q", "Chair", "A", "B", "Q"],
    ...                       "text": ["Why?", "Go ahead.", "Because.", "And also.", "And?"]})
    >>> qa_pairs(turns)[["pair_id", "question", "answer_speaker", "answer"]].values.tolist()
    [[0, 'Why?', 'A', 'Because.'], [1, 'Why?', 'B', 'And also.']]
    """
    missing = [c for c in ("doc_id", "turn_id", "role", "text") if c not in turns.columns]
    if missing:
        raise ValueError(f"the turns table lacks the column(s) {', '.join(missing)}")
    ordered = turns.sort_values(["doc_id", "turn_id"], kind="stable")
    speakers = ordered["speaker"] if "speaker" in ordered.columns else pd.Series("", index=ordered.index)
    rows = []
    pair_ids: Counter = Counter()
    question = None  # (doc_id, turn_id, speaker, text) of the question waiting for its answers
    answerers: set = set()  # who has answered it so far
    for doc_id, turn_id, role, text, speaker in zip(
        ordered["doc_id"], ordered["turn_id"], ordered["role"], ordered["text"], speakers
    ):
        if question is not None and question[0] != doc_id:
            question = None
        if role == "moderator":
            continue
        if role == "question":
            question, answerers = (doc_id, int(turn_id), speaker, text), set()
        elif role == "answer" and question is not None and speaker not in answerers:
            rows.append((doc_id, pair_ids[doc_id], question[1], int(turn_id), question[2], speaker, question[3], text))
            pair_ids[doc_id] += 1
            answerers.add(speaker)
        elif role != "answer":
            question = None
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    for column in ("pair_id", "question_turn_id", "answer_turn_id"):
        pairs[column] = pairs[column].astype("int64")
    return pairs


# --------------------------------------------------------------------------------------------
# Cleaning press-conference transcripts
# --------------------------------------------------------------------------------------------

_RUN_TOGETHER = re.compile(r"([a-z0-9%)\]][.?!]+[\"”’]?)(?=[A-Z“\"])")
_BRACKETS = re.compile(r"\s*\[[^\[\]]*\]\*?")
_TITLED_LABEL = (
    r"(?:The President|The Vice President"
    r"|(?:White House )?Press Secretary(?: [A-Z][\w'’-]*\.?){1,4}"
    r"|(?:(?:Pandemic |National Security |Economic |Senior )?Adviser|Vice President|President|Prime Minister"
    r"|Chancellor|General Secretary|Chairman|Secretary(?: of State)?|Minister|Ambassador|King|Crown Prince)"
    r"(?: [A-Z][\w'’-]*){1,3})"
)
#: A speaker label: "Q." anywhere, or "The President.", "President Putin.", "Pandemic Adviser Atlas." opening
#: a sentence.
SPEAKER_LABEL = re.compile(
    rf"(?:(?<![\w.])(?P<q>Q)\.(?=\s)|(?:^|(?<=[.?!\]])|(?<=[.?!\]]\s)|(?<=—\s))\s*(?P<titled>{_TITLED_LABEL})\."
    rf"(?=\s|[—\[A-Z“\"]|$))"
)
_THREE_LOWER = re.compile(r"\b[a-z][\w'’-]*\s+[a-z][\w'’-]*\s+[a-z][\w'’-]*\b")
_SENTENCE_END = re.compile(r"[.?!]+[\"”’)]*(?=\s|$)")
_ABBREVIATION = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Lt|Col|Sen|Rep|Gov|vs|[A-Z])|\.[A-Za-z])\.$")
_EDITORIAL = re.compile(r"(?i)inaudible|laughter|applause|correction|spoke in|translated|interpreter|at this point"
                        r"|^\W*$|crosstalk|unintelligible")
_COURTESY = re.compile(
    r"(?i)(?<![\w'])(?:all right|okay|ok|yes|yeah|please|go ahead|thank you|thanks|sir|ma'am|madam|let's see"
    r"|let me see|here|i've got|i will talk to|i'll go to|last question|next question|one more|everybody"
    r"|everyone|all|very|much|so|again|appreciate it|you|guys|good|now|right|where am i|who's next"
    r"|you get the last word|where's \w+|where is \w+|there you are|come on up|let's go|hold on|a second"
    r"|nice to see you|good to see you|you have the floor|enjoyed it|for your interest|for coming|god bless"
    r"|sure|go|last one|one more|behind you)(?![\w'])"
)
_TURN_TAKING = re.compile(
    r"(?i)(?<![\w'])(?:go ahead|please|let's see|let me see|last question|next question|i've got|i will talk to"
    r"|i'll go to|thank you|thanks|who's next|you have the floor|come on up|where am i|yes, (?:sir|ma'am)"
    r"|enjoyed it|appreciate it|last one|one more|behind you)(?![\w'])"
)
_HANDOVER = re.compile(  # "The question will be from Mr. …", "Final question comes from Ed Henry …"
    r"^\W*(?:[Aa]nd |[Nn]ow, )?(?:[Tt]he |[Oo]ur )?(?:(?:[Nn]ext|[Ll]ast|[Ff]inal|[Ff]irst|[Ss]econd|[Tt]hird) )?"
    r"[Qq]uestion (?:will be |is |comes )?(?:from|for) [A-Z]"
)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|of|the|from|with|and|,)$")
_RESPONSE_WORDS = frozenset(
    """yes no absolutely certainly definitely sure indeed correct exactly right true false never nope maybe
    possibly probably perhaps fine good great nothing nobody none both neither either not well again so
    everything everybody anything thanks okay agreed done""".split()
)


def split_run_together(text: str) -> str:
    """Put a space between sentences that run together ("right.And so" -> "right. And so").

    Only a lower-case letter, digit or closing bracket before the stop counts,
    so initials and abbreviations ("U.S.A.", "A.N.Darchiev") stay as they are.

    >>> split_run_together("That's right.And so?Yes. U.S.A.")
    "That's right. And so? Yes. U.S.A."
    """
    return _RUN_TOGETHER.sub(r"\1 ", text)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans for cleaning (stops followed by space; common abbreviations kept)."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if _ABBREVIATION.search(text[max(0, match.start() - 6):match.start() + 1]):
            continue
        if text[start:match.end()].strip():
            spans.append((start, match.end()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _strip_trailing_headings(text: str) -> str:
    """Drop the archive's subject headings glued to the end ("….Government of Iraq/", "./Japan/China").

    A heading tail follows a sentence end, contains a slash and no run of three
    lower-case words (that is, no ordinary sentence).
    """
    for match in re.finditer(r"[.?!][\"”’)\]]*", text):
        tail = text[match.end():]
        if "/" in tail and "?" not in tail and not _THREE_LOWER.search(tail):
            return text[:match.end()]
    return text


def _is_reporter_tag(match: re.Match) -> bool:
    """A bracketed reporter or outlet ("[Bloomberg News]"), not a stage direction or correction."""
    inside = match.group(0).strip().rstrip("*")
    return not match.group(0).endswith("*") and not _EDITORIAL.search(inside[1:-1])


def _call_kind(sentence: str, *, glued: bool) -> str | None:
    """What a sentence does at the end of an answer.

    ``"call"`` hands the floor on or closes the session ("Go ahead.", "Last
    question, Michelle Kosinski [CNN].", "Mike Emanuel, FOX.", "Thank you."),
    ``"ack"`` only acknowledges ("All right.", "Okay?"), ``"yes"`` is a bare
    "Yes."/"Sure." (an answer or a call), ``"name"`` a lone first name ("Phil.");
    ``None`` is anything else.
    """
    bare = _BRACKETS.sub(" ", sentence).strip()
    if not bare.strip(" ,.?!—-"):
        return "ack"
    if _HANDOVER.search(bare):
        return "call"
    rest = _COURTESY.sub(" ", bare).strip(" ,.?!—-")
    if not rest:
        if _TURN_TAKING.search(bare):
            return "call"
        return "yes" if re.search(r"(?i)(?<![\w'])(?:yes|yeah|sure)(?![\w'])", bare) else "ack"
    words = re.findall(r"[\w'’.-]+|,", rest)
    if len(words) > 6 or not all(_NAME_WORD.match(w) for w in words):
        return None
    if any(w.lower().strip(".") in _RESPONSE_WORDS for w in words):
        return None
    capitalised = [w for w in words if w[:1].isupper()]
    if len(capitalised) >= 2 or glued or rest != bare.strip(" ,.?!—-"):
        return "call"
    return "name"


def strip_reporter_call(text: str) -> str:
    """Remove the closing hand-over to the next reporter ("… there.Julianna Goldman [Bloomberg News].").

    The call is the last sentence naming a reporter in brackets when at most
    twelve words follow it, or a run of closing sentences that hands the floor
    on ("Go ahead.", "Yes, Jim.", "Mike Emanuel, FOX.", "Thank you very much,
    everybody.", a first name glued to the sentence before: "….Sheryl."),
    with the acknowledgements around it ("All right.", "Okay?"). A bare "Yes."
    that opens such a run is kept (it may answer the question), and so is the
    first sentence of an answer.

    >>> strip_reporter_call("It worked.Julianna Goldman [Bloomberg News].")
    'It worked.'
    >>> strip_reporter_call("Absolutely. Yes.Let's see, Phil Mattingly [Bloomberg News].")
    'Absolutely. Yes.'
    """
    raw = text.rstrip()
    spaced = split_run_together(raw)
    # where a space was put between glued sentences: the i-th boundary moves by the i spaces before it
    glued_at = {end + i for i, end in enumerate(m.end(1) for m in _RUN_TOGETHER.finditer(raw))}
    spans = _sentence_spans(spaced)
    if len(spans) < 2:
        return spaced
    kinds = [_call_kind(spaced[s:e], glued=s in glued_at) for s, e in spans]
    cut = len(spans)
    tags = [m for m in re.finditer(r"\[[^\[\]]*\]\*?", spaced) if _is_reporter_tag(m)]
    if tags and len(re.findall(r"[\w'’]+", spaced[tags[-1].end():])) <= 12:
        index = next((i for i, (s, e) in enumerate(spans) if s <= tags[-1].start() < e), None)
        if index is not None and index > 0:
            cut = index
    run = cut
    while run > 1 and kinds[run - 1] is not None:
        run -= 1
    if cut < len(spans) or "call" in kinds[run:cut]:
        while run < cut and kinds[run] == "yes":
            run += 1
        cut = run
    return spaced[:spans[cut - 1][1]].rstrip() if cut < len(spans) else spaced


def _speaker_labels(text: str) -> list[re.Match]:
    """The speaker labels of a text (a title after "Mr."/"Mrs."/"Ms."/"Dr." is an address, not a label)."""
    return [m for m in SPEAKER_LABEL.finditer(text)
            if m["q"] or not re.search(r"\b(?:Mr|Mrs|Ms|Dr|Madam)\.?\s*$", text[:m.start("titled")])]


def _strip_speaker_labels(text: str, *, keep: str = "all") -> str:
    """Remove speaker labels; with ``keep="questions"`` keep only what follows "Q." labels.

    In a QEvasion question the reporter's turns are labelled "Q." and may be
    interleaved with other speakers' turns ("The President. Yes.") and with the
    archive's subject headings; ``keep="questions"`` keeps the text before the
    first label and after each "Q.", and drops the rest. A subject heading glued
    before a label ("…Huawei.Turkey/Turkey's Purchase of … Q.") is dropped too.
    """
    labels = _speaker_labels(text)
    if not labels:
        return text
    pieces = [(0, labels[0].start(), True)]
    for label, following in zip(labels, labels[1:] + [None]):
        end = following.start() if following is not None else len(text)
        pieces.append((label.end(), end, keep == "all" or label["q"] is not None))
    kept = []
    for start, end, wanted in pieces:
        piece = text[start:end]
        if wanted:
            kept.append(_drop_heading_before_label(piece) if end < len(text) else piece)
    return " ".join(p.strip() for p in kept if p.strip())


def _drop_heading_before_label(piece: str) -> str:
    """Drop a subject heading glued to the end of a turn ("…Huawei.Turkey/Turkey's Purchase of … ").

    The heading starts right after a word's stop or a dash with no space
    ("predecessor?Iran", "——Protests and Civil Unrest …", "—— Federal Coronavirus
    Response"; not "U.S.") and holds at most fifteen words, no question mark and
    no run of three lower-case words.
    """
    for match in re.finditer(r"(?:(?<=[a-z0-9)\]])[.?!]|——\s?)(?=[A-Z])", piece):
        rest = piece[match.end():]
        if rest.strip() and len(rest.split()) <= 15 and "?" not in rest and not _THREE_LOWER.search(rest):
            return piece[:match.end()]
    return piece


def _tidy(text: str) -> str:
    text = _BRACKETS.sub(" ", text)
    text = split_run_together(text)
    text = re.sub(r"([.?!])(?:\s+\.)+(?=\s|$)", r"\1", text)  # "much. [.] Thank" -> "much. Thank"
    text = re.sub(r"([—-])\s+(?=[—-])", r"\1", text)  # "change—[inaudible]—the" -> "change——the"
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def clean_question(text: str) -> str:
    """A press-conference question without "Q." and other speakers' labelled turns, headings and brackets.

    >>> clean_question("Q. Mr. President——Iran  Q. Does it need a higher cost? The President. Yes.")
    'Mr. President—— Does it need a higher cost?'
    """
    text = _strip_trailing_headings(_BRACKETS.sub(" ", str(text)))
    return _tidy(_strip_speaker_labels(text, keep="questions")) or _tidy(_strip_speaker_labels(text, keep="all"))


def clean_answer(text: str) -> str:
    """A press-conference answer without the closing call of the next reporter, labels, headings and brackets.

    >>> clean_answer("Absolutely. Yes.Let's see, Phil Mattingly [Bloomberg News].")
    'Absolutely. Yes.'
    """
    text = _strip_trailing_headings(str(text))
    text = strip_reporter_call(text)
    text = _strip_trailing_headings(text)
    return _tidy(_strip_speaker_labels(_BRACKETS.sub(" ", text), keep="all"))


# --------------------------------------------------------------------------------------------
# The labelled QEvasion sample
# --------------------------------------------------------------------------------------------

def read_qevasion(path: str | Path | None = None) -> pd.DataFrame:
    """The labelled QEvasion sample as one cleaned row per (question, sub-question) pair.

    Columns: ``row`` (0-based row of the CSV), ``conference`` (the press
    conference: its ``url``, or title and date), ``title, date, president,
    url, question_order``, ``question`` (the labelled sub-question), ``full_question``
    (the reporter's whole turn without "Q.", other speakers' turns, headings and
    bracketed notes), ``answer`` (without the closing call of the next reporter,
    labels and bracketed notes; run-together sentences split),
    ``clarity_label, evasion_label`` and, when present, ``inaudible,
    multiple_questions, affirmative_questions``. Raises :class:`InputError`
    naming the file when it is missing, unreadable, lacks columns or holds a
    clarity label other than the three of :data:`CLARITY_LABELS`.
    """
    path = Path(path) if path is not None else QEVASION_FILE
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        raw = pd.read_csv(path, dtype={"url": "string", "title": "string", "date": "string"})
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as error:
        raise InputError(path, f"cannot be read as CSV ({error.__class__.__name__}: {error})") from error
    missing = [c for c in QEVASION_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(path, f"lacks the column(s) {', '.join(missing)}")
    for column in ("interview_question", "interview_answer", "question", "clarity_label"):
        empty = raw[column].isna()
        if empty.any():
            raise InputError(path, f"column {column!r} is empty", line=int(np.flatnonzero(empty)[0]) + 2)
    labels = raw["clarity_label"].astype(str).str.strip()
    unknown = ~labels.isin(CLARITY_LABELS)
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        raise InputError(path, f"unknown clarity label {labels.iloc[first]!r} (expected one of "
                               f"{', '.join(CLARITY_LABELS)})", line=first + 2)
    url = raw["url"].fillna("").astype(str).str.strip()
    fallback = raw["title"].fillna("").astype(str) + " | " + raw["date"].fillna("").astype(str)
    table = pd.DataFrame({
        "row": np.arange(len(raw), dtype="int64"),
        "conference": url.where(url != "", fallback),
        "title": raw["title"], "date": raw["date"], "president": raw["president"], "url": raw["url"],
        "question_order": raw["question_order"],
        "question": [_tidy(str(q)) for q in raw["question"]],
        "full_question": [clean_question(q) for q in raw["interview_question"]],
        "answer": [clean_answer(a) for a in raw["interview_answer"]],
        "clarity_label": labels,
        "evasion_label": raw["evasion_label"],
    })
    for column in ("inaudible", "multiple_questions", "affirmative_questions"):
        if column in raw.columns:
            table[column] = raw[column].astype(bool)
    return table


# --------------------------------------------------------------------------------------------
# The markers (lexicons/responsiveness.yml), matched by the lexicon matcher
# --------------------------------------------------------------------------------------------

#: Kinds of information a wh-question requests, as the sections of ``wh_questions`` in ``responsiveness.yml``.
WH_KINDS = ("number", "entity", "reason", "open")


@dataclass(frozen=True)
class ResponsivenessMarkers:
    """The phrases of ``responsiveness.yml``, by section (lower case, apostrophes straight)."""

    categories: tuple[tuple[str, tuple[str, ...]], ...]
    openings: tuple[tuple[str, tuple[str, ...]], ...]
    opening_skips: tuple[str, ...]
    polar_first_words: tuple[str, ...]
    polar_tags: tuple[str, ...]
    polar_skips: tuple[str, ...]
    wh_words: tuple[tuple[str, tuple[str, ...]], ...]
    reason_words: tuple[str, ...]
    ignore_lemmas: frozenset[str]
    source: str = ""

    def phrases(self, category: str) -> tuple[str, ...]:
        """The phrases of one marker category."""
        return dict(self.categories)[category]

    def entries(self) -> pd.DataFrame:
        """Every phrase as a lexicon entry (``layer``: the section, ``label``: its category or kind).

        Phrases match word forms case-insensitively (``match = form``); a phrase
        with a glob character ("what?") matches its tokens literally (``regex``).
        """
        sections = [("marker", self.categories), ("opening", self.openings), ("wh", self.wh_words),
                    ("opening_skip", (("skip", self.opening_skips),)),
                    ("polar_first", (("polar", self.polar_first_words),)),
                    ("polar_tag", (("tag", self.polar_tags),)), ("polar_skip", (("skip", self.polar_skips),)),
                    ("reason", (("reason", self.reason_words),))]
        rows = []
        for layer, groups in sections:
            for label, phrases in groups:
                for phrase in phrases:
                    if "?" in phrase or "*" in phrase:
                        pieces = [re.escape(t) for piece in phrase.split() for t in _phrase_tokens(piece)]
                        rows.append({"layer": layer, "label": label, "pattern": " ".join(pieces), "match": "regex"})
                    else:
                        rows.append({"layer": layer, "label": label, "pattern": phrase, "match": "form"})
        return pd.DataFrame(rows).assign(source=self.source)


@lru_cache(maxsize=10_000)
def _phrase_tokens(piece: str) -> tuple[str, ...]:
    from .nlp import get_pipeline

    return tuple(t.text for t in get_pipeline().tokenizer(piece) if not t.is_space)


@lru_cache(maxsize=8)
def _compiled_markers(markers: ResponsivenessMarkers):
    from .lexicon import compile_lexicon

    return compile_lexicon(markers.entries())


def load_markers(path: str | Path | None = None) -> ResponsivenessMarkers:
    """Read the responsiveness markers (default: the package's ``lexicons/responsiveness.yml``).

    Raises :class:`InputError` naming the file (and line, for YAML syntax
    errors) when it is missing, not YAML, or lacks a section.
    """
    return _load_markers(str(Path(path) if path is not None else MARKERS_FILE))


@lru_cache(maxsize=8)
def _load_markers(path: str) -> ResponsivenessMarkers:
    import yaml

    from .nlp import normalise

    if not Path(path).is_file():
        raise InputError(path, "file not found")
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise InputError(path, f"is not valid YAML ({getattr(error, 'problem', error)})",
                         line=None if mark is None else mark.line + 1) from error
    if not isinstance(data, dict):
        raise InputError(path, "must hold a mapping of sections")

    def section(*keys: str):
        node = data
        for depth, key in enumerate(keys):
            if not isinstance(node, dict) or key not in node:
                raise InputError(path, f"lacks the section {'.'.join(keys[:depth + 1])!r}")
            node = node[key]
        return node

    def phrases(*keys: str) -> tuple[str, ...]:
        values = section(*keys)
        if not isinstance(values, list):
            raise InputError(path, f"{'.'.join(keys)!r} must be a list of phrases")
        for value in values:
            if not isinstance(value, str) or not value.strip():
                hint = " (quote yes/no/on/off: YAML reads them as true/false)" if isinstance(value, bool) else ""
                raise InputError(path, f"{'.'.join(keys)!r} holds {value!r}, not a phrase{hint}")
        return tuple(normalise(v).strip().lower() for v in values)

    return ResponsivenessMarkers(
        categories=tuple((c, phrases("markers", c, "phrases")) for c in MARKER_CATEGORIES),
        openings=tuple((kind, phrases("answer_openings", kind)) for kind in ("affirmative", "negative", "stance")),
        opening_skips=phrases("answer_openings", "skip_at_opening"),
        polar_first_words=phrases("polar_questions", "first_words"),
        polar_tags=phrases("polar_questions", "tags"),
        polar_skips=phrases("polar_questions", "skip_at_opening"),
        wh_words=tuple((kind, phrases("wh_questions", kind)) for kind in WH_KINDS),
        reason_words=phrases("reason_words"),
        ignore_lemmas=frozenset(phrases("ignore_lemmas")),
        source=path,
    )


@dataclass(frozen=True)
class Marker:
    """One matched marker: its category, the lexicon phrase and the span in the text."""

    category: str
    phrase: str
    start: int
    end: int
    text: str


def find_markers(text: str, *, markers: ResponsivenessMarkers | None = None) -> list[Marker]:
    """Every responsiveness marker in ``text``, left to right; overlapping phrases count once (longest wins).

    The phrases are matched by the lexicon matcher (:func:`analysis.lexicon.match_tokens`):
    whole tokens within a sentence, case-insensitively, with typographic apostrophes
    read as straight ones.

    >>> [(m.category, m.text) for m in find_markers("Well, I'm not going to comment. We'll see.")]
    [('decline', "I'm not going to comment"), ('hedge', "We'll see")]
    """
    markers = markers or load_markers()
    profile = _profiles([str(text)], markers)[0]
    return [Marker(label, phrase, profile.tokens[first][0], profile.tokens[last][1],
                   profile.text[profile.tokens[first][0]:profile.tokens[last][1]])
            for layer, label, phrase, first, last in profile.hits if layer == "marker"]


# --------------------------------------------------------------------------------------------
# Text profiles: tokens, sentences, lexicon labels and markers of one text (cached)
# --------------------------------------------------------------------------------------------

_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    sixty seventy eighty ninety hundred thousand million billion trillion percent half dozen january february
    march april may june july august september october november december""".split()
)


@dataclass(frozen=True)
class _Profile:
    """One text as the features read it.

    ``tokens``: every non-space token as ``(start, end, text, key, content,
    punct, sentence)`` where ``key`` is the normalised lookup lemma
    (:func:`analysis.nlp.word_forms`) and ``content`` marks alphabetic non-stop
    words longer than one letter outside ``ignore_lemmas``; ``sentences``: the
    first token of each sentence and one past its last; ``topics``: theme and
    actor labels of the package lexicons (``"layer:label"``, matched text);
    ``hits``: the marker lexicon's matches ``(layer, label, phrase, first token,
    last token)``.
    """

    text: str
    tokens: tuple[tuple[int, int, str, str, bool, bool, int], ...]
    sentences: tuple[tuple[int, int], ...]
    topics: tuple[tuple[str, str], ...]
    hits: tuple[tuple[str, str, str, int, int], ...]

    def words(self) -> list[int]:
        """Positions of the tokens that are not punctuation."""
        return [i for i, token in enumerate(self.tokens) if not token[5]]

    def content(self, first: int = 0, last: int | None = None) -> list[str]:
        """Content lemmas of the tokens ``first`` … ``last - 1``."""
        return [t[3] for t in self.tokens[first:last] if t[4]]

    def starting(self, layer: str) -> dict[int, tuple[str, str, int]]:
        """The matches of one marker layer by first token: ``{first: (label, phrase, last)}``."""
        return {first: (label, phrase, last) for lay, label, phrase, first, last in self.hits if lay == layer}


# profiles by markers, then by text: the markers (a large frozen dataclass) are hashed once per call
_PROFILES: dict[ResponsivenessMarkers, dict[str, _Profile]] = {}
_MAX_PROFILES = 50_000


def _profiles(texts: Iterable[str], markers: ResponsivenessMarkers) -> list[_Profile]:
    """Profiles of many texts, with one pass of the spaCy pipeline and of each lexicon.

    The texts are laid end to end, each as a paragraph and a turn of its own,
    so sentences, phrase matches and the lexicons' context windows never cross
    from one text into another.
    """
    from .lexicon import find_matches, match_tokens
    from .nlp import annotate_paragraphs, normalise, word_forms

    texts = [str(t) for t in texts]
    cache = _PROFILES.setdefault(markers, {})
    todo = sorted({t for t in texts if t not in cache})
    if todo:
        if len(cache) + len(todo) > _MAX_PROFILES:
            cache.clear()
        starts = np.concatenate([[0], np.cumsum([len(t) + 2 for t in todo])[:-1]]).astype("int64")
        document = "\n\n".join(todo)
        paragraphs = pd.DataFrame({
            "turn_id": np.arange(len(todo), dtype="int64"), "paragraph_id": np.arange(len(todo), dtype="int64"),
            "start": starts, "end": starts + np.asarray([len(t) for t in todo], dtype="int64"),
        })
        sentences, tokens = annotate_paragraphs(document, paragraphs, doc_id="")
        tokens = tokens[tokens["text"].str.strip() != ""].reset_index(drop=True)
        turn = tokens["turn_id"].to_numpy()
        first_token = {}
        tokens_by: dict[int, list] = {i: [] for i in range(len(todo))}
        position: dict[int, int] = {}
        sentence_of = tokens["sentence_id"].to_numpy()
        for t, token_id, start, end, text, lower, lemma, alpha, stop, punct, sentence in zip(
            turn, tokens["token_id"], tokens["start"], tokens["end"], tokens["text"], tokens["lower"],
            tokens["lemma"], tokens["is_alpha"], tokens["is_stop"], tokens["is_punct"], sentence_of,
        ):
            t = int(t)
            first_token.setdefault(t, int(token_id))
            position[int(token_id)] = len(tokens_by[t])
            # the word's lookup lemma where the pipeline's lemma is just the lower-cased word
            key = word_forms(text)[2] if lemma == lower else normalise(lemma)
            content = bool(alpha) and not bool(stop) and len(key) > 1 and key not in markers.ignore_lemmas
            tokens_by[t].append((int(start) - int(starts[t]), int(end) - int(starts[t]), text, key, content,
                                 bool(punct), int(sentence)))
        sentences_by: dict[int, list] = {i: [] for i in range(len(todo))}
        for t, items in tokens_by.items():
            ids = [item[6] for item in items]
            for j, sid in enumerate(ids):
                if j == 0 or sid != ids[j - 1]:
                    sentences_by[t].append([j, j + 1])
                else:
                    sentences_by[t][-1][1] = j + 1
        topics_by: dict[int, list] = {i: [] for i in range(len(todo))}
        hits_by: dict[int, list] = {i: [] for i in range(len(todo))}
        if len(tokens):
            found = find_matches(document, tokens, sentences, doc_id="", layers=list(TOPIC_LAYERS))
            found = found.sort_values(["turn_id", "start", "end", "layer", "label"], kind="stable")
            for t, layer, label, matched in zip(found["turn_id"], found["layer"], found["label"], found["text"]):
                topics_by[int(t)].append((f"{layer}:{label}", str(matched)))
            hits = match_tokens(tokens, _compiled_markers(markers), texts={"": document})
            hits = hits.sort_values(["turn_id", "start", "end", "layer", "label"], kind="stable")
            for t, layer, label, pattern, first, last in zip(
                hits["turn_id"], hits["layer"], hits["label"], hits["pattern"], hits["first_token"], hits["last_token"]
            ):
                phrase = pattern.replace("\\", "") if "\\" in pattern else pattern
                hits_by[int(t)].append((layer, label, phrase, position[int(first)], position[int(last)]))
        for i, text in enumerate(todo):
            cache[text] = _Profile(text, tuple(tokens_by[i]), tuple(map(tuple, sentences_by[i])),
                                                  tuple(topics_by[i]), tuple(hits_by[i]))
    return [cache[t] for t in texts]


# --------------------------------------------------------------------------------------------
# Tf-idf similarity of question and answer (stats.tfidf_terms)
# --------------------------------------------------------------------------------------------

def tfidf_vectors(texts: Sequence[str], *, reference: Iterable[str] = (),
                  markers: ResponsivenessMarkers | None = None) -> list[dict[str, float]]:
    """The tf-idf vector of each text's content lemmas, as ``{lemma: weight}`` of unit length.

    Every distinct text of ``texts`` and ``reference`` with content lemmas is
    one document, weighted as :func:`analysis.stats.tfidf_terms` weighs them
    (scikit-learn's smoothed idf and L2 norm); no labels are involved. A text
    without content lemmas has an empty vector.
    """
    markers = markers or load_markers()
    texts = [str(t) for t in texts]
    distinct = sorted(set(texts) | {str(t) for t in reference})
    lemmas = {p.text: p.content() for p in _profiles(distinct, markers)}
    documents = [text for text in distinct if lemmas[text]]
    if not documents:
        return [{} for _ in texts]
    matrix, vocabulary = _tfidf_matrix([lemmas[text] for text in documents])
    row_of = {text: i for i, text in enumerate(documents)}
    vectors: dict[str, dict[str, float]] = {}
    for text in set(texts):
        if text in row_of:
            start, end = matrix.indptr[row_of[text]], matrix.indptr[row_of[text] + 1]
            vectors[text] = {vocabulary[j]: float(v) for j, v in zip(matrix.indices[start:end], matrix.data[start:end])}
    return [vectors.get(t, {}) for t in texts]


def _tfidf_matrix(documents: list[list[str]]):
    """The tf-idf matrix (CSR) of term lists, as :func:`analysis.stats.tfidf_terms` weighs them, and its terms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from .stats import _as_is

    vectorizer = TfidfVectorizer(analyzer=_as_is, lowercase=False)
    return vectorizer.fit_transform(documents).tocsr(), vectorizer.get_feature_names_out()


def tfidf_cosine(question: str, answer: str, *, reference: Iterable[str] = (),
                 markers: ResponsivenessMarkers | None = None) -> float:
    """Cosine similarity of the tf-idf vectors of two texts' content lemmas (0 when either has none).

    The two texts and ``reference`` are the documents (see :func:`tfidf_vectors`).

    >>> round(tfidf_cosine("Will sanctions hurt the economy?", "Sanctions will not hurt our economy."), 3)
    1.0
    """
    q_vec, a_vec = tfidf_vectors([question, answer], reference=reference, markers=markers)
    return float(sum(value * a_vec.get(term, 0.0) for term, value in q_vec.items()))


# --------------------------------------------------------------------------------------------
# Responsiveness features with their evidence
# --------------------------------------------------------------------------------------------

_ADDRESS_WORDS = frozenset(
    "mr mrs ms madam sir president minister chancellor secretary general dr excellency excellencies everyone "
    "everybody ma'am".split()
)
#: Sentences at the start of an answer in which it should supply what the question requests.
ANSWER_HEAD_SENTENCES = 3


def _sentence_opening(profile: _Profile, first: int, last: int, skips: dict) -> int:
    """The token where a sentence's first word stands, after punctuation, fillers and an address before a comma."""
    tokens, i = profile.tokens, first
    for _ in range(20):
        while i < last and tokens[i][5]:
            i += 1
        if i in skips:
            i = skips[i][2] + 1
            continue
        comma = next((j for j in range(i, min(i + 8, last)) if tokens[j][2] == ","), None)
        if comma is not None and _ADDRESS_WORDS & {tokens[j][2].lower().rstrip(".") for j in range(i, comma)}:
            i = comma + 1
            continue
        break
    return i


def _asking_sentences(profile: _Profile) -> list[tuple[int, int]]:
    """The question's interrogative sentences (all its sentences when none ends in '?')."""
    asking = [(s, e) for s, e in profile.sentences
              if profile.text[profile.tokens[s][0]:profile.tokens[e - 1][1]].rstrip("\"”’') ").endswith("?")]
    return asking or list(profile.sentences)


def _requests(profile: _Profile) -> list[tuple[str, str, list[str]]]:
    """What each asking sentence requests: ``(kind, sentence, alternatives)``.

    ``kind`` is ``choice`` (a yes/no question offering alternatives joined by
    "or"), ``polar`` (yes/no: an auxiliary or modal first, or a closing tag),
    one of :data:`WH_KINDS` for a wh-question (``number``: "how many", "when";
    ``entity``: "who", "which", "where"; ``reason``: "why"; ``open``: "what",
    "how"), or ``statement`` for anything else.
    """
    polar_skips, polar_first = profile.starting("polar_skip"), profile.starting("polar_first")
    wh, tags = profile.starting("wh"), profile.starting("polar_tag")
    found = []
    for first, last in _asking_sentences(profile):
        sentence = profile.text[profile.tokens[first][0]:profile.tokens[last - 1][1]]
        end = last - 1
        while end > first and profile.tokens[end][2] in ('"', "”", "'", ")", "’"):
            end -= 1
        tagged = any(tag_last == end for start, (_, _, tag_last) in tags.items() if first <= start)
        i = _sentence_opening(profile, first, last, polar_skips)
        kind = "statement"
        if i < last and i in wh:
            kind = wh[i][0]
        elif tagged or (i < last and i in polar_first):
            kind = "polar"
        alternatives: list[str] = []
        if kind in ("polar", "statement"):
            for j in range(first + 1, last - 1):
                word = profile.tokens[j][2].lower()
                if word == "or" and profile.tokens[j + 1][2].lower() not in ("not", "no", "?"):
                    alternatives += [t[3] for t in profile.tokens[max(first, j - 3):min(last, j + 4)]
                                     if t[4] or any(ch.isdigit() for ch in t[2])]
            if alternatives:
                kind = "choice"
        found.append((kind, sentence, sorted(set(alternatives))))
    return found


def _answer_opening(profile: _Profile) -> tuple[str, str] | None:
    """The yes/no or stance phrase the answer opens with (after fillers and a vocative), as (kind, text).

    An opening that is itself a decline, ignorance or clarification marker
    ("I don't know", "I won't be discussing …") is not a stance.
    """
    tokens = profile.tokens
    openings, skips = profile.starting("opening"), profile.starting("opening_skip")
    non_reply = {first for layer, label, _, first, _ in profile.hits
                 if layer == "marker" and label in ("decline", "ignorance", "clarification")}
    i, n = 0, len(tokens)
    for _ in range(12):
        while i < n and tokens[i][5]:
            i += 1
        if i >= n:
            return None
        if i in openings:
            kind, _, last = openings[i]
            return None if i in non_reply else (kind, profile.text[tokens[i][0]:tokens[last][1]])
        if i in skips:
            i = skips[i][2] + 1
            continue
        # a vocative: one or two capitalised words and a comma ("Ed, going into Iraq …")
        for size in (1, 2):
            names = tokens[i:i + size]
            if (len(names) == size and i + size < n and tokens[i + size][2] == ","
                    and all(t[2][:1].isupper() and t[2].lower() not in ("i", "we") and not t[5] for t in names)):
                i += size + 1
                break
        else:
            return None
    return None


def _supplies(kind: str, alternatives: list[str], head: _Profile, head_end: int, opening, q_content: set) -> list[str]:
    """The answer's words (in its first sentences) that supply what one asking sentence requests."""
    tokens = head.tokens[:head_end]
    sentence_starts = {s for s, _ in head.sentences}
    if kind == "polar":
        return [opening[1]] if opening else []
    if kind == "choice":
        return sorted({t[2] for t in tokens if t[3] in alternatives})
    if kind == "number":
        return [t[2] for t in tokens if any(ch.isdigit() for ch in t[2]) or t[2].lower() in _NUMBER_WORDS][:5]
    if kind == "entity":
        return [t[2] for j, t in enumerate(tokens)
                if t[2][:1].isupper() and t[2].isalpha() and j not in sentence_starts and t[2] != "I"][:5]
    if kind == "reason":
        reasons = head.starting("reason")
        return [head.text[tokens[j][0]:tokens[last][1]] for j, (_, _, last) in sorted(reasons.items())
                if j < head_end][:5]
    return sorted({t[2] for t in tokens if t[3] in q_content})[:5]


def _set_cosine(a: set, b: set) -> float:
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


# the features of a pair other than the tf-idf cosine (which depends on the reference texts), by markers and texts
_ANALYSES: dict[ResponsivenessMarkers, dict[tuple[str, str], tuple]] = {}


def _pair_analysis(q: _Profile, a: _Profile, q_vec: Mapping[str, float], a_vec: Mapping[str, float],
                   markers: ResponsivenessMarkers) -> list[tuple[str, float, list[str]]]:
    """Every feature of one pair with the words behind it: ``[(feature, value, evidence), ...]``."""
    cache = _ANALYSES.setdefault(markers, {})
    if (q.text, a.text) not in cache:
        if len(cache) >= _MAX_PROFILES:
            cache.clear()
        cache[(q.text, a.text)] = tuple(_text_analysis(q, a, markers))
    rows = list(cache[(q.text, a.text)])
    # tf-idf cosine, with the shared terms that contribute most
    contributions = {t: q_vec[t] * a_vec[t] for t in q_vec if t in a_vec}
    top = sorted(contributions.items(), key=lambda tc: (-tc[1], tc[0]))
    rows.insert(1, ("tfidf_cosine", float(sum(contributions.values())), [f"{t} ({c:.3f})" for t, c in top[:10]]))
    return rows


def _text_analysis(q: _Profile, a: _Profile, markers: ResponsivenessMarkers) -> list[tuple[str, float, list[str]]]:
    """The features of one pair that depend on its two texts only (all but ``tfidf_cosine``)."""
    q_lemmas, a_lemmas = q.content(), a.content()
    rows: list[tuple[str, float, list[str]]] = []

    # content-lemma overlap: share of the question's distinct content lemmas that the answer uses
    q_set, a_set = set(q_lemmas), set(a_lemmas)
    shared = sorted(q_set & a_set)
    rows.append(("lemma_overlap", len(shared) / len(q_set) if q_set else 0.0, shared))

    # theme and actor labels of the package lexicons: continuity and shift
    q_labels = sorted({label for label, _ in q.topics})
    a_labels = sorted({label for label, _ in a.topics})
    a_words: dict[str, list[str]] = {}
    for label, matched in a.topics:
        if matched not in a_words.setdefault(label, []):
            a_words[label].append(matched)
    kept = [label for label in q_labels if label in a_labels]
    new = [label for label in a_labels if label not in q_labels]
    rows.append(("theme_continuity", len(kept) / len(q_labels) if q_labels else 0.0,
                 [f"{label}: {', '.join(a_words[label])}" for label in kept]))
    rows.append(("topic_shift", len(new) / len(a_labels) if a_labels else 0.0,
                 [f"{label}: {', '.join(a_words[label])}" for label in new]))

    # length of the answer, relative to the question
    a_words_at = a.words()
    n_q, n_a = len(q.words()), len(a_words_at)
    rows.append(("length_ratio", math.log2((n_a + 1) / (n_q + 1)), [f"answer {n_a} words, question {n_q} words"]))
    rows.append(("answer_length", math.log2(n_a + 1), [f"answer {n_a} words"]))

    # what the question requests, and whether the answer's first sentences supply it
    requests = _requests(q)
    n_ask = len(requests) or 1
    polar = [s for kind, s, _ in requests if kind in ("polar", "choice")]
    wh = [f"{kind}: {s}" for kind, s, _ in requests if kind in WH_KINDS]
    choice = [f"{s} ({', '.join(alts)})" for kind, s, alts in requests if kind == "choice"]
    opening = _answer_opening(a)
    head_end = a.sentences[min(len(a.sentences), ANSWER_HEAD_SENTENCES) - 1][1] if a.sentences else 0
    supplied = []
    for kind, _sentence, alternatives in requests:
        words = _supplies(kind, alternatives, a, head_end, opening, q_set)
        if words:
            supplied.append(f"{kind}: {', '.join(words)}")
    rows.append(("yes_no_question", len(polar) / n_ask if requests else 0.0, polar))
    rows.append(("wh_question", len(wh) / n_ask if requests else 0.0, wh))
    rows.append(("choice_question", len(choice) / n_ask if requests else 0.0, choice))
    rows.append(("opens_with_stance", 1.0 if opening else 0.0, [f"{opening[0]}: {opening[1]}"] if opening else []))
    rows.append(("yes_no_answered", (len(polar) / n_ask if requests else 0.0) * (1.0 if opening else 0.0),
                 [f"{opening[0]}: {opening[1]}"] if opening and polar else []))
    rows.append(("request_supplied", len(supplied) / n_ask if requests else 0.0, supplied))

    # the answer's opening: does its first sentence take up the question, and does the rest stay on it?
    first_end = a.sentences[0][1] if a.sentences else 0
    opening_set = set(a.content(0, first_end))
    rest_set = set(a.content(first_end))
    opening_shared = sorted(q_set & opening_set)
    rows.append(("opening_overlap", len(opening_shared) / len(q_set) if q_set else 0.0, opening_shared))
    rows.append(("opening_rest_similarity", _set_cosine(opening_set, rest_set) if rest_set else 1.0,
                 sorted(opening_set & rest_set)))
    # how far the answer runs before any content word of the question appears
    before = next((k for k, j in enumerate(a_words_at) if a.tokens[j][4] and a.tokens[j][3] in q_set), n_a)
    delay_evidence = ([f"{before} words before '{a.tokens[a_words_at[before]][2]}'"] if before < n_a
                      else [f"no word of the question in {n_a} words"])
    rows.append(("uptake_delay", math.log2(before + 1), delay_evidence))

    # markers of declining, not knowing, asking back, deflecting, hedging and of referring to the question
    found = [(label, first, last) for layer, label, _, first, last in a.hits if layer == "marker"]
    for category in MARKER_CATEGORIES:
        hits = [(a.tokens[f][0], a.tokens[e][1]) for label, f, e in found if label == category]
        rows.append((f"{category}_markers", float(len(hits)), [f"{a.text[s:e]} [{s}:{e}]" for s, e in hits]))

    # refusals in the answer's first sentences, and refusals hedged there ("I don't know, maybe …")
    def spans(categories):
        return [f"{a.text[a.tokens[f][0]:a.tokens[e][1]]} [{a.tokens[f][0]}:{a.tokens[e][1]}]"
                for label, f, e in found if label in categories and f < head_end]

    refusals, hedges = spans(REFUSAL_CATEGORIES), spans(("hedge",))
    rows.append(("early_refusals", float(len(refusals)), refusals))
    rows.append(("hedged_refusal", 1.0 if refusals and hedges else 0.0, refusals + hedges if refusals and hedges else []))
    return rows


#: Words of an answer's opening whose lemmas (and pairs of lemmas) :func:`opening_terms` gives.
OPENING_WORDS = 25


def opening_terms(answer: str, *, markers: ResponsivenessMarkers | None = None, n_words: int = OPENING_WORDS) -> list[str]:
    """The lemmas of the answer's first ``n_words`` words, and each pair of neighbours ("i think", "not go").

    Every word counts, stop words included ("no", "I think", "well"): the
    normalised lookup lemmas of :func:`analysis.nlp.word_forms`, punctuation left out.

    >>> opening_terms("No, I think so.", n_words=3)
    ['no', 'i', 'think', 'no i', 'i think']
    """
    profile = _profiles([str(answer)], markers or load_markers())[0]
    lemmas = [profile.tokens[i][3] for i in profile.words()[:n_words]]
    return lemmas + [f"{a} {b}" for a, b in zip(lemmas, lemmas[1:])]


def _check_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(pairs, pd.DataFrame):
        raise TypeError("expected a DataFrame with 'question' and 'answer' columns")
    missing = [c for c in ("question", "answer") if c not in pairs.columns]
    if missing:
        raise ValueError(f"the pairs table lacks the column(s) {', '.join(missing)}")
    return pairs


def _texts(column: pd.Series) -> list[str]:
    return ["" if pd.isna(value) else str(value) for value in column]


def _analyses(pairs: pd.DataFrame, *, reference: Iterable[str] | None,
              markers: ResponsivenessMarkers | None) -> list[list[tuple[str, float, list[str]]]]:
    _check_pairs(pairs)
    markers = markers or load_markers()
    questions, answers = _texts(pairs["question"]), _texts(pairs["answer"])
    profiles = _profiles(questions + answers, markers)
    vectors = tfidf_vectors(questions + answers, reference=reference or (), markers=markers)
    n = len(questions)
    return [_pair_analysis(profiles[i], profiles[n + i], vectors[i], vectors[n + i], markers) for i in range(n)]


def pair_features(
    pairs: pd.DataFrame,
    *,
    reference: Iterable[str] | None = None,
    markers: ResponsivenessMarkers | None = None,
) -> pd.DataFrame:
    """The responsiveness features of each (question, answer) pair, one row per pair (same index).

    Columns (:data:`FEATURES`):

    - ``lemma_overlap``: share of the question's distinct content lemmas that the answer uses,
      ``|Q ∩ A| / |Q|`` (the containment of Q in A; Broder 1997, "On the resemblance and
      containment of documents").
    - ``tfidf_cosine``: cosine of the tf-idf vectors of question and answer content lemmas
      (Salton & Buckley 1988; :func:`tfidf_vectors`: the documents are every distinct question
      and answer of ``pairs`` and the texts of ``reference``).
    - ``theme_continuity``: share of the question's theme and actor labels (package lexicons) that
      the answer names too (0 when the question names none).
    - ``topic_shift``: share of the answer's theme and actor labels that the question does not name
      (0 when the answer names none, so very short answers score 0).
    - ``length_ratio``: ``log2((answer words + 1) / (question words + 1))``; ``answer_length``:
      ``log2(answer words + 1)``.
    - ``yes_no_question``, ``wh_question``, ``choice_question``: shares of the question's
      interrogative sentences that request a yes/no, a wh-answer (a number or date, an entity,
      a reason, or open content), or a choice between alternatives joined by "or".
    - ``opens_with_stance``: 1 when the answer opens with a yes/no or a stance ("Yes", "No",
      "Absolutely", "I don't think", …), after fillers ("Well,") and a vocative; an opening that is
      itself a decline, ignorance or clarification marker is not a stance.
    - ``yes_no_answered``: ``yes_no_question * opens_with_stance``.
    - ``request_supplied``: share of the interrogative sentences whose request the answer's first
      three sentences supply: a yes/no opening, one of the alternatives, a number or date, a
      name, a reason ("because"), or (other questions) a content word of the question.
    - ``opening_overlap``: share of the question's content lemmas in the answer's first sentence.
    - ``opening_rest_similarity``: cosine of the content-lemma sets of the answer's first sentence
      and the rest (1 for a one-sentence answer); low when the answer pivots after its opening.
    - ``uptake_delay``: ``log2(1 + words before the first content word of the question)`` in the
      answer (all its words when none comes).
    - ``<category>_markers``: how many decline, ignorance, clarification, deflection, hedge and
      question-reference markers of ``responsiveness.yml`` the answer contains.
    - ``early_refusals``: how many of the answer's decline, ignorance, clarification and deflection
      markers (:data:`REFUSAL_CATEGORIES`) begin in its first three sentences; ``hedged_refusal``: 1
      when those sentences hold such a marker and a hedge marker too ("I don't know, maybe …"), else 0.

    :func:`pair_evidence` gives the words behind each value.
    """
    analyses = _analyses(pairs, reference=reference, markers=markers)
    values = [[value for _, value, _ in rows] for rows in analyses]
    return pd.DataFrame(np.asarray(values, dtype=float).reshape(len(values), len(FEATURES)),
                        columns=list(FEATURES), index=pairs.index)


def pair_evidence(
    question: str,
    answer: str,
    *,
    reference: Iterable[str] | None = None,
    markers: ResponsivenessMarkers | None = None,
) -> pd.DataFrame:
    """The evidence behind each feature of one pair: ``feature, value, evidence``.

    ``evidence`` lists the words that made the value: the shared lemmas, the
    shared terms with their contribution to the cosine, the theme and actor
    labels kept or newly introduced with the answer's words for them, the word
    counts, the question's requests and the answer's words that supply them,
    the answer's opening, and each marker as matched with its character offsets
    in the answer. (:func:`features_evidence` does the same for many pairs.)

    >>> ev = pair_evidence("Do you support sanctions?", "No, I don't support sanctions.")
    >>> ev.set_index("feature").loc["lemma_overlap", "evidence"]
    'sanction; support'
    """
    pairs = pd.DataFrame({"question": [str(question)], "answer": [str(answer)]})
    return features_evidence(pairs, reference=reference, markers=markers).drop(columns="pair")


def features_evidence(
    pairs: pd.DataFrame,
    *,
    reference: Iterable[str] | None = None,
    markers: ResponsivenessMarkers | None = None,
) -> pd.DataFrame:
    """The evidence behind each feature of each pair (long table): ``pair`` (position in ``pairs``),
    ``feature, value, evidence``; the values are those of :func:`pair_features` for the same arguments."""
    analyses = _analyses(pairs, reference=reference, markers=markers)
    return pd.DataFrame({
        "pair": np.repeat(np.arange(len(analyses), dtype="int64"), len(FEATURES)),
        "feature": [name for rows in analyses for name, _, _ in rows],
        "value": np.asarray([value for rows in analyses for _, value, _ in rows], dtype=float),
        "evidence": ["; ".join(items) for rows in analyses for _, _, items in rows],
    })
