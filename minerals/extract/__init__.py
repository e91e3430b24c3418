"""Extractors: rules on the clean text. ``extract(doc)`` runs them all and fills the Document."""

from __future__ import annotations

from ..layout import blank_furniture, find_layout
from ..models import ITEM_TABLES, Document
from .citations import canonical_id, get_citations, normalize_number
from .dates import get_dates
from .entities import get_entities
from .quantities import get_quantities
from .targets import get_targets
from .metadata import get_info
from .named_laws import get_named_laws


def extract(doc: Document) -> Document:
    """Fill ``doc.layout``, ``doc.info`` and the item lists from ``doc.text`` (clean it first). Furniture
    (site notices, sidebars: ``patterns/layouts.json``) is blanked while the rules run, so nothing is mined
    from it and offsets still index ``doc.text``; every item gets the ``section`` it lies in."""
    if doc.text is None:
        raise ValueError("extract needs a cleaned Document: call minerals.clean(doc) first")
    doc.layout = find_layout(doc.text, doc.raw)
    page = doc.text
    doc.text = blank_furniture(page, doc.layout)
    try:
        _extract(doc, page)
    finally:
        doc.text = page
    for table in ITEM_TABLES:
        for item in getattr(doc, table):
            object.__setattr__(item, "section", doc.layout.section_at(item.start))  # (frozen: set once, here)
    return doc


def warm_up() -> None:
    """Load spaCy, underthesea and every rule once, on a short real-looking text: before forking workers (they
    share what is loaded), and before a memory ceiling (``limits.memory_ceiling``) that is meant for a document."""
    from ..clean import clean

    text = ("BÁO CÁO\nThực hiện Công văn số 2285/SLĐTBXH-LĐVL ngày 15/11/2024 của Sở Lao động - Thương binh và Xã hội "
            "tỉnh Cao Bằng, đã tư vấn cho 650 người lao động, đạt 40% kế hoạch.")
    extract(clean(Document(path="<warm-up>", sha256="", raw=text, pages=[])))


def _extract(doc: Document, page: str) -> None:
    doc.entities = get_entities(doc)
    doc.info = get_info(doc, doc.entities, page=page)
    doc.citations = get_citations(doc, own_number=doc.info.number)
    from ..resolve import resolve_citations

    doc.citations = resolve_citations(doc)
    doc.named_laws = get_named_laws(doc)
    cited = [(c.start, c.end) for c in doc.citations]
    doc.dates = get_dates(doc, exclude=[s for s, c in zip(cited, doc.citations) if not c.short_form])
    doc.quantities = get_quantities(doc, exclude=cited + [(d.start, d.end) for d in doc.dates])
    doc.targets = get_targets(doc)


__all__ = ["extract", "get_citations", "get_dates", "get_entities", "get_quantities", "get_targets", "get_named_laws", "get_info", "canonical_id", "normalize_number"]
