"""Citations of legal and administrative documents, found on the clean text with the rules in ``patterns/``.

A citation is anchored on its số hiệu (the number regexes of ``patterns/citations.json``); the words around it
give the rest: the type word before ("Nghị định số"), the date and issuer after ("ngày 01/8/2007 của Chính
phủ"), the relation word that opens the clause ("Căn cứ", "Thực hiện"). Lists share their head's type,
relation and issuer; short forms ("Nghị định 126") resolve to the full citation earlier in the text.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import regex

from .. import patterns
from ..docnumber import DASHES as _DASHES
from ..docnumber import DocNumber, canonical_id, normalize_number, standard_regex as _standard_regex
from ..docnumber import ocr_tables as _ocr, standard_types as _standard_types, type_from_number
from ..models import Citation, Document
from ..spans import SpanSet
from .issuers import better_issuer as _better_issuer, issuer_after as _issuer_after, issuer_fits_code
from .issuers import pre_issuer as _pre_issuer, soft_wraps as _soft_wraps
from .relations import LAW_TYPES as _LAW_TYPES
from .relations import relate as _relate, relation_before as _relation_before

__all__ = ["canonical_id", "find_own_number", "get_citations", "issuer_fits_code", "normalize_number",
           "printed_type_word", "type_from_number"]


# --- context rules --------------------------------------------------------------------------------------
_L = patterns.loose
_NGAY = _L("ngày") + "|" + _L("ngáy")
_THANG = _L("tháng")
_NAM = _L("năm")


@functools.cache
def _date_after() -> regex.Pattern:
    """The issue date after a cited number; its day and month digits may be OCR letters (patterns/ocr.json)."""
    ocr_digits = regex.escape("".join(_ocr()[0]))
    _DD = r"(?:\d|[" + ocr_digits + r"](?=\d)|(?<=\d)[" + ocr_digits + r"]|\d){1,2}"
    return regex.compile(
        r"[ \t\n]*,?[ \t\n]*\(?[ \t\n]*(?:(?:đã |được )?ban hành[ \t\n]+)?(?:" + _NGAY + r")[ \t\n]*:?[ \t\n]*"
        r"(?:(?P<d>" + _DD + r")[ \t]*[/.-][ \t]*(?P<m>" + _DD + r")[ \t]*[/.-][ \t]*(?P<y>(?:19|20)\d\d)"
        r"|(?P<d2>" + _DD + r")[ \t\n]+(?:" + _THANG + r")[ \t\n]+(?P<m2>" + _DD + r")[ \t\n]*(?:,[ \t\n]*)?(?:" + _NAM + r")[ \t\n]+(?P<y2>(?:19|20)\d\d))"
        r"(?![\d/])"
    )


_LIST_GAP = regex.compile(r"\A[ \t\n]*(?:[,;][ \t\n]*)?(?:(?:và|hoặc|cùng)[ \t\n]+)?(?:các[ \t\n]+)?(?:" + _L("số") + r"[ \t\n]*)?\Z")
_NUMBER_WORD = regex.compile(r"(?:" + "|".join([_L("số"), "s6", "S6", "so", "So", "só", "sô"]) + r")[ \t\n]*:?[ \t\n]*\Z")
@functools.cache
def _short_lead() -> regex.Pattern:
    """The type word (and "số") right before a bare number: "Nghị định 126", "Thông tư số 55"."""
    return regex.compile(
        r"(?<![\p{L}])(?P<type>" + patterns.type_words_alternation() + r")[ \t]+(?:" + _L("số") + r"[ \t]+)?\Z"
    )
# "Luật Hải quan số 54/2014/QH13": a law's name may stand between the type word and its number
_LAW_NAME_GAP = regex.compile(
    r"[ \t\n]+\p{Lu}[^\n;.()]{0,100}?[ \t\n]+(?:(?:năm[ \t\n]+)?\d{4}[ \t\n]+)?(?:" + _L("số") + r")[ \t\n]*:?[ \t\n]*"
)
_LEADING_NUMBER = regex.compile(r"[\d.]+")
_TABLE_CELL_LEAD = regex.compile(r"[ \t|]*")
# a bare number, maybe with its year ("126", "126/2007"); one pattern for all documents (compiling an
# alternation of each document's numbers cost a tenth of the citation stage)
_BARE_NUMBER = regex.compile(r"(?<![\d/.,\p{L}])(?P<n>\d+(?:\.\d+)*)(?:/(?P<y>(?:19|20)\d\d))?(?![\d/\p{L}-])")


@dataclass
class _Mention:
    start: int
    end: int  # end of the number
    number: str
    regime: str
    head: int  # where its type word (or the number) starts
    type_word: str | None = None
    date: str | None = None
    issuer: str | None = None
    tail: int = 0  # end of the date / issuer phrase after it
    relation: str | None = None
    in_list: bool = False
    acts_on: _Mention | None = None  # the cited document this one acts on, and how (``_relate``)
    acts_as: str | None = None
    inner: bool = False  # only named inside another cited document's description: no relation of its own
    issuer_before: bool = False  # the issuer was printed before it ("đề nghị của Sở X tại Tờ trình số …")
    printed_type: str | None = None  # the type word printed before it, as read (``type_word`` may be its list's)


def _parse_date(d: str, m: str, y: str) -> str | None:
    """ISO date, or None for an impossible one (31/02); OCR letters in day and month read as digits."""
    try:
        return dt.date(int(y), int(m.translate(_ocr()[1])), int(d.translate(_ocr()[1]))).isoformat()
    except ValueError:
        return None


def _type_word_before(text: str, start: int) -> tuple[str | None, int]:
    """The type word printed just before a number ('Quyết định số', 'Luật Hải quan số'), and where it starts."""
    window_start = max(0, start - 160)
    window = text[window_start:start]
    best = patterns.type_words_regex_reverse().search(window)
    if best is None:
        return None, start
    gap = window[best.end() :]
    folded = patterns.fold(best["type"])
    name = "văn bản" if folded == "van ban" else patterns.type_by_word().get(folded)
    if not gap.strip() or _NUMBER_WORD.fullmatch(gap.lstrip()):
        return name, window_start + best.start()
    if name in _LAW_TYPES and _LAW_NAME_GAP.fullmatch(gap):
        return name, window_start + best.start()
    return None, start


def printed_type_word(context: str, printed: str) -> str | None:
    """The type word printed before ``printed`` in a sentence ("Kế hoạch" in "tại Kế hoạch số 1109/QĐ-UBND"), read
    as the citation stage reads it (``Citation.type_word``)."""
    at = context.find(" ".join(printed.split()))
    return _type_word_before(context, at)[0] if at >= 0 else None


def _not_a_document(text: str, head: int) -> bool:
    before = patterns.fold(text[max(0, head - 25) : head])
    return before.endswith(_not_a_document_endings())  # one C call instead of a loop over the words


@functools.cache
def _not_a_document_endings() -> tuple[str, ...]:
    """Each not-a-document word, alone or followed by "số" (folded)."""
    words = patterns.not_a_document_words()
    return tuple(words) + tuple(w + " so" for w in words)


def find_own_number(text: str, within: int = 8000) -> tuple[str | None, tuple[int, int] | None]:
    """The document's own number ('Số: 1949/QĐ-UBND', 'Số hiệu: …', a blank draft 'Số: /KH-UBND').

    In antiword tables the number can sit in the first cell of the next row (realdocs 017).
    """
    lead, blank = _own_number_regexes()
    num_rx = patterns.number_regex()
    for m in lead.finditer(text, 0, min(len(text), within)):
        starts = [m.end()]
        line_end = text.find("\n", m.end())
        if line_end >= 0 and "|" in text[m.start() : line_end]:
            starts.append(line_end + 1 + len(_TABLE_CELL_LEAD.match(text, line_end + 1)[0]))
        for at in starts:
            n = num_rx.match(text, at) or _near_number(num_rx, text, at)
            if n:
                return normalize_number(n[0]), (n.start(), n.end())
            b = blank.match(text, at)
            if b:
                return normalize_number(b["n"]), (b.start("n"), b.end("n"))
    return None, None


@functools.cache
def _own_number_regexes() -> tuple[regex.Pattern, regex.Pattern]:
    """The 'Số:' lead and a blank draft number ('/KH-UBND'), built once."""
    spec = patterns.load("citations")["own_number"]
    lead = regex.compile(spec["regex"])
    blank = regex.compile(
        r"[ \t.…_]*(?P<n>/[ \t]*" + patterns.expand(patterns.load("citations")["fragments"], "{seg}{tail}") + ")"
    )
    return lead, blank


def _near_number(num_rx: regex.Pattern, text: str, at: int):
    """A number a few stray characters after 'Số:' on the same line (OCR of a stamp or a handwritten digit)."""
    m = num_rx.search(text, at, min(len(text), at + 40))
    if m and m.start() - at <= 6 and "\n" not in text[at : m.start()]:
        return m
    return None


def get_citations(doc: Document, own_number: str | None = None) -> list[Citation]:
    """All citations in ``doc.text`` (which must be cleaned), the document's own number left out."""
    text = doc.text
    if text is None:
        raise ValueError("get_citations needs a cleaned Document: call minerals.clean(doc) first")
    own_id = canonical_id(own_number) if own_number and not own_number.startswith("/") else None
    mentions = _full_mentions(doc, text)
    _share_list_context(text, mentions)
    _relate(text, mentions)
    citations: list[Citation] = []
    seen: dict[str, Citation] = {}
    for mt in mentions:
        n = _parsed(mt, doc)
        cid = n.id
        if cid == own_id:
            continue
        first = seen.get(cid)
        doc_type = _resolve_type(mt, n)
        date = mt.date or (first.date if first else None)
        issuer = mt.issuer or (first.issuer if first else None)
        # a year the number's shape promised: an OCR year ("35/2Q13/ND-CP") matched the administrative shape
        year = (n.year if n.regime in ("normative", "standard") else None) or (int(date[:4]) if date else None)
        c = Citation(
            text=text[mt.start : mt.end],
            doc_type=doc_type,
            number=n.normalized,
            year=year,
            date=date,
            issuer=issuer,
            relation=mt.relation,
            id=cid,
            start=mt.start,
            end=mt.end,
            page=doc.page_at(mt.start),
            acts_on=_parsed(mt.acts_on, doc).id if mt.acts_on is not None else None,
            acts_as=mt.acts_as,
            type_word=mt.printed_type,
        )
        citations.append(c)
        if first is None or (first.date is None and date) or _better_issuer(issuer, first.issuer):
            seen[cid] = c
    citations += _short_forms(doc, text, citations, own_id)
    citations.sort(key=lambda c: c.start)
    return citations


