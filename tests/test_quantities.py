"""Quantities (extract/quantities.py, extract/numbers.py, patterns/quantities.json): values, units, kinds and
qualifiers on their examples, numbers in words, malformed figures flagged."""

from __future__ import annotations

import pytest

import minerals
from minerals import patterns
from minerals.models import Document


def _doc(text: str) -> Document:
    doc = Document(path="<example>", sha256="", raw=text, pages=[])
    return minerals.extract(minerals.clean(doc))


@pytest.mark.parametrize(("text", "value", "of", "unit", "kind"), patterns.load("quantities")["examples"])
def test_quantity_examples(text, value, of, unit, kind):
    q = _doc(text).quantities
    assert q, f"no quantity in {text!r}"
    assert (q[0].value, q[0].of, q[0].unit, q[0].kind) == (value, of, unit, kind)


@pytest.mark.parametrize("text", [t[0] for t in patterns.load("quantities")["not_quantities"]])
def test_not_quantities(text):
    assert _doc(text).quantities == [], [(q.text, q.unit) for q in _doc(text).quantities]


@pytest.mark.parametrize(("text", "qualifier"), patterns.load("quantities")["qualifier_examples"])
def test_qualifier_examples(text, qualifier):
    assert _doc(text).quantities[0].qualifier == qualifier


@pytest.mark.parametrize(("words", "value"), patterns.load("quantities")["words_examples"])
def test_numbers_in_words(words, value):
    from minerals.extract.numbers import parse_words

    assert parse_words(words) == value


def test_words_and_figures_disagree_is_a_warning():
    doc = _doc("kinh phí 200.000.000 đồng (Ba trăm triệu đồng)")
    assert any("disagrees" in w for w in doc.warnings)
    assert not _doc("kinh phí 200.000.000 đồng (Hai trăm triệu đồng)").warnings


def test_malformed_number_is_flagged():
    doc = _doc("tổng diện tích tự nhiên là 10.71,7 ha")
    assert doc.quantities == [] and any("10.71,7" in w for w in doc.warnings)
