"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI) and the lexicon that tells which reading is Vietnamese.

Old Word files and PDF exports of them carry text typed in .VnTime (TCVN3) or VNI-Times fonts: the bytes are
Latin-1 letters that only the font draws as Vietnamese ("NghÞ ®Þnh" is "Nghị định"). We convert with the
published code tables and keep the reading whose words are most often real Vietnamese syllables.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from itertools import filterfalse

from .patterns import PATTERNS_DIR  # noqa: E402 - one home for where the rules are

# TCVN 5712:1993 (VN3 / "ABC"), one byte per letter. Capitals with a tone mark live in the companion
# upper-case font (.VnTimeH) on the same codes, so they convert to lower case; case cannot be recovered.
_TCVN3 = {
    "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "¾": "ắ", "»": "ằ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ê": "ấ", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "®": "đ", "Ð": "é", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Õ": "ế", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "Ý": "í", "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ã": "ó", "ß": "ò", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "è": "ố", "å": "ồ", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "í": "ớ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ó": "ú", "ï": "ù", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\u00ad": "ư", "ø": "ứ", "õ": "ừ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ý": "ý", "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI-Windows: a base letter followed by a mark character. Marks differ in the lower- and upper-case fonts.
_VNI_TONES_LOWER = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_VNI_TONES_UPPER = {"Ù": "\u0301", "Ø": "\u0300", "Û": "\u0309", "Õ": "\u0303", "Ï": "\u0323"}
# circumflex + tone on a/e/o, breve + tone on a
_VNI_HAT_LOWER = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_HAT_UPPER = {"Â": "", "Á": "\u0301", "À": "\u0300", "Å": "\u0309", "Ã": "\u0303", "Ä": "\u0323"}
_VNI_BREVE_LOWER = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_BREVE_UPPER = {"Ê": "", "É": "\u0301", "È": "\u0300", "Ú": "\u0309", "Ü": "\u0303", "Ë": "\u0323"}
_VNI_SINGLE = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị",
    "î": "ỵ", "Î": "Ỵ",
}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for base in "aeoAEO":
        hats = _VNI_HAT_UPPER if base.isupper() else _VNI_HAT_LOWER
        for mark, tone in {**_VNI_HAT_LOWER, **_VNI_HAT_UPPER, **hats}.items():
            pairs[base + mark] = unicodedata.normalize("NFC", base + "\u0302" + tone)
    for base in "aA":
        for mark, tone in {**_VNI_BREVE_LOWER, **_VNI_BREVE_UPPER}.items():
            pairs[base + mark] = unicodedata.normalize("NFC", base + "\u0306" + tone)
    for base in "aeiouyAEIOUYôÔöÖ":
        plain = _VNI_SINGLE.get(base, base)
        for mark, tone in {**_VNI_TONES_LOWER, **_VNI_TONES_UPPER}.items():
            pairs.setdefault(base + mark, unicodedata.normalize("NFC", plain + tone))
    return pairs


_VNI_PAIRS = _vni_pairs()
_VNI_ALL = {**_VNI_SINGLE, **_VNI_PAIRS}
# one pass, pairs before single marks, so the "ô" a pair produces is not read again as VNI's ơ
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_ALL), key=len, reverse=True)))


def tcvn3_to_unicode(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


def vni_to_unicode(text: str) -> str:
    return _VNI_RE.sub(lambda m: _VNI_ALL[m.group()], text)


LEGACY_DECODERS = {"tcvn3": tcvn3_to_unicode, "vni": vni_to_unicode}


@functools.cache
def syllables() -> frozenset[str]:
    """Vietnamese syllables (lower case, NFC) from ``patterns/syllables.txt``."""
    path = PATTERNS_DIR / "syllables.txt"
    with path.open(encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip() and not line.startswith("#"))


@functools.cache
def _syllables_as_printed() -> frozenset[str]:
    """The syllables in lower case, capitalized and in capitals: a word found here needs no ``lower()``
    (each of these lowers to its syllable, so a word here is one whose lower case is a syllable)."""
    return frozenset(v for s in syllables() for v in (s, s.capitalize(), s.upper()) if v.lower() == s)


_WORD_RE = re.compile(r"[^\W\d_]+")


def vietnamese_score(text: str, sample: int = 6000) -> float:
    """Share of the words in (a sample of) ``text`` that are Vietnamese syllables carrying a diacritic.

    Only words with a non-ASCII letter count, so English or pure-ASCII text scores 0 and cannot win a guess.
    """
    lex = syllables()
    # Words never span whitespace, so the text's words are those of its whitespace-split tokens: an ASCII token
    # holds only ASCII words, an all-letter token is one word, the rest go through the word regex together.
    # All in C-level loops, ~2x faster than the regex over the whole sample.
    tokens = list(filterfalse(str.isascii, text[:sample].split()))
    words = list(filter(str.isalpha, tokens))
    words += filterfalse(str.isascii, _WORD_RE.findall(" ".join(filterfalse(str.isalpha, tokens))))
    if not words:
        return 0.0
    # most words are printed as a syllable is: only the others are lowered and looked up
    others = list(filterfalse(_syllables_as_printed().__contains__, words))
    return (len(words) - len(others) + sum(map(lex.__contains__, map(str.lower, others)))) / len(words)


def guess_legacy(text: str) -> str | None:
    """The legacy encoding ``text`` is written in, or ``None`` when it already reads as Unicode Vietnamese."""
    base = vietnamese_score(text)
    if base > 0.9:
        return None
    best, best_score = None, base
    for name, decode in LEGACY_DECODERS.items():
        score = vietnamese_score(decode(text[:6000]))
        if score > best_score + 0.2:
            best, best_score = name, score
    return best
