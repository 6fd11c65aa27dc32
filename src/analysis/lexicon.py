"""Lexicons and matching: load dictionaries, then find their entries, quotes and evaluative words in a text."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .config import LEXICON_DIR
from .errors import InputError
from .nlp import annotate_paragraphs, get_pipeline
from .nlp import lookup_lemma as _lookup_lemma
from .nlp import normalise as _normalise
from .nlp import word_forms as _word_forms

MATCH_COLUMNS = ["doc_id", "turn_id", "sentence_id", "start", "end", "layer", "label", "text", "pattern"]
_MATCH_ORDER = ["doc_id", "start", "layer", "label", "end"]
LAYERS = ("theme", "actor", "pronoun", "modality", "hedge", "booster", "negation", "quote", "evaluation")
ENTRY_COLUMNS = [
    "layer", "label", "pattern", "match", "unless_prev", "unless_next", "context", "unless_context", "window", "camp",
    "note", "source",
]
MATCH_MODES = ("lemma", "form", "exact", "regex")
PACKAGED_FILES = ("themes.csv", "actors.csv", "pronouns.csv", "stance.csv", "evaluation.csv")
BLOCK_LABEL = "-"
"""An entry with this label claims its span (so shorter entries inside it do not match) but is not reported."""
MIN_VADER_VALENCE = 1.0
"""Evaluative words are VADER lexicon entries whose mean valence is at least this far from 0 (scale -4..+4)."""
MAX_SCARE_QUOTE_WORDS = 5
"""A quoted span of at most this many words, inside one sentence with words outside it, is a scare-quote candidate."""
JOINED_LAYERS = ("theme",)
"""Layers in which matches of one label that touch (no token between them, one sentence) are one mention."""

_GLOB_CHARS = re.compile(r"[*?]")
_QUOTE_PATTERNS = (
    ("“…”", re.compile(r"“([^“”]*)”")),
    ("‘…’", re.compile(r"(?<!\w)‘((?:[^‘’]|’(?=\w))+?)’(?!\w)")),
    ('"…"', re.compile(r'"([^"\n]*)"')),
)
_CSV_SOURCE = re.compile(r"\.csv:\d+$")
_OPENING_MARK = re.compile(r'[“‘"]')
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


# ---------------------------------------------------------------------------------------------
# Loading lexicon files
# ---------------------------------------------------------------------------------------------

def load_lexicon(path: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """Read one lexicon file into an entries table (one row per entry, columns ``ENTRY_COLUMNS``).

    The format follows the suffix:

    - ``.csv``: this package's format, columns ``layer, label, pattern`` and optionally
      ``match`` (``lemma`` | ``form`` | ``exact`` | ``regex``), ``unless_prev``, ``unless_next``,
      ``context``, ``unless_context``, ``window``, ``camp``, ``note`` (see ``lexicons/README.md``);
    - ``.dic``: LIWC style, a ``%``-delimited block of numbered categories, then one word per
      line followed by its category numbers; a trailing ``*`` is a wildcard;
    - ``.yml``/``.yaml``: quanteda's dictionary layout, keys (nested keys joined with ``.``)
      holding a list of words or phrases, with ``*`` and ``?`` wildcards.

    Words from ``.dic`` and YAML files match by word form, case-insensitively. ``layer`` names
    the layer their categories go into (default ``"theme"``). A malformed file raises
    :class:`~analysis.errors.InputError` naming the file and line.

    >>> entries = load_lexicon(LEXICON_DIR / "themes.csv")
    >>> entries.query("pattern == 'sanctions pressure'")[["layer", "label", "match"]].values.tolist()
    [['theme', 'sanctions', 'lemma']]
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".dic", ".yml", ".yaml"):
        raise InputError(path, f"unknown lexicon format {suffix!r}; expected .csv, .dic, .yml or .yaml")
    text = _read_text(path)
    if suffix == ".csv":
        entries = _parse_csv(path, text, layer=layer)
    elif suffix == ".dic":
        entries = _parse_dic(path, text, layer=layer or "theme")
    else:
        entries = _parse_yaml(path, text, layer=layer or "theme")
    return entries


def load_lexicons(paths: Iterable[str | Path], *, layer: str | None = None) -> pd.DataFrame:
    """Read several lexicon files into one entries table, in the order given."""
    frames = [load_lexicon(path, layer=layer) for path in paths]
    return _entry_frame([row for frame in frames for row in frame.to_dict("records")])


@lru_cache(maxsize=1)
def _packaged_entries() -> pd.DataFrame:
    frames = [load_lexicon(LEXICON_DIR / name) for name in PACKAGED_FILES]
    frames.append(vader_entries())
    return pd.concat(frames, ignore_index=True)


def packaged_lexicons(*, layers: Sequence[str] | None = None) -> pd.DataFrame:
    """The package's own lexicons (themes, actors, pronouns, stance, evaluation) as one entries table.

    The evaluation layer is VADER's lexicon (Hutto & Gilbert 2014), words with
    ``|valence| >= MIN_VADER_VALENCE``, plus the blocking entries of ``evaluation.csv``.
    """
    entries = _packaged_entries()
    if layers is not None:
        entries = entries[entries["layer"].isin(list(layers))]
    return entries.reset_index(drop=True).copy()


def vader_entries(*, min_valence: float = MIN_VADER_VALENCE) -> pd.DataFrame:
    """VADER's word list as evaluation entries labelled ``positive`` or ``negative``.

    Only single alphabetic words are kept (emoticons and contractions are dropped);
    ``note`` holds the mean valence. Source: Hutto, C. J. & Gilbert, E. (2014), VADER,
    ICWSM; the lexicon ships with the ``vaderSentiment`` package (MIT licence).
    """
    rows = []
    for line_no, line in enumerate(_vader_lexicon_text().splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) < 2 or not re.fullmatch(r"[a-z]+", parts[0]):
            continue
        valence = float(parts[1])
        if abs(valence) < min_valence:
            continue
        rows.append({
            "layer": "evaluation", "label": "positive" if valence > 0 else "negative", "pattern": parts[0],
            "match": "form", "note": f"VADER valence {valence:+.1f}", "source": f"vader_lexicon.txt:{line_no}",
        })
    return _entry_frame(rows)


