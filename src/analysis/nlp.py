"""The spaCy pipeline: sentences and tokens of each paragraph as tables with document offsets."""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import pandas as pd

SENTENCE_COLUMNS = ["doc_id", "turn_id", "paragraph_id", "sentence_id", "start", "end", "text"]
TOKEN_COLUMNS = [
    "doc_id", "turn_id", "sentence_id", "token_id", "start", "end",
    "text", "lower", "lemma", "is_alpha", "is_stop", "is_punct",
]


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
    nlp = nlp or get_pipeline()
    sent_rows: list[tuple] = []
    tok_rows: list[tuple] = []
    spans = list(paragraphs[["turn_id", "paragraph_id", "start", "end"]].itertuples(index=False, name=None))
    docs: Iterable = nlp.pipe(text[start:end] for _, _, start, end in spans)
    sentence_id = 0
    token_id = 0
    for (turn_id, paragraph_id, p_start, _), doc in zip(spans, docs):
        for sent in doc.sents:
            words = [tok for tok in sent if not tok.is_space]
            if not words:
                continue
            s_start = p_start + words[0].idx
            s_end = p_start + words[-1].idx + len(words[-1].text)
            sent_rows.append((doc_id, int(turn_id), int(paragraph_id), sentence_id, s_start, s_end, text[s_start:s_end]))
            for tok in words:
                t_start = p_start + tok.idx
                tok_rows.append((
                    doc_id, int(turn_id), sentence_id, token_id, t_start, t_start + len(tok.text),
                    tok.text, tok.lower_, (tok.lemma_ or tok.text).lower(),
                    tok.is_alpha, tok.is_stop, tok.is_punct,
                ))
                token_id += 1
            sentence_id += 1
    sentences = pd.DataFrame(sent_rows, columns=SENTENCE_COLUMNS)
    tokens = pd.DataFrame(tok_rows, columns=TOKEN_COLUMNS)
    return _typed(sentences), _typed(tokens)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give offset and id columns a fixed integer type, so empty and full tables agree."""
    for column in ("turn_id", "paragraph_id", "sentence_id", "token_id", "start", "end"):
        if column in frame:
            frame[column] = frame[column].astype("int64")
    for column in ("is_alpha", "is_stop", "is_punct"):
        if column in frame:
            frame[column] = frame[column].astype(bool)
    return frame
