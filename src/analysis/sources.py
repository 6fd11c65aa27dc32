"""Read raw files: decoding, HTML to main text, checksums and the manifest."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import InputError, RawDataChangedError

#: File endings read as documents; anything else in a raw folder (notes, tables) is data about documents.
DOCUMENT_SUFFIXES = (".txt", ".html", ".htm", ".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: Notes that travel with data (READMEs, source notes, licences) are never read as documents.
_NOTE_NAME = re.compile(r"(?i)(^|[_.-])(readme|source|licen[cs]e|copying|changelog)([_.-]|$)")
#: Legacy single-byte encodings the reader recognises when a file is not UTF-8 or UTF-16.
LEGACY_ENCODINGS = ("cp1251", "cp1252")
MANIFEST_COLUMNS = [
    "doc_id", "path", "sha256", "kind", "title", "speaker", "country", "year", "date", "source", "licence",
]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Control characters (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) other than tab, LF, VT, FF and CR.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Document:
    """A decoded raw file. ``text`` is what every offset in the package points into."""

    doc_id: str
    path: Path
    text: str
    sha256: str
    encoding: str
    is_html: bool
    #: Metadata the file carries (front matter, page title, date, address), speaker labels its markup
    #: marks (``(start, end)``) and header spans it knows (``(kind, start, end)``); offsets into ``text``.
    metadata: dict = field(default_factory=dict)
    labels: tuple = ()
    header: tuple = ()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF; nothing else changes.

    >>> normalise_newlines("a\\r\\nb\\rc\\n")
    'a\\nb\\nc\\n'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode_bytes(data: bytes, *, path: str | Path | None = None) -> tuple[str, str]:
    """Decode a raw file's bytes; return ``(text, encoding)``.

    A byte-order mark decides the encoding (and is removed); otherwise UTF-16
    without a mark is recognised by its NUL bytes, then strict UTF-8 is tried,
    then the legacy single-byte encodings (cp1251 for Cyrillic, cp1252 for
    Western European text), chosen by which reading gives plausible words
    (``charset-normalizer`` breaking ties). Empty, binary, truncated or
    undecodable input raises :class:`InputError` naming ``path``.
    Line endings are normalised to ``\\n``.

    >>> decode_bytes("Санкции".encode("cp1251"))
    ('Санкции', 'cp1251')
    """
    if not data:
        raise InputError(path, "the file is empty (0 bytes)")
    encoding = _encoding_from_bom(data) or _utf16_without_bom(data)
    if encoding:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise InputError(path, f"is not valid {encoding.upper()} (byte {exc.start})") from None
    elif b"\x00" in data:
        raise InputError(path, f"looks binary, not text (NUL byte at offset {data.index(0)})")
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            if exc.reason == "unexpected end of data" and exc.end == len(data):
                raise InputError(path, "ends in the middle of a UTF-8 character (truncated file?)") from None
            text, encoding = _decode_legacy(data, path=path)
    text = normalise_newlines(text.lstrip("\ufeff") if encoding.startswith("utf") else text)
    _check_is_text(text, path=path)
    return text, encoding


def _encoding_from_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text in a Latin script has a NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    share_even = even.count(0) / len(even)
    share_odd = odd.count(0) / len(odd)
    if share_odd > 0.4 and share_even < 0.05:
        return "utf-16-le"
    if share_even > 0.4 and share_odd < 0.05:
        return "utf-16-be"
    return None


def _decode_legacy(data: bytes, *, path) -> tuple[str, str]:
    """Decode with the legacy encoding whose reading looks most like words.

    Nearly every byte sequence is some text in both cp1251 and cp1252, so the
    choice is by content: the reading with the fewest implausible words (see
    :func:`_implausible_words`), then the one with more letters (a wrong reading
    turns letters into symbols), then ``charset-normalizer``'s verdict. A
    reading where more than a third of the words are implausible is refused.
    """
    from charset_normalizer import from_bytes

    readings = {}
    for encoding in LEGACY_ENCODINGS:
        try:
            readings[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if readings:
        scores = {
            encoding: (_implausible_words(text), -sum(map(len, _WORD.findall(text))))
            for encoding, text in readings.items()
        }
        best_score = min(scores.values())
        candidates = [encoding for encoding in readings if scores[encoding] == best_score]
        if len(candidates) > 1:
            verdict = from_bytes(data, cp_isolation=candidates).best()
            name = codecs.lookup(verdict.encoding).name.replace("_", "") if verdict is not None else None
            candidates = [name] if name in candidates else candidates
        encoding = candidates[0]
        if 3 * best_score[0] <= len(_WORD.findall(readings[encoding])):
            return readings[encoding], encoding
    raise InputError(
        path,
        "is neither UTF-8, UTF-16 nor a recognised legacy encoding "
        f"({', '.join(LEGACY_ENCODINGS)}); convert it to UTF-8",
    )


_WORD = re.compile(r"[^\W\d_]+")


def _implausible_words(text: str) -> int:
    """Words that only a wrong single-byte decoding produces.

    A word mixing Cyrillic and other letters (``coopйration``: cp1252 read as
    cp1251), a lone Cyrillic letter outside the basic alphabet (``Ђ``, ``Ј``:
    the signs € and £ read as cp1251), or a Latin word of two or more letters
    without an ASCII letter (``Ðîññèÿ``: cp1251 read as cp1252).

    >>> _implausible_words("coopйration Ðîññèÿ Россия déjà Ђ її")
    3
    """
    count = 0
    for word in _WORD.findall(text):
        cyrillic = sum("\u0400" <= char <= "\u04ff" for char in word)
        if cyrillic:
            lone_rare_letter = len(word) == 1 and not "\u0410" <= word <= "\u044f"
            count += cyrillic < len(word) or lone_rare_letter
        elif len(word) >= 2 and not any(char.isascii() for char in word):
            count += 1
    return count


def _check_is_text(text: str, *, path) -> None:
    if not text.strip():
        raise InputError(path, "contains only whitespace")
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise InputError(path, f"looks binary, not text ({controls} control characters)")


def looks_like_html(data: bytes, path: str | Path | None = None) -> bool:
    """True for an ``.html``/``.htm`` file or text that opens with an HTML tag."""
    if path is not None and Path(path).suffix.lower() in HTML_SUFFIXES:
        return True
    head = data[:512].lstrip(codecs.BOM_UTF8).lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def html_to_text(html: str, *, path: str | Path | None = None) -> str:
    """The main text of a saved web page, one paragraph per blank-line-separated block.

    Extraction is trafilatura's (scripts, styles, navigation, share widgets
    and comments are left out); nothing is fetched from the network.
    """
    import trafilatura

    extracted = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_recall=True,
        deduplicate=False,
    )
    if not extracted or not extracted.strip():
        raise InputError(path, "no main text found in the HTML page")
    lines = [line.strip() for line in normalise_newlines(extracted).split("\n")]
    return "\n\n".join(line for line in lines if line) + "\n"


def doc_id_from_path(path: str | Path) -> str:
    """A stable identifier from a file name: its stem, with unsafe characters as ``-``.

    >>> doc_id_from_path("data/raw/ungdc/RUS_77_2022.txt")
    'RUS_77_2022'
    """
    stem = Path(path).stem
    doc_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.")
    return doc_id or "document"


def read_document(path: str | Path, *, doc_id: str | None = None) -> Document:
    """Read and decode one raw file (plain text or a saved HTML page).

    Raises :class:`InputError` naming the file for a missing path, a folder,
    or an empty, whitespace-only, binary or undecodable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    text, encoding = decode_bytes(data, path=path)
    is_html = looks_like_html(data, path)
    extracted = None
    if is_html:
        from .markup import article_to_text

        extracted = article_to_text(text)
        if extracted is None:
            text = html_to_text(text, path=path)
    elif path.suffix.lower() in MARKDOWN_SUFFIXES:
        from .markup import markdown_to_text

        extracted = markdown_to_text(text)
    if extracted is not None:
        if not extracted.text.strip():
            raise InputError(path, "has markup but no text")
        text = extracted.text
    return Document(
        doc_id=doc_id or doc_id_from_path(path),
        path=path,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        encoding=encoding,
        is_html=is_html,
        metadata=dict(extracted.metadata) if extracted else {},
        labels=tuple(extracted.labels) if extracted else (),
        header=tuple(extracted.header) if extracted else (),
    )


