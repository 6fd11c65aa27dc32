"""Draw the samples behind the precision and recall of the key themes (see lexicons/themes.md).

Two steps, each a sub-command:

    python tools/lexicon_sample.py matches RAW_DIR OUT.csv [--lexicon themes.csv]
    python tools/lexicon_sample.py sample BEFORE.csv AFTER.csv OUT.csv
    python tools/lexicon_sample.py sample-current BEFORE.csv AFTER.csv OUT.csv

``matches`` reads the UN statements (``RAW_DIR/ungdc``, speeches only), the White House briefings
(``RAW_DIR/whbriefings/*.md``, front matter dropped) and the Kremlin pages
(``RAW_DIR/kremlin/*.html``) with simple text extraction, splits them into sentences and writes
every match of the key theme labels with its sentence. ``sample`` draws, with fixed seeds, per
label and source, matches for precision (from the lexicon before and after a change) and
sentences that a broad query finds for recall, and writes one sheet to judge by reading.
``sample-current`` does the same for every other theme label (precision and recall) and for larger
recall samples of bloc and reciprocal action, before and after a change of the rules. Doc ids are
file stems.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

LABELS = ("sanctions", "nato", "bloc", "reciprocity", "mutuality")
#: The other theme labels, measured on the current lexicon only (``sample-current``).
OTHER_LABELS = ("sovereignty", "diplomacy", "security", "ukraine", "world_order", "economy", "nuclear",
                "hostility", "international_law")
#: The broad queries (recall) and the labels each sentence they find is judged for: the sentences
#: are read, and the lexicon's misses counted. The last one leaves out "mutual", which would
#: otherwise fill the sample, so that reciprocal action gets enough positives.
BROAD_QUERIES = {
    "sanctions": (r"(?i)sanction|embargo|restrict|freez|frozen|blacklist|export control|\bbans?\b|banned|\bblock",
                  ("sanctions",)),
    "nato": (r"(?i)\bNATO\b|North Atlantic|alliance|\bblocs?\b|expan|enlarg", ("nato", "bloc")),
    "reciprocity": (r"(?i)reciproc|mutual|in kind|mirror|retaliat|counter-?measure|in response|the same|symmetr"
                    r"|both sides|tit for tat|tit-for-tat|eye for an eye|in return|escalate", ("reciprocity", "mutuality")),
    "reciprocal_action": (r"(?i)^(?!.*mutual)(?=.*(?:reciproc|in kind|mirror|retaliat|counter-?measure|counter-?sanction"
                          r"|in response|(?:do|did|doing) the same|same way|symmetr|tit.for.tat|eye for an eye|in return"
                          r"|escalat|in reply))", ("reciprocity",)),
}
#: Broad queries for the recall of the other labels on the current lexicon, and larger samples for
#: bloc and reciprocal action: each finds the lexicon's words and the wider vocabulary of its topic.
#: ``(?-i:...)`` keeps acronyms case-sensitive ("START" the treaty, not "start").
CURRENT_QUERIES = {
    "sovereignty": r"(?i)sovereign|independen|territorial|interfer|intervention|internal affairs|domestic affairs"
                   r"|self-determination|statehood|national interest|dignity|autonomy|choose (?:their|its) own"
                   r"|own (?:path|future|destiny)|dictat|subordinat|puppet|annex",
    "diplomacy": r"(?i)dialog|diplomat|negotiat|\btalks\b|consult|cooperat|co-operat|compromise|mediat|embass"
                 r"|ambassador|consul|envoy|summit|\bmeet|contacts|\bengag|discuss|agreement|conversation"
                 r"|channel|\brelations\b|partner|\bvisit|phone call|spoke (?:with|to)",
    "security": r"(?i)secur|militar|armed|army|troops|soldier|weapon|\barms\b|missile|\bwars?\b|warfare|conflict"
                r"|defen[cs]|deter|terror|aggress|invasion|invade|deploy|hostilit|cease-?fire|peacekeep|attack"
                r"|bomb|shell|fight|combat|violence|\bstrikes?\b|threat|\bkill|\bforces\b|navy|drone",
    "ukraine": r"(?i)ukrain|kiev|kyiv|donbas|donetsk|lugansk|luhansk|crimea|maidan|zelensk|kharki|kharkov|odes+a"
               r"|bucha|mariupol|kherson|zaporiz|zaporozh|minsk|normandy|poroshenko|yanukovych|kuleba|azov"
               r"|bakhmut|kramatorsk|sevastopol|special military operation|invasion|war in europe|russia.s war",
    "world_order": r"(?i)hegemon|unipolar|multipolar|bipolar|polycentr|\b(?:world|international|global|new|liberal"
                   r"|democratic) order|rules?-based|spheres? of influence|exceptional|dominan|dominat|colonial"
                   r"|imperial|cold war|geopolit|super-?power|great powers?|balance of power|vassal|diktat"
                   r"|double standard|monroe|global south|(?:global|world) majority|dividing lines?|zero-sum"
                   r"|architecture|cent(?:re|er)s of (?:power|influence)|world affairs|collective west|\bthe west\b"
                   r"|western (?:countries|world|nations|powers)|unilateralism",
    "economy": r"(?i)econom|trade|invest|financ|market|energy|\boil\b|\bgas\b|fuel|hydrocarbon|pipeline|food"
               r"|grain|fertili|dollar|currenc|(?-i:GDP)|inflation|recession|supply|debt|price|export|import"
               r"|business|industr|tariff|budget|growth|\bjobs?\b|wage|\btax|\bbank|money|income|poverty"
               r"|\bcosts?\b|spend|wheat|agricultur|manufactur|salar|pension|employ",
    "nuclear": r"(?i)nuclear|atomic|strategic|arms control|disarm|proliferat|(?-i:\b(?:START|INF|ABM|NPT|IAEA"
               r"|JCPOA|CTBT|WMD)\b)|ballistic|missile|warhead|uranium|mass destruction|denucleari|test.ban"
               r"|plutonium|enrich|fissile|radioactiv|power plant|hypersonic",
    "hostility": r"(?i)russophob|anti-russia|hostil|hysteri|witch|demoni|\benem(?:y|ies)\b|cancel|contain|isolat"
                 r"|propaganda|disinformation|information war|\bfake|provocat|blackmail|intimidat|confront"
                 r"|pressure|strategic defeat|adversar|smear|slander|\blies\b|unfriendly|bully|threaten"
                 r"|vilif|scapegoat|\bhat(?:e|red)\b",
    "international_law": r"(?i)\blaws?\b|legal|charter|united nations|(?-i:\bU\.?N\.?\b)|security council"
                         r"|general assembly|secretary-general|member state|resolution|multilateral|legitim"
                         r"|lawful|treaty|treaties|convention|protocol|court|tribunal|jurisdiction|crime|genocide"
                         r"|violat|human rights|justice|accountab|\bnorms?\b|obligation|prosecut",
    "bloc": r"(?i)\bblocs?\b|bloc-|military alliances?|military-political|\balliances\b|\bcamps?\b"
            r"|warsaw pact|\bpacts?\b|(?-i:CSTO|AUKUS)|non-align",
    "reciprocity": BROAD_QUERIES["reciprocal_action"][0],
}
#: Labels whose rules were changed after reading their recall sample get a fresh one (kind
#: ``recall-fresh``), drawn from the same query without the sentences already read.
FRESH = ("bloc",)
#: Sentences drawn per source for the recall of each label (larger for the two thin samples).
CURRENT_PER_SOURCE = {"bloc": 20, "reciprocity": 20}
#: Before the split, the entries of ``bloc`` were NATO's and those of ``mutuality`` reciprocity's.
BEFORE_LABEL = {"bloc": "nato", "mutuality": "reciprocity"}
SOURCES = ("un", "whbriefings", "kremlin")
PER_SOURCE = 10
SEED = 2026


def _documents(raw_dir: Path) -> list[tuple[str, str, str]]:
    """``(source, doc_id, text)`` for every document of the three sources."""
    from analysis.sources import html_to_text, read_document

    found = []
    for path in sorted((raw_dir / "ungdc").rglob("*.txt")):
        if re.fullmatch(r"[A-Z]{3}_\d+_\d{4}", path.stem):
            found.append(("un", path.stem, read_document(path).text))
    for path in sorted((raw_dir / "whbriefings").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
        found.append(("whbriefings", path.stem, text))
    for path in sorted((raw_dir / "kremlin").glob("*.html")):
        found.append(("kremlin", path.stem, html_to_text(path.read_text(encoding="utf-8"), path=path)))
    return found


def _sentences_and_matches(raw_dir: Path, lexicon: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis.lexicon import match_documents, text_paragraphs
    from analysis.nlp import annotate_paragraphs

    entries = None
    if lexicon:
        from analysis.lexicon import load_lexicon

        entries = load_lexicon(lexicon)
    sentences, matches = [], []
    for source, doc_id, text in _documents(raw_dir):
        s, t = annotate_paragraphs(text, text_paragraphs(text), doc_id=doc_id)
        m = match_documents({doc_id: text}, t, s, lexicons=entries, layers=["theme"])
        sentences.append(s.assign(source=source))
        matches.append(m[m["label"].isin(LABELS + OTHER_LABELS)].assign(source=source))
    return pd.concat(sentences, ignore_index=True), pd.concat(matches, ignore_index=True)


def _flat(text: str) -> str:
    return " ".join(str(text).split())


def write_matches(raw_dir: Path, out: Path, lexicon: str | None) -> None:
    sentences, matches = _sentences_and_matches(raw_dir, lexicon)
    joined = matches.merge(sentences[["doc_id", "sentence_id", "text"]].rename(columns={"text": "sentence"}),
                           on=["doc_id", "sentence_id"])
    joined["sentence"] = joined["sentence"].map(_flat)
    joined[["source", "doc_id", "sentence_id", "start", "end", "label", "text", "pattern", "sentence"]].to_csv(
        out, index=False)
    sentences.assign(text=sentences["text"].map(_flat))[["source", "doc_id", "sentence_id", "text"]].to_csv(
        out.with_suffix(".sentences.csv"), index=False)


def write_sample(before: Path, after: Path, out: Path) -> None:
    old, new = pd.read_csv(before), pd.read_csv(after)
    sentences = pd.read_csv(after.with_suffix(".sentences.csv"))
    rows = []
    for version, table in (("before", old), ("after", new)):
        for label in LABELS if version == "after" else sorted(set(LABELS) - set(BEFORE_LABEL)):
            for source in SOURCES:
                pool = table[(table["label"] == label) & (table["source"] == source)]
                pool = pool.sort_values(["doc_id", "start"], ignore_index=True)
                rng = np.random.default_rng([SEED, LABELS.index(label), SOURCES.index(source)])
                take = rng.choice(len(pool), size=min(PER_SOURCE, len(pool)), replace=False) if len(pool) else []
                for row in pool.iloc[sorted(take)].itertuples():
                    rows.append({"kind": "precision", "version": version, "label": label, "source": source,
                                 "doc_id": row.doc_id, "sentence_id": row.sentence_id, "match": row.text,
                                 "sentence": row.sentence})
    for theme, (query, labels) in BROAD_QUERIES.items():
        for source in SOURCES:
            pool = sentences[(sentences["source"] == source) & sentences["text"].str.contains(query, regex=True)]
            pool = pool.sort_values(["doc_id", "sentence_id"], ignore_index=True)
            rng = np.random.default_rng([SEED, 100 + list(BROAD_QUERIES).index(theme), SOURCES.index(source)])
            take = rng.choice(len(pool), size=min(PER_SOURCE, len(pool)), replace=False)
            for row in pool.iloc[sorted(take)].itertuples():
                for label in labels:
                    key = (row.doc_id, row.sentence_id)
                    found = {v: bool(((t["doc_id"] == key[0]) & (t["sentence_id"] == key[1]) & (t["label"] == name)).any())
                             for v, t, name in (("before", old, BEFORE_LABEL.get(label, label)), ("after", new, label))}
                    rows.append({"kind": "recall", "version": "", "label": label, "source": source,
                                 "doc_id": row.doc_id, "sentence_id": row.sentence_id, "match": "",
                                 "sentence": row.text, "found_before": found["before"], "found_after": found["after"]})
    pd.DataFrame(rows).to_csv(out, index=False)


def _draw(pool: pd.DataFrame, n: int, stream: list[int]) -> pd.DataFrame:
    """``n`` rows of ``pool`` (all if fewer), drawn with numpy's generator seeded by ``stream``."""
    rng = np.random.default_rng(stream)
    take = rng.choice(len(pool), size=min(n, len(pool)), replace=False) if len(pool) else []
    return pool.iloc[sorted(take)]