def _resolve_type(mt: _Mention, n: DocNumber) -> str | None:
    if mt.type_word and mt.type_word != "văn bản":
        return mt.type_word
    inferred = n.doc_type
    if mt.type_word == "văn bản":  # "văn bản số ..." is generic: the symbol's type code says more
        return inferred or "Công văn"
    return inferred


_OCR_SPLIT_DIGITS = regex.compile(r"(?<![\p{L}])(?:số|so|s6)[ \t]+(?P<d>\d{1,4})[ \t]\Z")


_SLASH_OR_DASH = "/-" + _DASHES
# the figures and spaces right before a separator, searched backwards from it
_FIGURES_BEFORE = regex.compile(r"[\d.]*[ \t\u00a0\n]*", regex.REVERSE)


@functools.cache
def _opens_with_figures() -> bool:
    """Whether every số hiệu regex (regimes and old style) opens with {num} then a slash or dash, spelt as
    ``_numbers`` expects; if the rules change shape, the plain scan is used."""
    spec = patterns.load("citations")
    f = spec["fragments"]
    return (
        f["num"] == r"\d{1,5}(?:\.\d{1,2})?" and f["sep"] == r"[ \t\u00a0]*(?:\n[ \t\u00a0]*){0,2}"
        and f["slash"] == "{sep}/{sep}"
        and f["dash"] == "{sep}[-" + "".join(rf"\u{ord(c):04x}" for c in _DASHES) + "]{sep}"
        and all(r["regex"].startswith(("{num}{slash}", "{num}{dash}")) for r in spec["regimes"])
        and spec["old_style"]["regex"].startswith("{num}{dash}")
    )