def read_metadata(path: str | Path) -> dict:
    """What a raw file's own markup says of it (front matter, page elements), as :attr:`Document.metadata`.

    A Markdown file's front matter is read without parsing its body; other
    files are read whole (:func:`read_document`), with the same errors.
    """
    path = Path(path)
    if path.suffix.lower() in MARKDOWN_SUFFIXES and path.is_file():
        data = path.read_bytes()
        if not looks_like_html(data, path):
            from .markup import markdown_metadata

            return markdown_metadata(decode_bytes(data, path=path)[0])
    return read_document(path).metadata


def find_documents(raw_dir: str | Path) -> list[Path]:
    """Every document file below ``raw_dir`` (sorted; notes and tables left out)."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(raw_dir, "is not a folder")
    return sorted(
        path for path in raw_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in DOCUMENT_SUFFIXES
        and not path.name.startswith(".")
        and not _NOTE_NAME.search(path.stem)
    )


# --- the manifest -------------------------------------------------------------------------------

_UNGDC_FILE = re.compile(r"^(?P<iso>[A-Z]{2,3})_(?P<session>\d+)_(?P<year>\d{4})$")
_UNGDC_SOURCE = "UN General Debate Corpus v13 (Jankin, Baturo & Dasandi), doi:10.7910/DVN/0TJX8Y"
_INTERVIEW_SOURCE = "Interfax interview, English translation, as re-published on a web page"


#: The two official Q&A sources: folder, country, publisher and licence of their documents.
_OFFICIAL_SOURCES = {
    "whbriefings": ("United States of America", "The White House, Briefing Room (press briefings, 2022)",
                    "Public domain (US government work); collection CC0-1.0"),
    "kremlin": ("Russia", "President of Russia, kremlin.ru", "CC-BY-4.0 (attribute: President of Russia, kremlin.ru)"),
}
_KREMLIN_PAGE = "http://en.kremlin.ru/events/president/news/{}"

_HONORIFIC = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|madam|h\.\s?e)\.?\s+)+", re.IGNORECASE)


def _ungdc_speakers(raw_dir: Path) -> pd.DataFrame:
    """The corpus's speaker tables, tidied: one country name per ISO code, names without honorifics.

    The source spells a country differently across years ("Russian Federation",
    "Russia", "Republic of Russia"); every statement of a code gets the name its
    most recent row uses, so that selecting by country finds all of them.
    """
    from .transcripts import normalise_name

    tables = [
        pd.read_csv(path, dtype=str).iloc[:, :6]
        for path in sorted((raw_dir / "ungdc").glob("speakers_*.csv"))
    ]
    speakers = pd.concat(tables, ignore_index=True)
    speakers.columns = ["year", "session", "iso", "country", "speaker", "post"]
    for column in speakers:
        speakers[column] = speakers[column].str.strip()
    latest = speakers.sort_values("year", kind="stable").groupby("iso")["country"].last()
    speakers["country"] = speakers["iso"].map(latest)
    speakers["speaker"] = [normalise_name(_HONORIFIC.sub("", name)) for name in speakers["speaker"]]
    return speakers.drop_duplicates(["iso", "year"]).set_index(["iso", "year"])


def describe_raw_files(raw_dir: str | Path) -> pd.DataFrame:
    """One manifest row per document of this package's raw data (for ``python -m analysis manifest``).

    Metadata of the UN statements come from the corpus's speaker tables; the
    interview's from its source note.
    """
    raw_dir = Path(raw_dir)
    speakers = _ungdc_speakers(raw_dir)
    rows = []
    for path in find_documents(raw_dir):
        relative = path.relative_to(raw_dir).as_posix()
        doc_id = doc_id_from_path(path)
        match = _UNGDC_FILE.match(doc_id)
        row = {"doc_id": doc_id, "path": relative, "sha256": file_sha256(path)}
        folder = Path(relative).parts[0]
        if folder in _OFFICIAL_SOURCES:
            row |= _official_row(path, folder)
        elif match:
            who = speakers.loc[(match["iso"], match["year"])]
            row |= {
                "kind": "speech",
                "title": f"{who['country']}: statement in the UN General Debate, session {match['session']}",
                "speaker": who["speaker"], "country": who["country"], "year": match["year"],
                "date": "", "source": _UNGDC_SOURCE, "licence": "CC0-1.0",
            }
        else:
            row |= {
                "kind": "interview", "title": "", "speaker": "", "country": "Russia", "year": "2022",
                "date": "", "source": _INTERVIEW_SOURCE,
                "licence": "not stated; quoted for research and teaching",
            }
        rows.append(row)
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS)


def _official_row(path: Path, folder: str) -> dict:
    """Manifest fields of a White House briefing or a kremlin.ru page, from the file's own metadata."""
    from .transcripts import event_kind

    country, publisher, licence = _OFFICIAL_SOURCES[folder]
    metadata = read_metadata(path)
    title = metadata.get("title", "")
    date = str(metadata.get("date", ""))[:10]
    address = str(metadata.get("source_url", ""))
    if not address.startswith("http") and folder == "kremlin":
        address = _KREMLIN_PAGE.format(path.stem)
    return {
        "kind": event_kind(title) or ("briefing" if folder == "whbriefings" else ""), "title": title, "speaker": "", "country": country,
        "year": date[:4], "date": date, "source": f"{publisher}: {address}" if address else publisher,
        "licence": licence,
    }


