"""The objects that flow through minerals: one ``Document`` in, frozen items with offsets out.

Offsets (``start``/``end``) always index ``Document.text``, the cleaned text that ``minerals text`` prints.
``Document.offsets`` maps them back to ``Document.raw``, the text as the reader produced it.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field, fields
from typing import Any

# the lists of extracted items a Document carries: its JSON keys and the dataset's tables of the same names
ITEM_TABLES = ("citations", "named_laws", "dates", "quantities", "targets", "entities")


@dataclass(frozen=True)
class Page:
    """A page of the document as read: its 1-based number and its span in ``Document.raw``."""

    number: int
    start: int
    end: int
    method: str = "text"  # how the page was read: text or ocr


@dataclass(frozen=True)
class StepMap:
    """Offsets of one cleaning step: each edit replaced ``old[old_start:old_end]`` by ``new[new_start:new_end]``."""

    name: str
    new_starts: tuple[int, ...]
    new_ends: tuple[int, ...]
    old_starts: tuple[int, ...]
    old_ends: tuple[int, ...]

    def to_old(self, pos: int) -> int:
        i = bisect.bisect_right(self.new_starts, pos) - 1
        if i < 0:
            return pos
        if pos < self.new_ends[i]:  # inside a replacement: clamp into the replaced span
            return min(self.old_starts[i] + (pos - self.new_starts[i]), self.old_ends[i])
        return self.old_ends[i] + (pos - self.new_ends[i])


@dataclass
class OffsetMap:
    """The chain of cleaning steps; maps a clean-text offset back to the raw text (eyecite's SpanUpdater idea)."""

    steps: list[StepMap] = field(default_factory=list)

    def to_raw(self, pos: int) -> int:
        for step in reversed(self.steps):
            pos = step.to_old(pos)
        return pos

    def span_to_raw(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            r = self.to_raw(start)
            return r, r
        return self.to_raw(start), self.to_raw(end - 1) + 1


@dataclass(frozen=True)
class Citation:
    """A cited legal or administrative document. ``id`` is the same for every spelling of one number."""

    text: str
    doc_type: str | None
    number: str
    year: int | None
    date: str | None
    issuer: str | None
    relation: str | None
    id: str
    start: int
    end: int
    page: int
    short_form: bool = False
    issuer_normalized: str | None = None
    jurisdiction: str | None = None
    extractor: str = "citations"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)
    # what the text says this cited document does to another cited one ("Luật số 87/2025/QH15" amends
    # 72/2025/QH15 in "… 72/2025/QH15 được sửa đổi, bổ sung bởi Luật số 87/2025/QH15"): the other's id, the relation
    acts_on: str | None = None
    acts_as: str | None = None
    # the type word printed before the number ("Kế hoạch" in "Kế hoạch số 1109/QĐ-UBND"), which ``doc_type`` may
    # overrule (a generic "văn bản", a list's head): what the checks compare with the symbol
    type_word: str | None = None


@dataclass(frozen=True)
class NamedLaw:
    """A law, code or ordinance cited by its name ("Bộ luật Lao động năm 2019")."""

    text: str
    name: str
    year: int | None
    start: int
    end: int
    page: int
    extractor: str = "named_laws"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)


@dataclass(frozen=True)
class DateMention:
    """A date as printed; ``value`` is ISO (YYYY-MM-DD, YYYY-MM, YYYY, or an interval "2021/2025") or ``None``
    for an impossible date ("31/02/2021"), which is flagged in the document's warnings."""

    text: str
    value: str | None
    precision: str
    start: int
    end: int
    page: int
    form: str = ""
    extractor: str = "dates"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)


@dataclass(frozen=True)
class Quantity:
    """A number with its meaning: kind count | money | percent | ratio | measure; ``of`` is a ratio's base."""

    text: str
    value: int | float
    of: int | float | None
    unit: str | None
    kind: str
    qualifier: str | None
    start: int
    end: int
    page: int
    extractor: str = "quantities"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)


