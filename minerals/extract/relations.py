"""Relation words: what the citing sentence says a document does with the one it cites ("Căn cứ", "Thực hiện",
"bãi bỏ"), and what one cited document does to another ("X được sửa đổi, bổ sung bởi Y"), from the rules of
``patterns/relations.json``. The citation stage (``citations``) finds the mentions; this module reads the words
around them.
"""

from __future__ import annotations

import bisect
import functools
import re as stdlib_re

import regex

from .. import patterns
from ..clean import LIST_START

_L = patterns.loose
NEW_BASIS = _L("Căn cứ") + r"\s|" + _L("Xét") + r"\s"  # a line that opens a basis of its own

# searched from the end: the last one. A line break ends a clause after punctuation, a bold heading or a table
# cell, or before a list item; elsewhere it is a wrapped line (thuvienphapluat pages wrap inside sentences).
CLAUSE_END = regex.compile(r"[.;!?](?![\d])|(?<=[:*|])[ \t]*\n|\n(?=[ \t]*(?:" + LIST_START.pattern + "))", regex.REVERSE)
LAW_TYPES = {"Luật", "Bộ luật", "Pháp lệnh"}
_LAW_TYPE_WORDS = tuple(" " + patterns.fold(t) for t in LAW_TYPES)


@functools.cache
def _relation_rules() -> tuple[tuple[str, ...], frozenset, frozenset, dict[str, str]]:
    """From patterns/relations.json (read at first use): the passive markers' words and relations, the words
    that yield to an earlier relation word, and each relation word's relation."""
    spec = patterns.load("relations")
    return (tuple(" " + patterns.fold(w) for w in spec["passive_markers"]["words"]),
            frozenset(spec["passive_markers"]["relations"]),
            frozenset(patterns.fold(w) for w in spec["yield_to_earlier"]["words"]), dict(patterns.relations()))


def relation_before(text: str, head: int) -> str | None:
    """The relation word ending nearest the citation within its clause. A wrapped line does not end the clause
    ("KẾ HOẠCH THỰC" / "HIỆN QUYẾT ĐỊNH SỐ 1899/QĐ-TTG", realdocs/archive c5d930a5fc8373cd); a word that names a
    law ("Luật Sửa đổi, bổ sung một số điều của Luật …") is no relation; "kèm theo" yields to a relation word
    earlier in the clause ("Sửa đổi … Quy định … ban hành kèm theo Quyết định số 52/2024/QĐ-UBND",
    realdocs/archive 46482d81ac8c4f96)."""
    window = text[max(0, head - 200) : head]
    cut = CLAUSE_END.search(window)  # the last clause end
    if cut:
        window = window[cut.end() :]
    folded = " " + patterns.fold(window).replace("\n", " ") + " "
    passive_words, passive_acts, yielding, relation_of = _relation_rules()
    found = None
    for m in patterns.relations_regex().finditer(folded):  # backwards: nearest first
        before = folded[: m.start()].rstrip()
        if before.endswith(_LAW_TYPE_WORDS) or (before.endswith(passive_words) and relation_of[m[0]] in passive_acts):
            continue
        if found is None:
            found = m[0]
            if found not in yielding:
                break
        elif relation_of[m[0]] != relation_of[found]:
            return relation_of[m[0]]
    return relation_of[found] if found else None


@functools.cache
def _between_rules() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern, dict[str, str]]:
    """patterns/relations.json ``between``: passive, active and after words (folded), and the relation of each."""
    spec = patterns.load("relations")["between"]
    of: dict[str, str] = {}
    rxs = []
    for voice in ("passive", "active", "after"):
        words = []
        for rule in spec[voice]:
            for w in rule["words"]:
                f = patterns.fold(w)
                of.setdefault(f"{voice}:{f}", rule["relation"])
                if rule.get("adjacent"):
                    of[f"adjacent:{f}"] = rule["relation"]
                words.append(f)
        alt = "|".join(regex.escape(w) for w in sorted(set(words), key=len, reverse=True))
        rxs.append(regex.compile(rf"(?<![\p{{L}}])(?:{alt})(?![\p{{L}}])"))
    return rxs[0], rxs[1], rxs[2], of


_AND = regex.compile(r"(?<![\p{L}])(?:va|hoac)(?![\p{L}])")
_GAP_END = regex.compile(r"[;\n]|\.(?!\d)(?=\s|$)")


