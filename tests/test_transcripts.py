"""Parsing transcripts: labels, roles, speakers, paragraphs, header and furniture, losslessly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.sources import find_documents, read_document
from analysis.transcripts import parse_transcript, split_paragraphs, uncovered_characters
from conftest import RAW_DIR


def turns_of(text, **options):
    transcript = parse_transcript(text, **options)
    assert not uncovered_characters(transcript).strip()
    return transcript.turns


def test_the_interview_parses_exactly(interview_text):
    transcript = parse_transcript(interview_text, doc_id="darchiev-interfax")
    turns = transcript.turns
    assert list(turns["role"]) == ["question", "answer"] * 6
    answers = turns[turns["role"] == "answer"]
    assert list(answers["n_paragraphs"]) == [4, 3, 2, 2, 4, 3]
    assert set(answers["speaker"]) == {"A. N. Darchiev"}
    assert set(turns.loc[turns["role"] == "question", "speaker"]) == {"Interviewer (Interfax)"}
    assert transcript.header == {
        "page_date": "Monday, May 20",
        "title": "Interview of the Director of the North America Department of the Russian Foreign "
                 "Ministry, A.N.Darchiev, to the Interfax news agency",
        "interviewee": "A. N. Darchiev",
        "outlet": "Interfax",
    }
    assert turns["text"].iloc[0].startswith("Is it possible to say")
    assert turns["text"].iloc[-1].endswith("The truth is ours.")
    spans = transcript.spans
    outside = spans[spans["kind"].isin(["date", "title", "furniture"])]
    assert list(outside["kind"]) == ["date", "title", "furniture", "furniture"]
    assert list(outside["text"])[2:] == ["Google+ Pinterest LinkedIn Tumblr +", "Leave A Reply"]
    for start, end in outside[["start", "end"]].itertuples(index=False):
        inside = (turns["start"] < end) & (turns["end"] > start)
        assert not inside.any()
    labels = spans[spans["kind"] == "label"]
    assert [t.strip() for t in labels["text"]] == ["Question:", "Answer:"] * 6
    for row in turns.itertuples():
        assert interview_text[row.start:row.end] == row.text
        assert not row.text.startswith(("Question", "Answer"))


@pytest.mark.parametrize(
    "text, roles, speakers",
    [
        ("Question: Why?\n\nAnswer: Because.\n", ["question", "answer"], ["Interviewer", ""]),
        ("QUESTION: Why?\n\nANSWER: Because.\n", ["question", "answer"], ["Interviewer", ""]),
        ("q: Why?\na: Because.\nQ: And?\nA: So.\n", ["question", "answer"] * 2, ["Interviewer", ""] * 2),
        ("Q:Why?\n\nA:Because.\n", ["question", "answer"], ["Interviewer", ""]),
    ],
    ids=["words", "capitals", "letters-single-newlines", "no-space"],
)
def test_question_answer_labels_in_any_case(text, roles, speakers):
    turns = turns_of(text)
    assert list(turns["role"]) == roles
    assert list(turns["speaker"]) == speakers
    assert [t.rstrip(".?") for t in turns["text"]] == ["Why", "Because", "And", "So"][: len(roles)]


NAMED = """Interview of Foreign Minister Sergey Lavrov with the BBC, April 2022

Question: Mr Lavrov, will Russia answer the sanctions in kind?

Sergey Lavrov: We have always said that we act on the basis of reciprocity.

It is not our choice.

Question: And NATO?

