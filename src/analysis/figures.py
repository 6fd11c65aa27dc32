"""The paper's figures: each drawn from the corpus tables by one registered function; saved with a manifest."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import config
from .files import write_atomic


@dataclass(frozen=True)
class PaperFigure:
    """A figure of the paper: its file name, the function that draws it and the tables it reads."""

    name: str
    draw: Callable
    tables: tuple[str, ...]
    columns: int = 1

    @property
    def function(self) -> str:
        return f"{self.draw.__module__}.{self.draw.__qualname__}"


#: Every paper figure, in the order of the paper-figures notebook.
FIGURES: dict[str, PaperFigure] = {}


def paper_figure(name: str, *, tables: tuple[str, ...], columns: int = 1):
    """Register a function ``draw(corpus, ax=None) -> Axes`` as the paper figure ``name``."""
    def register(draw: Callable) -> Callable:
        if name in FIGURES:
            raise ValueError(f"a paper figure is already called {name!r}")
        FIGURES[name] = PaperFigure(name, draw, tables, columns)
        return draw
    return register


# --- figures of the themes: the interview's themes, sanctions, NATO, reciprocity -----------------

INTERVIEW_ID = "darchiev-interfax"
#: The themes the interview is about, first in every figure; the other themes follow by name.
KEY_THEMES = ("sanctions", "nato", "reciprocity")
#: Lexicon entries of the NATO theme that speak of its expansion ("expand NATO", "NATO's
#: enlargement", "eastward"), as a regular expression for ``features.group_rates(pattern=...)``.
NATO_EXPANSION = "expan|enlarg|eastward"
#: The two kinds of reciprocity marker and the theme label that counts each.
RECIPROCITY_MARKERS = {"mutuality": "theme:mutuality", "reciprocal action": "theme:reciprocity"}
#: Shorter names for legends and ticks at one column's width.
SHORT_NAMES = {"United States of America": "USA"}


#: Parts of a corpus already taken by the figures, by the corpus, its tables and the documents chosen.
_SUBSETS: dict[tuple, object] = {}


def _subset(corpus, doc_ids):
    """``corpus.subset(doc_ids=doc_ids)``, taken once per corpus and choice of documents.

    Several figures read the same part (the interview, the UN statements), and ``make_figures`` draws
    them again after ``draw_figure``: each part is taken once and then shared, read-only. The key holds the
    corpus and its tables by identity, so a corpus given other tables is taken anew; an entry goes when
    its corpus is collected.
    """
    import weakref
    from dataclasses import fields

    ids = tuple(sorted(dict.fromkeys(map(str, doc_ids))))
    key = (id(corpus), *(id(getattr(corpus, f.name)) for f in fields(corpus)), ids)
    if key not in _SUBSETS:
        _SUBSETS[key] = corpus.subset(doc_ids=ids)
        weakref.finalize(corpus, _SUBSETS.pop, key, None)
    return _SUBSETS[key]


def _the_interview(corpus):
    """The interview's part of the corpus."""
    return _subset(corpus, [INTERVIEW_ID])


def _theme_order(labels) -> list[str]:
    """The key themes first, then the others by name."""
    present = [str(label) for label in dict.fromkeys(labels)]
    return [t for t in KEY_THEMES if t in present] + sorted(t for t in present if t not in KEY_THEMES)


def turn_tick_labels(turns, *, sep: str = "\n") -> list[str]:
    """Each turn's label: its ``turn_id``, then its role's letter ("8\\nQ", "9\\nA"; S for a statement).

    The notebooks, the figures and their prose number turns one way: by ``turn_id``, from 0
    (turn 8 is the interview's fifth question, turn 9 its answer). ``sep`` goes between the two.

    >>> import pandas as pd
    >>> turn_tick_labels(pd.DataFrame({"turn_id": [0, 1], "role": ["question", "answer"]}))
    ['0\\nQ', '1\\nA']
    """
    return [_turn_label(turn, role, sep=sep) for turn, role in zip(turns["turn_id"], turns["role"])]


def _turn_ticks(ax, turns) -> None:
    """Label each turn with its turn_id and role (Q, A)."""
    ax.set_xticks(ax.get_xticks(), turn_tick_labels(turns))
    ax.set_xlabel("Turn (turn_id; Q = question, A = answer)")