def _number_starts(text: str, separators: str) -> set[int]:
    """Where a số hiệu ending its figures at one of ``separators`` can start (see ``_numbers``)."""
    starts = set()
    for ch in separators:
        q = text.find(ch)
        while q >= 0:
            p = _FIGURES_BEFORE.match(text, 0, q).start()
            if text[p] not in _NOT_A_FIGURE:  # no figure before this separator ("- " opening a line)
                starts.add(p)
            q = text.find(ch, q + 1)
    return starts


_NOT_A_FIGURE = frozenset(". \t\u00a0\n" + _SLASH_OR_DASH)


def _numbers(rx: regex.Pattern, text: str, starts: set[int]):
    """``rx.finditer(text)`` for a số hiệu regex, tried only at ``starts`` (``_number_starts``).

    A số hiệu opens with figures, maybe spaces, then '/' or a dash, and the character before it is neither a
    figure nor a dot (the regexes' lookbehinds): so it can only start where the run of figures, dots and
    spaces before a separator starts. Matching there (a few dozen places) gives the same matches as scanning
    every character of the text, which was a fifth of this stage."""
    if not _opens_with_figures():
        yield from rx.finditer(text)
        return
    yield from patterns.finditer_at(rx, text, starts)


def _full_mentions(doc: Document, text: str) -> list[_Mention]:
    mentions: list[_Mention] = []
    after_dash = _number_starts(text, "-" + _DASHES)
    for m in _numbers(patterns.number_regex(), text, after_dash | _number_starts(text, "/")):
        regime = next(k for k, v in m.groupdict().items() if v is not None)
        start = m.start()
        split = _OCR_SPLIT_DIGITS.search(text, max(0, start - 20), start) if doc.is_ocr_at(start) else None
        if split:  # OCR splits a number's digits: "Quyết định số 203 4/QĐ-BGDĐT" (pdfs/007)
            start = split.start("d")
        mentions.append(_mention(text, start, m.end(), text[start : m.end()], regime))
    # pre-2000 numbers ("Quyết định số 169-CP") only right after a type word and "số"
    for m in _numbers(patterns.old_style_regex(), text, after_dash):
        if any(mt.start <= m.start() < mt.end for mt in mentions):
            continue
        type_word, head = _type_word_before(text, m.start())
        if type_word and _NUMBER_WORD.search(text[max(0, m.start() - 12) : m.start()]):
            mentions.append(_mention(text, m.start(), m.end(), m[0], "old"))
    mentions = [mt for mt in mentions if not _not_a_document(text, mt.head)]
    # technical standards ("QCVN 06:2022/BXD") are their own type; their tail is no letter "2022/BXD"
    standards = list(_standards().finditer(text))
    if standards:
        spans = [m.span() for m in standards]
        mentions = [mt for mt in mentions if not any(a <= mt.start < b for a, b in spans)]
        for m in standards:
            mt = _mention(text, m.start(), m.end(), m[0], "standard")
            mt.type_word = _standard_types()[m["code"].split()[0]]
            mentions.append(mt)
    mentions.sort(key=lambda mt: mt.start)
    return mentions


