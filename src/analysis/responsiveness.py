"""The responsiveness model: a classifier on the features of ``qa``, its evaluation, calibration and scores.

The coders of the QEvasion sample (Thomas et al. 2024) judged each answer a
"Clear Reply", "Ambivalent" or a "Clear Non-Reply". :class:`ResponsivenessClassifier`
learns from those labels how the explainable features of :func:`analysis.qa.pair_features`
map onto the coders' judgement. It is evaluated two ways, each beside a
majority-class and a tf-idf bag-of-words baseline, with bootstrap intervals that
resample press conferences: cross-validation grouped by press conference, and
leave-one-president-out cross-validation (train on three presidents, test on
the fourth), the better guide to how the model does on new speakers.

Published results on the same labels (about 0.73 macro-F1 for the best
fine-tuned model of Thomas et al. 2024, and 0.89 for the best system of the
SemEval-2026 Task 6 shared task) come from large language models evaluated on
the official test set. They are context for the numbers here, which come from a
small feature model cross-validated on a 518-pair training subset: not a
like-for-like comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from .qa import (
    CLARITY_LABELS,
    FEATURES,
    _check_pairs,
    _texts,
    features_evidence,
    load_markers,
    opening_terms,
    pair_features,
    qa_pairs,
    read_qevasion,
)

#: Names of the evaluated models in the tables of :func:`crossval_predictions` and :func:`bootstrap_scores`.
FEATURE_MODEL, MAJORITY_CLASS, BAG_OF_WORDS = "responsiveness features", "majority class", "tf-idf bag of words"
#: The two evaluations: folds of press conferences, and one president held out at a time.
EVALUATIONS = ("conference", "president")
#: The regularisation strengths :class:`ResponsivenessClassifier` chooses from (inverse L2 penalty).
C_GRID = (0.03, 0.1, 0.3)
#: The weights of the opening words beside the standardised features it chooses from (0: no words).
OPENING_WEIGHTS = (0.0, 1.0, 3.0)
#: Probability columns of :func:`score_pairs` and :func:`crossval_predictions`, one per clarity label.
PROBABILITY_COLUMNS = tuple("p_" + label.lower().replace(" ", "_").replace("-", "_") for label in CLARITY_LABELS)


def labelled_pairs(data: pd.DataFrame, *, question: str = "full_question") -> pd.DataFrame:
    """The model's input from a labelled sample: ``question`` (by default the reporter's whole
    question, what the coders read), ``answer`` and ``conference``."""
    for column in (question, "answer"):
        if column not in data.columns:
            raise ValueError(f"the labelled sample lacks the column {column!r}")
    pairs = pd.DataFrame({"question": data[question].to_numpy(), "answer": data["answer"].to_numpy()})
    if {"conference", "url", "title"} & set(data.columns):
        pairs["conference"] = conference_groups(data).to_numpy()
    return pairs


def _check_labels(y) -> np.ndarray:
    labels = np.asarray([str(v) for v in (y.tolist() if hasattr(y, "tolist") else list(y))], dtype=object)
    unknown = sorted(set(labels) - set(CLARITY_LABELS))
    if unknown:
        raise ValueError(f"unknown clarity label(s) {unknown}; expected {list(CLARITY_LABELS)}")
    return labels


# --------------------------------------------------------------------------------------------
# The classifier
# --------------------------------------------------------------------------------------------

class ResponsivenessClassifier(ClassifierMixin, BaseEstimator):
    """Predict the clarity of an answer ("Clear Reply", "Ambivalent", "Clear Non-Reply") from its features.

    ``fit(X, y)``, ``predict(X)`` and ``predict_proba(X)`` take a DataFrame with
    ``question`` and ``answer`` columns (and, for fitting, optionally
    ``conference``); ``y`` holds the clarity labels as QEvasion spells them.

    The model is a multinomial logistic regression (scikit-learn's
    ``LogisticRegression``, L2 penalty ``1/C``) on the standardised features of
    :func:`analysis.qa.pair_features` and, weighted by ``opening_weight``, the
    tf-idf weights of the words of the answer's opening
    (:func:`analysis.qa.opening_terms`; terms of at least two training answers).
    It is fitted with balanced class weights (each label weighs as much as the
    others in the log-loss, so the rare "Clear Non-Reply" gets its due), which
    makes its raw probabilities those of a sample with equal label shares;
    ``predict_proba`` moves them back to the shares of the training labels
    ``p(c)`` (the prior-shift correction of Saerens, Latinne & Decaestecker
    2002: ``p(c | x) ∝ p_balanced(c | x) p(c)``), so that they estimate the
    coders' label frequencies. The predicted label is the one with the largest
    probability relative to its training share, ``argmax p(c | x) / p(c)``: the
    balanced model's most probable label. (Balanced weights beat the unweighted
    fit with the same decision rule in both evaluations.) Left as ``None``, ``C`` and ``opening_weight`` are chosen from
    :data:`C_GRID` and :data:`OPENING_WEIGHTS` by macro-F1 in a three-fold
    cross-validation of the training pairs only, grouped by ``conference`` when
    the column is there (so, nested within any outer evaluation). Tf-idf
    document frequencies come from the training texts (and, for the question–answer
    cosine, the texts being scored; no labels involved). Learned state:
    ``reference_``, ``markers_``, ``scaler_``, ``vocabulary_``, ``words_``,
    ``word_scale_`` (standard deviation of each term's tf-idf weight), ``model_``, ``C_``, ``opening_weight_``, ``priors_``, ``classes_``.

    >>> model = ResponsivenessClassifier().fit(train[["question", "answer"]], train["clarity_label"])  # doctest: +SKIP
    >>> model.predict_proba(pairs)                                                                     # doctest: +SKIP
    """

    def __init__(self, *, C: float | None = None, opening_weight: float | None = None, max_iter: int = 5000,
                 markers_path: str | None = None):
        self.C = C
        self.opening_weight = opening_weight
        self.max_iter = max_iter
        self.markers_path = markers_path

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _features(self, X: pd.DataFrame) -> np.ndarray:
        return pair_features(_check_pairs(X), reference=self.reference_, markers=self.markers_).to_numpy()

    def _openings(self, X: pd.DataFrame) -> list[list[str]]:
        return [opening_terms(answer, markers=self.markers_) for answer in _texts(X["answer"])]

    def _logistic(self, C: float):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=C, max_iter=self.max_iter, class_weight="balanced")

    @staticmethod
    def _design(scaled: np.ndarray, words, weight: float):
        """The standardised features beside the weighted word block (a sparse matrix)."""
        import scipy.sparse as sp

        return sp.hstack([sp.csr_matrix(scaled), weight * words]).tocsr()

    @staticmethod
    def _vectorizer():
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(analyzer=_as_is, min_df=2)

    def _choose(self, features: np.ndarray, openings: list, labels: np.ndarray,
                groups: np.ndarray | None) -> tuple[float, float]:
        """``(C, opening_weight)`` with the best inner cross-validated macro-F1 (the first on ties)."""
        from sklearn.model_selection import GroupKFold, StratifiedKFold
        from sklearn.preprocessing import StandardScaler

        Cs = C_GRID if self.C is None else (self.C,)
        weights = OPENING_WEIGHTS if self.opening_weight is None else (self.opening_weight,)
        splitter = GroupKFold(n_splits=3) if groups is not None else StratifiedKFold(n_splits=3)
        predicted = {(C, w): np.empty(len(labels), dtype=object) for C in Cs for w in weights}
        for train, test in splitter.split(features, labels, groups):
            scaler = StandardScaler().fit(features[train])
            vectorizer = self._vectorizer().fit([openings[i] for i in train])
            words_train = vectorizer.transform([openings[i] for i in train])
            words_test = vectorizer.transform([openings[i] for i in test])
            for (C, w), out in predicted.items():
                model = self._logistic(C).fit(self._design(scaler.transform(features[train]), words_train, w),
                                              labels[train])
                proba = model.predict_proba(self._design(scaler.transform(features[test]), words_test, w))
                out[test] = model.classes_[np.argmax(proba, axis=1)]
        scores = {key: macro_f1(labels, out) for key, out in predicted.items()}
        best = max(scores.values())
        return next(key for key, score in scores.items() if score >= best - 1e-12)

    def fit(self, X: pd.DataFrame, y) -> ResponsivenessClassifier:
        """Learn document frequencies, scaling, ``C``, the word weight and the logistic regression from labelled pairs."""
        from sklearn.preprocessing import StandardScaler

        _check_pairs(X)
        labels = _check_labels(y)
        if len(labels) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(labels)} labels")
        self.markers_ = load_markers(self.markers_path)
        self.reference_ = tuple(sorted(set(_texts(X["question"]) + _texts(X["answer"]))))
        features, openings = self._features(X), self._openings(X)
        groups = X["conference"].astype(str).to_numpy() if "conference" in X.columns else None
        with _one_thread():
            if self.C is None or self.opening_weight is None:
                self.C_, self.opening_weight_ = self._choose(features, openings, labels, groups)
            else:
                self.C_, self.opening_weight_ = self.C, self.opening_weight
            self.scaler_ = StandardScaler().fit(features)
            self.words_ = self._vectorizer().fit(openings)
            self.vocabulary_ = self.words_.get_feature_names_out()
            words = self.words_.transform(openings)
            self.word_scale_ = np.sqrt(np.maximum(
                np.asarray(words.multiply(words).mean(axis=0)).ravel() - np.asarray(words.mean(axis=0)).ravel() ** 2,
                0.0))
            design = self._design(self.scaler_.transform(features), words, self.opening_weight_)
            self.model_ = self._logistic(self.C_).fit(design, labels)
        self.classes_ = self.model_.classes_
        self.priors_ = _priors(labels, self.classes_)
        return self

    def _check_fitted(self) -> None:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "model_")

    def standardised_features(self, X: pd.DataFrame) -> np.ndarray:
        """The features of each pair on the model's scale (training mean 0, standard deviation 1)."""
        self._check_fitted()
        return self.scaler_.transform(self._features(X))

    def opening_words(self, X: pd.DataFrame):
        """The weighted tf-idf block of the answers' opening words (sparse; columns ``vocabulary_``)."""
        self._check_fitted()
        return self.opening_weight_ * self.words_.transform(self._openings(X))

    def _design_of(self, X: pd.DataFrame):
        return self._design(self.standardised_features(X), self.words_.transform(self._openings(X)),
                            self.opening_weight_)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The logistic regression's scores, one column per class of ``classes_``."""
        return self.model_.decision_function(self._design_of(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities at the training labels' shares, one column per class of ``classes_``."""
        return _prior_shift(self.model_.predict_proba(self._design_of(X)), self.priors_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The label of each pair with the largest probability relative to its training share."""
        return self.classes_[np.argmax(self.predict_proba(X) / self.priors_, axis=1)]

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The names of what the model weighs: :data:`analysis.qa.FEATURES`, then ``opening: <term>``."""
        self._check_fitted()
        return np.asarray(list(FEATURES) + [f"opening: {t}" for t in self.vocabulary_], dtype=object)


def _as_is(terms):
    return terms


def _one_thread():
    """Run numeric libraries (BLAS, OpenMP) on one thread: the fits here are small, and several threads
    only wait for each other (seven times slower on two busy cores); one thread also sums in one order."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _priors(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    return np.asarray([np.mean(labels == c) for c in classes], dtype=float)


def _prior_shift(balanced: np.ndarray, priors: np.ndarray) -> np.ndarray:
    """Probabilities of a model fitted with balanced class weights, moved to the label shares ``priors``."""
    shifted = balanced * priors
    return shifted / shifted.sum(axis=1, keepdims=True)


def informative_features(model: ResponsivenessClassifier) -> pd.DataFrame:
    """The fitted model's coefficients: ``label, feature, coefficient``, strongest first within each label.

    Each coefficient is the change in the label's log-odds (multinomial logistic
    regression) for one standard deviation of the feature in the training pairs:
    the features' coefficients as fitted (they are standardised), the opening
    words' (``opening: <term>``) times the word weight and the standard
    deviation of the term's tf-idf weight, so that both read on one scale.
    """
    model._check_fitted()
    coefficients = model.model_.coef_.copy()
    coefficients[:, len(FEATURES):] *= model.opening_weight_ * model.word_scale_
    names = model.get_feature_names_out()
    rows = [(label, feature, float(coefficients[i, j]))
            for i, label in enumerate(model.classes_) for j, feature in enumerate(names)]
    table = pd.DataFrame(rows, columns=["label", "feature", "coefficient"])
    table["_order"] = table["label"].map({label: i for i, label in enumerate(CLARITY_LABELS)})
    table["_size"] = -table["coefficient"].abs()
    table = table.sort_values(["_order", "_size", "feature"], kind="stable")
    return table.drop(columns=["_order", "_size"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Evaluation: grouped cross-validation, baselines, bootstrap intervals, calibration
# --------------------------------------------------------------------------------------------

def conference_groups(data: pd.DataFrame) -> pd.Series:
    """The press conference of each row: ``conference``, else ``url``, else ``title`` and ``date``."""
    if "conference" in data.columns:
        return data["conference"].astype(str)
    if "url" in data.columns:
        return data["url"].astype(str)
    if {"title", "date"} <= set(data.columns):
        return data["title"].astype(str) + " | " + data["date"].astype(str)
    raise ValueError("cannot tell press conferences apart: no 'conference', 'url' or 'title' and 'date' column")


def conference_folds(data: pd.DataFrame, *, n_splits: int = 5, seed: int = 0) -> pd.Series:
    """The test fold (0 … n_splits-1) of each row; all pairs of one press conference share a fold.

    Folds come from scikit-learn's ``StratifiedGroupKFold`` (shuffled with
    ``seed``), which keeps each conference in one fold and the label shares of
    the folds close to the whole sample's.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    groups = conference_groups(data).to_numpy()
    labels = data["clarity_label"].astype(str).to_numpy()
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    folds = np.full(len(data), -1, dtype="int64")
    for fold, (_, test) in enumerate(splitter.split(np.zeros(len(data)), labels, groups)):
        folds[test] = fold
    return pd.Series(folds, index=data.index, name="fold")


def president_folds(data: pd.DataFrame) -> pd.Series:
    """The test fold of each row when one president is held out at a time (folds in alphabetical order)."""
    if "president" not in data.columns:
        raise ValueError("the labelled sample lacks the column 'president'")
    presidents = data["president"].astype(str)
    order = {name: i for i, name in enumerate(sorted(set(presidents)))}
    return pd.Series(presidents.map(order).to_numpy(dtype="int64"), index=data.index, name="fold")


def baseline_models() -> dict[str, BaseEstimator]:
    """The comparison models: the majority class, and tf-idf bag-of-words logistic regression.

    The bag-of-words model weighs the words of question and answer separately
    (scikit-learn ``TfidfVectorizer`` defaults on each column) in a logistic
    regression with balanced class weights.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    bag = Pipeline([
        ("tfidf", ColumnTransformer([("question", TfidfVectorizer(), "question"),
                                     ("answer", TfidfVectorizer(), "answer")])),
        ("logistic", LogisticRegression(class_weight="balanced", max_iter=2000)),
    ])
    return {MAJORITY_CLASS: DummyClassifier(strategy="most_frequent"), BAG_OF_WORDS: bag}


def crossval_predictions(
    data: pd.DataFrame,
    *,
    evaluation: str = "conference",
    models: Mapping[str, BaseEstimator] | None = None,
    question: str = "full_question",
    n_splits: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """Out-of-fold predictions and probabilities of each model under grouped cross-validation.

    ``evaluation`` is ``"conference"`` (:func:`conference_folds`) or
    ``"president"`` (:func:`president_folds`: train on the other presidents,
    test on one). ``data`` needs ``question`` (by default ``full_question``),
    ``answer``, ``clarity_label`` and a conference column (and ``president``).
    ``models`` defaults to :class:`ResponsivenessClassifier` and
    :func:`baseline_models`; each is cloned and fitted on the training folds
    only. Returns one row per model and pair: ``model, row`` (position in
    ``data``), ``conference, fold, label, predicted`` and the probabilities
    :data:`PROBABILITY_COLUMNS`.
    """
    if evaluation not in EVALUATIONS:
        raise ValueError(f"evaluation must be one of {', '.join(EVALUATIONS)}, not {evaluation!r}")
    X = labelled_pairs(data, question=question)
    y = _check_labels(data["clarity_label"])
    if models is None:
        models = {FEATURE_MODEL: ResponsivenessClassifier(), **baseline_models()}
    folds = (conference_folds(data, n_splits=n_splits, seed=seed) if evaluation == "conference"
             else president_folds(data)).to_numpy()
    groups = X["conference"].to_numpy()
    frames = []
    for name, estimator in models.items():
        predicted = np.empty(len(X), dtype=object)
        probabilities = np.zeros((len(X), len(CLARITY_LABELS)))
        for fold in sorted(set(folds)):
            test = folds == fold
            with _one_thread():
                model = clone(estimator).fit(X[~test].reset_index(drop=True), y[~test])
                predicted[test] = model.predict(X[test].reset_index(drop=True))
                proba = model.predict_proba(X[test].reset_index(drop=True))
            for j, label in enumerate(model.classes_):
                probabilities[test, CLARITY_LABELS.index(label)] = proba[:, j]
        frame = pd.DataFrame({"model": name, "row": np.arange(len(X), dtype="int64"), "conference": groups,
                              "fold": folds, "label": y.astype(str), "predicted": predicted.astype(str)})
        for j, column in enumerate(PROBABILITY_COLUMNS):
            frame[column] = probabilities[:, j]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _confusion(labels: np.ndarray, predicted: np.ndarray, classes: Sequence[str], weights: np.ndarray) -> np.ndarray:
    """Weighted confusion matrices, one per row of ``weights`` (shape: resamples × classes × classes)."""
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    cells = np.asarray([index[t] * k + index[p] for t, p in zip(labels, predicted)], dtype="int64")
    onehot = np.zeros((len(cells), k * k))
    onehot[np.arange(len(cells)), cells] = 1.0
    return (np.atleast_2d(weights) @ onehot).reshape(-1, k, k)


def _scores_from_confusion(matrices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Accuracy and macro-F1 of each confusion matrix.

    F1 of a class is ``2 TP / (2 TP + FP + FN)`` (the harmonic mean of precision and
    recall; van Rijsbergen 1979), 0 when the class is never true nor predicted
    correctly; macro-F1 is the unweighted mean over the classes that occur as
    true or predicted labels (scikit-learn's ``f1_score(average="macro")``).
    """
    tp = np.diagonal(matrices, axis1=1, axis2=2)
    true_totals, predicted_totals = matrices.sum(axis=2), matrices.sum(axis=1)
    total = matrices.sum(axis=(1, 2))
    accuracy = np.divide(tp.sum(axis=1), total, out=np.zeros_like(total), where=total > 0)
    denominator = true_totals + predicted_totals
    f1 = np.divide(2 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0)
    present = denominator > 0
    macro = np.divide((f1 * present).sum(axis=1), present.sum(axis=1),
                      out=np.zeros_like(total), where=present.sum(axis=1) > 0)
    return accuracy, macro


def macro_f1(labels: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the classes present in either sequence (as scikit-learn computes it)."""
    labels, predicted = np.asarray(labels, dtype=object), np.asarray(predicted, dtype=object)
    classes = sorted(set(labels) | set(predicted))
    return float(_scores_from_confusion(_confusion(labels, predicted, classes, np.ones(len(labels))))[1][0])


def bootstrap_scores(
    predictions: pd.DataFrame,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    differences: Sequence[tuple[str, str]] = (),
) -> pd.DataFrame:
    """Accuracy and macro-F1 of each model with percentile bootstrap intervals, resampling press conferences.

    Pairs of one conference (and the sub-questions sharing one answer) are not
    independent, so each resample draws conferences with replacement and keeps
    all their pairs (cluster bootstrap; Field & Welsh 2007); the interval is the
    percentile interval of the resampled scores (Efron & Tibshirani 1993,
    ch. 13). Every model is scored on the same resamples, so ``differences``
    (pairs of model names ``(model, reference)``) adds paired rows for
    ``model − reference``. Returns ``model, metric, value, ci_low, ci_high,
    n_pairs, n_conferences, n_boot``.
    """
    if not 0 < level < 1:
        raise ValueError("level must lie between 0 and 1")
    rng = np.random.default_rng(seed)
    conferences = sorted(set(predictions["conference"]))
    position = {c: i for i, c in enumerate(conferences)}
    draws = rng.integers(0, len(conferences), size=(n_boot, len(conferences)))
    multiplicity = np.zeros((n_boot, len(conferences)))
    np.add.at(multiplicity, (np.repeat(np.arange(n_boot), len(conferences)), draws.ravel()), 1.0)
    scores: dict[str, tuple[int, list, list]] = {}
    for name, group in predictions.groupby("model", sort=False):
        group = group.sort_values("row")
        classes = sorted(set(group["label"]) | set(group["predicted"]))
        labels, predicted = group["label"].to_numpy(), group["predicted"].to_numpy()
        row_conference = np.asarray([position[c] for c in group["conference"]])
        point = _scores_from_confusion(_confusion(labels, predicted, classes, np.ones(len(group))))
        resampled = _scores_from_confusion(_confusion(labels, predicted, classes, multiplicity[:, row_conference]))
        scores[name] = (len(group), [float(p[0]) for p in point], list(resampled))
    entries = [(name, *scores[name]) for name in scores]
    for model, reference in differences:
        if model not in scores or reference not in scores:
            raise KeyError(f"no predictions of {model!r} or {reference!r}")
        n, point_m, boot_m = scores[model]
        _, point_r, boot_r = scores[reference]
        entries.append((f"{model} − {reference}", n, [a - b for a, b in zip(point_m, point_r)],
                        [a - b for a, b in zip(boot_m, boot_r)]))
    alpha = (1 - level) / 2
    rows = []
    for name, n, point, resampled in entries:
        for metric, value, values in zip(("accuracy", "macro_f1"), point, resampled):
            low, high = np.quantile(values, [alpha, 1 - alpha])
            rows.append((name, metric, value, float(low), float(high), n, len(conferences), n_boot))
    return pd.DataFrame(rows, columns=["model", "metric", "value", "ci_low", "ci_high", "n_pairs",
                                       "n_conferences", "n_boot"])


def evaluate_responsiveness(
    data: pd.DataFrame | None = None,
    *,
    evaluations: Sequence[str] = EVALUATIONS,
    models: Mapping[str, BaseEstimator] | None = None,
    n_splits: int = 5,
    n_boot: int = 1000,
    seed: int = 0,
    predictions: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Macro-F1 and accuracy, with bootstrap intervals, of the model and its baselines under each evaluation.

    ``data`` defaults to :func:`analysis.qa.read_qevasion`. Returns the columns of
    :func:`bootstrap_scores` with ``evaluation`` first (``conference``: five
    folds of whole press conferences; ``president``: one president held out
    at a time), including the paired differences of the feature model from
    each baseline. ``predictions`` maps an evaluation to the out-of-fold
    predictions of :func:`crossval_predictions` already made for it (to read
    them again, e.g. for :func:`reliability_table`, without refitting); the
    other evaluations are cross-validated here.

    >>> held_out = {e: crossval_predictions(data, evaluation=e) for e in EVALUATIONS}  # doctest: +SKIP
    >>> evaluate_responsiveness(data, predictions=held_out)                           # doctest: +SKIP
    """
    data = read_qevasion() if data is None else data
    frames = []
    for evaluation in evaluations:
        if predictions is not None and evaluation in predictions:
            predictions_of = predictions[evaluation]
        else:
            predictions_of = crossval_predictions(data, evaluation=evaluation, models=models, n_splits=n_splits,
                                                  seed=seed)
        names = list(dict.fromkeys(predictions_of["model"]))
        differences = [(FEATURE_MODEL, other) for other in names if other != FEATURE_MODEL and FEATURE_MODEL in names]
        scores = bootstrap_scores(predictions_of, n_boot=n_boot, seed=seed, differences=differences)
        frames.append(scores.assign(evaluation=evaluation))
    table = pd.concat(frames, ignore_index=True)
    return table[["evaluation"] + [c for c in table.columns if c != "evaluation"]]


def reliability_table(predictions: pd.DataFrame, *, n_bins: int = 5) -> pd.DataFrame:
    """How often a label is true among pairs given a probability of it: one row per model and bin.

    Every pair contributes one probability per clarity label (one-vs-rest,
    pooled over the labels); probabilities are put in ``n_bins`` equal-width
    bins. Columns: ``model, bin, mean_predicted, observed`` (the share of those
    (pair, label) cases where the label is the coders'), ``n``. A calibrated
    model has ``observed ≈ mean_predicted`` (the reliability diagram; as
    scikit-learn's ``calibration_curve``, which bins the same way).
    """
    rows = []
    for name, group in predictions.groupby("model", sort=False):
        probabilities = group[list(PROBABILITY_COLUMNS)].to_numpy().ravel()
        truth = (group["label"].to_numpy()[:, None] == np.asarray(CLARITY_LABELS)[None, :]).ravel()
        bins = np.minimum((probabilities * n_bins).astype(int), n_bins - 1)
        for b in range(n_bins):
            inside = bins == b
            if inside.any():
                rows.append((name, b, float(probabilities[inside].mean()), float(truth[inside].mean()),
                             int(inside.sum())))
    return pd.DataFrame(rows, columns=["model", "bin", "mean_predicted", "observed", "n"])


def calibration_error(predictions: pd.DataFrame, *, n_bins: int = 5) -> pd.Series:
    """Expected calibration error of each model: the ``n``-weighted mean of ``|observed − mean_predicted|``
    over the bins of :func:`reliability_table` (Naeini, Cooper & Hauskrecht 2015)."""
    table = reliability_table(predictions, n_bins=n_bins)
    gap = (table["observed"] - table["mean_predicted"]).abs() * table["n"]
    return (gap.groupby(table["model"], sort=False).sum() / table.groupby("model", sort=False)["n"].sum()).rename(
        "calibration_error")


# --------------------------------------------------------------------------------------------
# Applying the model to an interview
# --------------------------------------------------------------------------------------------

def train_responsiveness_model(data: pd.DataFrame | None = None, **params) -> ResponsivenessClassifier:
    """A :class:`ResponsivenessClassifier` fitted on all labelled pairs (default: :func:`analysis.qa.read_qevasion`)."""
    data = read_qevasion() if data is None else data
    return ResponsivenessClassifier(**params).fit(labelled_pairs(data), data["clarity_label"])


def score_pairs(pairs: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """Responsiveness of each (question, answer) pair with its features and a one-line summary of evidence.

    Adds to ``pairs``: every feature of :data:`analysis.qa.FEATURES`; the model's
    probabilities :data:`PROBABILITY_COLUMNS`; ``responsiveness = p_clear_reply -
    p_clear_non_reply`` (from −1, surely no reply, to +1, surely a clear reply);
    ``rank`` (1 = most responsive; ties by order); and ``evidence`` (the
    non-empty evidence of each feature). ``model`` defaults to
    :func:`train_responsiveness_model`.
    """
    _check_pairs(pairs)
    model = model or train_responsiveness_model()
    model._check_fitted()
    X = pairs[["question", "answer"]]
    features = pair_features(X, reference=model.reference_, markers=model.markers_)
    probabilities = model.predict_proba(X)
    column = {label: i for i, label in enumerate(model.classes_)}
    scored = pd.concat([pairs, features], axis=1)
    for label, name in zip(CLARITY_LABELS, PROBABILITY_COLUMNS):
        scored[name] = probabilities[:, column[label]] if label in column else 0.0
    scored["responsiveness"] = scored["p_clear_reply"] - scored["p_clear_non_reply"]
    order = np.lexsort((np.arange(len(scored)), -scored["responsiveness"].to_numpy()))
    rank = np.empty(len(scored), dtype="int64")
    rank[order] = np.arange(1, len(scored) + 1)
    scored["rank"] = rank
    explained = explain_pairs(pairs[["question", "answer"]].reset_index(drop=True).assign(_pair=np.arange(len(pairs))),
                              model=model)
    shown = explained[(explained["evidence"] != "") & ~explained["feature"].isin(
        ["length_ratio", "answer_length", "tfidf_cosine", "yes_no_answered", "opening_rest_similarity",
         "uptake_delay"])]
    summary = shown.groupby("_pair", sort=True).apply(
        lambda g: " | ".join(f"{f}: {e}" for f, e in zip(g["feature"], g["evidence"])), include_groups=False)
    scored["evidence"] = [summary.get(i, "") for i in range(len(pairs))]
    return scored


def score_intervals(
    pairs: pd.DataFrame,
    *,
    data: pd.DataFrame | None = None,
    model: ResponsivenessClassifier | None = None,
    n_boot: int = 200,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """A percentile bootstrap interval of each pair's ``responsiveness``: how much it owes to the training sample.

    The model's logistic regression (its ``C_`` and word weight; scaling and
    opening vocabulary refitted) is trained again on ``n_boot`` resamples of the labelled sample's press conferences
    (drawn with replacement, all their pairs kept; Field & Welsh 2007) and
    scores the pairs each time. ``data`` defaults to :func:`analysis.qa.read_qevasion`
    and ``model`` to one trained on it. Returns ``responsiveness, ci_low,
    ci_high`` with the index of ``pairs``.
    """
    from sklearn.preprocessing import StandardScaler

    _check_pairs(pairs)
    data = read_qevasion() if data is None else data
    model = model or train_responsiveness_model(data)
    model._check_fitted()
    train = labelled_pairs(data)
    labels = _check_labels(data["clarity_label"])
    X = pairs[["question", "answer"]]
    features = pair_features(train, reference=model.reference_, markers=model.markers_).to_numpy()
    targets = pair_features(X, reference=model.reference_, markers=model.markers_).to_numpy()
    counts, target_counts = _term_counts(model._openings(train), model._openings(X))
    conferences = train["conference"].to_numpy()
    names = np.asarray(sorted(set(conferences)), dtype=object)
    rows_of = {name: np.flatnonzero(conferences == name) for name in names}
    rng = np.random.default_rng(seed)
    values = np.empty((n_boot, len(pairs)))
    with _one_thread():
        for b in range(n_boot):
            rows = np.concatenate([rows_of[name] for name in rng.choice(names, size=len(names))])
            scaler = StandardScaler().fit(features[rows])
            words, target_words = _resampled_tfidf(counts, rows, target_counts)
            fitted = model._logistic(model.C_).fit(
                model._design(scaler.transform(features[rows]), words, model.opening_weight_), labels[rows])
            proba = _prior_shift(
                fitted.predict_proba(model._design(scaler.transform(targets), target_words, model.opening_weight_)),
                _priors(labels[rows], fitted.classes_))
            column = list(fitted.classes_)
            values[b] = proba[:, column.index("Clear Reply")] - proba[:, column.index("Clear Non-Reply")]
    probabilities = model.predict_proba(pairs[["question", "answer"]])
    column = list(model.classes_)
    point = probabilities[:, column.index("Clear Reply")] - probabilities[:, column.index("Clear Non-Reply")]
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha], axis=0)
    return pd.DataFrame({"responsiveness": point, "ci_low": low, "ci_high": high}, index=pairs.index)


def _term_counts(documents: list[list[str]], others: list[list[str]]):
    """Term counts (CSR, one column per term of ``documents`` in sorted order) of ``documents`` and ``others``."""
    from sklearn.feature_extraction.text import CountVectorizer

    counter = CountVectorizer(analyzer=_as_is).fit(documents)
    return counter.transform(documents).astype(float).tocsr(), counter.transform(others).astype(float).tocsr()


def _resampled_tfidf(counts, rows: np.ndarray, others):
    """The opening-word blocks of a resample, as :meth:`ResponsivenessClassifier._vectorizer` fitted on it gives them.

    ``counts`` are the term counts of the training documents (:func:`_term_counts`)
    and ``rows`` the resample (repeats count as documents); the terms kept are those
    of at least two resampled documents, weighted by the smoothed idf of the
    resample (``ln((1 + n) / (1 + df)) + 1``) and each row scaled to unit length.
    Returns the blocks of the resampled rows and of ``others``: the same numbers
    as fitting scikit-learn's ``TfidfVectorizer(min_df=2)`` on the resample, without
    counting the words again.
    """
    from sklearn.preprocessing import normalize

    sample = counts[rows]
    df = np.bincount(sample.indices, minlength=counts.shape[1])
    keep = np.flatnonzero(df >= 2)
    idf = np.log((1 + len(rows)) / (1 + df[keep])) + 1
    return (normalize(sample[:, keep].multiply(idf).tocsr()), normalize(others[:, keep].multiply(idf).tocsr()))


def score_interview(turns: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """Responsiveness of each question–answer pair of a parsed interview (see :func:`score_pairs`).

    ``turns`` is a turns table (e.g. ``load_corpus().turns`` for one document, or
    ``parse_transcript(text).turns``). The model defaults to one trained on all
    QEvasion pairs: US press conferences, so scores on another genre (a written,
    translated interview) are a transfer of the coders' judgement, to be read with
    the evidence beside them.
    """
    return score_pairs(qa_pairs(turns), model=model)


def explain_pairs(pairs: pd.DataFrame, *, model: ResponsivenessClassifier | None = None) -> pd.DataFrame:
    """The evidence behind every feature of every pair (long table), with what it adds to the score.

    Columns: the pair's columns other than the texts, then ``feature, value,
    evidence`` (see :func:`analysis.qa.pair_evidence`) and ``weight``: the
    feature's contribution to the log-odds of "Clear Reply" against "Clear
    Non-Reply" (its standardised value times the difference of the two labels'
    coefficients); positive weights speak for a reply. A last row per pair,
    ``opening_words``, counts the opening's terms the model knows and lists
    each with its own contribution, word by word; the weights of a pair and
    the intercepts' difference add up to that log-odds (the balanced model's,
    :meth:`ResponsivenessClassifier.decision_function`; the probabilities of
    ``predict_proba`` add the constant ``log p(Clear Reply) / p(Clear Non-Reply)``
    of the training shares).
    """
    _check_pairs(pairs)
    model = model or train_responsiveness_model()
    model._check_fitted()
    keys = [c for c in pairs.columns if c not in ("question", "answer")]
    columns = keys + ["feature", "value", "evidence", "weight"]
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    index = {label: i for i, label in enumerate(model.classes_)}
    direction = model.model_.coef_[index["Clear Reply"]] - model.model_.coef_[index["Clear Non-Reply"]]
    X = pairs[["question", "answer"]].reset_index(drop=True)
    evidence = features_evidence(X, reference=model.reference_, markers=model.markers_)
    evidence["weight"] = (model.standardised_features(X) * direction[:len(FEATURES)]).ravel()
    words = model.opening_words(X).tocsr()
    opening = []
    for k in range(len(X)):
        row = words.getrow(k)
        terms = [(model.vocabulary_[j], float(v * direction[len(FEATURES) + j])) for j, v in zip(row.indices, row.data)]
        terms.sort(key=lambda tc: (-abs(tc[1]), tc[0]))
        opening.append((k, "opening_words", float(len(terms)),
                        "; ".join(f"{t} ({c:+.3f})" for t, c in terms[:12]), float(sum(c for _, c in terms))))
    opening = pd.DataFrame(opening, columns=["pair", "feature", "value", "evidence", "weight"])
    evidence = pd.concat([evidence, opening], ignore_index=True).sort_values(["pair"], kind="stable")
    for key in keys:
        evidence[key] = pairs[key].to_numpy()[evidence["pair"].to_numpy()]
    return evidence[columns].reset_index(drop=True)
