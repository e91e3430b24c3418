"""Every rule in patterns/ holds on its own examples (reporters-db style)."""

from __future__ import annotations

import pytest
import regex

import minerals
from minerals import patterns
from minerals.clean import clean_text
from minerals.extract.citations import normalize_number, type_from_number
from minerals.models import Document


def _doc(text: str) -> Document:
    doc = Document(path="<example>", sha256="", raw=text, pages=[])
    return minerals.extract(minerals.clean(doc))


DOC_TYPE_EXAMPLES = [(t["name"], ex) for t in patterns.load("doc_types")["types"] for ex in t["examples"]]


@pytest.mark.parametrize(("name", "example"), DOC_TYPE_EXAMPLES)
def test_doc_type_examples(name, example):
    cites = _doc(example).citations
    assert cites, f"no citation found in {example!r}"
    assert cites[0].doc_type == name


REGIMES = patterns.load("citations")["regimes"]


@pytest.mark.parametrize(("regime", "example"), [(r["name"], e) for r in REGIMES for e in r["examples"]])
def test_number_regime_examples_match_whole(regime, example):
    m = patterns.number_regex().search(example)
    assert m and m[0] == example and m[regime] == example, (regime, example, m and m[0])


@pytest.mark.parametrize("counter", [e for r in REGIMES for e in r["counterexamples"]])
def test_number_counterexamples_do_not_match(counter):
    assert patterns.number_regex().search(counter) is None


@pytest.mark.parametrize("example", patterns.load("citations")["not_a_document"]["examples"])
def test_forms_are_not_citations(example):
    assert _doc(example).citations == []


@pytest.mark.parametrize("example", patterns.load("citations")["own_number"]["examples"])
def test_own_number_examples(example):
    doc = _doc(example)
    assert doc.info.number is not None
    assert doc.citations == []


@pytest.mark.parametrize(
    ("relation", "example"),
    [(r["relation"], e) for r in patterns.load("relations")["relations"] for e in r["examples"]],
)
def test_relation_examples(relation, example):
    cites = _doc(example).citations
    assert cites and cites[0].relation == relation


@pytest.mark.parametrize(("code", "example"), [(c, e) for c, v in patterns.load("issuer_codes")["codes"].items() for e in v["examples"]])
def test_issuer_code_examples_normalize_to_code(code, example):
    segments = regex.split(r"[/-]", normalize_number(example))
    assert any(s == code or regex.sub(r"\d+$", "", s) == code for s in segments), (code, normalize_number(example))


@pytest.mark.parametrize(("text", "name", "year"), patterns.load("named_laws")["examples"])
def test_named_law_examples(text, name, year):
    laws = _doc(text).named_laws
    assert [(n.name, n.year) for n in laws][:1] == [(name, year)]


@pytest.mark.parametrize("text", patterns.load("named_laws")["counterexamples"])
def test_named_law_counterexamples(text):
    assert _doc(text).named_laws == []


CLEANING = [(step, a, b) for step, spec in patterns.load("cleaning").items() if step != "#" for a, b in spec["examples"]]


@pytest.mark.parametrize(("step", "raw", "expected"), CLEANING)
def test_cleaning_examples(step, raw, expected):
    text, _ = clean_text(raw)
    assert text == expected


def test_type_from_symbol():
    assert type_from_number("126/2007/NĐ-CP", "normative") == "Nghị định"
    assert type_from_number("32/2024/QH15", "normative") == "Luật"
    assert type_from_number("20-CT/TW", "party") == "Chỉ thị"
    assert type_from_number("2285/SLĐTBXH-LĐVL", "administrative") == "Công văn"


def test_every_pattern_file_loads():
    for path in patterns.PATTERNS_DIR.glob("*.json"):
        assert patterns.load(path.stem)


@pytest.mark.parametrize(("text", "iso"), patterns.load("ocr")["examples"])
def test_ocr_digit_examples(text, iso):
    assert _doc("Thông tư số 18/2026/TT-BQP " + text).citations[0].date == iso