def write_current_sample(before: Path, after: Path, out: Path) -> None:
    """The sheet for the labels measured on the current lexicon, before and after a change of rules.

    Precision: matches of the other labels drawn from ``before`` (``found_after``: the match is kept
    after the change) and, for ``bloc``, whose entries the change adds, matches drawn from ``after``.
    Recall: sentences of the broad queries, with ``found_before``/``found_after``. Each row carries
    the sentence before it (``context``) to read it in context.
    """
    old = pd.read_csv(before, dtype={"doc_id": str})
    new = pd.read_csv(after, dtype={"doc_id": str})
    sentences = pd.read_csv(after.with_suffix(".sentences.csv"), dtype={"doc_id": str})
    previous = sentences.assign(sentence_id=sentences["sentence_id"] + 1).rename(columns={"text": "context"})
    rows = []
    draws = [(label, old, [SEED, 300 + i], "after") for i, label in enumerate(OTHER_LABELS)]
    draws.append(("bloc", new, [SEED, 500], "before"))
    for label, table, stream, other in draws:
        for j, source in enumerate(SOURCES):
            pool = table[(table["label"] == label) & (table["source"] == source)]
            pool = pool.sort_values(["doc_id", "start"], ignore_index=True)
            for row in _draw(pool, PER_SOURCE, stream + [j]).itertuples():
                rows.append({"kind": "precision", "label": label, "source": source, "doc_id": row.doc_id,
                             "sentence_id": row.sentence_id, "start": row.start, "match": row.text,
                             "sentence": row.sentence, "drawn_from": "after" if other == "before" else "before"})
    for i, (label, query) in enumerate(CURRENT_QUERIES.items()):
        for j, source in enumerate(SOURCES):
            pool = sentences[(sentences["source"] == source) & sentences["text"].str.contains(query, regex=True)]
            pool = pool.sort_values(["doc_id", "sentence_id"], ignore_index=True)
            for row in _draw(pool, CURRENT_PER_SOURCE.get(label, PER_SOURCE), [SEED, 400 + i, j]).itertuples():
                rows.append({"kind": "recall", "label": label, "source": source, "doc_id": row.doc_id,
                             "sentence_id": row.sentence_id, "match": "", "sentence": row.text})
    read = {(row["doc_id"], row["sentence_id"]) for row in rows if row["kind"] == "recall"}
    for label in FRESH:
        i = list(CURRENT_QUERIES).index(label)
        for j, source in enumerate(SOURCES):
            pool = sentences[(sentences["source"] == source)
                             & sentences["text"].str.contains(CURRENT_QUERIES[label], regex=True)]
            pool = pool[[key not in read for key in zip(pool["doc_id"], pool["sentence_id"])]]
            pool = pool.sort_values(["doc_id", "sentence_id"], ignore_index=True)
            for row in _draw(pool, PER_SOURCE, [SEED, 600 + i, j]).itertuples():
                rows.append({"kind": "recall-fresh", "label": label, "source": source, "doc_id": row.doc_id,
                             "sentence_id": row.sentence_id, "match": "", "sentence": row.text})
    sheet = pd.DataFrame(rows).assign(version="current")
    for version, table in (("before", old), ("after", new)):
        in_sentence = set(zip(table["doc_id"], table["sentence_id"], table["label"]))
        at_start = set(zip(table["doc_id"], table["start"], table["label"]))
        found = []
        for row in sheet.itertuples():
            if row.kind.startswith("recall"):
                found.append((row.doc_id, row.sentence_id, row.label) in in_sentence)
            elif row.drawn_from == version:
                found.append(True)
            else:
                found.append((row.doc_id, row.start, row.label) in at_start)
        sheet[f"found_{version}"] = found
    sheet = sheet.merge(previous[["doc_id", "sentence_id", "context"]], on=["doc_id", "sentence_id"], how="left")
    sheet.to_csv(out, index=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("matches")
    m.add_argument("raw_dir", type=Path)
    m.add_argument("out", type=Path)
    m.add_argument("--lexicon")
    s = sub.add_parser("sample")
    s.add_argument("before", type=Path)
    s.add_argument("after", type=Path)
    s.add_argument("out", type=Path)
    c = sub.add_parser("sample-current")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    if args.command == "matches":
        write_matches(args.raw_dir, args.out, args.lexicon)
    elif args.command == "sample-current":
        write_current_sample(args.before, args.after, args.out)
    else:
        write_sample(args.before, args.after, args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
