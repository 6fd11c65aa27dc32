"""Reading raw files: encodings, line endings, HTML, and clear errors for bad input."""

from __future__ import annotations

import codecs

import pytest

from analysis.errors import InputError, RawDataChangedError
from analysis.sources import (
    decode_bytes,
    describe_raw_files,
    doc_id_from_path,
    find_documents,
    read_document,
    read_manifest,
    read_metadata,
    verify_checksums,
)
from conftest import INTERVIEW, RAW_DIR

RUSSIAN = "Россия готова к диалогу на основе взаимности, но санкции – это давление."
FRENCH = "Le Canada est prêt à coopérer ; la sécurité européenne dépend de l’équilibre. Déjà vu."


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"plain ascii\n", "plain ascii\n"),
        (codecs.BOM_UTF8 + "Санкции\n".encode(), "Санкции\n"),
        ("Mirror “measures”\r\n".encode("utf-16"), "Mirror “measures”\n"),
        ("Mirror measures\n".encode("utf-16-le"), "Mirror measures\n"),
        ("Mirror measures\n".encode("utf-16-be"), "Mirror measures\n"),
        ("NATO\n".encode("utf-32"), "NATO\n"),
        (b"one\r\ntwo\rthree\n", "one\ntwo\nthree\n"),
        (RUSSIAN.encode("cp1251"), RUSSIAN),
        (FRENCH.encode("cp1252"), FRENCH),
        ("Ça va, très bien, à bientôt, naïve café.".encode("latin-1"), "Ça va, très bien, à bientôt, naïve café."),
    ],
    ids=["ascii", "utf8-bom", "utf16-bom", "utf16le", "utf16be", "utf32", "newlines", "cp1251", "cp1252", "latin1"],
)
def test_decode_bytes_reads_each_encoding_by_content(data, expected):
    text, _ = decode_bytes(data, path="x.txt")
    assert text == expected


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"   \n\t\n", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Sanctions – ".encode() [:-2], "truncated"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
    ids=["empty", "whitespace", "png", "truncated-utf8", "control-characters"],
)
def test_decode_bytes_rejects_bad_input_naming_the_file(data, message):
    with pytest.raises(InputError, match=message) as info:
        decode_bytes(data, path="folder/bad.txt")
    assert "folder/bad.txt" in str(info.value)


def test_read_document_errors_name_the_path(tmp_path):
    with pytest.raises(InputError, match="no such file") as info:
        read_document(tmp_path / "missing.txt")
    assert "missing.txt" in str(info.value)
    with pytest.raises(InputError, match="folder"):
        read_document(tmp_path)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_document(tmp_path / "empty.txt")


def test_read_document_keeps_the_interview_text_and_its_checksum():
    document = read_document(INTERVIEW)
    assert document.doc_id == "darchiev-interfax"
    assert document.text.startswith("Monday, May 20\n")
    assert "sounded.Biden" in document.text and "“complete rupture”" in document.text
    assert len(document.sha256) == 64 and document.encoding == "utf-8"


def test_a_byte_order_mark_is_removed_and_offsets_start_after_it():
    path = RAW_DIR / "ungdc" / "rus_usa_can_1992_2024"
    with_bom = [p for p in sorted(path.glob("*.txt")) if p.read_bytes().startswith(codecs.BOM_UTF8)]
    assert len(with_bom) >= 10
    for p in with_bom[:5]:
        text = read_document(p).text
        assert not text.startswith("\ufeff")
        assert text == p.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>Interview</title><style>body {color: red}</style>
