"""The body that issued a cited document, as the words around its number print it: after it ("ngày 01/8/2007 của
Chính phủ"), or before it ("đề nghị của Sở … tại Công văn số"), over the line wraps of exported pages."""

from __future__ import annotations

import functools

import regex

from .. import patterns
from ..clean import LIST_START
from ..docnumber import issuer_code
from .relations import NEW_BASIS as _NEW_BASIS

__all__ = ["better_issuer", "issuer_after", "issuer_fits_code", "pre_issuer", "soft_wraps"]

_L = patterns.loose


_ISSUER_LEAD = regex.compile(
    r"[ \t\n]*[,)]?[ \t\n]*(?P<lead>" + _L("của") + r"|do)[ \t\n]+(?=[\p{Lu}]|(?:sở|bộ|ủy ban|uỷ ban|ban|cục|phòng)[ \t]+\p{Lu})"
)


# Words that end an issuer phrase: what a document does after its issuer is named ("của Chính phủ quy định",
# "của Thủ tướng Chính phủ giúp ổn định", "của UBND tỉnh về việc") and the start of the next list item.
_ISSUER_STOP_WORDS = (
    "về", "quy định", "hướng dẫn", "ban hành", "sửa đổi", "bổ sung", "phê duyệt", "điều chỉnh", "ngày",
    "thực hiện", "triển khai", "tại", "đối với", "trong", "để", "nhằm", "theo", "đã", "có", "với", "là",
    "được", "thì", "trình", "giao", "gửi", "cho", "kèm", "giúp", "trên", "công bố", "đề nghị",
    "yêu cầu", "thành lập", "kiện toàn", "xin", "báo cáo", "như", "nay", "đến", "từ", "khi", "nêu", "gồm",
    "hết hiệu lực",
)


@functools.cache
def _issuer_stop() -> regex.Pattern:
    """Where an issuer's name ends: punctuation, a stop word, or "và"/"hoặc" before a type word (read at first use)."""
    return regex.compile(
        r"[,;:()\[\]\"“”\n|]|(?<!(?<![\p{L}])(?:TP|Tp|TX|Tx))\.(?!\p{L})|\s(?i:" + "|".join(sorted({*_ISSUER_STOP_WORDS, *map(patterns.fold, _ISSUER_STOP_WORDS)}))
        + r"|(?:năm|giai đoạn) \d)(?!\p{L})"
        r"|\s(?:và|hoặc)\s(?=\p{Ll}|" + patterns.type_words_alternation() + r")"
    )


# An issuer printed before the citation (patterns/citations.json ``pre_issuer``).
@functools.cache
def pre_issuer() -> patterns.Rule:
    """(read at first use: the type words are patterns/doc_types.json's)"""
    spec = patterns.load("citations")["pre_issuer"]
    rx = patterns.expand({"type_words": patterns.type_words_alternation()}, spec["regex"])
    return patterns.rule("citations.pre_issuer", rx, spec)


def issuer_after(text: str, pos: int) -> tuple[str | None, int]:
    m = _ISSUER_LEAD.match(text, pos, min(len(text), pos + 40))
    if not m:
        return None, pos
    start = m.end()
    chunk = soft_wraps(text, start, start + 160)
    stop = _issuer_stop().search(chunk)
    while stop and stop[0] == ",":  # a comma inside a name: "Bộ Văn hóa, Thể thao và Du lịch"
        inside = next((n for n in _comma_names().finditer(chunk) if n.start() < stop.start() < n.end()), None)
        if inside is None:
            break
        stop = _issuer_stop().search(chunk, inside.end())
    phrase = chunk[: stop.start()] if stop else chunk
    phrase = phrase.strip()
    if stop and stop[0] == "\n":
        phrase = _wrapped_place(phrase, chunk, stop.end())
    words = phrase.split()
    if not words or len(words) > 16:
        return None, pos
    if m["lead"] == "do" and len(words) < 1:
        return None, pos
    return " ".join(words), start + len(phrase)


