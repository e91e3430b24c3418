"""Reading text in every encoding the archives use, and refusing bad input with a clear error."""

from __future__ import annotations

import unicodedata

import pytest

import minerals
from minerals.errors import BinaryFileError, EmptyFileError, FileTooLargeError
from minerals.legacy import _TCVN3, _VNI_PAIRS, _VNI_SINGLE

from .conftest import corpus_file

SEED = corpus_file("001_").read_text(encoding="utf-8")
SAMPLE = unicodedata.normalize("NFC", SEED[:3000])


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Word writes it: precomposed where the code page has the letter, else base + tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            head = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in "\u0302\u0306\u031b"))
            out += head.encode("cp1258") + "".join(m for m in marks if m not in "\u0302\u0306\u031b").encode("cp1258")
    return bytes(out)


def _legacy(text: str, table: dict[str, str]) -> str:
    inverse = {v: k for k, v in table.items()}
    return "".join(inverse.get(ch, ch) for ch in text)


@pytest.mark.parametrize(
    ("name", "encode"),
    [
        ("utf-8", lambda t: t.encode("utf-8")),
        ("utf-8-sig", lambda t: b"\xef\xbb\xbf" + t.encode("utf-8")),
        ("utf-16", lambda t: t.encode("utf-16")),
        ("utf-16-le", lambda t: t.encode("utf-16-le")),
        ("cp1258", _cp1258),
        ("nfd", lambda t: unicodedata.normalize("NFD", t).encode("utf-8")),
    ],
)
def test_unicode_encodings_read_back_as_nfc(tmp_path, name, encode):
    path = tmp_path / f"seed-{name}.txt"
    path.write_bytes(encode(SAMPLE))
    doc = minerals.read(path)
    assert doc.raw == SAMPLE.replace("\r\n", "\n")
    assert unicodedata.is_normalized("NFC", doc.raw)


def test_tcvn3_bytes_are_converted(tmp_path):
    # TCVN3 has no toned capitals in the base font: compare in lower case, as .VnTimeH would show it
    text = SAMPLE.lower()
    path = tmp_path / "tcvn3.txt"
    path.write_bytes(_legacy(text, _TCVN3).encode("cp1252"))
    doc = minerals.read(path)
    assert doc.encoding.endswith("tcvn3")
    assert doc.raw == text


def test_tcvn3_from_a_utf8_export_is_converted(tmp_path):
    path = tmp_path / "tcvn3-utf8.txt"
    path.write_text("Căn cứ NghÞ ®Þnh sè 126/2007/N§-CP ngµy 01/8/2007 cña ChÝnh phñ vÒ ng\u00adêi lao ®éng", encoding="utf-8")
    doc = minerals.process(path)
    assert doc.raw.startswith("Căn cứ Nghị định số 126/2007/NĐ-CP ngày 01/8/2007 của Chính phủ")
    assert [c.number for c in doc.citations] == ["126/2007/NĐ-CP"]


def test_vni_is_converted(tmp_path):
    inverse = {v: k for k, v in {**_VNI_PAIRS, **_VNI_SINGLE}.items()}
    vni = "".join(inverse.get(ch, ch) for ch in SAMPLE)
    path = tmp_path / "vni.txt"
    path.write_bytes(vni.encode("cp1252"))
    doc = minerals.read(path)
    assert doc.encoding.endswith("vni")
    assert doc.raw == SAMPLE


def test_empty_file(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(EmptyFileError):
        minerals.read(tmp_path / "empty.txt")
    (tmp_path / "blank.txt").write_text("  \n\n \t")
    with pytest.raises(EmptyFileError):
        minerals.read(tmp_path / "blank.txt")


def test_binary_file(tmp_path):
    (tmp_path / "x.txt").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(BinaryFileError):
        minerals.read(tmp_path / "x.txt")


def test_huge_file_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(50_000_001)  # 50 MB, one "line" of NULs, never read
    with pytest.raises(FileTooLargeError, match="50 MB > limit 32 MB"):
        minerals.read(path)


def test_any_suffix_is_read_by_content(tmp_path):
    """Issue 18: whatever its name, a file is read by what it holds (text, else a named error)."""
    (tmp_path / "a.xyz").write_text("Căn cứ Nghị định số 126/2007/NĐ-CP", encoding="utf-8")
    assert "126/2007" in minerals.read(tmp_path / "a.xyz").raw
    (tmp_path / "b.xyz").write_bytes(bytes(range(256)) * 40)
    with pytest.raises(BinaryFileError):
        minerals.read(tmp_path / "b.xyz")


def test_non_vietnamese_text_gives_empty_result(tmp_path):
    path = tmp_path / "english.txt"
    path.write_text("The quick brown fox jumps over the lazy dog. " * 200)
    doc = minerals.process(path)
    assert doc.citations == [] and doc.named_laws == []
    assert doc.encoding == "utf-8"


def test_page_markers_of_ocr_exports():
    doc = minerals.read(corpus_file("031_"))
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5, 6]
