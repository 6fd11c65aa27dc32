"""The lexicons as a scikit-learn transformer: raw texts in, lexicon counts out, ready for pipelines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .features import QUOTE_LABELS, feature_name
from .lexicon import BLOCK_LABEL, CompiledLexicon, compiled_lexicon, match_text


class LexiconVectorizer(TransformerMixin, BaseEstimator):
    """Turn raw texts into lexicon counts, so the lexicons plug into scikit-learn pipelines.

    Each text is tokenised and matched with :func:`analysis.lexicon.match_text` (one paragraph
    per blank-line-separated block). ``lexicons`` is None (the packaged lexicons), an entries
    table or a path; ``layers`` keeps only those layers; ``per_1000=True`` gives rates per
    1,000 non-punctuation tokens instead of counts. ``transform`` returns a sparse CSR matrix
    (convert with ``.toarray()``); columns are ``get_feature_names_out()``, e.g. ``theme:nato``.

    >>> vec = LexiconVectorizer(layers=["theme"]).fit(["NATO expansion"])
    >>> X = vec.transform(["Sanctions, sanctions and NATO."])
    >>> dict(zip(vec.get_feature_names_out(), X.toarray()[0]))["theme:sanctions"]
    np.float64(2.0)
    """

    def __init__(self, lexicons=None, layers: Sequence[str] | None = None, per_1000: bool = False):
        self.lexicons = lexicons
        self.layers = layers
        self.per_1000 = per_1000

    def fit(self, X=None, y=None):
        """Compile the lexicons and fix the feature names (the texts are not needed)."""
        layers = list(self.layers) if self.layers is not None else None
        compiled = compiled_lexicon(self.lexicons, layers=layers)
        entries = compiled.entries[compiled.entries["label"] != BLOCK_LABEL]
        names = {feature_name(a, b) for a, b in zip(entries["layer"], entries["label"])}
        if layers is None or "quote" in layers:
            names |= {feature_name("quote", label) for label in QUOTE_LABELS}
        self.compiled_: CompiledLexicon = compiled
        self.feature_names_ = np.array(sorted(names), dtype=object)
        return self

    def transform(self, X) -> sparse.csr_matrix:
        """A (texts x features) sparse matrix of counts (or rates with ``per_1000=True``)."""
        check_is_fitted(self, "compiled_")
        if isinstance(X, str):
            raise ValueError("expected an iterable of texts, not one string")
        column = {name: i for i, name in enumerate(self.feature_names_)}
        layers = list(self.layers) if self.layers is not None else None
        texts = [str(text) for text in X]
        rows, cols, values = [], [], []
        for row, text in enumerate(texts):
            found = match_text(text, lexicons=self.compiled_, layers=layers)
            names = [feature_name(a, b) for a, b in zip(found["layer"], found["label"])]
            counted = pd.Series(names, dtype=object).value_counts()
            scale = 1.0
            if self.per_1000:
                n_words = _word_count(text)
                scale = 1000.0 / n_words if n_words else 0.0
            for name, n in counted.items():
                if name in column:
                    rows.append(row)
                    cols.append(column[name])
                    values.append(n * scale)
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(texts), len(column)), dtype=np.float64)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The feature names, ``layer:label``, in column order."""
        check_is_fitted(self, "feature_names_")
        return self.feature_names_.copy()


def _word_count(text: str) -> int:
    from .nlp import get_pipeline

    return sum(1 for tok in get_pipeline().tokenizer(text) if not tok.is_space and not tok.is_punct)
