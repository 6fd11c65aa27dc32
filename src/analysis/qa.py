"""Question–answer responsiveness: Q/A pairs, explainable features and a classifier checked against human labels.

Does an answer take up its question? This module pairs each question of a
parsed interview with its answer, measures responsiveness with features a
reader can check word by word (shared content lemmas, tf-idf similarity, shared
lexicon themes and actors, length, yes/no openings, decline/ignorance/
clarification/deflection/hedging markers, references to the question), and
learns from the human clarity labels of the QEvasion sample ("Clear Reply",
"Ambivalent", "Clear Non-Reply"; Thomas et al. 2024) how those features map
onto the coders' judgement. The model is validated by cross-validation grouped
by press conference, beside a majority-class baseline and a tf-idf
bag-of-words model.

Published results on the same labels (about 0.73 macro-F1 for the best
fine-tuned model of Thomas et al. 2024, and 0.89 for the best system of the
SemEval-2026 Task 6 shared task) come from large language models evaluated on
the official 308-pair test set. They are context for the numbers here, which
come from a small feature model cross-validated on a 518-pair training subset:
not a like-for-like comparison.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

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
    "yes_no_question", "opens_with_stance", "yes_no_answered",
) + tuple(f"{category}_markers" for category in MARKER_CATEGORIES)
PAIR_COLUMNS = [
    "doc_id", "pair_id", "question_turn_id", "answer_turn_id", "question_speaker", "answer_speaker",
    "question", "answer",
]
#: Names of the evaluated models in the tables of :func:`crossval_predictions` and :func:`bootstrap_scores`.
FEATURE_MODEL, MAJORITY_CLASS, BAG_OF_WORDS = "responsiveness features", "majority class", "tf-idf bag of words"
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
# The markers (lexicons/responsiveness.yml)
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w']+|[^\w\s]")


def _word_tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words and punctuation marks of a text with their offsets (apostrophes normalised)."""
    return [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN.finditer(_normalise(text))]


class PhraseIndex:
    """Phrases indexed by their first token, to find the longest phrase starting at a token."""

    def __init__(self, entries: Iterable[tuple[str, str]]):
        """``entries`` are ``(key, phrase)`` pairs; the key (a category or kind) comes back with each match."""
        self.entries: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for key, phrase in entries:
            words = tuple(token for token, _, _ in _word_tokens(phrase))
            if words:
                self.entries.setdefault(words[0], []).append((words, key, phrase))
        for candidates in self.entries.values():
            candidates.sort(key=lambda entry: (-len(entry[0]), entry[0], entry[1]))

    def match_at(self, words: Sequence[str], i: int) -> tuple[str, str, int] | None:
        """The longest phrase starting at ``words[i]``: ``(key, phrase, number of tokens)``, or ``None``."""
        for phrase_words, key, phrase in self.entries.get(words[i], ()) if i < len(words) else ():
            if tuple(words[i:i + len(phrase_words)]) == phrase_words:
                return key, phrase, len(phrase_words)
        return None


@dataclass(frozen=True)
class ResponsivenessMarkers:
    """The phrases of ``responsiveness.yml``, indexed for matching."""

    categories: tuple[tuple[str, tuple[str, ...]], ...]
    openings: tuple[tuple[str, tuple[str, ...]], ...]
    opening_skips: tuple[str, ...]
    polar_first_words: frozenset[str]
    polar_tags: tuple[str, ...]
    polar_skips: tuple[str, ...]
    ignore_lemmas: frozenset[str]
    source: str = ""

    def phrases(self, category: str) -> tuple[str, ...]:
        """The phrases of one marker category."""
        return dict(self.categories)[category]

    @property
    def marker_index(self) -> PhraseIndex:
        return _index(self, "markers")

    @property
    def opening_index(self) -> PhraseIndex:
        return _index(self, "openings")

    @property
    def opening_skip_index(self) -> PhraseIndex:
        return _index(self, "opening_skips")

    @property
    def polar_skip_index(self) -> PhraseIndex:
        return _index(self, "polar_skips")

    @property
    def polar_tag_words(self) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(token for token, _, _ in _word_tokens(tag)) for tag in self.polar_tags)


@lru_cache(maxsize=32)
def _index(markers: ResponsivenessMarkers, which: str) -> PhraseIndex:
    if which == "markers":
        return PhraseIndex((c, p) for c, phrases in markers.categories for p in phrases)
    if which == "openings":
        return PhraseIndex((kind, p) for kind, phrases in markers.openings for p in phrases)
    if which == "opening_skips":
        return PhraseIndex(("skip", p) for p in markers.opening_skips)
    return PhraseIndex(("skip", p) for p in markers.polar_skips)


def load_markers(path: str | Path | None = None) -> ResponsivenessMarkers:
    """Read the responsiveness markers (default: the package's ``lexicons/responsiveness.yml``).

    Raises :class:`InputError` naming the file (and line, for YAML syntax
    errors) when it is missing, not YAML, or lacks a section.
    """
    return _load_markers(str(Path(path) if path is not None else MARKERS_FILE))