_HARD_BREAK = regex.compile(r"[ \t]*(?:$|" + LIST_START.pattern + "|" + _NEW_BASIS + ")")


def soft_wraps(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with the line breaks that only wrap a sentence read as spaces (same length, so
    offsets hold). thuvienphapluat pages wrap lines inside names: "của Văn phòng" / "Chính phủ hướng dẫn",
    "của Giám đốc" / "Sở Khoa học và Công nghệ tại Tờ trình" (realdocs/archive aab8ca5824139565,
    a161f65b93293a7b). A break stays one after punctuation or a table cell, or before an empty line, a list
    item, an article or a new basis line."""
    chunk = text[start:end]
    if "\n" not in chunk:
        return chunk
    out = list(chunk)
    i = chunk.find("\n")
    while i >= 0:
        j = start + i  # the last character before the break that is not a space or tab, if any
        while j > 0 and text[j - 1] in " \t":
            j -= 1
        if j and text[j - 1] not in ".;:!?*|" and not _HARD_BREAK.match(text, start + i + 1):
            out[i] = " "
        i = chunk.find("\n", i + 1)
    return "".join(out)


@functools.cache
def _comma_names() -> regex.Pattern:
    """Names and titles with a comma in them, which an issuer runs over: the sectors of patterns/organisations.json
    ("Văn hóa, Thể thao và Du lịch") and patterns/citations.json ``issuer_comma_titles`` ("Bộ trưởng, Chủ nhiệm")."""
    names = [n for n in patterns.load("organisations")["sectors"] if "," in n]
    names += patterns.load("citations")["issuer_comma_titles"]["titles"]
    alt = "|".join(regex.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
    return regex.compile(r"(?<![\p{L}])(?:" + alt + r")(?![\p{L}])", regex.IGNORECASE)


_NEXT_WORDS = regex.compile(r"[ \t]*([\p{Lu}][\p{Ll}]*(?:[ \t]+[\p{Lu}][\p{Ll}]*){0,2})")


def _wrapped_place(phrase: str, chunk: str, at: int) -> str:
    """An issuer whose place a line wrap cut ("của UBND thành phố Hà" / "Nội ngày …", "tỉnh Thừa" / "Thiên Huế":
    realdocs/archive): the phrase with the next line's first words when together they name a longer known place."""
    from ..resolve import jurisdiction_of

    m = _NEXT_WORDS.match(chunk, at)
    if not m:
        return phrase
    now = jurisdiction_of(phrase)
    words = m[1].split()
    for n in range(len(words), 0, -1):
        longer = phrase + " " + " ".join(words[:n])
        got = jurisdiction_of(longer)
        if got and (now is None or len(got) > len(now)) and got.split()[-1] == words[n - 1]:
            return longer
    return phrase


def better_issuer(new: str | None, old: str | None) -> bool:
    """A mixed-case issuer beats none and beats one printed in an all-caps title ("CỦA BỘ TRƯỞNG BỘ TÀI")."""
    return bool(new) and (old is None or (old.isupper() and not new.isupper()))


def issuer_fits_code(number: str, issuer: str) -> bool:
    """Could ``issuer`` have issued ``number``? False only when the number's code names one other body
    ("71/NQ-CP" is the Government's, not "Ban Chỉ đạo Trung ương"'s); codes several bodies share (-/TW) and
    unknown codes fit any issuer (patterns/issuer_codes.json several_issuers)."""
    from ..names import normalize_entity

    code = issuer_code(number)
    if code is None or code in _several_issuers():
        return True
    a, b = patterns.fold(normalize_entity(issuer, "ORG")).lower(), patterns.fold(patterns.issuer_codes()[code]).lower()
    return b in a or a in b


@functools.cache
def _several_issuers() -> frozenset[str]:
    return frozenset(patterns.load("issuer_codes")["several_issuers"]["codes"])
