"""What the document says about itself, read from the layout Nghị định 30/2020/NĐ-CP prescribes: issuing
body (and its parent), number, place and date, type and title, recipients, signer and the signer's title.

Two sources, the better first: a thuvienphapluat metadata block ("Loại văn bản:", "Nơi ban hành:", "Người
ký:"), then the header and signature block themselves. Reports without a header (the seeds) get what the body
says ("Sở LĐTBXH báo cáo như sau") and ``None`` for the rest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import replace

import regex

from .. import patterns
from ..docnumber import DocNumber
from ..errors import MalformedDocNumber
from ..models import Document, DocumentInfo, Entity
from ..layout import site_title
from .citations import find_own_number

# the place: up to four capitalized words right before ", ngày" (a layout export may put the number before it)
_PLACE_DATE = regex.compile(
    r"(?<![\p{L}])(?P<place>(?:(?:TP|Tp|TX)\.[ \t]*)?[\p{Lu}][\p{Ll}]+(?:[ \t]+(?:[\p{Lu}][\p{Ll}]*|phố|xã)){0,4})[ \t]*,[ \t]*ngày[ \t]*(?P<d>\d{1,2}|[ .…_]*)[ \t]*tháng[ \t]+(?P<m>\d{1,2})[ \t]*năm[ \t]+(?P<y>\d{4}|\d{3}[ \t]\d(?!\d))"
)
_TVPL_KEYS = "Loại văn bản|Nơi ban hành|Người ký|Ngày ban hành|Số hiệu|Ngày hiệu lực|Ngày công báo|Số công báo|Tình trạng"
_TVPL = regex.compile(
    r"(?<![\p{L}])(?P<key>" + _TVPL_KEYS + r"):[ \t]*\n?[ \t|]*(?P<value>(?:(?!" + _TVPL_KEYS + r")[^\n|])+)"
)
_QUOC_HIEU = regex.compile(
    # the motto whole, or its halves when a flattened two-column header wraps it ("CỘNG HÒA XÃ HỘI" / "CHỦ NGHĨA
    # VIỆT NAM", realdocs/archive 192068354fd1ffe5)
    r"C[ỘO]NG\s+H(?:ÒA|OÀ|OA)\s+X[ÃA](?:\s+H[ỘO]I)?|(?:H[ỘO]I\s+)?CH[ỦU]\s+NGH[ĨI]A(?:\s+VI[ỆE]T\s+NAM)?|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc|-{3,}|_{3,}|—+",
    regex.IGNORECASE,
)
_ORG_HEAD = regex.compile(
    r"^(?:ỦY BAN|UỶ BAN|UBND|HĐND|HỘI ĐỒNG|SỞ|BỘ|BAN|TỔ|CỤC|TỔNG CỤC|CHI CỤC|PHÒNG|VĂN PHÒNG|TRUNG TÂM|VỤ|"
    r"CÔNG AN|TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|ĐẢNG ỦY|CHÍNH PHỦ|THỦ TƯỚNG|QUỐC HỘI|BẢO HIỂM|NGÂN HÀNG|TRƯỜNG|BỆNH VIỆN|THANH TRA|"
    r"KIỂM TOÁN|CHỦ TỊCH)\b"
)
_VV = regex.compile(r"(?:^|\||\s)[Vv]/v\s+(?P<t>[^\n|]+)", regex.MULTILINE)  # "v/v" too (realdocs/archive ad7a1b2470f2fff7)
_NUMBER_LEAD = regex.compile(r"\bSố\s*[:.]")
_NOT_NL = regex.compile(r"[^\n]")


@functools.cache
def _signature_regexes() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern, regex.Pattern]:
    """From patterns/signature.json: (a whole block line, one title with what follows it on its line, a bare title
    keyword, the authority prefix)."""
    spec = patterns.load("signature")
    auth = "|".join(spec["authority"])
    titles = "|".join(sorted(spec["titles"], key=len, reverse=True))
    tail = r"(?:[ \t]+(?!(?:" + auth + r")\.)[\p{Lu}Đ][\p{Lu}Đ \t]{0,40})?(?![\p{L}])"
    return (regex.compile(r"(?:(?:" + auth + r")\.\s*)?(?:PHÓ\s+)?(?:" + titles + r")" + tail),
            regex.compile(r"(?:PHÓ\s+)?(?:" + titles + r")" + tail),
            regex.compile(r"(?:PHÓ\s+)?(?:" + titles + r")(?![\p{L}])"),
            regex.compile(r"^(?:" + auth + r")\.\s*"))



@functools.cache
def _sign_title() -> patterns.Rule:
    """A block line (``_signature_regexes()[0]``), tried only where patterns/signature.json's ``opens`` stand."""
    return patterns.rule("signature.title", _signature_regexes()[0], patterns.load("signature"))