@lru_cache(maxsize=8)
def _load_markers(path: str) -> ResponsivenessMarkers:
    import yaml

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
        return tuple(_normalise(v).strip().lower() for v in values)

    categories = tuple((c, phrases("markers", c, "phrases")) for c in MARKER_CATEGORIES)
    openings = tuple((kind, phrases("answer_openings", kind)) for kind in ("affirmative", "negative", "stance"))
    return ResponsivenessMarkers(
        categories=categories,
        openings=openings,
        opening_skips=phrases("answer_openings", "skip_at_opening"),
        polar_first_words=frozenset(phrases("polar_questions", "first_words")),
        polar_tags=phrases("polar_questions", "tags"),
        polar_skips=phrases("polar_questions", "skip_at_opening"),
        ignore_lemmas=frozenset(phrases("ignore_lemmas")),
        source=path,
    )


def _normalise(text: str) -> str:
    """Typographic apostrophes to straight ones (same length, so offsets stay valid)."""
    return text.replace("’", "'").replace("‘", "'").replace("ʼ", "'")


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

    Phrases match whole words, case-insensitively, with typographic apostrophes
    read as straight ones; scanning left to right, the longest phrase starting
    at a word is taken and the scan goes on after it.

    >>> [(m.category, m.text) for m in find_markers("Well, I'm not going to comment. We'll see.")]
    [('decline', "I'm not going to comment"), ('hedge', "We'll see")]
    """
    return list(_markers_in(str(text), markers or load_markers()))


@lru_cache(maxsize=20_000)
def _markers_in(text: str, markers: ResponsivenessMarkers) -> tuple[Marker, ...]:
    index = markers.marker_index
    tokens = _word_tokens(text)
    words = [token for token, _, _ in tokens]
    found, i = [], 0
    while i < len(words):
        hit = index.match_at(words, i)
        if hit is None:
            i += 1
            continue
        category, phrase, length = hit
        start, end = tokens[i][1], tokens[i + length - 1][2]
        found.append(Marker(category, phrase, start, end, text[start:end]))
        i += length
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Text profiles: tokens, lemmas, sentences and lexicon labels of one text (cached)
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Profile:
    text: str
    words: tuple[tuple[int, int, str, str, bool], ...]  # start, end, text, lemma, alphabetic and not a stop word
    sentences: tuple[tuple[int, int], ...]
    topics: tuple[tuple[str, str, str], ...]  # "layer:label", matched text, lexicon pattern (theme and actor)


_PROFILES: dict[str, _Profile] = {}
_MAX_PROFILES = 50_000


def _profiles(texts: Iterable[str]) -> list[_Profile]:
    """Token, sentence and lexicon profiles of many texts, with one pass of the spaCy pipeline and the matcher.

    The texts are laid end to end, each as a paragraph and a turn of its own,
    so sentences, phrase matches and the lexicons' context windows never cross
    from one text into another.
    """
    from .lexicon import find_matches
    from .nlp import annotate_paragraphs, get_pipeline

    texts = [str(t) for t in texts]
    todo = sorted({t for t in texts if t not in _PROFILES})
    if todo:
        if len(_PROFILES) + len(todo) > _MAX_PROFILES:
            _PROFILES.clear()
        joined, starts = [], []
        position = 0
        for text in todo:
            starts.append(position)
            joined.append(text)
            position += len(text) + 2
        document = "\n\n".join(joined)
        paragraphs = pd.DataFrame({
            "turn_id": np.arange(len(todo), dtype="int64"),
            "paragraph_id": np.arange(len(todo), dtype="int64"),
            "start": np.asarray(starts, dtype="int64"),
            "end": np.asarray([s + len(t) for s, t in zip(starts, todo)], dtype="int64"),
        })
        nlp = get_pipeline()
        sentences, tokens = annotate_paragraphs(document, paragraphs, doc_id="", nlp=nlp)
        lookup = _lemma_lookup(nlp)
        words_by = {i: [] for i in range(len(todo))}
        for turn, start, end, text, lower, lemma, alpha, stop, punct in zip(
            tokens["turn_id"], tokens["start"], tokens["end"], tokens["text"], tokens["lower"],
            tokens["lemma"], tokens["is_alpha"], tokens["is_stop"], tokens["is_punct"],
        ):
            if punct:
                continue
            offset = starts[turn]
            # the lookup table is case-sensitive: "Sanctions" opening a sentence is looked up lower-cased
            lemma = lookup.get(_normalise(lower), lemma) if lemma == lower else lemma
            words_by[turn].append((int(start) - offset, int(end) - offset, text, _normalise(lemma),
                                   bool(alpha) and not bool(stop)))
        sentences_by = {i: [] for i in range(len(todo))}
        for turn, start, end in zip(sentences["turn_id"], sentences["start"], sentences["end"]):
            sentences_by[turn].append((int(start) - starts[turn], int(end) - starts[turn]))
        topics_by = {i: [] for i in range(len(todo))}
        if len(tokens):
            found = find_matches(document, tokens, sentences, doc_id="", layers=list(TOPIC_LAYERS))
            found = found.sort_values(["turn_id", "start", "end", "layer", "label"], kind="stable")
            for turn, layer, label, matched, pattern in zip(
                found["turn_id"], found["layer"], found["label"], found["text"], found["pattern"]
            ):
                topics_by[int(turn)].append((f"{layer}:{label}", str(matched), str(pattern)))
        for i, text in enumerate(todo):
            _PROFILES[text] = _Profile(text, tuple(words_by[i]), tuple(sentences_by[i]), tuple(topics_by[i]))
    return [_PROFILES[t] for t in texts]


@lru_cache(maxsize=2)
def _lemma_lookup(nlp):
    """The pipeline's lemma lookup table (an empty mapping for pipelines without one)."""
    try:
        return nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except (KeyError, ValueError):
        return {}


