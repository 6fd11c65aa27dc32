"""White House briefings (Markdown) and kremlin.ru pages (HTML): labels, roles, speakers, spans."""

from __future__ import annotations

import re

import pytest

from analysis.corpus import parse_document
from analysis.markup import article_to_text, markdown_to_text
from analysis.sources import read_document
from analysis.transcripts import event_kind, parse_transcript, uncovered_characters
from conftest import RAW_DIR

NBSP = "\u00a0"
BREAK = "  "  # two spaces at a line end: a hard line break in Markdown

BRIEFING = f"""---
title: "Press Briefing by Press Secretary Jen\\_Psaki, March 1,\\_2022"
date: '2022-03-01'
source_url: https://example.gov/briefing
---
{NBSP}{BREAK}
James S. Brady Press Briefing Room

1:58 P.M. EST{BREAK}
{NBSP}{BREAK}
MS. PSAKI:{NBSP} Hi, everyone.{NBSP} I have two items at the top. We are imposing sanctions
on the Central Bank \\[of Russia\\] today.{NBSP}{BREAK}
{NBSP}{BREAK}
    Go ahead, Trevor? No — Trevor is first.

Q{NBSP}{NBSP}{NBSP} Thanks, Jen.{NBSP} Will the President speak to Putin this week?{BREAK}
{NBSP}{BREAK}
MS. PSAKI:{NBSP} Not this week. (Laughter.){NBSP} He has no plans.

MS. PSAKI:{NBSP} Go ahead, Trevor.

Q:{NBSP} And on SWIFT?{NBSP} Is the
SWIFT: question settled?

MR. SULLIVAN:{NBSP} It is, and I would add that the *allies* agreed.

Q{NBSP}{NBSP}{NBSP} Thank you.

END{NBSP}{NBSP}2:45 P.M. EST
"""


def briefing_turns():
    extracted = markdown_to_text(BRIEFING)
    transcript = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header, kind="briefing")
    return extracted, transcript


def test_a_briefing_reads_q_with_no_break_spaces_titles_and_the_end_line():
    extracted, transcript = briefing_turns()
    turns = transcript.turns
    # the press secretary is named as the title names her; a title without a name stays tidied
    assert list(turns["speaker"]) == ["Jen Psaki", "Q", "Jen Psaki", "Jen Psaki", "Q", "Mr. Sullivan", "Q"]
    assert list(turns["role"]) == ["statement", "question", "answer", "moderator", "question", "answer", "question"]
    assert list(turns["participant"]) == ["official", "journalist", "official", "official", "journalist",
                                          "official", "journalist"]
    assert turns["speaker"].iloc[1] == "Q" and turns["speaker"].iloc[5] == "Mr. Sullivan"
    # the escapes become their characters, emphasis marks go, the hard-wrapped "SWIFT:" stays words
    assert "[of Russia]" in turns["text"].iloc[0] and "*" not in turns["text"].iloc[5]
    assert "SWIFT: question settled?" in turns["text"].iloc[4]
    spans = transcript.spans
    assert extracted.metadata["title"] == "Press Briefing by Press Secretary Jen Psaki, March 1, 2022"
    assert list(spans.loc[spans["kind"] == "time", "text"]) == ["1:58 P.M. EST", f"END{NBSP}{NBSP}2:45 P.M. EST"]
    assert all("END" not in text for text in turns["text"])
    assert not uncovered_characters(transcript).strip()


def test_stage_directions_are_spans_inside_their_turn_and_not_words():
    _, transcript = briefing_turns()
    stage = transcript.spans[transcript.spans["kind"] == "stage"]
    assert list(stage["text"]) == ["(Laughter.)"] and list(stage["turn_id"]) == [2]
    paragraphs = transcript.paragraphs[transcript.paragraphs["turn_id"] == 2]
    words = [transcript.text[s:e] for s, e in zip(paragraphs["start"], paragraphs["end"])]
    assert words == ["Not this week.", "He has no plans."]


