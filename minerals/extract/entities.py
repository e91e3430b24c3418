"""Organisations, places and people: the spaCy pipeline of minerals.nlp over the clean text."""

from __future__ import annotations

from collections.abc import Iterator

from ..models import Document, Entity

CHUNK = 200_000  # characters per spaCy Doc: long documents go through in pieces cut at line ends


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + CHUNK)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def get_entities(doc: Document) -> list[Entity]:
    from ..nlp import make_nlp

    nlp = make_nlp()
    out: list[Entity] = []
    for offset, chunk in _chunks(doc.text or ""):
        for e in nlp(chunk).ents:
            s, t = offset + e.start_char, offset + e.end_char
            out.append(Entity(text=chunk[e.start_char : e.end_char], label=e.label_, normalized=e._.normalized or e.text, start=s, end=t,
                              page=doc.page_at(s)))
    return out