def actor_camps(lexicons: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per actor label with its camp (``russia``, ``west``, ``ukraine``, ``international``, ``other``...)."""
    entries = packaged_lexicons(layers=["actor"]) if lexicons is None else lexicons
    actors = entries[(entries["layer"] == "actor") & (entries["label"] != BLOCK_LABEL)]
    camps = actors.groupby("label", sort=True)["camp"].agg(lambda s: next((c for c in s if c), ""))
    return camps.rename_axis("actor").reset_index()


@dataclass(frozen=True)
class LayerCard:
    """What a layer's card (``lexicons/<name>.md``) says the layer measures, as plain text."""

    layer: str
    file: str
    summary: str


_CARD_LAYERS = re.compile(r"\blayers?\s+((?:`[^`]+`(?:\s*,\s*|\s+and\s+)?)+)")
_CARD_SUMMARY_CHARS = 400


@lru_cache(maxsize=1)
def layer_cards() -> dict[str, LayerCard]:
    """Each packaged layer's card: its file and the card's "What it measures" for that layer.

    A card's title names its layers (``# Card: stance (`stance.csv`, layers `modality`, `hedge`)``);
    where the section lists the layers as bullets, a layer gets the bullet that names it.

    >>> layer_cards()["theme"].file
    'themes.md'
    """
    cards = {}
    for path in sorted(LEXICON_DIR.glob("*.md")):
        lines = _read_text(path).splitlines()
        named = _CARD_LAYERS.search(lines[0]) if lines and lines[0].startswith("# ") else None
        if not named:
            continue
        section = _card_section(lines, "What it measures")
        bullets = re.split(r"\n(?=- )", section)
        for layer in re.findall(r"`([^`]+)`", named.group(1)):
            own = next((b for b in bullets if b.startswith("- ") and f"`{layer}`:" in b), section)
            cards[layer] = LayerCard(layer, path.name, _plain_summary(own))
    return cards


def _card_section(lines: list[str], heading: str) -> str:
    """The text under ``## heading`` of a card, up to the next heading."""
    body, inside = [], False
    for line in lines:
        if line.startswith("#"):
            inside = line.lstrip("#").strip().lower() == heading.lower()
        elif inside:
            body.append(line)
    return "\n".join(body).strip()


def _plain_summary(markdown: str) -> str:
    """Markdown as one line of plain text, cut at a word boundary after about 400 characters."""
    text = re.sub(r"\n\s*- ", " · ", re.sub(r"^- ", "", markdown.strip()))
    text = " ".join(re.sub(r"[`*]", "", text).split())
    if len(text) > _CARD_SUMMARY_CHARS:
        text = text[:_CARD_SUMMARY_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return text


def lexicon_version() -> str:
    """A short hash of the packaged lexicon files, VADER's lexicon and the matching settings.

    The corpus builder compares it with the one stored beside the ``matches`` table to
    tell when matches are stale.
    """
    digest = hashlib.sha256()
    for name in PACKAGED_FILES:
        digest.update(name.encode())
        digest.update((LEXICON_DIR / name).read_bytes())
    digest.update(_vader_lexicon_text().encode())
    digest.update(f"{MIN_VADER_VALENCE}|{MAX_SCARE_QUOTE_WORDS}|{BLOCK_LABEL}|{JOINED_LAYERS}".encode())
    return digest.hexdigest()[:12]


def __getattr__(name: str):
    if name == "LEXICON_VERSION":
        return lexicon_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _vader_lexicon_text() -> str:
    return resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror})") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(path, "the file is not UTF-8 text", line=line) from error


def _parse_csv(path: Path, text: str, *, layer: str | None) -> pd.DataFrame:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "the file is empty") from None
    header = [name.strip() for name in header]
    unknown = [name for name in header if name not in ENTRY_COLUMNS]
    if unknown:
        raise InputError(path, f"unknown column(s) {', '.join(unknown)}; allowed: {', '.join(ENTRY_COLUMNS)}", line=1)
    required = ["label", "pattern"] + ([] if layer else ["layer"])
    missing = [name for name in required if name not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}", line=1)
    rows = []
    line = reader.line_num + 1
    for record in reader:
        if not any(field.strip() for field in record):
            line = reader.line_num + 1
            continue
        if len(record) != len(header):
            raise InputError(path, f"{len(record)} fields where the header has {len(header)}", line=line)
        row = {name: value.strip() for name, value in zip(header, record)}
        if layer:
            row["layer"] = layer
        row["source"] = f"{path.name}:{line}"
        rows.append(_checked_entry(row, path, line))
        line = reader.line_num + 1
    return _entry_frame(rows)


def _parse_dic(path: Path, text: str, *, layer: str) -> pd.DataFrame:
    lines = text.splitlines()
    numbered = [(no, line.strip()) for no, line in enumerate(lines, start=1) if line.strip()]
    if not numbered or numbered[0][1] != "%":
        where = numbered[0][0] if numbered else 1
        raise InputError(path, "a LIWC dictionary starts with a line holding only '%'", line=where)
    categories: dict[str, str] = {}
    rows = []
    in_header = True
    for no, line in numbered[1:]:
        if in_header:
            if line == "%":
                in_header = False
                continue
            parts = line.split()
            if len(parts) < 2 or not parts[0].isdigit():
                raise InputError(path, f"expected '<number> <category>' in the category block, found {line!r}", line=no)
            if parts[0] in categories:
                raise InputError(path, f"category {parts[0]} is declared twice", line=no)
            categories[parts[0]] = " ".join(parts[1:])
            continue
        if "\t" in line:
            fields = [field.strip() for field in line.split("\t") if field.strip()]
            word, ids = fields[0], " ".join(fields[1:]).split()
        else:
            parts = line.split()
            cut = len(parts)
            while cut > 0 and parts[cut - 1].isdigit():
                cut -= 1
            word, ids = " ".join(parts[:cut]), parts[cut:]
        if not word:
            raise InputError(path, f"no word before the category numbers in {line!r}", line=no)
        if not ids:
            raise InputError(path, f"the entry {word!r} has no category number", line=no)
        for cat in ids:
            if not cat.isdigit():
                raise InputError(path, f"category {cat!r} is not a number", line=no)
            if cat not in categories:
                raise InputError(path, f"category {cat} is not declared", line=no)
            row = {"layer": layer, "label": categories[cat], "pattern": word, "match": "form",
                   "source": f"{path.name}:{no}"}
            rows.append(_checked_entry(row, path, no))
    if in_header:
        raise InputError(path, "the category block is not closed by a second '%' line", line=len(lines))
    return _entry_frame(rows)


