"""Question–answer pairs, the QEvasion reader, and the responsiveness features with their evidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

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


def test_refusals_in_the_first_sentences_and_hedged_refusals():
    question = "Will you pardon him?"
    hedged = "I don't know. Maybe. We'll see what happens."
    values, evidence = features_of(question, hedged), evidence_of(question, hedged)
    assert values["early_refusals"] == 1.0 and values["hedged_refusal"] == 1.0
    assert evidence["hedged_refusal"] == "I don't know [0:12]; Maybe [14:19]; We'll see [21:30]"
    for item in evidence["hedged_refusal"].split("; "):
        text, span = item.rsplit(" [", 1)
        start, end = map(int, span.rstrip("]").split(":"))
        assert hedged[start:end] == text
    # a refusal after the first three sentences is not early
    late = features_of(question, "Yes. I will. It was wrong. I'm not going to comment further.")
    assert late["decline_markers"] == 1.0 and late["early_refusals"] == 0.0 and late["hedged_refusal"] == 0.0
    # refusals without a hedge are not hedged, and a hedge alone is no refusal
    flat = features_of(question, "I'm not going to comment on pardons. I won't be discussing it.")
    assert flat["early_refusals"] == 2.0 and flat["hedged_refusal"] == 0.0
    open_ended = features_of(question, "Maybe. We'll see.")
    assert open_ended["hedge_markers"] == 2.0 and open_ended["early_refusals"] == 0.0 == open_ended["hedged_refusal"]


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
    profiles = qa._profiles(texts, markers)
    vectorizer = TfidfVectorizer(analyzer=lambda profile: profile.content())
    matrix = vectorizer.fit_transform(profiles).toarray()
    expected = matrix @ matrix.T
    for i in range(len(texts)):
        for j in range(len(texts)):
            assert qa.tfidf_cosine(texts[i], texts[j], reference=texts) == pytest.approx(expected[i, j], abs=1e-12)


def test_tfidf_vectors_agree_with_the_tidy_tfidf_table():
    from analysis.stats import tfidf_terms

    texts = [QUESTION, TAKES_UP, DODGES, "Thank you.", "The economy grew despite the sanctions."]
    markers = qa.load_markers()
    rows = [(f"{i:02d}", j, lemma) for i, p in enumerate(qa._profiles(texts, markers)) for j, lemma in enumerate(p.content())]
    table = tfidf_terms(pd.DataFrame(rows, columns=["doc_id", "token_id", "lemma"]), unit="doc_id", by="lemma",
                        alpha_only=False, top_n=None)
    vectors = qa.tfidf_vectors(texts, markers=markers)
    assert vectors[3] == {}  # no content lemmas: no document, an empty vector
    for i, vector in enumerate(vectors):
        expected = table[table["doc_id"] == f"{i:02d}"].set_index("term")["tfidf"]
        assert vector.keys() == set(expected.index)
        assert all(vector[term] == pytest.approx(value, abs=1e-12) for term, value in expected.items())


def test_features_are_the_same_from_a_cold_cache_and_only_the_cosine_reads_the_reference():
    pairs = pd.DataFrame({"question": [QUESTION, "Will you meet Putin in Geneva?"],
                          "answer": [TAKES_UP, "No, I'm not going to comment on my schedule."]})
    reference = ["Sanctions against Russia and Russian banks were extended.", "The summit is in Geneva."]
    warm = qa.pair_features(pairs, reference=reference)
    qa._PROFILES.clear()
    qa._ANALYSES.clear()
    cold = qa.pair_features(pairs, reference=reference)
    pd.testing.assert_frame_equal(warm, cold)
    alone = qa.pair_features(pairs)
    others = [f for f in qa.FEATURES if f != "tfidf_cosine"]
    pd.testing.assert_frame_equal(alone[others], cold[others])
    assert not np.allclose(alone["tfidf_cosine"], cold["tfidf_cosine"])


def test_requests_and_what_the_answer_supplies():
    values = features_of("How many troops will you send? Is it 10,000 or 20,000?",
                         "Well, Jim, about 10,000 troops. We'll see about the rest.")
    evidence = evidence_of("How many troops will you send? Is it 10,000 or 20,000?",
                           "Well, Jim, about 10,000 troops. We'll see about the rest.")
    assert values["wh_question"] == 0.5 and values["choice_question"] == 0.5
    assert values["request_supplied"] == 1.0
    assert evidence["request_supplied"] == "number: 10,000; choice: 10,000"
    why = features_of("Why did the talks fail?", "Because Moscow walked out.")
    assert why["wh_question"] == 1.0 and why["request_supplied"] == 1.0
    who = evidence_of("Who will lead the talks?", "The Secretary of State, Antony Blinken, will.")
    assert "entity: " in who["request_supplied"] and "Blinken" in who["request_supplied"]
    # an answer that supplies nothing the question asked for
    assert features_of("When will the troops leave?", "We'll see. It depends.")["request_supplied"] == 0.0


def test_the_opening_the_pivot_and_the_delay_before_uptake():
    question = "Will the sanctions on Russian banks stay?"
    direct = features_of(question, "The sanctions on Russian banks will stay. They work.")
    late = features_of(question, "Let me say something about China first. China matters. And the sanctions stay.")
    assert direct["opening_overlap"] > 0.5 and late["opening_overlap"] == 0.0
    assert direct["uptake_delay"] == pytest.approx(np.log2(1 + 1))  # "The" comes before "sanctions"
    assert late["uptake_delay"] > direct["uptake_delay"]
    assert evidence_of(question, "No.")["uptake_delay"] == "no word of the question in 1 words"
    assert features_of(question, "No.")["opening_rest_similarity"] == 1.0  # no rest: no pivot


def test_the_lexicon_matcher_finds_the_markers_with_the_package_normalisation():
    from analysis import nlp

    text = "I’m not going to comment. What?"
    found = qa.find_markers(text)
    assert [(m.category, m.text) for m in found] == [("decline", "I’m not going to comment"), ("clarification", "What?")]
    assert all(text[m.start:m.end] == m.text for m in found)
    # one normalisation: the feature's lemma of a token is the lexicon's key
    assert nlp.word_forms("Sanctions") == ("Sanctions", "sanctions", "sanction")
    assert nlp.normalise("I’m") == "I'm"
    assert qa._profiles(["Sanctions hurt."], qa.load_markers())[0].content() == ["sanction", "hurt"]


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


@pytest.mark.parametrize("answer, n_words, terms", [
    ("No, I think so.", 3, ["no", "i", "think", "no i", "i think"]),
    # spaCy's lookup lemmas: "n't" is "not", and "well" is looked up as the adjective ("good")
    ("No. Sanctions don’t work.", 4, ["no", "sanction", "do", "not", "no sanction", "sanction do", "do not"]),
    ("Well.", 25, ["good"]),
    ("", 25, []),
])
def test_opening_terms(answer, n_words, terms):
    assert qa.opening_terms(answer, n_words=n_words) == terms
