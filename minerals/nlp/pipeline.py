"""The spaCy pipeline: the ``minerals_entities`` component (registered with ``Language.factory`` when this module
is imported) and ``make_nlp``, which builds regex tokenizer → minerals_entities."""

from __future__ import annotations

import functools

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from .. import patterns
from ..names import normalize_entity
from . import entity_rules as rules
from . import extensions  # noqa: F401 - declares doc._.entities and span._.normalized
from .entity_rules import Cand, Tokens
from .tokenizer import RegexTokenizer

# the phrase patterns: names of bodies in any case (headers print them in capitals); places, person surnames
# and the heads of named bodies in their exact case
PHRASE_PATTERNS = (("LOWER", "entities.jsonl"), ("ORTH", "places.jsonl"))


class EntityComponent:
    """Finds the entities of a Doc: spaCy PhraseMatchers over the patterns of ``PHRASE_PATTERNS`` give the
    candidates; a body's name is extended over its level and place ("Sở Nội vụ" + "tỉnh Bình Thuận"), the
    longest span wins, a 'person' that is a place is dropped, and each entity gets a normalized form
    (abbreviations expanded, capitals of headers undone).

    The candidates stay (start, end, label, kind) tuples until the last step, and spaCy Spans are made only
    for the entities: two SpanRulers building a Span per match cost more than matching (bench/bench_mine.py).
    Candidates are ordered as spaCy orders Spans (start, end, label, id), matcher by matcher."""

    def __init__(self, nlp):
        strings = nlp.vocab.strings
        self.matchers = []
        found: dict[int, tuple[str, str]] = {}  # match id → label, kind
        for attr, jsonl in PHRASE_PATTERNS:
            matcher = PhraseMatcher(nlp.vocab, attr=attr)
            texts: dict[str, list[str]] = {}
            for entry in patterns.load_lines(jsonl):
                label, kind = entry["label"], entry.get("id", "")
                key = repr((label, kind))
                found[strings.add(key)] = (label, kind)
                texts.setdefault(key, []).append(entry["pattern"])
            for key, phrases in texts.items():
                matcher.add(key, [nlp.make_doc(p) for p in phrases])
            self.matchers.append(matcher)
        # a match id's rank in spaCy's Span order (label hash, then id hash), and its (label, kind)
        order = sorted(found, key=lambda m: (strings.add(found[m][0]), strings.add(found[m][1])))
        self.rank = {m: r for r, m in enumerate(order)}
        self.kinds = [found[m] for m in order]

    def candidates(self, doc) -> list[Cand]:
        """Every pattern match, once, matcher by matcher."""
        rank, kinds, new = self.rank, self.kinds, tuple.__new__
        out: list[Cand] = []
        for matcher in self.matchers:
            for s, e, r in sorted({(s, e, rank[m]) for m, s, e in matcher(doc) if s != e}):
                out.append(new(Cand, (s, e, *kinds[r])))
        return out

    def __call__(self, doc):
        fresh = doc._.text is not None and doc._.entities is None  # set by RegexTokenizer / below
        places = rules.place_names()
        t = Tokens(doc)
        spans: list[Cand] = []
        ruler = self.candidates(doc)
        inside_heads = {k for c in ruler if c.kind == "named" for k in range(c.start + 1, c.end)}
        for span in ruler:
            kind = span.kind
            if kind == "named" and span.start in inside_heads:
                continue  # "Công ty" inside "Tổng công ty": the outer head reads the name

            if kind == "named":  # "Công ty cổ phần E.K.LM", "Trường Cao đẳng Than - Khoáng sản Việt Nam"
                span = rules.extend_name(t, span)
                if span is None:
                    continue
            elif kind == "level":  # "xã Quang Trung", "Phường 22", "xã A Lưới 1", "xã Chân Mây - Lăng Cô"
                span = rules.extend_place_name(t, span)
                if span is None:
                    continue
            elif kind == "surname":  # "Trần Hồng Hà": a surname and one to three title-case syllables
                span = rules.extend_words(t, span, 3, title_only=True)
                if span is None or t.text(span.start, span.end) in places or rules.after_level(t.W, span):
                    continue
                if rules.is_address(t, span):  # "số 17 Nguyễn Gia Thiều", "đường Lê Lợi": a street
                    span = Cand(span.start, span.end, "LOC")
            elif span.label == "ORG":
                if not any(c.isupper() for c in t.text(span.start, span.end)):
                    continue  # "các vụ việc làm", "chính phủ điện tử": lower-case words, not a name
                extended = rules.extend_place(t, span)
                if kind == "generic" and extended.end == span.end:
                    if t.text(span.start, span.end).lower() in rules.containers():
                        spans.append(Cand(span.start, span.end, "ORG", "container"))  # "Văn phòng" + "UBND tỉnh"
                    continue  # "UBND", "Bảo hiểm xã hội" alone: a kind of body, not one
                span = extended
            spans.append(span)
        spans += rules.list_places(t, spans)
        ents, found = [], []
        for c in rules.merge_containers(t, filter_spans(spans)):
            start, end = t.chars(c.start, c.end)
            normalized = normalize_entity(t.T[start:end], c.label)
            ents.append(Span(doc, c.start, c.end, label=c.label))  # its ._.normalized: a getter (extensions.py)
            found.append((start, end, c.label, normalized))
        # a Doc fresh from RegexTokenizer has no entity annotation yet: "unmodified" skips spaCy's Python loop
        # over every token that `doc.ents = ents` runs (0.63 → 0.15 ms a document), and doc.ents reads the same;
        # a Doc annotated before (run through again, or built elsewhere) gets the full reset
        doc.set_ents(ents, default="unmodified" if fresh else "outside")
        # the same, as plain tuples (start_char, end_char, label, normalized) for minerals.extract, which would
        # otherwise read every Span and extension back
        doc._.entities = found
        return doc


@Language.factory("minerals_entities")
def make_entities(nlp, name):  # noqa: ARG001 - spaCy's factory signature
    return EntityComponent(nlp)


@functools.cache
def make_nlp(token_flags: bool = True):
    """A spaCy pipeline: regex tokenizer → minerals_entities (phrase matchers over patterns/entities.jsonl and
    patterns/places.jsonl, then the rules that extend and choose the spans).

    ``token_flags=False`` (what ``minerals.extract`` runs): tokens carry their text and lower case only, not
    spaCy's other lexical attributes (``is_space``, ``like_num``, ``shape_``…), which the entity rules never
    read. spaCy computes ~20 of them in Python for every word it has not seen; an archive's numbers and codes
    are new words in every document, and a new word costs ~5 µs instead of ~25 µs (bench/bench_mine.py)."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    if not token_flags:
        nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}  # the phrase matcher's attr
    nlp.tokenizer = RegexTokenizer(nlp.vocab)
    nlp.add_pipe("minerals_entities")
    return nlp
