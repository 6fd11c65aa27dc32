"""Computational discourse analysis of interview transcripts.

The pipeline reads raw files (``sources``), parses them into turns (``transcripts``),
splits sentences and tokens (``nlp``), matches lexicons (``lexicon``), counts features
(``features``), computes corpus statistics (``stats``) and draws figures (``plots``).
``load_corpus()`` returns every table, building them first when they are missing or stale.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load_corpus", "Corpus", "InputError", "__version__"]


def __getattr__(name: str):
    # Heavy libraries (pandas, spaCy) are imported when first needed, not on `import analysis`.
    if name in ("load_corpus", "Corpus"):
        from . import corpus

        return getattr(corpus, name)
    if name == "InputError":
        from .errors import InputError

        return InputError
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