def _turn_label(turn, role, *, sep: str = "\n") -> str:
    """A turn named by its number and role: "8\\nQ", "9 A" (S for a statement)."""
    return f"{turn}{sep}" + ("Q" if role == "question" else "A" if role == "answer" else "S")


def _turn_spans(interview):
    """Each turn's span on the x-ray's scale (share of the document's tokens before it), role and label."""
    import pandas as pd

    n_tokens = len(interview.tokens)
    spans = interview.tokens.groupby("turn_id")["token_id"].agg(["min", "max"])
    turns = interview.turns.set_index("turn_id").join(spans, how="inner")
    return pd.DataFrame({
        "start": turns["min"] / n_tokens, "end": (turns["max"] + 1) / n_tokens, "role": turns["role"],
        "label": [_turn_label(turn, role, sep=" ") for turn, role in zip(turns.index, turns["role"])],
    })


def _set_height(ax, inches: float) -> None:
    """Give the figure a height that fits its rows; the width stays one or two columns."""
    ax.figure.set_size_inches(ax.figure.get_figwidth(), inches)


@paper_figure("interview-themes-by-turn", tables=("turns", "matches"), columns=1)
def interview_themes_by_turn(corpus, ax=None):
    """Turn-by-theme heatmap of the interview: theme matches per turn."""
    from .plots import theme_heatmap

    interview = _the_interview(corpus)
    themes = interview.matches[interview.matches["layer"] == "theme"]
    ax = theme_heatmap(themes, turns=interview.turns["turn_id"].tolist(),
                       labels=_theme_order(themes["label"]), title="Themes by turn in the interview", ax=ax)
    _turn_ticks(ax, interview.turns)
    _set_height(ax, 2.9)
    return ax


@paper_figure("interview-theme-xray", tables=("tokens", "matches"), columns=1)
def interview_theme_xray(corpus, ax=None):
    """Lexical dispersion (x-ray) of every theme through the interview."""
    from .concordance import dispersion
    from .plots import dispersion_plot

    interview = _the_interview(corpus)
    themes = _theme_order(interview.matches.loc[interview.matches["layer"] == "theme", "label"])
    positions = dispersion(interview.tokens, [f"theme:{t}" for t in themes], by="label", matches=interview.matches)
    positions = positions.assign(query=positions["query"].str.removeprefix("theme:"))
    ax = dispersion_plot(positions, patterns=themes, turns=_turn_spans(interview), title="Themes through the interview",
                         ax=ax)
    ax.set_xlabel("Position in the interview (0 = start, 1 = end)\ngrey bands: the interviewer's questions")
    ax.set_ylabel("Theme")
    _set_height(ax, 2.7)
    return ax


def _rates_by_year(corpus, ax, *, feature: str, pattern: str | None, what: str, title: str):
    from .features import country_documents, group_rates
    from .plots import rate_over_time

    documents = country_documents(corpus.documents)
    statements = _subset(corpus, documents["doc_id"])
    rates = group_rates(statements.matches, statements.tokens, documents, feature=feature,
                        by=["year", "country"], pattern=pattern)
    ax = rate_over_time(rates.replace({"country": SHORT_NAMES}), what=what, title=title, ax=ax)
    ax.set_xlabel("Year of the UN General Debate")
    return ax


@paper_figure("sanctions-by-year", tables=("documents", "tokens", "matches"), columns=1)
def sanctions_by_year(corpus, ax=None):
    """Sanctions per 10,000 tokens in the UN statements of Russia, the USA and Canada, 1992-2024."""
    return _rates_by_year(corpus, ax, feature="theme:sanctions", pattern=None, what="Sanctions",
                          title="Sanctions in UN statements")


@paper_figure("nato-by-year", tables=("documents", "tokens", "matches"), columns=1)
def nato_by_year(corpus, ax=None):
    """NATO per 10,000 tokens in the UN statements of Russia, the USA and Canada, 1992-2024."""
    return _rates_by_year(corpus, ax, feature="theme:nato", pattern=None, what="NATO",
                          title="NATO in UN statements")


@paper_figure("nato-expansion-by-year", tables=("documents", "tokens", "matches"), columns=1)
def nato_expansion_by_year(corpus, ax=None):
    """NATO's expansion (the NATO entries matching :data:`NATO_EXPANSION`) per 10,000 tokens, 1992-2024."""
    return _rates_by_year(corpus, ax, feature="theme:nato", pattern=NATO_EXPANSION, what="NATO expansion",
                          title="NATO expansion in UN statements")


