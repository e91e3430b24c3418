"""A registry of known documents: number, type, issuer, date, title, status — what a citation only names.

Citations print a number and, at best, a date and an issuer; a registry (an official gazette's table, a
portal's list) knows the title, the date and whether the document is still in force. ``load_registry()`` reads
the one shipped with minerals (``minerals/data/registry.csv.gz``, built by ``tools/build_registry.py`` from the
real tables of binhduong.gov.vn, Công báo Sơn La, thuvienphapluat.vn and vbpl.vn) or a user's CSV/TSV whose
headers may be Vietnamese or English (``patterns/registry.json``).

Ids are the citations' ids (``docnumber.local_id``): "126/2007/NĐ-CP" bare, a local "1707/QĐ-UBND" with its
jurisdiction, "1707/QĐ-UBND@tỉnh Bình Dương". A number without a year restarts every year, so one id may name
several documents; ``lookup`` then needs the date's year to pick one, and answers None rather than guess.

    reg = load_registry()
    reg.lookup("249/2025/ND-CP")                          # any spelling of the number
    reg.lookup("1707/QĐ-UBND", date="2022-07-15", jurisdiction="tỉnh Bình Dương")
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

from . import patterns
from .docnumber import canonical_id, local_id, normalize_number, number_year
from .errors import RegistryError

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "registry.csv.gz"
COLUMNS = ("id", "number", "doc_type", "issuer", "jurisdiction", "date", "effective_date", "title", "status",
           "signer", "source", "url")


@dataclass(frozen=True)
class RegistryEntry:
    """One known document. ``source`` names where it came from ("vbpl.vn; thuvienphapluat.vn" when merged)."""

    id: str
    number: str
    doc_type: str | None = None
    issuer: str | None = None
    jurisdiction: str | None = None
    date: str | None = None
    effective_date: str | None = None
    title: str | None = None
    status: str | None = None
    signer: str | None = None
    source: str | None = None
    url: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# --- values ------------------------------------------------------------------------------------------------
@functools.cache
def _spec() -> dict:
    return patterns.load("registry")


def _key(header: str) -> str:
    return patterns.fold(str(header).replace("_", " ").replace("-", " "))


@functools.cache
def _header_map() -> dict[str, str]:
    """Folded header name → registry field."""
    return {_key(alias): field for field, aliases in _spec()["columns"].items() for alias in aliases}


@functools.cache
def _unknown() -> frozenset[str]:
    return frozenset(patterns.fold(u) for u in _spec()["unknown"])


def is_unknown(value) -> bool:
    """None, NaN, blank, or a placeholder such as thuvienphapluat's "Đã biết"."""
    if value is None or value != value:
        return True
    text = str(value)
    return len(text) < 20 and patterns.fold(text) in _unknown()  # placeholders are short; titles need no folding


def clean_value(value) -> str | None:
    return None if is_unknown(value) else " ".join(str(value).split())


def parse_date(value) -> str | None:
    """An ISO date from "20/07/2022", "2026-05-19" (a time after the day is dropped); None for no value.
    Raises ValueError for anything else."""
    text = clean_value(value)
    if text is None:
        return None
    day = text.split(" ")[0].split("T")[0]
    for fmt in _spec()["date_formats"]:
        try:
            return datetime.strptime(day, fmt).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def normalize_status(value) -> str | None:
    """The registry's status from a portal's wording ("Văn bản đang có hiệu lực" → "còn hiệu lực")."""
    text = clean_value(value)
    if text is None:
        return None
    folded = patterns.fold(text).removeprefix("van ban ").strip(" .")
    for prefix, status in _spec()["status"].items():  # longest first in the file where prefixes overlap
        if folded.startswith(prefix):
            return status
    return text


@functools.cache
def _type_words() -> tuple[tuple[str, str], ...]:
    """(folded type word, type), Vietnamese and English, longest first."""
    words = {**patterns.type_by_word(), **{patterns.fold(k): v for k, v in _spec()["english_types"].items()}}
    return tuple(sorted(words.items(), key=lambda kv: -len(kv[0])))


def doc_type_of(value) -> str | None:
    """The full type name a registry prints, possibly with more words ("Quyết định của Chủ tịch UBND tỉnh")."""
    text = clean_value(value)
    if text is None:
        return None
    folded = patterns.fold(text)
    for word, name in _type_words():
        if folded == word or folded.startswith(word + " "):
            return name
    return text


def registry_id(number: str, jurisdiction: str | None) -> str:
    """The id a citation of ``number`` carries (a local number takes its jurisdiction)."""
    return local_id(canonical_id(number), number, jurisdiction)


def _has_year(number: str) -> bool:
    return number_year(number) is not None


