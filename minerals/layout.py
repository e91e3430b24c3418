"""Where the document lies in its page, and its parts: site furniture out, sections in.

A crawled page holds more than the document: a site's notices, its metadata block, sidebars of related
documents, banners (realdocs/archive: the notice citing Nghị định 13/2023/NĐ-CP on 209 of 363 pages). The
rules of ``patterns/layouts.json`` find the document's span; everything else is ``Furniture``, not mined and
listed in ``document.furniture``. Inside the span, ``patterns/sections.json`` cuts the NĐ 30 parts: header,
basis (căn cứ), body, recipients, signature, annex, footnote; every extracted item carries its ``section``.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from . import patterns

SECTIONS = ("header", "basis", "body", "annex", "signature", "recipients", "footnote")
_SCAN = 200_000  # how far ``detect`` looks


@dataclass(frozen=True)
class Span:
    """A stretch of ``Document.text``: a block of furniture (``kind``) or a section (``kind`` its name)."""

    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Layout:
    """The document's span in the page, the furniture around and inside it, and its sections."""

    start: int
    end: int
    furniture: tuple[Span, ...] = ()
    sections: tuple[Span, ...] = ()
    name: str | None = None

    @functools.cached_property
    def _section_starts(self) -> list[int]:
        return [s.start for s in self.sections]

    def section_at(self, pos: int) -> str | None:
        """The section holding ``pos``, ``None`` in furniture."""
        if self.is_furniture(pos):
            return None
        i = bisect.bisect_right(self._section_starts, pos) - 1
        return self.sections[i].kind if i >= 0 else "body"

    def is_furniture(self, pos: int) -> bool:
        if pos < self.start or pos >= self.end:
            return True
        return any(f.start <= pos < f.end for f in self.furniture if self.start <= f.start < self.end)


@dataclass(frozen=True)
class _Rule:
    kind: str
    rx: regex.Pattern
    end: regex.Pattern | None = None
    opens: bool = False
    to_tail: bool = False
    needs: str | None = None  # prefilter: the rule runs only on a text holding this string
    line_of: regex.Pattern | None = None  # prefilter: the rule runs only on the lines holding this marker

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """The rule's matches in ``text[pos:endpos]``, tried only where its prefilters allow."""
        endpos = len(text) if endpos is None else endpos
        if self.needs is not None and self.needs not in text:
            return
        if self.line_of is None:
            yield from self.rx.finditer(text, pos, endpos)
            return
        for marker in self.line_of.finditer(text, pos, endpos):
            line_start = max(text.rfind("\n", 0, marker.start()) + 1, pos)
            line_end = text.find("\n", marker.end())
            yield from self.rx.finditer(text, line_start, min(endpos, len(text) if line_end < 0 else line_end))

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return next(self.finditer(text, pos, endpos), None)


@dataclass(frozen=True)
class _LayoutRules:
    name: str
    detect: regex.Pattern | None
    detect_raw: regex.Pattern | None
    head: tuple[_Rule, ...]
    tail: tuple[_Rule, ...]
    inside: tuple[_Rule, ...]
    without_header: str | None
    site_title: regex.Pattern | None = None


def _compile(pattern: str) -> regex.Pattern:
    """A layout rule, tolerant of swapped diacritics (``patterns.loosen``)."""
    return regex.compile(patterns.loosen(pattern), regex.MULTILINE)


def _rule(spec: dict) -> _Rule:
    return _Rule(spec["kind"], _compile(spec["start"]), _compile(spec["end"]) if spec.get("end") else None,
                 bool(spec.get("opens")), bool(spec.get("to_tail")), spec.get("needs"),
                 _compile(spec["line_of"]) if spec.get("line_of") else None)


@functools.cache
def _layouts() -> tuple[tuple[_LayoutRules, ...], regex.Pattern]:
    spec = patterns.load("layouts")
    out = []
    for lay in spec["layouts"]:
        out.append(_LayoutRules(
            lay["name"],
            _compile(lay["detect"]) if lay.get("detect") else None,
            _compile(lay["detect_raw"]) if lay.get("detect_raw") else None,
            tuple(map(_rule, lay.get("head", ()))), tuple(map(_rule, lay.get("tail", ()))),
            tuple(map(_rule, lay.get("inside", ()))), lay.get("without_header"),
            regex.compile(lay["site_title"], regex.MULTILINE) if lay.get("site_title") else None))
    return tuple(out), regex.compile(spec["header"])


_LETTER = regex.compile(r"(?m)^[^\n]*\p{L}")


