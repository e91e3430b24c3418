"""Cleaning: what it fixes, and offsets that stay true back to the text as read."""

from __future__ import annotations

import minerals
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
