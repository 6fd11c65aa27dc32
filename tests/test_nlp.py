"""Sentences and tokens: offsets into the document, the interview's quirks, lemmas."""

from __future__ import annotations

import pandas as pd

from analysis.nlp import annotate_paragraphs, get_pipeline
from analysis.transcripts import parse_transcript


def annotate(text):
    transcript = parse_transcript(text)
    return annotate_paragraphs(text, transcript.paragraphs, doc_id="t")


def test_initials_stay_one_token_and_a_run_together_boundary_splits():
    text = "Interview of A.N.Darchiev to Interfax.\n\nIt was symbolically sounded.Biden on February 24 said so.\n"
    sentences, tokens = annotate(text)
    assert "A.N.Darchiev" in set(tokens["text"])
    assert list(sentences["text"]) == [
        "Interview of A.N.Darchiev to Interfax.", "It was symbolically sounded.", "Biden on February 24 said so.",
    ]


def test_offsets_round_trip_and_ids_count_through_the_document(interview_text):
    transcript = parse_transcript(interview_text)
    sentences, tokens = annotate_paragraphs(interview_text, transcript.paragraphs, doc_id="darchiev-interfax")
    assert list(sentences["sentence_id"]) == list(range(len(sentences)))
    assert list(tokens["token_id"]) == list(range(len(tokens)))
    for row in sentences.itertuples():
        assert interview_text[row.start:row.end] == row.text
    for row in tokens.itertuples():
        assert interview_text[row.start:row.end] == row.text
    joined = tokens.merge(sentences, on=["doc_id", "sentence_id"], suffixes=("", "_s"))
    assert (joined["start"] >= joined["start_s"]).all() and (joined["end"] <= joined["end_s"]).all()
    assert (joined["turn_id"] == joined["turn_id_s"]).all()
    assert not tokens["text"].str.isspace().any()


def test_lemmas_are_lower_case_lookups():
    _, tokens = annotate("The sanctions were imposed; Washington's measures are mirrored.\n")
    lemmas = dict(zip(tokens["text"], tokens["lemma"]))
    assert lemmas["sanctions"] == "sanction" and lemmas["were"] == "be" and lemmas["The"] == "the"
    assert tokens["lower"].equals(tokens["text"].str.lower())


def test_empty_paragraph_table_gives_empty_typed_tables():
    empty = pd.DataFrame({"turn_id": [], "paragraph_id": [], "start": [], "end": []})
    sentences, tokens = annotate_paragraphs("", empty, doc_id="x")
    assert sentences.empty and tokens.empty
    assert str(tokens["start"].dtype) == "int64"


def test_the_pipeline_is_blank_english_and_cached():
    assert get_pipeline() is get_pipeline()
    assert get_pipeline().pipe_names == ["sentencizer", "lemmatizer"]


def test_a_capitalised_word_opening_a_sentence_gets_its_lemma_and_capitals_stay():
    _, tokens = annotate("Sanctions were imposed. Measures are mirrored. US officials met us. Is it?\n")
    lemmas = dict(zip(tokens["text"], tokens["lemma"]))
    assert (lemmas["Sanctions"], lemmas["Measures"], lemmas["Is"]) == ("sanction", "measure", "be")
    assert lemmas["US"] == "us"  # capitals are not looked up in lower case (not the pronoun's lemma)


def rule_pipeline():
    """A new pipeline like the default one: its strings of word forms are not yet remembered."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def test_forms_remembered_from_earlier_documents_give_the_same_tokens():
    first = "Sanctions were imposed. The sanctions were lifted.\n"
    second = "Sanctions, sanctions and more SANCTIONS. Were they lifted?\n"
    nlp = rule_pipeline()
    annotate_paragraphs(first, parse_transcript(first).paragraphs, doc_id="a", nlp=nlp)
    _, remembered = annotate_paragraphs(second, parse_transcript(second).paragraphs, doc_id="b", nlp=nlp)
    _, fresh = annotate_paragraphs(second, parse_transcript(second).paragraphs, doc_id="b", nlp=rule_pipeline())
    assert remembered.equals(fresh)


def test_a_lemmatizer_removed_from_the_pipeline_gives_no_more_lemmas():
    text = "Sanctions were imposed.\n"
    nlp = rule_pipeline()
    _, tokens = annotate_paragraphs(text, parse_transcript(text).paragraphs, doc_id="a", nlp=nlp)
    assert tokens["lemma"].tolist() == ["sanction", "be", "impose", "."]
    nlp.remove_pipe("lemmatizer")
    _, tokens = annotate_paragraphs(text, parse_transcript(text).paragraphs, doc_id="a", nlp=nlp)
    assert tokens["lemma"].tolist() == ["sanctions", "were", "imposed", "."]