@functools.cache
def _standards() -> patterns.Rule:
    """``standards``, searched only in a text holding one of its codes (every match holds one)."""
    return patterns.rule("citations.standards", _standard_regex(), needs=_standard_types())


def _mention(text: str, start: int, end: int, raw: str, regime: str) -> _Mention:
    type_word, head = _type_word_before(text, start)
    mt = _Mention(start=start, end=end, number=raw, regime=regime, head=head, type_word=type_word,
                  printed_type=type_word)
    pos = end
    d = _date_after().match(text, pos, min(len(text), pos + 80))
    if d:
        if d["d"]:
            mt.date = _parse_date(d["d"], d["m"], d["y"])
        else:
            mt.date = _parse_date(d["d2"], d["m2"], d["y2"])
        pos = d.end()
    mt.issuer, pos = _issuer_after(text, pos)
    mt.tail = pos
    if mt.issuer is None:
        pre = _pre_issuer().search(_soft_wraps(text, max(0, head - 130), head))
        if pre:
            mt.issuer, mt.issuer_before = " ".join((pre["a"] or pre["b"] or pre["c"]).split()), True
            if pre["d"] and mt.date is None:
                mt.date = _parse_date(pre["d"], pre["m"], pre["y"])
    mt.relation = _relation_before(text, head)
    return mt


