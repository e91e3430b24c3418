"""What minerals adds to spaCy's ``Doc`` and ``Span``, declared here and nowhere else (importing the module
declares them; an extension already declared is left as it is, so importing again is safe)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..names import normalize_entity

# the text the tokenizer was given: Doc.text rebuilds the string token by token
if not Doc.has_extension("text"):
    Doc.set_extension("text", default=None)
# the token strings, as the tokenizer made them: the entity rules read thousands a document
if not Doc.has_extension("words"):
    Doc.set_extension("words", default=None)
# the entities as plain (start_char, end_char, label, normalized) tuples, for minerals.extract, which would
# otherwise read every Span and extension back; None until minerals_entities has run
if not Doc.has_extension("entities"):
    Doc.set_extension("entities", default=None)


def _span_normalized(span) -> str | None:
    """The normalized form of an entity (``normalize_entity``), None for a span without a label."""
    return normalize_entity(span.text, span.label_) if span.label_ else None


# read from the span's text and label when asked for: writing it on every entity through spaCy's Underscore
# cost more than building the entity's Span (bench/bench_mine.py)
if not Span.has_extension("normalized"):
    Span.set_extension("normalized", getter=_span_normalized)