PANEL = f"""---
title: "Press Briefing by White House Monkeypox Response Team and Public Health Officials"
---
MR. FENTON:{NBSP} Hi, I’m Bob Fenton.{NBSP} With that, let’s get to some questions.

MR. MUNOZ:{NBSP} Thanks, Bob.{NBSP} Let’s go to Helen Branswell at Stat News.

Q{NBSP}{NBSP}{NBSP} Thank you.{NBSP} Why was the dose changed, and when will it reach the states?

DR. WALENSKY:{NBSP} We have guidance that decreases your risk, and it reaches the states next week.

MR. FENTON:{NBSP} Also, I’d like to go to Dr. Daskalakis, the Deputy Coordinator, to speak to that too, please.

DR. DASKALAKIS:{NBSP} Great, thank you.{NBSP} Prevention for monkeypox is a layered approach.

MR. FENTON:{NBSP} Dr. Califf?

DR. CALIFF:{NBSP} The dose was changed because the study showed the same immune response.

MR. FENTON:{NBSP} Thank you, Dr. Califf.{NBSP} I’d like to turn it over to Dr. Daskalakis to talk about the second question.

DR. DASKALAKIS:{NBSP} Historically, the population at risk has been reached through local clinics.

MR. FENTON:{NBSP} I’ll let her speak to that.

MR. MUNOZ:{NBSP} Thanks.{NBSP} Next question.

Q{NBSP}{NBSP}{NBSP} Hi, thanks.{NBSP} Are children eligible?

MR. FENTON:{NBSP} Infrastructure?
"""


def test_a_panel_hands_the_floor_to_colleagues_who_answer_the_same_question():
    extracted = markdown_to_text(PANEL)
    turns = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header,
                             kind="briefing").turns
    assert list(turns["role"]) == [
        "statement",  # remarks at the top
        "moderator",  # "Let’s go to …": a curly apostrophe is still an apostrophe
        "question",
        "answer",
        "moderator",  # "I’d like to go to Dr. Daskalakis … to speak to that too": a hand-over, not an answer
        "answer",  # the colleague answers the same question
        "moderator",  # "Dr. Califf?": a colleague called on by title and name
        "answer",
        "moderator",  # thanks and a hand-over: the question stays open ...
        "answer",  # ... so the next official still answers it, not a statement
        "answer",  # "I’ll let her speak to that" declines to answer: an answer, not chairing
        "moderator",
        "question",
        "answer",  # a bare word with a question mark may be a clarifying question, not a call
    ]


CALLS = f"""---
title: "Press Briefing by Press Secretary Jen Psaki and FEMA Administrator Deanne Criswell"
---
MS. PSAKI:{NBSP} Hi, everyone.{NBSP} The Administrator will take a few questions.

Q{NBSP}{NBSP}{NBSP} How many masks have been shipped?

ADMINISTRATOR CRISWELL:{NBSP} We have shipped four hundred million.

MS. PSAKI:{NBSP} Peter.

Q{NBSP}{NBSP}{NBSP} Where did they go?

ADMINISTRATOR CRISWELL:{NBSP} Pharmacies.

Q{NBSP}{NBSP}{NBSP} And who decides on the next shipment?

MS. PSAKI:{NBSP} Dr. Fauci.

DR. FAUCI:{NBSP} We decide with the states.

Q{NBSP}{NBSP}{NBSP} Which states asked first?

MS. PSAKI:{NBSP} Mike Memoli.

Q{NBSP}{NBSP}{NBSP} Thanks.{NBSP} A follow-up on the masks?

MS. PSAKI:{NBSP} Yesterday.
"""


def test_a_bare_name_between_an_answer_and_a_question_gives_the_floor():
    extracted = markdown_to_text(CALLS)
    turns = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header,
                             kind="briefing").turns
    assert list(zip(turns["speaker"], turns["role"])) == [
        ("Jen Psaki", "statement"),
        ("Q", "question"),
        ("Deanne Criswell", "answer"),
        ("Jen Psaki", "moderator"),  # "Peter.": after an answer, before Peter's question
        ("Q", "question"),
        ("Deanne Criswell", "answer"),  # "Pharmacies.": one word after a question answers it
        ("Q", "question"),
        ("Jen Psaki", "moderator"),  # "Dr. Fauci.": a colleague called on by title and name
        ("Dr. Fauci", "answer"),  # the title names no Fauci: the label, tidied
        ("Q", "question"),
        ("Jen Psaki", "answer"),  # "Mike Memoli." right after a question may answer it ("Who asked?")
        ("Q", "question"),
        ("Jen Psaki", "answer"),  # "Yesterday." answers; nothing follows
    ]


