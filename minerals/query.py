"""Queries over a mined dataset with DuckDB, in process, on the Parquet parts as they lie (no server, no load)."""

from __future__ import annotations

from pathlib import Path

from . import patterns
from .dataset import TABLES, stored_schemas
from .dataset.store import Store, first_line, is_url
from .docnumber import canonical_id
from .errors import DatasetError, InvalidChoice, NoDatasetError


# what each kind of item gives the ``mentions`` view as its ``value``: its normalized value, as text
_MENTION_VALUE = {"citations": "i.id", "named_laws": "i.name", "dates": "i.value",
                  "quantities": "CAST(i.value AS VARCHAR)", "targets": "i.indicator", "entities": "i.normalized"}

# the views ``connect`` adds over the stored tables (docs/dataset.md): ``documents`` one row per content hash
# (a file under two paths is one document, so a join on doc_id gives each item once; ``paths`` has them all),
# ``files`` one row per path, ``mentions`` every item with the path, number, type, issuer and date of its
# document
VIEWS = {
    "documents": """
        SELECT d.*, p.paths
        FROM (SELECT * FROM _documents QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY path) = 1) AS d
        JOIN (SELECT doc_id, list(path ORDER BY path) AS paths FROM _documents GROUP BY doc_id) AS p
          ON d.doc_id = p.doc_id""",
    "files": "SELECT path, doc_id, size, mtime FROM _documents",
    "mentions": "\n        UNION ALL\n".join(f"""
        SELECT '{kind}' AS kind, i.doc_id, d.path, d.number AS doc_number, d.doc_type, d.issuer,
               d.issue_date AS doc_date, i.text, {value} AS value, i.start_offset, i.end_offset, i.page, i.section
        FROM "_{kind}" AS i LEFT JOIN documents AS d ON d.doc_id = i.doc_id"""
        for kind, value in _MENTION_VALUE.items()),
}


def connect(dataset: str | Path):
    """A DuckDB connection with one view per table (an empty table where nothing was mined) and the views
    ``VIEWS`` (``documents`` one row per document, ``files``, ``mentions``), that can read nothing else: the
    tables are Arrow datasets handed to DuckDB, then file access and settings are locked."""
    import duckdb
    import pyarrow.dataset as pds

    ds = Store(dataset)
    if not ds.exists():
        raise NoDatasetError(dataset)
    con = duckdb.connect(":memory:")
    schemas = stored_schemas()
    for table in TABLES:
        parts = ds.parts(table)
        for part in parts:
            ds.check_part(part)  # a damaged part is named here, not deep inside a query
        if parts and is_url(dataset):  # parts on a store: read through fsspec, then queried in memory
            import pyarrow as pa

            data = pa.concat_tables(ds.part_tables(table), promote_options="default")
        elif parts:
            data = pds.dataset(parts, schema=schemas[table], format="parquet")
        else:
            data = schemas[table].empty_table()
        con.register(f"_{table}", data)
        if table != "documents":
            con.execute(f'CREATE VIEW "{table}" AS SELECT * FROM "_{table}"')
    for name, sql in VIEWS.items():
        con.execute(f'CREATE VIEW "{name}" AS {sql}')
    con.execute("SET enable_external_access = false")  # no file, URL or extension from here on
    con.execute("SET lock_configuration = true")  # and no SET can turn it back on
    return con


def _df(con, sql: str, params: list | None = None, dataset=None):
    try:
        return con.execute(sql, params or []).fetchdf()
    except Exception as err:  # noqa: BLE001 - duckdb's own error types: a damaged part, named if it is one
        if dataset is not None and _may_be_damage(err):
            _named_damage(dataset)
        raise DatasetError(f"query failed: {first_line(err)}") from err


def _may_be_damage(err: Exception) -> bool:
    """A scan that failed reading a part (DuckDB reports Arrow's read error as invalid input), not a typo."""
    import duckdb

    return isinstance(err, (duckdb.IOException, duckdb.InvalidInputException))


def _named_damage(dataset) -> None:
    """After a query failed: raise the error naming a damaged part, if one is (a footer can be intact while
    the pages before it are not, so ``connect`` cannot see it)."""
    ds = Store(dataset)
    for table in TABLES:
        for part in ds.parts(table):
            ds.read_part(part)


def _section(section: str | None, where: list, params: list, alias: str = "c") -> None:
    """Keep the rows of one part of the document (``layout.SECTIONS``: basis = the căn cứ preamble)."""
    if section is None:
        return
    from .layout import SECTIONS

    if section not in SECTIONS:
        raise InvalidChoice("section", section, SECTIONS)
    where.append(f"{alias}.section = ?")
    params.append(section)