S.Lavrov: NATO expansion was the problem from the start.
"""


def test_named_interviewee_with_question_labels():
    transcript = parse_transcript(NAMED)
    turns = transcript.turns
    assert list(turns["role"]) == ["question", "answer", "question", "answer"]
    # "S. Lavrov" and "Sergey Lavrov" are one person: the full name serves both
    assert list(turns["speaker"]) == ["Interviewer (BBC)", "Sergey Lavrov", "Interviewer (BBC)", "Sergey Lavrov"]
    assert list(turns["n_paragraphs"]) == [1, 2, 1, 1]
    assert transcript.header["title"].startswith("Interview of Foreign Minister")


def test_named_speakers_in_capitals_the_interviewee_has_most_words():
    text = (
        "HOST: Minister, thank you for joining us.\n\n"
        "LAVROV: Thank you. Let me say at once that the sanctions have not worked and will not work, "
        "and that we are ready for dialogue on an equal footing.\n\n"
        "HOST: Is that your final word?\n\n"
        "LAVROV: It is our position, which we have explained many times to our American colleagues.\n"
    )
    turns = turns_of(text)
    # the host's welcome asks nothing and thanks: a moderating turn
    assert list(turns["role"]) == ["moderator", "answer", "question", "answer"]
    assert list(turns["speaker"]) == ["Host", "Lavrov", "Host", "Lavrov"]


def test_the_interviewee_named_in_the_title_answers_even_when_brief():
    text = (
        "Vladimir Putin's interview to the journalist Mikhail Gusman, Moscow\n\n"
        "Mikhail Gusman: Mr President, a long question about sanctions, the economy, NATO, the dollar, "
        "energy, Europe, the future of relations with Washington and much more besides?\n\n"
        "Vladimir Putin: Yes.\n\n"
        "Mikhail Gusman: Thank you, and another long question about everything under the sun, again?\n\n"
        "Vladimir Putin: No.\n"
    )
    turns = turns_of(text, speaker="Vladimir Putin")
    assert list(turns["role"]) == ["question", "answer", "question", "answer"]


def test_an_answer_may_come_first_and_two_questions_may_follow_each_other():
    turns = turns_of("Answer: As I said.\n\nQuestion: One.\n\nQuestion: Two?\n\nAnswer: Both.\n")
    assert list(turns["role"]) == ["answer", "question", "question", "answer"]


def test_a_label_counts_only_at_the_start_of_a_paragraph():
    turns = turns_of("Q: Good evening.caller: is this on?\n\nA: Yes, caller: it is.\n")
    assert len(turns) == 2
    assert turns["text"].iloc[0] == "Good evening.caller: is this on?"


def test_a_speech_does_not_turn_its_own_words_into_labels():
    text = (
        "Mr. President,\n\nOur priorities are three.\n\n"
        "First: the rule of law and the Charter of the United Nations.\n\n"
        "Second: development for all.\n\nThird: peace in Europe.\n\nNote: this is not a transcript.\n"
    )
    turns = turns_of(text)
    assert list(turns["role"]) == ["statement"]
    assert turns["n_paragraphs"].iloc[0] == 6


def test_a_monologue_is_one_statement_with_the_given_speaker():
    turns = turns_of("We are open to dialogue.\n\nBut reciprocity is required.\n", kind="speech", speaker="S. Lavrov")
    assert list(turns["role"]) == ["statement"] and list(turns["speaker"]) == ["S. Lavrov"]
    assert turns["n_paragraphs"].iloc[0] == 2


def test_hard_wrapped_lines_are_rejoined_into_paragraphs():
    path = RAW_DIR / "ungdc" / "rus_usa_can_1992_2024" / "USA_47_1992.txt"
    text = read_document(path).text
    paragraphs = split_paragraphs(text)
    first = text[paragraphs[0].start:paragraphs[0].end]
    assert first.startswith("Forty-seven years ago") and first.endswith("no \nother.")
    assert text[paragraphs[1].start:].startswith("But the hopes and dreams of 1945")


def test_a_file_of_only_labels_is_a_clear_error():
    with pytest.raises(InputError, match="labels but no words"):
        parse_transcript("Question:\n" * 5000, path="labels.txt")


def test_every_raw_document_is_lossless_and_round_trips():
    for path in find_documents(RAW_DIR):
        document = read_document(path)
        kind = None if "interview" in path.parts else "speech"
        transcript = parse_transcript(document.text, doc_id=document.doc_id, kind=kind)
        assert not uncovered_characters(transcript).strip(), path.name
        for row in transcript.spans.itertuples():
            assert document.text[row.start:row.end] == row.text
        turns = transcript.turns
        for row in transcript.paragraphs.itertuples():
            turn = turns.iloc[row.turn_id]
            assert turn.start <= row.start < row.end <= turn.end
        if kind == "speech":
            assert list(turns["role"]) == ["statement"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("QqAa:.\n \t\r!?,xyzЖ“”\u200f😀")) | st.characters(), max_size=400))
def test_any_text_parses_or_raises_the_documented_error(text):
    try:
        transcript = parse_transcript(text)
    except InputError:
        return
    assert not uncovered_characters(transcript).strip()
    for row in transcript.turns.itertuples():
        assert text[row.start:row.end] == row.text and row.text.strip()
