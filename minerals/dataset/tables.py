"""The dataset's tables: their Arrow schemas and the rows one document adds to them.

An item table's columns are its result class's fields (``minerals.models``, in field order, as
``Document.to_dict`` prints them) plus the dataset's own columns (``doc_id``, the date bounds, ``context``):
a field added to a result class becomes a column without a change here. docs/dataset.md describes every column.
"""

from __future__ import annotations

import functools
from dataclasses import fields
from operator import attrgetter

from ..models import ITEM_TABLES, _keys

TABLES = ("documents", *ITEM_TABLES, "errors")

# the dataset's names for the JSON keys of ``minerals extract`` that are SQL keywords (DuckDB reserves
# ``end``, ``from`` and ``to``: ``SELECT start, end FROM dates`` did not parse); the JSON keeps its names
COLUMN_OF_KEY = {"start": "start_offset", "end": "end_offset", "from": "value_from", "to": "value_to"}
# the printed date value of a table and the prefix of the two date columns beside it (its first, last day)
DATE_VALUES = {"citations": ("date", "date"), "dates": ("value", "date"), "targets": ("deadline", "deadline")}
# result-class fields that are no columns (``models._keys`` leaves them out of the JSON too): why
NOT_STORED = {
    "extractor": "the name of the table the item is in",
    "form": "which spelling of a date matched: internal to the date rules",
}
# the dataset's own columns of each item table besides doc_id, each group after the column it follows
_DERIVED = {
    "citations": {"date": (("date_start", "date"), ("date_end", "date")), "jurisdiction": (("context", "str"),)},
    "dates": {"precision": (("date_start", "date"), ("date_end", "date"))},
    "targets": {"deadline": (("deadline_start", "date"), ("deadline_end", "date"))},
}
# a result field's annotation (models.py, as written there) → its Arrow type's name in ``_arrow_types``
_TYPE_OF_ANNOTATION = {"str": "str", "int": "int", "bool": "bool", "int | float": "float"}


def _arrow_types() -> dict:
    import pyarrow as pa

    return {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32()}


@functools.cache
def item_classes() -> dict[str, type]:
    """The result class of each item table: the element type of the ``Document`` list of the same name."""
    import typing

    from ..models import Document

    hints = typing.get_type_hints(Document)
    return {table: typing.get_args(hints[table])[0] for table in ITEM_TABLES}


def _item_schema(table: str):
    """``doc_id``, the fields of the table's result class in order (``section`` kept with the span: after
    ``page``), and the dataset's own columns where ``_DERIVED`` puts them. An annotation this module does not
    know is a ``TypeError`` here, not a column silently dropped or mistyped."""
    import pyarrow as pa

    types = _arrow_types()
    derived = _DERIVED.get(table, {})
    cls = item_classes()[table]
    annotation = {f.name: f.type for f in fields(cls)}
    out = [("doc_id", types["str"])]
    for name, key in _keys(cls):
        if name == "section":
            continue
        kind = _TYPE_OF_ANNOTATION.get(str(annotation[name]).removesuffix(" | None"))
        if kind is None:
            raise TypeError(f"{cls.__name__}.{name}: {annotation[name]!r} has no column type; add it to "
                            "minerals/dataset/tables.py _TYPE_OF_ANNOTATION")
        out.append((COLUMN_OF_KEY.get(key, key), types[kind]))
        if name == "page" and "section" in annotation:
            out.append(("section", types["str"]))
        out.extend((column, types[t]) for column, t in derived.get(key, ()))
    return pa.schema(out)


@functools.cache
def _stored() -> dict:
    import pyarrow as pa

    s, i, f, d = pa.string(), pa.int64(), pa.float64(), pa.date32()
    ls = pa.list_(s)
    furniture = pa.list_(pa.struct([("start_offset", i), ("end_offset", i), ("kind", s)]))
    return {
        "documents": pa.schema([("doc_id", s), ("path", s), ("size", i), ("mtime", f), ("doc_type", s), ("number", s),
                                ("id", s), ("title", s), ("issuer", s), ("issuer_parent", s), ("jurisdiction", s),
                                ("place", s), ("issue_date", d), ("issue_date_end", d), ("issue_date_text", s),
                                ("signer", s), ("signer_title", s), ("recipients", ls), ("pages", i), ("ocr_pages", i),
                                ("method", s), ("warnings", ls), ("furniture", furniture)]),
        **{table: _item_schema(table) for table in ITEM_TABLES},
        "errors": pa.schema([("path", s), ("size", i), ("mtime", f), ("stage", s), ("error_type", s), ("message", s)]),
    }


