"""spaCy on top of the rule layers: tokens with true offsets, the entity ruler, and underthesea where it helps.

Measured here: underthesea's ``ner`` tags "số 1971" and dates as LOC, almost never says ORG, and runs at
~9 KB/s; ``word_tokenize`` at ~0.15 MB/s. So the whole text is split by a fast regex tokenizer whose tokens
are exactly the characters of the clean text (``doc.text == document.text``), entities come from the
``minerals_entities`` component (phrase patterns in ``patterns/entities.jsonl`` and ``patterns/places.jsonl``
plus the rules that extend them), and underthesea
segments only the sentences a caller asks for (``underthesea_doc``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from . import patterns

# No possessive quantifiers: Debian's Python 3.11.2 matches "1." in "1. Đối" with \w++(?:[.]\w++)*+ (a re bug
# fixed in later 3.11 releases); the greedy form gives the same tokens everywhere.
_TOKEN = re.compile(r"\w+(?:[&./\-]\w+)*|[^\w\s]")
_SPLIT = re.compile(r"(\w+(?:[&./\-]\w+)*|[^\w\s])")


@functools.cache
def _spacy():
    try:
        import spacy
        from spacy.language import Language
        from spacy.tokens import Doc, Span
    except ImportError as err:  # pragma: no cover - spacy is a dependency
        raise ImportError("minerals.nlp needs spaCy: pip install spacy") from err
    return spacy, Language, Doc, Span


PIECE_CACHE = 100_000  # the regex's parts of the pieces it split (punctuation repeats: "tỉnh,", "|", "2025:")
_PIECES: dict[str, list[str]] = {}


def split_words(text: str) -> tuple[list[str], list[bool]]:
    """The tokens of ``text`` (``_TOKEN``'s matches, and every run of whitespace other than one space) and
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
                parts = pieces[piece] = _SPLIT.split(piece)  # gap, token, gap, token, …, gap (read, never changed)
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
        _, _, Doc, _ = _spacy()
        words, spaces = split_words(text)
        doc = Doc(self.vocab, words=self.orths(words), spaces=spaces)
        doc.user_data["text"] = text  # Doc.text rebuilds the string token by token: keep the original
        doc.user_data["words"] = words  # and the token strings, for rules that read many tokens
        return doc


@functools.cache
def make_nlp(token_flags: bool = True):
    """A spaCy pipeline: regex tokenizer → minerals_entities (phrase matchers over patterns/entities.jsonl and
    patterns/places.jsonl, then the rules that extend and choose the spans).

    ``token_flags=False`` (what ``minerals.extract`` runs): tokens carry their text and lower case only, not
    spaCy's other lexical attributes (``is_space``, ``like_num``, ``shape_``…), which the entity rules never
    read. spaCy computes ~20 of them in Python for every word it has not seen; an archive's numbers and codes
    are new words in every document, and a new word costs ~5 µs instead of ~25 µs (bench/bench_mine.py)."""
    from spacy.attrs import LOWER

    spacy, _, _, _ = _spacy()
    _register()
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    if not token_flags:
        nlp.vocab.lex_attr_getters = {LOWER: nlp.vocab.lex_attr_getters[LOWER]}  # the phrase matcher's attr
    nlp.tokenizer = RegexTokenizer(nlp.vocab)
    nlp.add_pipe("minerals_entities")
    return nlp


_REGISTERED = False


def _span_normalized(span) -> str | None:
    """``Span._.normalized``: the normalized form of an entity (``normalize_entity``), None for a span without
    a label."""
    return normalize_entity(span.text, span.label_) if span.label_ else None


def _register() -> None:
    """Declare the components the way spaCy does (Language.factory), once."""
    global _REGISTERED
    if _REGISTERED:
        return
    _, Language, _, Span = _spacy()
    if not Span.has_extension("normalized"):
        # read from the span's text and label when asked for: writing it on every entity through spaCy's
        # Underscore cost more than building the entity's Span (bench/bench_mine.py)
        Span.set_extension("normalized", getter=_span_normalized)

    @Language.factory("minerals_entities")
    def _make_entities(nlp, name):  # noqa: ARG001 - spaCy's factory signature
        return EntityComponent(nlp)

    _REGISTERED = True


_LEVELS_ONE = {"tỉnh", "huyện", "quận", "xã", "phường", "tp", "tx"}
_LEVELS_TWO = {("thành", "phố"), ("thị", "xã"), ("thị", "trấn")}

# the phrase patterns: names of bodies in any case (headers print them in capitals); places, person surnames
# and the heads of named bodies in their exact case
PHRASE_PATTERNS = (("LOWER", "entities.jsonl"), ("ORTH", "places.jsonl"))


class Cand(NamedTuple):
    """A candidate entity: tokens ``start:end``; ``kind`` is its pattern's id ("named", "level", "surname", …)
    while the span is the matcher's own, and "" once a rule has rebuilt it."""

    start: int
    end: int
    label: str
    kind: str = ""


class Tokens:
    """One Doc's token strings (``W``) and character offsets (``I``), read once: the rules look at thousands of
    tokens a document, and a spaCy Token object per look-up cost a third of the time of mining one."""

    __slots__ = ("doc", "W", "I", "T", "n")

    def __init__(self, doc):
        self.doc = doc
        self.W = _words(doc)
        self.n = len(self.W)
        self.I = doc.to_array("IDX").tolist() if self.n else []
        self.T = doc.user_data.get("text") or doc.text  # Doc.text rebuilds the string: read it once

    def chars(self, start: int, end: int) -> tuple[int, int]:
        """The character offsets of tokens ``start:end`` (``end > start``)."""
        return self.I[start], self.I[end - 1] + len(self.W[end - 1])

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end`` (a slice, no Span built)."""
        if end <= start:
            return ""
        a, b = self.chars(start, end)
        return self.T[a:b]


class EntityComponent:
    """Finds the entities of a Doc: spaCy PhraseMatchers over the patterns of ``PHRASE_PATTERNS`` give the
    candidates; a body's name is extended over its level and place ("Sở Nội vụ" + "tỉnh Bình Thuận"), the
    longest span wins, a 'person' that is a place is dropped, and each entity gets a normalized form
    (abbreviations expanded, capitals of headers undone).

    The candidates stay (start, end, label, kind) tuples until the last step, and spaCy Spans are made only
    for the entities: two SpanRulers building a Span per match cost more than matching (bench/bench_mine.py).
    Candidates are ordered as spaCy orders Spans (start, end, label, id), matcher by matcher."""

    def __init__(self, nlp):
        from spacy.matcher import PhraseMatcher

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
        from spacy.util import filter_spans

        _, _, _, Span = _spacy()
        fresh = "text" in doc.user_data and "entities" not in doc.user_data  # set by RegexTokenizer / below
        places = _place_names()
        t = Tokens(doc)
        spans: list[Cand] = []
        ruler = self.candidates(doc)
        inside_heads = {k for c in ruler if c.kind == "named" for k in range(c.start + 1, c.end)}
        for span in ruler:
            kind = span.kind
            if kind == "named" and span.start in inside_heads:
                continue  # "Công ty" inside "Tổng công ty": the outer head reads the name

            if kind == "named":  # "Công ty cổ phần E.K.LM", "Trường Cao đẳng Than - Khoáng sản Việt Nam"
                span = _extend_name(t, span)
                if span is None:
                    continue
            elif kind == "level":  # "xã Quang Trung", "Phường 22", "xã A Lưới 1", "xã Chân Mây - Lăng Cô"
                span = _extend_place_name(t, span)
                if span is None:
                    continue
            elif kind == "surname":  # "Trần Hồng Hà": a surname and one to three title-case syllables
                span = _extend_words(t, span, 3, title_only=True)
                if span is None or t.text(span.start, span.end) in places or _after_level(t.W, span):
                    continue
                if _is_address(t, span):  # "số 17 Nguyễn Gia Thiều", "đường Lê Lợi": a street
                    span = Cand(span.start, span.end, "LOC")
            elif span.label == "ORG":
                if not any(c.isupper() for c in t.text(span.start, span.end)):
                    continue  # "các vụ việc làm", "chính phủ điện tử": lower-case words, not a name
                extended = _extend_place(t, span)
                if kind == "generic" and extended.end == span.end:
                    if t.text(span.start, span.end).lower() in _containers():
                        spans.append(Cand(span.start, span.end, "ORG", "container"))  # "Văn phòng" + "UBND tỉnh"
                    continue  # "UBND", "Bảo hiểm xã hội" alone: a kind of body, not one
                span = extended
            spans.append(span)
        spans += _list_places(t, spans)
        ents, found = [], []
        for c in _merge_containers(t, filter_spans(spans)):
            start, end = t.chars(c.start, c.end)
            normalized = normalize_entity(t.T[start:end], c.label)
            ents.append(Span(doc, c.start, c.end, label=c.label))  # its ._.normalized: _span_normalized
            found.append((start, end, c.label, normalized))
        # a Doc fresh from RegexTokenizer has no entity annotation yet: "unmodified" skips spaCy's Python loop
        # over every token that `doc.ents = ents` runs (0.63 → 0.15 ms a document), and doc.ents reads the same;
        # a Doc annotated before (run through again, or built elsewhere) gets the full reset
        doc.set_ents(ents, default="unmodified" if fresh else "outside")
        # the same, as plain tuples (start_char, end_char, label, normalized) for minerals.extract, which would
        # otherwise read every Span and extension back
        doc.user_data["entities"] = found
        return doc


def _words(doc) -> list[str]:
    """The token strings of ``doc`` (the tokenizer keeps them; a retokenized Doc is read again)."""
    words = doc.user_data.get("words")
    if words is None or len(words) != len(doc):
        words = [t.text for t in doc]
        doc.user_data["words"] = words
    return words


def _extend_name(t: Tokens, span: Cand, limit: int = 12) -> Cand | None:
    """A named body's words after its head: a capital first, then any words until punctuation (a dash between
    words is kept) or a word that cannot be part of a name (patterns/organisations.json name_stop_words)."""
    from spacy.lang.lex_attrs import is_punct  # spaCy's Token.is_punct, on a string
    W = t.W
    stops = _name_stops()
    k, n = span.end, t.n
    head = t.text(span.start, span.end)
    lowercase_ok = head in _lowercase_heads()
    if k >= n or (W[k].islower() and not lowercase_ok) or not W[k].isalpha():
        if k < n and W[k].lower() in ("cổ", "tnhh", "trách"):  # "Công ty cổ phần …"
            pass
        else:
            return None
    if k < n and W[k].lower() in ("trưởng", "phó"):
        return None  # "TỔNG CỤC TRƯỞNG", "Cục trưởng": a title, not a body
    upper = head.isupper()
    head_takes_ve = W[span.start].lower() in ("ban", "tổ", "hội", "ủy", "uỷ")
    heads = _head_words()
    end = k
    while k < n and k - span.end < limit:
        tok = W[k]
        low = tok.lower()
        nxt = W[k + 1] if k + 1 < n else None
        if upper and tok.isalpha() and not tok.isupper():
            break  # a name in capitals stops where capitals stop ("… TRƯỞNG Vũ Ngọc Anh")
        if tok in ("-", "–") and nxt is not None and nxt.isalpha() and not nxt.islower():
            k += 1
            continue
        if tok == "," and nxt is not None and nxt.istitle() and nxt.lower() not in heads | _TITLE_WORDS:
            k += 1  # "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch"
            continue
        if low == "và" and nxt is not None and nxt.istitle() and nxt.lower() not in heads:
            k += 1
            continue
        if low == "xã" and nxt is not None and nxt.lower() == "hội":
            k += 2  # "An sinh xã hội": not the level xã
            end = k
            continue
        if low == "về" and head_takes_ve and nxt is not None and nxt.istitle():
            k += 1  # "Tổ giúp việc về Cải cách hành chính", "Ban Chỉ đạo về phát triển …"
            continue
        if tok.islower() and nxt is not None and f"{low} {nxt.lower()}" in _stop_phrases():
            break  # "Trung tâm chủ trì", "Sở LĐTBXH tiếp tục quán triệt"
        if tok.isdigit() and len(tok) <= 2 and k > span.end and (W[k - 1].lower() in ("vực", "số", "kv") or W[k - 1].isupper()):
            k += 1  # "Chi cục Hải quan cửa khẩu cảng Sài Gòn khu vực 1", "Công ty … Tiếp vận số 1"
            end = k
            break
        if is_punct(tok) or tok.isspace() or low in stops or tok.isdigit() or low in _LEVELS_ONE:
            break
        if not any(c.isalnum() for c in tok):
            break  # table pipes and other marks end a name
        if tok.islower() and low not in _lexicon():
            break  # "THƯ VIỆN PHÁP LUẬT has the copyright": a name goes on only in Vietnamese words
        if low in ("thành", "thị") and nxt is not None and (low, nxt.lower()) in _LEVELS_TWO:
            break
        k += 1
        end = k
    end = _cut_at_verb(t, span.end, end)
    if end <= span.end:
        return None
    return _extend_place(t, Cand(span.start, end, span.label))


def _cut_at_verb(t: Tokens, start: int, end: int) -> int:
    """A name does not run into the verb after it ("Sở Tài chính phụ trách", "Trung tâm Dịch vụ việc làm đẩy
    mạnh"): underthesea's pos_tag on just these few words finds the first lower-case verb."""
    W = t.W
    if end - start < 2 or not any(W[k].islower() for k in range(start, end)):
        return end
    text = t.T
    pos, stop = t.chars(start, end)
    words = _pos_words(text[pos:stop])
    for word, tag in words:
        at = text.find(word, pos, stop)
        if at < 0:
            continue
        if tag == "V" and word[:1].islower():
            rest = text[at + len(word) : stop]
            first_cap = next((w for w in rest.split()[:3] if w[:1].isupper()), None)
            if first_cap and first_cap.lower() not in _head_words():
                pos = at + len(word)
                continue  # "Công ty CP Sản xuất vật liệu xây dựng Cao Bằng": a verb inside the name
            cut = t.doc.char_span(t.I[start], at, alignment_mode="contract")
            return cut.end if cut is not None else end
        pos = at + len(word)
    return end


@functools.lru_cache(maxsize=50000)
def _pos_words(text: str) -> tuple[tuple[str, str], ...]:
    from underthesea import pos_tag

    return tuple(pos_tag(text))


@functools.cache
def _stop_phrases() -> frozenset[str]:
    return frozenset(patterns.load("organisations")["name_stop_phrases"])


@functools.cache
def _lowercase_heads() -> frozenset[str]:
    return frozenset(patterns.load("organisations")["lowercase_name_heads"])


@functools.cache
def _head_words() -> frozenset[str]:
    orgs = patterns.load("organisations")
    return frozenset(h.split()[0].lower() for h in orgs["heads_with_sector"] + orgs["named_heads"] + orgs["local_heads"])


@functools.cache
def _lexicon() -> frozenset[str]:
    from .legacy import syllables

    return syllables()


@functools.cache
def _name_stops() -> frozenset[str]:
    return frozenset(patterns.load("organisations")["name_stop_words"])


_TITLE_WORDS = frozenset({"giám", "phó", "chánh", "trưởng", "chủ", "bí", "thứ", "tổng"})


def _extend_words(t: Tokens, span: Cand, limit: int, title_only: bool = False,
                  allow: set[str] = frozenset()) -> Cand | None:
    """The span with up to ``limit`` capitalized words after it (``allow``: lower-case words that may stand
    between them); ``None`` when none follows."""
    from spacy.lang.lex_attrs import is_punct  # spaCy's Token.is_punct, on a string
    W = t.W
    k, n, taken = span.end, t.n, 0
    while k < n and taken < limit:
        tok = W[k]
        low = tok.lower()
        if low in allow or (low == "ương" and W[k - 1].lower() == "trung"):  # "Trung ương"
            k += 1
            continue
        if title_only and not (tok.istitle() and tok.isalpha()):
            break
        if not title_only and (tok.islower() or is_punct(tok) or tok.isspace() or not any(c.isalnum() for c in tok)):
            break
        k += 1
        taken += 1
    while k > span.end and W[k - 1].lower() in allow:
        k -= 1
    if not taken:
        return None
    return Cand(span.start, k, span.label)


def _list_places(t: Tokens, spans: list[Cand]) -> list[Cand]:
    """'tỉnh Quảng Trị, Quảng Bình và Hà Tĩnh': names listed after a province are places too. A commune's level
    span ("các xã Lộc Thủy, Lộc Tiến") is rebuilt (kind "") and does not start a list: letting it start one
    found one more gold place in corpus/ and three wrong ones ("Lộc" of a wrapped "Lộc⏎Vĩnh", "Thành" of
    "Thành phố", "Việt Nam Cộng" of "Việt Nam Cộng hòa"), so it stays off."""
    W = t.W
    out = []
    n = t.n
    for span in spans:
        if span.label != "LOC" or span.kind != "province":
            continue
        k = span.end
        while k + 1 < n and (W[k] == "," or W[k].lower() == "và"):
            j = k + 1
            m = j
            while m < n and m - j < 4 and W[m].istitle() and W[m].isalpha():
                m += 1
            if m == j or (m < n and W[m].isalpha() and not W[m].islower() and not W[m].istitle()):
                break
            if W[j].lower() in _LEVELS_ONE:
                break
            out.append(Cand(j, m, "LOC"))
            k = m
    return out


@functools.cache
def _containers() -> frozenset[str]:
    return frozenset(h.lower() for h in patterns.load("organisations")["container_heads"])


def _merge_containers(t: Tokens, ents: list[Cand]) -> list[Cand]:
    """'Văn phòng' + 'UBND tỉnh', 'Đảng ủy' + 'UBND tỉnh': a body inside another, printed as one name."""
    out: list[Cand] = []
    for ent in ents:
        if (out and out[-1].label == "ORG" and ent.label == "ORG" and out[-1].end == ent.start
                and t.text(out[-1].start, out[-1].end).lower() in _containers()):
            out[-1] = Cand(out[-1].start, ent.end, "ORG")
        else:
            out.append(ent)
    return [c for c in out if c.kind != "container"]  # a generic container alone ("Văn phòng") names no body


def _extend_place_name(t: Tokens, span: Cand) -> Cand | None:
    """A level word's place: title-case words (joined by a dash), a number after them or alone."""
    W = t.W
    k, n = span.end, t.n
    if k < n and W[k] == "." and t.text(span.start, span.end).lower().startswith(("tp", "p", "q", "tx")):
        k += 1  # "TP. Hà Nội", "P. Xuân Hòa"
    start_names = k
    while k < n and k - start_names < 6:
        tok = W[k]
        if tok.istitle() and tok.isalpha() and tok.lower() not in _LEVELS_ONE:
            k += 1
        elif tok in ("-", "–") and k + 1 < n and W[k + 1].istitle() and k > start_names:
            k += 1
        else:
            break
    if k < n and W[k].isdigit() and len(W[k]) <= 2:
        k += 1  # "Phường 22", "xã A Lưới 1"
    if k == start_names:
        return None
    return Cand(span.start, k, "LOC")


def _is_address(t: Tokens, span: Cand) -> bool:
    if span.start == 0:
        return False
    prev = t.W[span.start - 1]
    return _like_num(prev) or prev.lower() in ("đường", "phố", "đ.", "ngõ", "hẻm")


def _like_num(word: str) -> bool:
    """spaCy's ``Token.like_num`` for Vietnamese, on a string (the Doc may carry no lexical flags)."""
    from spacy.lang.vi.lex_attrs import like_num

    return like_num(word)


def _after_level(W: list[str], span: Cand) -> bool:
    """'huyện Mai Sơn': a name after a level word is a place, even if it starts like a surname."""
    if span.start == 0:
        return False
    prev = W[span.start - 1].lower()
    return prev in _LEVELS_ONE or prev in ("phố", "trấn") or prev == "xã"


@functools.cache
def _body_after_level() -> frozenset[str]:
    """The words that make a level word a body's name ("Tỉnh ủy", "Huyện uỷ", "Tỉnh đoàn"): the second word of
    the local heads of patterns/organisations.json that open with a level word."""
    heads = (h.lower().split() for h in patterns.load("organisations")["local_heads"])
    return frozenset(w[1] for w in heads if len(w) == 2 and w[0] in _LEVELS_ONE)


def _extend_place(t: Tokens, span: Cand) -> Cand:
    """Take in '(tỉnh|huyện|thành phố …) Name Name' after a body's name."""
    W = t.W
    i = span.end
    n = t.n
    if i + 1 < n and W[i].isspace() and t.text(span.start, span.end).isupper() and W[i + 1].isupper():
        i += 1  # "ỦY BAN NHÂN DÂN ⏎ TỈNH LÂM ĐỒNG": a header name on two lines
    j = i
    if j + 1 < n and W[j].lower() == "cấp" and W[j + 1].lower() in ("tỉnh", "huyện", "xã", "trung"):
        end = min(n, j + 2 + (W[j + 1].lower() == "trung"))
        return Cand(span.start, end, span.label)  # "UBND cấp huyện", "UBND cấp trung ương"
    if j + 1 < n and W[j].lower() in _LEVELS_ONE and W[j + 1].lower() in _body_after_level():
        return span  # "Thường trực Tỉnh ủy": the level word opens the next body's name (realdocs/archive)
    if j < n and W[j].lower() in _LEVELS_ONE:
        j += 1
        if j < n and W[j] == "." and W[j - 1].lower() in ("tp", "tx"):
            j += 1  # "Cục Thuế TP. Hà Nội"
    elif j + 1 < n and (W[j].lower(), W[j + 1].lower()) in _LEVELS_TWO:
        j += 2
    k = j
    while k < n and k - j < 4 and W[k].isalpha() and not W[k].islower():
        k += 1
    if j == i:  # no level word: take only a known place ("UBND Cao Bằng"), not a person ("… Chính phủ Trần Hồng Hà")
        names = _place_names()
        k = next((m for m in range(k, i, -1) if t.text(i, m) in names), i)
    end = k if k > j or j > i else i
    if end <= i and i > span.end:
        end = span.end
    if end <= span.end:
        return span
    return Cand(span.start, end, span.label)


@functools.cache
def _place_names() -> frozenset[str]:
    spec = patterns.load("places")
    districts = {d.split("|")[0] for p in spec["provinces"] for d in p["districts"]}
    return frozenset(p["name"] for p in spec["provinces"]) | frozenset(spec["countries"]) | districts | frozenset(spec["wards"])


@functools.cache
def _abbreviations() -> list[tuple[re.Pattern, str]]:
    exp = patterns.load("abbreviations")["expansions"]
    return [(re.compile(r"(?<!\w)" + re.escape(k) + r"(?!\w)"), v) for k, v in sorted(exp.items(), key=lambda kv: -len(kv[0]))]


@functools.cache
def _canonical_words() -> dict[str, str]:
    """Lower-case phrase → as the patterns spell it, to undo the capitals of a header."""
    orgs = patterns.load("organisations")
    phrases = orgs["heads_with_sector"] + orgs["sectors"] + orgs["national"] + orgs["local_heads"] + orgs["named_heads"]
    phrases += list(patterns.load("abbreviations")["expansions"].values())
    # place names, so "ỦY BAN NHÂN DÂN TỈNH BẮC NINH" reads "… tỉnh Bắc Ninh" (realdocs/archive b1ce4a2380c2c8e3)
    names = patterns.place_spellings().values()
    return {**{p.lower(): p for p in names}, **{p.lower(): p for p in phrases}}


@functools.lru_cache(maxsize=20000)
def normalize_entity(text: str, label: str) -> str:
    """One spelling per entity: "Sở LĐTBXH" and "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" → "Sở Lao động - Thương binh và
    Xã hội"; "UBND tỉnh Cao Bằng" → "Ủy ban nhân dân tỉnh Cao Bằng"."""
    s = " ".join(text.split())
    if label == "ORG":
        for rx, full in _abbreviations():
            s = rx.sub(full, s)
        s = s.replace("Uỷ", "Ủy").replace("uỷ", "ủy")
    if s.isupper() or label == "ORG":
        s = _recase(s, label)
    return s


def _recase(s: str, label: str) -> str:
    """Restore the case of a name printed in capitals, from the spellings the patterns know."""
    canon = _canonical_words()
    words = s.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(8, len(words) - i), 0, -1):
            phrase = " ".join(words[i : i + size]).lower()
            if phrase in canon:
                out.append(canon[phrase] if not out or size > 1 or canon[phrase][0].isupper() else canon[phrase])
                i += size
                break
        else:
            w = words[i]
            low = w.lower()
            if low in _LEVELS_ONE or low in ("thành", "phố", "thị", "trấn", "và"):
                out.append(low)
            elif w.isupper() and len(w) > 1 and not any(c.isdigit() for c in w) and label != "ORG":
                out.append(w[:1] + w[1:].lower())
            elif w.isupper() and len(w) > 1 and not any(c in "&." for c in w) and w.isalpha() and len(w) > 3:
                out.append(w[:1] + w[1:].lower())
            else:
                out.append(w)
            i += 1
    return " ".join(out)


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