def _content_lemmas(profile: _Profile, markers: ResponsivenessMarkers) -> list[str]:
    """Lemmas of alphabetic, non-stop words longer than one letter, minus the ignored forms of address."""
    return [lemma for _, _, _, lemma, content in profile.words
            if content and len(lemma) > 1 and lemma not in markers.ignore_lemmas]


# --------------------------------------------------------------------------------------------
# Tf-idf weights
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentFrequencies:
    """How many documents hold each term, for tf-idf weights.

    ``idf(t) = ln((1 + n) / (1 + df(t))) + 1``, scikit-learn's smoothed idf
    (scikit-learn user guide, "Tf-idf term weighting"; Manning, Raghavan &
    Schütze 2008, ch. 6.2); a term no document holds gets ``df = 0``, the
    largest weight, instead of being dropped.
    """

    counts: Mapping[str, int]
    n_documents: int

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, markers: ResponsivenessMarkers | None = None) -> "DocumentFrequencies":
        """Each distinct text is one document of content lemmas."""
        markers = markers or load_markers()
        distinct = sorted({str(t) for t in texts})
        counts: Counter = Counter()
        for profile in _profiles(distinct):
            counts.update(set(_content_lemmas(profile, markers)))
        return cls(dict(sorted(counts.items())), len(distinct))

    def idf(self, term: str) -> float:
        """The smoothed inverse document frequency of a term."""
        return math.log((1 + self.n_documents) / (1 + self.counts.get(term, 0))) + 1.0


def _tfidf_vector(lemmas: Sequence[str], weights: DocumentFrequencies) -> dict[str, float]:
    """Raw term counts times idf, scaled to unit length (L2)."""
    vector = {term: count * weights.idf(term) for term, count in sorted(Counter(lemmas).items())}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {term: value / norm for term, value in vector.items()} if norm else {}


def tfidf_cosine(question: str, answer: str, *, weights: DocumentFrequencies | None = None,
                 markers: ResponsivenessMarkers | None = None) -> float:
    """Cosine similarity of the tf-idf vectors of two texts' content lemmas (0 when either has none).

    Without ``weights`` the two texts are the only documents.

    >>> round(tfidf_cosine("Will sanctions hurt the economy?", "Sanctions will not hurt our economy."), 3)
    1.0
    """
    markers = markers or load_markers()
    weights = weights or DocumentFrequencies.from_texts([question, answer], markers=markers)
    q_profile, a_profile = _profiles([question, answer])
    q_vec = _tfidf_vector(_content_lemmas(q_profile, markers), weights)
    a_vec = _tfidf_vector(_content_lemmas(a_profile, markers), weights)
    return float(sum(value * a_vec.get(term, 0.0) for term, value in q_vec.items()))


# --------------------------------------------------------------------------------------------
# Responsiveness features with their evidence
# --------------------------------------------------------------------------------------------

_ADDRESS_WORDS = frozenset(
    "mr mrs ms madam sir president minister chancellor secretary general dr excellency excellencies everyone "
    "everybody ma'am".split()
)
_PUNCTUATION = frozenset(list(",;:.!?—–-\"“”'()[]"))


def _polar_sentence(sentence: str, markers: ResponsivenessMarkers) -> bool:
    """Is a question sentence a yes/no question (by its first word or a closing tag)?

    Leading conjunctions and fillers (``polar_questions.skip_at_opening``) and
    an address before a comma ("Mr. President, …", "President Putin, …") are
    passed over before the first word is read.
    """
    words = [token for token, _, _ in _word_tokens(sentence)]
    while words and words[-1] in ('"', "”", "'", ")"):
        words.pop()
    if any(len(tag) <= len(words) and tuple(words[-len(tag):]) == tag for tag in markers.polar_tag_words):
        return True
    i = 0
    for _ in range(20):
        while i < len(words) and words[i] in _PUNCTUATION:
            i += 1
        skip = markers.polar_skip_index.match_at(words, i)
        if skip:
            i += skip[2]
            continue
        comma = next((j for j in range(i, min(i + 8, len(words))) if words[j] == ","), None)
        if comma is not None and _ADDRESS_WORDS & set(words[i:comma]):
            i = comma + 1
            continue
        break
    return i < len(words) and words[i] in markers.polar_first_words


def _question_sentences(profile: _Profile) -> list[str]:
    """The question's interrogative sentences (all its sentences when none ends in '?')."""
    sentences = [profile.text[s:e] for s, e in profile.sentences]
    asking = [s for s in sentences if s.rstrip("\"”’') ").endswith("?")]
    return asking or sentences


