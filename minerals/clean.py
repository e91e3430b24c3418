"""Cleaning: named steps from the text as read to the text every extractor sees, with an offset map back.

Each step returns the edits it makes (start, end, replacement) on its input; ``apply_edits`` turns them
into the new text and a ``StepMap``, so ``Document.offsets`` can map any clean offset back to the raw text
(eyecite's ``clean_text`` + ``SpanUpdater``). Steps run in the order of ``STEPS``.
"""

from __future__ import annotations

import bisect
import functools
import html
import re as stdlib_re
from collections.abc import Callable, Iterable

import regex

from . import patterns
from .legacy import syllables
from .models import Document, OffsetMap, StepMap

Edit = tuple[int, int, str]


def apply_edits(name: str, text: str, edits: Iterable[Edit]) -> tuple[str, StepMap | None]:
    """Apply sorted, non-overlapping edits; return the new text and its StepMap (None when nothing changed)."""
    out: list[str] = []
    ns: list[int] = []
    ne: list[int] = []
    os_: list[int] = []
    oe: list[int] = []
    last = 0
    pos = 0
    for start, end, repl in edits:
        if start < last or (end == start and not repl) or text[start:end] == repl:
            continue
        out.append(text[last:start])
        pos += start - last
        ns.append(pos)
        os_.append(start)
        oe.append(end)
        out.append(repl)
        pos += len(repl)
        ne.append(pos)
        last = end
    if not ns:
        return text, None
    out.append(text[last:])
    return "".join(out), StepMap(name, tuple(ns), tuple(ne), tuple(os_), tuple(oe))


# --- html -------------------------------------------------------------------------------------------------
# vbpl.vn fragments (realdocs 013, 014): block tags end lines, so "QUYẾT ĐỊNH</p><p>VỀ" does not run together.
# The last alternative skips a lone " " between words (it would be replaced by itself): most of the tokens.
_HTML_TOKEN = regex.compile(
    r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);"
    r"|(?! (?!\s))\s+",
    regex.DOTALL | regex.IGNORECASE,
)
_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "title"}
_CELL_TAGS = {"td", "th"}
_LOOKS_HTML = regex.compile(r"<(?:p|div|br|td|span|table)\b[^>]*>", regex.IGNORECASE)


def strip_html(text: str) -> Iterable[Edit]:
    if text.count("<", 0, 200000) < 3:  # each _LOOKS_HTML match starts at its own "<": no need to look
        return
    if len(_LOOKS_HTML.findall(text[:200000])) < 3:
        return
    for m in _HTML_TOKEN.finditer(text):
        tok = m[0]
        if tok[0] == "<":
            tag = (m[3] or "").lower()
            if tag in _BLOCK_TAGS:
                yield m.start(), m.end(), "\n"
            elif tag in _CELL_TAGS and m[2]:
                yield m.start(), m.end(), " | "
            else:
                yield m.start(), m.end(), ""
        elif tok[0] == "&":
            yield m.start(), m.end(), html.unescape(tok)
        elif tok != " ":
            yield m.start(), m.end(), " "


# --- markdown ---------------------------------------------------------------------------------------------
# thuvienphapluat pages crawled to Markdown (realdocs 004-008, 011): **bold**, # headings, lone "|" table lines.
@functools.cache
def _markdown() -> patterns.Rule:
    """patterns/cleaning.json's markdown rule, tried only where a mark can open (read at first use)."""
    spec = patterns.load("cleaning")["markdown"]
    return patterns.rule("cleaning.markdown", spec["regex"], spec)


def strip_markdown(text: str) -> Iterable[Edit]:
    n = len(text)
    edits = []
    for m in _markdown().finditer(text):
        start, end = m.span()
        mark = m[0][0]
        if mark in "[!":  # ![alt](...) or [text](...): keep the text
            edits.append((start, end, m[1] or ""))
        elif mark in "*_" and 0 < start and end < n and not (text[start - 1].isspace() or text[end].isspace()):
            edits.append((start, end, " "))  # "TT-BTC****Quy định": two runs of bold, two words
        else:
            edits.append((start, end, ""))
    return edits


