"""Resolving citations (resolve.py): a short form to its earlier full citation, a local number to its
jurisdiction."""

from __future__ import annotations

import minerals
from minerals.models import Document
from minerals.resolve import is_local

from .conftest import corpus_file


def cites(text: str):
    return minerals.extract(minerals.clean(Document(path="<s>", sha256="", raw=text, pages=[]))).citations


def test_short_form_resolves_to_earlier_full_citation():
    found = cites("Căn cứ Nghị định số 126/2007/NĐ-CP ngày 01/8/2007 của Chính phủ; ... theo Nghị định 126 thì")
    assert [(c.number, c.short_form, c.text) for c in found] == [
        ("126/2007/NĐ-CP", False, "126/2007/NĐ-CP"), ("126/2007/NĐ-CP", True, "Nghị định 126")]
    assert found[1].date == "2007-08-01"


def test_short_form_without_antecedent_is_not_a_citation():
    assert cites("theo Nghị định 126 thì") == []


def test_local_citations_get_their_jurisdiction():
    doc = minerals.process(corpus_file("004_5"))
    by_number = {c.number: c for c in doc.citations}
    assert by_number["126/KH-UBND"].id == "126/KH-UBND@huyện Tuần Giáo"
    assert by_number["126/KH-UBND"].issuer_normalized == "Ủy ban nhân dân huyện Tuần Giáo"
    assert by_number["126/2007/NĐ-CP"].id == "126/2007/NĐ-CP" and by_number["126/2007/NĐ-CP"].jurisdiction is None
    assert is_local("2285/SLĐTBXH-LĐVL") and not is_local("622/QĐ-TTg") and not is_local("20-CT/TW")
