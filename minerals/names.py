"""One spelling per name of a body, place or person (``normalize_entity``), from the spellings in patterns/.

Kept apart from ``minerals.nlp`` and free of spaCy: citations, metadata, resolve and evaluate normalize the
names they read without loading a pipeline.
"""

from __future__ import annotations

import functools
import re

from . import patterns

# the one-word administrative levels before a place's name ("tỉnh Cao Bằng", "TP. Hà Nội")
LEVELS_ONE = {"tỉnh", "huyện", "quận", "xã", "phường", "tp", "tx"}


@functools.cache
def _abbreviations() -> list[tuple[re.Pattern, str]]:
    exp = patterns.load("abbreviations")["expansions"]
    return [(re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)"), v) for k, v in sorted(exp.items(), key=lambda kv: -len(kv[0]))]


@functools.cache
def _canonical_words() -> dict[str, str]:
    """Lower-case phrase → as the patterns spell it, to undo the capitals of a header."""
    orgs = patterns.load("organisations")
    phrases = orgs["heads_with_sector"] + orgs["sectors"] + orgs["national"] + orgs["local_heads"] + orgs["named_heads"]
    phrases += list(patterns.load("abbreviations")["expansions"].values())
    # place names, so "ỦY BAN NHÂN DÂN TỈNH BẮC NINH" reads "… tỉnh Bắc Ninh" (realdocs/archive b1ce4a2380c2c8e3)
    names = patterns.place_spellings().values()
    return {**{p.lower(): p for p in names}, **{p.lower(): p for p in phrases}}


@functools.lru_cache(maxsize=20000)
def normalize_entity(text: str, label: str) -> str:
    """One spelling per entity: "Sở LĐTBXH" and "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" → "Sở Lao động - Thương binh và
    Xã hội"; "UBND tỉnh Cao Bằng" → "Ủy ban nhân dân tỉnh Cao Bằng"."""
    s = " ".join(text.split())
    if label == "ORG":
        for rx, full in _abbreviations():
            s = rx.sub(full, s)
        s = s.replace("Uỷ", "Ủy").replace("uỷ", "ủy")
    if s.isupper() or label == "ORG":
        s = _recase(s, label)
    return s


def _recase(s: str, label: str) -> str:
    """Restore the case of a name printed in capitals, from the spellings the patterns know."""
    canon = _canonical_words()
    words = s.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(8, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size]).lower()
            if phrase in canon:
                out.append(canon[phrase] if not out or size > 1 or canon[phrase][0].isupper() else canon[phrase])
                i += size
                break
        else:
            w = words[i]
            low = w.lower()
            if low in LEVELS_ONE or low in ("thành", "phố", "thị", "trấn", "và"):
                out.append(low)
            elif w.isupper() and len(w) > 1 and not any(c.isdigit() for c in w) and label != "ORG":
                out.append(w[:1] + w[1:].lower())
            elif w.isupper() and len(w) > 1 and not any(c in "&." for c in w) and w.isalpha() and len(w) > 3:
                out.append(w[:1] + w[1:].lower())
            else:
                out.append(w)
            i += 1
    return " ".join(out)