# --- look-alike characters --------------------------------------------------------------------------------
def fix_lookalikes(text: str) -> Iterable[Edit]:
    # the map's keys are single characters: str.find per character is ~7x faster than a regex class scan
    edits = []
    for char, repl in _lookalike_map().items():
        i = text.find(char)
        while i >= 0:
            edits.append((i, i + 1, repl))
            i = text.find(char, i + 1)
    edits.sort()
    return edits


@functools.cache
def _lookalike_map() -> dict[str, str]:
    return patterns.load("cleaning")["lookalikes"]["map"]


# --- broken-font syllables --------------------------------------------------------------------------------


def repair_broken_font(text: str) -> Iterable[Edit]:
    table, trans, suspect = _broken_font_rules()
    lex = syllables()
    # the words of the text with a suspect letter, read only from the tokens that hold one
    words = {w for tok in _suspect_tokens(text) for w in _WORDS.findall(tok)}
    broken = {w for w in words if not suspect.isdisjoint(w) and w.lower() not in lex and w.translate(trans).lower() in lex}
    if not broken:
        return
    for m in stdlib_re.finditer(r"(?<!\w)(?:" + "|".join(map(stdlib_re.escape, broken)) + r")(?!\w)", text):
        yield m.start(), m.end(), m[0].translate(trans)


@functools.cache
def _broken_font_rules() -> tuple[dict[str, str], dict, frozenset[str]]:
    table: dict[str, str] = patterns.load("cleaning")["broken_font"]["map"]
    return table, str.maketrans(table), frozenset(table)


def _suspect_tokens(text: str) -> set[str]:
    """The tokens of ``text.split()`` that hold a suspect letter, found from the (few) letters outward.

    ~10x faster than splitting the whole text (str.find per letter is faster still than a regex class); each
    token is walked once (later letters inside it are skipped).
    """
    hits = []
    for letter in _broken_font_rules()[2]:
        i = text.find(letter)
        while i >= 0:
            hits.append(i)
            i = text.find(letter, i + 1)
    tokens = set()
    end = 0
    n = len(text)
    for i in sorted(hits):
        if i < end:
            continue  # inside the token just taken
        start = i
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        end = i + 1
        while end < n and not text[end].isspace():
            end += 1
        tokens.add(text[start:end])
    return tokens


_WORDS = stdlib_re.compile(r"[^\W\d_]+")


# --- footnote marks ---------------------------------------------------------------------------------------
_FOOTNOTE_AFTER_WORD = regex.compile(r"(?<=\p{Ll}{2,})(\d{1,2})(?=[.,;:]?(?:\s|$))")
_LAST_WORD = regex.compile(r"\p{L}+$")
_FOOTNOTE_AFTER_DOTS = regex.compile(r"(?<=\d\.{2,})(\d{1,2})(?=\s|$)")
_DOTS = stdlib_re.compile(r"\.\.+")


def drop_footnote_marks(text: str) -> Iterable[Edit]:
    lex = syllables()
    edits = []
    for m in _FOOTNOTE_AFTER_WORD.finditer(text):
        w = _LAST_WORD.search(text, max(0, m.start() - 12), m.start())
        if w and w[0].lower() in lex:
            edits.append((m.start(), m.end(), ""))
    # a mark after dots starts where a run of 2+ dots ends: try only there (~5x faster than scanning the text)
    for run in _DOTS.finditer(text):
        if m := _FOOTNOTE_AFTER_DOTS.match(text, run.end()):
            edits.append((m.start(), m.end(), ""))
    return sorted(edits)


# --- page furniture ---------------------------------------------------------------------------------------
_PAGE_NUMBER_LINE = regex.compile(
    r"(?m)^[ \t]*(?:-[ \t]*\d{1,3}[ \t]*-|\d{1,3}|(?:Trang|Page|#+[ \t]*PAGE)[ \t]+\d{1,4}(?:[ \t]*/[ \t]*\d{1,4})?)[ \t]*$\n?"
)


