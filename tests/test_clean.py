"""Cleaning: what it fixes, and offsets that stay true back to the text as read."""

from __future__ import annotations

import minerals
from minerals.clean import odd_word_share
from minerals.extract.citations import normalize_number

from .conftest import corpus_file


def test_seed_hard_wraps_become_paragraphs():
    doc = minerals.clean(minerals.read(corpus_file("001_")))
    assert "\n\n" not in doc.text
    assert "Thực hiện Công văn số 2285/SLĐTBXH-LĐVL ngày 15 tháng 11 năm 2024 của Sở Lao động" in doc.text
    assert "\nI. ĐẶC ĐIỂM TÌNH HÌNH\n" in doc.text  # a heading keeps its own line


def test_seed_003_broken_font_is_repaired_and_real_words_kept():
    raw = minerals.read(corpus_file("003_")).raw
    text = minerals.clean(minerals.read(corpus_file("003_"))).text
    for broken, fixed in (("nãm", "năm"), ("ngýời", "người"), ("ðộng", "động")):
        assert broken in raw and broken not in text
    assert "xã" in text and "đã" in text
    assert "Ð" not in text and "ð" not in text


def test_seed_003_footnote_marks_are_dropped():
    raw = minerals.read(corpus_file("003_")).raw
    text = minerals.clean(minerals.read(corpus_file("003_"))).text
    assert "đình2" in raw and "đình2" not in text


def test_html_fragment_reduced_to_text():
    doc = minerals.clean(minerals.read(corpus_file("014_")))
    assert "<" not in doc.text and "&nbsp;" not in doc.text
    assert "QUYẾT ĐỊNHVỀ" not in doc.text  # block tags end lines (realdocs 014)


def test_markdown_remnants_removed():
    doc = minerals.clean(minerals.read(corpus_file("005_")))
    assert "**" not in doc.text
    assert "Số hiệu:\n304/2025/NĐ-CP" in doc.text


def test_offsets_map_back_to_raw_text(processed):
    """Every citation's clean span maps to a raw span holding the same number (modulo spacing and Ð)."""
    checked = 0
    for doc in processed.values():
        for c in doc.citations:
            assert doc.text[c.start : c.end] == c.text
            if c.short_form:
                continue
            a, b = doc.offsets.span_to_raw(c.start, c.end)
            raw = doc.raw[a:b]
            raw = raw.replace("\ufffe", "-").replace("\u2044", "/").replace("*", "")  # look-alikes and Markdown marks cleaning removes
            assert normalize_number(raw) == normalize_number(c.text), (doc.path, raw, c.text)
            checked += 1
    assert checked > 200


def test_text_that_reads_like_ocr_gets_the_repairs_of_ocr_pages():
    """realdocs/texts 033 is PaddleOCR output saved as .txt ('Cän cú Nghi dinh s6 35/2Q13/ND-CP'): it reads like
    OCR, says so, and its citations get the OCR repairs (issue 17); typed texts do not read so."""
    import minerals

    doc = minerals.process(corpus_file("033_"))
    assert doc.ocr_like and any("reads like OCR" in w for w in doc.warnings)
    assert "35/2013/NĐ-CP" in {c.number for c in doc.citations}
    for prefix in ("001_", "004_", "013_", "031_"):
        typed = minerals.clean(minerals.read(corpus_file(prefix)))
        assert not typed.ocr_like and odd_word_share(typed.text) < 0.02, prefix


def test_odd_word_share_on_real_lines():
    assert odd_word_share("Th6ng tu s6 86/2016/TT-BQP ngay 20 thäng 6 nam 2016 cua B tru&ng Bö Quóc phöng") > 0.3
    assert odd_word_share("Thông tư số 86/2016/TT-BQP ngày 20 tháng 6 năm 2016 của Bộ trưởng Bộ Quốc phòng") == 0