def _parse_yaml(path: Path, text: str, *, layer: str) -> pd.DataFrame:
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(path, f"not valid YAML: {problem}", line=line) from error
    if root is None:
        raise InputError(path, "the file is empty")
    if not isinstance(root, yaml.MappingNode):
        raise InputError(path, "a dictionary file maps keys to lists of words", line=root.start_mark.line + 1)
    rows: list[dict] = []

    def add(label: str, node) -> None:
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            value = node.value.strip()
            if not value:
                raise InputError(path, f"key {label!r} has an empty entry", line=line)
            row = {"layer": layer, "label": label, "pattern": value, "match": "form", "source": f"{path.name}:{line}"}
            rows.append(_checked_entry(row, path, line))
        elif isinstance(node, yaml.SequenceNode):
            if not node.value:
                raise InputError(path, f"key {label!r} has no entries", line=line)
            for item in node.value:
                if not isinstance(item, yaml.ScalarNode):
                    raise InputError(path, f"entries under {label!r} must be words or phrases, not lists or keys",
                                     line=item.start_mark.line + 1)
                add(label, item)
        elif isinstance(node, yaml.MappingNode):
            walk(node, prefix=f"{label}.")

    def walk(node, *, prefix: str) -> None:
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
                raise InputError(path, "every key must be a non-empty name", line=key.start_mark.line + 1)
            label = prefix + key.value.strip()
            if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null"):
                raise InputError(path, f"key {label!r} has no entries", line=key.start_mark.line + 1)
            add(label, value)

    walk(root, prefix="")
    return _entry_frame(rows)


def _checked_entry(row: dict, path: Path, line: int) -> dict:
    """Validate one entry; raise InputError naming the file and line if it cannot be used."""
    for name in ("layer", "label", "pattern"):
        if not str(row.get(name) or "").strip():
            raise InputError(path, f"the entry has no {name}", line=line)
    mode = (row.get("match") or "lemma").strip()
    if mode not in MATCH_MODES:
        raise InputError(path, f"match must be one of {', '.join(MATCH_MODES)}, not {mode!r}", line=line)
    row["match"] = mode
    window = str(row.get("window") or "0").strip()
    if not window.isdigit():
        raise InputError(path, f"window must be a whole number of sentences, not {window!r}", line=line)
    row["window"] = int(window)
    for name in ("context", "unless_context"):
        if row.get(name):
            try:
                re.compile(row[name])
            except re.error as error:
                raise InputError(path, f"{name} is not a valid regular expression: {error}", line=line) from error
    if mode == "regex":
        for part in row["pattern"].split():
            try:
                re.compile(part)
            except re.error as error:
                raise InputError(path, f"pattern part {part!r} is not a valid regular expression: {error}",
                                 line=line) from error
    for name in ("unless_prev", "unless_next"):
        alternatives = [alt.strip() for alt in str(row.get(name) or "").split("|")]
        if row.get(name) and not all(alternatives):
            raise InputError(path, f"{name} has an empty alternative", line=line)
    return row


def _entry_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ENTRY_COLUMNS)
    for name in ENTRY_COLUMNS:
        if name == "window":
            frame[name] = frame[name].fillna(0).astype("int64")
        else:
            column = frame[name].astype(object)
            frame[name] = column.where(column.notna(), "").astype(str)
    frame.loc[frame["match"] == "", "match"] = "lemma"
    return frame


# ---------------------------------------------------------------------------------------------
# Compiling entries into token steps
# ---------------------------------------------------------------------------------------------

#: Distinct word forms whose matching steps a compiled lexicon remembers per token field.
WORD_CACHE_SIZE = 500_000


@dataclass(frozen=True)
class CompiledLexicon:
    """Entries turned into token-by-token steps, ready for :func:`match_tokens`.

    ``entries`` keeps one row per entry (its position is the entry id); ``steps`` has one row
    per pattern token of every sequence (entries first, then the ``unless_*`` sequences);
    ``rules`` links entries to the sequences that exclude them (``side`` = prev | next).
    ``literals`` maps each token field (``key``, ``lower``, ``text``) to ``{value: steps}``;
    ``regexes`` to its ``(regex, step)`` pairs. The steps a word form satisfies are worked
    out once per form and remembered (``word_steps``), so regexes never run twice on a word.
    """

    entries: pd.DataFrame
    steps: pd.DataFrame
    seq_length: np.ndarray
    seq_offset: np.ndarray
    rules: pd.DataFrame
    literals: dict
    regexes: dict
    word_steps: dict = dataclasses.field(default_factory=lambda: {"key": {}, "lower": {}, "text": {}}, compare=False, repr=False)
    arrays: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def array(self, table: str, column: str) -> np.ndarray:
        """A column of ``entries``, ``steps`` or ``rules`` as a NumPy array (text as objects), made once."""
        key = (table, column)
        if key not in self.arrays:
            values = getattr(self, table)[column]
            numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
            self.arrays[key] = values.to_numpy() if numeric else values.to_numpy(dtype=object)
        return self.arrays[key]

    def steps_of(self, field_name: str, words) -> list[tuple[int, ...]]:
        """For each word form, the steps (ids) it satisfies in ``field_name`` (sorted)."""
        cache = self.word_steps[field_name]
        missing = {word for word in words if word not in cache}
        if missing:
            if len(cache) + len(missing) > WORD_CACHE_SIZE:
                cache.clear()
            literal, regexes = self.literals[field_name], self.regexes[field_name]
            for word in missing:
                found = list(literal.get(word, ()))
                found += [step for regex, step in regexes if regex.fullmatch(word) is not None]
                cache[word] = tuple(sorted(found))
        return [cache[word] for word in words]

    @property
    def layers(self) -> list[str]:
        return sorted(set(self.entries["layer"]))