def test_a_host_who_relays_a_viewers_question_asks_it():
    page = """<html><body><article itemscope><h1>Direct Line with Vladimir Putin</h1>
<div itemprop="articleBody">
<p><b>Tatyana Remezova:</b> Good afternoon, we are live.</p>
<p><b>Vladimir Putin:</b> Good afternoon. Can you hear me?</p>
<p><b>Tatyana Remezova:</b> Let us hear from the call centre. Maria Gladkikh.</p>
<p><b>Maria Gladkikh:</b> Mr President, callers ask about roads. When will they be repaired?</p>
<p><b>Vladimir Putin:</b> This year.</p>
<p><b>Tatyana Remezova:</b> We receive many complaints about land. Vasily Denisov wonders if the programme
will be extended to his region.</p>
<p><b>Vladimir Putin:</b> It will, once the experiment is over.</p></div></article></body></html>"""
    extracted = article_to_text(page)
    turns = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header,
                             kind=event_kind(extracted.metadata["title"])).turns
    assert list(turns["role"]) == ["moderator", "statement", "moderator", "question", "answer", "question",
                                   "answer"]


KREMLIN = """<html><head><title>Page</title></head><body><nav>News Events</nav>
<article itemscope="itemscope"><h1>Joint news conference with President of&nbsp;Kyrgyzstan Almazbek Atambayev</h1>
<div class="read__lead entry-summary">Vladimir Putin and Almazbek Atambayev made statements.</div>
<time datetime="2017-02-28">February 28, 2017</time>
<div class="entry-content e-content" itemprop="articleBody">
<div class="media masha-ignore"><figure><img src="x.jpg"></figure><span class="media__title">A photo caption.</span></div>
<p><b>President of&nbsp;Kyrgyzstan <a href="/p/280">Almazbek Atambayev<span class="tooltip hidden">Atambayev Almazbek</span></a>:</b> Good afternoon,
ladies and&nbsp;gentlemen. We have finished our talks.</p>
<p>Germany: our partners there have also been informed.</p>
<p><b>President of&nbsp;Russia Vladimir Putin:</b> Thank you. Mr Atambayev, ladies and gentlemen,</p>
<p>The talks were good.</p>
<p>* * *</p>
<p><b>Question</b> (<i>retranslated</i>)<b>:</b> A question for both presidents: what about the base?</p>
<p><b>Almazbek</b><b> Atambayev</b>: We did not discuss the base.</p>
<p><b>Vladimir Putin:</b> I would add that nothing changes in our military cooperation, which remains close.</p>
<p><b>Yevgeny Rozhkov</b>, reporter at VGTRK: And what of sanctions?</p>
<p><b>Dmitry Peskov:</b> Colleagues, the last question.</p>
</div></article><aside>Related news</aside></body></html>
"""


def kremlin_transcript():
    extracted = article_to_text(KREMLIN)
    return extracted, parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header,
                                       kind="news conference")


def test_kremlin_long_first_labels_short_later_labels_and_affiliations():
    extracted, transcript = kremlin_transcript()
    turns = transcript.turns
    assert list(turns["speaker"]) == ["Almazbek Atambayev", "Vladimir Putin", "Question", "Almazbek Atambayev",
                                      "Vladimir Putin", "Yevgeny Rozhkov", "Dmitry Peskov"]
    assert list(turns["role"]) == ["statement", "statement", "question", "answer", "answer", "question",
                                   "moderator"]
    assert turns["text"].iloc[0].startswith("Good afternoon, ladies and")
    assert "Germany: our partners" in turns["text"].iloc[0]  # a sentence, not a speaker
    labels = transcript.spans.loc[transcript.spans["kind"] == "label", "text"].str.strip()
    assert "Yevgeny Rozhkov, reporter at VGTRK:" in set(labels)
    assert "Question (retranslated):" in set(labels)
    assert extracted.metadata["date"] == "2017-02-28"
    assert "caption" not in extracted.text and "Related" not in extracted.text and "tooltip" not in extracted.text
    assert "Atambayev Almazbek" not in extracted.text
    furniture = transcript.spans.loc[transcript.spans["kind"] == "furniture", "text"]
    assert list(furniture) == ["* * *"]
    assert not uncovered_characters(transcript).strip()


VALDAI = """<html><body><article itemscope><h1>Meeting of the Valdai International Discussion Club</h1>
<time datetime="2019-10-03">October 3, 2019</time><div itemprop="articleBody">
<p><b>Research Director of the Foundation for Development and Support of the Valdai Discussion Club, moderator
Fyodor Lukyanov:</b> Good afternoon, colleagues. We begin the plenary session.</p>
<p><b>President of Russia Vladimir Putin:</b> Good afternoon, ladies and gentlemen, friends. I am pleased to
welcome you to Sochi. The world has changed a great deal, and it goes on changing faster than we thought.</p>
<p>Let me say a few words about it.</p>
<p><b>Fyodor Lukyanov:</b> Thank you very much, Mr President. Why do you think the world is changing?</p>
<p><b>Vladimir Putin:</b> Because it cannot stay the same.</p>
<p><b>Fyodor Lukyanov:</b> Let us give the floor to our guests.</p>
<p><b>Ivan Krastev</b>, Chairman of the Centre for Liberal Strategies: Mr President, will Russia and Europe talk?</p>
<p><b>Vladimir Putin:</b> We are ready to talk at any moment.</p></div></article></body></html>"""


