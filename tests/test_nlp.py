"""The NLP layer: tokens with true offsets, entities, document metadata, citation issuers, and the HTML view."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import minerals
from minerals import patterns
from minerals.cli import app
from minerals.names import normalize_entity
from minerals.nlp import make_nlp

from .conftest import CORPUS, corpus_file
from .underthesea_align import underthesea_doc


def test_doc_text_equals_clean_text(processed):
    nlp = make_nlp()
    for doc in list(processed.values())[:8]:
        assert nlp.make_doc(doc.text).text == doc.text


def test_tokens_are_the_regex_tokens(processed):
    """The tokens are ``TOKEN``'s, and the word list the entity rules read is the Doc's."""
    from minerals.nlp.tokenizer import TOKEN, doc_words

    nlp = make_nlp()
    for doc in processed.values():
        sdoc = nlp.make_doc(doc.text)
        assert [t.text for t in sdoc if not t.is_space] == TOKEN.findall(doc.text), doc.path
        assert doc_words(sdoc) == [t.text for t in sdoc]


def _one_regex_split(text):
    """What split_words computes, the plain way: the regex split of the whole text, a space flag per token."""
    from minerals.nlp.tokenizer import SPLIT

    parts = SPLIT.split(text)  # gap, token, gap, …, gap
    words, spaces = ([parts[0]], [False]) if parts[0] else ([], [])
    for token, gap in zip(parts[1::2], parts[2::2]):
        words.append(token)
        spaces.append(gap == " ")
        if gap and gap != " ":
            words += [gap]
            spaces += [False]
    return words, spaces


@pytest.mark.parametrize("text", ["", " ", "  ", "\n", "a", " a", "a ", " a  b\n c", "Sở LĐ-TB&XH,  tỉnh\n\n| 1 |",
                                  "ngày 15/11/2024 ", "a\u00a0b c_d", "x\u0301y  .", " \n 2.5%"])
def test_split_words_is_the_regex_split(text, processed):
    """The tokenizer cuts at spaces before the regex (faster); its tokens and space flags are the whole-text
    regex split's, on edge cases and on every corpus document."""
    from minerals.nlp import split_words

    assert split_words(text) == _one_regex_split(text)
    if text == "":
        for doc in processed.values():
            assert split_words(doc.text) == _one_regex_split(doc.text), doc.path


def test_names_need_no_spacy():
    """citations, metadata, resolve and evaluate normalize names through minerals.names without loading spaCy."""
    code = "import sys, minerals.names; print(sorted(m for m in sys.modules if m.split('.')[0] == 'spacy'))"
    env = {**os.environ, "PYTHONPATH": str(Path(minerals.__file__).parent.parent)}  # this checkout's minerals
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"


def test_extensions_are_declared_once():
    """Importing the extensions again leaves the declared ones as they are (no "already exists" error)."""
    import importlib

    from spacy.tokens import Doc, Span

    import minerals.nlp.extensions as extensions

    importlib.reload(extensions)
    assert all(Doc.has_extension(n) for n in ("text", "words", "entities")) and Span.has_extension("normalized")
    assert make_nlp()("UBND tỉnh Cao Bằng").ents[0]._.normalized == "Ủy ban nhân dân tỉnh Cao Bằng"


def test_entity_tuples_are_the_docs_entities(processed):
    """minerals.extract reads the component's tuples; spaCy users read doc.ents: they are the same entities."""
    nlp = make_nlp()
    seen = 0
    for doc in list(processed.values())[:8]:
        sdoc = nlp(doc.text)
        assert sdoc._.entities == [(e.start_char, e.end_char, e.label_, e._.normalized) for e in sdoc.ents]
        seen += len(sdoc.ents)
    assert seen > 30


