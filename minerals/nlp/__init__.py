"""spaCy on top of the rule layers: tokens with true offsets and the entity component.

Measured here: underthesea's ``ner`` tags "số 1971" and dates as LOC, almost never says ORG, and runs at
~9 KB/s; ``word_tokenize`` at ~0.15 MB/s. So the whole text is split by a fast regex tokenizer whose tokens
are exactly the characters of the clean text (``doc.text == document.text``, ``tokenizer.py``), and entities
come from the ``minerals_entities`` component (``pipeline.py``): phrase patterns in ``patterns/entities.jsonl``
and ``patterns/places.jsonl`` plus the rules that extend them (``entity_rules.py``); underthesea only tags the
few words where a name may run into a verb. What the pipeline adds to Doc and Span is in ``extensions.py``;
the spelling of names (``normalize_entity``) needs no spaCy and lives in ``minerals.names``.
"""

from __future__ import annotations

try:
    import spacy  # noqa: F401
except ImportError as err:  # pragma: no cover - spacy is a dependency
    raise ImportError("minerals.nlp needs spaCy: pip install spacy") from err

from ..names import normalize_entity
from .pipeline import EntityComponent, make_nlp
from .tokenizer import RegexTokenizer, split_words

__all__ = ["EntityComponent", "RegexTokenizer", "make_nlp", "normalize_entity", "split_words"]