def stored_schemas() -> dict:
    """The Arrow schema of each table as it is stored (``documents``: one row per path; ``schemas`` gives the
    tables as ``open_dataset`` and ``query`` present them)."""
    return dict(_stored())


def schemas():
    """The Arrow schema of each table as ``open_dataset`` and ``minerals query`` present it: ``documents`` has
    one row per document (per content hash, ``doc_id``) with every path it lies at in ``paths``; ``files`` one
    row per path. (``mentions``, a view of every item with its document, is ``query.connect``'s.)"""
    import pyarrow as pa

    out = stored_schemas()
    docs = out["documents"]
    out["documents"] = docs.append(pa.field("paths", pa.list_(pa.string())))
    out["files"] = pa.schema([docs.field(n) for n in ("path", "doc_id", "size", "mtime")])
    return out


def error_row(path: str, size: int, mtime: float, stage: str, kind: str, message: str) -> dict:
    return {"path": path, "size": size, "mtime": mtime, "stage": stage, "error_type": kind, "message": message}


# --- rows -------------------------------------------------------------------------------------------------
def _sentence(text: str, start: int, end: int, width: int = 300) -> str:
    """The sentence around a span (up to ``width`` characters each side), for 'cited-by' listings."""
    # only the last ``width`` characters before and the ``width`` after can hold the bounds: the searches
    # stop there instead of running to the ends of the text
    lo, hi = max(0, start - width), end + width + 2
    a = max(text.rfind("\n", lo, start), text.rfind(". ", lo, start), text.rfind("; ", lo, start), start - width)
    b_candidates = [i for i in (text.find("\n", end, hi), text.find(". ", end, hi), text.find("; ", end, hi)) if i >= 0]
    b = min(b_candidates + [end + width, len(text)])
    return " ".join(text[max(a, 0) : b + 1].split()).strip(" .;")


def document_rows(doc, src=None) -> dict[str, list[dict] | Columns]:
    """The rows one document adds to each table; every row carries ``doc_id`` (the file's sha256). The
    ``documents`` row is a dict; the item tables are ``Columns``, built from the items' fields as
    ``Document.to_dict`` prints them (a key that is an SQL keyword renamed, ``COLUMN_OF_KEY``), with the
    first and last day of each date value (``date_start``, ``date_end``: ``extract.dates.bounds``).
    ``src`` (a ``archive.Source``) gives the file's size and mtime."""
    from ..extract.dates import bounds
    from ..resolve import document_id, document_jurisdiction

    d = doc.to_dict(items=False)
    meta = dict(d["document"])
    meta["furniture"] = [{"start_offset": f["start"], "end_offset": f["end"], "kind": f["kind"]}
                         for f in meta["furniture"]] or None
    meta["issue_date_text"] = meta["issue_date"]
    meta["issue_date"], meta["issue_date_end"] = bounds(meta["issue_date_text"])
    meta["jurisdiction"] = document_jurisdiction(doc)
    meta["id"] = document_id(meta["number"], meta["jurisdiction"])
    meta["ocr_pages"] = sum(1 for p in doc.pages if p.method == "ocr")
    meta.pop("sha256", None)
    meta["size"] = src.size if src else None
    meta["mtime"] = src.mtime if src else None
    rows: dict[str, list[dict] | Columns] = {"documents": [{"doc_id": doc.sha256, **meta}]}
    for table in ITEM_TABLES:
        items = getattr(doc, table)
        data: dict[str, list] = {"doc_id": [doc.sha256] * len(items)}
        if items:
            for name, key in _keys(type(items[0])):
                data[COLUMN_OF_KEY.get(key, key)] = list(map(attrgetter(name), items))  # (a C loop: no bytecode per item)
        if table in DATE_VALUES:
            value, prefix = DATE_VALUES[table]
            pairs = [bounds(v) for v in data.get(value, ())]
            data[f"{prefix}_start"] = [p[0] for p in pairs]
            data[f"{prefix}_end"] = [p[1] for p in pairs]
        if table == "citations":
            text = doc.text or ""
            data["context"] = [_sentence(text, c.start, c.end) for c in items]
        rows[table] = Columns(data, len(items))
    return rows