_BODY_REPORTS = regex.compile(r"(?:\s*\([^)\n]{1,40}\))?\s+(?:báo cáo|xây dựng [Kk]ế hoạch|ban hành|thông báo|hướng dẫn)\b")
_HEAD_SPLIT = regex.compile(
    r"(?<![\p{L}])(?<!CHỦ TỊCH )(?<!ỦY )(?<!UỶ )(?:TỔNG CỤC|CHI CỤC|ỦY BAN|UỶ BAN|UBND|HĐND|HỘI ĐỒNG|VĂN PHÒNG|TRUNG TÂM|TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|"
    r"SỞ|BỘ|BAN|TỔ|CỤC|(?<!QUỐC )PHÒNG|CÔNG AN|BỆNH VIỆN|TRƯỜNG)(?![\p{L}])"  # not VỤ: "SỞ NỘI VỤ" is one name;
    # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" and "BỘ QUỐC PHÒNG" are one name each (realdocs/archive 55d7a47de4f0ccee, 8180ae11188469fd)
)


# Compiled once here: a pattern string passed to regex.search costs a cache lookup on every call.
_DMY = regex.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_VV_LINE = regex.compile(r"(?m)(?:^|\|)\s*[Vv]/v\b|Số\s*:[^\n]{0,40}\s[Vv]/v\b")
_TRICH_YEU = regex.compile(r"Trích yếu\s*:\s*(?:V/v\s+)?(?P<t>[^\n|]+)")
_SO_LEAD = regex.compile(r"(?<![\p{L}])Số\s*[:.]")
_BODY_START = regex.compile(r"(?:Căn cứ|Kính gửi|Thực hiện|[IVX]+\.|\d+\.|Điều)\s")
_NUMBERED = regex.compile(r"(?:\d+|[IVX]+)\.\s")
_TITLE_TAIL = regex.compile(r"\s+(?=[\p{Lu}][\p{L} ]{1,30},\s*ngày\s)|\s+Kính gửi")
_CITED_NUMBER = regex.compile(r"\d+/")
_KINH_GUI = regex.compile(r"Kính gửi\s*:\s*(?P<inline>[^\n|]*)")
_NOI_NHAN = regex.compile(r"Nơi nhận\s*:")


def get_info(doc: Document, entities: list[Entity] = (), page: str | None = None) -> DocumentInfo:
    """Read from the document's own span (``doc.layout``); the site's metadata block, which lies outside it
    in ``page`` (the text with its furniture), fills only what the document does not say."""
    text = doc.text or ""
    page = text if page is None else page
    a, b = (doc.layout.start, doc.layout.end) if doc.layout is not None else (0, len(text))
    if a or b < len(text):
        text = text[a:b]
        entities = [replace(e, start=e.start - a, end=e.end - a) for e in entities if a <= e.start < b]
    info = DocumentInfo()
    site = page[:a] if a else text[:6000]
    info.number, _ = find_own_number(text)
    if info.number is None and a:
        info.number, _ = find_own_number(site)
    head = text[:6000]
    tvpl = {m["key"]: m["value"].strip() for m in _TVPL.finditer(site)}
    _place_date(info, head, text)
    heading = _type_heading(text)  # both the type and the title look for it: found once
    info.doc_type = _type(text, info.number, tvpl, heading)
    info.title = _title(text, info.doc_type, heading)
    parent, issuer = _header_issuer(text)
    # the body's own header first; a site's "Nơi ban hành" is often only a place ("Thành phố Cần Thơ")
    info.issuer = issuer or _org(tvpl.get("Nơi ban hành")) or _body_issuer(text, entities)
    if info.title is None and doc.layout is not None:
        info.title = site_title(page, doc.layout)
    info.issuer_parent = parent if issuer else None
    if tvpl.get("Ngày ban hành") and not info.issue_date:
        m = _DMY.match(tvpl["Ngày ban hành"])
        if m:
            info.issue_date = _iso(m[3], m[2], m[1])
    known = tvpl.get("Người ký") if tvpl.get("Người ký") not in (None, "Đã biết") else None
    # the signature block as printed first: a site's "Người ký" can be misspelt ("Vũ Minh Lương" over the
    # document's "Thượng tướng Võ Minh Lương", realdocs/archive 8180ae11188469fd)
    title, signer = _signature(text, entities)
    if signer is None and known:
        title, signer = _signature(text, entities, known)
    info.signer = signer or known
    info.signer_title = title
    info.recipients = _recipients(text)
    return info


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


