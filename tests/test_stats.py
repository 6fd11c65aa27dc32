"""Tests of analysis.stats against NLTK, SciPy, scikit-learn and published worked examples."""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
from nltk.util import ngrams as nltk_ngrams
from scipy.stats import chi2_contingency
from sklearn.feature_extraction.text import TfidfVectorizer

from analysis.nlp import annotate_paragraphs
from analysis.stats import (
    association_measures,
    collocates,
    dispersion,
    keyness,
    lexical_diversity,
    mattr,
    mtld,
    ngrams,
    term_dispersion,
    tfidf_terms,
    tokens_in_spans,
    ttr,
)

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
UN = RAW / "ungdc" / "rus_usa_can_1992_2024"
REL = 1e-9


def _line_tokens(path: Path, doc_id: str) -> pd.DataFrame:
    """Tokens of a raw text file, one paragraph per non-empty line (all in turn 0)."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    rows, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            rows.append((0, len(rows), pos, pos + len(line)))
        pos += len(line) + 1
    paragraphs = pd.DataFrame(rows, columns=["turn_id", "paragraph_id", "start", "end"])
    return annotate_paragraphs(text, paragraphs, doc_id=doc_id)[1]


@pytest.fixture(scope="module")
def un_tokens() -> pd.DataFrame:
    """Tokens of the 2022 statements of Russia, the USA and Canada."""
    return pd.concat(
        [_line_tokens(UN / f"{iso}_77_2022.txt", f"{iso}_77_2022") for iso in ("RUS", "USA", "CAN")],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def interview_tokens() -> pd.DataFrame:
    return _line_tokens(RAW / "interview" / "darchiev-interfax.txt", "interview")


def _counts(tokens: pd.DataFrame) -> pd.Series:
    alpha = tokens[tokens["is_alpha"]]
    return alpha["lower"].value_counts()


# ------------------------------------------------------------------------------------------
# Keyness: published examples
# ------------------------------------------------------------------------------------------

def _one(a, c, b, d, **options) -> pd.Series:
    table = keyness(pd.Series({"w": a}), pd.Series({"w": b}), target_total=c, reference_total=d, **options)
    assert len(table) == 1
    return table.iloc[0]


def test_keyness_k1_two_and_four_cell_forms_differ_at_four_decimals():
    # UCREL wizard output (course slide): LL = +2.65, %1 = 0.10, %2 = 0.08.
    row = _one(52, 50_000, 57, 75_000)
    assert abs(row.g2_2cell - 2.6517) < 5e-5
    assert abs(row.g2 - 2.6541) < 5e-5
    assert round(row.g2_2cell, 2) == 2.65
    assert round(row.target_pm / 1e4, 2) == 0.10 and round(row.reference_pm / 1e4, 2) == 0.08
    assert row.direction == "positive"


def test_keyness_k2_matches_the_four_cell_form_only():
    row = _one(288, 92_965, 114_099, 104_570_472)
    assert round(row.g2, 2) == 228.02
    assert round(row.g2_2cell, 2) != 228.02


def test_keyness_k3_dunning_with_a_zero_cell():
    # Dunning 1993 p. 72: O = [[10, 0], [3, 31764]] -> G2 = 167.23 (term absent from the reference).
    row = _one(10, 13, 0, 31_764)
    assert round(row.g2, 2) == 167.23
    assert row.reference == 0
    assert row.pct_diff == np.inf
    assert math.isfinite(row.log_ratio)


def test_keyness_effect_sizes_published_examples():
    # Hardie 2014: relative frequencies 0.0006 vs 0.0002 -> ratio 3 -> log2 3.
    assert _one(6, 10_000, 2, 10_000).log_ratio == pytest.approx(math.log2(3), rel=REL)
    # Gabrielatos & Marchi 2011 p. 18 and 2012 pp. 21-22.
    assert round(_one(206_523, 959_641, 178_174, 1_562_358).pct_diff, 1) == 88.7
    assert round(_one(20, 29_954, 1, 23_691).pct_diff, 2) == 1481.83
    # Sketch Engine's Simple Maths documentation: "shard", BNC vs ukWaC, N = 1 -> 1.1224.
    assert round(_one(35, 112_289_776, 263, 1_559_716_979).simple_maths, 4) == 1.1224
    # Pedersen 1996 p. 10: [[1, 3], [3, 1]] with Yates -> 0.5.
    assert _one(1, 4, 3, 4).chi2 == pytest.approx(0.5, rel=REL)
    # scipy issue #13875: [[1573, 3], [4, 0]]; the capped correction gives 0 (a full 0.5 shift gave 32.07).
    capped = _one(1573, 1577, 3, 3).chi2
    assert capped == pytest.approx(chi2_contingency([[1573, 3], [4, 0]])[0], abs=1e-12) and capped == 0


def test_keyness_log_ratio_uses_half_for_a_zero_count():
    # 5/1000 vs 0/1000: 0.5 in place of the zero -> log2(5/0.5).
    row = _one(5, 1000, 0, 1000)
    assert row.log_ratio == pytest.approx(math.log2(10), rel=REL)
    assert _one(0, 1000, 5, 1000).log_ratio == pytest.approx(-math.log2(10), rel=REL)


def test_keyness_bic_and_p_value():
    row = _one(52, 50_000, 57, 75_000)
    assert row.bic == pytest.approx(row.g2 - math.log(125_000), rel=REL)
    assert row.p_value == pytest.approx(chi2_contingency([[52, 57], [49_948, 74_943]], correction=False,
                                                         lambda_="log-likelihood")[1], rel=REL)


# ------------------------------------------------------------------------------------------
# Keyness: real text against SciPy and NLTK
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def interview_vs_russia(interview_tokens, un_tokens):
    target = _counts(interview_tokens)
    reference = _counts(un_tokens[un_tokens["doc_id"] == "RUS_77_2022"])
    return target, reference, keyness(target, reference)


def test_keyness_matches_scipy_on_every_term(interview_vs_russia):
    target, reference, table = interview_vs_russia
    c, d = target.sum(), reference.sum()
    assert len(table) == len(target.index.union(reference.index))
    for row in table.itertuples():
        observed = [[row.target, row.reference], [c - row.target, d - row.reference]]
        g2, p, _, _ = chi2_contingency(observed, correction=False, lambda_="log-likelihood")
        yates = chi2_contingency(observed, correction=True)[0]
        assert row.g2 == pytest.approx(g2, rel=REL, abs=1e-12)
        assert row.p_value == pytest.approx(p, rel=REL, abs=1e-15)
        assert row.chi2 == pytest.approx(yates, rel=REL, abs=1e-12)


def test_keyness_matches_nltk_likelihood_ratio_on_every_term(interview_vs_russia):
    target, reference, table = interview_vs_russia
    c, n = target.sum(), target.sum() + reference.sum()
    for row in table.itertuples():
        # NLTK's keyness idiom: (count in target, (count in whole, target size), whole size).
        expected = BigramAssocMeasures.likelihood_ratio(row.target, (row.target + row.reference, c), n)
        assert row.g2 == pytest.approx(expected, rel=REL, abs=1e-12)


def test_keyness_table_shape_order_and_directions(interview_vs_russia):
    target, reference, table = interview_vs_russia
    assert list(table.columns[:3]) == ["term", "target", "reference"]
    assert table["term"].is_unique
    assert (np.diff(table["g2"].to_numpy()) <= 0).all()
    rates = table["target"] / target.sum() - table["reference"] / reference.sum()
    assert (table.loc[rates > 0, "direction"] == "positive").all()
    assert (table.loc[rates < 0, "direction"] == "negative").all()
    assert (table["g2"] >= 0).all() and (table["g2_2cell"] >= 0).all()
    assert table["target"].dtype == "int64"
    # every term of either side is there, with its raw counts
    row = table.set_index("term").loc["sanctions"]
    assert row.target == target["sanctions"] and row.reference == reference.get("sanctions", 0)


def test_keyness_thresholds_and_min_freq(interview_vs_russia):
    target, reference, _ = interview_vs_russia
    table = keyness(target, reference, min_freq=3, threshold="bonferroni")
    assert ((table["target"] + table["reference"]) >= 3).all()
    assert (table["significant"] == (table["p_value"] < 0.05 / len(table))).all()
    plain = keyness(target, reference, min_freq=3)
    assert plain["significant"].sum() >= table["significant"].sum()
    bic = keyness(target, reference, threshold="bic", min_bic=2.0)
    assert (bic["significant"] == (bic["bic"] > 2.0)).all()
    with pytest.raises(ValueError, match="threshold"):
        keyness(target, reference, threshold="holm")


def test_keyness_is_deterministic_under_input_order(interview_vs_russia):
    target, reference, table = interview_vs_russia
    shuffled = keyness(target.sample(frac=1, random_state=3), reference.sample(frac=1, random_state=4))
    pd.testing.assert_frame_equal(table, shuffled)


# ------------------------------------------------------------------------------------------
# Keyness: edge cases
# ------------------------------------------------------------------------------------------

def test_keyness_one_token_corpora():
    table = keyness(pd.Series({"x": 1}), pd.Series({"x": 1}))
    row = table.iloc[0]
    assert row.g2 == 0 and row.g2_2cell == 0 and row.chi2 == 0 and row.log_ratio == 0
    assert row.direction == "equal"
    table = keyness(pd.Series({"x": 1}), pd.Series({"x": 2, "y": 5}))
    assert set(table["term"]) == {"x", "y"}
    assert table.set_index("term").loc["y", "target"] == 0


def test_keyness_drops_terms_with_zero_counts_on_both_sides():
    table = keyness(pd.Series({"x": 3, "z": 0}), pd.Series({"x": 1, "y": 4, "z": 0}))
    assert sorted(table["term"]) == ["x", "y"]


@pytest.mark.parametrize(
    "target, reference, message",
    [
        (pd.Series(dtype="int64"), pd.Series({"x": 1}), "empty"),
        (pd.Series({"x": 0}), pd.Series({"x": 1}), "empty"),
        (pd.Series({"x": -1}), pd.Series({"x": 1}), "negative"),
        (pd.Series([1, 2], index=["x", "x"]), pd.Series({"x": 1}), "duplicated"),
        (pd.Series({"x": np.nan}), pd.Series({"x": 1}), "missing"),
    ],
)
def test_keyness_rejects_bad_input(target, reference, message):
    with pytest.raises(ValueError, match=message):
        keyness(target, reference)


def test_keyness_rejects_a_count_above_the_total():
    with pytest.raises(ValueError, match="larger than"):
        keyness(pd.Series({"x": 5}), pd.Series({"x": 1}), target_total=4)


# ------------------------------------------------------------------------------------------
# Association measures
# ------------------------------------------------------------------------------------------

def test_association_measures_published_examples():
    # Church & Hanks 1990 p. 24.
    assert round(association_measures(8, 1105, 44, 15_000_000).mi.iloc[0], 1) == 11.3
    # Manning & Schuetze 5.4 (NLTK doctest).
    mi = association_measures([20, 20], [42, 15_019], [20, 15_629], 14_307_668).mi
    assert round(mi.iloc[0], 2) == 18.38 and round(mi.iloc[1], 2) == 0.29
    # Manning & Schuetze 5.3.2: t = 0.999932 (their variance p(1-p); ours s^2 = O agrees to 1e-5).
    new_companies = association_measures(8, 15_828, 4_675, 14_307_668).iloc[0]
    assert abs(new_companies.t_score - 0.999932) < 1e-5
    assert round(association_measures(20, 42, 20, 14_307_668).t_score.iloc[0], 4) == 4.4721
    # Manning & Schuetze 5.3.3: X2 = 1.55 for "new companies", 456400 for cow/vache.
    assert round(new_companies.chi2, 2) == 1.55
    assert round(association_measures(59, 67, 65, 571_007).chi2.iloc[0], -2) == 456_400
    # Dunning 1993 p. 73: [[3, 0], [0, 31774]] -> X2 = 31777.
    assert association_measures(3, 3, 3, 31_777).chi2.iloc[0] == pytest.approx(31_777, rel=REL)
    # Dunning 1993 via NLTK's collocations doctest: 270.72 and 95.29.
    g2 = association_measures([110, 8], [2552, 13], [221, 32], 31_777).g2
    assert round(g2.iloc[0], 2) == 270.72 and round(g2.iloc[1], 2) == 95.29
    # Smadja, McKeown & Hatzivassiloglou 1996 p. 13: Dice = 0.08.
    assert round(association_measures(130, 3121, 143, 1_000_000).dice.iloc[0], 2) == 0.08
    # Rychly 2008: logDice is 14 when x and y always occur together.
    assert association_measures(50, 50, 50, 10_000).log_dice.iloc[0] == pytest.approx(14.0, rel=REL)


def test_association_measures_with_a_span_follow_evert():
    # f1 = 1000, f2 = 2000, N = 1e6, O = 60, span k = 10: E = k f1 f2 / N = 20.
    row = association_measures(60, 1000, 2000, 1_000_000, window_tokens=10 * 1000).iloc[0]
    assert row.expected == pytest.approx(20.0, rel=REL)
    assert row.z_score == pytest.approx(40 / math.sqrt(20), rel=REL)
    assert row.t_score == pytest.approx(40 / math.sqrt(60), rel=REL)
    assert row.mi == pytest.approx(math.log2(3), rel=REL)
    assert row.mi3 == pytest.approx(math.log2(60 ** 3 / 20), rel=REL)
    table = [[60, 10_000 - 60], [2000 - 60, 1_000_000 - 10_000 - 2000 + 60]]
    assert row.g2 == pytest.approx(chi2_contingency(table, correction=False, lambda_="log-likelihood")[0], rel=REL)
    assert row.chi2 == pytest.approx(chi2_contingency(table, correction=False)[0], rel=REL)


def test_association_measures_match_nltk_on_real_bigrams(un_tokens):
    words = list(un_tokens.loc[un_tokens["is_alpha"] & (un_tokens["doc_id"] == "USA_77_2022"), "lower"])
    finder = BigramCollocationFinder.from_words(words)
    pairs = sorted(finder.ngram_fd.items())
    o = np.array([count for _, count in pairs])
    f1 = np.array([finder.word_fd[w1] for (w1, _), _ in pairs])
    f2 = np.array([finder.word_fd[w2] for (_, w2), _ in pairs])
    n = finder.N
    ours = association_measures(o, f1, f2, n)
    measures = {
        "mi": BigramAssocMeasures.pmi,
        "t_score": BigramAssocMeasures.student_t,
        "chi2": BigramAssocMeasures.chi_sq,
        "dice": BigramAssocMeasures.dice,
        "g2": BigramAssocMeasures.likelihood_ratio,
    }
    for column, measure in measures.items():
        theirs = np.array([measure(int(oi), (int(a), int(b)), n) for oi, a, b in zip(o, f1, f2)])
        np.testing.assert_allclose(ours[column].to_numpy(), theirs, rtol=REL, atol=1e-12, err_msg=column)
    mi_like = [BigramAssocMeasures.mi_like(int(oi), (int(a), int(b)), n, power=3) for oi, a, b in zip(o, f1, f2)]
    mi3 = np.log2(np.array(mi_like) * n)  # NLTK's mi_like(power=3) is O^3 / (f1 f2) = 2^MI3 / N
    np.testing.assert_allclose(ours["mi3"].to_numpy(), mi3, rtol=REL)
    assert len(pairs) > 1000


def test_association_measures_reject_inconsistent_counts():
    with pytest.raises(ValueError, match="inconsistent"):
        association_measures(5, 3, 10, 100)


# ------------------------------------------------------------------------------------------
# Collocates
# ------------------------------------------------------------------------------------------

def test_collocates_right_neighbour_matches_nltk_bigrams(un_tokens):
    doc = un_tokens[un_tokens["doc_id"] == "USA_77_2022"]
    words = list(doc.loc[doc["is_alpha"], "lower"])
    assert words[-1] != "the" and ("the", "the") not in zip(words, words[1:])
    ours = collocates(doc, "the", left=0, right=1).set_index("collocate")
    finder = BigramCollocationFinder.from_words(words)
    assert ours.attrs["node_freq"] == finder.word_fd["the"] == ours.attrs["window_tokens"]
    assert ours.attrs["n_tokens"] == finder.N
    measures = {"mi": BigramAssocMeasures.pmi, "t_score": BigramAssocMeasures.student_t,
                "g2": BigramAssocMeasures.likelihood_ratio, "chi2": BigramAssocMeasures.chi_sq,
                "dice": BigramAssocMeasures.dice}
    pairs = {w2: count for (w1, w2), count in finder.ngram_fd.items() if w1 == "the"}
    assert dict(ours["observed"]) == pairs
    for collocate, count in pairs.items():
        marginals = (finder.word_fd["the"], finder.word_fd[collocate])
        for column, measure in measures.items():
            assert ours.loc[collocate, column] == pytest.approx(measure(count, marginals, finder.N), rel=REL)


def _brute_force_window_counts(tokens: pd.DataFrame, node: str, left: int, right: int) -> tuple[Counter, int, int]:
    """Independent count: union of window positions per document, node tokens excluded."""
    observed, slots, nodes = Counter(), 0, 0
    for _, doc in tokens.sort_values(["doc_id", "token_id"]).groupby("doc_id"):
        words = list(doc.loc[doc["is_alpha"], "lower"])
        hits = [i for i, w in enumerate(words) if w == node]
        starts = [i for i in hits if i - 1 not in hits]
        ends = [i for i in hits if i + 1 not in hits]
        nodes += len(starts)
        region = set()
        for s in starts:
            region.update(range(max(0, s - left), s))
        for e in ends:
            region.update(range(e + 1, min(len(words), e + right + 1)))
        region -= set(hits)
        slots += len(region)
        observed.update(words[i] for i in region)
    return observed, slots, nodes


@pytest.mark.parametrize("left, right", [(5, 5), (2, 0), (0, 3), (4, 1)])
def test_collocates_count_a_window_like_a_brute_force_count(un_tokens, left, right):
    table = collocates(un_tokens, "the", left=left, right=right).set_index("collocate")
    observed, slots, nodes = _brute_force_window_counts(un_tokens, "the", left, right)
    assert dict(table["observed"]) == dict(observed)
    assert table.attrs["window_tokens"] == slots and table.attrs["node_freq"] == nodes
    n = int(un_tokens["is_alpha"].sum())
    freq = un_tokens.loc[un_tokens["is_alpha"], "lower"].value_counts()
    expected = slots * freq.reindex(table.index).to_numpy() / n
    np.testing.assert_allclose(table["expected"].to_numpy(), expected, rtol=REL)


def _toy_tokens(docs: dict[str, str]) -> pd.DataFrame:
    frames = []
    for doc_id, text in docs.items():
        paragraphs = pd.DataFrame({"turn_id": [0], "paragraph_id": [0], "start": [0], "end": [len(text)]})
        frames.append(annotate_paragraphs(text, paragraphs, doc_id=doc_id)[1])
    return pd.concat(frames, ignore_index=True)


def test_collocates_windows_stay_inside_a_document():
    tokens = _toy_tokens({"a": "Economic pressure means sanctions", "b": "Nobody wins here"})
    table = collocates(tokens, "sanctions", left=2, right=2)
    assert set(table["collocate"]) == {"pressure", "means"}
    assert table.attrs["window_tokens"] == 2


def test_collocates_window_within_sentence_and_turn():
    tokens = _toy_tokens({"a": "We reject sanctions. Dialogue matters."})
    by_doc = collocates(tokens, "sanctions", left=2, right=2)
    by_sentence = collocates(tokens, "sanctions", left=2, right=2, within="sentence")
    assert set(by_doc["collocate"]) == {"we", "reject", "dialogue", "matters"}
    assert set(by_sentence["collocate"]) == {"we", "reject"}


def test_collocates_expected_is_span_times_f1_f2_over_n_without_overlap():
    text = "alpha beta node gamma delta epsilon zeta eta theta node iota kappa lambda mu"
    tokens = _toy_tokens({"d": text})
    table = collocates(tokens, "node", left=2, right=2).set_index("collocate")
    n = len(text.split())
    assert table.attrs["window_tokens"] == 4 * 2
    assert table.loc["beta", "expected"] == pytest.approx(4 * 2 * 1 / n, rel=REL)


def test_collocates_node_from_lemma_mask_and_positions(interview_tokens):
    by_lemma = collocates(interview_tokens, "sanction", by="lemma")
    mask = (interview_tokens["lemma"] == "sanction").to_numpy()
    by_mask = collocates(interview_tokens, mask, by="lemma")
    pairs = set(zip(interview_tokens.loc[mask, "doc_id"], interview_tokens.loc[mask, "token_id"]))
    by_pairs = collocates(interview_tokens, pairs, by="lemma")
    pd.testing.assert_frame_equal(by_lemma, by_mask)
    pd.testing.assert_frame_equal(by_lemma, by_pairs)
    assert by_lemma.attrs["node_freq"] == int(mask.sum()) > 5


def test_collocates_multiword_span_is_one_node(interview_tokens):
    text = "Washington imposed economic sanctions on Russia."
    tokens = _toy_tokens({"d": text})
    start = text.index("economic sanctions")
    spans = pd.DataFrame({"doc_id": ["d"], "start": [start], "end": [start + len("economic sanctions")]})
    mask = tokens_in_spans(tokens, spans)
    assert list(tokens.loc[mask, "text"]) == ["economic", "sanctions"]
    table = collocates(tokens, mask, left=1, right=1)
    assert table.attrs["node_freq"] == 1
    assert set(table["collocate"]) == {"imposed", "on"}


def test_collocates_stop_words_and_sorting(interview_tokens):
    table = collocates(interview_tokens, "sanctions", stop_words=True, sort_by="log_dice")
    stops = set(interview_tokens.loc[interview_tokens["is_stop"], "lower"])
    assert not set(table["collocate"]) & stops
    assert (np.diff(table["log_dice"].to_numpy()) <= 0).all()
    custom = collocates(interview_tokens, "sanctions", stop_words=["the", "of"])
    assert not {"the", "of"} & set(custom["collocate"])


def test_collocates_errors(interview_tokens):
    with pytest.raises(ValueError, match="does not occur"):
        collocates(interview_tokens, "zzzz")
    with pytest.raises(ValueError, match="empty"):
        collocates(interview_tokens.iloc[:0], "sanctions")
    with pytest.raises(ValueError, match="window"):
        collocates(interview_tokens, "sanctions", left=0, right=0)
    with pytest.raises(ValueError, match="one value per token"):
        collocates(interview_tokens, np.array([True, False]))


# ------------------------------------------------------------------------------------------
# N-grams
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3])
def test_ngrams_match_nltk_within_sentences(un_tokens, n):
    expected, units = Counter(), {}
    for (doc_id, _), sentence in un_tokens.sort_values(["doc_id", "token_id"]).groupby(["doc_id", "sentence_id"]):
        for gram, flags in zip(nltk_ngrams(sentence["lower"], n), nltk_ngrams(sentence["is_alpha"], n)):
            if all(flags):
                expected[" ".join(gram)] += 1
                units.setdefault(" ".join(gram), set()).add(doc_id)
    table = ngrams(un_tokens, n=n, min_freq=1).set_index("ngram")
    assert dict(table["freq"]) == dict(expected)
    assert dict(table["range"]) == {gram: len(docs) for gram, docs in units.items()}
    assert (table["n"] == n).all()


def test_ngrams_min_freq_min_range_and_order(un_tokens):
    table = ngrams(un_tokens, n=2, min_freq=3, min_range=2)
    assert (table["freq"] >= 3).all() and (table["range"] >= 2).all()
    assert "united nations" in set(table["ngram"])
    keys = list(zip(-table["freq"], -table["range"], table["ngram"]))
    assert keys == sorted(keys)
    by_turn = ngrams(un_tokens, n=2, min_freq=1, range_unit="turn")
    assert (by_turn["range"] <= 3).all()


def test_ngrams_do_not_bridge_punctuation():
    tokens = _toy_tokens({"d": "Sanctions, however, hurt. Sanctions hurt."})
    table = ngrams(tokens, n=2, min_freq=1).set_index("ngram")
    assert dict(table["freq"]) == {"sanctions hurt": 1}


def test_ngrams_of_short_and_empty_input():
    tokens = _toy_tokens({"d": "Sanctions"})
    assert ngrams(tokens, n=2, min_freq=1).empty
    assert list(ngrams(tokens, n=1, min_freq=1)["ngram"]) == ["sanctions"]
    assert ngrams(tokens.iloc[:0], n=2).empty
    with pytest.raises(ValueError):
        ngrams(tokens, n=0)


# ------------------------------------------------------------------------------------------
# tf-idf
# ------------------------------------------------------------------------------------------

def test_tfidf_terms_match_scikit_learn_and_the_formula(un_tokens):
    table = tfidf_terms(un_tokens, top_n=None)
    alpha = un_tokens[un_tokens["is_alpha"]].sort_values(["doc_id", "token_id"])
    doc_ids = sorted(alpha["doc_id"].unique())
    texts = [" ".join(alpha.loc[alpha["doc_id"] == d, "lower"]) for d in doc_ids]
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False)
    dense = vectorizer.fit_transform(texts).toarray()
    vocabulary = vectorizer.vocabulary_
    assert len(table) == np.count_nonzero(dense)
    for row in table.itertuples():
        assert row.tfidf == pytest.approx(dense[doc_ids.index(row.doc_id), vocabulary[row.term]], rel=REL)
    # the textbook formula: tf * (ln((1 + n) / (1 + df)) + 1), then l2-normalised per document
    counts = alpha.groupby(["doc_id", "lower"]).size().unstack(fill_value=0)
    idf = np.log((1 + len(counts)) / (1 + (counts > 0).sum())) + 1
    weights = counts * idf
    weights = weights.div(np.sqrt((weights ** 2).sum(axis=1)), axis=0)
    sample = table.sample(200, random_state=0)
    for row in sample.itertuples():
        assert row.tfidf == pytest.approx(weights.loc[row.doc_id, row.term], rel=REL)
        assert row.count == counts.loc[row.doc_id, row.term]


def test_tfidf_terms_top_n_rank_and_units(un_tokens):
    table = tfidf_terms(un_tokens, top_n=5, stop_words=True)
    assert table.groupby("doc_id").size().tolist() == [5, 5, 5]
    assert table.groupby("doc_id")["rank"].apply(list).tolist() == [[1, 2, 3, 4, 5]] * 3
    for _, group in table.groupby("doc_id"):
        assert (np.diff(group["tfidf"].to_numpy()) <= 0).all()
    by_sentence = tfidf_terms(un_tokens, unit=["doc_id", "sentence_id"], top_n=1)
    assert list(by_sentence.columns[:2]) == ["doc_id", "sentence_id"]
    with pytest.raises(ValueError, match="no tokens"):
        tfidf_terms(un_tokens.iloc[:0])


# ------------------------------------------------------------------------------------------
# Dispersion
# ------------------------------------------------------------------------------------------

def test_juilland_d_published_examples():
    equal = pd.Series([100] * 5, index=list("abcde"))
    carroll = dispersion(pd.DataFrame([[0, 4, 3, 2, 1]], columns=list("abcde")), sizes=equal)
    assert round(carroll["juilland_d"].iloc[0], 4) == 0.6464  # Carroll 1970 p. 14
    parts = [f"p{i}" for i in range(10)]
    sizes = pd.Series([8143, 8058, 8271, 8125, 7959, 7941, 8146, 8001, 8003, 7930], index=parts)
    allemand = dispersion(pd.DataFrame([[2, 0, 1, 1, 3, 0, 3, 0, 0, 0]], index=["allemand"], columns=parts),
                          sizes=sizes)
    assert round(allemand["juilland_d"].iloc[0], 7) == 0.6038797  # Lyne 1985 via tlda's README
    # tlda reports 1 - DP(Gries 2008) = 0.5009295 for the same item
    assert round(1 - allemand["dp"].iloc[0], 7) == 0.5009295


def test_dp_lijffijt_gries_example():
    equal = pd.Series([10, 10, 10], index=list("abc"))
    table = dispersion(pd.DataFrame([[2, 1, 0]], columns=list("abc")), sizes=equal)
    assert table["dp"].iloc[0] == pytest.approx(1 / 3, rel=REL)
    assert table["dp_norm"].iloc[0] == pytest.approx(0.5, rel=REL)
    assert table["range"].iloc[0] == 2


def test_dispersion_of_gries_2020_toy_corpus():
    parts = ["b a m n i b e u p", "b a s a t b e w q n", "b c a g a b e s t a",
             "b a g h a b e a a t", "b a h a a b e a x a t"]
    rows = [(f"part{i}", 0, 0, j, w, w, True) for i, part in enumerate(parts) for j, w in enumerate(part.split())]
    tokens = pd.DataFrame(rows, columns=["doc_id", "turn_id", "sentence_id", "token_id", "text", "lower", "is_alpha"])
    table = term_dispersion(tokens, ["b", "i", "q", "x"]).set_index("term")
    # scattertext's test of Gries' (2020) toy corpus
    assert table.loc["b", "range"] == 5 and round(table.loc["b", "dp"], 2) == 0.02
    assert round(table.loc["b", "dp_norm"], 3) == 0.024 and round(table.loc["b", "juilland_d"], 3) == 0.968
    assert round(table.loc["i", "dp"], 2) == 0.82 and table.loc["i", "dp_norm"] == pytest.approx(1.0, rel=REL)
    assert round(table.loc["q", "dp"], 2) == 0.8 and round(table.loc["q", "dp_norm"], 3) == 0.976
    assert round(table.loc["x", "dp"], 2) == 0.78 and round(table.loc["x", "dp_norm"], 3) == 0.951
    assert (table.loc[["i", "q", "x"], "juilland_d"] == 0).all()
    assert (table.loc[["i", "q", "x"], "range"] == 1).all()


def test_dispersion_scaling_direction_and_edges():
    sizes = pd.Series([10, 10, 10, 10], index=list("abcd"))
    counts = pd.DataFrame([[2, 2, 2, 2], [8, 0, 0, 0], [0, 0, 0, 0]], index=["even", "clumped", "absent"],
                          columns=list("abcd"))
    table = dispersion(counts, sizes=sizes).set_index("term")
    assert table.loc["even", "dp"] == 0 and table.loc["even", "juilland_d"] == 1
    assert table.loc["clumped", "dp_norm"] == pytest.approx(1.0) and table.loc["clumped", "juilland_d"] == 0
    assert table.loc["absent"].isna()[["juilland_d", "dp", "dp_norm"]].all()
    one_part = dispersion(pd.DataFrame([[3]], index=["x"], columns=["a"]), sizes=pd.Series([5], index=["a"]))
    assert np.isnan(one_part["juilland_d"].iloc[0])
    with pytest.raises(ValueError, match="positive size"):
        dispersion(counts, sizes=pd.Series([10, 0, 10, 10], index=list("abcd")))
    with pytest.raises(ValueError, match="lacks"):
        dispersion(counts, sizes=pd.Series([10], index=["a"]))


def test_term_dispersion_on_real_statements(un_tokens):
    table = term_dispersion(un_tokens).set_index("term")
    assert table.loc["the", "range"] == 3
    assert table["freq"].is_monotonic_decreasing
    freq = un_tokens.loc[un_tokens["is_alpha"], "lower"].value_counts()
    assert table.loc["sanctions", "freq"] == freq["sanctions"]


# ------------------------------------------------------------------------------------------
# Lexical diversity
# ------------------------------------------------------------------------------------------

LEXICALRICHNESS_README_TEXT = """Measure of textual lexical diversity, computed as the mean length of sequential words in
                a text that maintains a minimum threshold TTR score.

                Iterates over words until TTR scores falls below a threshold, then increase factor
                counter by 1 and start over. McCarthy and Jarvis (2010, pg. 385) recommends a factor
                threshold in the range of [0.660, 0.750].
                (McCarthy 2005, McCarthy and Jarvis 2010)"""


def _lexicalrichness_words(text: str) -> list[str]:
    """The README's default tokenisation: lower-case, drop digits and dashes, punctuation to spaces, split."""
    text = re.sub(r"[0-9]+", "", text.lower())
    for dash in ("–", "—", "-"):
        text = text.replace(dash, "")
    for mark in string.punctuation:
        text = text.replace(mark, " ")
    return text.split()