#: The doc_ids doc_id_from_path makes: plain file names, safe wherever an id names a file.
_SAFE_DOC_ID = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")


def read_manifest(path: str | Path) -> pd.DataFrame:
    """Read a manifest CSV; a missing column, a duplicated or unsafe ``doc_id`` raises :class:`InputError`.

    A ``doc_id`` follows the rule of ids made from file names (letters,
    digits, ``_``, ``.``, ``-``), so that an id such as ``../x`` can never
    name a file outside a chosen folder; a ``path`` must lie inside the
    raw-data folder (``../`` or an absolute path would read other files).
    """
    path = Path(path)
    try:
        manifest = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read as CSV ({exc})") from None
    missing = [column for column in ("doc_id", "path", "sha256") if column not in manifest]
    if missing:
        raise InputError(path, f"lacks the column(s) {', '.join(missing)}")
    for index, (doc_id, relative) in enumerate(zip(manifest["doc_id"], manifest["path"])):
        if not _SAFE_DOC_ID.fullmatch(doc_id):
            raise InputError(
                path, f"doc_id {doc_id!r} is not a plain file name (letters, digits, '_', '.', '-')",
                line=index + 2,
            )
        if Path(relative).is_absolute() or ".." in Path(relative).parts or not relative.strip():
            raise InputError(path, f"path {relative!r} does not lie inside the raw-data folder", line=index + 2)
    duplicated = manifest["doc_id"][manifest["doc_id"].duplicated()]
    if len(duplicated):
        line = int(duplicated.index[0]) + 2
        raise InputError(path, f"doc_id {duplicated.iloc[0]!r} appears twice", line=line)
    for column in MANIFEST_COLUMNS:
        if column not in manifest:
            manifest[column] = ""
    return manifest


def verify_checksums(manifest: pd.DataFrame, raw_dir: str | Path) -> None:
    """Refuse a raw file that is missing or whose bytes changed since the manifest was written."""
    raw_dir = Path(raw_dir)
    for row in manifest.itertuples(index=False):
        path = raw_dir / row.path
        if not path.is_file():
            raise RawDataChangedError(path, "is listed in the manifest but missing")
        if file_sha256(path) != row.sha256:
            raise RawDataChangedError(
                path,
                "has changed since the manifest was written (sha256 differs); raw data are never "
                "edited: restore the file, or add the new version under a new name and manifest row",
            )
