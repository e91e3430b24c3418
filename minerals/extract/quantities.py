"""Quantities: counts, money, percentages, ratios and measures, with the counted noun as unit.

Numbers are found by rules on the clean text; only the few words after a number are given to underthesea's
``word_tokenize`` to tell where the counted noun ends ("10 hội nghị", "650 người tham dự") — never the
whole text. Years, dates, document numbers, labels ("Điều 3", "Dự án 5"), ordinals and phone numbers are
not quantities (``patterns/quantities.json``).
"""

from __future__ import annotations

import bisect
import functools
import re as stdlib_re

import regex

from .. import patterns
from ..errors import MalformedNumber
from ..models import Document, Quantity
from ..spans import SpanSet
from .numbers import parse_number, parse_words

_NUM = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)*"
_CANDIDATE = regex.compile(
    r"(?<![\p{L}\d.,/\-–])(?P<n>" + _NUM + r")(?:[ \t]*/[ \t]*(?P<of>" + _NUM + r"))?(?![\d/]|[.,]\d|\p{L})"
    r"|(?<![\p{L}\d.,/])(?P<n2>" + _NUM + r")(?=[ \t]*%)"
)
# plain, in Python's re: regex first looks for the "%" it requires, through the rest of the text, at every call
_PCT = stdlib_re.compile(r"[ \t]*%")
_LABEL_TAIL = " \t-–:.,()+0123456789"  # what the label and phone rules allow after their word (_rules)
_SPACE = regex.compile(r"[ \t]*")
_WORD_AFTER = regex.compile(r"[ \t]*(?P<w>[\p{L}][\p{L}\d²³]*(?:[ \t]+[\p{L}][\p{L}]*){0,3})")
_WORDS_IN_PARENS = regex.compile(r"[ \t]*\((?P<w>[\p{L} ]{3,80}?)(?:[ \t]+(?:đồng|VNĐ|USD))?\)")


@functools.cache
def _spec() -> dict:
    return patterns.load("quantities")


@functools.cache
def _rules():
    spec = _spec()
    alt = lambda words: "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))  # noqa: E731
    scale = regex.compile(r"[ \t]+(?P<s>" + alt(spec["scales"]) + r")(?![\p{L}])")
    currency = regex.compile(r"[ \t]*(?P<c>" + alt(spec["currencies"]) + r")(?![\p{L}\d])")
    measure = regex.compile(r"[ \t]*(?P<u>" + alt(spec["measure_units"]) + r")(?![\p{L}\d])")
    # these three end at the number: searched backwards (REVERSE) they fail fast
    qualifier = regex.compile(r"(?<![\p{L}])(?P<q>" + alt(spec["qualifiers"]) + r")[ \t]+\Z", regex.IGNORECASE | regex.REVERSE)
    # a label, maybe followed by earlier numbers of a list of labels ("Điều 216, 217, 219", "Covid – 19")
    label = regex.compile(
        r"(?<![\p{L}])(?:" + alt(spec["label_words"]) + r")[ \t]*[-–]?[ \t]*(?:số[ \t]*)?[:.]?[ \t]*"
        r"(?:\d+[.\d]*[ \t]*(?:,|và|and|-)[ \t]*)*\Z", regex.REVERSE
    )
    phone = regex.compile(r"(?<![\p{L}])(?:" + alt(spec["phone_words"]) + r")[ \t:.]*(?:[\d .()+-]{0,20})\Z", regex.REVERSE)
    return scale, currency, measure, qualifier, label, phone


@functools.cache
def _unit_word(window: str) -> str | None:
    """The noun underthesea finds first in the few words after a number ("hội nghị tham dự" → "hội nghị");
    ``None`` when the first word is not a common noun ("đến", "trên", "vì": nothing is counted)."""
    from underthesea import pos_tag

    tagged = pos_tag(window)
    if not tagged:
        return None
    word, tag = tagged[0]
    if tag.startswith("N") and tag != "Np":
        return word.lower()
    if tag == "M" and word.lower() not in _spec()["number_words"] and not word[:1].isdigit():
        return word.lower()  # unit nouns underthesea tags as numerals: "lượt", "lần"
    return None