def test_a_discussion_club_moderator_chairs_and_asks():
    extracted = article_to_text(VALDAI)
    turns = parse_transcript(extracted.text, labels=extracted.labels, header=extracted.header,
                             kind=event_kind(extracted.metadata["title"])).turns
    assert list(turns["speaker"]) == ["Fyodor Lukyanov", "Vladimir Putin", "Fyodor Lukyanov", "Vladimir Putin",
                                      "Fyodor Lukyanov", "Ivan Krastev", "Vladimir Putin"]
    assert list(turns["role"]) == ["moderator", "statement", "question", "answer", "moderator", "question", "answer"]
    assert list(turns["participant"])[:2] == ["moderator", "official"]
    assert turns["participant"].iloc[5] != "moderator"  # "Chairman of the Centre" is an office, not the chair


@pytest.mark.parametrize(
    "title, kind",
    [
        ("Press Briefing by Press Secretary Karine Jean-Pierre, July 5, 2022", "briefing"),
        ("Press Gaggle by Principal Deputy Press Secretary Karine Jean-Pierre", "gaggle"),
        ("Background Press Call by Senior Administration Officials on Russia", "background call"),
        ("Direct Line with Vladimir Putin", "Direct Line"),
        ("Answers to journalists’ questions following the Direct Line", "answers to journalists"),
        ("Meeting of the Valdai International Discussion Club", "discussion club"),
        ("Interview to American TV channel NBC", "interview"),
        ("Press statements following Russian-Chinese talks", "press statements"),
    ],
)
def test_event_kind_from_the_title(title, kind):
    assert event_kind(title) == kind


# Spot checks against the sources' own markup: every paragraph that opens with a label in the raw file
# (a bold run on kremlin.ru, a capitalised name or Q in a briefing) opens a turn, with its speaker.
KREMLIN_SAMPLE = ["17808", "53964", "54271", "54790", "57027", "59455", "60527", "62843"]
BRIEFING_SAMPLE = sorted(p.name for p in (RAW_DIR / "whbriefings").glob("*.md"))[::37]


@pytest.mark.parametrize("page", KREMLIN_SAMPLE)
def test_kremlin_turns_start_at_the_bold_labels_of_the_page(page):
    path = RAW_DIR / "kremlin" / f"{page}.html"
    raw = path.read_text(encoding="utf-8")
    body = raw[raw.index('itemprop="articleBody"'):]
    bold_openings = len(re.findall(r"<p>\s*<b>(?!\s*\*)[^<]{2,}</b>(?:\s*\([^)]*\))?\s*(?:<b>)?\s*[:,]", body))
    document = read_document(path)
    transcript = parse_document(document)
    assert len(document.labels) >= bold_openings
    assert len(transcript.turns) >= 0.95 * bold_openings
    assert not uncovered_characters(transcript).strip()
    spans = transcript.spans
    turns = spans[spans["kind"] == "turn"]
    outside = spans[spans["kind"].isin(["furniture", "time", "title", "date", "lead"])]
    for start, end in zip(outside["start"], outside["end"]):  # no furniture inside any turn
        assert not ((turns["start"] < end) & (turns["end"] > start)).any()


@pytest.mark.parametrize("name", BRIEFING_SAMPLE)
def test_briefing_turns_start_at_the_labels_of_the_markdown(name):
    path = RAW_DIR / "whbriefings" / name
    raw = path.read_text(encoding="utf-8")
    labels = re.findall(r"(?m)^[ \u00a0]*(?:Q(?:[\u00a0 ]|:)|(?:[A-Z][A-Z.'-]+ )*[A-Z][A-Z.'-]+:)", raw)
    transcript = parse_document(read_document(path), kind="briefing")
    turns = transcript.turns
    assert len(turns) >= 0.95 * len(labels)
    assert set(turns["role"]) <= {"question", "answer", "statement", "moderator"}
    assert not turns["text"].str.contains(r"\bEND\b\s*\d{1,2}:\d\d").any()
    assert (turns.loc[turns["speaker"] == "Q", "role"] == "question").all()
    assert not uncovered_characters(transcript).strip()
