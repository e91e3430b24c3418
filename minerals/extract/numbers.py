"""Vietnamese numerals: '1.440,06' = 1440.06, scale words ('5 tỷ'), and numbers in words ('Hai trăm triệu')."""

from __future__ import annotations

import functools

import regex

from .. import patterns
from ..errors import MalformedNumber

# '.' groups thousands in threes, ',' is the decimal mark. Anything else ('10.71,7', seed 001) is malformed.
_WELL_FORMED = regex.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?")


def parse_number(s: str) -> int | float:
    """The value of a figure as Vietnamese prints it; raises ``MalformedNumber``."""
    s = s.strip()
    if not _WELL_FORMED.fullmatch(s):
        raise MalformedNumber(f"malformed number {s!r}")
    whole, _, frac = s.replace(".", "").partition(",")
    if len(whole) > 30:  # no count or amount has 31 digits: "9"×5000 is no number (and int() refuses > 4300)
        raise MalformedNumber(f"malformed number {s[:20]!r}…: {len(whole)} digits")
    if frac:
        return float(f"{whole}.{frac}")
    return int(whole)


@functools.cache
def _words() -> dict[str, int]:
    return patterns.load("quantities")["number_words"]


def parse_words(s: str) -> int | None:
    """'Hai trăm triệu' → 200000000, 'một trăm linh năm' → 105; ``None`` when ``s`` is not a number in words."""
    words = _words()
    tokens = s.lower().split()
    if not tokens or any(t not in words for t in tokens):
        return None
    total, chunk, last = 0, 0, None
    for t in tokens:
        v = words[t]
        if t in ("mươi",):
            chunk = chunk - (last or 0) + (last or 1) * 10
        elif v == 10:  # mười
            chunk += 10
        elif v == 100:
            chunk = chunk - (last or 0) + (last or 1) * 100
        elif v == 1_000_000_000:
            total = (total + chunk) * v
            chunk = 0
        elif v >= 1000:
            total += (chunk or 1) * v
            chunk = 0
        elif t in ("linh", "lẻ"):
            pass
        else:
            chunk += v
        last = v if v < 10 else None
    return total + chunk
