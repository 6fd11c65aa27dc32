"""More layouts: timestamps, dash dialogues, numbered questions, long titles in plain text, furniture, dates."""

from __future__ import annotations

import pytest

from analysis.sources import decode_bytes
from analysis.transcripts import iso_date, parse_transcript, uncovered_characters


def parsed(text: str, **options):
    transcript = parse_transcript(text, **options)
    assert not uncovered_characters(transcript).strip()  # nothing lost, whatever the layout
    return transcript


def test_a_timestamp_after_a_label_is_a_time_span_and_the_turns_time():
    text = ("Department Press Briefing\n\nNed Price: (00:03)\nGood afternoon. We have one item at the top.\n\n"
            "Matt Lee: (00:45)\nWhat about Russia?\n\nNed Price: (01:02)\nWe will see what Moscow does.\n")
    transcript = parsed(text)
    turns = transcript.turns
    assert list(turns["time"]) == ["00:03", "00:45", "01:02"]
    assert not turns["text"].str.contains(r"\(\d\d:\d\d\)").any()
    assert list(transcript.spans.loc[transcript.spans["kind"] == "time", "text"]) == ["(00:03)", "(00:45)", "(01:02)"]
    assert list(turns["role"][1:]) == ["question", "answer"]


def test_a_dialogue_marked_by_dashes_alternates_questions_and_answers_from_the_title():
    text = ("Interview of Maria Zakharova to RIA Novosti\n\n"
            "- What should be our reaction to the new sanctions?\n\n"
            "- We cannot prohibit anyone from anything. We will respond.\n\nAnd we will do it calmly.\n\n"
            "– And the embassies?\n\n– They keep working.\n")
    turns = parsed(text).turns
    assert list(turns["role"]) == ["question", "answer", "question", "answer"]
    assert list(turns["speaker"])[1::2] == ["Maria Zakharova", "Maria Zakharova"]
    assert turns["text"].iloc[1].endswith("calmly.") and turns["text"].iloc[0].startswith("What should")


def test_numbered_questions_take_the_paragraphs_after_them_as_answers():
    text = ("Answers of Sergey Ryabkov to questions from Izvestia\n\n"
            "❓1. What is the state of relations?\n\nThey are at a low point.\n\nWe hope for better.\n\n"
            "2. Will the talks resume?\n\nNot soon.\n")
    turns = parsed(text).turns
    assert list(turns["role"]) == ["question", "answer", "question", "answer"]
    assert list(turns["text"]) == ["What is the state of relations?", "They are at a low point.\n\nWe hope for better.",
                                   "Will the talks resume?", "Not soon."]
    assert set(turns.loc[turns["role"] == "answer", "speaker"]) == {"Sergey Ryabkov"}


def test_long_title_labels_in_plain_text_and_initials_are_one_speaker():
    text = ("Presidential Press Secretary Dmitry Peskov: Good afternoon, let us begin with the first question.\n\n"
            "Question: Will there be new talks with Washington?\n\n"
            "Dmitry Peskov: There are no such plans at the moment.\n\n"
            "Sergey Ryabkov: We are open to talks on strategic stability.\n\n"
            "Question: Are you?\n\nS. Ryabkov: Yes, we are, on the basis of reciprocity.\n")
    turns = parsed(text).turns
    assert list(turns["speaker"]) == ["Dmitry Peskov", "Interviewer", "Dmitry Peskov", "Sergey Ryabkov",
                                      "Interviewer", "Sergey Ryabkov"]
    assert turns["text"].iloc[0].startswith("Good afternoon")


def test_furniture_in_the_middle_and_at_the_end_stays_outside_every_turn():
    text = ("You are subscribed to Department Press Briefings for U.S. Department of State.\n\n"
            "05/20/2019 05:11 PM EDT\n\nDepartment Press Briefing\n\n"
            "MR PRICE: Good afternoon. We have one item at the top.\n\n* * *\n\n"
            "QUESTION: What about the sanctions?\n\nMR PRICE: They stay.\n\nAdvanced settings\n\n"
            "English Русский Français\n\n"
            "U.S. Department of State · 2201 C Street NW · Washington DC 20520\n")
    transcript = parsed(text)
    turns = transcript.turns
    assert list(turns["text"]) == ["Good afternoon. We have one item at the top.", "What about the sanctions?",
                                   "They stay."]
    furniture = set(transcript.spans.loc[transcript.spans["kind"] == "furniture", "text"])
    assert {"* * *", "Advanced settings", "English Русский Français"} <= furniture
    assert transcript.header["title"] == "Department Press Briefing"  # never the date line
    assert transcript.header["page_date"] == "05/20/2019 05:11 PM EDT"


@pytest.mark.parametrize(
    "ending, fragment",
    [
        # a teaser of another page, cut off mid-sentence: furniture outside the last answer
        ("Lavrov also said that the United States has been", True),
        ("Related: Ryabkov on strategic stability talks, Geneva,", True),
        # a speaker cut off by the transcript, or speaking in the first or second person: still speech
        ("And with that, this call is concluded. Thank you very much for join", False),
        ("We will answer in kind, and", False),
        ("The sanctions remain in place until —", False),
        ("They stay in place.", False),
    ],
)
def test_a_closing_fragment_that_ends_mid_sentence_is_furniture(ending, fragment):
    text = f"Question: What about the sanctions?\n\nSergey Ryabkov: They stay.\n\n{ending}\n"
    transcript = parsed(text)
    furniture = list(transcript.spans.loc[transcript.spans["kind"] == "furniture", "text"])
    assert (furniture == [ending]) is fragment
    assert transcript.turns["text"].iloc[-1] == ("They stay." if fragment else f"They stay.\n\n{ending}")
    assert not uncovered_characters(transcript).strip()


def test_a_page_that_starts_with_a_label_has_no_title_and_a_answers_take_the_named_interviewee():
    turns = parsed("Question: Why?\n\nAnswer: Because.\n").turns
    assert "title" not in parse_transcript("Question: Why?\n\nAnswer: Because.\n").header
    assert list(turns["role"]) == ["question", "answer"]
    named = parsed("Interview with Foreign Minister Sergey Lavrov\n\nQ: Why?\n\nA: Because.\n")
    assert list(named.turns["speaker"]) == ["Interviewer", "Sergey Lavrov"]
    assert named.header["interviewee"] == "Sergey Lavrov"


def test_dates_are_iso_only_where_the_text_gives_the_year():
    assert iso_date("Monday, May 20") == ""
    assert iso_date("Interview given on May 15, 2019 to TASS") == "2019-05-15"
    assert iso_date("20 May 2022") == "2022-05-20" and iso_date("2022-02-30") == ""


def test_mixed_line_ends_with_one_paragraph_per_line():
    data = b"Question: Why now?\r\nAnswer: Because of the sanctions.\rQuestion: And then?\r\nAnswer: Reciprocity.\n"
    text, _ = decode_bytes(data)
    turns = parsed(text).turns
    assert list(turns["role"]) == ["question", "answer"] * 2
    assert list(turns["text"]) == ["Why now?", "Because of the sanctions.", "And then?", "Reciprocity."]


def test_two_layouts_mixed_never_lose_characters():
    text = ("Interview of Maria Zakharova\n\n- A dash question?\n\nQuestion: A labelled one?\n\n"
            "1. A numbered one?\n\nNed Price: (00:03)\n(Laughter.) An answer.\n\n* * *\n\n- The end.\n")
    parsed(text)