<script>var tracking = "Question: not a turn";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/about">About us</a></li></ul></nav>
<article>
<h1>Interview of the Minister to the Interfax news agency</h1>
<p>Question: Will Russia take mirror measures against the embassies of the United States?</p>
<p>Answer: We proceed from the principle of reciprocity. Any restrictive measure against Russian diplomats
will result in similar difficulties for American diplomatic missions in Russia.</p>
<p>Question: Is the dialogue on strategic stability frozen?</p>
<p>Answer: No. We are preparing for the spring session of the Bilateral Consultative Commission.</p>
</article>
<div class="share"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">LinkedIn</a></div>
<footer>Copyright 2022 Example News. All rights reserved.</footer>
</body></html>
"""


def test_an_html_page_is_reduced_to_its_main_text(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    document = read_document(page)
    assert document.is_html
    assert "principle of reciprocity" in document.text
    assert "tracking" not in document.text and "color: red" not in document.text
    assert "About us" not in document.text


def test_doc_ids_are_unique_across_the_raw_data():
    ids = [doc_id_from_path(p) for p in find_documents(RAW_DIR)]
    # 290 UN statements and the interview, 298 White House briefings, 52 kremlin.ru pages (their SOURCE notes)
    assert len(ids) == len(set(ids)) == 290 + 298 + 52


def test_the_committed_manifest_describes_every_raw_document():
    manifest = read_manifest(RAW_DIR / "manifest.csv")
    fresh = describe_raw_files(RAW_DIR)
    assert manifest.to_dict("records") == fresh.fillna("").astype(str).to_dict("records")
    kinds = manifest.groupby(manifest["path"].str.split("/").str[0])["kind"].agg(set)
    assert kinds["ungdc"] == {"speech"} and kinds["interview"] == {"interview"}
    assert kinds["whbriefings"] == {"briefing", "gaggle", "background call"}
    assert {"interview", "news conference", "Direct Line", "press statements"} <= kinds["kremlin"]
    assert manifest.loc[manifest["path"].str.startswith("kremlin/"), "licence"].str.startswith("CC-BY-4.0").all()
    assert manifest.loc[manifest["path"].str.startswith("whbriefings/"), "date"].str.fullmatch(r"2022-\d\d-\d\d").all()
    verify_checksums(manifest, RAW_DIR)


def test_metadata_are_read_without_the_body_and_equal_the_whole_reading(tmp_path):
    briefings = sorted((RAW_DIR / "whbriefings").glob("*.md"))
    for path in briefings[:: max(1, len(briefings) // 4)] + sorted((RAW_DIR / "kremlin").glob("*.htm*"))[:2]:
        assert read_metadata(path) == read_document(path).metadata, path.name
    plain = tmp_path / "plain.md"
    plain.write_text("MS. X:\u00a0 No front matter here.\n", encoding="utf-8")
    assert read_metadata(plain) == {} == read_document(plain).metadata
    (tmp_path / "empty.md").write_bytes(b"")
    with pytest.raises(InputError, match="empty.md"):
        read_metadata(tmp_path / "empty.md")
    (tmp_path / "binary.md").write_bytes(b"---\ntitle: x\n---\n\x00\x01\x02\x00" * 20)
    with pytest.raises(InputError, match="binary.md"):
        read_metadata(tmp_path / "binary.md")


def test_a_changed_raw_file_is_refused_by_name(tmp_path):
    (tmp_path / "a.txt").write_text("Question: Why?\n\nAnswer: Because.\n", encoding="utf-8")
    manifest = describe_manifest_for(tmp_path)
    (tmp_path / "a.txt").write_text("Question: Why?\n\nAnswer: Because we said so.\n", encoding="utf-8")
    with pytest.raises(RawDataChangedError, match="a.txt.*changed"):
        verify_checksums(manifest, tmp_path)


def describe_manifest_for(folder):
    import pandas as pd

    from analysis.sources import file_sha256

    return pd.DataFrame([{"doc_id": p.stem, "path": p.name, "sha256": file_sha256(p)} for p in find_documents(folder)])


def test_a_manifest_with_a_duplicated_doc_id_names_the_line(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("doc_id,path,sha256\na,a.txt,0\nb,b.txt,0\na,c.txt,0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 4.*'a' appears twice"):
        read_manifest(manifest)
