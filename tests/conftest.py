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