def test_lexical_diversity_lexicalrichness_readme_example():
    words = _lexicalrichness_words(LEXICALRICHNESS_README_TEXT)
    assert len(words) == 57 and len(set(words)) == 39
    assert ttr(words) == pytest.approx(0.6842105263157895, rel=REL)
    assert mattr(words, window=25) == pytest.approx(0.8351515151515151, rel=REL)
    assert mtld(words, threshold=0.72) == pytest.approx(46.79226361031519, rel=REL)  # the "<=" rule


def test_mattr_quanteda_example_and_naive_windows(interview_tokens):
    assert mattr("one one two one one two one".split(), window=2) == pytest.approx(5 / 6, rel=REL)
    words = list(interview_tokens.loc[interview_tokens["is_alpha"], "lower"])
    for window in (1, 10, 50, 100):
        naive = np.mean([len(set(words[i:i + window])) / window for i in range(len(words) - window + 1)])
        assert mattr(words, window=window) == pytest.approx(naive, rel=REL)
    assert mattr(words[:30], window=100) == pytest.approx(ttr(words[:30]), rel=REL)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a b a b", 4.0),            # one full factor each way, empty remainder
        ("a b a c c", 2.5),          # two full factors each way
        ("a b a c d", 6.0),          # forward 5/1; backward 5 / ((1 - 0.8) / 0.28) = 7
        ("a b c d", 4.0),            # no factor at all: N
        ("a", 1.0),
    ],
)
def test_mtld_hand_derived_sequences(text, expected):
    assert mtld(text.split()) == pytest.approx(expected, rel=REL)