def _answer_opening(answer: str, found: list[Marker], markers: ResponsivenessMarkers) -> tuple[str, str] | None:
    """The yes/no or stance phrase the answer opens with (after fillers and a vocative), as (kind, text).

    An opening that is itself a decline, ignorance or clarification marker
    ("I don't know", "I won't be discussing …") is not a stance.
    """
    tokens = _word_tokens(answer)
    words = [token for token, _, _ in tokens]
    non_reply = {m.start for m in found if m.category in ("decline", "ignorance", "clarification")}
    i = 0
    for _ in range(12):
        while i < len(words) and words[i] in _PUNCTUATION:
            i += 1
        if i >= len(words):
            return None
        hit = markers.opening_index.match_at(words, i)
        if hit:
            kind, _, length = hit
            if tokens[i][1] in non_reply:
                return None
            return kind, answer[tokens[i][1]:tokens[i + length - 1][2]]
        skip = markers.opening_skip_index.match_at(words, i)
        if skip:
            i += skip[2]
            continue
        # a vocative: one or two capitalised words and a comma ("Ed, going into Iraq …")
        for size in (1, 2):
            names = tokens[i:i + size]
            if (len(names) == size and i + size < len(words) and words[i + size] == ","
                    and all(answer[s:s + 1].isupper() and w not in ("i", "we") for w, s, _ in names)):
                i += size + 1
                break
        else:
            return None
    return None


def _pair_analysis(question: str, answer: str, weights: DocumentFrequencies,
                   markers: ResponsivenessMarkers) -> list[tuple[str, float, list[str]]]:
    """Every feature of one pair with the words behind it: ``[(feature, value, evidence), ...]``."""
    q_profile, a_profile = _profiles([question, answer])
    q_lemmas, a_lemmas = _content_lemmas(q_profile, markers), _content_lemmas(a_profile, markers)
    rows: list[tuple[str, float, list[str]]] = []

    # content-lemma overlap: share of the question's distinct content lemmas that the answer uses
    q_set, a_set = set(q_lemmas), set(a_lemmas)
    shared = sorted(q_set & a_set)
    rows.append(("lemma_overlap", len(shared) / len(q_set) if q_set else 0.0, shared))

    # tf-idf cosine, with the shared terms that contribute most
    q_vec, a_vec = _tfidf_vector(q_lemmas, weights), _tfidf_vector(a_lemmas, weights)
    contributions = {t: q_vec[t] * a_vec[t] for t in q_vec if t in a_vec}
    top = sorted(contributions.items(), key=lambda tc: (-tc[1], tc[0]))
    rows.append(("tfidf_cosine", float(sum(contributions.values())), [f"{t} ({c:.3f})" for t, c in top[:10]]))

    # theme and actor labels of the package lexicons: continuity and shift
    q_topics, a_topics = q_profile.topics, a_profile.topics
    q_labels = sorted({label for label, _, _ in q_topics})
    a_labels = sorted({label for label, _, _ in a_topics})
    a_words: dict[str, list[str]] = {}
    for label, matched, _ in a_topics:
        a_words.setdefault(label, [])
        if matched not in a_words[label]:
            a_words[label].append(matched)
    kept = [label for label in q_labels if label in a_labels]
    new = [label for label in a_labels if label not in q_labels]
    rows.append(("theme_continuity", len(kept) / len(q_labels) if q_labels else 0.0,
                 [f"{label}: {', '.join(a_words[label])}" for label in kept]))
    rows.append(("topic_shift", len(new) / len(a_labels) if a_labels else 0.0,
                 [f"{label}: {', '.join(a_words[label])}" for label in new]))

    # length of the answer, relative to the question
    n_q, n_a = len(q_profile.words), len(a_profile.words)
    rows.append(("length_ratio", math.log2((n_a + 1) / (n_q + 1)), [f"answer {n_a} words, question {n_q} words"]))
    rows.append(("answer_length", math.log2(n_a + 1), [f"answer {n_a} words"]))

    # yes/no questions and answers that open with a yes/no or a stance
    asking = _question_sentences(q_profile)
    polar = [s for s in asking if _polar_sentence(s, markers)]
    polar_share = len(polar) / len(asking) if asking else 0.0
    found = find_markers(answer, markers=markers)
    opening = _answer_opening(answer, found, markers)
    rows.append(("yes_no_question", polar_share, polar))
    rows.append(("opens_with_stance", 1.0 if opening else 0.0, [f"{opening[0]}: {opening[1]}"] if opening else []))
    rows.append(("yes_no_answered", polar_share * (1.0 if opening else 0.0),
                 [f"{opening[0]}: {opening[1]}"] if opening and polar else []))

    # markers of declining, not knowing, asking back, deflecting, hedging and of referring to the question
    for category in MARKER_CATEGORIES:
        hits = [m for m in found if m.category == category]
        rows.append((f"{category}_markers", float(len(hits)), [f"{m.text} [{m.start}:{m.end}]" for m in hits]))
    return rows


def _check_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(pairs, pd.DataFrame):
        raise TypeError("expected a DataFrame with 'question' and 'answer' columns")
    missing = [c for c in ("question", "answer") if c not in pairs.columns]
    if missing:
        raise ValueError(f"the pairs table lacks the column(s) {', '.join(missing)}")
    return pairs


def _texts(column: pd.Series) -> list[str]:
    return ["" if pd.isna(value) else str(value) for value in column]