# --- the registry ------------------------------------------------------------------------------------------
class Registry:
    """Known documents, looked up by canonical id or by a number in any spelling."""

    def __init__(self, entries: Iterable[RegistryEntry], path: str | None = None):
        self.entries = list(entries)
        self.path = path
        self._by_id: dict[str, list[RegistryEntry]] = {}
        self._by_number: dict[str, list[RegistryEntry]] = {}  # the bare canonical number, any jurisdiction
        for e in self.entries:
            self._by_id.setdefault(e.id, []).append(e)
            self._by_number.setdefault(e.id.split("@", 1)[0], []).append(e)

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"Registry({len(self)} documents from {self.path or 'memory'})"

    def __contains__(self, key: str) -> bool:
        return bool(self.candidates(key))

    def candidates(self, key: str, jurisdiction: str | None = None) -> list[RegistryEntry]:
        """Every entry ``key`` may name: an id ("1707/QĐ-UBND@tỉnh Bình Dương") or a number in any spelling
        ("1707/QÐ-UBND"; a local number without ``jurisdiction`` gives the entries of every jurisdiction)."""
        if not key:
            return []
        number, _, place = key.partition("@")
        bare = canonical_id(number)
        place = place or jurisdiction
        if place:
            hits = self._by_id.get(registry_id(bare, place), [])
            return hits or self._by_id.get(bare, [])
        return self._by_id.get(bare) or self._by_number.get(bare, [])

    def lookup(self, key: str, date: str | None = None, jurisdiction: str | None = None) -> RegistryEntry | None:
        """The one entry ``key`` names, or None when there is none or it is ambiguous. A number without a year
        ("1707/QĐ-UBND") is reused every year: its entry must be of ``date``'s year."""
        hits = self.candidates(key, jurisdiction)
        if hits and not _has_year(canonical_id(key.partition("@")[0])):
            year = (date or "")[:4]
            hits = [e for e in hits if year and (e.date or "")[:4] == year]
        return hits[0] if len(hits) == 1 else None

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([e.to_dict() for e in self.entries], columns=list(COLUMNS))


def _read_table(path: Path):
    """The file as a DataFrame of strings; CSV or TSV (gzip or not), the separator sniffed from the header."""
    import gzip

    import pandas as pd

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            text = fh.read()
    except FileNotFoundError as err:
        raise RegistryError(f"{path}: no such registry file") from err
    except IsADirectoryError as err:
        raise RegistryError(f"{path}: a folder, not a registry file (CSV or TSV)") from err
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, OSError) as err:
        raise RegistryError(f"{path}: not a UTF-8 CSV or TSV file ({err})") from err
    if "\x00" in text:
        raise RegistryError(f"{path}: a binary file, not a CSV or TSV registry")
    header = text.split("\n", 1)[0]
    if not header.strip():
        raise RegistryError(f"{path}: empty registry file (no header line)")
    sep = "\t" if "\t" in header else ";" if header.count(";") > header.count(",") else ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, ValueError) as err:
        raise RegistryError(f"{path}: not a valid {'TSV' if sep == chr(9) else 'CSV'} table ({err})") from err


def entries_from_frame(frame, where: str, source: str | None = None) -> list[RegistryEntry]:
    """Registry entries from a table whose headers name registry fields (any alias of ``patterns/registry.json``);
    the id is computed from the number and the jurisdiction (given, or the place the issuer names)."""
    from .resolve import jurisdiction_of

    mapping: dict[str, str] = {}
    for col in frame.columns:
        field = _header_map().get(_key(col))
        if field and field not in mapping.values():
            mapping[col] = field
    if "number" not in mapping.values():
        raise RegistryError(f"{where}: no column for the document number (số hiệu); columns found: "
                            f"{', '.join(map(str, frame.columns))}")
    frame = frame[list(mapping)].rename(columns=mapping)
    out = []
    for line, row in enumerate(frame.to_dict("records"), start=2):
        number = clean_value(row.get("number"))
        if number is None:
            continue
        number = normalize_number(number)
        try:
            date = parse_date(row.get("date"))
            effective = parse_date(row.get("effective_date"))
        except ValueError as err:
            raise RegistryError(f"{where}, line {line}: {err}") from err
        issuer = clean_value(row.get("issuer"))
        place = clean_value(row.get("jurisdiction")) or jurisdiction_of(issuer)
        out.append(RegistryEntry(
            id=registry_id(number, place), number=number, doc_type=doc_type_of(row.get("doc_type")), issuer=issuer,
            jurisdiction=place, date=date, effective_date=effective, title=clean_value(row.get("title")),
            status=normalize_status(row.get("status")), signer=clean_value(row.get("signer")),
            source=clean_value(row.get("source")) or source, url=clean_value(row.get("url")),
        ))
    if not out:
        raise RegistryError(f"{where}: no documents (no row has a number)")
    return out


def load_registry(path: str | Path | None = None) -> Registry:
    """The shipped registry (``path`` None) or a CSV/TSV of known documents (headers in Vietnamese or English,
    ``patterns/registry.json``). Raises ``RegistryError`` for a missing, unreadable or number-less file."""
    path = Path(path) if path is not None else DEFAULT_PATH
    frame = _read_table(path)
    return Registry(entries_from_frame(frame, str(path), source=path.name), str(path))


@functools.cache
def default_registry() -> Registry:
    """The shipped registry, loaded once per process."""
    return load_registry(None)


def registry_option(value) -> Registry | None:
    """What ``registry=`` accepts: "default" (the shipped registry), None or "none" (no registry), a path, or a
    ``Registry``."""
    if isinstance(value, Registry):
        return value
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return None
    if isinstance(value, str) and value.lower() == "default":
        return default_registry()
    return load_registry(value)


FIELDS = tuple(f.name for f in fields(RegistryEntry))