def test_lexical_diversity_empty_and_one_token():
    for measure in (ttr, mattr, mtld):
        with pytest.raises(ValueError, match="at least one token"):
            measure([])
        assert measure(["sanctions"]) == 1.0


def test_lexical_diversity_per_turn(interview_tokens):
    table = lexical_diversity(interview_tokens, unit="doc_id", window=50)
    words = list(interview_tokens.sort_values("token_id").loc[lambda t: t["is_alpha"], "lower"])
    row = table.iloc[0]
    assert row.n_tokens == len(words) and row.n_types == len(set(words))
    assert row.mattr == pytest.approx(mattr(words, window=50), rel=REL)
    assert row.mtld == pytest.approx(mtld(words), rel=REL)
    assert 0 < row.ttr < row.mattr < 1


# ------------------------------------------------------------------------------ keyword filter

ANSWERS = [
    "sanctions pressure on our diplomatic missions in washington",
    "the sanctions of washington are pressure and pressure again",
    "we keep the dialogue open despite the sanctions",
    "ottawa closed the airspace and ottawa expelled diplomats and ottawa",
]


def test_filter_keywords_keeps_terms_frequent_and_spread_over_parts():
    from analysis.stats import filter_keywords

    words = [answer.split() for answer in ANSWERS]
    tokens = pd.DataFrame({"turn_id": [i for i, ws in enumerate(words) for _ in ws],
                           "lower": [w for ws in words for w in ws], "is_alpha": True})
    target = pd.Series(Counter(tokens["lower"]))
    reference = pd.Series({"the": 500, "and": 300, "of": 200, "on": 100, "in": 100, "sanctions": 2, "we": 50})
    table = keyness(target, reference, reference_total=5000)
    kept = filter_keywords(table, term_dispersion(tokens, part="turn_id"), min_freq=3, min_range=2)
    # independently: total count and number of answers with the word, from Python's Counter
    per_part = [Counter(ws) for ws in words]
    expected = {term for term, n in target.items()
                if n >= 3 and sum(term in part for part in per_part) >= 2}
    assert set(kept["term"]) == expected == {"sanctions", "pressure", "the", "and"}
    assert "ottawa" not in set(kept["term"])  # three times, but in one answer only
    assert kept["range"].to_dict() == {i: sum(t in part for part in per_part) for i, t in kept["term"].items()}
    assert list(kept.index) == sorted(kept.index)  # the keyness order is kept
    loose = filter_keywords(table, term_dispersion(tokens, part="turn_id"), min_freq=1, min_range=1)
    assert len(loose) == (table["target"] > 0).sum()
    with pytest.raises(ValueError, match="at least 1"):
        filter_keywords(table, term_dispersion(tokens, part="turn_id"), min_freq=0)