def compile_lexicon(entries: pd.DataFrame) -> CompiledLexicon:
    """Turn an entries table into a :class:`CompiledLexicon` (compile once, match many documents)."""
    if list(entries.columns) != ENTRY_COLUMNS:
        entries = _entry_frame(entries.to_dict("records"))
    entries = entries.reset_index(drop=True)
    sequences: list[list[tuple[str, str, bool]]] = []
    for pattern, mode, source in zip(entries["pattern"], entries["match"], entries["source"]):
        if mode not in MATCH_MODES:
            raise InputError(source or None, f"match must be one of {', '.join(MATCH_MODES)}, not {mode!r}")
        steps = _pattern_steps(pattern, mode)
        if not steps:
            raise InputError(source or None, f"the pattern {pattern!r} has no tokens")
        sequences.append(steps)
    rule_rows = []
    seen: dict[str, int] = {}
    for entry_id, (prev, nxt) in enumerate(zip(entries["unless_prev"], entries["unless_next"])):
        for side, spec in (("prev", prev), ("next", nxt)):
            if not spec:
                continue
            for alternative in spec.split("|"):
                alternative = alternative.strip()
                if alternative not in seen:
                    seen[alternative] = len(sequences)
                    sequences.append(_pattern_steps(alternative, "form"))
                rule_rows.append((entry_id, seen[alternative], side))
    lengths = np.array([len(seq) for seq in sequences], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    step_rows = [
        (int(offsets[seq_id]) + pos, seq_id, pos, field, value, is_regex)
        for seq_id, seq in enumerate(sequences)
        for pos, (field, value, is_regex) in enumerate(seq)
    ]
    steps = pd.DataFrame(step_rows, columns=["step", "seq", "pos", "field", "value", "is_regex"])
    rules = pd.DataFrame(rule_rows, columns=["entry", "seq", "side"])
    literals, regexes = {}, {}
    for name in ("key", "lower", "text"):
        expected: dict[str, list[int]] = {}
        for step, _, _, step_field, value, is_regex in step_rows:
            if step_field == name and not is_regex:
                expected.setdefault(value, []).append(step)
        literals[name] = {value: tuple(ids) for value, ids in expected.items()}
        regexes[name] = [(re.compile(row[4]), row[0]) for row in step_rows if row[3] == name and row[5]]
    compiled_entries = entries.assign(
        n_tokens=lengths[: len(entries)],
        is_block=entries["label"] == BLOCK_LABEL,
        layer_code=pd.factorize(entries["layer"], sort=True)[0],
    )
    return CompiledLexicon(compiled_entries, steps, lengths, offsets, rules, literals, regexes)


@lru_cache(maxsize=16)
def _compiled_packaged(layers: tuple[str, ...] | None) -> CompiledLexicon:
    return compile_lexicon(packaged_lexicons(layers=layers))


def compiled_lexicon(lexicons=None, *, layers: Sequence[str] | None = None) -> CompiledLexicon:
    """The lexicons ready for matching: None (the packaged ones, compiled once and cached), an
    entries table, a :class:`CompiledLexicon`, a path or a list of paths; ``layers`` keeps only
    those layers (a :class:`CompiledLexicon` is returned as it is)."""
    if lexicons is None:
        return _compiled_packaged(tuple(sorted(layers)) if layers is not None else None)
    if isinstance(lexicons, CompiledLexicon):
        return lexicons
    if isinstance(lexicons, (str, Path)):
        lexicons = load_lexicon(lexicons)
    elif not isinstance(lexicons, pd.DataFrame):
        lexicons = load_lexicons(lexicons)
    if layers is not None:
        lexicons = lexicons[lexicons["layer"].isin(list(layers))]
    return compile_lexicon(_entry_frame(lexicons.to_dict("records")))


def _glob_regex(glob: str) -> str:
    """A glob (``*`` any characters, ``?`` one) as a regular expression for a whole token."""
    return "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in glob)


@lru_cache(maxsize=100_000)
def _tokenize_piece(piece: str) -> tuple[str, ...]:
    """Split one whitespace-free piece of a pattern as the tokenizer splits text ("cannot" -> can, not)."""
    return tuple(tok.text for tok in get_pipeline().tokenizer(piece) if not tok.is_space)


def _pattern_steps(pattern: str, mode: str) -> list[tuple[str, str, bool]]:
    """Split a pattern into token steps ``(field, value, is_regex)`` as the tokenizer splits text."""
    steps: list[tuple[str, str, bool]] = []
    for piece in pattern.split():
        if mode == "regex":
            steps.append(("text", "(?i)" + piece, True))
            continue
        if _GLOB_CHARS.search(piece):
            field = "text" if mode == "exact" else "lower"
            value = _normalise(piece) if mode == "exact" else _normalise(piece).lower()
            steps.append((field, _glob_regex(value), True))
            continue
        for word in _tokenize_piece(piece):
            norm = _normalise(word)
            if mode == "exact":
                steps.append(("text", norm, False))
            elif mode == "lemma":
                steps.append(("key", _lookup_lemma(norm.lower()), False))
            else:
                steps.append(("lower", norm.lower(), False))
    return steps


# ---------------------------------------------------------------------------------------------
# Matching token sequences
# ---------------------------------------------------------------------------------------------

@dataclass
class _TokenView:
    """Columns of a tokens table as arrays, ordered by document and token, plus the word forms
    the matcher compares.

    Text columns are kept factorised: ``doc`` and ``word`` are codes into ``doc_names`` and
    ``words``. ``forms`` holds, for each token field, ``(positions, inverse, vocabulary,
    covered)`` tuples: the field's value at ``positions`` (None: every token) is
    ``vocabulary[inverse]``, and ``covered`` (or None) gives, for each vocabulary entry, a
    form whose steps those tokens satisfy already (so that no step is found twice). Steps
    are looked up once per distinct form, never per token.
    """

    doc: np.ndarray
    doc_names: np.ndarray
    token_id: np.ndarray
    turn_id: np.ndarray
    sentence_id: np.ndarray
    group: np.ndarray
    start: np.ndarray
    end: np.ndarray
    word: np.ndarray
    words: np.ndarray
    forms: dict[str, list[tuple]]

    def __len__(self) -> int:
        return len(self.start)


def _numbers(table, name: str, dtype) -> np.ndarray:
    """A numeric column of a pandas DataFrame or a pyarrow Table as a NumPy array."""
    column = table[name] if isinstance(table, pd.DataFrame) else table.column(name)
    return np.asarray(column.to_numpy(), dtype=dtype)


def _factorized(table, name: str, *, sort: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """A text column of a DataFrame or an Arrow table as ``(codes, distinct values)``.

    With ``sort`` the values are in sorted order (codes then sort as the strings do). An
    Arrow column is dictionary-encoded by Arrow, so only its distinct values become Python
    strings.
    """
    if isinstance(table, pd.DataFrame):
        codes, uniques = pd.factorize(table[name].to_numpy(dtype=object), sort=sort)
        return codes.astype(np.int64), np.asarray(uniques, dtype=object)
    encoded = table.column(name).combine_chunks().dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = _object_array(encoded.dictionary.to_pylist())
    if sort:
        order = np.argsort(uniques, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes, uniques = rank[codes], uniques[order]
    return codes, uniques


def _object_array(values: list) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _token_view(tokens) -> _TokenView:
    """The arrays the matcher works on, from a tokens table (DataFrame or Arrow) of any number of documents."""
    doc, doc_names = _factorized(tokens, "doc_id", sort=True)
    word, words = _factorized(tokens, "text")
    lemma, lemmas = _factorized(tokens, "lemma")
    columns = {"doc": doc, "word": word, "lemma": lemma, "plain": _equal(tokens, "lemma", "lower")}
    columns |= {name: _numbers(tokens, name, np.int64) for name in ("token_id", "turn_id", "sentence_id", "start", "end")}
    columns["is_punct"] = _numbers(tokens, "is_punct", bool)
    order = np.lexsort((columns["token_id"], doc))
    if np.any(order != np.arange(len(order))):
        columns = {name: values[order] for name, values in columns.items()}
    word, lemma = columns["word"], columns["lemma"]
    forms = np.array([_word_forms(text) for text in words], dtype=object).reshape(-1, 3)
    norm_u, lower_u, lookup_u = forms[:, 0], forms[:, 1], forms[:, 2]
    # Lookup lemmatisation is case-sensitive: "Sanctions" at a sentence start keeps its plural.
    # Where the lemma is just the lower-cased word ("plain"), the key is the word's lower-case
    # lookup lemma, else the lemma itself (normalised): codes below len(words) point into the
    # words' lookup lemmas, the others into the lemmas.
    lemma_norm_u = _object_array([_word_forms(str(value))[0] for value in lemmas])
    key = np.where(columns["plain"], word, len(words) + lemma)
    group = columns["doc"] * 10_000_000 + columns["sentence_id"]
    # A sentence's first word also matches with its first letter in lower case ("Sanctions" ~
    # "sanctions"); only the steps its plain form does not already satisfy are added there.
    in_words = np.flatnonzero(~columns["is_punct"])
    firsts = in_words[_run_starts(group[in_words])]
    first_codes, first_words = pd.factorize(word[firsts])
    alt_u = _object_array([norm_u[c][:1].lower() + norm_u[c][1:] for c in first_words])
    return _TokenView(
        doc=columns["doc"], doc_names=doc_names, token_id=columns["token_id"], turn_id=columns["turn_id"],
        sentence_id=columns["sentence_id"], group=group, start=columns["start"], end=columns["end"],
        word=word, words=words,
        forms={
            "key": [(None, key, np.concatenate([lookup_u, lemma_norm_u]), None)],
            "lower": [(None, word, lower_u, None)],
            "text": [(None, word, norm_u, None), (firsts, first_codes, alt_u, norm_u[first_words])],
        },
    )


def _equal(table, a: str, b: str) -> np.ndarray:
    """Where two text columns of a DataFrame or an Arrow table hold the same string."""
    if isinstance(table, pd.DataFrame):
        return (table[a].to_numpy(dtype=object) == table[b].to_numpy(dtype=object)).astype(bool)
    import pyarrow.compute as pc

    return pc.equal(table.column(a), table.column(b)).to_numpy(zero_copy_only=False).astype(bool)


def _expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ``arange(start, start + count)`` for each pair, without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return offsets + np.arange(total, dtype=np.int64)


def _step_hits(view: _TokenView, compiled: CompiledLexicon) -> np.ndarray:
    """Codes ``position * n_steps + step`` of every token that satisfies a step (each once, unordered)."""
    n_steps = len(compiled.steps)
    codes: list[np.ndarray] = []
    for name, forms in view.forms.items():
        if not compiled.literals[name] and not compiled.regexes[name]:
            continue
        for positions, inverse, vocabulary, covered in forms:
            per_word = compiled.steps_of(name, vocabulary)
            if covered is not None:  # steps another form of the same tokens satisfies already
                per_word = [tuple(sorted(set(steps) - set(other))) if steps else steps
                            for steps, other in zip(per_word, compiled.steps_of(name, covered))]
            counts = np.fromiter(map(len, per_word), dtype=np.int64, count=len(per_word))
            flat = np.fromiter(itertools.chain.from_iterable(per_word), dtype=np.int64, count=int(counts.sum()))
            token_counts = counts[inverse]
            hit = np.flatnonzero(token_counts)
            n_each = token_counts[hit]
            steps = flat[_expand_ranges((np.cumsum(counts) - counts)[inverse[hit]], n_each)]
            where = hit if positions is None else positions[hit]
            codes.append(np.repeat(where.astype(np.int64), n_each) * n_steps + steps)
    return np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)


def _in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_values)`` by binary search, for an array already sorted."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    slot = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[slot] == values


def _run_starts(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (the first of each run of equal values)."""
    return np.concatenate([np.ones(min(len(values), 1), dtype=bool), values[1:] != values[:-1]])


def _sequence_spans(view: _TokenView, compiled: CompiledLexicon) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every place where a sequence (entry or exclusion) matches: arrays ``seq, first, last``."""
    n = len(view)
    n_steps = len(compiled.steps)
    empty = (np.empty(0, np.int64),) * 3
    if n == 0 or n_steps == 0:
        return empty
    hits = _step_hits(view, compiled)
    hit_pos, hit_step = np.divmod(hits, n_steps)
    step_seq = compiled.array("steps", "seq")
    is_first = compiled.array("steps", "pos")[hit_step] == 0
    # Sequences start at first-step hits and grow one token at a time, while the next token
    # (in the same sentence) satisfies the next step; later-step hits are looked up by binary search.
    later = np.sort(hits[~is_first])
    cand_first, cand_seq = hit_pos[is_first], step_seq[hit_step[is_first]]
    lengths, offsets = compiled.seq_length, compiled.seq_offset
    single = lengths[cand_seq] == 1
    found_first, found_seq = [cand_first[single]], [cand_seq[single]]
    cand_first, cand_seq = cand_first[~single], cand_seq[~single]
    p = 1
    while len(cand_seq):
        target = cand_first + p
        inside = target < n
        safe_target = np.where(inside, target, 0)
        code = safe_target * n_steps + offsets[cand_seq] + p
        ok = inside & (view.group[safe_target] == view.group[cand_first]) & _in_sorted(code, later)
        cand_first, cand_seq = cand_first[ok], cand_seq[ok]
        complete = lengths[cand_seq] == p + 1
        found_first.append(cand_first[complete])
        found_seq.append(cand_seq[complete])
        cand_first, cand_seq = cand_first[~complete], cand_seq[~complete]
        p += 1
    first, seq = np.concatenate(found_first), np.concatenate(found_seq)
    return seq, first, first + lengths[seq] - 1


def _apply_rules(spans, view: _TokenView, compiled: CompiledLexicon) -> pd.DataFrame:
    """Drop entry spans preceded or followed by one of their ``unless_*`` sequences (same sentence)."""
    seq, first, last = spans
    n_entries = len(compiled.entries)
    is_entry = seq < n_entries
    entry, c_first, c_last = seq[is_entry], first[is_entry], last[is_entry]
    keep = np.ones(len(entry), dtype=bool)
    guard_seq, guard_first, guard_last = seq[~is_entry], first[~is_entry], last[~is_entry]
    if len(compiled.rules) and len(guard_seq) and len(entry):
        width = len(view) + 2
        order = np.argsort(guard_seq, kind="stable")
        sorted_seq = guard_seq[order]
        for side in ("prev", "next"):
            on_side = compiled.array("rules", "side") == side
            if not on_side.any():
                continue
            r_entry = compiled.array("rules", "entry")[on_side]
            r_seq = compiled.array("rules", "seq")[on_side]
            lo = np.searchsorted(sorted_seq, r_seq, side="left")
            counts = np.searchsorted(sorted_seq, r_seq, side="right") - lo
            guards = order[_expand_ranges(lo, counts)]
            rule_entry = np.repeat(r_entry, counts)
            if side == "prev":
                guard_at, anchor = guard_last[guards], guard_last[guards] + 1
                cand_anchor = c_first
            else:
                guard_at, anchor = guard_first[guards], guard_first[guards] - 1
                cand_anchor = c_last
            inside = (anchor >= 0) & (anchor < len(view))
            safe = np.where(inside, anchor, 0)
            valid = inside & (view.group[guard_at] == view.group[safe])
            excluded = np.sort(rule_entry[valid] * width + anchor[valid])
            keep &= ~_in_sorted(entry * width + cand_anchor, excluded)
    return pd.DataFrame({"entry": entry[keep], "first": c_first[keep], "last": c_last[keep]})


def _window_text(view: _TokenView, position: int, window: int) -> str:
    """Text of the sentence holding ``position`` and up to ``window`` sentences before it in the same turn."""
    doc, turn, sentence = view.doc[position], view.turn_id[position], view.sentence_id[position]
    lo = position
    while lo > 0 and view.doc[lo - 1] == doc and view.turn_id[lo - 1] == turn \
            and view.sentence_id[lo - 1] >= sentence - window:
        lo -= 1
    hi = position
    while hi + 1 < len(view) and view.doc[hi + 1] == doc and view.sentence_id[hi + 1] == sentence:
        hi += 1
    return _join_tokens(view, lo, hi)


def _join_tokens(view: _TokenView, first: int, last: int) -> str:
    """Token texts from ``first`` to ``last`` with a space wherever the source had whitespace."""
    parts = [view.words[view.word[first]]]
    for i in range(first + 1, last + 1):
        if view.start[i] > view.end[i - 1]:
            parts.append(" ")
        parts.append(view.words[view.word[i]])
    return "".join(parts)


def _apply_context(candidates: pd.DataFrame, view: _TokenView, compiled: CompiledLexicon) -> pd.DataFrame:
    """Keep an entry with a ``context`` only where its regex matches the sentence window's text, and
    drop one with an ``unless_context`` where that regex matches it (the same window)."""
    contexts = compiled.array("entries", "context")
    vetoes = compiled.array("entries", "unless_context")
    windows = compiled.array("entries", "window")
    entry = candidates["entry"].to_numpy()
    needs = (contexts[entry] != "") | (vetoes[entry] != "")
    if not needs.any():
        return candidates
    keep = np.ones(len(candidates), dtype=bool)
    first = candidates["first"].to_numpy()
    for row in np.flatnonzero(needs):
        e = entry[row]
        text = _window_text(view, int(first[row]), int(windows[e]))
        if contexts[e] and re.search(contexts[e], text) is None:
            keep[row] = False
        elif vetoes[e] and re.search(vetoes[e], text) is not None:
            keep[row] = False
    return candidates[keep].reset_index(drop=True)


def _alone(offset: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Which spans ``[offset + first, offset + last]`` overlap no other span in the list."""
    lo, hi = offset + first, offset + last
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    reach = np.maximum.accumulate(hi)
    overlaps_before = np.concatenate([[False], lo[1:] <= reach[:-1]])
    overlaps_after = np.concatenate([lo[1:] <= hi[:-1], [False]])
    alone = np.empty(len(order), dtype=bool)
    alone[order] = ~(overlaps_before | overlaps_after)
    return alone


def _resolve_overlaps(candidates: pd.DataFrame, view: _TokenView, compiled: CompiledLexicon) -> pd.DataFrame:
    """Within each layer the longest match wins, and no span is counted twice for a label.

    Candidates are ranked by token count, then character length, then blocking entries
    before labelled ones, then position and entry order, and accepted greedily when none of
    their tokens is taken yet. Entries of other labels on exactly the accepted span are kept
    too (a dictionary word in two categories counts in both); a blocking entry's span keeps
    nothing, and blocking entries are dropped after they have claimed their span.
    """
    if candidates.empty:
        return candidates
    entry = candidates["entry"].to_numpy()
    first = candidates["first"].to_numpy()
    last = candidates["last"].to_numpy()
    layer_code = compiled.array("entries", "layer_code")[entry]
    is_block = compiled.array("entries", "is_block")[entry]
    n_tokens = last - first + 1
    n_chars = view.end[last] - view.start[first]
    labels = compiled.array("entries", "label")[entry]
    # Where no other span of the layer shares a token, the outcome is known at once: a blocking
    # entry on the span keeps nothing, else each label's first entry is accepted. Only the
    # remaining candidates are ranked and accepted one by one.
    width = np.int64(len(view) + 1)
    span_key = (layer_code.astype(np.int64) * width + first) * width + last
    _, span_first, span_of = np.unique(span_key, return_index=True, return_inverse=True)
    alone = _alone(layer_code[span_first] * width, first[span_first], last[span_first])[span_of]
    blocked = np.bincount(span_of, weights=is_block, minlength=len(span_first))[span_of] > 0
    label_key = span_of * np.int64(len(labels) + 1) + pd.factorize(labels)[0]
    by_entry = np.lexsort((entry, label_key))
    first_of_label = np.zeros(len(entry), dtype=bool)
    first_of_label[by_entry[_run_starts(label_key[by_entry])]] = True
    accept = alone & ~blocked & first_of_label
    order = np.lexsort((entry, first, ~is_block, -n_chars, -n_tokens, layer_code))
    order = order[~alone[order]]
    taken: dict[int, np.ndarray] = {}
    owners: dict[tuple[int, int, int], set | None] = {}
    for i in order:
        span = (int(layer_code[i]), int(first[i]), int(last[i]))
        if span in owners:
            # The same span again: another category of the same word counts too (as in LIWC),
            # unless a blocking entry owns the span or the label is already counted there.
            owned = owners[span]
            if owned is not None and not is_block[i] and labels[i] not in owned:
                owned.add(labels[i])
                accept[i] = True
            continue
        occupied = taken.setdefault(span[0], np.zeros(len(view), dtype=bool))
        if not occupied[first[i]:last[i] + 1].any():
            occupied[first[i]:last[i] + 1] = True
            accept[i] = True
            owners[span] = None if is_block[i] else {labels[i]}
    accept &= ~is_block
    return candidates[accept].reset_index(drop=True)


def _join_touching(entry: np.ndarray, first: np.ndarray, last: np.ndarray, patterns: np.ndarray,
                   view: _TokenView, compiled: CompiledLexicon) -> tuple[np.ndarray, ...]:
    """Join matches of one label in a :data:`JOINED_LAYERS` layer that touch into one mention.

    Only entries of this package's CSV format are joined; words of LIWC and YAML dictionaries
    count one by one, as LIWC counts them.

    "oncoming traffic" + "on both sides" in "requires oncoming traffic on both sides" is one
    mention: the joined match spans both, keeps the first entry and names its entries in
    ``pattern`` joined by " + ". Matches touch when the second starts at the token after the
    first ends, in the same sentence.
    """
    if not len(entry):
        return entry, first, last, patterns
    layers = compiled.array("entries", "layer")[entry]
    labels = compiled.array("entries", "label")[entry]
    from_csv = np.array([bool(_CSV_SOURCE.search(source)) for source in compiled.array("entries", "source")])
    joinable = np.isin(layers, list(JOINED_LAYERS)) & from_csv[entry]
    if not joinable.any():
        return entry, first, last, patterns
    key = pd.factorize(pd.Series(layers).str.cat(pd.Series(labels), sep="\x00"))[0]
    order = np.lexsort((first, key))
    k, f, end = key[order], first[order], last[order]
    touches = np.zeros(len(order), dtype=bool)
    touches[1:] = ((k[1:] == k[:-1]) & (f[1:] == end[:-1] + 1) & (view.group[f[1:]] == view.group[end[:-1]])
                   & joinable[order][1:])
    if not touches.any():
        return entry, first, last, patterns
    starts = np.flatnonzero(~touches)
    ends = np.concatenate([starts[1:], [len(order)]]) - 1
    joined_patterns = [" + ".join(patterns[order[a:b + 1]]) for a, b in zip(starts, ends)]
    return (entry[order[starts]], first[order[starts]], end[ends],
            _object_array(joined_patterns))


def match_tokens(
    tokens,
    lexicons=None,
    *,
    layers: Sequence[str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Lexicon matches in a tokens table (one or many documents), without quotes.

    Returns the ``matches`` columns plus ``first_token`` and ``last_token`` (token ids),
    sorted by ``(doc_id, start, layer, label)``. ``tokens`` is a DataFrame or a pyarrow Table.
    ``texts`` (doc_id -> document text) gives the exact ``text`` of each span; without it the
    span's tokens are joined with a space wherever the source had whitespace. ``lexicons`` is
    None (the packaged lexicons), an entries table, a :class:`CompiledLexicon`, a path or a
    list of paths.
    """
    compiled = compiled_lexicon(lexicons, layers=layers)
    found = _lexicon_matches(tokens, compiled, texts)
    found = found.sort_values(_MATCH_ORDER, kind="stable", ignore_index=True)
    return _typed_matches(found, extra=["first_token", "last_token"])


def _lexicon_matches(tokens, compiled: CompiledLexicon, texts: Mapping[str, str] | None) -> pd.DataFrame:
    """The accepted lexicon matches of ``tokens``, unsorted, with their first and last token ids."""
    view = _token_view(tokens)
    spans = _sequence_spans(view, compiled)
    candidates = _apply_rules(spans, view, compiled)
    candidates = _apply_context(candidates, view, compiled)
    chosen = _resolve_overlaps(candidates, view, compiled)
    entry_ids = chosen["entry"].to_numpy()
    patterns = compiled.array("entries", "pattern")[entry_ids]
    entry_ids, first, last, patterns = _join_touching(
        entry_ids, chosen["first"].to_numpy(), chosen["last"].to_numpy(), patterns, view, compiled)
    starts, ends = view.start[first], view.end[last]
    docs = view.doc_names[view.doc[first]]
    if texts is not None:
        span_text = [texts[d][s:e] for d, s, e in zip(docs.tolist(), starts.tolist(), ends.tolist())]
    else:
        span_text = [_join_tokens(view, f, e) for f, e in zip(first, last)]
    return pd.DataFrame({
        "doc_id": pd.array(docs, dtype="str"),
        "turn_id": view.turn_id[first],
        "sentence_id": view.sentence_id[first],
        "start": starts,
        "end": ends,
        "layer": pd.array(compiled.array("entries", "layer")[entry_ids], dtype="str"),
        "label": pd.array(compiled.array("entries", "label")[entry_ids], dtype="str"),
        "text": pd.array(span_text, dtype="str"),
        "pattern": pd.array(patterns, dtype="str"),
        "first_token": view.token_id[first],
        "last_token": view.token_id[last],
    })


# ---------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------

_SENTENCE_COLUMNS = ("turn_id", "paragraph_id", "sentence_id", "start", "end")


def find_quotes(text: str, sentences: pd.DataFrame, *, doc_id: str) -> pd.DataFrame:
    """Every quoted span in typographic (“…”, ‘…’) or straight ("…") double quotes, as ``quote`` matches.

    Quotes are paired within a paragraph (the sentences sharing a ``paragraph_id``), so they
    may run over a sentence end; an opening mark without its closing mark is skipped. The
    span and ``text`` exclude the marks. ``label`` is ``scare_quote`` for a short phrase
    (at most ``MAX_SCARE_QUOTE_WORDS`` words) inside one sentence that has words outside the
    quote, else ``quotation``. Nested quotes are left to the outer one.

    >>> s = pd.DataFrame({"doc_id": ["d"], "turn_id": [0], "paragraph_id": [0], "sentence_id": [0],
    ...                   "start": [0], "end": [24], "text": ["It is “the lot” of some."]})
    >>> find_quotes("It is “the lot” of some.", s, doc_id="d")[["label", "text"]].values.tolist()
    [['scare_quote', 'the lot']]
    """
    if sentences.empty:
        return _typed_matches(pd.DataFrame(columns=MATCH_COLUMNS))
    columns = {name: _numbers(sentences, name, np.int64) for name in _SENTENCE_COLUMNS}
    order = np.argsort(columns["start"], kind="stable")
    rows = _quote_rows(text, doc_id, {name: values[order] for name, values in columns.items()})
    return _typed_matches(pd.DataFrame(rows, columns=MATCH_COLUMNS))


def _document_quotes(texts: Mapping[str, str], sentences) -> pd.DataFrame:
    """:func:`find_quotes` for every document of a sentences table (DataFrame or Arrow)."""
    doc_codes, doc_ids = _factorized(sentences, "doc_id", sort=True)
    columns = {name: _numbers(sentences, name, np.int64) for name in _SENTENCE_COLUMNS}
    order = np.lexsort((columns["start"], doc_codes))
    columns = {name: values[order] for name, values in columns.items()}
    bounds = np.searchsorted(doc_codes[order], np.arange(len(doc_ids) + 1))
    rows = []
    for code, doc_id in enumerate(doc_ids):
        run = slice(bounds[code], bounds[code + 1])
        rows += _quote_rows(texts[doc_id], doc_id, {name: values[run] for name, values in columns.items()})
    return pd.DataFrame(rows, columns=MATCH_COLUMNS)


def _quote_rows(text: str, doc_id: str, sentences: dict[str, np.ndarray]) -> list[tuple]:
    """The quote match rows of one document, ordered by ``(start, end)``; ``sentences`` are arrays ordered by start."""
    s_start, s_end = sentences["start"], sentences["end"]
    s_id, s_turn = sentences["sentence_id"], sentences["turn_id"]
    if not len(s_start):
        return []
    # Paragraphs are runs of sentences sharing turn and paragraph.
    firsts = np.flatnonzero(_run_starts(s_turn) | _run_starts(sentences["paragraph_id"]))
    p_starts, p_ends = s_start[firsts], np.maximum.reduceat(s_end, firsts)
    # Only paragraphs holding an opening mark can hold a quote.
    marks = np.fromiter((m.start() for m in _OPENING_MARK.finditer(text)), dtype=np.int64)
    holding = np.searchsorted(p_starts, marks, side="right") - 1
    holding = np.unique(holding[(holding >= 0) & (marks < p_ends[np.maximum(holding, 0)])])
    found = []
    for p_start, p_end in zip(p_starts[holding].tolist(), p_ends[holding].tolist()):
        chunk = text[p_start:p_end]
        for marks, regex in _QUOTE_PATTERNS:
            for m in regex.finditer(chunk):
                inner = m.group(1)
                if not inner.strip():
                    continue
                lead = len(inner) - len(inner.lstrip())
                trail = len(inner) - len(inner.rstrip())
                found.append((p_start + m.start(1) + lead, p_start + m.end(1) - trail, marks))
    rows = []
    taken: list[tuple[int, int]] = []
    for start, end, marks in sorted(found, key=lambda f: (-(f[1] - f[0]), f[0])):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        first = max(int(np.searchsorted(s_start, start, side="right") - 1), 0)
        last = int(np.searchsorted(s_start, end - 1, side="right") - 1)
        n_words = len(_WORD.findall(text[start:end]))
        sentence_words = len(_WORD.findall(text[s_start[first]:s_end[first]]))
        is_scare = first == last and n_words <= MAX_SCARE_QUOTE_WORDS and sentence_words > n_words
        rows.append((doc_id, int(s_turn[first]), int(s_id[first]), start, end, "quote",
                     "scare_quote" if is_scare else "quotation", text[start:end], marks))
    return sorted(rows, key=lambda row: (row[3], row[4]))


# ---------------------------------------------------------------------------------------------
# The public entry points
# ---------------------------------------------------------------------------------------------

def find_matches(
    text: str,
    tokens: pd.DataFrame,
    sentences: pd.DataFrame,
    *,
    doc_id: str,
    lexicons=None,
    layers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """All matches in one document: lexicon entries, quotes and evaluative words.

    ``tokens`` and ``sentences`` are the document's tables (data contract; rows of other
    documents are ignored); offsets point into ``text``. Returns the ``matches`` columns
    sorted by ``(start, layer, label)``. ``lexicons`` is None (the packaged lexicons,
    VADER's evaluative words and quotes), an entries table, a :class:`CompiledLexicon`, a
    path or a list of paths; ``layers`` keeps only those layers (``"quote"`` switches quote
    detection on or off).

    Phrases match as token sequences inside one sentence; single words by lemma unless the
    entry says ``form``, ``exact`` (case-sensitive) or ``regex``; within a layer the longest
    match wins, so no token is counted twice (only a dictionary word listed under two labels
    counts once for each).
    """
    tables = []
    for table in (tokens, sentences):
        if "doc_id" not in table:
            table = table.assign(doc_id=doc_id)
        elif len(table):
            table = table[table["doc_id"] == doc_id]
        tables.append(table)
    return match_documents({doc_id: text}, *tables, lexicons=lexicons, layers=layers)


def match_documents(
    texts: Mapping[str, str],
    tokens,
    sentences,
    *,
    lexicons=None,
    layers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`find_matches` for many documents in one pass (what the corpus build calls).

    ``texts`` maps each doc_id to its text; ``tokens`` and ``sentences`` (DataFrames or
    pyarrow Tables) hold the rows of those documents. Returns the ``matches`` columns sorted
    by ``(doc_id, start, layer, label)``: for each document, the rows :func:`find_matches`
    gives. Matching many documents at once costs far less per document than one at a time.
    """
    compiled = compiled_lexicon(lexicons, layers=layers)
    frames = []
    if len(compiled.entries) and len(tokens):
        frames.append(_lexicon_matches(tokens, compiled, texts)[MATCH_COLUMNS])
    if (layers is None or "quote" in layers) and len(sentences):
        frames.append(_document_quotes(texts, sentences))
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return _typed_matches(pd.DataFrame(columns=MATCH_COLUMNS))
    matches = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    matches = matches.sort_values(_MATCH_ORDER, kind="stable", ignore_index=True)
    return _typed_matches(matches)


def match_text(text: str, *, layers: Sequence[str] | None = None, lexicons=None, doc_id: str = "text") -> pd.DataFrame:
    """Matches in a plain string: one paragraph per blank-line-separated block, all in turn 0.

    >>> m = match_text("The United States imposed sanctions on us.", layers=["actor", "theme", "pronoun"])
    >>> m[["layer", "label", "text"]].values.tolist()
    [['actor', 'United States', 'United States'], ['theme', 'sanctions', 'sanctions'], ['pronoun', 'first_plural', 'us']]
    """
    paragraphs = text_paragraphs(text)
    sentences, tokens = annotate_paragraphs(text, paragraphs, doc_id=doc_id)
    return find_matches(text, tokens, sentences, doc_id=doc_id, lexicons=lexicons, layers=layers)


def text_paragraphs(text: str) -> pd.DataFrame:
    """Blank-line-separated blocks of ``text`` as a paragraphs table (``turn_id`` 0), stripped of edge whitespace."""
    rows = []
    for m in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        block = m.group()
        start = m.start() + len(block) - len(block.lstrip())
        end = m.end() - (len(block) - len(block.rstrip()))
        if end > start:
            rows.append((0, len(rows), start, end))
    return pd.DataFrame(rows, columns=["turn_id", "paragraph_id", "start", "end"]).astype("int64")


def _typed_matches(frame: pd.DataFrame, *, extra: Sequence[str] = ()) -> pd.DataFrame:
    """The ``matches`` columns (and ``extra`` ones) in order, offsets as ``int64``, text as ``str``."""
    types = dict.fromkeys(("turn_id", "sentence_id", "start", "end", *extra), "int64")
    types |= dict.fromkeys(("doc_id", "layer", "label", "text", "pattern"), "str")
    frame = frame[MATCH_COLUMNS + list(extra)]
    wrong = {column: kind for column, kind in types.items() if frame[column].dtype != kind}
    return frame.astype(wrong) if wrong else frame
