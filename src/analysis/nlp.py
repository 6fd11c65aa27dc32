"""The spaCy pipeline: sentences and tokens of each paragraph as tables with document offsets."""

from __future__ import annotations

import weakref
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

SENTENCE_COLUMNS = ["doc_id", "turn_id", "paragraph_id", "sentence_id", "start", "end", "text"]
TOKEN_COLUMNS = [
    "doc_id", "turn_id", "sentence_id", "token_id", "start", "end",
    "text", "lower", "lemma", "is_alpha", "is_stop", "is_punct",
]
#: Paragraphs handed to spaCy at a time (``Language.pipe``'s ``batch_size``).
PIPE_BATCH_SIZE = 256


@lru_cache(maxsize=4)
def get_pipeline(model: str | None = None):
    """Return the spaCy pipeline (cached).

    ``model=None`` gives spaCy's blank English pipeline with a rule-based
    sentence splitter and the lookup lemmatizer from ``spacy-lookups-data``;
    nothing is downloaded. A user may name a trained pipeline they have
    installed (``get_pipeline("en_core_web_sm")``).
    """
    import spacy

    if model:
        return spacy.load(model)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


#: Typographic apostrophes and quotes and the ASCII characters they are read as (one for one).
_TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "“": '"', "”": '"'})
#: Distinct word forms whose normalised form and lookup lemma :func:`word_forms` remembers.
WORD_FORMS_CACHE_SIZE = 500_000


def normalise(text: str) -> str:
    """Typographic apostrophes and quotes as their ASCII forms, so ``NATO’s`` and ``NATO's`` agree.

    One character for one, so offsets into the text stay valid.

    >>> print(normalise("NATO’s “red line”"))
    NATO's "red line"
    """
    return text.translate(_TYPOGRAPHIC)


@lru_cache(maxsize=1)
def _default_lemma_table():
    return get_pipeline().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


@lru_cache(maxsize=200_000)
def lookup_lemma(lower: str) -> str:
    """The default pipeline's lookup lemma of a lower-cased word (the word itself when the table lacks it).

    >>> lookup_lemma("sanctions")
    'sanction'
    """
    return _default_lemma_table().get(lower, lower)


@lru_cache(maxsize=WORD_FORMS_CACHE_SIZE)
def word_forms(text: str) -> tuple[str, str, str]:
    """A token's text normalised (:func:`normalise`), lower-cased, and its lookup lemma (:func:`lookup_lemma`).

    The one way the package normalises a word: the lexicon matcher and the
    responsiveness features both use it.

    >>> word_forms("Sanctions’")
    ("Sanctions'", "sanctions'", "sanctions'")
    """
    norm = normalise(text)
    lower = norm.lower()
    return norm, lower, lookup_lemma(lower)


