"""Prefilters only skip work (STYLE.md 13): the scanner that applies the ``needs``, ``opens`` and ``ends`` declared
beside the rules in patterns/ and the plain scanner that runs every rule everywhere (``MINERALS_PLAIN_SCAN=1``)
give the same output, on every example table in patterns/ and every corpus document; a wrong prefilter shows."""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
import subprocess
import sys

import pytest

import minerals
from minerals import patterns
from minerals.dataset import walk
from minerals.models import Document

from .conftest import CORPUS

# every rule built with a prefilter; a new one joins this list, so the test knows it ran
RULES = ["citations.pre_issuer", "citations.standards", "cleaning.markdown", "named_laws.head", "signature.title"]


def _strings(node, inside: bool):
    """The strings of a rule file that lie inside an example table (all of them when ``inside``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, inside or "example" in key or key.startswith(("counter", "not_")))
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, inside)
    elif isinstance(node, str) and inside:
        yield node


def _rule_files():
    for path in sorted(patterns.PATTERNS_DIR.glob("*.json")):
        yield patterns.load(path.stem)
    yield from patterns.load_lines("entities.jsonl")


EXAMPLES = sorted({s for spec in _rule_files() for s in _strings(spec, False)})
# every string of every rule file (words, titles, comments too) and edge cases of the rules
STRINGS = sorted({s for spec in _rule_files() for s in _strings(spec, True)}) + [
    "", "KTM. GIÁM ĐỐC", "Q.  PHÓ\nCHỦ TỊCH", "TTL. TRƯỞNG BAN", "PHÓ PHÓ GIÁM ĐỐC Sở", "xGIÁM ĐỐC",
    "theo đề nghị của Sở Tài chính tại ", "UBND tỉnh đã ban hành các  ", "Bộ ban hành", "của Bộ Y tế tại các",
    "ngày 31/12/2019 UBND huyện ban hành\t", "\n# x\n|:-|\n**a**_b_ \\* [x](y) ![a](b)", "#PAGE 2\n  ## T\n",
]


def _corpus() -> list[Document]:
    """The corpus documents as read (PDFs from the OCR cache), before cleaning."""
    return [minerals.read(p) for p in walk(CORPUS) if p.suffix in (".txt", ".md", ".html")]


def _output(doc: Document) -> str:
    """Everything ``minerals extract`` makes of a read document: its clean text, offset map and JSON."""
    doc = minerals.extract(minerals.clean(copy.deepcopy(doc)))
    return json.dumps([doc.text, repr(doc.offsets.steps), doc.to_dict()], sort_keys=True, default=str, ensure_ascii=False)


def _example(text: str) -> Document:
    return Document(path="<example>", sha256="", raw=text, pages=[])


def _both(monkeypatch, docs: list[Document]) -> tuple[list[str], list[str]]:
    fast = [_output(d) for d in docs]
    monkeypatch.setattr(patterns, "PLAIN", True)
    plain = [_output(d) for d in docs]
    monkeypatch.setattr(patterns, "PLAIN", False)
    return fast, plain


def test_the_examples_come_out_the_same_from_both_scanners(monkeypatch):
    assert len(EXAMPLES) > 300
    fast, plain = _both(monkeypatch, [_example(t) for t in EXAMPLES])
    for text, a, b in zip(EXAMPLES, fast, plain):
        assert a == b, text


def test_the_corpus_comes_out_the_same_from_both_scanners(monkeypatch):
    docs = _corpus()
    assert len(docs) > 150
    fast, plain = _both(monkeypatch, docs)
    for doc, a, b in zip(docs, fast, plain):
        assert a == b, doc.path


def _disagreements(rule: patterns.Rule, texts: list[str]) -> list[str]:
    """The texts where ``rule`` finds otherwise than its regex alone: every match (``finditer``) and the first in
    windows (``search``), which end at the text's end, after each prefilter string and at random places."""
    rnd = random.Random(11)
    out = []
    for text in texts:
        ends = {len(text), *(rnd.randrange(len(text) + 1) for _ in range(10))}
        for s in (*rule.needs, *rule.opens, *rule.ends):
            ends |= {q + len(s) + k for q in patterns.find_all(text, [s]) for k in (0, 1, 2)}
        windows = [(max(0, hi - w), hi) for hi in sorted(e for e in ends if e <= len(text)) for w in (130, 40)]
        got = [[(m.span(), m.groups()) for m in rule.finditer(text)]]
        got += [(m := rule.search(text, lo, hi)) and (m.span(), m.groups()) for lo, hi in windows]
        want = [[(m.span(), m.groups()) for m in rule.rx.finditer(text)]]
        want += [(m := rule.rx.search(text, lo, hi)) and (m.span(), m.groups()) for lo, hi in windows]
        if got != want:
            out.append(text)
    return out


@pytest.fixture(scope="module")
def scan_texts() -> list[str]:
    for text in EXAMPLES:  # builds every rule
        minerals.extract(minerals.clean(_example(text)))
    return STRINGS + [d.raw for d in _corpus()]


@pytest.mark.parametrize("name", RULES)
def test_each_rule_finds_with_its_prefilter_what_it_finds_without(name, scan_texts):
    rule = patterns.rules()[name]
    assert rule.needs or rule.opens or rule.ends
    assert _disagreements(rule, scan_texts) == []


def test_every_rule_with_a_prefilter_is_checked(scan_texts):
    assert sorted(n for n, r in patterns.rules().items() if r.needs or r.opens or r.ends) == RULES


def test_a_wrong_prefilter_is_caught(scan_texts):
    """A rule whose ``opens`` forgets one way a match can start, or whose ``needs`` or ``ends`` lists a string
    some match lacks, finds less than its regex: both checks see it."""
    title = patterns.rules()["signature.title"]
    pre = patterns.rules()["citations.pre_issuer"]
    md = patterns.rules()["cleaning.markdown"]
    wrong = [patterns.Rule("wrong", title.rx, opens=tuple(o for o in title.opens if o != "GI")),
             patterns.Rule("wrong", pre.rx, ends=("tại",)),
             patterns.Rule("wrong", md.rx, opens=tuple(o for o in md.opens if o != "^|")),
             patterns.Rule("wrong", title.rx, needs=("KT",))]
    for rule in wrong:
        assert _disagreements(rule, scan_texts), rule


def test_a_wrong_prefilter_in_a_rule_file_makes_the_scanners_disagree(tmp_path):
    """The end-to-end proof: cleaning.json's markdown ``opens`` without "*" leaves the bold marks that the plain
    scanner strips."""
    rules = tmp_path / "patterns"
    shutil.copytree(patterns.PATTERNS_DIR, rules)
    spec = json.loads((rules / "cleaning.json").read_text(encoding="utf-8"))
    spec["markdown"]["opens"].remove("*")
    (rules / "cleaning.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text("Văn bản **Số hiệu:** 12/QĐ-UBND\n", encoding="utf-8")

    def text(**env):
        run = subprocess.run([sys.executable, "-m", "minerals", "text", str(doc)], capture_output=True, text=True,
                             env={**os.environ, "MINERALS_PATTERNS": str(rules), **env}, timeout=300, check=True)
        return run.stdout.strip()

    assert text(MINERALS_PLAIN_SCAN="1") == "Văn bản Số hiệu: 12/QĐ-UBND"
    assert text() == "Văn bản **Số hiệu:** 12/QĐ-UBND"