@paper_figure("sanctions-collocates-un", tables=("documents", "tokens", "matches"), columns=1)
def sanctions_collocates_un(corpus, ax=None):
    """The strongest collocates (logDice) of "sanction*" in the UN statements of Russia, the USA and Canada."""
    from .features import country_documents, label_tokens
    from .plots import collocates_plot
    from .stats import collocates

    statements = _subset(corpus, country_documents(corpus.documents)["doc_id"])
    node = label_tokens(statements.tokens, statements.matches, feature="theme:sanctions", words="sanction.*")
    table = collocates(statements.tokens, node, by="lemma",
                       left=5, right=5, within="sentence", stop_words=True, min_freq=3, sort_by="log_dice")
    ax = collocates_plot(table, measure="log_dice", n=15,
                         title="Collocates of “sanction*”", ax=ax)
    ax.set_ylabel("Collocate in UN statements (lemma)")
    _set_height(ax, 2.9)
    return ax


def reciprocity_markers(corpus):
    """Mutuality and reciprocal action per 10,000 tokens in the interview and each country's UN statements.

    ``marker`` is "mutuality" (the theme label ``mutuality``: "mutual respect", "mutually
    beneficial", "on both sides") or "reciprocal action" (the label ``reciprocity``: the principle
    of reciprocity, mirror measures, retaliation, an eye for an eye, a conditional "we will do the
    same"); ``source`` is "Interview" or the country of the UN statements. Columns of
    :func:`analysis.features.group_rates` plus ``marker``.
    """
    import pandas as pd

    from .features import country_documents, group_rates

    documents = pd.concat([corpus.documents[corpus.documents["doc_id"] == INTERVIEW_ID].assign(source="Interview"),
                           country_documents(corpus.documents).pipe(lambda d: d.assign(source=d["country"]))],
                          ignore_index=True)
    chosen = _subset(corpus, documents["doc_id"])
    tables = [group_rates(chosen.matches, chosen.tokens, documents, feature=feature, by="source").assign(marker=marker)
              for marker, feature in RECIPROCITY_MARKERS.items()]
    table = pd.concat(tables, ignore_index=True)
    countries = sorted(set(table["source"]) - {"Interview"}, key=lambda s: (s != "Russia", s))
    order = ["Interview"] * ("Interview" in set(table["source"])) + countries
    table["source"] = pd.Categorical(table["source"], categories=order, ordered=True)
    return table.sort_values(["source", "marker"], kind="stable", ignore_index=True)


@paper_figure("reciprocity-interview-vs-un", tables=("documents", "tokens", "matches"), columns=1)
def reciprocity_interview_vs_un(corpus, ax=None):
    """Reciprocity markers per 10,000 tokens: the interview against the UN statements of three countries."""
    from .plots import stance_plot

    ax = stance_plot(reciprocity_markers(corpus), by="source", category="marker", value="rate", per=10_000,
                     categories=list(RECIPROCITY_MARKERS), title="Reciprocity markers", ax=ax)
    ax.set_xticks(ax.get_xticks(), [SHORT_NAMES.get(t.get_text(), t.get_text()) for t in ax.get_xticklabels()])
    ax.set_xlabel("Interview, or UN statements of")
    return ax


# --- figures of actors, questions and answers, stance and keyness --------------------------------

from functools import lru_cache  # noqa: E402  (this section's own import)

#: The stance layers, in the order of the stance figures.
STANCE_LAYERS = ("modality", "hedge", "booster", "negation")


@lru_cache(maxsize=1)
def _responsiveness_model():
    """The responsiveness classifier trained on every labelled QEvasion pair (deterministic; trained once)."""
    from .responsiveness import train_responsiveness_model

    return train_responsiveness_model()


#: Scores and bootstrap intervals of the pairs already scored in this process, by a checksum of the pairs.
_UPTAKE_SCORES: dict[str, tuple] = {}


