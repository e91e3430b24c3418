"""Extractors: rules on the clean text. ``extract(doc)`` runs them all and fills the Document."""

from __future__ import annotations

from ..models import Document
from .citations import canonical_id, get_citations, normalize_number
from .dates import get_dates
from .entities import get_entities
from .quantities import get_quantities
from .targets import get_targets
from .metadata import get_info
from .named_laws import get_named_laws


def extract(doc: Document) -> Document:
    """Fill ``doc.info``, ``doc.citations`` and ``doc.named_laws`` from ``doc.text`` (clean it first)."""
    if doc.text is None:
        raise ValueError("extract needs a cleaned Document: call minerals.clean(doc) first")
    doc.entities = get_entities(doc)
    doc.info = get_info(doc, doc.entities)
    doc.citations = get_citations(doc, own_number=doc.info.number)
    from ..resolve import resolve_citations

    doc.citations = resolve_citations(doc)
    doc.named_laws = get_named_laws(doc)
    cited = [(c.start, c.end) for c in doc.citations]
    doc.dates = get_dates(doc, exclude=[s for s, c in zip(cited, doc.citations) if not c.short_form])
    doc.quantities = get_quantities(doc, exclude=cited + [(d.start, d.end) for d in doc.dates])
    doc.targets = get_targets(doc)
    return doc


__all__ = ["extract", "get_citations", "get_dates", "get_entities", "get_quantities", "get_targets", "get_named_laws", "get_info", "canonical_id", "normalize_number"]
