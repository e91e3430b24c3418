"""underthesea's words as the tokens of a spaCy Doc whose text stays the input's, for the tests: the library
tokenizes with its own regex (minerals.nlp.tokenizer) and gives underthesea only a few words to tag."""

from __future__ import annotations

from minerals import patterns
from minerals.nlp import make_nlp


def underthesea_doc(text: str, spans: list[tuple[int, int]] | None = None, fixed: list[str] = ()):
    """A spaCy Doc of ``text`` (``doc.text == text``) whose tokens inside ``spans`` (default: all the text,
    sentence by sentence) are underthesea's words, aligned back to the text even where underthesea rewrites
    characters ("Thoả" → "Thỏa", "Ð" → "Đ") or drops them (Markdown "#"); ``fixed`` words (citation numbers)
    stay whole."""
    from underthesea import sent_tokenize, word_tokenize

    nlp = make_nlp()
    doc = nlp.make_doc(text)
    if spans is None:
        spans, pos = [], 0
        for sent in sent_tokenize(text):
            start = text.find(sent[:20], pos)
            if start < 0:
                continue
            spans.append((start, start + len(sent)))
            pos = start + len(sent)
    merges = []
    for s, e in spans:
        cursor = s
        for word in word_tokenize(text[s:e], fixed_words=list(fixed)):
            at = _find_word(text, word, cursor, e)
            if at is None:
                continue
            ws, we = at
            cursor = we
            span = doc.char_span(ws, we, alignment_mode="contract")
            if span is not None and len(span) > 1:
                merges.append(span)
    with doc.retokenize() as retok:
        taken = set()
        for span in merges:
            if taken.isdisjoint(range(span.start, span.end)):
                retok.merge(span)
                taken.update(range(span.start, span.end))
    return doc


def _find_word(text: str, word: str, start: int, end: int) -> tuple[int, int] | None:
    """Where underthesea's ``word`` stands in ``text[start:end]``: exact, or equal once both are folded."""
    i = text.find(word, start, end)
    if i >= 0 and i - start < 40:
        return i, i + len(word)
    target = patterns.fold(word)
    if not target:
        return None
    for j in range(start, min(end, start + 40)):
        if text[j].isspace():
            continue
        if patterns.fold(text[j : j + len(word)]) == target:
            return j, j + len(word)
    return None