_BLANK_DAY = regex.compile(r"(?<![\p{L}])[Nn]gày[ \t.…_]*tháng[ \t]+(?P<m>\d{1,2})[ \t]+năm[ \t]+(?P<y>\d{4})")


def _search_place_date(head: str) -> regex.Match | None:
    """``_PLACE_DATE.search(head)``. A match lies on one line (the pattern holds no line break) and holds
    "ngày", so only the lines holding "ngày" are searched, in order: a tenth of the time of the whole head."""
    q = head.find("ngày")
    while q >= 0:
        line_start = head.rfind("\n", 0, q) + 1
        line_end = head.find("\n", q)
        line_end = len(head) if line_end < 0 else line_end
        m = _PLACE_DATE.search(head, line_start, line_end)
        if m:
            return m
        q = head.find("ngày", line_end)
    return None


def _place_date(info: DocumentInfo, head: str, text: str = "") -> None:
    m = _search_place_date(head)
    if not m:
        # a draft with neither place nor day ("Ngày ….. tháng 9 năm 2025" under the signature, realdocs 019)
        b = _BLANK_DAY.search(head) or _BLANK_DAY.search(text, max(0, len(text) - 3000))
        if b and 1 <= int(b["m"]) <= 12:
            info.issue_date = f"{int(b['y']):04d}-{int(b['m']):02d}"
        return
    info.place = " ".join((_wrapped_place(head, m.start()) + m["place"]).split()).strip(" |")
    y = m["y"].replace(" ", "").replace("\t", "")  # "năm 202 5" (realdocs/bulk e5fc434ba0580ac0)
    if m["d"].strip(" .…_"):
        info.issue_date = _iso(y, m["m"], m["d"])
    else:
        info.issue_date = f"{int(y):04d}-{int(m['m']):02d}"


_PLACE_WORDS = regex.compile(r"(?:(?:TP|Tp|TX)\.[ \t]*)?(?:[\p{Lu}][\p{Ll}]*|phố)(?:[ \t]+(?:[\p{Lu}][\p{Ll}]*|phố)){0,3}[ \t]*")


def _wrapped_place(head: str, at: int) -> str:
    """The start of a place wrapped onto the line above ("Hà" / "Nội, ngày 25 …", "Thành phố Hồ Chí" /
    "Minh, ngày …": realdocs/archive 4bda44e45e4f1633): that line, when it holds only such words."""
    if at == 0 or head[at - 1] != "\n":
        return ""
    line_start = head.rfind("\n", 0, at - 1) + 1
    m = _PLACE_WORDS.fullmatch(head, line_start, at - 1)
    return m[0].strip() + " " if m else ""


def _type(text: str, number: str | None, tvpl: dict[str, str], heading: tuple[str, int] | None) -> str | None:
    if tvpl.get("Loại văn bản"):
        return patterns.type_by_word().get(patterns.fold(tvpl["Loại văn bản"])) or tvpl["Loại văn bản"]
    if heading:
        return heading[0]
    if _VV_LINE.search(text[:4000]):
        return "Công văn"
    if number:
        try:
            return DocNumber.parse(number).doc_type
        except MalformedDocNumber:
            return None
    return None


def _type_heading(text: str) -> tuple[str, int] | None:
    """The document's type printed alone, in capitals, near the top ("BÁO CÁO", "QUYẾT ĐỊNH"), or right
    after the date in a header flattened onto one line ("… năm 2019 THÔNG TƯ SỬA ĐỔI …"); returns the type
    and where its title starts."""
    by_word = patterns.type_by_word()
    alone, inline = _heading_regexes()
    for m in alone.finditer(text, 0, 8000):
        name = by_word.get(patterns.fold(m["w"]))
        if name and m["w"].isupper():
            return name, m.end()
    m = inline.search(text, 0, 4000)
    if m:
        return by_word.get(patterns.fold(m["w"])), m.end()
    return None


@functools.cache
def _heading_regexes() -> tuple[regex.Pattern, regex.Pattern]:
    words = "|".join(sorted((w.upper() for t in patterns.doc_types() for w in t.words), key=len, reverse=True))
    return (regex.compile(r"(?m)^[ \t*#|]*(?P<w>[\p{Lu} ]{4,40}?)[ \t*|]*$"),
            regex.compile(r"năm \d{4}\s+(?P<w>" + words + r")\s+(?=[\p{Lu}])"))


