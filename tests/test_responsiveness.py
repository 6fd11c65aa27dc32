"""The responsiveness model: classifier, grouped and leave-one-president-out evaluation, calibration, scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.calibration import calibration_curve
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from threadpoolctl import threadpool_info

from analysis import qa
from analysis import responsiveness as rs
from analysis.transcripts import parse_transcript
from conftest import RAW_DIR

QEVASION_CSV = RAW_DIR / "qevasion" / "qevasion_train_subset_518.csv"


@pytest.fixture(scope="module")
def qevasion() -> pd.DataFrame:
    return qa.read_qevasion(QEVASION_CSV)


@pytest.fixture(scope="module")
def interview_turns(interview_text) -> pd.DataFrame:
    return parse_transcript(interview_text, doc_id="darchiev-interfax").turns


@pytest.fixture(scope="module")
def model(qevasion) -> rs.ResponsivenessClassifier:
    return rs.train_responsiveness_model(qevasion)


def test_the_model_reads_the_whole_question(qevasion):
    pairs = rs.labelled_pairs(qevasion)
    assert list(pairs.columns) == ["question", "answer", "conference"]
    assert pairs["question"].tolist() == qevasion["full_question"].tolist()
    assert rs.labelled_pairs(qevasion, question="question")["question"].tolist() == qevasion["question"].tolist()


def test_the_classifier_is_a_scikit_learn_estimator(qevasion):
    sample = qevasion.iloc[::4].reset_index(drop=True)
    X, y = rs.labelled_pairs(sample), sample["clarity_label"]
    estimator = rs.ResponsivenessClassifier(C=0.5)
    assert clone(estimator).get_params() == {"C": 0.5, "opening_weight": None, "max_iter": 5000,
                                             "markers_path": None}
    assert not hasattr(estimator, "classes_")
    fitted = estimator.fit(X, y)
    assert fitted is estimator and fitted.C_ == 0.5
    assert list(fitted.classes_) == sorted(qa.CLARITY_LABELS)
    probabilities = fitted.predict_proba(X)
    assert probabilities.shape == (len(X), 3) and np.allclose(probabilities.sum(axis=1), 1.0)
    # the label is the most probable relative to its training share
    shares = y.value_counts(normalize=True)[fitted.classes_].to_numpy()
    assert (fitted.predict(X) == fitted.classes_[np.argmax(probabilities / shares, axis=1)]).all()
    groups = rs.conference_groups(sample)
    predicted = cross_val_predict(rs.ResponsivenessClassifier(C=0.5, opening_weight=1.0), X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert len(predicted) == len(X) and set(predicted) <= set(qa.CLARITY_LABELS)
    with pytest.raises(ValueError, match="unknown clarity label"):
        rs.ResponsivenessClassifier().fit(X, y.str.lower())
    with pytest.raises(ValueError, match="question"):
        fitted.predict(X.drop(columns="question"))


def test_C_and_the_word_weight_are_chosen_within_the_training_pairs(qevasion):
    sample = qevasion.iloc[::3].reset_index(drop=True)
    fitted = rs.ResponsivenessClassifier().fit(rs.labelled_pairs(sample), sample["clarity_label"])
    assert fitted.C_ in rs.C_GRID and fitted.opening_weight_ in rs.OPENING_WEIGHTS
    again = rs.ResponsivenessClassifier().fit(rs.labelled_pairs(sample), sample["clarity_label"])
    assert (again.C_, again.opening_weight_) == (fitted.C_, fitted.opening_weight_)
    assert np.allclose(again.model_.coef_, fitted.model_.coef_)
    names = fitted.get_feature_names_out()
    assert list(names[:len(qa.FEATURES)]) == list(qa.FEATURES) and names[len(qa.FEATURES)].startswith("opening: ")
    assert fitted.model_.coef_.shape == (3, len(names))


def test_both_evaluations_keep_their_groups_apart(qevasion):
    folds = rs.conference_folds(qevasion, n_splits=5, seed=0)
    groups = rs.conference_groups(qevasion)
    assert set(folds) == set(range(5))
    assert (pd.DataFrame({"g": groups, "f": folds}).groupby("g")["f"].nunique() == 1).all()
    presidents = rs.president_folds(qevasion)
    assert presidents.nunique() == qevasion["president"].nunique() == 4
    assert (pd.DataFrame({"p": qevasion["president"], "f": presidents}).groupby("p")["f"].nunique() == 1).all()
    majority = {"majority": DummyClassifier(strategy="most_frequent")}
    for evaluation, expected in (("conference", folds), ("president", presidents)):
        predictions = rs.crossval_predictions(qevasion, evaluation=evaluation, models=majority)
        assert (predictions["fold"].to_numpy() == expected.to_numpy()).all()
        assert (predictions["predicted"] == "Ambivalent").all()  # the majority of every training fold
        assert (predictions["p_ambivalent"] == 1.0).all()
    with pytest.raises(ValueError, match="evaluation must be one of"):
        rs.crossval_predictions(qevasion, evaluation="speaker", models=majority)


def test_macro_f1_and_bootstrap_agree_with_scikit_learn():
    rng = np.random.default_rng(1)
    labels = rng.choice(list(qa.CLARITY_LABELS), size=200, p=[0.3, 0.6, 0.1])
    predicted = rng.choice(list(qa.CLARITY_LABELS[:2]), size=200)
    assert rs.macro_f1(labels, predicted) == pytest.approx(f1_score(labels, predicted, average="macro"), abs=1e-12)
    conferences = [f"c{i // 3}" for i in range(200)]
    table = pd.concat([
        pd.DataFrame({"model": name, "row": range(200), "conference": conferences, "label": labels,
                      "predicted": guess})
        for name, guess in (("random", predicted), ("perfect", labels))
    ])
    scores = rs.bootstrap_scores(table, n_boot=300, seed=3, differences=[("perfect", "random")]).set_index(
        ["model", "metric"])
    assert scores.loc[("random", "accuracy"), "value"] == pytest.approx(accuracy_score(labels, predicted))
    assert scores.loc[("random", "macro_f1"), "value"] == pytest.approx(f1_score(labels, predicted, average="macro"))
    assert scores.loc[("perfect", "macro_f1"), ["value", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]
    low, value, high = scores.loc[("random", "macro_f1"), ["ci_low", "value", "ci_high"]]
    assert low < value < high
    difference = scores.loc[("perfect − random", "macro_f1")]
    assert difference["value"] == pytest.approx(1.0 - value)
    assert (scores["n_conferences"] == 67).all()
    again = rs.bootstrap_scores(table, n_boot=300, seed=3, differences=[("perfect", "random")])
    assert again.equals(scores.reset_index())


def test_the_reliability_table_agrees_with_scikit_learn():
    rng = np.random.default_rng(7)
    probabilities = rng.dirichlet([2, 3, 1], size=300)
    labels = np.asarray([rng.choice(list(qa.CLARITY_LABELS), p=p) for p in probabilities])
    table = pd.DataFrame(probabilities, columns=list(rs.PROBABILITY_COLUMNS)).assign(
        model="m", label=labels, predicted=labels, row=range(300), conference="c")
    reliability = rs.reliability_table(table, n_bins=5)
    truth = (labels[:, None] == np.asarray(qa.CLARITY_LABELS)[None, :]).ravel()
    observed, mean_predicted = calibration_curve(truth, probabilities.ravel(), n_bins=5, strategy="uniform")
    assert np.allclose(reliability["observed"], observed) and np.allclose(reliability["mean_predicted"], mean_predicted)
    assert reliability["n"].sum() == 900
    gap = np.abs(reliability["observed"] - reliability["mean_predicted"]) @ reliability["n"] / 900
    assert rs.calibration_error(table, n_bins=5)["m"] == pytest.approx(gap)


def test_informative_features(model):
    table = rs.informative_features(model)
    assert len(table) == 3 * len(model.get_feature_names_out())
    assert list(table["label"].unique()) == list(qa.CLARITY_LABELS)
    coefficients = table.set_index(["label", "feature"])["coefficient"]
    # what the coders' labels teach the model: claims of ignorance and requests for clarification
    # speak for a clear non-reply
    assert coefficients[("Clear Non-Reply", "ignorance_markers")] > 0
    assert coefficients[("Clear Non-Reply", "clarification_markers")] > 0
    assert coefficients[("Clear Reply", "request_supplied")] > 0


def test_score_interview_and_explain(interview_turns, model):
    scored = rs.score_interview(interview_turns, model=model)
    assert len(scored) == 6
    assert sorted(scored["rank"]) == list(range(1, 7))
    assert scored["responsiveness"].between(-1, 1).all()
    assert np.allclose(scored[list(rs.PROBABILITY_COLUMNS)].sum(axis=1), 1.0)
    assert scored.sort_values("rank")["responsiveness"].is_monotonic_decreasing
    assert set(qa.FEATURES) <= set(scored.columns)
    # the sanctions question is answered with sanctions: the lexicon theme carries over
    sanctions = scored.iloc[4]
    assert sanctions["question"].startswith("The United States is now threatening suffocating sanctions")
    assert sanctions["theme_continuity"] > 0 and "theme:sanctions" in sanctions["evidence"]
    evidence = rs.explain_pairs(scored[["doc_id", "pair_id", "question", "answer"]], model=model)
    assert len(evidence) == 6 * (len(qa.FEATURES) + 1)
    assert list(evidence.columns) == ["doc_id", "pair_id", "feature", "value", "evidence", "weight"]
    merged = evidence.pivot(index="pair_id", columns="feature", values="value")[list(qa.FEATURES)]
    assert np.allclose(merged.to_numpy(), scored[list(qa.FEATURES)].to_numpy())
    # the weights add up to the log-odds of a clear reply against a clear non-reply
    index = list(model.classes_)
    scores = model.decision_function(scored[["question", "answer"]])
    log_odds = scores[:, index.index("Clear Reply")] - scores[:, index.index("Clear Non-Reply")]
    intercept = model.model_.intercept_[index.index("Clear Reply")] - model.model_.intercept_[index.index("Clear Non-Reply")]
    assert np.allclose(evidence.groupby("pair_id")["weight"].sum().to_numpy() + intercept, log_odds)


@pytest.mark.slow
def test_evaluation_reports_both_evaluations_baselines_and_paired_differences(qevasion):
    scores = rs.evaluate_responsiveness(qevasion, n_boot=200, seed=0).set_index(["evaluation", "model", "metric"])
    models = {rs.FEATURE_MODEL, rs.MAJORITY_CLASS, rs.BAG_OF_WORDS,
              f"{rs.FEATURE_MODEL} − {rs.BAG_OF_WORDS}", f"{rs.FEATURE_MODEL} − {rs.MAJORITY_CLASS}"}
    assert set(scores.index.get_level_values("model")) == models
    assert set(scores.index.get_level_values("evaluation")) == set(rs.EVALUATIONS)
    assert (scores["ci_low"] <= scores["value"]).all() and (scores["value"] <= scores["ci_high"]).all()
    for evaluation in rs.EVALUATIONS:
        # the majority class is "Ambivalent" in every fold: its accuracy is that class's share
        assert scores.loc[(evaluation, rs.MAJORITY_CLASS, "accuracy"), "value"] == pytest.approx(325 / 518)
        assert (scores.loc[(evaluation, rs.FEATURE_MODEL, "macro_f1"), "value"]
                > scores.loc[(evaluation, rs.MAJORITY_CLASS, "macro_f1"), "value"])


def test_score_intervals_hold_the_scores(interview_turns, qevasion, model):
    pairs = qa.qa_pairs(interview_turns)
    intervals = rs.score_intervals(pairs, data=qevasion, model=model, n_boot=20, seed=1)
    assert list(intervals.columns) == ["responsiveness", "ci_low", "ci_high"]
    assert np.allclose(intervals["responsiveness"], rs.score_pairs(pairs, model=model)["responsiveness"])
    assert (intervals["ci_low"] <= intervals["ci_high"]).all()
    assert intervals[["ci_low", "ci_high"]].stack().between(-1, 1).all()
    # the full-sample fit lies within the spread of the refits (a wide margin: 20 resamples)
    inside = (intervals["ci_low"] - 0.1 <= intervals["responsiveness"]) & (intervals["responsiveness"] <= intervals["ci_high"] + 0.1)
    assert inside.all()
    again = rs.score_intervals(pairs, data=qevasion, model=model, n_boot=20, seed=1)
    assert again.equals(intervals)


def test_resampled_opening_words_agree_with_a_vectorizer_fitted_on_the_resample(qevasion):
    answers = qevasion["answer"].iloc[:60].tolist()
    openings = [qa.opening_terms(answer) for answer in answers]
    targets = [qa.opening_terms(answer) for answer in ["No, we won't. Not now.", "Well, I think the talks will go on."]]
    counts, target_counts = rs._term_counts(openings, targets)
    rows = np.random.default_rng(5).integers(0, len(openings), size=len(openings))  # with repeats
    words, target_words = rs._resampled_tfidf(counts, rows, target_counts)
    vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, min_df=2).fit([openings[i] for i in rows])
    assert words.shape == (len(rows), len(vectorizer.vocabulary_))
    assert np.allclose(words.toarray(), vectorizer.transform([openings[i] for i in rows]).toarray(), atol=1e-12)
    assert np.allclose(target_words.toarray(), vectorizer.transform(targets).toarray(), atol=1e-12)


def test_the_evaluation_reads_predictions_it_is_given(qevasion):
    majority = {rs.MAJORITY_CLASS: DummyClassifier(strategy="most_frequent")}
    made = {"president": rs.crossval_predictions(qevasion, evaluation="president", models=majority)}
    given = rs.evaluate_responsiveness(qevasion, models=majority, n_boot=50, predictions=made)
    fresh = rs.evaluate_responsiveness(qevasion, models=majority, n_boot=50)
    pd.testing.assert_frame_equal(given, fresh)


def test_the_fits_run_on_one_thread():
    with rs._one_thread():
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())


def test_balanced_probabilities_are_moved_back_to_the_label_shares(qevasion):
    sample = qevasion.iloc[::4].reset_index(drop=True)
    X, y = rs.labelled_pairs(sample), sample["clarity_label"]
    fitted = rs.ResponsivenessClassifier(C=0.3, opening_weight=1.0).fit(X, y)
    assert fitted.model_.class_weight == "balanced"
    balanced = fitted.model_.predict_proba(fitted._design_of(X))
    shares = y.value_counts(normalize=True)[fitted.classes_].to_numpy()
    # Bayes' rule: a model fitted to equal label shares, moved to the training shares
    expected = balanced * shares / (balanced * shares).sum(axis=1, keepdims=True)
    assert np.allclose(fitted.predict_proba(X), expected)
    # the decision is the balanced model's most probable label
    assert (fitted.predict(X) == fitted.classes_[np.argmax(balanced, axis=1)]).all()