def _uptake_scores(pairs):
    """Responsiveness scores and their 95 % intervals of ``pairs``: computed once per process for the same pairs.

    The model is trained once (:func:`_responsiveness_model`) and the intervals' refits are seeded, so the
    same pairs always get the same table; drawing the figure again (``make_figures`` after ``draw_figure``)
    reuses it instead of refitting the model on 200 resamples. Copies are returned.
    """
    import pandas as pd

    from .responsiveness import score_intervals, score_pairs

    key = hashlib.sha256(pd.util.hash_pandas_object(pairs, index=True).to_numpy().tobytes()
                         + "|".join(map(str, pairs.columns)).encode()).hexdigest()
    if key not in _UPTAKE_SCORES:
        model = _responsiveness_model()
        _UPTAKE_SCORES[key] = (score_pairs(pairs, model=model), score_intervals(pairs, model=model))
    scored, interval = _UPTAKE_SCORES[key]
    return scored.copy(), interval.copy()


def _turn_counts(corpus):
    from .features import count_matches

    return count_matches(corpus.matches, corpus.tokens, turns=corpus.turns, unit="turn")


@paper_figure("actor-network", tables=("matches",))
def actor_network_figure(corpus, ax=None):
    """Actors named in the same sentence of the interview, coloured by camp."""
    from .features import actor_cooccurrence
    from .lexicon import actor_camps
    from .plots import actor_network

    edges = actor_cooccurrence(_the_interview(corpus).matches)
    camps = actor_camps().set_index("actor")["camp"]
    ax = actor_network(edges, groups=camps, weight_label="sentences naming both",
                       title="Actors named in the same sentence", ax=ax)
    _set_height(ax, 3.0)
    return ax


@paper_figure("we-they-by-turn", tables=("turns", "tokens", "matches"))
def we_they_figure(corpus, ax=None):
    """First- and third-person plural pronouns in each turn of the interview."""
    from .features import pronoun_balance
    from .plots import pronoun_balance_plot

    interview = _the_interview(corpus)
    ax = pronoun_balance_plot(pronoun_balance(_turn_counts(interview)), title="“We” and “they” by turn", ax=ax)
    _turn_ticks(ax, interview.turns)
    return ax


@paper_figure("stance-by-turn", tables=("turns", "tokens", "matches"), columns=2)
def stance_figure(corpus, ax=None):
    """Rates of modality, hedges, boosters and negation per 1,000 tokens in each turn of the interview."""
    from .plots import stance_plot

    interview = _the_interview(corpus)
    counts = _turn_counts(interview)
    ax = stance_plot(counts[counts["layer"].isin(STANCE_LAYERS)], categories=STANCE_LAYERS,
                     title="Stance markers by turn", ax=ax)
    _turn_ticks(ax, interview.turns)
    return ax


@paper_figure("sentiment-by-turn", tables=("turns", "sentences"))
def sentiment_turn_figure(corpus, ax=None):
    """Mean VADER compound score of each turn's sentences (actor names masked), coloured by question or answer."""
    from .features import sentence_sentiment, sentiment_mask
    from .plots import sentiment_plot

    interview = _the_interview(corpus)
    scores = sentence_sentiment(interview.sentences, mask=sentiment_mask(interview.matches)).merge(
        interview.turns[["doc_id", "turn_id", "role"]], on=["doc_id", "turn_id"], how="left")
    ax = sentiment_plot(scores, title="Sentiment by turn", ax=ax)
    _turn_ticks(ax, interview.turns)
    return ax


@paper_figure("sentiment-by-actor", tables=("sentences", "matches"))
def sentiment_actor_figure(corpus, ax=None):
    """Mean VADER compound score of the interview's sentences naming each actor (the names masked)."""
    from .features import actor_sentiment, sentence_sentiment, sentiment_mask
    from .plots import sentiment_plot

    interview = _the_interview(corpus)
    masked = sentence_sentiment(interview.sentences, mask=sentiment_mask(interview.matches))
    scores = actor_sentiment(masked, interview.matches)
    ax = sentiment_plot(scores, by="actor", title="Sentiment by actor named", ax=ax)
    _set_height(ax, max(1.6, 0.7 + 0.18 * scores["actor"].nunique()))
    return ax


@paper_figure("keyness-answers-vs-russia-un", tables=("documents", "turns", "tokens"))
def keyness_figure(corpus, ax=None):
    """Keywords of the interview's answers against Russia's UN General Debate statements, 1992-2024."""
    from .features import country_documents
    from .plots import keyness_plot
    from .stats import keyness
    from .termcounts import subset_term_counts

    tables = corpus.tokens, corpus.turns, corpus.documents
    answers = subset_term_counts(*tables, doc_id=INTERVIEW_ID, role="answer")
    russia_ids = country_documents(corpus.documents, ["Russia"])["doc_id"].tolist()
    russia = subset_term_counts(*tables, doc_id=russia_ids, year_range=(1992, 2024))
    ax = keyness_plot(keyness(answers, russia), n=15, target_name="Answers",
                      reference_name="Russia, UN", title="Answers vs Russia at the UN", ax=ax)
    _set_height(ax, 3.1)
    return ax