_TITLE_END = regex.compile(r"\s(?=(?:Thực hiện|Căn cứ|Kính gửi|Theo|Xét)\s)|\s(?=[\p{Lu}]{2,}(?:\s+[\p{Lu}]{2,}){2,}$)")


def _title(text: str, doc_type: str | None, heading: tuple[str, int] | None) -> str | None:
    """The trích yếu: the line(s) under the type heading, or the 'V/v …' of a letter."""
    trich = _TRICH_YEU.search(text[:6000])
    if trich:
        return _continue_cell(text, trich.end(), trich["t"])
    # the V/v of the letter, not of a website's banner above it: look from the number line on
    lead = _SO_LEAD.search(text[:8000])
    origin = lead.start() if lead else 0
    vv = _VV.search(text, origin, origin + 5000)
    if vv and heading and origin <= heading[1] < vv.start():
        vv = None  # "QUYẾT ĐỊNH" over its title comes first; a V/v further down belongs to something cited
    if vv:
        return _continue_cell(text, vv.end(), vv["t"])
    if heading:
        lines = [ln.strip(" *|#") for ln in text[heading[1] :].lstrip("\n").split("\n")[:8]]
        out: list[str] = []
        enacting, lead = _title_rules()
        for ln in lines:
            if not ln or _BODY_START.match(ln) or (out and enacting.match(ln) and out[-1].split()[-1] not in _GOES_ON):
                break
            if out and not (ln.isupper() and out[-1].isupper()) and not ln[:1].islower():
                break
            out.append(ln)
        title = " ".join(out)
        if not title.isupper():
            title = _TITLE_END.split(title)[0]
        title = lead.sub("", title.strip(" ;,"))
        if title:
            return title
    return None


# a title line ending so goes on in the next line, even one opening like an enacting line ("… CỦA" / "CHỦ TỊCH
# UBND THÀNH PHỐ VỀ VIỆC …", realdocs/archive 0beedb7bdb363a85)
_GOES_ON = {"CỦA", "VÀ", "CHO", "VỚI", "TẠI", "THUỘC", "VỀ", "TRÊN", "ĐẾN", "TỪ", "THEO"}


@functools.cache
def _title_rules() -> tuple[regex.Pattern, regex.Pattern]:
    """The enacting-authority line under a title, and the lead a title drops ("VỀ VIỆC"): patterns/sections.json."""
    spec = patterns.load("sections")
    return regex.compile(spec["enacting"]), regex.compile(spec["title_lead"])


def _continue_cell(text: str, end: int, first: str) -> str | None:
    """A title that goes on in the next table rows' first cell, or on lines that start in lower case."""
    parts = [first]
    line_end = text.find("\n", end)
    for ln in text[line_end + 1 : line_end + 600].split("\n")[:6] if line_end >= 0 else []:
        cell = ln.split("|")[1] if ln.startswith("|") and ln.count("|") >= 2 else ln
        cell = cell.strip()
        if not cell or not ln.startswith("|") and not cell[:1].islower() and not cell[:1].isdigit():
            break
        if cell.startswith("Kính gửi") or _NUMBERED.match(cell) or parts[-1].rstrip().endswith("."):
            break
        parts.append(cell)
    title = " ".join(" ".join(parts).split())
    title = _TITLE_TAIL.split(title)[0]
    return title.strip(" ;,") or None


def _org(name: str | None) -> str | None:
    if not name:
        return None
    from ..names import normalize_entity

    return normalize_entity(name, "ORG")


