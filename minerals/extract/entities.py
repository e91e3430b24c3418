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

    nlp = make_nlp(token_flags=False)  # the rules read text and lower case only: cheaper new words
    out: list[Entity] = []
    for offset, chunk in _chunks(doc.text or ""):
        for start, end, label, normalized in nlp(chunk)._.entities:
            text = chunk[start:end]
            s = offset + start
            out.append(Entity(text=text, label=label, normalized=normalized or text, start=s, end=offset + end,
                              page=doc.page_at(s)))
    return out