def citations(dataset, *, number=None, doc_type=None, issuer=None, year=None, relation=None, cited_by=None,
              section=None, limit=None):
    """Citation rows; ``number`` in any spelling ("20/CT-TW", "20 - CT/TW", "ND-CP") finds the document;
    ``section``: only those in that part of the citing document ("basis": its căn cứ)."""
    con = connect(dataset)
    where, params = [], []
    _section(section, where, params)
    if number:
        where.append("split_part(c.id, '@', 1) = ?")
        params.append(canonical_id(number))
    if doc_type:
        where.append("lower(c.doc_type) = lower(?)")
        params.append(patterns.type_named(doc_type))
    if issuer:
        where.append("(c.issuer ILIKE ? OR c.issuer_normalized ILIKE ?)")
        params += [f"%{issuer}%", f"%{issuer}%"]
    if year:
        where.append("c.year = ?")
        params.append(int(year))
    _relation(relation, where, params)
    if cited_by:
        ids = _documents_named(con, cited_by, dataset)
        where.append(f"c.doc_id IN ({', '.join('?' * len(ids))})")
        params += ids
    return _select(con, "SELECT d.path AS cited_by, c.doc_type, c.number, c.date, c.issuer, c.relation, c.id, c.page, "
                   "c.section, c.context FROM citations c JOIN documents d USING (doc_id)",
                   where, params, "d.path, c.start_offset", limit, dataset)


def _documents_named(con, ref, dataset) -> list[str]:
    """The doc_ids of the mined documents ``ref`` names: its path, or its file name, else its own number in
    any spelling ("2820/QĐ-UBND"). None named is a ``DatasetError``: an empty answer would look like "cites
    nothing"."""
    ref = str(ref)
    # every path of a document (a copy of it lies under another): the files view has them all
    docs = _df(con, "SELECT f.doc_id, f.path, d.number FROM files f JOIN documents d USING (doc_id)", None, dataset)
    name = Path(ref).name
    hits = [r.doc_id for r in docs.itertuples()
            if isinstance(r.path, str) and (r.path == ref or (name and r.path.endswith(name)))]
    if not hits:
        cid = canonical_id(ref)
        hits = [r.doc_id for r in docs.itertuples()
                if cid and isinstance(r.number, str) and canonical_id(r.number) == cid]
    if not hits:
        raise InvalidChoice("cited_by", ref, reason="no mined document has this path, file name or number (give a mined "
                                                    "file's path, or the number the document itself bears)")
    return sorted(set(hits))


def _select(con, select: str, where: list, params: list, order: str, limit, dataset):
    """``select`` with the filters ``where`` (their ``params``), in ``order``, at most ``limit`` rows."""
    sql = select + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return _df(con, sql, params, dataset)


def _relation(relation: str | None, where: list, params: list, alias: str = "c") -> None:
    """Keep the rows of one relation, named with or without diacritics ("can cu" is căn cứ)."""
    if relation is None:
        return
    try:
        name = patterns.relation_named(relation)
    except ValueError as err:
        raise InvalidChoice("relation", relation, reason=str(err).split("; ", 1)[-1]) from None
    where.append(f"{alias}.relation = ?")
    params.append(name)


def cited_by(dataset, number: str, section: str | None = None, relation: str | None = None):
    """The documents that cite ``number``, with the sentence around each citation (``section``: only
    citations in that part of the citing document; ``relation``: only those that name this relation)."""
    con = connect(dataset)
    where, params = ["split_part(c.id, '@', 1) = ?", "NOT c.short_form"], [canonical_id(number)]
    _section(section, where, params)
    _relation(relation, where, params)
    return _df(con, f"""
        SELECT d.path AS document, d.doc_type AS its_type, d.number AS its_number, c.relation, c.page, c.section,
               c.context AS sentence
        FROM citations c JOIN documents d USING (doc_id)
        WHERE {" AND ".join(where)}
        ORDER BY d.path, c.start_offset""", params, dataset)