def pair_features(
    pairs: pd.DataFrame,
    *,
    weights: DocumentFrequencies | None = None,
    markers: ResponsivenessMarkers | None = None,
) -> pd.DataFrame:
    """The responsiveness features of each (question, answer) pair, one row per pair (same index).

    Columns (:data:`FEATURES`):

    - ``lemma_overlap``: share of the question's distinct content lemmas that the answer uses,
      ``|Q ∩ A| / |Q|`` (the containment of Q in A; Broder 1997, "On the resemblance and
      containment of documents").
    - ``tfidf_cosine``: cosine of the tf-idf vectors of question and answer content lemmas
      (Salton & Buckley 1988; weights as in :class:`DocumentFrequencies`; without ``weights``
      every distinct question and answer of ``pairs`` is one document).
    - ``theme_continuity``: share of the question's theme and actor labels (package lexicons) that
      the answer names too (0 when the question names none).
    - ``topic_shift``: share of the answer's theme and actor labels that the question does not name
      (0 when the answer names none, so very short answers score 0).
    - ``length_ratio``: ``log2((answer words + 1) / (question words + 1))``; ``answer_length``:
      ``log2(answer words + 1)``.
    - ``yes_no_question``: share of the question's interrogative sentences that are yes/no questions.
    - ``opens_with_stance``: 1 when the answer opens with a yes/no or a stance ("Yes", "No",
      "Absolutely", "I don't think", …), after fillers ("Well,") and a vocative; an opening that is
      itself a decline, ignorance or clarification marker is not a stance.
    - ``yes_no_answered``: ``yes_no_question * opens_with_stance``.
    - ``<category>_markers``: how many decline, ignorance, clarification, deflection, hedge and
      question-reference markers of ``responsiveness.yml`` the answer contains.

    :func:`pair_evidence` gives the words behind each value.
    """
    _check_pairs(pairs)
    markers = markers or load_markers()
    questions, answers = _texts(pairs["question"]), _texts(pairs["answer"])
    weights = weights or DocumentFrequencies.from_texts(questions + answers, markers=markers)
    _profiles(questions + answers)
    values = [[value for _, value, _ in _pair_analysis(q, a, weights, markers)] for q, a in zip(questions, answers)]
    return pd.DataFrame(np.asarray(values, dtype=float).reshape(len(values), len(FEATURES)),
                        columns=list(FEATURES), index=pairs.index)


def pair_evidence(
    question: str,
    answer: str,
    *,
    weights: DocumentFrequencies | None = None,
    markers: ResponsivenessMarkers | None = None,
) -> pd.DataFrame:
    """The evidence behind each feature of one pair: ``feature, value, evidence``.

    ``evidence`` lists the words that made the value: the shared lemmas, the
    shared terms with their contribution to the cosine, the theme and actor
    labels kept or newly introduced with the answer's words for them, the word
    counts, the yes/no question sentences and the answer's opening, and each
    marker as matched with its character offsets in the answer.

    >>> ev = pair_evidence("Do you support sanctions?", "No, I don't support sanctions.")  # doctest: +SKIP
    >>> ev.set_index("feature").loc["lemma_overlap", "evidence"]                            # doctest: +SKIP
    'sanction; support'
    """
    markers = markers or load_markers()
    weights = weights or DocumentFrequencies.from_texts([question, answer], markers=markers)
    rows = _pair_analysis(str(question), str(answer), weights, markers)
    return pd.DataFrame({
        "feature": [name for name, _, _ in rows],
        "value": np.asarray([value for _, value, _ in rows], dtype=float),
        "evidence": ["; ".join(items) for _, _, items in rows],
    })


# --------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------

def _check_labels(y) -> np.ndarray:
    labels = np.asarray([str(v) for v in (y.tolist() if hasattr(y, "tolist") else list(y))], dtype=object)
    unknown = sorted(set(labels) - set(CLARITY_LABELS))
    if unknown:
        raise ValueError(f"unknown clarity label(s) {unknown}; expected {list(CLARITY_LABELS)}")
    return labels


