"""The regex tokenizer: words (with & . / - inside) and single punctuation marks, whose spaCy Doc has exactly
the characters of the text it was given (``doc.text == text``)."""

from __future__ import annotations

import re

from spacy.tokens import Doc

from . import extensions  # noqa: F401 - declares doc._.text and doc._.words

# No possessive quantifiers: Debian's Python 3.11.2 matches "1." in "1. Đối" with \w++(?:[.]\w++)*+ (a re bug
# fixed in later 3.11 releases); the greedy form gives the same tokens everywhere.
TOKEN = re.compile(r"\w+(?:[&./\-]\w+)*|[^\w\s]")
SPLIT = re.compile(r"(\w+(?:[&./\-]\w+)*|[^\w\s])")


PIECE_CACHE = 100_000  # the regex's parts of the pieces it split (punctuation repeats: "tỉnh,", "|", "2025:")
_PIECES: dict[str, list[str]] = {}


def split_words(text: str) -> tuple[list[str], list[bool]]:
    """The tokens of ``text`` (``TOKEN``'s matches, and every run of whitespace other than one space) and
    whether one space follows each, as spaCy's Doc takes them.

    The text is cut at its spaces first: most pieces are one word of letters or digits (``str.isalnum`` is
    ``\\w+``: Python's regex \\w is alphanumeric or "_"), which is its own token, and only the rest go through
    the regex. A token never holds a space, so the regex finds the same tokens piece by piece; the whitespace
    between two tokens is carried across the pieces. The regex's parts of a piece are kept: words with
    punctuation repeat (60% of them had been split before in the 99 documents of realdocs/bulk). Both together
    take two thirds of the time of the regex over every character (bench/bench_mine.py)."""
    pieces = _PIECES
    if len(pieces) > PIECE_CACHE:
        pieces.clear()
    words: list[str] = []
    spaces: list[bool] = []
    gap = None  # the whitespace since the last token (None before the first piece)

    def close(gap: str) -> None:  # the whitespace after a token: a space flag, or a token of its own
        if gap == " ":
            spaces.append(True)
        else:
            spaces.append(False)
            if gap:
                words.append(gap)
                spaces.append(False)

    for piece in text.split(" "):
        if gap is not None:
            gap += " "
        if piece.isalnum():
            parts = None
            token = piece
        else:
            parts = pieces.get(piece)
            if parts is None:
                parts = pieces[piece] = SPLIT.split(piece)  # gap, token, gap, token, …, gap (read, never changed)
            gap = parts[0] if gap is None else gap + parts[0]
            if len(parts) == 1:
                continue
            token = parts[1]
        if not words:
            if gap:
                words.append(gap)  # whitespace opening the text
                spaces.append(False)
        elif gap == " ":  # (inline: the common case)
            spaces.append(True)
        else:
            close(gap)
        words.append(token)
        if parts is None:
            gap = ""
            continue
        for i in range(3, len(parts), 2):
            close(parts[i - 1])
            words.append(parts[i])
        gap = parts[-1]
    if words:
        close(gap)
    elif gap:
        words.append(gap)
        spaces.append(False)
    return words, spaces


class RegexTokenizer:
    """Words (with & . / - inside: "TB&XH", "126/2007/NĐ-CP", "01/8/2007") and single punctuation marks;
    the spaces between them are kept, so the Doc's text is the input text, character for character."""

    ORTH_CACHE = 500_000  # words whose string-store hash is kept; a worker sees a few hundred new ones a document

    def __init__(self, vocab):
        self.vocab = vocab
        self._orth: dict[str, int] = {}

    def orths(self, words: list[str]) -> list[int]:
        """The string-store hash of each word. Handing spaCy's Doc hashes instead of strings skips the
        string store's look-up per token, which was two thirds of building the Doc (bench/bench_mine.py)."""
        cache = self._orth
        orths = list(map(cache.get, words))
        if None in orths:
            if len(cache) > self.ORTH_CACHE:
                cache.clear()
            add = self.vocab.strings.add
            for i, word in enumerate(words):
                if orths[i] is None:
                    orths[i] = cache[word] = add(word)
        return orths

    def __call__(self, text: str):
        words, spaces = split_words(text)
        doc = Doc(self.vocab, words=self.orths(words), spaces=spaces)
        doc._.text = text  # Doc.text rebuilds the string token by token: keep the original
        doc._.words = words  # and the token strings, for rules that read many tokens
        return doc


def doc_words(doc) -> list[str]:
    """The token strings of ``doc`` (the tokenizer keeps them; a retokenized Doc is read again)."""
    words = doc._.words
    if words is None or len(words) != len(doc):
        words = [t.text for t in doc]
        doc._.words = words
    return words