def find_layout(text: str, raw: str | None = None) -> Layout:
    """The document's span, furniture and sections in the clean ``text`` (``raw``: the text as read)."""
    rules, header = _layouts()
    for lay in rules:
        if (lay.detect and lay.detect.search(text, 0, _SCAN)) or (
                lay.detect_raw and lay.detect_raw.search(raw if raw is not None else text)):
            return _apply(lay, text, header)
    return Layout(0, len(text), (), find_sections(text, 0, len(text)))


def _apply(lay: _LayoutRules, text: str, header: regex.Pattern) -> Layout:
    n = len(text)
    if lay.without_header and not header.search(text):
        return Layout(n, n, (Span(0, n, lay.without_header),), (), lay.name)
    furniture: list[Span] = []
    # head: blocks in page order; the document starts after the last
    marks = sorted(((m.start(), r, m) for r in lay.head for m in [r.search(text, 0, _SCAN)] if m),
                   key=lambda x: x[0])
    start = 0
    if marks:
        for (a, rule, m), nxt in zip(marks, [*(x[0] for x in marks[1:]), None]):
            if nxt is not None:
                furniture.append(Span(a, nxt, rule.kind))
                continue
            end = rule.end.search(text, m.end()) if rule.end else None
            stop = end.end() if end else (text.find("\n", m.end()) + 1 or n)
            furniture.append(Span(a, stop, rule.kind))
            start = stop
        if furniture[0].start > 0:
            furniture.insert(0, Span(0, furniture[0].start, furniture[0].kind))
        first = _LETTER.search(text, start)
        start = first.start() if first else n
    # tail: the first opening match ends the document; every tail match after it starts a block
    opens = [m.start() for r in lay.tail if r.opens for m in [r.search(text, start)] if m]
    end = min(opens) if opens else n
    if end < n:
        kinds = {}  # block start → kind, the first rule of the list winning
        for r in lay.tail:
            for m in r.finditer(text, end):
                kinds.setdefault(m.start(), r.kind)
        cuts = sorted({end, *kinds})
        for a, b in zip(cuts, [*cuts[1:], n]):
            furniture.append(Span(a, b, kinds.get(a, "other")))
    inside = []
    for r in lay.inside:
        for m in r.finditer(text, start, end):
            inside.append(Span(m.start(), end if r.to_tail else m.end(), r.kind))
            if r.to_tail:
                break
    furniture.extend(inside)
    furniture.sort(key=lambda s: s.start)
    doc_end = min([end, *(s.start for s in inside if s.end == end)])  # a translation after the document
    return Layout(start, doc_end, tuple(furniture), find_sections(text, start, doc_end), lay.name)


def site_title(text: str, layout: Layout) -> str | None:
    """The title the site's link line gives the document (``site_title`` of its layout), else ``None``."""
    lay = next((x for x in _layouts()[0] if x.name == layout.name), None)
    if lay is None or lay.site_title is None:
        return None
    for f in layout.furniture:
        if f.kind == "links":
            line_end = text.find("\n", f.start, f.end)
            m = lay.site_title.match(text, f.start, f.end if line_end < 0 else line_end)
            if m:
                return m["title"].strip()
    return None


def blank_furniture(text: str, layout: Layout) -> str:
    """``text`` with its furniture turned to spaces (line breaks kept): the same offsets, nothing to mine."""
    if not layout.furniture:
        return text
    parts, last = [], 0
    for f in sorted(layout.furniture, key=lambda s: s.start):
        a = max(f.start, last)
        if f.end <= a:
            continue
        parts.append(text[last:a])
        parts.append("\n".join(" " * len(line) for line in text[a : f.end].split("\n")))
        last = f.end
    parts.append(text[last:])
    return "".join(parts)


# --- sections ---------------------------------------------------------------------------------------------

@functools.cache
def _section_rules() -> dict:
    spec = patterns.load("sections")
    out = {k: regex.compile(v, regex.MULTILINE) for k, v in spec.items()
           if isinstance(v, str) and not k.startswith("#")}
    out["header_lines"] = spec["header_lines"]
    sig = patterns.load("signature")
    titles = "|".join(sorted(sig["titles"], key=len, reverse=True))
    auth = "|".join(sig["authority"])
    # a signature title where a block line starts: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    out["signature"] = regex.compile(
        r"(?:(?:^|(?<=[ \t]))(?:" + auth + r")\.[ \t]*[\p{Lu}Đ][\p{Lu}Đ \t,]{2,60}|^(?:PHÓ[ \t]+)?(?:" + titles
        + r")(?![\p{L}])[\p{Lu}Đ \t,]*)$", regex.MULTILINE)
    return out


def _lines(text: str, start: int, end: int):
    """(line start, line end) of the lines in ``text[start:end]``."""
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield pos, stop
        pos = stop + 1