def top(dataset, by: str | None = None, limit: int = 20, section: str | None = None):
    """The most cited documents (by the number of documents citing them), overall or per type or year;
    ``section``: counting only citations in that part of the citing documents."""
    con = connect(dataset)
    where, params = [], []
    _section(section, where, params)
    by = "type" if by == "doc_type" else by  # the graph's name for it (minerals graph top --by doc_type)
    group = {"type": "c.doc_type", "year": "c.year", None: None}.get(by, "invalid")
    if group == "invalid":
        raise InvalidChoice("by", by, ("type", "year"))
    key = f"{group} AS {by}, " if group else ""
    inner = f"""
        SELECT {key}split_part(c.id, '@', 1) AS number, any_value(c.doc_type) AS doc_type,
               count(DISTINCT c.doc_id) AS documents, count(*) AS mentions
        FROM citations c {"WHERE " + " AND ".join(where) if where else ""}
        GROUP BY {group + ", " if group else ""}split_part(c.id, '@', 1)"""
    if not group:
        return _df(con, inner + f" ORDER BY documents DESC, mentions DESC, number LIMIT {int(limit)}", params or None,
                   dataset)
    # --limit is per group with --by (issue 18: it was ignored, 1,732 rows for --limit 1)
    return _df(con, f"""SELECT * FROM ({inner}) AS t
        QUALIFY row_number() OVER (PARTITION BY {by} ORDER BY documents DESC, mentions DESC, number) <= {int(limit)}
        ORDER BY {by}, documents DESC, mentions DESC, number""", params or None, dataset)


def targets(dataset, *, indicator=None, deadline=None, kind=None, issuer=None, section=None, limit=None):
    """Target, achievement and change rows with their document; ``indicator``: part of the indicator's words
    (case-insensitive), ``issuer``: part of the issuing body's name of the document that sets them."""
    con = connect(dataset)
    where, params = [], []
    if indicator:
        where.append("t.indicator ILIKE ?")
        params.append(f"%{indicator}%")
    if deadline:
        where.append("t.deadline = ?")
        params.append(int(deadline))
    if kind:
        if kind not in ("target", "achievement", "change"):
            raise InvalidChoice("kind", kind, ("target", "achievement", "change"))
        where.append("t.kind = ?")
        params.append(kind)
    if issuer:
        where.append("d.issuer ILIKE ?")
        params.append(f"%{issuer}%")
    _section(section, where, params, "t")
    return _select(con, "SELECT d.path AS document, d.issuer AS its_issuer, t.kind, t.indicator, t.value, t.value_max, "
                   "t.unit, t.comparator, t.direction, t.deadline, t.actual, t.planned, t.percent, t.value_from, t.value_to, "
                   "t.page, t.section, t.text FROM targets t JOIN documents d USING (doc_id)",
                   where, params, "d.path, t.start_offset", limit, dataset)


def sql(dataset, query: str, *, timeout: float = 300.0, max_rows: int | None = None):
    """One read-only SQL statement over the tables (documents, files, citations, named_laws, dates, quantities,
    targets, entities, errors, mentions). It cannot write, read files or change settings (see ``connect``); it stops
    after ``timeout`` seconds; at most ``max_rows`` rows are returned (``.attrs["truncated"]`` says so)."""
    import threading

    import pyarrow as pa

    con = connect(dataset)
    try:
        statements = con.extract_statements(query)
    except Exception as err:  # noqa: BLE001 - duckdb's parser error: its first line is what the user needs
        raise DatasetError(f"query failed: {str(err).splitlines()[0]}") from err
    if len(statements) != 1:
        raise DatasetError(f"one statement at a time, not {len(statements)}")
    import duckdb

    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise DatasetError(f"only read-only queries (SELECT, WITH, FROM, DESCRIBE, SUMMARIZE…) are allowed, not "
                           f"{kind.name}")
    timer = threading.Timer(timeout, con.interrupt)
    timer.start()
    try:
        reader = con.sql(query).to_arrow_reader(10_000)
        batches, n = [], 0
        for batch in reader:
            batches.append(batch)
            n += batch.num_rows
            if max_rows is not None and n > max_rows:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except Exception as err:  # duckdb raises its own error types; the message is what the user needs
        if not timer.is_alive():
            raise DatasetError(f"query stopped after {timeout:g} s (the time limit)") from err
        if _may_be_damage(err):
            _named_damage(dataset)
        raise DatasetError(f"query failed: {str(err).splitlines()[0]}") from err
    finally:
        timer.cancel()
    truncated = max_rows is not None and table.num_rows > max_rows
    frame = (table.slice(0, max_rows) if truncated else table).to_pandas()
    frame.attrs["truncated"] = truncated
    return frame


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula


def spreadsheet_safe(frame):
    """A copy where a text cell a spreadsheet would run as a formula ("=HYPERLINK(…)") starts with an
    apostrophe, so it opens as the text it is (CSV has no cell types; --json gives the values unchanged)."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = [("'" + v) if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in out[col]]
    return out


def write_xlsx(frame, path) -> None:
    """An Excel file whose text cells are text: a value starting with "=" is stored as a string, not a formula."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
        for row in writer.sheets["Sheet1"].iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
