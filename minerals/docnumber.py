"""The số hiệu (document number): parsed once into a ``DocNumber`` whose fields every later stage reads.

    n = DocNumber.parse("118/2025/ND-CP")
    n.normalized, n.id, n.regime, n.year, n.type_code, n.issuer_code   # "118/2025/NĐ-CP", "118/2025/NĐ-CP",
                                                                       # "normative", 2025, "NĐ", "CP"

Normalizing (DESIGN.md's spelling: NFC, no spaces, Đ, '-' for any dash, Latin for look-alike letters, the OCR
repairs of codes), the canonical id (one for every spelling; a Party number in the state shape has the Party
id), the year, the type and issuer codes and whether a body every province has issued it live here and only
here; the citation stage finds numbers in a text, checks, resolve, the registry and the graph read these fields.
"""

from __future__ import annotations

import functools
import re as stdlib_re
import unicodedata
from dataclasses import dataclass

import regex

from . import patterns
from .errors import MalformedDocNumber

DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_DASH_TABLE = str.maketrans({d: "-" for d in DASHES} | {"\u00d0": "Đ"})
REGIMES = ("normative", "party", "administrative", "old", "standard", "blank")


@functools.cache
def ocr_tables() -> tuple[dict[str, str], dict[int, str], dict[int, str]]:
    """patterns/ocr.json's digit map, as a translate table, and its letter table (read at first use)."""
    spec = patterns.load("ocr")
    return spec["digits"], str.maketrans(spec["digits"]), str.maketrans(spec["letters"])


_SPACES = regex.compile(r"\s+")
# plain patterns (no Unicode classes) in Python's re: a call costs it a fraction of what it costs regex
_SEPARATORS = stdlib_re.compile(r"([/-])")
_TRAILING_DIGITS = regex.compile(r"\d+$")
_SEP_SPLIT = stdlib_re.compile(r"[/-]")
_NUMBER_YEAR = regex.compile(r"[\d.]+/((?:19|20)\d\d)(?:[/-]|$)")
_PARTY = regex.compile(r"[\d.]+-")
_YEAR_PART = regex.compile(r"/\d{4}/")
_BLANK_CODE = regex.compile(r"/([\p{L}]+)")


@dataclass(frozen=True)
class DocNumber:
    """A số hiệu read once. ``regime`` is the shape it was printed in (the citation regex that matched it, or
    read from its normalized form); ``year`` and ``type_code`` come from the normalized number (the segment
    after the year, or after the figures; a term's digits dropped, QH15 → QH); ``id`` is None for a blank
    draft number ("/KH-UBND": its figures were left out)."""

    printed: str
    normalized: str
    id: str | None
    regime: str
    year: int | None
    type_code: str | None
    issuer_code: str | None
    is_local: bool

    @classmethod
    def parse(cls, printed: str, ocr: bool = False, regime: str | None = None) -> DocNumber:
        """``printed`` read as a số hiệu; ``ocr``: the text was read by OCR (its code repairs apply);
        ``regime``: the shape the caller matched, if it knows it. Raises ``MalformedDocNumber`` for a text with
        nothing of a number (empty, or neither figures nor a blank draft's "/" first)."""
        return _parse(printed, ocr, regime)

    @property
    def doc_type(self) -> str | None:
        """The type the symbol implies: NĐ → Nghị định, QH → Luật; an administrative number with no type code
        → Công văn."""
        if self.regime == "blank":
            code = _BLANK_CODE.match(self.normalized)
            return patterns.type_by_code().get(code[1].upper()) if code else None
        if self.regime == "standard":
            return standard_types()[self.normalized.split()[0]]
        return type_from_number(self.normalized, self.regime)

    def local_id(self, jurisdiction: str | None) -> str | None:
        """The id with the jurisdiction of a local document ("126/KH-UBND@tỉnh Cao Bằng"); a national one is bare."""
        return local_id(self.id, self.normalized, jurisdiction) if self.id else None


@functools.lru_cache(maxsize=8192)
def _parse(printed: str, ocr: bool, regime: str | None) -> DocNumber:
    if not printed or not printed.strip():
        raise MalformedDocNumber(printed, "empty")
    if regime == "standard" or (regime is None and standard_regex().fullmatch(printed.strip())):
        normalized = standard_number(printed)
        return DocNumber(printed, normalized, normalized.replace(" ", "").upper(), "standard",
                         int(standard_regex().match(normalized)["y"]), None, issuer_code(normalized), is_local(normalized))
    normalized = normalize_number(printed, ocr=ocr)
    blank = normalized.startswith("/")
    if not (blank or normalized[:1].isdecimal()):
        raise MalformedDocNumber(printed, "no figures first")
    return DocNumber(printed=printed, normalized=normalized, id=None if blank else canonical_id(normalized),
                     regime=regime or regime_of(normalized), year=number_year(normalized), type_code=code_of(normalized), issuer_code=issuer_code(normalized),
                     is_local=is_local(normalized))