def get_quantities(doc: Document, exclude: list[tuple[int, int]] = ()) -> list[Quantity]:
    """Every quantity in ``doc.text`` outside ``exclude`` (citation numbers and dates)."""
    text = doc.text or ""
    scale_rx, currency_rx, measure_rx, qualifier_rx, label_rx, phone_rx = _rules()
    spans = SpanSet(exclude)
    out: list[Quantity] = []
    headers: dict[tuple[int, int], list[str] | None] = {}
    for m in _CANDIDATE.finditer(text):
        start = m.start()
        if spans.overlaps(start, m.end()):
            continue
        raw = m["n"] or m["n2"]
        before = text[max(0, start - 40) : start]
        # a label or phone word ends in a letter, and only _LABEL_TAIL characters stand between it and the number:
        # a number after anything else (a table's "|", most of them) cannot follow one
        worded = before.rstrip(_LABEL_TAIL)[-1:].isalpha()
        if (worded and (label_rx.search(before) or phone_rx.search(before))) or _is_list_label(text, start, m.end()):
            continue
        try:
            value = parse_number(raw)
            of = parse_number(m["of"]) if m["of"] else None
        except MalformedNumber:
            doc.warnings.append(f"malformed number {text[start:m.end()]!r} at {start}: not parsed")
            continue
        end = m.end()
        kind, unit = "count", None
        rng = _RANGE_TO.match(text, end) if not m["of"] else None
        probe = rng.end() if rng else end  # the first number of a range takes the unit of the second
        cell = _table_column(text, start, m.end(), headers)
        if cell == "skip":
            continue
        if cell is not None:
            kind, unit = cell[:2]
            if len(cell) > 2:
                value = value * cell[2]  # "Kinh phí (triệu đồng)": the column's scale
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out.append(Quantity(text=text[start:end], value=value, of=None, unit=unit, kind=kind, qualifier=None,
                                start=start, end=end, page=doc.page_at(start)))
            continue
        pct = _PCT.match(text, probe)
        if pct and not m["of"]:
            kind, unit, end = "percent", "%", pct.end() if not rng else end
        else:
            sc = scale_rx.match(text, probe)
            if sc:
                value = value * _spec()["scales"][sc["s"]]
                end = sc.end() if not rng else end
                probe = sc.end()
            cur = currency_rx.match(text, probe)
            if cur:
                kind, unit, end = "money", _spec()["currencies"][cur["c"]], cur.end() if not rng else end
            elif not m["of"] and (mu := measure_rx.match(text, probe)) and not _is_date_word(text, mu):
                kind, unit, end = "measure", mu["u"], mu.end() if not rng else end
            else:
                unit = _counted_noun(text, probe)
                if unit is None or _is_code(raw):
                    continue  # nothing counted: a bare number, a year, a code, an address
            if m["of"]:
                kind = "ratio"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        q = qualifier_rx.search(before)
        out.append(Quantity(text=text[start:end], value=value, of=of, unit=unit, kind=kind,
                            qualifier=q["q"].lower() if q else None, start=start, end=end, page=doc.page_at(start)))
        if kind == "money":
            _check_words(doc, text, out[-1])
    return out


def _is_list_label(text: str, s: int, e: int) -> bool:
    """'1.' or '2)' opening a line, or a heading number like '1.1'."""
    line_start = text.rfind("\n", 0, s) + 1
    return not text[line_start:s].strip(" \t-+*|") and _LABEL_END.match(text, e, e + 2) is not None


_LABEL_END = regex.compile(r"[.)][ \t]|\.\d|[.)]$")
_DATE_AFTER_WORD = regex.compile(r"[ \t]*(?:\d|đầu|cuối|trước|sau|này|nay|qua|tới)")
_YEAR_ONLY = regex.compile(r"(?:19|20)\d\d")


def _is_date_word(text: str, mu: regex.Match) -> bool:
    """'tháng 6', '6 tháng đầu năm', 'năm 2021': a date, not a duration."""
    u = mu["u"]
    if u not in ("năm", "tháng", "ngày", "quý"):
        return False
    return _DATE_AFTER_WORD.match(text, mu.end(), mu.end() + 12) is not None


def _is_code(raw: str) -> bool:
    """'028', '0315459414': a leading zero on three or more digits is a phone number or a code."""
    return len(raw) >= 3 and raw[0] == "0" and raw.isdigit()


_RANGE_TO = regex.compile(r"[ \t]*(?:%[ \t]*)?(?:đến|tới|-|–)[ \t]*(?:" + _NUM + r")")
_CELL_NUMBER = regex.compile(r"[ \t]*(?:" + _NUM + r")[ \t]*")


