"""Dates in every form the documents print (patterns/dates.json): days, ranges, blank-day drafts, months,
quarters, halves, periods and years, each as ISO with a precision. Impossible dates are flagged, not invented.
"""

from __future__ import annotations

import datetime as dt
import functools
from itertools import compress
import re as stdlib_re

import regex

from .. import patterns
from ..models import DateMention, Document
from ..spans import SpanSet

_MONTHS_EN = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"], 1)}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


@functools.cache
def _forms() -> tuple[tuple[str, regex.Pattern, tuple[regex.Pattern, ...]], ...]:
    """(name, regex, needs) per form; ``needs`` are regexes every match contains (see patterns/dates.json)."""
    spec = patterns.load("dates")
    frags = dict(spec["fragments"])
    needs: dict[str, regex.Pattern] = {}  # one pattern per distinct need, so forms share its search results

    def build(template: str) -> str:
        rx = patterns.expand(frags, template)
        for word in sorted(spec["loose_words"], key=len, reverse=True):  # OCR drops diacritics
            rx = regex.sub(r"(?<![\p{L}\[])" + regex.escape(word) + r"(?![\p{L}])", lambda _m, w=word: "(?:" + patterns.loose(w) + ")", rx)
        return rx

    out = []
    for form in spec["forms"]:
        form_needs = tuple(needs.setdefault(n, regex.compile(build(n))) for n in form.get("needs", ()))
        opens = f"(?={form['opens']})" if "opens" in form else ""  # tried only where a match can start
        out.append((form["name"], regex.compile(opens + r"(?<![\p{L}\d])(?:" + build(form["regex"]) + ")"), form_needs))
    return tuple(out)


@functools.cache
def _needs_in_re() -> dict[regex.Pattern, stdlib_re.Pattern]:
    """The needs that Python's own ``re`` compiles, compiled by it: it searches a window in two thirds of the
    time. The two modules read these patterns alike, except that ``regex`` knows a newer Unicode, whose new
    digits (all outside the Basic Multilingual Plane) only its ``\\d`` matches: ``get_dates`` uses them only
    on texts without such characters."""
    out = {}
    for _, _, needs in _forms():
        for need in needs:
            try:
                out[need] = stdlib_re.compile(need.pattern)
            except stdlib_re.error:
                continue
    return out


_OCR_DIGITS = str.maketrans({"I": "1", "l": "1", "O": "0"})


