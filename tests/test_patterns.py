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

from .conftest import scan_texts


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


def test_target_patterns_hold_the_words_that_let_clauses_skip_them():
    """get_targets searches a clause only if it holds a pattern's needs (patterns/targets.json), or, for the
    case-insensitive goal and result words, one of them case-folded: every match on the examples and the corpus
    holds them."""
    from minerals.extract.targets import _context_words, _needs, _scope_rules, _spec

    goal, result, deadline, *_, fromto, _by, vs = _spec()
    heading = _scope_rules()[0]
    needs = _needs()
    goal_words, result_words = _context_words()
    texts = [example[0] for example in patterns.load("targets")["examples"]] + scan_texts()
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
    for text in scan_texts():
        for _ in range(50):
            at = rnd.randrange(0, max(1, len(text) - 200))
            window = text[at : at + 200]
            ends = list(forward.finditer(window))
            last = CLAUSE_END.search(window)
            assert (ends[-1].span() if ends else None) == (last.span() if last else None), window


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
