"""Keywords against several references: each G² is SciPy's, and a keyword survives only where it is key in all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.stats import keyness_across

TARGET = pd.Series({"sanctions": 30, "reciprocity": 12, "the": 400, "we": 60, "briefing": 1})
REFERENCES = {
    "kremlin": pd.Series({"sanctions": 20, "reciprocity": 2, "the": 5000, "we": 900, "briefing": 3}),
    "white house": pd.Series({"sanctions": 40, "reciprocity": 300, "the": 6000, "we": 400, "briefing": 200}),
}


def _scipy_g2(a: int, b: int, c: int, d: int) -> float:
    g2, *_ = chi2_contingency([[a, b], [c - a, d - b]], correction=False, lambda_="log-likelihood")
    return g2


def test_each_g2_is_scipys_log_likelihood_with_the_sign_of_the_direction():
    table = keyness_across(TARGET, REFERENCES, threshold=None, min_freq=1).set_index("term")
    c = TARGET.sum()
    for name, reference in REFERENCES.items():
        d = reference.sum()
        for term in table.index:
            a, b = int(TARGET[term]), int(reference[term])
            sign = 1 if a / c > b / d else -1
            assert table.loc[term, f"g2 {name}"] == pytest.approx(sign * _scipy_g2(a, b, c, d), rel=1e-9)
            assert table.loc[term, name] == b and table.loc[term, "target"] == a


def test_a_keyword_survives_only_where_it_is_key_against_every_reference():
    table = keyness_across(TARGET, REFERENCES, threshold=None, min_freq=1).set_index("term")
    c = TARGET.sum()
    for term in table.index:
        keys = []
        for reference in REFERENCES.values():
            a, b, d = int(TARGET[term]), int(reference[term]), reference.sum()
            _, p, *_ = chi2_contingency([[a, b], [c - a, d - b]], correction=False, lambda_="log-likelihood")
            keys.append(a / c > b / d and p < 0.05)
        assert list(table.loc[term, [f"key {n}" for n in REFERENCES]]) == keys
        assert table.loc[term, "n_key"] == sum(keys) and table.loc[term, "key_in_all"] == all(keys)
        assert any(keys)
    assert list(table["n_key"]) == sorted(table["n_key"], reverse=True)
    assert table.loc["sanctions", "key_in_all"] and not table.loc["reciprocity", "key_in_all"]


def test_a_term_too_rare_to_test_has_no_g2():
    table = keyness_across(TARGET, REFERENCES, threshold=None, min_freq=5).set_index("term")
    assert "briefing" not in table.index or np.isnan(table.loc["briefing", "g2 kremlin"])


def test_no_reference_is_refused():
    with pytest.raises(ValueError, match="at least one reference"):
        keyness_across(TARGET, {})
