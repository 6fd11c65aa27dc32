"""Question–answer responsiveness: pairs, the QEvasion reader, features with evidence, classifier, evaluation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import GroupKFold, cross_val_predict

from analysis import qa
from analysis.errors import InputError
from analysis.transcripts import parse_transcript
from conftest import RAW_DIR

QEVASION_CSV = RAW_DIR / "qevasion" / "qevasion_train_subset_518.csv"


@pytest.fixture(scope="module")
def qevasion() -> pd.DataFrame:
    return qa.read_qevasion(QEVASION_CSV)


@pytest.fixture(scope="module")
def raw_qevasion() -> pd.DataFrame:
    return pd.read_csv(QEVASION_CSV)


@pytest.fixture(scope="module")
def interview_turns(interview_text) -> pd.DataFrame:
    return parse_transcript(interview_text, doc_id="darchiev-interfax").turns


@pytest.fixture(scope="module")
def model(qevasion) -> qa.ResponsivenessClassifier:
    return qa.train_responsiveness_model(qevasion)


def features_of(question: str, answer: str) -> pd.Series:
    return qa.pair_evidence(question, answer).set_index("feature")["value"]


def evidence_of(question: str, answer: str) -> pd.Series:
    return qa.pair_evidence(question, answer).set_index("feature")["evidence"]


# ---------------------------------------------------------------------------------------------
# Q/A pairs
# ---------------------------------------------------------------------------------------------

def test_the_interview_has_six_pairs(interview_turns):
    pairs = qa.qa_pairs(interview_turns)
    assert list(pairs.columns) == qa.PAIR_COLUMNS
    assert list(pairs["pair_id"]) == list(range(6))
    assert list(pairs["question_turn_id"]) == [0, 2, 4, 6, 8, 10]
    assert list(pairs["answer_turn_id"]) == [1, 3, 5, 7, 9, 11]
    assert pairs["question"].iloc[0].startswith("Is it possible to say that the United States")
    assert pairs["answer"].iloc[4].startswith("We have been living under sanctions")
    assert set(pairs["answer_speaker"]) == {"A. N. Darchiev"}


def test_pairs_skip_unanswered_questions_and_stay_within_a_document():
    turns = pd.DataFrame({
        "doc_id": ["a", "a", "a", "a", "b", "b"],
        "turn_id": [0, 1, 2, 3, 0, 1],
        "role": ["question", "question", "answer", "answer", "answer", "question"],
        "text": ["Q1?", "Q2?", "A2.", "More.", "Orphan answer.", "Unanswered?"],
    })
    pairs = qa.qa_pairs(turns.iloc[::-1])  # row order does not matter
    assert pairs[["doc_id", "question", "answer"]].values.tolist() == [["a", "Q2?", "A2."]]
    assert qa.qa_pairs(turns.iloc[:0]).empty
    with pytest.raises(ValueError, match="role"):
        qa.qa_pairs(turns.drop(columns="role"))


def test_pairs_pass_over_a_moderator_and_take_answers_from_two_officials():
    turns = pd.DataFrame({
        "doc_id": ["n"] * 7,
        "turn_id": range(7),
        "role": ["question", "moderator", "answer", "answer", "answer", "moderator", "question"],
        "speaker": ["Question", "Dmitry Peskov", "Vladimir Putin", "Angela Merkel", "Angela Merkel",
                    "Dmitry Peskov", "Question"],
        "text": ["For both of you: gas?", "Please.", "Gas flows.", "I agree.", "And more.", "Next.", "Visas?"],
    })
    pairs = qa.qa_pairs(turns)
    assert pairs[["question_turn_id", "answer_turn_id", "answer_speaker"]].values.tolist() == [
        [0, 2, "Vladimir Putin"], [0, 3, "Angela Merkel"]]


def test_pairs_of_a_parsed_briefing_follow_its_questions():
    from analysis.markup import markdown_to_text
    from analysis.transcripts import parse_transcript

    source = ("---\ntitle: Press Gaggle by Press Secretary Jen Psaki\n---\n"
              "MS. PSAKI:\u00a0 Hi, everyone.\n\nQ\u00a0\u00a0 Will he call Putin?\n\n"
              "MS. PSAKI:\u00a0 Go ahead.\n\nQ\u00a0\u00a0 On sanctions — will he call Putin?\n\n"
              "MS. PSAKI:\u00a0 No call is planned this week.\n")
    extracted = markdown_to_text(source)
    turns = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header).turns
    assert list(turns["role"]) == ["moderator", "question", "moderator", "question", "answer"]
    pairs = qa.qa_pairs(turns.assign(doc_id="gaggle"))
    assert pairs[["question", "answer"]].values.tolist() == [
        ["On sanctions — will he call Putin?", "No call is planned this week."]]


# ---------------------------------------------------------------------------------------------
# Cleaning and the QEvasion reader
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, clean", [
    ("That's right.And so it goes.", "That's right. And so it goes."),
    ("Is it?Yes.", "Is it? Yes."),
    ("the U.S.A. and A.N.Darchiev", "the U.S.A. and A.N.Darchiev"),
    ("up 1.5 percent. Fine.", "up 1.5 percent. Fine."),
])
def test_split_run_together(raw, clean):
    assert qa.split_run_together(raw) == clean


@pytest.mark.parametrize("raw, clean", [
    ("Asad is still there.Julianna Goldman [Bloomberg News].", "Asad is still there."),
    ("It worked. All right. I've got April Ryan [American Urban Radio Network].", "It worked."),
    ("We'll take the money.Yes, please. Go ahead. Go ahead.", "We'll take the money."),
    ("They were all important.Sheryl.", "They were all important."),
    ("Make life better for people.Okay. Phil. Phil Mattingly, CNN.", "Make life better for people."),
    ("Absolutely. Yes.Let's see, Phil Mattingly [Bloomberg News].", "Absolutely. Yes."),
    ("Yes.", "Yes."),
    ("No, I haven't spoken to him. Guam. Nearby.", "No, I haven't spoken to him. Guam. Nearby."),
    ("So yes, I thank you for your question.Russia-U.S. Relations//North Atlantic Treaty Organization",
     "So yes, I thank you for your question."),
    ("Toby [Tabassum Zakaria, Reuters], we passed a stimulus bill that is now in the process of paying out.",
     "Toby, we passed a stimulus bill that is now in the process of paying out."),
])
def test_clean_answer(raw, clean):
    assert qa.clean_answer(raw) == clean


@pytest.mark.parametrize("raw, clean", [
    ("Q. Thank you, Mr. President. Is it over?", "Thank you, Mr. President. Is it over?"),
    ("Q. Mr. President—— The President. Yes. Yes.Executive Action on Coronavirus Relief  Q. Will you sign it?",
     "Mr. President—— Will you sign it?"),
    ("Q. Did you agree? The President. U.S. companies can sell.Turkey/Turkey's Purchase of Russian S-400 "
     "Antiaircraft System  Q. And will Turkey face sanctions?", "Did you agree? And will Turkey face sanctions?"),
    ("Q. Mr. President GeorgeW. Bush, you lead the superpower.",
     "Mr. President GeorgeW. Bush, you lead the superpower."),
    ("Q. Is the U.S. ready? Q. Yes? The President. No.", "Is the U.S. ready? Yes?"),
])
def test_clean_question(raw, clean):
    assert qa.clean_question(raw) == clean


def test_reader_on_the_real_sample(qevasion, raw_qevasion):
    assert len(qevasion) == len(raw_qevasion) == 518
    # SOURCE.md: Ambivalent 325, Clear Reply 144, Clear Non-Reply 49
    assert qevasion["clarity_label"].value_counts().to_dict() == {
        "Ambivalent": 325, "Clear Reply": 144, "Clear Non-Reply": 49}
    assert qevasion["conference"].nunique() == raw_qevasion["url"].nunique()
    assert not qevasion["full_question"].str.startswith("Q.").any()
    assert not qevasion["answer"].str.contains(r"\[|\]").any()
    assert not qevasion["full_question"].str.contains(r"\bQ\. ").any()
    assert (qevasion["answer"].str.len() > 0).all() and (qevasion["question"].str.len() > 0).all()

    # row 4 ends by calling the next reporter; row 0 runs sentences together
    assert raw_qevasion["interview_answer"][4].endswith("still there.Julianna Goldman [Bloomberg News].")
    assert qevasion["answer"][4].endswith("while Asad is still there.")
    assert "let that happen.And I think" in raw_qevasion["interview_answer"][0]
    assert "let that happen. And I think" in qevasion["answer"][0]
    # row 30: the other speaker's labelled turn ("President Putin. Yes, I did.") is not part of the question
    assert "President Putin. Yes, I did." in raw_qevasion["interview_question"][30]
    assert "Yes, I did" not in qevasion["full_question"][30]
    assert qevasion["full_question"][30].startswith("President Putin, did you want President Trump to win")
    # a bare "Yes" keeps its answer
    assert qevasion.loc[qevasion["row"] == 34, "answer"].item() == "Absolutely. Yes."


def test_reader_errors_name_the_file(tmp_path, raw_qevasion):
    with pytest.raises(InputError, match="missing.csv.*file not found"):
        qa.read_qevasion(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty.csv"):
        qa.read_qevasion(empty)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x00\x81\x82" * 50)
    with pytest.raises(InputError, match="binary.csv"):
        qa.read_qevasion(binary)
    lacking = tmp_path / "lacking.csv"
    raw_qevasion.head(3).drop(columns=["clarity_label", "url"]).to_csv(lacking, index=False)
    with pytest.raises(InputError, match=r"lacking.csv: lacks the column\(s\) url, clarity_label"):
        qa.read_qevasion(lacking)
    typo = tmp_path / "typo.csv"
    rows = raw_qevasion.head(3).copy()
    rows.loc[2, "clarity_label"] = "Clear reply"
    rows.to_csv(typo, index=False)
    with pytest.raises(InputError, match=r"typo.csv, line 4: unknown clarity label 'Clear reply'"):
        qa.read_qevasion(typo)


# ---------------------------------------------------------------------------------------------
# Features on hand-made pairs
# ---------------------------------------------------------------------------------------------

QUESTION = "Will the new sanctions on Russian banks hurt the American economy?"
TAKES_UP = "No. The sanctions on Russian banks will not hurt our economy; the banks are small."
DODGES = "Let me say this: the real question is what China does in Africa. We'll see."


def test_an_answer_that_takes_up_the_question_overlaps_with_it():
    up, away = features_of(QUESTION, TAKES_UP), features_of(QUESTION, DODGES)
    assert up["lemma_overlap"] > 0.5 > away["lemma_overlap"] == 0.0
    assert up["tfidf_cosine"] > 0.3 > away["tfidf_cosine"] == 0.0
    assert up["theme_continuity"] > away["theme_continuity"]
    assert set(evidence_of(QUESTION, TAKES_UP)["lemma_overlap"].split("; ")) == {
        "bank", "economy", "hurt", "russian", "sanction"}


def test_yes_no_questions_and_stance_openings():
    up = features_of(QUESTION, TAKES_UP)
    assert up["yes_no_question"] == 1.0 and up["opens_with_stance"] == 1.0 and up["yes_no_answered"] == 1.0
    assert evidence_of(QUESTION, TAKES_UP)["opens_with_stance"] == "negative: No"
    # fillers and a vocative before the stance; a wh-question is not a yes/no question
    well = features_of("Mr. President, do you regret it?", "Well, Jim, absolutely not.")
    assert well["yes_no_question"] == 1.0 and well["yes_no_answered"] == 1.0
    how = features_of("How will you pay for it?", "Yes, we will pay for it with the savings.")
    assert how["yes_no_question"] == 0.0 and how["opens_with_stance"] == 1.0 and how["yes_no_answered"] == 0.0
    # "I don't know" opens with "I don't" but is a claim of ignorance, not a "no"
    dunno = features_of("Did he call you?", "I don't know. I haven't seen the report.")
    assert dunno["opens_with_stance"] == 0.0 and dunno["ignorance_markers"] == 2.0


def test_deflection_and_hedging_markers_with_their_offsets():
    values, evidence = features_of(QUESTION, DODGES), evidence_of(QUESTION, DODGES)
    assert values["deflection_markers"] == 2.0 and values["hedge_markers"] == 1.0
    assert evidence["deflection_markers"] == "Let me say [0:10]; the real question is [17:37]"
    for item in evidence["deflection_markers"].split("; ") + [evidence["hedge_markers"]]:
        text, span = item.rsplit(" [", 1)
        start, end = map(int, span.rstrip("]").split(":"))
        assert DODGES[start:end] == text


def test_decline_clarification_and_question_reference():
    decline = features_of("Will you pardon him?", "I'm not going to comment on pardons. I won't be discussing it.")
    assert decline["decline_markers"] == 2.0  # "I'm not going to comment" counts once, not also "I'm not going to"
    assert features_of("Should the NHS be on the table?", "I can't hear him. What?")["clarification_markers"] == 2.0
    reference = features_of("Is the deal dead?", "As you said, and to answer your question, the deal is alive.")
    assert reference["question_reference_markers"] == 2.0
    # typographic apostrophes match as straight ones
    assert features_of("Q?", "I’m not going to.")["decline_markers"] == 1.0


def test_topic_shift_to_a_new_actor():
    question = "Will NATO expand further?"
    elsewhere = "China and the European Union should worry about Ukraine."
    stays = features_of(question, "NATO will not stop its expansion, and the alliance knows it.")
    shifts = features_of(question, elsewhere)
    assert stays["theme_continuity"] == 1.0 and stays["topic_shift"] == 0.0
    assert shifts["theme_continuity"] == 0.0 and shifts["topic_shift"] == 1.0
    assert "actor:China: China" in evidence_of(question, elsewhere)["topic_shift"]


def test_length_features():
    values = features_of("Why?", "Because the talks failed in March.")
    assert values["length_ratio"] == pytest.approx(np.log2((6 + 1) / (1 + 1)))
    assert values["answer_length"] == pytest.approx(np.log2(7))


def test_nasty_inputs_give_finite_features():
    pairs = pd.DataFrame({
        "question": ["", "?!", None, "Ça va? Что?", "Is it?"],
        "answer": ["", "...", "Yes.", "Oui. Да.", "\n\n  \n"],
    })
    table = qa.pair_features(pairs)
    assert list(table.columns) == list(qa.FEATURES) and list(table.index) == list(pairs.index)
    assert np.isfinite(table.to_numpy()).all()
    assert qa.pair_features(pairs.iloc[:0]).shape == (0, len(qa.FEATURES))
    with pytest.raises(ValueError, match="answer"):
        qa.pair_features(pairs.drop(columns="answer"))


def test_tfidf_cosine_agrees_with_scikit_learn():
    texts = [QUESTION, TAKES_UP, DODGES, "Sanctions against Russia and Russian banks were extended.",
             "The economy grew despite the sanctions."]
    markers = qa.load_markers()
    weights = qa.DocumentFrequencies.from_texts(texts, markers=markers)
    profiles = qa._profiles(texts)
    vectorizer = TfidfVectorizer(analyzer=lambda profile: qa._content_lemmas(profile, markers))
    matrix = vectorizer.fit_transform(profiles).toarray()
    expected = matrix @ matrix.T
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert qa.tfidf_cosine(texts[i], texts[j], weights=weights) == pytest.approx(expected[i, j], abs=1e-12)


def test_markers_file_errors(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("markers: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yml, line"):
        qa.load_markers(bad)
    unquoted = tmp_path / "unquoted.yml"
    text = qa.MARKERS_FILE.read_text(encoding="utf-8").replace('  - "yes"\n', "  - yes\n", 1)
    unquoted.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="unquoted.yml: 'answer_openings.affirmative' holds True"):
        qa.load_markers(unquoted)
    lacking = tmp_path / "lacking.yml"
    lacking.write_text("markers: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks the section 'markers.decline'"):
        qa.load_markers(lacking)


# ---------------------------------------------------------------------------------------------
# Classifier and evaluation
# ---------------------------------------------------------------------------------------------

def test_the_classifier_is_a_scikit_learn_estimator(qevasion):
    sample = qevasion.iloc[::4].reset_index(drop=True)
    X, y = sample[["question", "answer"]], sample["clarity_label"]
    estimator = qa.ResponsivenessClassifier(C=0.5)
    assert clone(estimator).get_params() == {"C": 0.5, "class_weight": "balanced", "max_iter": 2000,
                                             "markers_path": None}
    assert not hasattr(estimator, "classes_")
    fitted = estimator.fit(X, y)
    assert fitted is estimator
    assert list(fitted.classes_) == sorted(qa.CLARITY_LABELS)
    probabilities = fitted.predict_proba(X)
    assert probabilities.shape == (len(X), 3) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert set(fitted.predict(X)) <= set(qa.CLARITY_LABELS)
    groups = qa.conference_groups(sample)
    predicted = cross_val_predict(qa.ResponsivenessClassifier(), X, y, groups=groups, cv=GroupKFold(n_splits=3))
    assert len(predicted) == len(X) and set(predicted) <= set(qa.CLARITY_LABELS)
    with pytest.raises(ValueError, match="unknown clarity label"):
        qa.ResponsivenessClassifier().fit(X, y.str.lower())
    with pytest.raises(ValueError, match="question"):
        fitted.predict(X.drop(columns="question"))


def test_cross_validation_never_splits_a_press_conference(qevasion):
    folds = qa.conference_folds(qevasion, n_splits=5, seed=0)
    groups = qa.conference_groups(qevasion)
    assert set(folds) == set(range(5))
    assert (pd.DataFrame({"g": groups, "f": folds}).groupby("g")["f"].nunique() == 1).all()
    for fold in range(5):
        assert not set(groups[folds == fold]) & set(groups[folds != fold])
    predictions = qa.crossval_predictions(
        qevasion, models={"majority": DummyClassifier(strategy="most_frequent")}, n_splits=5, seed=0)
    assert (predictions["fold"].to_numpy() == folds.to_numpy()).all()
    assert (predictions["predicted"] == "Ambivalent").all()  # the majority of every training fold


def test_macro_f1_and_bootstrap_agree_with_scikit_learn():
    rng = np.random.default_rng(1)
    labels = rng.choice(list(qa.CLARITY_LABELS), size=200, p=[0.3, 0.6, 0.1])
    predicted = rng.choice(list(qa.CLARITY_LABELS[:2]), size=200)
    assert qa.macro_f1(labels, predicted) == pytest.approx(f1_score(labels, predicted, average="macro"), abs=1e-12)
    conferences = [f"c{i // 3}" for i in range(200)]
    table = pd.concat([
        pd.DataFrame({"model": name, "row": range(200), "conference": conferences, "label": labels,
                      "predicted": guess})
        for name, guess in (("random", predicted), ("perfect", labels))
    ])
    scores = qa.bootstrap_scores(table, n_boot=300, seed=3, differences=[("perfect", "random")]).set_index(
        ["model", "metric"])
    assert scores.loc[("random", "accuracy"), "value"] == pytest.approx(accuracy_score(labels, predicted))
    assert scores.loc[("random", "macro_f1"), "value"] == pytest.approx(f1_score(labels, predicted, average="macro"))
    assert scores.loc[("perfect", "macro_f1"), ["value", "ci_low", "ci_high"]].tolist() == [1.0, 1.0, 1.0]
    low, value, high = scores.loc[("random", "macro_f1"), ["ci_low", "value", "ci_high"]]
    assert low < value < high
    difference = scores.loc[("perfect − random", "macro_f1")]
    assert difference["value"] == pytest.approx(1.0 - value)
    assert (scores["n_conferences"] == 67).all()
    again = qa.bootstrap_scores(table, n_boot=300, seed=3, differences=[("perfect", "random")])
    assert again.equals(scores.reset_index())


def test_informative_features(model):
    table = qa.informative_features(model)
    assert len(table) == 3 * len(qa.FEATURES)
    assert list(table["label"].unique()) == list(qa.CLARITY_LABELS)
    coefficients = table.set_index(["label", "feature"])["coefficient"]
    # what the coders' labels teach the model: shared words speak for a clear reply, claims of
    # ignorance and requests for clarification for a clear non-reply
    assert coefficients[("Clear Reply", "lemma_overlap")] > 0 > coefficients[("Clear Non-Reply", "lemma_overlap")]
    assert coefficients[("Clear Non-Reply", "ignorance_markers")] > 0
    assert coefficients[("Clear Non-Reply", "clarification_markers")] > 0


# ---------------------------------------------------------------------------------------------
# The interview
# ---------------------------------------------------------------------------------------------

def test_score_interview(interview_turns, model):
    scored = qa.score_interview(interview_turns, model=model)
    assert len(scored) == 6
    assert sorted(scored["rank"]) == list(range(1, 7))
    assert scored["responsiveness"].between(-1, 1).all()
    assert np.allclose(scored[["p_clear_reply", "p_ambivalent", "p_clear_non_reply"]].sum(axis=1), 1.0)
    assert scored.sort_values("rank")["responsiveness"].is_monotonic_decreasing
    assert set(qa.FEATURES) <= set(scored.columns)
    # the sanctions question is answered with sanctions: the lexicon theme carries over
    sanctions = scored.iloc[4]
    assert sanctions["question"].startswith("The United States is now threatening suffocating sanctions")
    assert sanctions["theme_continuity"] > 0 and "theme:sanctions" in sanctions["evidence"]
    evidence = qa.explain_pairs(scored[["doc_id", "pair_id", "question", "answer"]], model=model)
    assert len(evidence) == 6 * len(qa.FEATURES)
    assert list(evidence.columns) == ["doc_id", "pair_id", "feature", "value", "evidence"]
    merged = evidence.pivot(index="pair_id", columns="feature", values="value")[list(qa.FEATURES)]
    assert np.allclose(merged.to_numpy(), scored[list(qa.FEATURES)].to_numpy())


@pytest.mark.slow
def test_evaluation_reports_models_baselines_and_paired_differences(qevasion):
    scores = qa.evaluate_responsiveness(qevasion, n_splits=5, n_boot=200, seed=0).set_index(["model", "metric"])
    models = {qa.FEATURE_MODEL, qa.MAJORITY_CLASS, qa.BAG_OF_WORDS,
              f"{qa.FEATURE_MODEL} − {qa.BAG_OF_WORDS}", f"{qa.FEATURE_MODEL} − {qa.MAJORITY_CLASS}"}
    assert set(scores.index.get_level_values("model")) == models
    assert (scores["ci_low"] <= scores["value"]).all() and (scores["value"] <= scores["ci_high"]).all()
    # the majority class is "Ambivalent" in every fold: its accuracy is that class's share
    assert scores.loc[(qa.MAJORITY_CLASS, "accuracy"), "value"] == pytest.approx(325 / 518)
    assert scores.loc[(qa.FEATURE_MODEL, "macro_f1"), "value"] > scores.loc[(qa.MAJORITY_CLASS, "macro_f1"), "value"]