def relate(text: str, mentions: list) -> None:
    """Who relates to whom in a clause (issue 17). Between two citations of one clause, "X được sửa đổi, bổ
    sung bởi Y" makes Y act on X, and Y keeps the clause's relation (a "Căn cứ" line's); "X … thực hiện Y"
    makes X act on Y, and Y has no relation of the citing document's own. "X … hết hiệu lực" after a
    citation repeals it. ``mentions`` are the citation stage's, in text order: this sets their ``relation``,
    ``acts_on`` and ``acts_as``."""
    if not mentions:
        return
    passive, active, after, of = _between_rules()
    for a, b in zip(mentions, mentions[1:]):
        if b.in_list:  # a list shares its head's reading: "bởi Luật số 47/2019/QH14 và Luật số 87/2025/QH15"
            if a.acts_on is not None and a.acts_as and a.acts_on is not b:
                b.acts_on, b.acts_as, b.relation = a.acts_on, a.acts_as, a.relation
            continue
        if a.tail > b.head:
            continue
        gap = text[a.tail : b.head]
        if len(gap) > 300 or _GAP_END.search(gap):
            continue
        folded = patterns.fold(gap)
        m = passive.search(folded)
        if m:
            b.acts_on, b.acts_as, b.relation = a, of["passive:" + m[0]], a.relation
            continue
        m = None
        for found in active.finditer(folded):  # the verb nearest the later citation, not a passive one
            if not (" " + folded[: found.start()]).rstrip().endswith(_relation_rules()[0]):  # "… thủ tục … bị bãi bỏ"
                m = found
        if m and not _AND.search(folded, m.end()):  # "hướng dẫn … của Luật … và Nghị định số 126": a second object
            if a.acts_on is None:
                a.acts_on, a.acts_as = b, of["active:" + m[0]]
            b.relation, b.inner = None, True
    prev = None
    newlines: list[int] | None = None
    for mt in mentions:
        if mt.relation is None and not mt.inner:
            if newlines is None:
                newlines = [m.start() for m in _NEWLINE.finditer(text)]
            mt.relation = _lead_in_relation(text, mt, prev, newlines)
        prev = mt
        if mt.relation in (None, "theo"):
            limit = min(len(text), mt.tail + 160)
            end = _GAP_END.search(text, mt.tail, limit)
            m = after.search(patterns.fold(text[mt.tail : end.start() if end else limit]))
            if m and (f"adjacent:{m[0]}" not in of or len(text[mt.tail : mt.tail + m.start()].split()) <= 2):
                mt.relation = of["after:" + m[0]]


_ITEM_LINE = regex.compile(r"[ \t]*(?:[a-zđ]\)|\d+[.)]|[-+*•])")
_NEWLINE = stdlib_re.compile("\n")
_NOT_BLANK = stdlib_re.compile(r"[^ \t*_]")


def _lead_in_relation(text: str, mt, prev, newlines: list[int]) -> str | None:
    """A citation with no relation word in its clause takes the one of its list: the item of a lead-in line
    ("Bãi bỏ các Quyết định sau:" / "a) Quyết định số 12/2023/QĐ-UBND …", realdocs/archive a63d28926f9123fd),
    or the citation before it in a "; "-separated basis ("Căn cứ Nghị định số 63/2010/NĐ-CP …; Nghị định số
    48/2013/NĐ-CP …", realdocs/archive 0a5a51958af8e293)."""
    if prev is not None and prev.relation in _CONTINUED and prev.tail <= mt.head and _continues_basis(text[prev.tail : mt.head]):
        return prev.relation
    # the line's start from the text's newlines (``newlines``), not a scan back: a text of one long line would
    # make every citation scan back to its start (FUZZ: "123/QĐ-UBND "×200,000)
    i = bisect.bisect_left(newlines, mt.head)
    line_start = newlines[i - 1] + 1 if i else 0
    item = _ITEM_LINE.match(text, line_start, mt.head + 1)
    if not item and _NOT_BLANK.search(text, line_start, mt.head):
        return None  # the citation does not open its line
    pos = line_start - 1
    for _ in range(12):  # up over the other items to the lead-in line
        if pos <= 0:
            return None
        start = text.rfind("\n", 0, pos) + 1
        line = text[start:pos].rstrip(" \t*_")
        if line.endswith(":"):
            return relation_before(text, start + len(line))
        if not item or (line and not _ITEM_LINE.match(line)):
            return None  # a plain line opens with a citation only right under its lead-in
        pos = start - 1
    return None


_CONTINUED = ("căn cứ", "theo")  # relations a "; "-separated list carries on to its next item


def _continues_basis(gap: str) -> bool:
    """Is ``gap`` (from one citation's end to the next one's type word) the rest of a basis item and the
    start of the next, "… của Chính phủ về kiểm soát thủ tục hành chính; Nghị định số 48/2013/NĐ-CP"
    (realdocs/archive 0a5a51958af8e293), with no sentence or paragraph end between?"""
    semi = gap.rfind(";")
    if semi < 0 or len(gap) > 400:
        return False
    rest = gap[semi + 1 :].strip(" \t\n*_,")
    if rest.startswith("và "):
        rest = rest[3:].lstrip()
    # the next item opens with its own name: "; Báo cáo thẩm tra số 119/BC-BPC", "; Luật Sửa đổi, bổ sung …
    # của Luật Ban hành văn bản quy phạm pháp luật số 87/2025/QH15" (realdocs/archive 98b67fb117d01944, 32bf80ce6d1e997e)
    named = not rest or rest == "và" or (rest[0].isupper() and len(rest.split()) <= 20)
    return named and not _SENTENCE_END.search(gap, 0, semi)


_SENTENCE_END = regex.compile(r"[.!?:](?!\d)|[;:*]?[ \t]*\n[ \t*_]*(?:" + LIST_START.pattern + "|" + NEW_BASIS + ")")
