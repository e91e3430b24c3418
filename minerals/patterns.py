"""Loads the rules in ``patterns/`` and builds the regexes they describe. The rules live there, not here.

Every file carries examples; ``tests/test_patterns.py`` checks each pattern against them.
"""

from __future__ import annotations

import functools
import json
import os
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regex

from .errors import PatternError


def _patterns_dir() -> Path:
    """The rule files: the folder ``MINERALS_PATTERNS`` names (a copy of the rules to try changes on), else
    inside the installed package (``minerals/patterns/``, where a wheel puts them), else the repository's
    ``patterns/`` beside the package (a checkout, an editable install). No file is read until a rule is
    first needed, so a broken rule file never breaks ``import minerals``; it is a ``PatternError`` then."""
    if os.environ.get("MINERALS_PATTERNS"):
        return Path(os.environ["MINERALS_PATTERNS"])
    here = Path(__file__).resolve().parent
    inside = here / "patterns"
    return inside if (inside / "citations.json").is_file() else here.parent / "patterns"


PATTERNS_DIR = _patterns_dir()


@functools.cache
def load(name: str) -> Any:
    """The parsed JSON of ``patterns/<name>.json``."""
    path = PATTERNS_DIR / f"{name}.json"
    try:
        with path.open(encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise PatternError(f"{path}: {err}") from err


@functools.cache
def load_lines(filename: str) -> tuple[dict, ...]:
    """The entries of a JSON-lines rule file (``patterns/entities.jsonl``), blank lines skipped."""
    path = PATTERNS_DIR / filename
    try:
        with path.open(encoding="utf-8") as f:
            return tuple(json.loads(line) for line in f if line.strip())
    except (OSError, json.JSONDecodeError) as err:
        raise PatternError(f"{path}: {err}") from err


def expand(fragments: dict[str, str], template: str) -> str:
    """Replace ``{name}`` by its fragment, recursively (reporters-db style named fragments)."""
    out = template
    for _ in range(8):
        new = regex.sub(r"\{(\w+)\}", lambda m: fragments.get(m[1], m[0]), out)
        if new == out:
            return out
        out = new
    raise PatternError(f"fragment recursion too deep in {template!r}")


# Vietnamese vowels by base letter, so a type word matches with lost or different diacritics
# ("Thong tu", "Nghi dinh" in ASCII or OCR text, realdocs 033).
_VOWEL_CLASSES = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậäå",
    "e": "eèéẻẽẹêềếểễệë",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợöø6",
    "u": "uùúủũụưừứửữựü",
    "y": "yỳýỷỹỵ",
    "d": "dđ",
}