def _table_column(text: str, s: int, e: int, headers: dict[tuple[int, int], list[str] | None]):
    """For a number that fills a table cell ("| 1 | Giá Khám bệnh | 52.600 |"): ("money", "đồng") or
    ("percent", "%") from its column header, "skip" for row-number and code columns, else ``None``.
    ``headers`` remembers the document's header rows by (row start, width)."""
    last = headers.get("line")  # numbers come in order: the line of the last one is usually this one's
    if last is not None and last[0] <= s and e <= last[1]:
        line_start, line_end, pipes, cells = last
    else:
        line_start = text.rfind("\n", 0, s) + 1
        line_end = text.find("\n", e)
        line_end = line_end if line_end >= 0 else len(text)
        line = text[line_start:line_end]
        pipes = [i for i, c in enumerate(line) if c == "|"] if "|" in line else []
        cells = line.split("|") if len(pipes) >= 2 else []
        headers["line"] = (line_start, line_end, pipes, cells)
    if len(pipes) < 2:
        return None
    col = bisect.bisect_left(pipes, s - line_start) - 1
    if not (0 <= col + 1 < len(cells)) or not _CELL_NUMBER.fullmatch(cells[col + 1]):
        return None
    key = (line_start, len(cells))
    if key not in headers:  # every number of a row looks up the same header row
        headers[key] = _header_row(text, line_start, len(cells))
    header = headers[key]
    if header is None or col + 1 >= len(header):
        return None
    name = patterns.fold(header[col + 1])
    words = _header_words
    if name in words("skip") or any(name.startswith(w + " ") for w in ("ma", "stt")):
        return "skip"
    if name in words("money") or any(w in name.split() for w in ("gia", "dong")) or "dong)" in name:
        scale = _HEADER_SCALE.search(header[col + 1])
        return ("money", "đồng", _spec()["scales"][scale["s"]]) if scale else ("money", "đồng")
    if name in words("percent") or "%" in name:
        return ("percent", "%")
    # a unit in parentheses in the column header or the row's first cell: "Số lao động xuất cảnh (người)"
    for label in (header[col + 1], cells[1] if len(cells) > 1 else ""):
        unit = _PAREN_UNIT.search(label)
        if unit:
            return ("count", unit[1].strip().lower())
    # "Số học viên", "Tổng số hộ": a count column names what it counts
    noun = _COUNT_HEADER.fullmatch(header[col + 1].strip())
    if noun:
        return ("count", " ".join(noun["n"].lower().split()))
    return None


@functools.cache
def _header_words(key: str) -> frozenset[str]:
    """The folded column names of ``table_headers[key]`` (folded once, not for every table cell)."""
    return frozenset(patterns.fold(w) for w in _spec()["table_headers"][key])


_PAREN_UNIT = regex.compile(r"\(([\p{L} ]{1,20})\)\s*$")
_HEADER_SCALE = regex.compile(r"\((?P<s>tỷ|triệu|nghìn|ngàn)[ \t]+đồng\)")
_COUNT_HEADER = regex.compile(r"(?:Tổng số|Số lượng|Số|tổng số|số lượng)[ \t]+(?P<n>\p{Ll}+(?:[ \t]+\p{Ll}+){0,2})")


def _header_row(text: str, line_start: int, width: int) -> list[str] | None:
    """The nearest row above in the same table, as wide as the row, with no cell that is only a figure."""
    pos = line_start
    for _ in range(400):
        if pos <= 0:
            return None
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        row = text[prev_start : pos - 1]
        if row.count("|") < 2:
            return None
        cells = row.split("|")
        if len(cells) >= width and not any(_CELL_NUMBER.fullmatch(c) for c in cells):
            return cells
        pos = prev_start
    return None


_STOP_NOUN = regex.compile(r"[,;:.()\[\]\n%/]")


def _counted_noun(text: str, pos: int) -> str | None:
    """The noun right after a number: a small window given to underthesea, cached by its words."""
    m = _WORD_AFTER.match(text, pos)
    if not m:
        return None
    window = m["w"]
    cut = _STOP_NOUN.search(window)
    if cut:
        window = window[: cut.start()]
    window = window.strip()
    if not window or window[0].isupper() and not window.isupper():
        return None  # "Điều 3 Luật", "2 Phòng": a name follows, not a counted noun
    return _unit_word(window.lower())


def _check_words(doc: Document, text: str, q: Quantity) -> None:
    """'200.000.000 đồng (Hai trăm triệu đồng)': the figure and the words must agree."""
    m = _WORDS_IN_PARENS.match(text, q.end)
    if not m:
        return
    words = " ".join(w for w in m["w"].split() if w.lower() not in ("đồng", "chẵn", "bằng", "chữ"))
    value = parse_words(words)
    if value is not None and value != q.value:
        doc.warnings.append(f"amount in words {m['w']!r} = {value} disagrees with {q.text!r} at {q.start}")