class Columns:
    """One table's rows as a list per column. Workers send these instead of a dict per row: a document's
    70 entities, 30 dates and 20 citations as dicts cost more to build, pickle, unpickle and hand to Arrow
    than the mining of some stages (bench/bench_mine.py)."""

    __slots__ = ("data", "n")

    def __init__(self, data: dict[str, list] | None = None, n: int = 0):
        self.data = data if data is not None else {}
        self.n = n

    def __len__(self) -> int:
        return self.n

    def extend(self, other: Columns) -> None:
        if not other.n:
            return
        if not self.n:
            self.data = {k: list(v) for k, v in other.data.items()}
        else:
            for key, values in other.data.items():
                self.data[key].extend(values)
        self.n += other.n

    def to_arrow(self, schema):
        import pyarrow as pa

        return pa.Table.from_pydict({f.name: self.data.get(f.name) or [None] * self.n for f in schema}, schema=schema)


def empty_batch() -> dict[str, list[dict] | Columns]:
    return {t: Columns() if t in ITEM_TABLES else [] for t in TABLES}


def _arrow(rows: list[dict] | Columns, schema):
    import pyarrow as pa

    return rows.to_arrow(schema) if isinstance(rows, Columns) else pa.Table.from_pylist(rows, schema=schema)


INT64 = (-(2**63), 2**63 - 1)
EXACT_DOUBLE = 2**53  # Arrow refuses an integer past this in a float column: it would not be exact


def _fit(value, kind: str):
    """``value`` as the column can hold it: a large integer → a float (or None past a float's range) in a
    float column, None past int64 in an integer column."""
    if not isinstance(value, int) or isinstance(value, bool):
        return value
    if kind == "double":
        if -EXACT_DOUBLE <= value <= EXACT_DOUBLE:
            return value
        try:
            return float(value)
        except OverflowError:
            return None
    return value if INT64[0] <= value <= INT64[1] else None


def arrow_tables(rows: dict[str, list[dict] | Columns], summary=None) -> dict:
    """A batch's rows as pyarrow Tables. A value its column cannot hold ("Có 9999999999999999999 người") is
    stored as a float or null, with a warning on its document's row and in the summary, never a failed batch."""
    import pyarrow as pa

    schemas = stored_schemas()
    out = {}
    docs = {r["doc_id"]: r for r in rows.get("documents", []) if r.get("doc_id")}
    for table in TABLES:
        if not rows.get(table):
            continue
        try:
            out[table] = _arrow(rows[table], schemas[table])
            continue
        except (pa.ArrowInvalid, OverflowError):
            pass
        data = rows[table].data if isinstance(rows[table], Columns) else {
            f.name: [r.get(f.name) for r in rows[table]] for f in schemas[table]}
        n = len(rows[table])
        for f in schemas[table]:
            if not (pa.types.is_integer(f.type) or pa.types.is_floating(f.type)) or f.name not in data:
                continue
            values = data[f.name]
            for i, v in enumerate(values):
                fitted = _fit(v, "double" if pa.types.is_floating(f.type) else "int")
                if fitted is not v:
                    values[i] = fitted
                    note = f"{table}.{f.name}: {str(v)[:30]}… does not fit; stored as {fitted!r:.30}"
                    doc = docs.get((data.get("doc_id") or [None] * n)[i])
                    if doc is not None and note not in doc["warnings"]:
                        doc["warnings"] = [*doc["warnings"], note]
                    if summary is not None:
                        summary.warnings.append(note)
        out[table] = pa.Table.from_pydict({f.name: data.get(f.name) or [None] * n for f in schemas[table]},
                                          schema=schemas[table])
    if "documents" in out and any(d.get("warnings") for d in docs.values()):
        out["documents"] = _arrow(rows["documents"], schemas["documents"])  # with the warnings added
    return out
