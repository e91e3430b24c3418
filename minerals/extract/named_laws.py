"""Laws, codes and ordinances cited by name ("Bộ luật Lao động năm 2019", "Luật Bảo hiểm xã hội")."""

from __future__ import annotations

import functools

import regex

from .. import patterns
from ..models import Document, NamedLaw

_YEAR = r"(?:19|20)\d\d"
# the year printed with a name: "năm 2019", "2024", "… số 29/2001/QH10 năm 2001", or a date right after the
# name ("Luật Khám bệnh, chữa bệnh ngày 09 tháng 01 năm 2023"); not a date after a number (gold README)
_YEAR_AFTER = regex.compile(
    r"[ \t]*(?:,[ \t]*)?(?:(?:số[ \t]+[\d./]+/[\p{Lu}\d-]+[ \t]+)?(?:năm|Năm)[ \t]+(?P<y>" + _YEAR + r")"
    r"|(?P<y2>" + _YEAR + r")(?![\d/])"
    r"|ngày[ \t]+\d{1,2}(?:[ \t]*[/.-][ \t]*\d{1,2}[ \t]*[/.-][ \t]*|[ \t]+tháng[ \t]+\d{1,2}[ \t]+năm[ \t]+)(?P<y3>" + _YEAR + r"))"
)
_WORD = regex.compile(r"(?P<sp>[ \t]+|[ \t]*\n[ \t]*)(?P<w>[\p{L}][\p{L}\p{M}]*|\d+)|(?P<comma>,)")
# a name ends cleanly before one of these; a comma continuation that ends otherwise is not part of it
_HARD_END = regex.compile(r"[ \t]*(?:$|[;.)\n:]|,[ \t]*(?:\p{Lu}|và )|(?:năm|số|ngày|và|hoặc|sửa đổi|được|đã|có|quy định)(?!\p{L})|" + _YEAR + ")")


@functools.cache
def _rules() -> tuple[regex.Pattern, frozenset[str], regex.Pattern, patterns.Rule]:
    """(the head regex, the stop words, the amending regex, the head rule: the regex tried where a head word opens)."""
    spec = patterns.load("named_laws")
    heads = "|".join(regex.escape(h) for h in sorted(spec["heads"], key=len, reverse=True))
    head_rx = regex.compile(r"(?<![\p{L}])(?P<head>" + heads + r")(?![\p{L}])")
    amending = regex.compile(r"[ \t]+" + spec["amending"]["regex"])
    return head_rx, frozenset(spec["stop_words"]), amending, patterns.rule("named_laws.head", head_rx, opens=spec["heads"])


def get_named_laws(doc: Document) -> list[NamedLaw]:
    """Every law named in ``doc.text``, with the year printed with it (``None`` when none is)."""
    text = doc.text or ""
    head_rx, stops, amending, head = _rules()
    out: list[NamedLaw] = []
    inner_from, amended_until = 0, -1  # inside an amending title the year is the amending law's, not the amended
    for m in head.finditer(text):
        if _inside_proper_name(text, m.start(), m["head"]):
            continue
        end = m.end()
        amend = amending.match(text, end)
        if amend and m["head"] == "Luật":  # "Luật sửa đổi, bổ sung một số điều của Luật Hải quan"
            inner = head_rx.match(text, amend.end())
            end = _name_end(text, inner.end(), stops) if inner else end
            inner_from, amended_until = amend.end(), end
        else:
            end = _name_end(text, end, stops)
        if end == m.end() and m["head"] != "Hiến pháp":
            continue
        name = " ".join(text[m.start() : end].split())
        y = _YEAR_AFTER.match(text, end, min(len(text), end + 80))
        year = int(y["y"] or y["y2"] or y["y3"]) if y else None
        if inner_from <= m.start() and end <= amended_until:
            year = None
        stop = y.end() if y and (y["y"] or y["y2"]) else end
        out.append(NamedLaw(text=text[m.start() : stop], name=name, year=year, start=m.start(), end=stop,
                            page=doc.page_at(m.start())))
    return out


def _inside_proper_name(text: str, start: int, head: str) -> bool:
    """'Bộ luật' is its own head; 'Luật' inside a name ('Thư viện Pháp Luật', 'cộng đồng Dân Luật Việt Nam')
    is no law: a capitalized word before it that itself follows a lower-case word."""
    before = text[max(0, start - 30) : start]
    if head == "Luật" and before.lower().endswith(("bộ ", "pháp ")):
        return True
    words = before.split()
    return len(words) >= 2 and words[-1][:1].isupper() and words[-2][:1].islower() and not before.endswith("\n")


def _name_end(text: str, pos: int, stops: frozenset[str]) -> int:
    """Where the title after the head word ends: before a stop word, a number or punctuation. A comma goes
    on into lower-case title words ('Luật Khám bệnh, chữa bệnh') only when the name then ends cleanly."""
    end = pos
    words = 0
    first = True
    comma_end = None  # where the name stood before a comma continuation
    i = pos
    while words < 14:
        m = _WORD.match(text, i)
        if not m:
            break
        if m["comma"]:
            if comma_end is not None or first:
                break
            comma_end = end
            i = m.end()
            continue
        w, low = m["w"], m["w"].lower()
        if "\n" in m["sp"] and not (words < 4 and w[:1].isupper() and not _WORD.match(text, m.end()) is None):
            break  # a name goes on past a line break only into a capitalized word ("Luật Tổ chức ⏎ Chính phủ")
        nxt = _WORD.match(text, m.end())
        two = low + " " + nxt["w"].lower() if nxt and nxt["w"] else low
        if w.isdigit() or (w == low and low in stops) or (two in stops and (w == low or not first)):
            if two == "sửa đổi" and _YEAR_AFTER.match(text, nxt.end()) and not first:
                end = nxt.end()  # "Luật Các tổ chức tín dụng sửa đổi 2025"
            break
        if comma_end is not None and w[:1].isupper():
            break
        if first and low in ("này", "pháp", "sư"):
            break
        first = False
        words += 1
        i = end = m.end()
    if comma_end is not None and end != comma_end and not _HARD_END.match(text, end):
        end = comma_end
    return end
