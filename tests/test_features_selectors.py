"""Every selector of `features` refuses a name that matches nothing, and says which names it knows.

A misspelt label ("theme:sanction"), entry pattern, document id, turn or role would otherwise give
an empty selection and a count of 0 that looks like a finding. A name the lexicons know but the
selected documents do not use is not an error: it counts 0.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.features import (
    actor_cooccurrence,
    capital_sources,
    count_matches,
    document_counts,
    explain,
    group_rates,
    label_tokens,
    matches_near,
    mention_forms,
    rate_intervals,
)

DOC = "darchiev-interfax"


@pytest.fixture(scope="module")
def interview(interview_tables):
    tables = dict(interview_tables)
    tables["documents"] = pd.DataFrame({"doc_id": [DOC], "kind": ["interview"], "country": ["Russia"],
                                        "year": [2022], "source": ["Interview"]})
    return tables


def test_explain_names_the_known_documents_turns_and_labels(interview):
    matches, sentences = interview["matches"], interview["sentences"]
    assert len(explain(matches, sentences, doc_id=DOC, feature="theme:sanctions", turn_id=9)) > 0
    with pytest.raises(ValueError, match=r"'darchiev-interfx'.*close names: darchiev-interfax"):
        explain(matches, sentences, doc_id="darchiev-interfx", feature="theme:sanctions")
    turns = sorted(set(interview["turns"]["turn_id"]))
    with pytest.raises(ValueError, match=rf"no turn 40; its turns: {', '.join(map(str, turns))}$"):
        explain(matches, sentences, doc_id=DOC, feature="theme:sanctions", turn_id=40)
    with pytest.raises(ValueError, match=r"no label 'sanction'; known labels: .*\bnato\b.*\bsanctions\b"):
        explain(matches, sentences, doc_id=DOC, feature="theme:sanction")
    with pytest.raises(ValueError, match=r"no layer 'themes'; known layers: .*\bactor\b.*\btheme\b"):
        explain(matches, sentences, doc_id=DOC, feature="themes:sanctions")


SELECTORS = {
    "group_rates": lambda t, **kw: group_rates(t["matches"], t["tokens"], t["documents"], by="year", **kw),
    "document_counts": lambda t, **kw: document_counts(t["matches"], t["tokens"], t["documents"], **kw),
    "rate_intervals": lambda t, **kw: rate_intervals(t["matches"], t["tokens"], t["documents"], n_boot=10, **kw),
    "matches_near": lambda t, **kw: matches_near(t["matches"], **kw),
    "label_tokens": lambda t, **kw: label_tokens(t["tokens"], t["matches"], **kw),
    "mention_forms": lambda t, **kw: mention_forms(t["matches"], t["documents"], turns=t["turns"], **kw),
}
#: The selectors that also choose lexicon entries by a ``pattern``.
BY_PATTERN = ["group_rates", "document_counts", "rate_intervals", "matches_near", "label_tokens"]


@pytest.mark.parametrize("name", list(SELECTORS))
def test_each_selector_refuses_an_unknown_layer_or_label_and_names_the_known_ones(interview, name):
    with pytest.raises(ValueError, match=r"no label 'sanction'; known labels: .*\bsanctions\b"):
        SELECTORS[name](interview, feature="theme:sanction")
    with pytest.raises(ValueError, match=r"no layer 'actors'; known layers: .*\bactor\b"):
        SELECTORS[name](interview, feature="actors:Russia")


@pytest.mark.parametrize("name", BY_PATTERN)
def test_each_selector_refuses_a_pattern_that_matches_no_entry_and_lists_the_entries(interview, name):
    with pytest.raises(ValueError, match=r"'\^natto\$' matches no entry of 'theme:nato'; its entries: NATO, "):
        SELECTORS[name](interview, feature="theme:nato", pattern="^natto$")


def test_a_known_label_that_the_documents_do_not_use_counts_zero(interview):
    unused = interview["matches"][interview["matches"]["label"] != "sanctions"]
    counted = document_counts(unused, interview["tokens"], interview["documents"], feature="theme:sanctions")
    assert counted["count"].tolist() == [0]
    rates = group_rates(unused, interview["tokens"], interview["documents"], feature="theme:sanctions", by="year")
    assert rates["count"].tolist() == [0] and rates["rate"].tolist() == [0.0]
    assert matches_near(unused, feature="theme:sanctions").empty
    nato = document_counts(interview["matches"], interview["tokens"], interview["documents"], feature="theme:nato",
                           pattern="eastward|^nato$")
    assert nato["count"].iloc[0] > 0


def test_the_role_selectors_name_the_known_roles(interview):
    expected = r"no turn has the role\(s\) \['answers'\]; roles are \['answer', 'question'\]"
    with pytest.raises(ValueError, match=expected):
        document_counts(interview["matches"], interview["tokens"], interview["documents"], feature="theme:nato",
                        turns=interview["turns"], roles="answers")
    with pytest.raises(ValueError, match=expected):
        mention_forms(interview["matches"], interview["documents"], feature="actor:Russia",
                      turns=interview["turns"], roles="answers")


def test_capital_sources_names_the_missing_source(interview):
    with pytest.raises(ValueError, match=r"no document of the source\(s\) \['Kremlin', 'White House'\]"):
        capital_sources(interview["documents"])


def test_the_layer_options_refuse_unknown_layers(interview):
    matches, tokens = interview["matches"], interview["tokens"]
    with pytest.raises(ValueError, match=r"no layer 'actors'; known layers: .*\bactor\b"):
        actor_cooccurrence(matches, layer="actors")
    with pytest.raises(ValueError, match=r"no layer 'evaluations'; known layers: .*\bevaluation\b"):
        matches_near(matches, feature="theme:sanctions", layer="evaluations")
    # count_matches(features=...) names columns to add with 0 (a user dictionary's labels): no check there.
    counted = count_matches(matches, tokens, unit="document", features=["theme:my_label"])
    assert counted.loc[counted["feature"] == "theme:my_label", "count"].tolist() == [0]