def test_term_rate_intervals_resample_documents_as_bootstrap_rate_does():
    from analysis.stats import bootstrap_rate, term_rate_intervals

    documents = {"a": "sanctions and more sanctions", "b": "no measures at all here", "c": "sanctions again , 2022"}
    rows = [(doc, word) for doc, text in documents.items() for word in text.split()]
    tokens = pd.DataFrame({"doc_id": [d for d, _ in rows], "lower": [w for _, w in rows],
                           "is_alpha": [w.isalpha() for _, w in rows]})
    table = term_rate_intervals(tokens, ["sanctions", "nato"], per=1000, n_boot=300, seed=2)
    assert table["term"].tolist() == ["sanctions", "nato"]
    # independently: per-document counts and alphabetic sizes from the texts themselves
    counts = [Counter(w for w in text.split() if w.isalpha()) for text in documents.values()]
    sizes = [sum(c.values()) for c in counts]
    expected = bootstrap_rate([c["sanctions"] for c in counts], sizes, per=1000, n_boot=300, seed=2)
    row = table.iloc[0]
    assert (row["count"], row["n_tokens"]) == (3, sum(sizes))
    assert (row["rate"], row["ci_low"], row["ci_high"]) == pytest.approx(expected)
    assert table.iloc[1][["count", "rate", "ci_low", "ci_high"]].tolist() == [0, 0.0, 0.0, 0.0]