# The same lines, after their line break, with every \d widened to D, [0-9] or non-ASCII (which holds regex's \d
# whatever its Unicode version): stdlib ``re`` jumps from line break to line break, ~4x faster than ``regex``
# trying the pattern at every position.
_PAGE_NUMBER_CANDIDATE = stdlib_re.compile(
    r"(?m)\n[ \t]*(?:-[ \t]*D{1,3}[ \t]*-|D{1,3}|(?:Trang|Page|#+[ \t]*PAGE)[ \t]+D{1,4}(?:[ \t]*/[ \t]*D{1,4})?)"
    r"[ \t]*$".replace("D", r"[^\x00-/:-\x7f]")
)


def drop_page_furniture(text: str) -> Iterable[Edit]:
    # a match covers one line (and its line break), so matching at each candidate line start is finditer's result
    edits = []
    for line_start in (0, *(c.start() + 1 for c in _PAGE_NUMBER_CANDIDATE.finditer(text))):
        if m := _PAGE_NUMBER_LINE.match(text, line_start):
            edits.append((m.start(), m.end(), ""))
    if "\f" not in text:
        return edits  # sorted and distinct already; the rest is about form feeds
    edits += [(m.start(), m.end(), "\n") for m in regex.finditer("\f", text)]
    edits += list(_running_heads(text))
    return sorted(set(edits))


