"""The rules that turn the phrase matches of ``minerals_entities`` into entities: a body's name runs over its
words, its level and its place; a level word takes its place's name; a surname opens a person; a list of
places after a province goes on; a container body joins the body after it. They work on token ranges
(``Cand``) over the Doc's strings (``Tokens``), not on spaCy Spans."""

from __future__ import annotations

import functools
from typing import NamedTuple

from spacy.lang.lex_attrs import is_punct  # spaCy's Token.is_punct, on a string
from spacy.lang.vi.lex_attrs import like_num  # Token.like_num, on a string (the Doc may carry no lexical flags)

from .. import patterns
from ..names import LEVELS_ONE
from .tokenizer import doc_words

_LEVELS_TWO = {("thành", "phố"), ("thị", "xã"), ("thị", "trấn")}


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
        self.W = doc_words(doc)
        self.n = len(self.W)
        self.I = doc.to_array("IDX").tolist() if self.n else []
        self.T = doc._.text or doc.text  # Doc.text rebuilds the string: read it once

    def chars(self, start: int, end: int) -> tuple[int, int]:
        """The character offsets of tokens ``start:end`` (``end > start``)."""
        return self.I[start], self.I[end - 1] + len(self.W[end - 1])

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start:end`` (a slice, no Span built)."""
        if end <= start:
            return ""
        a, b = self.chars(start, end)
        return self.T[a:b]



def extend_name(t: Tokens, span: Cand, limit: int = 12) -> Cand | None:
    """A named body's words after its head: a capital first, then any words until punctuation (a dash between
    words is kept) or a word that cannot be part of a name (patterns/organisations.json name_stop_words)."""
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
        if is_punct(tok) or tok.isspace() or low in stops or tok.isdigit() or low in LEVELS_ONE:
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
    return extend_place(t, Cand(span.start, end, span.label))


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
    from ..legacy import syllables

    return syllables()


@functools.cache
def _name_stops() -> frozenset[str]:
    return frozenset(patterns.load("organisations")["name_stop_words"])


_TITLE_WORDS = frozenset({"giám", "phó", "chánh", "trưởng", "chủ", "bí", "thứ", "tổng"})


def extend_words(t: Tokens, span: Cand, limit: int, title_only: bool = False,
                  allow: set[str] = frozenset()) -> Cand | None:
    """The span with up to ``limit`` capitalized words after it (``allow``: lower-case words that may stand
    between them); ``None`` when none follows."""
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


def list_places(t: Tokens, spans: list[Cand]) -> list[Cand]:
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
            if W[j].lower() in LEVELS_ONE:
                break
            out.append(Cand(j, m, "LOC"))
            k = m
    return out


@functools.cache
def containers() -> frozenset[str]:
    return frozenset(h.lower() for h in patterns.load("organisations")["container_heads"])


def merge_containers(t: Tokens, ents: list[Cand]) -> list[Cand]:
    """'Văn phòng' + 'UBND tỉnh', 'Đảng ủy' + 'UBND tỉnh': a body inside another, printed as one name."""
    out: list[Cand] = []
    for ent in ents:
        if (out and out[-1].label == "ORG" and ent.label == "ORG" and out[-1].end == ent.start
                and t.text(out[-1].start, out[-1].end).lower() in containers()):
            out[-1] = Cand(out[-1].start, ent.end, "ORG")
        else:
            out.append(ent)
    return [c for c in out if c.kind != "container"]  # a generic container alone ("Văn phòng") names no body


def extend_place_name(t: Tokens, span: Cand) -> Cand | None:
    """A level word's place: title-case words (joined by a dash), a number after them or alone."""
    W = t.W
    k, n = span.end, t.n
    if k < n and W[k] == "." and t.text(span.start, span.end).lower().startswith(("tp", "p", "q", "tx")):
        k += 1  # "TP. Hà Nội", "P. Xuân Hòa"
    start_names = k
    while k < n and k - start_names < 6:
        tok = W[k]
        if tok.istitle() and tok.isalpha() and tok.lower() not in LEVELS_ONE:
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


def is_address(t: Tokens, span: Cand) -> bool:
    if span.start == 0:
        return False
    prev = t.W[span.start - 1]
    return like_num(prev) or prev.lower() in ("đường", "phố", "đ.", "ngõ", "hẻm")


def after_level(W: list[str], span: Cand) -> bool:
    """'huyện Mai Sơn': a name after a level word is a place, even if it starts like a surname."""
    if span.start == 0:
        return False
    prev = W[span.start - 1].lower()
    return prev in LEVELS_ONE or prev in ("phố", "trấn") or prev == "xã"


@functools.cache
def _body_after_level() -> frozenset[str]:
    """The words that make a level word a body's name ("Tỉnh ủy", "Huyện uỷ", "Tỉnh đoàn"): the second word of
    the local heads of patterns/organisations.json that open with a level word."""
    heads = (h.lower().split() for h in patterns.load("organisations")["local_heads"])
    return frozenset(w[1] for w in heads if len(w) == 2 and w[0] in LEVELS_ONE)


def extend_place(t: Tokens, span: Cand) -> Cand:
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
    if j + 1 < n and W[j].lower() in LEVELS_ONE and W[j + 1].lower() in _body_after_level():
        return span  # "Thường trực Tỉnh ủy": the level word opens the next body's name (realdocs/archive)
    if j < n and W[j].lower() in LEVELS_ONE:
        j += 1
        if j < n and W[j] == "." and W[j - 1].lower() in ("tp", "tx"):
            j += 1  # "Cục Thuế TP. Hà Nội"
    elif j + 1 < n and (W[j].lower(), W[j + 1].lower()) in _LEVELS_TWO:
        j += 2
    k = j
    while k < n and k - j < 4 and W[k].isalpha() and not W[k].islower():
        k += 1
    if j == i:  # no level word: take only a known place ("UBND Cao Bằng"), not a person ("… Chính phủ Trần Hồng Hà")
        names = place_names()
        k = next((m for m in range(k, i, -1) if t.text(i, m) in names), i)
    end = k if k > j or j > i else i
    if end <= i and i > span.end:
        end = span.end
    if end <= span.end:
        return span
    return Cand(span.start, end, span.label)


@functools.cache
def place_names() -> frozenset[str]:
    spec = patterns.load("places")
    districts = {d.split("|")[0] for p in spec["provinces"] for d in p["districts"]}
    return frozenset(p["name"] for p in spec["provinces"]) | frozenset(spec["countries"]) | districts | frozenset(spec["wards"])