@dataclass(frozen=True)
class Target:
    """A goal (target), a result against plan (achievement) or a moving indicator (change).

    ``from_`` is printed as ``from`` in the JSON contract.
    """

    text: str
    kind: str
    indicator: str | None
    value: int | float | None
    unit: str | None
    comparator: str | None
    direction: str | None
    deadline: int | None
    actual: int | float | None
    planned: int | float | None
    percent: int | float | None
    from_: int | float | None
    to: int | float | None
    start: int
    end: int
    page: int
    extractor: str = "targets"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)
    value_max: int | float | None = None  # the top of a range ("10 - 13%/năm": value 10, value_max 13)


@dataclass(frozen=True)
class Entity:
    """A named organisation (ORG), place (LOC) or person (PER), with one spelling for all its forms."""

    text: str
    label: str
    normalized: str
    start: int
    end: int
    page: int
    extractor: str = "entities"
    section: str | None = None  # the part of the document it lies in (layout.SECTIONS)


@dataclass
class DocumentInfo:
    """What the document says about itself (NĐ 30 header); ``None`` where the text does not say."""

    doc_type: str | None = None
    number: str | None = None
    title: str | None = None
    issuer: str | None = None
    issuer_parent: str | None = None
    place: str | None = None
    issue_date: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    recipients: list[str] = field(default_factory=list)


@dataclass
class Document:
    """One file on its way through the pipeline: read → clean → extract."""

    path: str
    sha256: str
    raw: str
    pages: list[Page]
    method: str = "text"
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
    ocr_like: bool = False  # a text no OCR of ours read that reads like OCR output (clean.odd_word_share)
    text: str | None = None
    offsets: OffsetMap = field(default_factory=OffsetMap)
    info: DocumentInfo = field(default_factory=DocumentInfo)
    citations: list[Citation] = field(default_factory=list)
    named_laws: list[NamedLaw] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    layout: Any = None  # layout.Layout: the document's span in the page, its furniture and sections

    @property
    def is_clean(self) -> bool:
        return self.text is not None

    def page_at(self, pos: int) -> int:
        """The page number holding clean-text offset ``pos``."""
        page = self._page(pos)
        return page.number if page else 1

    def is_ocr_at(self, pos: int) -> bool:
        """Whether the text at clean offset ``pos`` was read by OCR (ours, or another tool's: ``ocr_like``)."""
        if self.ocr_like:
            return True
        page = self._page(pos)
        return page is not None and page.method == "ocr"

    def _page(self, pos: int) -> Page | None:
        if len(self.pages) <= 1:
            return self.pages[0] if self.pages else None
        raw = self.offsets.to_raw(pos)
        i = bisect.bisect_right([p.start for p in self.pages], raw) - 1
        return self.pages[max(i, 0)]

    def to_dict(self, items: bool = True) -> dict[str, Any]:
        """The JSON contract of ``minerals extract`` (DESIGN.md); ``items=False``: the document part only."""
        info = self.info
        out = {
            "document": {
                "path": self.path,
                "sha256": self.sha256,
                "doc_type": info.doc_type,
                "number": info.number,
                "title": info.title,
                "issuer": info.issuer,
                "issuer_parent": info.issuer_parent,
                "place": info.place,
                "issue_date": info.issue_date,
                "signer": info.signer,
                "signer_title": info.signer_title,
                "recipients": list(info.recipients),
                "pages": len(self.pages),
                "method": self.method,
                "warnings": list(self.warnings),
                "furniture": [{"start": f.start, "end": f.end, "kind": f.kind}
                              for f in (self.layout.furniture if self.layout else ())],
            },
        }
        if items:
            for table in ITEM_TABLES:
                out[table] = [_item(x) for x in getattr(self, table)]
        return out


@functools.cache
def _keys(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) of a result class: internal fields dropped, ``from_`` printed as ``from``."""
    return tuple((f.name, "from" if f.name == "from_" else f.name) for f in fields(cls)
                 if f.name not in ("extractor", "form"))


def _item(obj: Any) -> dict[str, Any]:
    # Result classes are flat, so a shallow walk does what dataclasses.asdict does, without its deep copies
    # (asdict was an eighth of the time of mining an archive).
    return {key: getattr(obj, name) for name, key in _keys(type(obj))}