def test_a_pipeline_without_token_flags_finds_the_same_entities(processed):
    """minerals.extract runs the pipeline whose tokens carry no lexical flags (cheaper new words); its entities
    are those of the full pipeline, so no rule reads a flag the lean vocabulary does not compute."""
    full, lean = make_nlp(), make_nlp(token_flags=False)
    assert lean is not full and len(lean.vocab.lex_attr_getters) < len(full.vocab.lex_attr_getters)
    seen = 0
    for doc in processed.values():
        entities = full(doc.text)._.entities
        assert lean(doc.text)._.entities == entities, doc.path
        seen += len(entities)
    assert seen > 100
    # "số 17 Nguyễn Gia Thiều": the rule that makes a street of a name after a figure reads like_num from the
    # string, not from a lexeme flag the lean vocabulary leaves unset
    address = "trụ sở tại số 17 Nguyễn Gia Thiều"
    assert [(e.text, e.label_) for e in lean(address).ents] == [("Nguyễn Gia Thiều", "LOC")]
    assert lean.vocab["17"].like_num is False and full.vocab["17"].like_num is True


def test_entities_of_an_annotated_doc_are_replaced():
    """A fresh Doc skips spaCy's reset of every token; a Doc run through again still loses stale entities."""
    from spacy.tokens import Span

    nlp = make_nlp()
    doc = nlp("Sở Nội vụ tỉnh Bình Thuận phối hợp với ông Nguyễn Văn An")
    first = [(e.text, e.label_) for e in doc.ents]
    assert ("Sở Nội vụ tỉnh Bình Thuận", "ORG") in first and ("Nguyễn Văn An", "PER") in first
    doc.set_ents([Span(doc, 6, 7, label="LOC")], default="unmodified")  # "phối": a stale, wrong entity
    again = nlp.get_pipe("minerals_entities")(doc)
    assert [(e.text, e.label_) for e in again.ents] == first


def test_underthesea_words_aligned_and_numbers_whole():
    text = "Căn cứ Nghị định số 126/2007/NĐ-CP ngày 01/8/2007 của Chính phủ về Thoả thuận"
    doc = underthesea_doc(text, fixed=["126/2007/NĐ-CP"])
    assert doc.text == text
    words = [t.text for t in doc]
    assert "126/2007/NĐ-CP" in words and "Nghị định" in words and "Chính phủ" in words
    assert "Thoả thuận" in words  # underthesea writes "Thỏa thuận"; the token keeps the text's spelling


@pytest.mark.parametrize(("text", "label", "span"), patterns.load("organisations")["examples"])
def test_entity_examples(text, label, span):
    doc = make_nlp()(text)
    assert (span, label) in [(e.text, e.label_) for e in doc.ents], [(e.text, e.label_) for e in doc.ents]


def test_abbreviations_normalize_to_one_entity():
    for text, full in patterns.load("abbreviations")["examples"]:
        assert normalize_entity(text, "ORG") == full
    assert normalize_entity("SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "ORG") == "Sở Lao động - Thương binh và Xã hội"


def test_entity_patterns_are_built_from_their_data():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", CORPUS.parent / "tools" / "build_entity_patterns.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    any_case, exact_case = build.build()
    assert (patterns.PATTERNS_DIR / "entities.jsonl").read_text(encoding="utf-8") == build.render(any_case)
    assert (patterns.PATTERNS_DIR / "places.jsonl").read_text(encoding="utf-8") == build.render(exact_case)


def test_places_before_and_after_the_2025_merger():
    provinces = patterns.load("places")["provinces"]
    assert sum(p["before_2025"] for p in provinces) == 63
    assert sum(p["after_2025"] for p in provinces) == 34
    assert {p["name"]: p["merged_into"] for p in provinces}["Hà Giang"] == "Tuyên Quang"


def test_show_writes_a_page_chromium_renders(tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the README's commands install Debian's chromium"
    out = tmp_path / "seed004.html"
    result = CliRunner().invoke(app, ["show", str(corpus_file("004_5")), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "http" not in page.split("<main", 1)[0]  # self-contained: nothing fetched
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count('data-kind="citation"') >= 9 and 'data-kind="ORG"' in dom and 'data-kind="date"' in dom
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1200,900", out.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000
    title = json.loads(__import__("html").unescape(page.split('data-kind="citation" title="', 1)[1].split('"', 1)[0]))
    assert title["doc_type"] and title["number"]


