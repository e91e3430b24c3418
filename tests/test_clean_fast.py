"""The fast paths of cleaning and reading find exactly what the plain patterns they replace would find."""

from __future__ import annotations

import importlib
import random
import re

import pytest

import minerals
from minerals import legacy, patterns
from minerals.readers import text as text_reader

from .conftest import CORPUS

C = importlib.import_module("minerals.clean")  # the module; ``minerals.clean`` is the function

# pieces that sit on the edges of the rules: spaces at line edges, marks, digits beyond ASCII (Arabic-Indic,
# Kawi, which only regex's newer Unicode calls a digit), \x1c (space to re, not to regex), form feeds, dots
_PIECES = [" ", "  ", "\t", "\n", "\n\n", " \n", "\n ", "\f", "*", "**", "***", "_", "__", "|", "#", "## ", "\\*",
           "[x](y)", "![a](b)", "[", "](", "-", "- 3 -", "\n12\n", "Trang 2/5", "\n# PAGE 4\n", "#PAGE 2", "..",
           "...", "1", "23", "٣", "\U00011f50", "\x1c", "\x1c*", "\u0301", "Ð", "\xa0", "\u200b", "của", "đình2",
           "nãm", "ngýời", "xã", "Bộ", "485/QĐ-", "UBND", "a) ", ":", ".", "|:-|", "<p>", "&amp;", "x"]


def _texts() -> list[str]:
    docs = [minerals.read(p).raw for d in ("seeds", "realdocs", "bulk") for p in sorted((CORPUS / d).glob("*.*"))
            if p.suffix in (".txt", ".md")]
    rnd = random.Random(20261128)
    made = ["".join(rnd.choice(_PIECES) for _ in range(rnd.randint(0, 30))) for _ in range(3000)]
    return docs + made


TEXTS = _texts()


@pytest.mark.parametrize("name", ["spaces", "markdown", "page_lines", "page_marks", "suspect_tokens", "score"])
def test_fast_path_finds_what_the_plain_pattern_finds(name):
    suspect = C._broken_font_rules()[2]
    for t in TEXTS:
        if name == "spaces":
            fast, plain = [e[:2] for e in C.collapse_spaces(t)], [m.span() for m in C._SPACES.finditer(t)]
        elif name == "markdown":
            fast, plain = [e[:2] for e in C.strip_markdown(t)], [m.span() for m in patterns.rules()["cleaning.markdown"].rx.finditer(t)]
        elif name == "page_lines":
            t = t.replace("\f", "")  # form feeds add edits of their own
            fast = [e[:2] for e in C.drop_page_furniture(t)]
            plain = [m.span() for m in C._PAGE_NUMBER_LINE.finditer(t)]
        elif name == "page_marks":
            fast, plain = text_reader._page_marks(t), [m.start() for m in text_reader._PAGE_MARK_RE.finditer(t)]
        elif name == "suspect_tokens":
            fast, plain = C._suspect_tokens(t), {tok for tok in set(t.split()) if not suspect.isdisjoint(tok)}
        else:
            words = [w.lower() for w in re.findall(r"[^\W\d_]+", t[:6000]) if not w.isascii()]
            fast = legacy.vietnamese_score(t)
            plain = sum(w in legacy.syllables() for w in words) / len(words) if words else 0.0
        assert fast == plain, repr(t[:200])


def test_unwrap_edits_sit_on_line_breaks():
    for t in TEXTS:
        breaks = {m.span() for m in C._BREAK.finditer(t)}
        assert {e[:2] for e in C.unwrap_lines(t)} <= breaks


def test_label_tail_check_never_skips_a_label():
    """quantities: a number is tested for a label or phone word before it only when a letter ends what stands
    before it once _LABEL_TAIL is stripped; every 'before' the two rules match passes that check."""
    Q = importlib.import_module("minerals.extract.quantities")
    _, _, _, _, label_rx, phone_rx = Q._rules()
    spec = Q._spec()
    rnd = random.Random(7)
    tails = [" ", "\t", "-", "–", ":", ".", ",", "(", ")", "+", "1", "23", "4.5", " số ", " và ", " and ", "số"]
    befores = [t[max(0, m.start() - 40) : m.start()] for t in TEXTS[:40] for m in Q._CANDIDATE.finditer(t)]
    for _ in range(5000):
        word = rnd.choice(spec["label_words"] + spec["phone_words"] + ["|", "x", "Điều"])
        befores.append(rnd.choice(_PIECES) + word + "".join(rnd.choice(tails) for _ in range(rnd.randint(0, 6))))
    matched = 0
    for before in befores:
        if label_rx.search(before) or phone_rx.search(before):
            matched += 1
            assert before.rstrip(Q._LABEL_TAIL)[-1:].isalpha(), repr(before)
    assert matched > 1000  # the check was put to the test
