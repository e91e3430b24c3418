"""Citation checks over a mined dataset: each finding is a warning that carries its evidence (the citing sentence).

    warnings = minerals.check(minerals.open_dataset("out"))

The checks, by ``kind`` (``CHECKS`` runs them in this order); short forms ("Nghị định 126") copy the values of
their full citation and are left out, so a finding is reported once, where the number is printed whole:

- ``date_vs_number_year``: the date printed with a citation is in another year than the year its number carries
  ("87/2011/NĐ-CP ngày 27/9/2013"); only numbers with a year (the normative regime).
- ``inconsistent_across_archive``: one canonical id cited with different day dates or different types across the
  archive; one warning per id, the evidence lists each variant and the documents that print it.
- ``cited_after_citing``: a cited document dated (or numbered with a year) after the citing document's own date.
- ``type_contradicts_symbol``: the printed type word contradicts the symbol's type code ("Kế hoạch số
  1109/QĐ-UBND", realdocs 022: QĐ is Quyết định); generic words ("văn bản") never contradict.
- ``malformed_number``: a number that matches none of the official shapes of ``patterns/checks.json``
  ("21/2007-TT-BLĐTBXH", seed 004: a dash where the slash belongs).
- ``lookalike_characters``: a number printed with Cyrillic or Greek letters that copy Latin ones ("66/NQ-СР",
  realdocs/archive: patterns/citations.json ``lookalikes``); its id reads them as Latin, the warning says where
  the source text needs fixing.
- ``date_vs_registry``: the date printed with a citation is not the date a registry of known documents
  (``minerals.registry``) gives that id; a number without a year is compared only with the entry of the printed
  date's year (another year's entry is another document).
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import regex

from . import patterns
from .docnumber import DocNumber, number_year
from .errors import MalformedDocNumber

KINDS = (
    "date_vs_number_year", "inconsistent_across_archive", "cited_after_citing", "type_contradicts_symbol",
    "malformed_number", "lookalike_characters", "date_vs_registry",
)


@dataclass(frozen=True)
class CitationWarning:
    """One finding. ``evidence`` is the citing sentence (or, for archive-wide findings, the variants found)."""

    kind: str
    doc_id: str | None
    path: str | None
    number: str | None
    message: str
    evidence: str
    id: str | None = None
    date: str | None = None
    page: int | None = None
    start: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


Warning = CitationWarning  # the name issue 7 uses; ``CitationWarning`` does not shadow the builtin


# --- rules from patterns/checks.json ---------------------------------------------------------------------
@functools.cache
def shape_regexes() -> dict[str, regex.Pattern]:
    """Regime → the official shape of a normalized number in it."""
    spec = patterns.load("checks")
    return {s["regime"]: regex.compile(patterns.expand(spec["fragments"], s["regex"])) for s in spec["shapes"]}


def is_well_formed(number: str) -> bool:
    """Whether a normalized number has one of the official shapes (any regime)."""
    return any(rx.fullmatch(number) for rx in shape_regexes().values())


@functools.cache
def _code_words(key: str = "code_words") -> dict[str, frozenset[str]]:
    return {code.upper(): frozenset(words) for code, words in patterns.load("checks")[key].items() if code != "#"}


def _parsed(number: str | None) -> DocNumber | None:
    try:
        return DocNumber.parse(number or "")
    except MalformedDocNumber:
        return None


def symbol_types(number: str) -> frozenset[str]:
    """The types the symbol's code admits: {"Quyết định"} for QĐ, {"Luật", "Bộ luật", …} for QH; empty when the
    code names no type (1511/LĐTBXH-CATLĐ: an issuer)."""
    n = _parsed(number)
    code = n.type_code if n else None
    if code is None:
        return frozenset()
    if n.regime == "party" and code in _code_words("party_code_words"):
        return _code_words("party_code_words")[code]
    if code in _code_words():
        return _code_words()[code]
    name = patterns.type_by_code().get(code)
    return frozenset({name}) if name else frozenset()


__all__ = ["CHECKS", "KINDS", "CitationWarning", "check", "is_well_formed", "number_year", "symbol_types"]


# --- the checks --------------------------------------------------------------------------------------------
def _isna(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)  # (a list cell, recipients, is a value)


def _rows(citations) -> Iterable[dict]:
    for row in citations.to_dict("records"):
        yield {k: (None if _isna(v) else v) for k, v in row.items()}


def _warning(kind: str, row: dict, paths: dict, message: str) -> CitationWarning:
    page = row.get("page")
    return CitationWarning(
        kind=kind, doc_id=row.get("doc_id"), path=paths.get(row.get("doc_id")), number=row.get("number"),
        message=message, evidence=row.get("context") or row.get("text") or "", id=row.get("id"),
        date=row.get("date"), page=int(page) if page is not None else None,
        start=int(row["start_offset"]) if row.get("start_offset") is not None else None,
    )


def date_vs_number_year(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    out = []
    for row in _rows(tables["citations"]):
        y = number_year(row["number"] or "")
        if y is None or not row["date"] or row.get("short_form"):
            continue
        if int(row["date"][:4]) != y:
            out.append(_warning("date_vs_number_year", row, paths,
                                f"{row['number']} carries the year {y} but is printed with the date {row['date']}"))
    return out


def inconsistent_across_archive(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    by_id: dict[str, list[dict]] = {}
    for row in _rows(tables["citations"]):
        if row["id"] and not row.get("short_form"):
            by_id.setdefault(row["id"], []).append(row)
    out = []
    for cid, rows in sorted(by_id.items()):
        problems = []
        dated = number_year(rows[0]["number"] or "") is not None
        for field, what in (("date", "dates"), ("type", "types")):
            values: dict[str, set[str]] = {}
            for r in rows:
                v = r["date"] if field == "date" else _printed_type(r)
                if field == "date" and (not v or len(v) != 10):  # day-precision dates only
                    continue
                if v:
                    values.setdefault(v, set()).add(paths.get(r["doc_id"]) or r["doc_id"])
            if field == "date" and not dated and values:
                # numbers without a year restart every year: 01/GP-UBND of 2007 and of 2019 are two permits
                # (realdocs 006); only dates within one year disagree
                by_year: dict[str, int] = {}
                for v in values:
                    by_year[v[:4]] = by_year.get(v[:4], 0) + 1
                values = {v: d for v, d in values.items() if by_year[v[:4]] > 1}
            if len(values) > 1:
                problems.append(f"{what}: " + "; ".join(
                    f"{v} in {', '.join(sorted(str(p).rsplit('/', 1)[-1] for p in docs))}" for v, docs in sorted(values.items())))
        if problems:
            first = rows[0]
            out.append(CitationWarning(
                kind="inconsistent_across_archive", doc_id=None, path=None, number=first["number"],
                message=f"{cid} is cited with different " + " and ".join(p.split(":")[0] for p in problems),
                evidence=" | ".join(problems), id=cid,
            ))
    return out


def cited_after_citing(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    docs = tables["documents"]
    text = "issue_date_text" if "issue_date_text" in docs.columns else "issue_date"  # ISO text, with its precision
    issued = {r["doc_id"]: r[text] for r in _rows(docs[["doc_id", text]]) if r.get(text)}
    out = []
    for row in _rows(tables["citations"]):
        own = issued.get(row["doc_id"])
        if not own or row.get("short_form"):  # a short form repeats its full citation's date
            continue
        cited = row["date"] or (str(number_year(row["number"] or "")) if number_year(row["number"] or "") else None)
        if not cited:
            continue
        n = min(len(cited), len(own))  # compare at the precision both dates have (2026-04 vs 2026-04-12)
        if cited[:n] > own[:n]:
            out.append(_warning("cited_after_citing", row, paths,
                                f"{row['number']} ({cited}) is dated after the citing document ({own})"))
    return out


def _printed_type(row: dict) -> str | None:
    """The specific type word printed with a citation row (its ``type_word``); None for none or a generic one
    ("văn bản số", "Công văn số": a letter's symbol starts with its issuer, whose letters may spell a type code,
    CT = Cục Thuế)."""
    word = row.get("type_word")
    return None if word in _generic_words() else word


@functools.cache
def _generic_words() -> frozenset[str]:
    return frozenset({None, "văn bản", *patterns.load("checks")["generic_types"]})


def type_contradicts_symbol(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    out = []
    for row in _rows(tables["citations"]):
        if row.get("short_form"):
            continue
        word = _printed_type(row)
        if word is None:
            continue
        admitted = symbol_types(row["number"])
        if admitted and word not in admitted:
            code = DocNumber.parse(row["number"]).type_code
            out.append(_warning("type_contradicts_symbol", row, paths,
                                f"printed as {word} but the code {code} of {row['number']} means "
                                + " or ".join(sorted(admitted))))
    return out


def malformed_number(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    out = []
    for row in _rows(tables["citations"]):
        if row["number"] and not row.get("short_form") and not is_well_formed(row["number"]):
            out.append(_warning("malformed_number", row, paths,
                                f"{row['number']} does not have an official shape (patterns/checks.json)"))
    return out


def lookalike_characters(tables: dict) -> list[CitationWarning]:
    paths = _paths(tables)
    table = patterns.load("citations")["lookalikes"]["map"]  # what the id reads them as
    out = []
    for row in _rows(tables["citations"]):
        printed = row.get("text") or ""
        odd = sorted({ch for ch in printed if ch in table})
        if odd and not row.get("short_form"):
            names = ", ".join(f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?').split(' ')[0].title()} for {table[ch]}"
                              for ch in odd)
            out.append(_warning("lookalike_characters", row, paths,
                                f"{printed!r} prints look-alike letters ({names}); read as {row['number']}"))
    return out


def date_vs_registry(tables: dict, registry) -> list[CitationWarning]:
    paths = _paths(tables)
    out = []
    for row in _rows(tables["citations"]):
        printed = row["date"]
        if not printed or len(printed) != 10 or row.get("short_form") or not row["id"]:
            continue
        entry = registry.lookup(row["id"], date=printed)
        if entry is None or not entry.date or entry.date == printed:
            continue
        w = _warning("date_vs_registry", row, paths,
                     f"{row['number']} is printed with the date {printed}; the registry ({entry.source}) dates it "
                     f"{entry.date}")
        registry_says = f"registry ({entry.source}): {entry.number} {entry.date}" + (f", {entry.url}" if entry.url else "")
        out.append(dataclasses.replace(w, evidence=f"{w.evidence} | {registry_says}"))
    return out


def _paths(tables: dict) -> dict:
    return {r["doc_id"]: r["path"] for r in _rows(tables["documents"])}


CHECKS: dict[str, Callable[[dict], list[CitationWarning]]] = {
    "date_vs_number_year": date_vs_number_year,
    "inconsistent_across_archive": inconsistent_across_archive,
    "cited_after_citing": cited_after_citing,
    "type_contradicts_symbol": type_contradicts_symbol,
    "malformed_number": malformed_number,
    "lookalike_characters": lookalike_characters,
    "date_vs_registry": date_vs_registry,
}
NEEDS_REGISTRY = frozenset({"date_vs_registry"})


def check(dataset, kinds: Iterable[str] | None = None, registry="default") -> list[CitationWarning]:
    """Every warning of the checks in ``kinds`` (default: all) over ``dataset``, the tables ``open_dataset``
    returns (or a dataset path or URL, opened here). ``registry`` ("default": the shipped one; a path; a
    ``Registry``; None) is what ``date_vs_registry`` compares with; without one that check is skipped, unless
    asked for by name (then a ValueError)."""
    from .registry import registry_option

    if not isinstance(dataset, dict):
        from .dataset import open_dataset

        dataset = open_dataset(dataset)
    asked = kinds is not None
    kinds = list(kinds) if kinds is not None else list(CHECKS)
    unknown = [k for k in kinds if k not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; valid: {', '.join(CHECKS)}")
    registry = registry_option(registry) if NEEDS_REGISTRY & set(kinds) else None
    if registry is None and asked and NEEDS_REGISTRY & set(kinds):
        raise ValueError(f"{', '.join(sorted(NEEDS_REGISTRY & set(kinds)))} needs a registry (--registry PATH)")
    out = []
    for k in kinds:
        if k in NEEDS_REGISTRY:
            out += CHECKS[k](dataset, registry) if registry is not None else []
        else:
            out += CHECKS[k](dataset)
    return out