def _header_issuer(text: str) -> tuple[str | None, str | None]:
    """The issuing body from the header's left block: capitals before 'Số:', split into names where a line
    opens with a body's head word ('UBND TỈNH LÂM ĐỒNG' / 'SỞ NỘI VỤ': parent and issuer)."""
    fragments: list[str] = []
    # the motto out first, over line breaks: a flattened header wraps it anywhere ("CỘNG" / "HÒA XÃ HỘI …")
    head = _QUOC_HIEU.sub(lambda m: _NOT_NL.sub(" ", m[0]), text[:3000])
    for line in head.split("\n")[:20]:
        number_at = _NUMBER_LEAD.search(line)
        if number_at:
            line = line[: number_at.start()]  # a flattened header: what precedes "Số:" is still the header
        if _type_heading(line + "\n"):
            break
        cell = line.split("|")[1] if line.startswith("|") and line.count("|") >= 2 else line
        cell = _QUOC_HIEU.sub(" ", cell)
        cell = " ".join(cell.split()).strip(" -*")
        if cell and cell.isupper() and len(cell) > 2:
            fragments.append(cell)
        elif fragments and cell:
            break
        if number_at:
            break
    if not fragments:
        return None, None
    joined = " ".join(fragments)
    # not inside a place name: "THÀNH PHỐ HẢI PHÒNG" is no "PHÒNG" (realdocs/archive sample of issue 15)
    places = patterns.place_spellings()
    cuts = [m.start() for m in _HEAD_SPLIT.finditer(joined)
            if patterns.fold(" ".join(joined[: m.start()].split()[-1:] + [m[0]])) not in places] or [0]
    if cuts[0] != 0:
        cuts.insert(0, 0)
    names = [joined[a:b].strip() for a, b in zip(cuts, cuts[1:] + [len(joined)]) if joined[a:b].strip()]
    names = [n for n in names if _ORG_HEAD.match(n)]  # capitals that name no body ("GDP", a table head) are no issuer
    if not names:
        return None, None
    issuer = _org(names[-1])
    parent = _org(names[-2]) if len(names) > 1 else None
    return parent and parent[:1].upper() + parent[1:], issuer and issuer[:1].upper() + issuer[1:]


def _body_issuer(text: str, entities: list[Entity]) -> str | None:
    """A report without a header: the body that reports ('Ủy ban nhân dân thành phố Cao Bằng báo cáo …')."""
    for e in entities:
        if e.start > 3000:
            break
        if e.label == "ORG" and _BODY_REPORTS.match(text, e.end):
            return e.text
    return None


def _signature(text: str, entities: list[Entity], signer: str | None = None) -> tuple[str | None, str | None]:
    """The signature block: a title in capitals ("KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC") and the person named right
    after it. With several blocks, the one nearest after "Nơi nhận:" (an annex may follow the signature)."""
    people = sorted((e for e in entities if e.label == "PER"), key=lambda e: e.start)
    if signer:
        at = text.rfind(signer)
        blocks = [(at, signer)] if at >= 0 else []
    else:
        blocks = []
        starts = [p.start for p in people]
        for m in _sign_title().finditer(text):
            i = bisect.bisect_left(starts, m.end())  # the first person at or after the title
            person = people[i] if i < len(people) and people[i].start <= m.end() + 500 else None
            if person and not _CITED_NUMBER.search(text[m.end() : person.start]):  # no citation between
                blocks.append((person.start, person.text))
        nn = text.find("Nơi nhận")
        if not blocks and nn >= 0:  # a block with no name printed (seed 004): its title still counts
            titles = list(_signature_regexes()[1].finditer(text, nn, min(len(text), nn + 800)))
            if titles:
                blocks.append((titles[-1].end(), None))
        if not blocks:
            return None, None
    if not blocks:
        return None, None
    nn = text.find("Nơi nhận")
    after = [b for b in blocks if nn >= 0 and b[0] > nn]
    at, name = (after[0] if after else blocks[-1])
    titles = list(_signature_regexes()[1].finditer(text, max(0, at - 500), at))
    title = None
    if titles:
        t = " ".join(titles[-1][0].split())
        inner = list(_signature_regexes()[2].finditer(t))  # "BỘ TRƯỞNG THỨ TRƯỞNG" on one line: the last title is the signer's
        if inner:
            t = t[inner[-1].start() :]
        from ..names import normalize_entity

        title = normalize_entity(t[:1] + t[1:].lower(), "TITLE")
    return title, name


def _recipients(text: str) -> list[str]:
    out: list[str] = []
    m = _KINH_GUI.search(text[:6000])
    if m:
        if m["inline"].strip(" -"):
            out.append(_recipient(m["inline"]))
        for line in text[m.end() : m.end() + 1500].split("\n")[1:]:
            cell = line.strip(" |")
            if not cell.startswith(("-", "+", "•")):
                break
            out.append(_recipient(cell))
    n = _NOI_NHAN.search(text)
    if n:
        for line in text[n.end() : n.end() + 3000].split("\n"):
            cell = line.split("|")[1] if line.startswith("|") and line.count("|") >= 2 else line
            cell = cell.strip(" |")
            if not cell:
                continue
            if not cell.startswith(("-", "+", "•")):
                if out and len(out) > (1 if m else 0):
                    break
                continue
            cell = _signature_regexes()[0].split(cell)[0]  # a two-column line: the signature title is the right column
            out.append(_recipient(cell))
    return [r for r in out if r]


def _recipient(s: str) -> str:
    return " ".join(s.strip().lstrip("-+• ").rstrip(";, ").split())
