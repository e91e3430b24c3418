"""What the document says about itself, read from the NĐ 30 header: number, type, place and date.

The full header (issuer, title, signer, recipients) is issue 5's work; here only what citations need.
"""

from __future__ import annotations

import datetime as dt

import regex

from .. import patterns
from ..models import Document, DocumentInfo
from .citations import find_own_number, type_from_number

_PLACE_DATE = regex.compile(
    r"(?m)^[ \t*_|]*(?P<place>[\p{Lu}][\p{L} .'-]{1,40}?)[ \t]*,[ \t]*ngày[ \t]+(?P<d>\d{1,2}|[ .…_]*)[ \t]+tháng[ \t]+(?P<m>\d{1,2})[ \t]+năm[ \t]+(?P<y>\d{4})"
)


def get_info(doc: Document) -> DocumentInfo:
    text = doc.text or ""
    info = DocumentInfo()
    info.number, _ = find_own_number(text)
    if info.number:
        regime = "normative" if regex.match(r"[\d.]+/\d{4}/", info.number) else (
            "party" if regex.match(r"\d+-", info.number) else "administrative")
        info.doc_type = type_from_number(info.number, regime) if not info.number.startswith("/") else None
        if info.number.startswith("/"):
            code = regex.match(r"/([\p{L}]+)", info.number)
            info.doc_type = patterns.type_by_code().get(code[1].upper()) if code else None
    head = text[:6000]
    m = _PLACE_DATE.search(head)
    if m:
        info.place = " ".join(m["place"].split())
        if m["d"].strip(" .…_"):
            try:
                info.issue_date = dt.date(int(m["y"]), int(m["m"]), int(m["d"])).isoformat()
            except ValueError:
                info.issue_date = None
        else:
            info.issue_date = f"{int(m['y']):04d}-{int(m['m']):02d}"
    return info
