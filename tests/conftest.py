"""Shared fixtures: paths relative to this file, and the built corpus (built once per session)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Matplotlib and Jupyter must not depend on (or write into) the home folder.
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="mpl-"))
os.environ.setdefault("MPLBACKEND", "Agg")

TESTS_DIR = Path(__file__).resolve().parent
PROJECT_DIR = TESTS_DIR.parent
RAW_DIR = PROJECT_DIR / "data" / "raw"
INTERVIEW = RAW_DIR / "interview" / "darchiev-interfax.txt"
UN_DIR = RAW_DIR / "ungdc" / "rus_usa_can_1992_2024"


@pytest.fixture(scope="session")
def corpus():
    """The package's own corpus, built (or brought up to date) once for the whole test session."""
    from analysis import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def interview_text() -> str:
    from analysis.sources import read_document

    return read_document(INTERVIEW).text


def analyse_file(path, *, doc_id: str, kind: str | None = None) -> dict:
    """One raw file through the pipeline without a corpus build: text, turns, sentences, tokens, matches."""
    from analysis.lexicon import find_matches
    from analysis.nlp import annotate_paragraphs
    from analysis.sources import read_document
    from analysis.transcripts import parse_transcript

    text = read_document(path).text
    transcript = parse_transcript(text, doc_id=doc_id, kind=kind)
    sentences, tokens = annotate_paragraphs(text, transcript.paragraphs, doc_id=doc_id)
    matches = find_matches(text, tokens, sentences, doc_id=doc_id)
    return {"text": text, "sentences": sentences, "tokens": tokens, "turns": transcript.turns, "matches": matches}


@pytest.fixture(scope="session")
def interview_tables() -> dict:
    """The interview as the package parses it: text, sentences, tokens, turns and its matches."""
    return analyse_file(INTERVIEW, doc_id="darchiev-interfax")


@pytest.fixture(scope="session")
def drawn(corpus):
    """Paper figures drawn once per test session (drawing is the slow part) and shared by every module
    that reads them (the tests only read the Axes)."""
    import matplotlib.pyplot as plt

    from analysis import figures

    cache = {}

    def draw(name):
        if name not in cache:
            cache[name] = figures.draw_figure(name, corpus)
            plt.close(cache[name].figure)  # out of pyplot's list of open figures; the Axes stay readable
        return cache[name]

    return draw