def _base(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    return unicodedata.normalize("NFD", ch)[0].lower()


def loose(word: str) -> str:
    """A regex for ``word`` that ignores case and diacritics (one character class per letter)."""
    parts = []
    for ch in word:
        if ch.isspace():
            parts.append(r"\s+")
            continue
        base = _base(ch)
        cls = _VOWEL_CLASSES.get(base)
        if cls:
            chars = cls + cls.upper()
            parts.append("[" + regex.escape(chars) + "]")
        elif ch.isalpha():
            parts.append("[" + ch.lower() + ch.upper() + "]")
        else:
            parts.append(regex.escape(ch))
    return "".join(parts)


def loosen(pattern: str) -> str:
    """``pattern`` with every letter outside escapes, classes and group syntax made ``loose``: the rule still
    matches when a broken font or OCR swapped a diacritic ("Vãn bản liên quan" for "Văn bản liên quan")."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            j = i + 2
            if pattern[i + 1 : i + 2] in ("p", "P") and pattern[j : j + 1] == "{":
                j = pattern.index("}", j) + 1
            out.append(pattern[i:j])
            i = j
        elif ch == "[":
            j = i + 1
            while j < n and pattern[j] != "]" or j == i + 1:
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i : j + 1])
            i = j + 1
        elif pattern.startswith("(?", i):
            m = regex.match(r"\(\?(?:P<\w+>|<[=!]|[:=!>]|[a-zA-Z]+\))", pattern[i:])
            j = i + (len(m[0]) if m else 2)
            out.append(pattern[i:j])
            i = j
        elif ch.isalpha():
            out.append(loose(ch))
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


@functools.cache
def place_spellings() -> dict[str, str]:
    """Folded place name → its spelling in patterns/places.json: provinces (and their former names), districts
    of two syllables or more, communes and wards. "Hoà Bình" and "Hòa Bình" are one place, "Hòa Bình"."""
    spec = load("places")
    names = [d.split("|")[0] for p in spec["provinces"] for d in p["districts"] if " " in d.split("|")[0]]
    names += spec["wards"]
    out = {fold(n): n for n in names}
    for p in spec["provinces"]:
        out.update({fold(n): n for n in (p["name"], *p.get("former_names", ()))})
    return out


@dataclass(frozen=True)
class DocType:
    name: str
    words: tuple[str, ...]
    codes: tuple[str, ...]


@functools.cache
def doc_types() -> tuple[DocType, ...]:
    return tuple(
        DocType(t["name"], tuple(t["words"]), tuple(t["codes"])) for t in load("doc_types")["types"]
    )


@functools.cache
def type_by_code() -> dict[str, str]:
    """Type code of a số hiệu (upper case) → full type name."""
    return {code.upper(): t.name for t in doc_types() for code in t.codes}


@functools.cache
def type_by_word() -> dict[str, str]:
    """Type word, folded (lower case, no diacritics) → full type name."""
    return {fold(w): t.name for t in doc_types() for w in t.words}


def relation_named(value: str) -> str:
    """The relation a user means, typed with or without diacritics ("sua doi, bo sung", "can cu", "thuc hien")
    or as one of its words ("sửa đổi" → "sửa đổi, bổ sung"); ValueError naming the valid ones otherwise."""
    names = list(dict.fromkeys(r["relation"] for r in load("relations")["relations"]))
    want = " ".join(fold(value).replace(",", " ").split())
    for name in names:
        if " ".join(fold(name).replace(",", " ").split()) == want:
            return name
    for word, name in relations():
        if " ".join(word.replace(",", " ").split()) == want:
            return name
    raise ValueError(f"unknown relation {value!r}; valid: {', '.join(names)}")


def type_named(value: str) -> str:
    """The full type name a user means, typed with or without diacritics ("nghi dinh", "Quyết định") or as a
    code ("NĐ", "TT"); the value itself when no type is named so."""
    return type_by_word().get(fold(value)) or type_by_code().get(value.upper()) or value


@functools.cache
def issuer_codes() -> dict[str, str | None]:
    return {code: v["issuer"] for code, v in load("issuer_codes")["codes"].items()}


def _fold_table() -> dict[int, str]:
    table = {}
    for cp in range(0xC0, 0x1FFF):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if unicodedata.category(c) != "Mn")
        if base != ch and base.isascii():
            table[cp] = base.lower()
    table.update({ord("đ"): "d", ord("Đ"): "d"})
    return table


_FOLD = _fold_table()


def fold(s: str) -> str:
    """Lower case without diacritics, đ → d, spaces collapsed: the key for loose comparisons."""
    return " ".join(s.translate(_FOLD).lower().split())


@functools.cache
def number_regex() -> regex.Pattern:
    """One regex for a số hiệu in any of the three regimes; group ``regime`` names which matched."""
    spec = load("citations")
    frags = spec["fragments"]
    alts = [f"(?P<{r['name']}>{expand(frags, r['regex'])})" for r in spec["regimes"]]
    return regex.compile(r"(?<![\p{L}\d/.,])(?:" + "|".join(alts) + ")", regex.V0)


@functools.cache
def old_style_regex() -> regex.Pattern:
    spec = load("citations")
    return regex.compile(r"(?<![\p{L}\d/.-])" + expand(spec["fragments"], spec["old_style"]["regex"]))


@functools.cache
def type_words_alternation() -> str:
    """Any type word, loosely spelt, longest first (a regex alternation without a group)."""
    words = sorted({w for t in doc_types() for w in t.words}, key=len, reverse=True)
    return "|".join(loose(w) for w in words)


@functools.cache
def type_words_regex() -> regex.Pattern:
    """Any type word as group ``type``."""
    return regex.compile(r"(?<![\p{L}])(?P<type>" + type_words_alternation() + r")(?![\p{L}])")


@functools.cache
def type_words_regex_reverse() -> regex.Pattern:
    """``type_words_regex`` searching backwards: the type word nearest the end of a window."""
    return regex.compile(type_words_regex().pattern, regex.REVERSE)


@functools.cache
def relations_regex() -> regex.Pattern:
    """All relation words (folded), searching backwards; group names are not needed, the word maps back."""
    words = [w for w, _ in relations()]
    return regex.compile(r"(?<= )(?:" + "|".join(regex.escape(w) for w in words) + r")(?=[ ,])", regex.REVERSE)


@functools.cache
def not_a_document_words() -> tuple[str, ...]:
    return tuple(fold(w) for w in load("citations")["not_a_document"]["words"])


@functools.cache
def relations() -> tuple[tuple[str, str], ...]:
    """(folded word, relation) pairs, longest word first."""
    pairs = [(fold(w), r["relation"]) for r in load("relations")["relations"] for w in r["words"]]
    return tuple(sorted(pairs, key=lambda p: len(p[0]), reverse=True))


# The plain scanner: every rule tried over the whole text, no prefilter (``MINERALS_PLAIN_SCAN=1``, or set
# ``patterns.PLAIN``). tests/test_prefilters.py checks that both scanners give the same output.
PLAIN = os.environ.get("MINERALS_PLAIN_SCAN", "") not in ("", "0")

_RULES: dict[str, "Rule"] = {}


@dataclass(frozen=True)
class Rule:
    """A regex and the cheap tests, declared beside it in ``patterns/``, that spare trying it:

    - ``needs``: substrings one of which lies inside every match; a stretch holding none is not searched;
    - ``opens``: the strings every match starts with (``"^#"``: a line start before "#", ``"^"``: any line
      start); the regex is tried only where one of them stands, not at every character;
    - ``ends``: for a rule anchored at the stretch's end (``\\Z``), the strings every match ends with once its
      trailing spaces and tabs are stripped; a stretch that does not end so is not searched.

    A prefilter only skips work: with ``PLAIN`` set the regex runs everywhere, and the output is the same."""

    name: str
    rx: regex.Pattern
    needs: tuple[str, ...] = ()
    opens: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()

    def finditer(self, text: str, lo: int = 0, hi: int | None = None) -> Iterator[regex.Match]:
        """``rx.finditer(text, lo, hi)``."""
        hi = len(text) if hi is None else hi
        if PLAIN:
            return self.rx.finditer(text, lo, hi)
        if not self._may_match(text, lo, hi):
            return iter(())
        if self.opens:
            return finditer_at(self.rx, text, self._starts(text, lo, hi), hi)
        return self.rx.finditer(text, lo, hi)

    def search(self, text: str, lo: int = 0, hi: int | None = None) -> regex.Match | None:
        """``rx.search(text, lo, hi)``."""
        hi = len(text) if hi is None else hi
        if PLAIN:
            return self.rx.search(text, lo, hi)
        if not self._may_match(text, lo, hi):
            return None
        if self.opens:
            return next(finditer_at(self.rx, text, self._starts(text, lo, hi), hi), None)
        return self.rx.search(text, lo, hi)

    def _may_match(self, text: str, lo: int, hi: int) -> bool:
        if self.needs and not any(text.find(n, lo, hi) >= 0 for n in self.needs):
            return False
        if self.ends:
            q = hi
            while q > lo and text[q - 1] in " \t":
                q -= 1
            return any(text.endswith(e, lo, q) for e in self.ends)
        return True

    def _starts(self, text: str, lo: int, hi: int) -> set[int]:
        starts = find_all(text, (o for o in self.opens if o[:1] != "^"), lo, hi)
        lines = [o[1:] for o in self.opens if o[:1] == "^"]  # "^#": a line start before "#"
        if lines:
            starts |= {q + 1 for q in find_all(text, ["\n" + o for o in lines], max(0, lo - 1), hi)}
            if lo == 0 and text.startswith(tuple(lines)):
                starts.add(0)
        return starts


def rule(name: str, pattern: str | regex.Pattern, spec: dict | None = None, **prefilter: Iterable[str]) -> Rule:
    """The ``Rule`` called ``name``: ``pattern`` (compiled if a string) with the prefilter that ``spec`` (its entry
    in a rule file) declares as ``needs``, ``opens`` and ``ends``, or that ``prefilter`` passes the same way when
    the words live elsewhere in the file. Every rule built is listed by ``rules()``, for the test of prefilters."""
    rx = regex.compile(pattern) if isinstance(pattern, str) else pattern
    keys = {k: tuple((spec or {}).get(k, prefilter.get(k, ()))) for k in ("needs", "opens", "ends")}
    if keys["ends"] and not rx.pattern.endswith(r"\Z"):
        raise PatternError(f"rule {name!r}: 'ends' needs a pattern anchored at the end (\\Z)")
    out = Rule(name, rx, **keys)
    _RULES[name] = out
    return out


def rules() -> dict[str, Rule]:
    """The rules built so far, by name."""
    return dict(_RULES)


def finditer_at(rx: regex.Pattern, text: str, starts: Iterable[int], hi: int | None = None) -> Iterator[regex.Match]:
    """``rx.finditer(text, 0, hi)`` for a pattern whose every match starts at one of ``starts``: each start is
    tried in order, and one inside the previous match is skipped, as finditer goes on after a match. Trying a few
    dozen places instead of every character of a text is what makes a scan cheap. ``rx`` must not match the
    empty string."""
    hi = len(text) if hi is None else hi
    end = 0
    for p in sorted(starts):
        if p < end:
            continue
        m = rx.match(text, p, hi)
        if m:
            yield m
            end = m.end()


def find_all(text: str, needles: Iterable[str], lo: int = 0, hi: int | None = None) -> set[int]:
    """Every position in ``text[lo:hi]`` where one of ``needles`` starts (overlapping ones too), by str.find."""
    hi = len(text) if hi is None else hi
    out: set[int] = set()
    for needle in needles:
        q = text.find(needle, lo, hi)
        while q >= 0:
            out.add(q)
            q = text.find(needle, q + 1, hi)
    return out


def in_bmp(text: str) -> bool:
    """Whether every character of ``text`` lies in the Basic Multilingual Plane (two bytes each in UTF-16).
    There Python's ``re`` and the ``regex`` module agree on ``\\d``: regex knows a newer Unicode, whose new
    digits all lie outside it (tests/test_patterns.py)."""
    return len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text)
