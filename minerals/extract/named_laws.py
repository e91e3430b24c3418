"""Laws, codes and ordinances cited by name ("Bộ luật Lao động năm 2019", "Luật Bảo hiểm xã hội")."""

from __future__ import annotations

import functools

import regex

from .. import patterns
from ..models import Document, NamedLaw


@functools.cache
def _rules() -> tuple[regex.Pattern, frozenset[str], regex.Pattern]:
    spec = patterns.load("named_laws")
    heads = "|".join(regex.escape(h) for h in sorted(spec["heads"], key=len, reverse=True))
    head_rx = regex.compile(r"(?<![\p{L}])(?P<head>" + heads + r")(?![\p{L}])")
    stops = frozenset(spec["stop_words"])
    year_rx = regex.compile(
        r"[ \t]*(?:,[ \t]*)?(?:(?:năm|Năm)[ \t]+(?P<y>(?:19|20)\d\d)|(?P<y2>(?:19|20)\d\d)(?![\d/])"
        r"|ngày[ \t]+\d{1,2}(?:[ \t]*[/.-][ \t]*\d{1,2}[ \t]*[/.-][ \t]*|[ \t]+tháng[ \t]+\d{1,2}[ \t]+năm[ \t]+)(?P<y3>(?:19|20)\d\d))"
    )
    return head_rx, stops, year_rx


_WORD = regex.compile(r"[ \t]+(?P<w>[\p{L}][\p{L}\p{M}]*|\d+)|(?P<comma>,)")


def get_named_laws(doc: Document) -> list[NamedLaw]:
    """Every law named in ``doc.text``, with the year printed with it (``None`` when none is)."""
    text = doc.text or ""
    head_rx, stops, year_rx = _rules()
    out: list[NamedLaw] = []
    for m in head_rx.finditer(text):
        before = text[max(0, m.start() - 6) : m.start()].lower()
        if m["head"] == "Luật" and before.endswith(("bộ ", "pháp ")):
            continue  # "Bộ luật" is its own head; "Pháp Luật Việt Nam" (thuvienphapluat furniture) is no law
        end = _name_end(text, m.end(), stops)
        if end == m.end() and m["head"] != "Hiến pháp":
            continue
        name = " ".join(text[m.start() : end].split())
        y = year_rx.match(text, end, min(len(text), end + 80))
        year = int(y["y"] or y["y2"] or y["y3"]) if y else None
        stop = y.end() if y and (y["y"] or y["y2"]) else end
        out.append(NamedLaw(text=text[m.start() : stop], name=name, year=year, start=m.start(), end=stop,
                            page=doc.page_at(m.start())))
    return out


def _name_end(text: str, pos: int, stops: frozenset[str]) -> int:
    """Where the title after the head word ends: before a stop word, a number or punctuation."""
    end = pos
    words = 0
    first = True
    after_comma = False
    i = pos
    while words < 14:
        m = _WORD.match(text, i)
        if not m:
            break
        if m["comma"]:
            if after_comma or first:
                break
            after_comma = True
            i = m.end()
            continue
        w = m["w"]
        low = w.lower()
        two = (low + " " + (_WORD.match(text, m.end())["w"] or "").lower()) if _WORD.match(text, m.end()) else low
        if w.isdigit() or (w == low and (low in stops or two in stops)):
            break  # a capitalized word belongs to the title ("Luật Các tổ chức tín dụng")
        if after_comma and (w[0].isupper()):
            break
        if first and low in ("này", "pháp", "sư"):
            break
        first = False
        words += 1
        i = m.end()
        end = i
        if after_comma:
            after_comma = False
            if words > 10:
                break
    return end
