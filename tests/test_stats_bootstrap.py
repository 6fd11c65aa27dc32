"""The document bootstrap of a pooled rate, checked against SciPy's bootstrap and a plain loop."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from analysis.stats import bootstrap_mean, bootstrap_rate

#: Six documents of a toy corpus: matches of a label and their tokens.
COUNTS = np.array([0, 3, 1, 12, 0, 4])
TOKENS = np.array([800, 1500, 900, 2000, 400, 1200])


def test_the_rate_pools_counts_and_tokens():
    rate, _, _ = bootstrap_rate(COUNTS, TOKENS, per=10_000, n_boot=10)
    assert rate == pytest.approx(20 / 6800 * 10_000)


def test_interval_agrees_with_scipy_paired_percentile_bootstrap():
    def pooled(counts, tokens, axis=-1):
        return counts.sum(axis=axis) / tokens.sum(axis=axis) * 10_000

    reference = scipy_stats.bootstrap((COUNTS, TOKENS), pooled, paired=True, vectorized=True,
                                      n_resamples=20_000, method="percentile", confidence_level=0.9,
                                      random_state=np.random.default_rng(1))
    _, low, high = bootstrap_rate(COUNTS, TOKENS, per=10_000, n_boot=20_000, level=0.9, seed=7)
    width = reference.confidence_interval.high - reference.confidence_interval.low
    assert low == pytest.approx(reference.confidence_interval.low, abs=0.05 * width)
    assert high == pytest.approx(reference.confidence_interval.high, abs=0.05 * width)


def test_interval_is_the_percentiles_of_resampled_documents():
    rng = np.random.default_rng(3)
    rates = []
    for _ in range(500):
        picks = rng.integers(0, len(COUNTS), size=len(COUNTS))
        rates.append(COUNTS[picks].sum() / TOKENS[picks].sum() * 1000)
    expected = np.percentile(rates, [2.5, 97.5])
    _, low, high = bootstrap_rate(COUNTS, TOKENS, per=1000, n_boot=500, seed=3)
    assert (low, high) == pytest.approx(tuple(expected))


def test_same_seed_same_interval_and_one_document_has_no_spread():
    assert bootstrap_rate(COUNTS, TOKENS, seed=5) == bootstrap_rate(COUNTS, TOKENS, seed=5)
    assert bootstrap_rate([3], [1000], per=1000) == (3.0, 3.0, 3.0)


def test_documents_that_never_vary_give_a_point_interval():
    rate, low, high = bootstrap_rate([2, 2, 2], [1000, 1000, 1000], per=1000)
    assert rate == low == high == pytest.approx(2.0)


@pytest.mark.parametrize("count, tokens, options, message", [
    ([1, 2], [10], {}, "same length"),
    ([], [], {}, "no units"),
    ([1, -1], [10, 10], {}, "negative"),
    ([1, 2], [10, 10], {"level": 1.5}, "level"),
    ([1, 2], [10, 10], {"n_boot": 0}, "positive"),
])
def test_bad_input_is_refused(count, tokens, options, message):
    with pytest.raises(ValueError, match=message):
        bootstrap_rate(count, tokens, **options)


def test_bootstrap_mean_without_groups_agrees_with_scipy():
    values = np.array([0.9, -0.4, 0.1, 0.7, 0.3, -0.8, 0.5, 0.2, 0.0, 0.6])
    reference = scipy_stats.bootstrap((values,), np.mean, n_resamples=20_000, method="percentile",
                                      random_state=np.random.default_rng(2))
    mean, low, high = bootstrap_mean(values, n_boot=20_000, seed=9)
    width = reference.confidence_interval.high - reference.confidence_interval.low
    assert mean == pytest.approx(values.mean())
    assert low == pytest.approx(reference.confidence_interval.low, abs=0.05 * width)
    assert high == pytest.approx(reference.confidence_interval.high, abs=0.05 * width)


def test_bootstrap_mean_resamples_whole_groups():
    values = np.array([1.0, 1.0, 1.0, -1.0])
    groups = ["a", "a", "a", "b"]
    rng = np.random.default_rng(11)
    means = []
    for _ in range(300):
        picks = rng.integers(0, 2, size=2)  # groups in sorted order: a, b
        chosen = np.concatenate([values[:3] if p == 0 else values[3:] for p in picks])
        means.append(chosen.mean())
    mean, low, high = bootstrap_mean(values, groups=groups, n_boot=300, seed=11)
    assert mean == pytest.approx(0.5)
    assert (low, high) == pytest.approx(tuple(np.percentile(means, [2.5, 97.5])))
    with pytest.raises(ValueError, match="same length"):
        bootstrap_mean(values, groups=["a"])


def test_poisson_rate_interval_is_garwoods_exact_interval():
    from scipy.stats import poisson

    from analysis.stats import poisson_rate_interval

    # published exact 95 % limits of a Poisson count (Ulm 1990, Am J Epidemiol 131:373)
    low, high = poisson_rate_interval([0, 2, 10], [10_000] * 3, per=10_000)
    assert low == pytest.approx([0.0, 0.2422, 4.7954], abs=1e-4)
    assert high == pytest.approx([3.6889, 7.2247, 18.3904], abs=1e-4)
    # and by definition: each bound leaves (1 - level) / 2 of the Poisson distribution beyond the count
    counts, sizes = np.array([1, 7, 16, 40]), np.array([295, 1388, 1388, 82_399])
    low, high = poisson_rate_interval(counts, sizes, per=1000, level=0.9)
    assert poisson.sf(counts - 1, low * sizes / 1000) == pytest.approx([0.05] * 4)
    assert poisson.cdf(counts, high * sizes / 1000) == pytest.approx([0.05] * 4)
    assert np.isnan(poisson_rate_interval([1], [0])[0]).all()
    with pytest.raises(ValueError, match="negative"):
        poisson_rate_interval([-1], [10])


def test_bootstrap_median_without_groups_agrees_with_scipy():
    from analysis.stats import bootstrap_median

    values = np.array([12.0, 3.0, 45.0, 7.0, 19.0, 30.0, 5.0, 22.0, 16.0, 9.0, 41.0, 27.0, 2.0, 35.0, 11.0])
    reference = scipy_stats.bootstrap((values,), np.median, n_resamples=20_000, method="percentile",
                                      random_state=np.random.default_rng(4))
    median, low, high = bootstrap_median(values, n_boot=20_000, seed=5)
    assert median == pytest.approx(np.median(values))
    # the percentile bootstrap of a median jumps between data values: compare on that grid
    assert low == pytest.approx(reference.confidence_interval.low, abs=3.0)
    assert high == pytest.approx(reference.confidence_interval.high, abs=3.0)


def test_bootstrap_median_resamples_whole_groups():
    from analysis.stats import bootstrap_median

    values = np.array([1.0, 2.0, 3.0, 10.0, 20.0])
    groups = ["a", "a", "a", "b", "b"]
    rng = np.random.default_rng(3)
    medians = []
    for _ in range(400):
        picks = rng.integers(0, 2, size=2)  # groups in sorted order: a, b
        chosen = np.concatenate([values[:3] if p == 0 else values[3:] for p in picks])
        medians.append(np.median(chosen))
    median, low, high = bootstrap_median(values, groups=groups, n_boot=400, seed=3)
    assert median == pytest.approx(3.0)
    assert (low, high) == pytest.approx(tuple(np.quantile(medians, [0.025, 0.975])))
    assert bootstrap_median([4.0, 6.0], groups=["a", "a"]) == (5.0, 5.0, 5.0)
    with pytest.raises(ValueError, match="same length"):
        bootstrap_median(values, groups=["a"])