# --- normalizing ---------------------------------------------------------------------------------------------
def normalize_number(raw: str, ocr: bool = False) -> str:
    """The số hiệu as DESIGN.md spells it: NFC, no spaces, Đ, '-' for any dash; codes that lost the stroke
    of Đ in OCR or ASCII text regain it when that makes a known code ("ND-CP" → "NĐ-CP"). With ``ocr``, a
    code one OCR confusion away from a known one is taken for it ("9Đ" → "QĐ", "BUDĐT" → "BGDĐT")."""
    return _normalize_number(raw, ocr)


# A document repeats its citations and an archive its common numbers: each spelling is normalized once
# (bounded, so a long-lived worker's cache cannot grow with the archive).
@functools.lru_cache(maxsize=8192)
def _normalize_number(raw: str, ocr: bool) -> str:
    s = unicodedata.normalize("NFC", raw).translate(_DASH_TABLE).translate(_lookalike_table())
    s = _SPACES.sub("", s)
    parts = _SEPARATORS.split(s)
    fix = _fix_ocr_code if ocr else _fix_code
    if ocr and len(parts) >= 5 and parts[1] == parts[3] == "/" and len(parts[2]) == 4 and not parts[2].isdigit():
        year = parts[2].translate(ocr_tables()[1])  # "35/2Q13/ND-CP": a letter OCR read for a digit of the year
        if year.isdigit() and year[:2] in ("19", "20"):
            parts[2] = year
    out = [fix(p) if i % 2 == 0 and i > 0 else p for i, p in enumerate(parts)]
    if len(out) >= 5 and out[1] == out[3] == "/" and len(out[2]) == 4 and out[2].isdigit():
        out[4] = _split_joined(out[4], fix)  # the type code of a norm: "118/2025/NĐCP"
    return "".join(out)


@functools.cache
def _lookalike_table() -> dict[int, str]:
    """patterns/citations.json ``lookalikes``: Cyrillic and Greek letters read as the Latin ones they copy."""
    return str.maketrans(patterns.load("citations")["lookalikes"]["map"])


def _split_joined(seg: str, fix=lambda s: s) -> str:
    """A type code and an issuer code printed without their dash ("NĐCP" → "NĐ-CP", realdocs/archive; also
    with the diacritic lost, "NDCP": each part is then ``fix``ed as a code of its own)."""
    known = known_codes()
    up = seg.upper()
    if len(seg) < 4 or up in known or not seg.isalpha():
        return seg
    types = {c.upper() for c in patterns.type_by_code()}
    for i in range(2, len(seg) - 1):
        a, b = fix(seg[:i]), fix(seg[i:])
        if a.upper() in types and b.upper() in known:
            return a + "-" + b
    return seg


def _fix_ocr_code(seg: str) -> str:
    fixed = _fix_code(seg)
    known = known_codes()
    if _TRAILING_DIGITS.sub("", fixed).upper() in known:
        return fixed
    cand = _fix_code(seg.translate(ocr_tables()[2]))
    if cand.upper() in known:
        return cand
    if len(seg) >= 4:
        near = [k for k in known if len(k) == len(seg) and sum(a != b for a, b in zip(k, seg.upper())) == 1]
        if len(near) == 1:
            return canonical_case(near[0])
    return fixed


@functools.cache
def canonical_case(code_upper: str) -> str:
    """The code as patterns/ spell it ("TTG" → "TTg")."""
    for code in list(patterns.type_by_code()) + list(patterns.issuer_codes()):
        if code.upper() == code_upper:
            return code
    return code_upper


@functools.cache
def known_codes() -> frozenset[str]:
    """Every type and issuer code of patterns/, in upper case."""
    return frozenset({c.upper() for c in patterns.type_by_code()} | {c.upper() for c in patterns.issuer_codes()})


def _fix_code(seg: str) -> str:
    known = known_codes()
    if not seg[:1].isalpha() or _TRAILING_DIGITS.sub("", seg).upper() in known:
        return seg
    # OCR reads the digits of a code's tail as letters: "QHIS" → "QH15" (pdfs/010)
    for code in ("QH", "UBTVQH"):
        if seg.upper().startswith(code) and len(seg) > len(code) and all(c in ocr_tables()[0] or c.isdigit() for c in seg[len(code):]):
            return seg[: len(code)] + seg[len(code):].translate(ocr_tables()[1])
    if "D" not in seg:
        return seg
    idx = [i for i, c in enumerate(seg) if c == "D"][:4]
    for mask in range(1, 2 ** len(idx)):
        chars = list(seg)
        for bit, i in enumerate(idx):
            if mask >> bit & 1:
                chars[i] = "Đ"
        cand = "".join(chars)
        if _TRAILING_DIGITS.sub("", cand).upper() in known:
            return cand
    return seg