class ResponsivenessClassifier(ClassifierMixin, BaseEstimator):
    """Predict the clarity of an answer ("Clear Reply", "Ambivalent", "Clear Non-Reply") from its features.

    ``fit(X, y)``, ``predict(X)`` and ``predict_proba(X)`` take a DataFrame with
    ``question`` and ``answer`` columns; ``y`` holds the clarity labels as
    QEvasion spells them. The model is a multinomial logistic regression
    (scikit-learn's ``LogisticRegression``, L2 penalty ``1/C``) on the
    standardised features of :func:`pair_features`; the tf-idf document
    frequencies come from the training pairs only. Learned state:
    ``weights_`` (document frequencies), ``scaler_``, ``model_``, ``classes_``.

    Context, not a like-for-like comparison: the published results on these labels
    (about 0.73 macro-F1 for the best fine-tuned model of Thomas et al. 2024, 0.89 for
    the best SemEval-2026 Task 6 system) come from large language models on the
    official test set; this is a small, explainable feature model.

    >>> model = ResponsivenessClassifier().fit(train[["question", "answer"]], train["clarity_label"])  # doctest: +SKIP
    >>> model.predict_proba(pairs)                                                                     # doctest: +SKIP
    """

    def __init__(self, *, C: float = 1.0, class_weight: str | dict | None = "balanced", max_iter: int = 2000,
                 markers_path: str | None = None):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.markers_path = markers_path

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _features(self, X: pd.DataFrame) -> np.ndarray:
        return pair_features(_check_pairs(X), weights=self.weights_, markers=self.markers_).to_numpy()

    def fit(self, X: pd.DataFrame, y) -> "ResponsivenessClassifier":
        """Learn document frequencies, feature scaling and the logistic regression from labelled pairs."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        _check_pairs(X)
        labels = _check_labels(y)
        if len(labels) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(labels)} labels")
        self.markers_ = load_markers(self.markers_path)
        self.weights_ = DocumentFrequencies.from_texts(_texts(X["question"]) + _texts(X["answer"]),
                                                       markers=self.markers_)
        features = self._features(X)
        self.scaler_ = StandardScaler().fit(features)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)
        self.model_.fit(self.scaler_.transform(features), labels)
        self.classes_ = self.model_.classes_
        return self

    def _check_fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The logistic regression's scores, one column per class of ``classes_``."""
        self._check_fitted()
        return self.model_.decision_function(self.scaler_.transform(self._features(X)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, one column per class of ``classes_``."""
        self._check_fitted()
        return self.model_.predict_proba(self.scaler_.transform(self._features(X)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The most probable clarity label of each pair."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The names of the features the model weighs (:data:`FEATURES`)."""
        return np.asarray(FEATURES, dtype=object)


def informative_features(model: ResponsivenessClassifier) -> pd.DataFrame:
    """The fitted model's coefficients: ``label, feature, coefficient``, strongest first within each label.

    Coefficients are on standardised features: the change in the label's log-odds
    (multinomial logistic regression) for one standard deviation of the feature.
    """
    model._check_fitted()
    coefficients = model.model_.coef_
    rows = [(label, feature, float(coefficients[i, j]))
            for i, label in enumerate(model.classes_) for j, feature in enumerate(FEATURES)]
    table = pd.DataFrame(rows, columns=["label", "feature", "coefficient"])
    table["_order"] = table["label"].map({label: i for i, label in enumerate(CLARITY_LABELS)})
    table["_size"] = -table["coefficient"].abs()
    table = table.sort_values(["_order", "_size", "feature"], kind="stable")
    return table.drop(columns=["_order", "_size"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Evaluation: grouped cross-validation, baselines, bootstrap intervals
# --------------------------------------------------------------------------------------------

def conference_groups(data: pd.DataFrame) -> pd.Series:
    """The press conference of each row: ``conference``, else ``url``, else ``title`` and ``date``."""
    if "conference" in data.columns:
        return data["conference"].astype(str)
    if "url" in data.columns:
        return data["url"].astype(str)
    if {"title", "date"} <= set(data.columns):
        return data["title"].astype(str) + " | " + data["date"].astype(str)
    raise ValueError("cannot tell press conferences apart: no 'conference', 'url' or 'title' and 'date' column")


def conference_folds(data: pd.DataFrame, *, n_splits: int = 5, seed: int = 0) -> pd.Series:
    """The test fold (0 … n_splits-1) of each row; all pairs of one press conference share a fold.

    Folds come from scikit-learn's ``StratifiedGroupKFold`` (shuffled with
    ``seed``), which keeps each conference in one fold and the label shares of
    the folds close to the whole sample's.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = conference_groups(data).to_numpy()
    labels = data["clarity_label"].astype(str).to_numpy()
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = np.full(len(data), -1, dtype="int64")
    for fold, (_, test) in enumerate(splitter.split(np.zeros(len(data)), labels, groups)):
        folds[test] = fold
    return pd.Series(folds, index=data.index, name="fold")


def baseline_models() -> dict[str, BaseEstimator]:
    """The comparison models: the majority class, and tf-idf bag-of-words logistic regression.

    The bag-of-words model weighs the words of question and answer separately
    (scikit-learn ``TfidfVectorizer`` defaults on each column) in a logistic
    regression with the same class weighting as :class:`ResponsivenessClassifier`.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    bag = Pipeline([
        ("tfidf", ColumnTransformer([("question", TfidfVectorizer(), "question"),
                                     ("answer", TfidfVectorizer(), "answer")])),
        ("logistic", LogisticRegression(class_weight="balanced", max_iter=2000)),
    ])
    return {MAJORITY_CLASS: DummyClassifier(strategy="most_frequent"), BAG_OF_WORDS: bag}


def crossval_predictions(
    data: pd.DataFrame,
    *,
    models: Mapping[str, BaseEstimator] | None = None,
    n_splits: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Out-of-fold predictions of each model under grouped cross-validation.

    ``data`` needs ``question``, ``answer``, ``clarity_label`` and a
    conference column (see :func:`conference_groups`). ``models`` defaults to
    :class:`ResponsivenessClassifier` and :func:`baseline_models`. Each model is
    cloned and fitted on the training folds only. Returns one row per model and
    pair: ``model, row`` (position in ``data``), ``conference, fold, label,
    predicted``.
    """
    _check_pairs(data)
    if models is None:
        models = {FEATURE_MODEL: ResponsivenessClassifier(), **baseline_models()}
    folds = conference_folds(data, n_splits=n_splits, seed=seed).to_numpy()
    groups = conference_groups(data).to_numpy()
    X = data[["question", "answer"]].reset_index(drop=True)
    y = _check_labels(data["clarity_label"])
    frames = []
    for name, estimator in models.items():
        predicted = np.empty(len(X), dtype=object)
        for fold in range(n_splits):
            test = folds == fold
            model = clone(estimator).fit(X[~test], y[~test])
            predicted[test] = model.predict(X[test])
        frames.append(pd.DataFrame({
            "model": name, "row": np.arange(len(X), dtype="int64"), "conference": groups,
            "fold": folds, "label": y, "predicted": predicted,
        }))
    table = pd.concat(frames, ignore_index=True)
    table["label"] = table["label"].astype(str)
    table["predicted"] = table["predicted"].astype(str)
    return table


def _confusion(labels: np.ndarray, predicted: np.ndarray, classes: Sequence[str], weights: np.ndarray) -> np.ndarray:
    """Weighted confusion matrices, one per row of ``weights`` (shape: resamples × classes × classes)."""
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    cells = np.asarray([index[t] * k + index[p] for t, p in zip(labels, predicted)], dtype="int64")
    onehot = np.zeros((len(cells), k * k))
    onehot[np.arange(len(cells)), cells] = 1.0
    return (np.atleast_2d(weights) @ onehot).reshape(-1, k, k)


def _scores_from_confusion(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro-F1 of each confusion matrix.

    F1 of a class is ``2 TP / (2 TP + FP + FN)`` (the harmonic mean of precision and
    recall; van Rijsbergen 1979), 0 when the class is never true nor predicted
    correctly; macro-F1 is the unweighted mean over the classes that occur as
    true or predicted labels (scikit-learn's ``f1_score(average="macro")``).
    """
    tp = np.diagonal(matrices, axis1=1, axis2=2)
    true_totals, predicted_totals = matrices.sum(axis=2), matrices.sum(axis=1)
    total = matrices.sum(axis=(1, 2))
    accuracy = np.divide(tp.sum(axis=1), total, out=np.zeros_like(total), where=total > 0)
    denominator = true_totals + predicted_totals
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = denominator > 0
    macro = np.divide((f1 * present).sum(axis=1), present.sum(axis=1),
                      out=np.zeros_like(total), where=present.sum(axis=1) > 0)
    return accuracy, macro


def macro_f1(labels: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the classes present in either sequence (as scikit-learn computes it)."""
    labels, predicted = np.asarray(labels, dtype=object), np.asarray(predicted, dtype=object)
    classes = sorted(set(labels) | set(predicted))
    return float(_scores_from_confusion(_confusion(labels, predicted, classes, np.ones(len(labels))))[1][0])


def bootstrap_scores(
    predictions: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    differences: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Accuracy and macro-F1 of each model with percentile bootstrap intervals, resampling press conferences.

    Pairs of one conference (and the sub-questions sharing one answer) are not
    independent, so each resample draws conferences with replacement and keeps
    all their pairs (cluster bootstrap; Field & Welsh 2007); the interval is the
    percentile interval of the resampled scores (Efron & Tibshirani 1993,
    ch. 13). Every model is scored on the same resamples, so ``differences``
    (pairs of model names ``(model, reference)``) adds paired rows for
    ``model − reference``. Returns ``model, metric, value, ci_low, ci_high,
    n_pairs, n_conferences, n_boot``.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie between 0 and 1")
    rng = np.random.default_rng(seed)
    conferences = sorted(set(predictions["conference"]))
    position = {c: i for i, c in enumerate(conferences)}
    draws = rng.integers(0, len(conferences), size=(n_boot, len(conferences)))
    multiplicity = np.zeros((n_boot, len(conferences)))
    np.add.at(multiplicity, (np.repeat(np.arange(n_boot), len(conferences)), draws.ravel()), 1.0)
    scores: dict[str, tuple[int, list, list]] = {}
    for name, group in predictions.groupby("model", sort=False):
        group = group.sort_values("row")
        classes = sorted(set(group["label"]) | set(group["predicted"]))
        labels, predicted = group["label"].to_numpy(), group["predicted"].to_numpy()
        row_conference = np.asarray([position[c] for c in group["conference"]])
        point = _scores_from_confusion(_confusion(labels, predicted, classes, np.ones(len(group))))
        resampled = _scores_from_confusion(_confusion(labels, predicted, classes, multiplicity[:, row_conference]))
        scores[name] = (len(group), [float(p[0]) for p in point], list(resampled))
    entries = [(name, *scores[name]) for name in scores]
    for model, reference in differences:
        if model not in scores or reference not in scores:
            raise KeyError(f"no predictions of {model!r} or {reference!r}")
        n, point_m, boot_m = scores[model]
        _, point_r, boot_r = scores[reference]
        entries.append((f"{model} − {reference}", n, [a - b for a, b in zip(point_m, point_r)],
                        [a - b for a, b in zip(boot_m, boot_r)]))
    alpha = (1 - level) / 2
    rows = []
    for name, n, point, resampled in entries:
        for metric, value, values in zip(("accuracy", "macro_f1"), point, resampled):
            low, high = np.quantile(values, [alpha, 1 - alpha])
            rows.append((name, metric, value, float(low), float(high), n, len(conferences), n_boot))
    return pd.DataFrame(rows, columns=["model", "metric", "value", "ci_low", "ci_high", "n_pairs",
                                       "n_conferences", "n_boot"])


def evaluate_responsiveness(
    data: pd.DataFrame | None = None,
    *,
    n_splits: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Grouped cross-validated accuracy and macro-F1, with bootstrap intervals, of the model and its baselines.

    ``data`` defaults to :func:`read_qevasion`. Pairs of one press conference
    never sit in both the training and the test folds (:func:`conference_folds`).

    For context only: the published macro-F1 on these labels, about 0.73 for the best
    fine-tuned model of Thomas et al. (2024) and 0.89 for the best system of the
    SemEval-2026 Task 6 shared task, comes from large language models on the official
    308-pair test set; the scores here come from 518 training pairs in cross-validation.
    """
    data = read_qevasion() if data is None else data
    predictions = crossval_predictions(data, n_splits=n_splits, seed=seed)
    return bootstrap_scores(predictions, n_boot=n_boot, seed=seed,
                            differences=[(FEATURE_MODEL, BAG_OF_WORDS), (FEATURE_MODEL, MAJORITY_CLASS)])


# --------------------------------------------------------------------------------------------
# Applying the model to an interview
# --------------------------------------------------------------------------------------------

def train_responsiveness_model(data: pd.DataFrame | None = None, **params) -> ResponsivenessClassifier:
    """A :class:`ResponsivenessClassifier` fitted on all labelled pairs (default: :func:`read_qevasion`)."""
    data = read_qevasion() if data is None else data
    return ResponsivenessClassifier(**params).fit(data[["question", "answer"]], data["clarity_label"])


def score_pairs(pairs: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """Responsiveness of each (question, answer) pair with its features and a one-line summary of evidence.

    Adds to ``pairs``: every feature of :data:`FEATURES`; ``p_clear_reply``,
    ``p_ambivalent``, ``p_clear_non_reply`` (the model's probabilities);
    ``predicted``; ``responsiveness = p_clear_reply - p_clear_non_reply`` (from −1,
    surely no reply, to +1, surely a clear reply); ``rank`` (1 = most responsive;
    ties by order); and ``evidence`` (shared lemmas, themes kept and introduced,
    opening, markers). ``model`` defaults to :func:`train_responsiveness_model`.
    """
    _check_pairs(pairs)
    model = model or train_responsiveness_model()
    model._check_fitted()
    X = pairs[["question", "answer"]]
    features = pair_features(X, weights=model.weights_, markers=model.markers_)
    probabilities = model.predict_proba(X)
    column = {label: i for i, label in enumerate(model.classes_)}
    scored = pd.concat([pairs, features], axis=1)
    for label in CLARITY_LABELS:
        name = "p_" + label.lower().replace(" ", "_").replace("-", "_")
        scored[name] = probabilities[:, column[label]] if label in column else 0.0
    scored["predicted"] = model.classes_[np.argmax(probabilities, axis=1)]
    scored["responsiveness"] = scored["p_clear_reply"] - scored["p_clear_non_reply"]
    order = np.lexsort((np.arange(len(scored)), -scored["responsiveness"].to_numpy()))
    rank = np.empty(len(scored), dtype="int64")
    rank[order] = np.arange(1, len(scored) + 1)
    scored["rank"] = rank
    scored["evidence"] = [_evidence_summary(q, a, model) for q, a in zip(_texts(X["question"]), _texts(X["answer"]))]
    return scored


def _evidence_summary(question: str, answer: str, model: ResponsivenessClassifier) -> str:
    """One line: the non-empty evidence of the features that have any."""
    parts = []
    for name, _, items in _pair_analysis(question, answer, model.weights_, model.markers_):
        if items and name not in ("length_ratio", "answer_length", "tfidf_cosine", "yes_no_answered"):
            shown = items if name != "yes_no_question" else [f"{len(items)} yes/no sentence(s)"]
            parts.append(f"{name}: {', '.join(shown[:8])}")
    return " | ".join(parts)


def score_interview(turns: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """Responsiveness of each question–answer pair of a parsed interview (see :func:`score_pairs`).

    ``turns`` is a turns table (e.g. ``load_corpus().turns`` for one document, or
    ``parse_transcript(text).turns``). The model defaults to one trained on all
    QEvasion pairs: US press conferences, so scores on another genre (a written,
    translated interview) are a transfer of the coders' judgement, to be read with
    the evidence beside them.
    """
    return score_pairs(qa_pairs(turns), model=model)


def explain_pairs(pairs: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """The evidence behind every feature of every pair (long table): the pair's columns other than the
    texts, then ``feature, value, evidence`` (see :func:`pair_evidence`)."""
    _check_pairs(pairs)
    model = model or train_responsiveness_model()
    keys = [c for c in pairs.columns if c not in ("question", "answer")]
    frames = []
    for (_, row), question, answer in zip(pairs.iterrows(), _texts(pairs["question"]), _texts(pairs["answer"])):
        evidence = pair_evidence(question, answer, weights=model.weights_, markers=model.markers_)
        for key in keys:
            evidence[key] = row[key]
        frames.append(evidence[keys + ["feature", "value", "evidence"]])
    if not frames:
        return pd.DataFrame(columns=keys + ["feature", "value", "evidence"])
    return pd.concat(frames, ignore_index=True)