def _day(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        return dt.date(int(y), int(str(m).translate(_OCR_DIGITS)), int(str(d).translate(_OCR_DIGITS))).isoformat()
    except ValueError:
        return None


def _month(y: str | int, m: str | int) -> str | None:
    return f"{int(y):04d}-{int(m):02d}" if 1 <= int(m) <= 12 else None


def _values(name: str, m: regex.Match) -> list[tuple[str | None, str, int, int]]:
    """(value, precision, start, end) for each date a match holds (a range holds two)."""
    s, e = m.span()
    if name == "range_dmy":
        y2, m2 = m["y2"], m["m2"]
        first = _day(m["y1"] or y2, m["m1"] or m2, m["d1"])
        return [(first, "day", m.start("d1"), m.end("y1") if m["y1"] else m.end("m1") if m["m1"] else m.end("d1")),
                (_day(y2, m2, m["d2"]), "day", m.start("d2"), m.end("y2"))]
    if name in ("dmy_words", "dmy_numeric"):
        return [(_day(m["y"], m["m"], m["d"]), "day", s, e)]
    if name == "dmy_english":
        if m["mon"]:
            return [(_day(m["y"], _MONTHS_EN[m["mon"].capitalize()], m["d"]), "day", s, e)]
        return [(_day(m["y2"], _MONTHS_EN[m["mon2"].capitalize()], m["d2"]), "day", s, e)]
    if name in ("blank_day", "month_year"):
        return [(_month(m["y"], m["m"]), "month", s, e)]
    if name == "half":
        first = patterns.fold(m["h"]) == "dau"
        y = int(m["y"])
        return [(f"{y}-01/{y}-06" if first else f"{y}-07/{y}-12", "period", s, e)]
    if name == "quarter":
        q = _ROMAN.get(m["q"].upper()) or int(m["q"])
        y = int(m["y"])
        return [(f"{y}-{3 * q - 2:02d}/{y}-{3 * q:02d}", "quarter", s, e)]
    if name == "period":
        y1, y2 = int(m["y1"]), int(m["y2"])
        return [(f"{y1}/{y2}", "period", s, e)] if y1 < y2 else []
    if name == "year":
        return [(m["y"], "year", m.start("y"), e)]
    return []


def bounds(value: str | int | None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day a date value covers: a day ("2025-11-20") is both; a month ("2025-10") its
    first and last day; a year ("2026", or the int 2026 of a target's deadline) 1 January and 31 December;
    an interval ("2025-10/2025-12" of a quarter or half, "2021/2025" of a period) from the start of its first
    end to the end of its last. ``(None, None)`` for None or a value that is not one of these."""
    if value is None or value == "":
        return None, None
    parts = str(value).split("/")
    if len(parts) > 2:
        return None, None
    first, last = _bound(parts[0], False), _bound(parts[-1], True)
    if first is None or last is None or first > last:
        return None, None
    return first, last


@functools.lru_cache(maxsize=4096)
def _bound(iso: str, end: bool) -> dt.date | None:
    try:
        bits = [int(b) for b in iso.split("-")]
        if len(bits) == 3 and len(iso) == 10:
            return dt.date(*bits)
        if len(bits) == 2 and len(iso) == 7:
            y, m = bits
            if not end:
                return dt.date(y, m, 1)
            return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)
        if len(bits) == 1 and len(iso) == 4:
            return dt.date(bits[0], 12, 31) if end else dt.date(bits[0], 1, 1)
    except ValueError:
        return None
    return None


def _windows(text: str, before: int = 24, after: int = 8, gap: int = 60) -> list[tuple[int, int]]:
    """Stretches of text around figures: every date holds a figure, and prose without one is skipped.

    Figures closer than ``before + after + gap`` characters share a window."""
    n = len(text)
    return [(max(0, m.start() - before), min(n, m.end() + after)) for m in _figure_runs(before + after + gap).finditer(text)]


@functools.cache
def _figure_runs(distance: int) -> stdlib_re.Pattern:
    """Figures at most ``distance`` characters apart, as one match: the regex does in C what a Python loop
    over every figure did (a fifth of this stage)."""
    return stdlib_re.compile(rf"\d(?:\D{{0,{distance}}}\d)*")


def get_dates(doc: Document, exclude: list[tuple[int, int]] = ()) -> list[DateMention]:
    """Every date in ``doc.text``, outside the ``exclude`` spans (the numbers of citations)."""
    text = doc.text or ""
    taken = SpanSet(exclude)
    out: list[DateMention] = []
    windows = _windows(text)
    holds: dict[regex.Pattern, list[bool]] = {}  # need → whether each window holds it (forms share needs)
    fast = _needs_in_re() if patterns.in_bmp(text) else {}
    english = any(mon in text for mon in _MONTHS_EN)
    for name, rx, needs in _forms():
        if name == "dmy_english" and not english:
            continue  # scanning for English dates cost a fifth of this stage on Vietnamese-only texts
        # a form is tried only in the windows holding its needs: a cheap search rules out most of them
        for need in needs:
            if need not in holds:
                search = fast.get(need, need).search
                holds[need] = [search(text, s, e) is not None for s, e in windows]
        mask = holds[needs[0]] if needs else None
        for need in needs[1:]:
            mask = [a and b for a, b in zip(mask, holds[need])]
        scan = windows if mask is None else list(compress(windows, mask))
        for m in (m for s, e in scan for m in rx.finditer(text, s, e)):
            if taken.overlaps(*m.span()):
                continue
            taken.add(*m.span())
            for value, precision, s, e in _values(name, m):
                if value is None:
                    doc.warnings.append(f"invalid date {text[s:e]!r} at {s}: not a calendar date")
                out.append(DateMention(text=text[s:e], value=value, precision=precision, start=s, end=e,
                                       page=doc.page_at(s), form=name))
    out.sort(key=lambda d: d.start)
    return out