# --- what a normalized number says ---------------------------------------------------------------------------
def canonical_id(number: str) -> str:
    """The id of a cited document: its normalized number in upper case (one id for every spelling); a Party
    document printed in the state shape ("57/NQ-TW") has the Party id ("57-NQ/TW")."""
    n = normalize_number(number).upper()
    m = _party_short().fullmatch(n)
    return f"{m['n']}-{m['t']}/{m['i']}" if m else n


@functools.cache
def _party_short() -> regex.Pattern:
    spec = patterns.load("citations")["party_short"]
    alt = lambda ws: "|".join(regex.escape(w.upper()) for w in sorted(ws, key=len, reverse=True))  # noqa: E731
    return regex.compile(rf"(?P<n>\d{{1,5}})/(?P<t>{alt(spec['types'])})-(?P<i>{alt(spec['issuers'])})")


def type_from_number(number: str, regime: str) -> str | None:
    """The document type the symbol implies: NĐ → Nghị định, QH → Luật; no type code → Công văn."""
    by_code = patterns.type_by_code()
    segs = _SEP_SPLIT.split(number)
    candidates = segs[2:3] if regime == "normative" else segs[1:2]
    for seg in candidates:
        code = _TRAILING_DIGITS.sub("", seg).upper()
        if code in by_code:
            return by_code[code]
    if regime == "administrative":
        return "Công văn"
    return None


def regime_of(number: str) -> str:
    """The shape of a normalized number: normative with a year after its figures, party with a dash after them
    ("20-CT/TW"), blank for a draft's "/KH-UBND", else administrative."""
    if number.startswith("/"):
        return "blank"
    return "normative" if number_year(number) is not None else "party" if _PARTY.match(number) else "administrative"


def number_year(number: str) -> int | None:
    """The year a normalized number carries after its figures ("126/2007/NĐ-CP" → 2007), else None."""
    m = _NUMBER_YEAR.match(number or "")
    return int(m[1]) if m else None


def code_of(number: str) -> str | None:
    """The type code of a normalized number: the segment after the year (normative), after the number
    (administrative, party); digits of a term dropped (QH15 → QH)."""
    segs = _SEP_SPLIT.split(number)
    i = 2 if _NUMBER_YEAR.match(number) else 1
    return _TRAILING_DIGITS.sub("", segs[i]).upper() if len(segs) > i else None


@functools.cache
def _local() -> tuple[frozenset[str], frozenset[str]]:
    spec = patterns.load("issuer_codes")["local_codes"]
    return frozenset(c.upper() for c in spec["codes"]), frozenset(m.upper() for m in spec["ministries"])


# pure, and asked of the same numbers again and again (in a document and across an archive): bounded caches,
# so a long-lived worker's memory cannot grow with it
@functools.lru_cache(maxsize=8192)
def is_local(number: str) -> bool:
    """Whether a number is issued by a body every province or district has (UBND, its Sở, its Phòng)."""
    codes, ministries = _local()
    segs = [s.upper() for s in _SEP_SPLIT.split(number)[1:]]
    normative = _YEAR_PART.search(number) is not None
    if normative:
        return any(s in ("UBND", "HĐND") for s in segs)  # local normative decisions: 12/2020/QĐ-UBND
    for s in segs:
        if s in codes or (s[:1] in ("S", "P") and s[1:] in ministries):
            return True
    return False


def local_id(cid: str, number: str, place: str | None) -> str:
    """A canonical id with the jurisdiction of a local document ("126/KH-UBND@tỉnh Cao Bằng")."""
    return f"{cid}@{place}" if place and is_local(number) else cid


@functools.lru_cache(maxsize=8192)
def issuer_code(number: str) -> str | None:
    """The issuer code in a number ("CP" in "126/2007/NĐ-CP", "QH" in "32/2024/QH15"), the last one known."""
    codes = patterns.issuer_codes()
    for seg in reversed(_SEP_SPLIT.split(number)[1:]):
        base = _TRAILING_DIGITS.sub("", seg)
        for key in (seg, base):
            if codes.get(key):
                return key
    return None


# --- technical standards ("QCVN 06:2022/BXD") ---------------------------------------------------------------
@functools.cache
def standard_regex() -> regex.Pattern:
    return regex.compile(patterns.load("citations")["standards"]["regex"])


@functools.cache
def standard_types() -> dict[str, str]:
    return patterns.load("citations")["standards"]["types"]


def standard_number(printed: str) -> str:
    """A standard's number as printed with one space after its code: "QCVN 06:2022/BXD"."""
    m = standard_regex().match(printed)
    code = " ".join(m["code"].split())
    return f"{code} {m['n']}:{m['y']}" + (f"/{m['iss']}" if m["iss"] else "")