def _running_heads(text: str) -> Iterable[Edit]:
    """Short lines repeated at most page breaks (running heads and feet of PDF exports)."""
    breaks = [m.start() for m in regex.finditer("\f", text)]
    if len(breaks) < 2:
        return
    counts: dict[str, int] = {}
    for b in breaks:
        before = text[max(0, b - 300) : b].strip().rsplit("\n", 1)[-1].strip()
        after = text[b + 1 : b + 301].strip().split("\n", 1)[0].strip()
        for line in {before, after}:
            if 0 < len(line) < 100:
                counts[line] = counts.get(line, 0) + 1
    heads = {line for line, n in counts.items() if n >= max(2, len(breaks) // 2) and not line.isdigit()}
    for line in heads:
        for m in regex.finditer(r"(?m)^[ \t]*" + regex.escape(line) + r"[ \t]*$\n?", text):
            yield m.start(), m.end(), ""


# --- unwrapping hard line breaks --------------------------------------------------------------------------
_BREAK = regex.compile(r"[ \t]*\n(?:[ \t]*\n)*[ \t]*")  # the rule; found faster by unwrap_lines
# _BREAK from its first line break on: a pattern that starts with "\n" is found by a fast scan, not tried at
# every position; the spaces before the "\n" are added back by hand (see unwrap_lines).
_BREAK_FROM_NL = stdlib_re.compile(r"\n(?:[ \t]*\n)*[ \t]*")
# a line that opens a list item, an article or a table row (also where citations' clauses end)
LIST_START = regex.compile(
    r"(?:[-+•*–]\s|\d{1,2}(?:\.\d{1,2})*[.)]\s|[a-zđ]\)\s|[IVXLC]{1,5}[.)]\s|(?:Điều|Chương|Mục|Phần|PHẦN|CHƯƠNG)\s+[\dIVXLC]|\|)"
)
_UPPER_OR_DIGIT = regex.compile(r"[\p{Lu}\d]")
_LOWER_OR_DIGIT = regex.compile(r"[\p{Ll}\d(]")
_END_PUNCT = regex.compile(r"[.:;!?…]['\"”)\]]*$", regex.REVERSE)
_END_PUNCT_LAST = ".:;!?…'\"”)]"  # the characters a _END_PUNCT match can end with
# A line ending in one of these cannot end a paragraph ("của Bộ trưởng Bộ" ⏎ "Tài chính", realdocs 004; "của Văn
# phòng" ⏎ "Chính phủ", "đề nghị của Giám đốc" ⏎ "Sở Khoa học và Công nghệ", realdocs/archive).
_DANGLING = regex.compile(
    r"(?:[,–-]|(?<!\p{L})(?:và|của|số|ngày|tháng|năm|về|tại|theo|các|những|với|cho|Bộ|Sở|Ban|Cục|Phòng|Ủy ban|"
    r"Hội đồng|Thủ tướng|Bộ trưởng|Chủ tịch|Nghị định|Quyết định|Thông tư|Chỉ thị|Nghị quyết|Kế hoạch|Công văn|Luật|"
    r"Văn phòng|Giám đốc|Chủ nhiệm|Trung tâm))$",
    regex.REVERSE,  # anchored at the end: searched from the end
)
_NUMBER_CUT = regex.compile(r"\d[\d.]*\s*/[\p{L}\d&/-]*[-/]$", regex.REVERSE)


def unwrap_lines(text: str) -> Iterable[Edit]:
    """Join hard-wrapped lines into paragraphs; a break stays where a sentence, heading or list item ends.

    PDF text exports (the seeds) wrap at a fixed width, with blank lines between lines, so blank lines do not
    mark paragraphs; a line much shorter than the wrap width does.
    """
    lengths = sorted(n for n in map(len, map(str.strip, text.split("\n"))) if n)  # the non-blank lines
    if len(lengths) < 2:
        return
    width = lengths[int(len(lengths) * 0.9)]
    wrapped = width >= 40 and len(lengths) - bisect.bisect_left(lengths, 0.75 * width) >= 0.4 * len(lengths)
    n = len(text)
    end = 0
    for m in _BREAK_FROM_NL.finditer(text):  # _BREAK's matches: add the spaces before the line break
        start = m.start()
        while start > end and text[start - 1] in " \t":
            start -= 1
        end = m.end()
        if start == 0 or end >= n or (end - start == 1 and text[start - 1] in ".:;!?…"):
            continue  # a lone line break after a sentence: already a paragraph break
        line_start = text.rfind("\n", 0, start) + 1
        prev_len = start - line_start
        prev_line = text[max(line_start, start - 60) : start].strip()  # its end is all the rules look at
        if not prev_line:
            continue
        nxt = text[end : end + 40]
        last = prev_line[-1]  # _NUMBER_CUT and _END_PUNCT are anchored at the end: test its last character first
        if last in "-/" and _NUMBER_CUT.search(prev_line) and _UPPER_OR_DIGIT.match(nxt):
            yield start, end, ""  # "485/QĐ-" ⏎ "UBND"
        elif (
            (last in _END_PUNCT_LAST and _END_PUNCT.search(prev_line))
            or LIST_START.match(nxt)
            or last == "|"
        ):
            yield start, end, "\n"
        elif _is_heading(text[line_start:start].strip()):
            yield start, end, "\n"
        elif _LOWER_OR_DIGIT.match(nxt) or _DANGLING.search(prev_line):
            yield start, end, " "
        elif wrapped and prev_len >= 0.7 * width:
            yield start, end, " "
        else:
            yield start, end, "\n"


def _is_heading(line: str) -> bool:
    return line.isupper() and len(line) >= 3


# --- spaces -----------------------------------------------------------------------------------------------
_SPACES = regex.compile(r"[ \t]{2,}|(?m)^[ \t]+|(?m)[ \t]+$")  # the rule; found faster by collapse_spaces


def collapse_spaces(text: str) -> Iterable[Edit]:
    """``_SPACES``'s matches, the runs of spaces/tabs 2+ long or at a line's edge: one space, none at the edge.

    Such a run holds "  " or a tab, or touches a line break or an end of the text, so str.find of those few
    probes finds them all; ~3x faster than any regex, which stops at every space between words.
    """
    n = len(text)
    runs: dict[int, int] = {}
    for probe, at in (("  ", 0), ("\t", 0), ("\n ", 1), (" \n", 0)):
        i = text.find(probe)
        while i >= 0:
            start, end = _space_run(text, i + at)
            runs[start] = end
            i = text.find(probe, end)
    for i in (0, n - 1):
        if n and text[i] in " \t":
            start, end = _space_run(text, i)
            runs[start] = end
    edits = []
    for start in sorted(runs):
        end = runs[start]
        at_edge = start == 0 or text[start - 1] == "\n" or end == n or text[end] == "\n"
        if at_edge or end - start >= 2:
            edits.append((start, end, "" if at_edge else " "))
    return edits


def _space_run(text: str, i: int) -> tuple[int, int]:
    """The run of spaces and tabs around ``text[i]``."""
    start, end = i, i + 1
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    while end < len(text) and text[end] in " \t":
        end += 1
    return start, end


Step = Callable[[str], Iterable[Edit]]

STEPS: dict[str, Step] = {
    "html": strip_html,
    "markdown": strip_markdown,
    "lookalikes": fix_lookalikes,
    "broken_font": repair_broken_font,
    "page_furniture": drop_page_furniture,
    "footnote_marks": drop_footnote_marks,
    "unwrap": unwrap_lines,
    "spaces": collapse_spaces,
}


def clean_text(text: str, steps: Iterable[str] = tuple(STEPS)) -> tuple[str, OffsetMap]:
    """Run the named cleaning steps on ``text``; returns the clean text and the map back to ``text``."""
    omap = OffsetMap()
    for name in steps:
        try:
            step = STEPS[name]
        except KeyError:
            raise ValueError(f"unknown cleaning step {name!r}; valid: {', '.join(STEPS)}") from None
        text, smap = apply_edits(name, text, sorted(step(text)))
        if smap is not None:
            omap.steps.append(smap)
    lead = len(text) - len(text.lstrip("\n"))
    trail = len(text) - len(text.rstrip("\n"))
    text, smap = apply_edits("trim", text, [(0, lead, ""), (len(text) - trail, len(text), "")] if trail else [(0, lead, "")])
    if smap is not None:
        omap.steps.append(smap)
    return text, omap


def clean(doc: Document, steps: Iterable[str] = tuple(STEPS)) -> Document:
    """Fill ``doc.text`` and ``doc.offsets`` from ``doc.raw``; a text that no OCR of ours read but that reads
    like OCR output is marked ``ocr_like`` (its citations get the repairs of OCR pages) and says so."""
    doc.text, doc.offsets = clean_text(doc.raw, steps)
    if not any(p.method == "ocr" for p in doc.pages):
        share = odd_word_share(doc.text)
        doc.ocr_like = share >= patterns.load("ocr")["reads_like_ocr"]["odd_share"]
        if doc.ocr_like:
            doc.warnings.append(f"the text reads like OCR output ({share:.0%} of its words hold a letter or sign no "
                                "Vietnamese word has): read as OCR")
    return doc


def odd_word_share(text: str) -> float:
    """The share of the words in (a sample of) ``text`` that hold a letter of no Vietnamese word ("thäng", "mδt")
    or a sign or digit among letters ("tru&ng", "s6"): patterns/ocr.json ``reads_like_ocr``. One regex pass
    over the sample (a per-word loop cost a fifth of the whole pipeline)."""
    sample = text[: patterns.load("ocr")["reads_like_ocr"]["sample"]]
    odd_letters = any(c.isalpha() for c in set(sample).difference(_plain_chars()))
    if not odd_letters and not (any(c in sample for c in "&@'’") and _odd_word_regex(bare=True).search(sample)):
        return 0.0  # most texts: no letter outside Vietnamese and ASCII, no sign among letters
    tokens = sample.split()
    words = len(tokens) - sum(map(str.isdigit, tokens))
    if words <= 0:
        return 0.0
    return min(1.0, len(_odd_word_regex().findall(sample)) / words)


@functools.cache
def _plain_chars() -> frozenset[str]:
    letters = patterns.load("ocr")["reads_like_ocr"]["alphabet"]
    return frozenset(letters + letters.upper() + "".join(map(chr, range(128))) + "–—“”‘’…•·\u00a0")


@functools.cache
def _odd_word_regex(bare: bool = False) -> regex.Pattern:
    """A word with an odd letter or sign (``bare``: only the letter or sign itself, found faster)."""
    letters = patterns.load("ocr")["reads_like_ocr"]["alphabet"]
    alphabet = regex.escape(letters + letters.upper())
    odd = rf"[[^\W\d_]--[{alphabet}]]|\p{{Ll}}[&@'’]\p{{Ll}}"  # "tru&ng"; not "TB&XH", "KH&CN"
    short = r"(?<!\S)[^\W\d_]{1,3}\d(?=[.,;:)]?(?!\S))"
    return regex.compile(rf"(?V1){odd}|{short}" if bare else rf"(?V1)(?<!\S)\S*?(?:{odd})\S*|{short}")


__all__ = ["STEPS", "apply_edits", "clean", "clean_text", "odd_word_share"]