def _share_list_context(text: str, mentions: list[_Mention]) -> None:
    """Lists ('Quyết định số 12/QĐ-UBND, 13/QĐ-UBND ... của UBND tỉnh') share relation, type and issuer."""
    if not mentions:
        return
    groups: list[list[_Mention]] = [[mentions[0]]]
    for prev, cur in zip(mentions, mentions[1:]):
        gap = text[prev.tail : cur.head] if prev.tail <= cur.head else None
        if gap is not None and len(gap) < 40 and _LIST_GAP.match(gap):
            groups[-1].append(cur)
        else:
            groups.append([cur])
    for group in groups:
        if len(group) < 2:
            continue
        head = group[0]
        for mt in group[1:]:
            mt.in_list = True
            mt.relation = head.relation
            if mt.type_word is None and head.type_word:
                inferred = type_from_number(normalize_number(mt.number), mt.regime)
                if inferred in (None, "Công văn"):
                    mt.type_word = head.type_word
        shared = None
        for mt in reversed(group):
            if mt.issuer:
                shared = mt.issuer
            elif shared and issuer_fits_code(normalize_number(mt.number), shared):
                mt.issuer = shared
        if head.issuer_before:  # "đề nghị của Sở Xây dựng tại các Tờ trình: số 441/TTr-SXD … và số 464/TTr-SXD"
            for mt in group[1:]:
                if mt.issuer is None and issuer_fits_code(normalize_number(mt.number), head.issuer):
                    mt.issuer, mt.issuer_before = head.issuer, True


def _parsed(mt: _Mention, doc: Document) -> DocNumber:
    """A mention's number, read with the OCR repairs where its text was OCR'd (parsed once per spelling)."""
    return DocNumber.parse(mt.number, ocr=doc.is_ocr_at(mt.start), regime=mt.regime)


def _short_forms(doc: Document, text: str, full: list[Citation], own_id: str | None) -> list[Citation]:
    """'Nghị định 126' or 'Nghị định 126/2007' after 'Nghị định số 126/2007/NĐ-CP': the same document."""
    if not full:
        return []
    taken = SpanSet((c.start, c.end) for c in full)
    by_key: dict[tuple[str | None, str], list[Citation]] = {}
    for c in full:
        lead = _LEADING_NUMBER.match(c.number)
        if lead:
            by_key.setdefault((c.doc_type, lead[0]), []).append(c)
    out: list[Citation] = []
    leads = {lead for _, lead in by_key}
    for m in _BARE_NUMBER.finditer(text):
        if m["n"] not in leads or taken.overlaps(m.start(), m.start() + 1):
            continue
        before = _short_lead().search(text, max(0, m.start() - 40), m.start())
        if not before:
            continue
        type_name = patterns.type_by_word().get(patterns.fold(before["type"]))
        cands = [c for c in by_key.get((type_name, m["n"]), []) if c.start < m.start()]
        if m["y"]:
            cands = [c for c in cands if c.year == int(m["y"])]
        ids = {c.id for c in cands}
        if len(ids) != 1 or next(iter(ids)) == own_id:
            continue
        ref = cands[0]
        out.append(
            Citation(
                text=text[before.start() : m.end()], doc_type=ref.doc_type, number=ref.number, year=ref.year,
                date=ref.date, issuer=ref.issuer, relation=_relation_before(text, before.start()), id=ref.id,
                start=before.start(), end=m.end(), page=doc.page_at(before.start()), short_form=True,
                type_word=type_name,
            )
        )
    return out