def annotate_paragraphs(
    text: str,
    paragraphs: pd.DataFrame,
    *,
    doc_id: str,
    nlp=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split each paragraph into sentences and tokens.

    ``paragraphs`` has columns ``turn_id, paragraph_id, start, end`` (offsets
    into ``text``). Returns ``(sentences, tokens)`` with the columns of the
    data contract; ``sentence_id`` and ``token_id`` count from 0 through the
    document, and every offset satisfies ``text[start:end] == row.text``.
    Whitespace tokens are left out.

    >>> import pandas as pd
    >>> paras = pd.DataFrame({"turn_id": [0], "paragraph_id": [0], "start": [0], "end": [24]})
    >>> s, t = annotate_paragraphs("It sounded.Biden agreed.", paras, doc_id="d")
    >>> list(s.text)
    ['It sounded.', 'Biden agreed.']
    """
    sentences, tokens = annotate_paragraphs_arrow(text, paragraphs, doc_id=doc_id, nlp=nlp)
    return sentences.to_pandas(use_threads=False), tokens.to_pandas(use_threads=False)


def annotate_paragraphs_arrow(
    text: str, paragraphs: pd.DataFrame, *, doc_id: str, nlp=None,
) -> tuple[pa.Table, pa.Table]:
    """:func:`annotate_paragraphs` as two ``pyarrow.Table`` objects (what the corpus build writes).

    Token attributes are read with spaCy's ``Doc.to_array`` and strings are
    worked out once per distinct word form for all the documents a pipeline
    reads, so the cost stays close to that of spaCy's tokenizer alone.
    """
    import pyarrow as pa

    nlp = nlp or get_pipeline()
    turn_ids = paragraphs["turn_id"].to_numpy(dtype=np.int64)
    paragraph_ids = paragraphs["paragraph_id"].to_numpy(dtype=np.int64)
    starts = paragraphs["start"].to_numpy(dtype=np.int64)
    ends = paragraphs["end"].to_numpy(dtype=np.int64)
    columns = _token_arrays(nlp, [text[s:e] for s, e in zip(starts.tolist(), ends.tolist())])

    # Per token: the paragraph it comes from, its document offset, its sentence.
    counts = columns.pop("counts")
    paragraph_of = np.repeat(np.arange(len(starts)), counts)
    first_in_paragraph = np.zeros(len(paragraph_of), dtype=bool)
    first_in_paragraph[np.cumsum(counts)[counts > 0] - counts[counts > 0]] = True
    sentence_of = np.cumsum(first_in_paragraph | columns.pop("sent_start")) - 1
    words = ~columns.pop("is_space")
    token_start = starts[paragraph_of] + columns.pop("idx")
    token_end = token_start + columns.pop("length")

    # Sentences are numbered through the document; one holding only whitespace is left out.
    first_word, last_word, sentence_id = _sentence_spans(sentence_of[words])
    word_start, word_end, word_paragraph = token_start[words], token_end[words], paragraph_of[words]
    s_start, s_end = word_start[first_word], word_end[last_word]
    s_paragraph = word_paragraph[first_word]

    n_sentences, n_words = len(first_word), int(words.sum())
    sentences = pa.table({
        "doc_id": pa.repeat(pa.scalar(doc_id, pa.large_string()), n_sentences),
        "turn_id": turn_ids[s_paragraph],
        "paragraph_id": paragraph_ids[s_paragraph],
        "sentence_id": np.arange(n_sentences, dtype=np.int64),
        "start": s_start,
        "end": s_end,
        "text": pa.array([text[s:e] for s, e in zip(s_start.tolist(), s_end.tolist())], pa.large_string()),
    })
    word_index = np.flatnonzero(words)
    tokens = pa.table({
        "doc_id": pa.repeat(pa.scalar(doc_id, pa.large_string()), n_words),
        "turn_id": turn_ids[word_paragraph],
        "sentence_id": sentence_id,
        "token_id": np.arange(n_words, dtype=np.int64),
        "start": word_start,
        "end": word_end,
        "text": _decoded(columns["text"], word_index),
        "lower": _decoded(columns["lower"], word_index),
        "lemma": _decoded(columns["lemma"], word_index),
        "is_alpha": columns["is_alpha"][words],
        "is_stop": columns["is_stop"][words],
        "is_punct": columns["is_punct"][words],
    })
    return sentences, tokens


def _decoded(column: pa.DictionaryArray, positions: np.ndarray) -> pa.Array:
    """The strings of a dictionary-encoded column at ``positions``: one ``take`` from its dictionary."""
    return column.dictionary.take(column.indices.to_numpy()[positions])


def _sentence_spans(word_sentence: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last word of each sentence, and each word's sentence renumbered 0, 1, 2... without gaps.

    ``word_sentence`` holds each word's sentence number (non-decreasing; a
    sentence of whitespace alone has no words and so leaves a gap).
    """
    n = len(word_sentence)
    if n == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    boundaries = np.flatnonzero(np.diff(word_sentence)) + 1
    first = np.concatenate([[0], boundaries]).astype(np.int64)
    last = np.concatenate([boundaries - 1, [n - 1]]).astype(np.int64)
    renumbered = np.repeat(np.arange(len(first), dtype=np.int64), last - first + 1)
    return first, last, renumbered


def _token_arrays(nlp, texts: list[str]) -> dict:
    """Every token of ``texts`` (whitespace included) as columns, plus the token count of each text.

    Integer attributes come from ``Doc.to_array``; strings (form, lower case,
    lemma) are Arrow dictionary arrays, which hold each distinct string once.
    When the pipeline holds only spaCy's rule-based sentence splitter and
    lookup lemmatizer (the default), only the tokenizer runs and both rules
    are applied to whole arrays instead, giving the same sentences and lemmas
    without visiting tokens one by one.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_STOP, LEMMA, ORTH, SENT_START

    rules = _rule_components(nlp)
    attrs = [ORTH, IDX, IS_SPACE, IS_ALPHA, IS_STOP, IS_PUNCT]
    if rules is None:
        attrs += [SENT_START, LEMMA]
        docs = nlp.pipe(texts, batch_size=PIPE_BATCH_SIZE)
    else:
        docs = nlp.tokenizer.pipe(texts, batch_size=PIPE_BATCH_SIZE)
    arrays = [doc.to_array(attrs) for doc in docs]
    counts = np.array([len(a) for a in arrays], dtype=np.int64)
    table = np.concatenate(arrays) if arrays else np.zeros((0, len(attrs)), dtype=np.uint64)
    form_of, forms = pd.factorize(table[:, 0])  # hashing, not sorting: the order of forms is irrelevant
    form_text, form_lower, form_lemma = _form_strings(nlp, rules[1] if rules else None).arrays(forms.tolist())
    form_index = pa.array(form_of)
    columns = {
        "counts": counts,
        "idx": table[:, 1].astype(np.int64),
        "length": pc.utf8_length(form_text).to_numpy()[form_of],
        "is_space": table[:, 2].astype(bool),
        "is_alpha": table[:, 3].astype(bool),
        "is_stop": table[:, 4].astype(bool),
        "is_punct": table[:, 5].astype(bool),
        "text": pa.DictionaryArray.from_arrays(form_index, form_text),
        "lower": pa.DictionaryArray.from_arrays(form_index, form_lower),
    }
    if rules is None:
        columns["sent_start"] = table[:, 6].astype(np.int64) == 1
        # A trained pipeline's lemma may depend on context: look up each distinct (lemma, form) pair.
        strings = nlp.vocab.strings
        pairs, pair_inverse = np.unique(table[:, [7, 0]], axis=0, return_inverse=True)
        pair_lemma = [(strings[lemma] or strings[form]).lower() for lemma, form in pairs.tolist()]
        columns["lemma"] = pa.DictionaryArray.from_arrays(
            pa.array(pair_inverse.reshape(-1)), pa.array(pair_lemma, pa.large_string()),
        )
        return columns
    punct_chars, _ = rules
    if punct_chars is None:
        columns["sent_start"] = np.zeros(len(table), dtype=bool)
    else:
        ends_sentence = pc.is_in(form_text, value_set=pa.array(list(punct_chars), pa.large_string()))
        columns["sent_start"] = _sentence_starts(ends_sentence.to_numpy(zero_copy_only=False)[form_of],
                                                 columns["is_punct"], counts)
    columns["lemma"] = pa.DictionaryArray.from_arrays(form_index, form_lemma)
    return columns


class _FormStrings:
    """Each word form's text, lower case and lemma, worked out once for all documents a pipeline reads.

    The lemma is the lookup table's (see :func:`_lookup_lemma`), or the form
    itself without a table, lower-cased. Like spaCy's own lexemes, an entry is
    made when a form is first seen and then kept: a corpus repeats most of its
    forms in every document, so after the first few documents a document costs
    a dictionary look-up per distinct form. (Entries are not refreshed if a
    lookup table is edited in place after use.)
    """

    def __init__(self, vocab, lemmas):
        self.vocab = vocab
        self.lemmas = lemmas
        # By ORTH hash. ``lemma`` is filled last: a form found there has all three (also with threads).
        self.text: dict[int, str] = {}
        self.lower: dict[int, str] = {}
        self.lemma: dict[int, str] = {}

    def arrays(self, forms: list[int]) -> tuple[pa.Array, pa.Array, pa.Array]:
        """Text, lower case and lemma of each form (given by its ``ORTH`` hash) as three Arrow arrays."""
        import pyarrow as pa

        for form in forms:
            if form not in self.lemma:
                self._add(form)
        return tuple(
            pa.array(list(map(strings.__getitem__, forms)), pa.large_string())
            for strings in (self.text, self.lower, self.lemma)
        )

    def _add(self, form: int) -> None:
        lexeme = self.vocab[form]
        text = self.text[form] = lexeme.orth_
        self.lower[form] = lexeme.lower_
        lemma = text if self.lemmas is None else _lookup_lemma(self.lemmas, self.vocab.strings, form, text)
        self.lemma[form] = lemma.lower()


#: The :class:`_FormStrings` of each pipeline in use, dropped with the pipeline.
_FORM_STRINGS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _form_strings(nlp, lemmas) -> _FormStrings:
    """The pipeline's :class:`_FormStrings` for the lemma table ``lemmas`` (a new one when the table changed)."""
    memo = _FORM_STRINGS.get(nlp)
    if memo is None or memo.lemmas is not lemmas:
        memo = _FORM_STRINGS[nlp] = _FormStrings(nlp.vocab, lemmas)
    return memo


def _lookup_lemma(lemmas, strings, form_hash: int, form: str) -> str:
    """The lookup table's lemma of a form; a capitalised form the table lacks is looked up in lower case.

    The table is case-sensitive, so "Sanctions" opening a sentence would stay
    plural; words in capitals ("US", "NATO") are left as they are.
    """
    lemma = _first(lemmas.get(form_hash, form)) or form
    if lemma == form and form[:1].isupper() and form[1:].islower():
        lower = form.lower()
        lemma = _first(lemmas.get(strings[lower], lower)) or lower
    return lemma


def _sentence_starts(ends_sentence: np.ndarray, is_punct: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """spaCy's ``Sentencizer`` rule on whole arrays of tokens from consecutive texts.

    A token opens a sentence when a sentence-final character (``ends_sentence``)
    came before it with only punctuation in between and it is neither
    punctuation nor sentence-final itself; the first token of each text opens
    one. (Whitespace tokens are not punctuation, so they can open a sentence,
    as in spaCy.)
    """
    n = len(ends_sentence)
    first = np.zeros(n, dtype=bool)
    first[(np.cumsum(counts) - counts)[counts > 0]] = True
    resets = ~is_punct & ~ends_sentence
    # The state "a sentence-final character was seen" is set by ends_sentence and cleared by a reset
    # or by the start of a text; other punctuation leaves it as it was.
    event = ends_sentence | resets | first
    last_event = np.maximum.accumulate(np.where(event, np.arange(n), -1)) if n else np.zeros(0, dtype=np.int64)
    before = np.concatenate([[-1], last_event[:-1]]) if n else last_event
    seen = np.zeros(n, dtype=bool)
    has_event = before >= 0
    seen[has_event] = ends_sentence[before[has_event]]
    return first | (resets & seen & ~first)


def _rule_components(nlp):
    """``(punct_chars, lemma_table)`` when the pipeline holds nothing but spaCy's rule-based components.

    That is: at most spaCy's own ``Sentencizer`` (its sentence-final characters)
    and at most its ``Lemmatizer`` in lookup mode (its table, where a form's
    lemma is ``table.get(form) or form``, as ``Lemmatizer.lookup_lemmatize``
    gives). Either may be ``None`` when absent. Any other component, or a
    subclass that changes their behaviour, gives ``None``: then the whole
    pipeline runs.
    """
    from spacy.pipeline import Lemmatizer, Sentencizer

    punct_chars = lemmas = None
    for _, component in nlp.pipeline:
        kind = type(component)
        if kind is Sentencizer and punct_chars is None:
            punct_chars = frozenset(component.punct_chars)
        elif (
            isinstance(component, Lemmatizer) and lemmas is None and component.mode == "lookup"
            and kind.__call__ is Lemmatizer.__call__ and kind.lookup_lemmatize is Lemmatizer.lookup_lemmatize
        ):
            lemmas = component.lookups.get_table("lemma_lookup", {})
        else:
            return None
    return punct_chars, lemmas


def _first(value):
    """A lookup table's entry: a lemma, or a list of lemmas of which spaCy takes the first."""
    return value[0] if isinstance(value, list) else value