@paper_figure("qa-uptake", tables=("turns", "qevasion"))
def uptake_figure(corpus, ax=None):
    """Responsiveness of each question-answer pair of the interview (−1 to +1), with 95 % bootstrap intervals.

    The intervals come from the model refitted on resampled press conferences
    (``responsiveness.score_intervals``); no predicted class labels are drawn.
    """
    import numpy as np

    from .plots import uptake_plot
    from .qa import qa_pairs

    pairs = qa_pairs(_the_interview(corpus).turns)
    scored, interval = _uptake_scores(pairs)
    ax = uptake_plot(scored, value_label="Responsiveness (−1 to +1)",
                     title="Does the answer take up the question?", ax=ax)
    order = np.argsort(scored["pair_id"].to_numpy(), kind="stable")
    values = scored["responsiveness"].to_numpy()[order]
    ax.errorbar(np.arange(len(values)), values,
                yerr=[values - interval["ci_low"].to_numpy()[order], interval["ci_high"].to_numpy()[order] - values],
                fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
    ax.set_xticks(np.arange(len(values)), [f"{q}–{a}" for q, a in zip(
        scored["question_turn_id"].to_numpy()[order], scored["answer_turn_id"].to_numpy()[order])])
    ax.set_xlabel("Question–answer pair (its turns)")
    ax.set_ylim(-1, 1)
    return ax


# --- figures of the two capitals' question-and-answer transcripts --------------------------------

#: Where 24 February 2022 falls on an axis of months 1-12 (a month's middle at its number).
INVASION_MONTH = 2 + (24 - 15) / 28


@paper_figure("capitals-themes-answers", tables=("documents", "turns", "tokens", "matches"))
def capitals_themes_figure(corpus, ax=None):
    """Sanctions, NATO and reciprocity per 10,000 answer tokens: the interview, the Kremlin, the White House.

    Intervals: 95 % percentile bootstrap, resampling documents (the interview: its answers).
    """
    from .features import capital_sources, label_intervals
    from .plots import interval_plot

    sources = capital_sources(corpus.documents)
    table = label_intervals(corpus.matches, corpus.tokens, sources, turns=corpus.turns, labels=KEY_THEMES)
    ax = interval_plot(table.replace({"label": {"nato": "NATO"}}), y="source", hue="label", legend="lower right",
                       title="The three themes in answers", ax=ax)
    ax.set_ylim(3.5, -0.5)  # room for the legend below the last row
    ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
    ax.set_xlim(0, 150)
    _set_height(ax, 2.9)
    return ax


@paper_figure("whitehouse-sanctions-by-month", tables=("documents", "turns", "tokens", "matches"))
def whitehouse_sanctions_by_month(corpus, ax=None):
    """Sanctions per 10,000 tokens of journalists' questions and officials' answers, White House, 2022, by month.

    Intervals: 95 % percentile bootstrap over the month's briefings. The dotted line is 24 February.
    """
    import pandas as pd

    from .features import capital_sources, rate_intervals
    from .plots import rate_over_time

    sources = capital_sources(corpus.documents)
    white_house = sources[sources["source"] == "White House"]
    parts = [rate_intervals(corpus.matches, corpus.tokens, white_house, feature="theme:sanctions", by="month",
                            turns=corpus.turns, roles=role).assign(turns=name)
             for role, name in (("question", "Questions"), ("answer", "Answers"))]
    rates = pd.concat(parts, ignore_index=True)
    ax = rate_over_time(rates, x="month", group="turns", connect=True, title="Sanctions at the White House, 2022", ax=ax)
    ax.axvline(INVASION_MONTH, color="0.3", linestyle=":", linewidth=0.8)
    ax.annotate("24 Feb", (INVASION_MONTH, ax.get_ylim()[1]), xytext=(3, -8), textcoords="offset points",
                fontsize="small", color="0.3")
    ax.set_xticks(range(1, 13), ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"])
    ax.set_xlabel("Month of 2022")
    return ax


@paper_figure("capitals-we-they-answers", tables=("documents", "turns", "tokens", "matches"))
def capitals_we_they_figure(corpus, ax=None):
    """*We* and *they* per 1,000 answer tokens: the interview, the Kremlin, the White House.

    Intervals: 95 % percentile bootstrap, resampling documents (the interview: its answers).
    """
    from .features import capital_sources, label_intervals
    from .plots import interval_plot

    sources = capital_sources(corpus.documents)
    table = label_intervals(corpus.matches, corpus.tokens, sources, turns=corpus.turns,
                            labels=["first_plural", "third_plural"], layer="pronoun", per=1000)
    table = table.replace({"label": {"first_plural": "we", "third_plural": "they"}})
    ax = interval_plot(table, y="source", hue="label", per=1000, legend="lower right",
                       title="We and they in answers", ax=ax)
    ax.set_ylim(3.2, -0.5)  # room for the legend below the last row
    return ax


#: The three reference corpora of the interview's answers, by name, in the order of tables and figures.
REFERENCE_NAMES = ("Kremlin answers", "White House answers", "Russia, UN")


def reference_term_counts(corpus) -> tuple:
    """Term counts of the interview's answers and of its three references (``REFERENCE_NAMES``)."""
    from .features import capital_sources, country_documents
    from .termcounts import subset_term_counts

    tables = corpus.tokens, corpus.turns, corpus.documents
    sources = capital_sources(corpus.documents)
    ids = {name: sources.loc[sources["source"] == name, "doc_id"].tolist() for name in ("Kremlin", "White House")}
    target = subset_term_counts(*tables, doc_id=INTERVIEW_ID, role="answer")
    references = {
        "Kremlin answers": subset_term_counts(*tables, doc_id=ids["Kremlin"], role="answer"),
        "White House answers": subset_term_counts(*tables, doc_id=ids["White House"], role="answer"),
        "Russia, UN": subset_term_counts(*tables, doc_id=country_documents(corpus.documents, ["Russia"])["doc_id"]
                                         .tolist()),
    }
    return target, references


@paper_figure("keyness-three-references", tables=("documents", "turns", "tokens"))
def keyness_three_references(corpus, ax=None):
    """Keywords of the interview's answers against Kremlin answers, White House answers and Russia's UN statements.

    G² (4-cell, signed) with Wilson's BIC threshold, terms seen at least 3 times; dark cells: key.
    """
    from .plots import keyness_grid_plot
    from .stats import keyness_across

    target, references = reference_term_counts(corpus)
    table = keyness_across(target, references)
    ax = keyness_grid_plot(table, REFERENCE_NAMES, n=20, title="Keywords against three references", ax=ax)
    _set_height(ax, 4.2)
    return ax


# --- drawing and saving all of them --------------------------------------------------------------

def draw_figure(name: str, corpus=None):
    """Draw one paper figure in the paper style on a new figure; return its Axes."""
    from .corpus import load_corpus
    from .plots import subplots, use_style

    if name not in FIGURES:
        raise KeyError(f"no paper figure {name!r}; there are: {', '.join(FIGURES)}")
    use_style()
    figure = FIGURES[name]
    corpus = corpus if corpus is not None else load_corpus()
    _, ax = subplots(columns=figure.columns)
    return figure.draw(corpus, ax=ax)


def make_figures(*, out_dir: str | Path | None = None, corpus=None) -> list[Path]:
    """Draw and save every paper figure (PDF, SVG, PNG) and write ``MANIFEST.csv`` beside them."""
    import matplotlib.pyplot as plt

    from .corpus import load_corpus
    from .plots import save_figure

    out_dir = Path(out_dir or config.FIGURES_DIR)
    corpus = corpus if corpus is not None else load_corpus()
    rows, written = [], []
    for name, figure in FIGURES.items():
        ax = draw_figure(name, corpus)
        paths = save_figure(ax.figure, name, out_dir=out_dir)
        plt.close(ax.figure)
        for path in paths:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            rows.append([name, path.name, digest, " ".join(figure.tables), figure.function])
        written.extend(paths)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["figure", "file", "sha256", "tables", "function"])
    writer.writerows(rows)
    written.append(write_atomic(out_dir / "MANIFEST.csv", buffer.getvalue()))
    return written
