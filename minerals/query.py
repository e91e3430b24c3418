"""Queries over a mined dataset with DuckDB, in process, on the Parquet parts as they lie (no server, no load)."""

from __future__ import annotations

from pathlib import Path

from .dataset import TABLES, Dataset, DatasetError, _schemas, is_url
from .extract.citations import canonical_id


def connect(dataset: str | Path):
    """A read-only DuckDB connection with one view per table (an empty table where nothing was mined)."""
    import duckdb

    ds = Dataset(dataset)
    if not ds.exists():
        raise DatasetError(f"{dataset}: no dataset here (run `minerals mine ARCHIVE --out {dataset}` first)")
    con = duckdb.connect(":memory:")
    for table in TABLES:
        parts = ds.parts(table)
        if parts and is_url(dataset):  # parts on a store: read through fsspec, then queried in memory
            import pyarrow as pa

            con.register(f"_{table}_parts", pa.concat_tables(ds.part_tables(table), promote_options="default"))
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM "_{table}_parts"')
        elif parts:
            files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM read_parquet([{files}], union_by_name = true)')
        else:
            con.register(f"_{table}_empty", _schemas()[table].empty_table())
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM "_{table}_empty"')
    return con


def _df(con, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchdf()


def citations(dataset, *, number=None, doc_type=None, issuer=None, year=None, relation=None, cited_by=None, limit=None):
    """Citation rows; ``number`` in any spelling ("20/CT-TW", "20 - CT/TW", "ND-CP") finds the document."""
    con = connect(dataset)
    where, params = [], []
    if number:
        where.append("split_part(c.id, '@', 1) = ?")
        params.append(canonical_id(number))
    if doc_type:
        where.append("lower(c.doc_type) = lower(?)")
        params.append(doc_type)
    if issuer:
        where.append("(c.issuer ILIKE ? OR c.issuer_normalized ILIKE ?)")
        params += [f"%{issuer}%", f"%{issuer}%"]
    if year:
        where.append("c.year = ?")
        params.append(int(year))
    if relation:
        where.append("c.relation = ?")
        params.append(relation)
    if cited_by:
        where.append("(d.path = ? OR d.path LIKE ?)")
        params += [str(cited_by), f"%{Path(str(cited_by)).name}"]
    sql = ("SELECT d.path AS cited_by, c.doc_type, c.number, c.date, c.issuer, c.relation, c.id, c.page, c.context "
           "FROM citations c JOIN documents d USING (doc_id)")
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY d.path, c.start"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _df(con, sql, params)


def cited_by(dataset, number: str):
    """The documents that cite ``number``, with the sentence around each citation."""
    con = connect(dataset)
    return _df(con, """
        SELECT d.path AS document, d.doc_type AS its_type, d.number AS its_number, c.relation, c.page, c.context AS sentence
        FROM citations c JOIN documents d USING (doc_id)
        WHERE split_part(c.id, '@', 1) = ? AND NOT c.short_form
        ORDER BY d.path, c.start""", [canonical_id(number)])


def top(dataset, by: str | None = None, limit: int = 20):
    """The most cited documents (by the number of documents citing them), overall or per type or year."""
    con = connect(dataset)
    group = {"type": "c.doc_type", "year": "c.year", None: None}.get(by, "invalid")
    if group == "invalid":
        raise DatasetError(f"top --by {by!r}: valid values are type, year")
    key = f"{group} AS {by}, " if group else ""
    return _df(con, f"""
        SELECT {key}split_part(c.id, '@', 1) AS number, any_value(c.doc_type) AS doc_type,
               count(DISTINCT c.doc_id) AS documents, count(*) AS mentions
        FROM citations c {"" if not group else ""}
        GROUP BY {group + ", " if group else ""}split_part(c.id, '@', 1)
        ORDER BY {(group + ", ") if group else ""}documents DESC, mentions DESC, number
        LIMIT {int(limit) if not group else 100000}""")


def sql(dataset, query: str):
    """Any read-only SQL over the tables (documents, citations, named_laws, dates, quantities, targets,
    entities, errors)."""
    con = connect(dataset)
    head = query.lstrip().split(None, 1)[0].upper() if query.strip() else ""
    if head not in ("SELECT", "WITH", "DESCRIBE", "SHOW", "EXPLAIN", "SUMMARIZE", "FROM"):
        raise DatasetError(f"only read-only queries (SELECT …) are allowed, not {head or 'an empty query'}")
    try:
        return _df(con, query)
    except Exception as err:  # duckdb raises its own error types; the message is what the user needs
        raise DatasetError(f"query failed: {str(err).splitlines()[0]}") from err
