"""Every rule in patterns/ holds on its own examples (reporters-db style)."""

from __future__ import annotations

import os

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


@pytest.mark.parametrize(("text", "issuer"), patterns.load("citations")["pre_issuer"]["examples"])
def test_pre_issuer_examples(text, issuer):
    assert _doc(text).citations[0].issuer == issuer


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


SHAPES = patterns.load("checks")["shapes"]


@pytest.mark.parametrize(("regime", "example"), [(s["regime"], e) for s in SHAPES for e in s["examples"]])
def test_number_shape_examples_match_whole(regime, example):
    from minerals.checks import shape_regexes

    assert shape_regexes()[regime].fullmatch(example)


@pytest.mark.parametrize("counter", [e for s in SHAPES for e in s["counterexamples"]])
def test_number_shape_counterexamples_match_no_shape(counter):
    from minerals.checks import is_well_formed

    assert not is_well_formed(counter)


@pytest.mark.parametrize(("regime", "example"), [(s["regime"], e) for s in SHAPES for e in s["examples"]])
def test_number_shape_examples_are_found_as_citations(regime, example):
    """A well-formed number is one the citation stage finds whole."""
    assert [c.number for c in _doc("Văn bản số " + example).citations] == [example]


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
    texts = [clean_text(text)[0] for _, text, _, _ in DATE_FORMS] + [clean_text(t)[0] for t in _scan_texts()]
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


def test_target_patterns_hold_the_words_that_let_clauses_skip_them():
    """get_targets searches a clause only if it holds a pattern's needs (patterns/targets.json), or, for the
    case-insensitive goal and result words, one of them case-folded: every match on the examples and the corpus
    holds them."""
    from minerals.extract.targets import _context_words, _needs, _scope_rules, _spec

    goal, result, deadline, *_, fromto, _by, vs = _spec()
    heading = _scope_rules()[0]
    needs = _needs()
    goal_words, result_words = _context_words()
    texts = [example[0] for example in patterns.load("targets")["examples"]] + _scan_texts()
    texts += [example[0] for example in patterns.load("targets")["goal_scope"]["examples"]]
    seen = 0
    for text in texts:
        for rx, words, fold in ((deadline, needs["deadline"], False), (fromto, needs["change_from_to"], False),
                                (vs, needs["change_vs"], False), (goal, goal_words, True), (result, result_words, True),
                                (heading, needs["goal_scope"], False)):
            for m in rx.finditer(text):
                got = m[0].casefold() if fold else m[0]
                assert any(w in got for w in words), (rx.pattern[:40], m[0])
                seen += 1
    assert seen > 50


def test_the_last_clause_end_searched_backwards_is_the_scans_last():
    import random

    from minerals.extract.relations import CLAUSE_END

    forward = regex.compile(CLAUSE_END.pattern)
    rnd = random.Random(3)
    for text in _scan_texts():
        for _ in range(50):
            at = rnd.randrange(0, max(1, len(text) - 200))
            window = text[at : at + 200]
            ends = list(forward.finditer(window))
            last = CLAUSE_END.search(window)
            assert (ends[-1].span() if ends else None) == (last.span() if last else None), window


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


def _scan_texts():
    from pathlib import Path

    texts = ["", "1", "a1", "x 12 ab1 3.000.000 đồng, 45%, 12/2020, 1,5 và 7", "số 03/2021 ngày 5 ", "tháng12.",
             "Luật Luật sửa đổi Bộ luật Hình sự, Pháp lệnh x Hiến pháp", "\U00010D45 12 \U0001F600 3"]
    return texts + [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.parent.glob("corpus/**/*.txt"))]


def test_place_and_date_searched_line_by_line_is_the_whole_search():
    from minerals.extract.metadata import _PLACE_DATE, _search_place_date

    texts = _scan_texts() + ["Hà Nội, ngày 5 tháng 3 năm 2024", "x\nTP. Hồ Chí Minh , ngày … tháng 6 năm 2022\n",
                             "ngày\nHuế, ngày 01 tháng 02 năm 2020", "Huế,\nngày 01 tháng 02 năm 2020"]
    found = 0
    for text in texts:
        head = text[:6000]
        expected = _PLACE_DATE.search(head)
        got = _search_place_date(head)
        assert (got and (got.span(), got.groups())) == (expected and (expected.span(), expected.groups())), head[:80]
        found += expected is not None
    assert found > 10


@pytest.mark.parametrize("text", patterns.load("dates")["counterexamples"])
def test_date_counterexamples(text):
    assert _doc(text).dates == []


def test_invalid_date_is_flagged_not_invented():
    doc = _doc("Báo cáo ngày 31/02/2021 của UBND")
    assert [d.value for d in doc.dates] == [None]
    assert any("31/02/2021" in w for w in doc.warnings)


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


@pytest.mark.parametrize(("block", "title"), patterns.load("signature")["examples"])
def test_signature_examples(block, title):
    doc = _doc("BÁO CÁO\nKết quả\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n" + block)
    assert (doc.info.signer_title or "").lower() == title.lower()


@pytest.mark.parametrize("name", sorted(p.name for p in patterns.PATTERNS_DIR.iterdir() if p.suffix in (".json", ".jsonl")))
def test_a_broken_rule_file_is_one_line_not_a_broken_import(name, tmp_path):
    """Rules load at first use (issue 18): with any one rule file broken, ``import minerals`` and ``--help`` still
    work, and a command that needs the rule stops with one ``minerals: error:`` line naming the file."""
    import shutil
    import subprocess
    import sys

    from .conftest import CORPUS

    rules = tmp_path / "patterns"
    shutil.copytree(patterns.PATTERNS_DIR, rules)
    (rules / name).write_text('{"broken', encoding="utf-8")
    env = {**os.environ, "MINERALS_PATTERNS": str(rules)}
    run = lambda *args: subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)  # noqa: E731
    assert run("-c", "import minerals, minerals.cli").returncode == 0
    assert run("-m", "minerals", "--help").returncode == 0
    got = run("-m", "minerals", "extract", str(CORPUS / "seeds" / "001_1d392ddcd08d93c9.txt"))
    if name not in ("analyses.json", "checks.json", "registry.json"):  # (rules extraction does not need)
        assert got.returncode == 1
        assert got.stderr.strip().splitlines() == [got.stderr.strip()] and got.stderr.startswith("minerals: error: ")
        assert name in got.stderr