def find_sections(text: str, start: int, end: int) -> tuple[Span, ...]:
    """The sections of the document ``text[start:end]``, in order, covering it."""
    if end <= start:
        return ()
    r = _section_rules()
    lines = list(_lines(text, start, end))
    marks: list[tuple[int, str]] = []
    i = next((k for k, (a, b) in enumerate(lines[: r["header_lines"]])
              if r["basis"].match(text, a, b) or r["body"].match(text, a, b)), 0)
    if i:
        marks.append((start, "header"))
    if i < len(lines) and r["basis"].match(text, *lines[i]):
        marks.append((lines[i][0], "basis"))
        while i < len(lines) and r["basis_more"].match(text, *lines[i]):
            i += 1
    body_start = lines[i][0] if i < len(lines) else end
    marks.append((body_start, "body"))
    closing_end = _closing(text, body_start, end, r, marks)
    after = closing_end if closing_end is not None else body_start
    annex_rx = r["annex"] if closing_end is not None else r["annex_alone"]
    for a, b in _lines(text, after, end):
        if body_start < a < b and annex_rx.match(text, a, b):
            marks.append((a, "annex"))
            break
    for a, b in _lines(text, after, end):
        if body_start < a < b and r["footnote"].match(text, a, b):
            marks.append((a, "footnote"))
            marks.append((b + 1, "_resume"))  # a footnote is its line; the section before it goes on
    return _flatten(marks, start, end)


def _closing(text: str, body_start: int, end: int, r: dict, marks: list) -> int | None:
    """Mark the first "Nơi nhận" and its list, and the signature block (the run of title lines nearest to it,
    else the last run, with the name line under it); return where the closing ends (``None``: no closing)."""
    # the first "Nơi nhận": an annex's form templates print their own (realdocs/archive ea34a356cafcb1aa)
    nn = r["recipients"].search(text, body_start, end)
    runs: list[list[regex.Match]] = []
    for m in r["signature"].finditer(text, body_start, end):
        if runs and m.start() - runs[-1][-1].end() <= 2:
            runs[-1].append(m)
        else:
            runs.append([m])
    if nn is None and not runs:
        return None
    sig = None
    if runs:
        sig = min(runs, key=lambda run: abs(run[0].start() - nn.start())) if nn is not None else runs[-1]
    closing_end = body_start
    sig_start = sig[0].start() if sig else None
    if sig:
        name_end = text.find("\n", sig[-1].end() + 1, end)
        name_end = end if name_end < 0 else name_end
        if nn is not None and sig_start < nn.start() < name_end:
            name_end = nn.start()  # "Nơi nhận" printed under the signature
        marks.append((sig_start, "signature"))
        closing_end = name_end
    if nn is not None:
        rec_end = text.find("\n", nn.end(), end)
        rec_end = end if rec_end < 0 else rec_end
        for a, b in _lines(text, rec_end + 1, end):
            if a == b or not r["recipient_line"].match(text, a, b):
                break
            rec_end = b
        if sig_start is not None and nn.start() < sig_start < rec_end:
            rec_end = sig_start  # "- Lưu: VT. TM. ỦY BAN NHÂN DÂN": the block starts inside the last line
        marks.append((nn.start(), "recipients"))
        spans = [(nn.start(), rec_end)] + ([(sig_start, closing_end)] if sig else [])
        # body again after each part, unless the other part goes on there (one printed inside the other)
        for _, stop in spans:
            if not any(a <= stop < b or stop + 1 == a for a, b in spans):
                marks.append((stop + 1, "_after"))
        closing_end = max(closing_end, rec_end)
    marks.append((closing_end + 1 if text.startswith("\n", closing_end) else closing_end, "_after"))
    return closing_end


def _flatten(marks: list[tuple[int, str]], start: int, end: int) -> tuple[Span, ...]:
    """Section starts to spans. ``_after`` (past the closing) goes on as body; ``_resume`` (past a footnote)
    as the section before the footnote."""
    out: list[Span] = []
    last = "body"
    marks = sorted(set(marks), key=lambda x: (x[0], not x[1].startswith("_")))  # a real start wins
    for (pos, kind), nxt in zip(marks, [*(m[0] for m in marks[1:]), end]):
        if pos >= end:
            continue
        kind = "body" if kind == "_after" else last if kind == "_resume" else kind
        if kind != "footnote":
            last = kind
        if nxt <= pos:
            continue
        if out and out[-1].kind == kind and out[-1].end == pos:
            out[-1] = Span(out[-1].start, nxt, kind)
        else:
            out.append(Span(pos, min(nxt, end), kind))
    return tuple(out)
