"""Resolution after extraction: who issued each cited document, in which jurisdiction, and its canonical id.

"của UBND tỉnh" in a Bình Thuận document is the UBND of tỉnh Bình Thuận; "Kế hoạch số 126/KH-UBND" is one
of many (every province and district has one), so its id carries its jurisdiction; "126/2007/NĐ-CP" is
national and keeps its bare number.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

import regex

from . import patterns
from .docnumber import DocNumber, is_local, issuer_code, local_id
from .errors import MalformedDocNumber
from .models import Citation, Document

__all__ = ["document_id", "document_jurisdiction", "home_jurisdiction", "is_local", "issuer_code", "issuer_from_code",
           "jurisdiction_of", "local_id", "resolve_citations"]

_LEVEL_PLACE = regex.compile(
    r"(?<![\p{L}])(?P<lvl>tỉnh|thành phố|huyện|quận|thị xã|xã|phường|Tỉnh|Thành phố|Huyện|Quận)[ \t]+"
    r"(?P<name>[\p{Lu}][\p{Ll}]*(?:[ \t]+[\p{Lu}][\p{Ll}]*){0,3})"
)
_BARE_LEVEL = regex.compile(r"(?<![\p{L}])(?P<lvl>tỉnh|thành phố|huyện|quận|thị xã|xã|phường)\s*$")


# The functions below are pure and see the same issuers and place names again and again (in a document and
# across an archive): bounded caches, so a long-lived worker's memory cannot grow with it.
@functools.lru_cache(maxsize=8192)
def jurisdiction_of(text: str | None) -> str | None:
    """The 'level Name' an issuer phrase names ("UBND huyện Tuần Giáo" → "huyện Tuần Giáo"), the name as the
    gazetteer spells it; ``None`` when the words after the level are no known place ("tỉnh Thừa", cut by a
    line wrap; "xã Hội" of the national motto: realdocs/archive)."""
    if not text:
        return None
    known = patterns.place_spellings()
    for m in _LEVEL_PLACE.finditer(text):
        words = m["name"].split()
        for n in range(len(words), 0, -1):
            name = known.get(patterns.fold(" ".join(words[:n])))
            if name:
                return f"{m['lvl'].lower()} {name}"
    return None


def document_jurisdiction(doc: Document) -> str | None:
    """Where the document itself sits: its issuer's place, else the province its text names most."""
    places = (e.text for e in doc.entities if e.label in ("ORG", "LOC"))
    return home_jurisdiction(doc.info.issuer, doc.info.issuer_parent, places)


def home_jurisdiction(issuer: str | None, issuer_parent: str | None, place_names: Iterable[str]) -> str | None:
    """``document_jurisdiction`` from its parts (what the dataset tables keep): the issuer's place, else the
    province that the ORG/LOC entity texts ``place_names`` name most."""
    own = jurisdiction_of(issuer) or jurisdiction_of(issuer_parent)
    if own:
        return own
    counts = Counter(jurisdiction_of(t) for t in place_names)
    counts.pop(None, None)
    provinces = {k: v for k, v in counts.items() if k.startswith(("tỉnh", "thành phố"))}
    return max(provinces, key=provinces.get) if provinces else None


def issuer_from_code(number: str) -> str | None:
    code = issuer_code(number)
    return patterns.issuer_codes()[code] if code else None


def document_id(number: str | None, jurisdiction: str | None) -> str | None:
    """A mined document's own canonical id: the ``id`` its citations carry elsewhere ("126/2007/NĐ-CP",
    "112/KH-UBND@thành phố Cao Bằng"); ``None`` without a number that starts with a digit ("/KH-SLĐTBXH" is
    a number whose digits were left blank)."""
    if number and number[:1].isdecimal():
        try:
            return DocNumber.parse(number).local_id(jurisdiction)
        except MalformedDocNumber:
            return None
    return None


def resolve_citations(doc: Document) -> list[Citation]:
    """Citations with ``issuer_normalized`` (printed or from the code, place filled in) and ``jurisdiction``;
    a local document's id gains its jurisdiction."""
    from .names import normalize_entity

    home = document_jurisdiction(doc)
    out = []
    for c in doc.citations:
        printed = normalize_entity(c.issuer, "ORG") if c.issuer else None
        n = DocNumber.parse(c.number)
        issuer = printed or (patterns.issuer_codes()[n.issuer_code] if n.issuer_code else None)
        place = jurisdiction_of(c.issuer)
        local = n.is_local
        if local and not place:
            place = home
        if issuer and place and _BARE_LEVEL.search(issuer) and issuer.lower().endswith(place.split(" ")[0]):
            issuer = issuer[: _BARE_LEVEL.search(issuer).start()] + place  # "UBND tỉnh" → "… tỉnh Bình Thuận"
        elif issuer and local and place and not jurisdiction_of(issuer) and issuer in ("Ủy ban nhân dân", "Hội đồng nhân dân", "Tỉnh ủy"):
            issuer = f"{issuer} {place}"
        cid = local_id(c.id, c.number, place)
        # what dataclasses.replace does, without its walk over the fields' metadata (a third of this stage)
        changes = {"issuer_normalized": issuer, "jurisdiction": place if local else None, "id": cid}
        out.append(type(c)(**{**vars(c), **changes}))
    # what one cited document does to another names the other by its resolved id too
    ids = {c.id: r.id for c, r in zip(doc.citations, out) if c.id != r.id}
    if ids:
        out = [type(c)(**{**vars(c), "acts_on": ids.get(c.acts_on, c.acts_on)}) if c.acts_on else c for c in out]
    return out
