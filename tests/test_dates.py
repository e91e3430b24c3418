"""Dates (extract/dates.py and patterns/dates.json): every form on its examples, the forms' prefilters, the
windows the scan tries, invalid dates flagged."""

from __future__ import annotations

import pytest
import regex

import minerals
from minerals import patterns
from minerals.clean import clean_text
from minerals.models import Document

from .conftest import scan_texts


def _doc(text: str) -> Document:
    doc = Document(path="<example>", sha256="", raw=text, pages=[])
    return minerals.extract(minerals.clean(doc))


@pytest.mark.parametrize(("text", "iso"), patterns.load("ocr")["examples"])
def test_ocr_digit_examples(text, iso):
    assert _doc("Thông tư số 18/2026/TT-BQP " + text).citations[0].date == iso


DATE_FORMS = [(f["name"], *ex) for f in patterns.load("dates")["forms"] for ex in f["examples"]]


@pytest.mark.parametrize(("form", "text", "value", "precision"), DATE_FORMS)
def test_date_examples(form, text, value, precision):
    dates = _doc(text).dates
    values = [d.value for d in dates]
    expected = value if isinstance(value, list) else [value]
    assert values == expected, (form, text, [(d.text, d.value) for d in dates])
    assert {d.precision for d in dates} == {precision}


@pytest.mark.parametrize(("form", "text", "value", "precision"), DATE_FORMS)
def test_date_needs_are_in_every_match(form, text, value, precision):
    """A form's ``needs`` only skip windows: each must lie inside every match of the form."""
    from minerals.extract.dates import _forms

    rx, needs = next((rx, needs) for name, rx, needs in _forms() if name == form)
    text = clean_text(text)[0]
    matches = list(rx.finditer(text))
    assert matches, (form, text)
    for m in matches:
        for need in needs:
            assert need.search(text, m.start(), m.end()), (form, text, need.pattern)


def test_date_forms_opening_lookahead_keeps_their_matches():
    """A form's ``opens`` (patterns/dates.json) only skips places: the form with it finds what it finds without
    it, on the examples and every corpus text, and each example's match opens with it."""
    from minerals.extract.dates import _forms

    spec = {f["name"]: f for f in patterns.load("dates")["forms"]}
    texts = [clean_text(text)[0] for _, text, _, _ in DATE_FORMS] + [clean_text(t)[0] for t in scan_texts()]
    checked = 0
    for name, rx, _ in _forms():
        if "opens" not in spec[name]:
            continue
        prefix = f"(?={spec[name]['opens']})"
        assert rx.pattern.startswith(prefix)
        plain = regex.compile(rx.pattern[len(prefix):])
        for text in texts:
            assert [m.span() for m in rx.finditer(text)] == [m.span() for m in plain.finditer(text)], (name, text[:80])
        for example in spec[name]["examples"]:
            m = plain.search(clean_text(example[0])[0])
            assert m and regex.match(spec[name]["opens"], m[0]), (name, example)
        checked += 1
    assert checked == 2


def test_date_windows_merge_figures_as_the_loop_did():
    """``_windows`` (one regex) against the plain loop it replaced, on corpus texts and edge cases."""
    import re
    from pathlib import Path

    from minerals.extract.dates import _windows

    def loop(text, before=24, after=8, gap=60):
        out = []
        for m in re.finditer(r"\d+", text):
            s, e = max(0, m.start() - before), min(len(text), m.end() + after)
            if out and s <= out[-1][1] + gap:
                out[-1][1] = e
            else:
                out.append([s, e])
        return [(s, e) for s, e in out]

    texts = ["", "1", "a1b", "1" + "x" * 92 + "2", "1" + "x" * 93 + "2", "x" * 30 + "12" + "y" * 5, "٣ 12 ab ²3"]
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.parent.glob("corpus/**/*.txt"))[:20]]
    for text in texts:
        assert _windows(text) == loop(text)


def test_date_needs_in_re_find_what_regex_finds():
    """get_dates searches the needs with Python's re on texts inside the BMP: in each window of corpus texts
    and the date examples, re and regex agree on whether a need is there; a digit regex knows and re does not
    (U+10D40, Garay, Unicode 16) makes get_dates keep regex."""
    import re
    from pathlib import Path

    from minerals.extract.dates import _forms, _needs_in_re, _windows

    fast = _needs_in_re()
    assert fast, "no need compiles in re"
    texts = [clean_text(text)[0] for _, text, _, _ in DATE_FORMS]
    texts += [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.parent.glob("corpus/**/*.txt"))]
    held = 0
    for text in texts:
        for need, in_re in fast.items():
            for s, e in _windows(text):
                found = need.search(text, s, e) is not None
                assert (in_re.search(text, s, e) is not None) == found, (need.pattern, text[s:e])
                held += found
    assert held > 100
    garay = "ngày \U00010D45/\U00010D42/2020"  # a need only regex finds
    need = next(n for _, _, needs in _forms() for n in needs if n in fast and n.search(garay))
    assert not fast[need].search(garay)
    assert regex.match(r"\d", "\U00010D45") and not re.match(r"\d", "\U00010D45")
    assert [d.text for d in _doc(garay).dates] == [garay[5:]]  # found as before: regex searched the needs


@pytest.mark.parametrize("text", patterns.load("dates")["counterexamples"])
def test_date_counterexamples(text):
    assert _doc(text).dates == []


def test_invalid_date_is_flagged_not_invented():
    doc = _doc("Báo cáo ngày 31/02/2021 của UBND")
    assert [d.value for d in doc.dates] == [None]
    assert any("31/02/2021" in w for w in doc.warnings)
