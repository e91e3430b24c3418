"""The dataset's schema for SQL and pandas (issue 18.4): no reserved words, dates as dates, lists as lists, one
row per document, and docs/dataset.md describing exactly the columns the code writes."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

import pyarrow as pa
import pytest

import minerals
from minerals.dataset import ITEM_TABLES, MANIFEST, DatasetError, mine, schemas
from minerals.query import VIEWS, connect, sql

from .conftest import ROOT, corpus_file

D = dt.date


def _reserved() -> set[str]:
    import duckdb

    rows = duckdb.sql("SELECT keyword_name FROM duckdb_keywords() WHERE keyword_category = 'reserved'").fetchall()
    return {r[0].lower() for r in rows}


def _view_schemas(dataset) -> dict[str, pa.Schema]:
    con = connect(dataset)
    return {name: con.sql(f'SELECT * FROM "{name}" LIMIT 0').arrow().schema for name in VIEWS}


def test_no_column_is_a_reserved_word(mined_seeds):
    """`SELECT start, end FROM dates` was a DuckDB parser error: every column of every table and view is a
    name DuckDB does not reserve, and each table answers a SELECT of its columns unquoted."""
    reserved = _reserved()
    assert {"end", "from", "to"} <= reserved  # (the words the old columns used)
    tables = {**schemas(), **_view_schemas(mined_seeds)}
    for table, schema in tables.items():
        assert not {n.lower() for n in schema.names} & reserved, table
        sql(mined_seeds, f"SELECT {', '.join(schema.names)} FROM {table} LIMIT 1")


# real phrases (corpus/archive a69069ae524315d9, seeds 001 and 004, realdocs) → (value, first day, last day)
DATE_CASES = [
    ("tăng trưởng GDP Quý IV năm 2025, cả năm", "2025-10/2025-12", D(2025, 10, 1), D(2025, 12, 31)),
    ("trên địa bàn tỉnh Cao Bằng giai đoạn 2021-2025; Kế hoạch", "2021/2025", D(2021, 1, 1), D(2025, 12, 31)),
    ("Thông báo số 49/TB-VPCP ngày 07 tháng 02 năm 2024 của", "2024-02-07", D(2024, 2, 7), D(2024, 2, 7)),
    ("tư vấn trong năm 2024 đến các phòng", "2024", D(2024, 1, 1), D(2024, 12, 31)),
    ("Hà Nội, tháng 02 năm 2024", "2024-02", D(2024, 2, 1), D(2024, 2, 29)),
]


@pytest.mark.parametrize("text, value, first, last", DATE_CASES)
def test_date_bounds_of_real_dates(text, value, first, last):
    from minerals.extract.dates import bounds, get_dates
    from minerals.models import Document

    doc = minerals.clean(Document(path="<test>", sha256="", raw=text, pages=[]))
    values = [d.value for d in get_dates(doc)]
    assert value in values, values
    assert bounds(value) == (first, last)


@pytest.mark.parametrize("value, expected", [
    ("2025-11-20", (D(2025, 11, 20), D(2025, 11, 20))), ("2025-12", (D(2025, 12, 1), D(2025, 12, 31))),
    ("2026", (D(2026, 1, 1), D(2026, 12, 31))), (2030, (D(2030, 1, 1), D(2030, 12, 31))),
    ("2025-07/2025-12", (D(2025, 7, 1), D(2025, 12, 31))), (None, (None, None)), ("2021-02-31", (None, None)),
    ("2025/2021", (None, None)), ("05/8/2020", (None, None)),
])
def test_date_bounds(value, expected):
    from minerals.extract.dates import bounds

    assert bounds(value) == expected


def test_dates_lists_and_ids_in_the_tables(mined_seeds):
    tables = minerals.open_dataset(mined_seeds)
    dates = tables["dates"].dropna(subset=["value"])
    assert len(dates) and dates["date_start"].notna().all() and (dates["date_start"] <= dates["date_end"]).all()
    quarter = sql(mined_seeds, "SELECT date_start, date_end FROM dates WHERE precision = 'quarter' LIMIT 1")
    if len(quarter):
        assert (quarter["date_end"][0] - quarter["date_start"][0]).days in range(89, 92)
    docs = tables["documents"]
    assert all(isinstance(r, (list, type(None))) or hasattr(r, "tolist") for r in docs["recipients"])
    assert any(len(r) > 1 for r in docs["recipients"])  # a list, not one "; "-joined string
    got = sql(mined_seeds, "SELECT typeof(issue_date) AS t, typeof(recipients) AS r, typeof(warnings) AS w "
                           "FROM documents LIMIT 1")
    assert list(got.iloc[0]) == ["DATE", "VARCHAR[]", "VARCHAR[]"]
    assert set(docs["jurisdiction"].dropna()) >= {"tỉnh Cao Bằng"}


def test_documents_id_is_the_id_citations_give_it(tmp_path):
    """A mined document's `id` is the `id` another document's citation of it carries."""
    from minerals.dataset import document_rows

    doc = minerals.process(corpus_file("004_5"))
    row = document_rows(doc)["documents"][0]
    if row["number"] is None:  # (the seed has no number of its own: a number is given here)
        doc.info.number = "126/2007/ND-CP"
        row = document_rows(doc)["documents"][0]
    assert row["id"] == "126/2007/NĐ-CP"
    cited = minerals.process(corpus_file("001_"))
    own = document_rows(cited)["documents"][0]
    ids = {c.id for c in cited.citations}
    assert own["id"] is None or own["id"] not in ids  # the own number is never a citation


def test_mentions_carry_their_document(mined_seeds):
    con = connect(mined_seeds)
    n_items = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ITEM_TABLES)
    assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == n_items
    bad = con.execute("""SELECT count(*) FROM mentions m JOIN documents d USING (doc_id)
                         WHERE m.path IS DISTINCT FROM d.path OR m.doc_number IS DISTINCT FROM d.number
                            OR m.doc_date IS DISTINCT FROM d.issue_date""").fetchone()[0]
    assert bad == 0
    row = con.execute("SELECT kind, text, value FROM mentions WHERE kind = 'citations' AND text LIKE '%20-CT/TW%' "
                      "LIMIT 1").fetchone()
    assert row == ("citations", row[1], "20-CT/TW")


def test_a_file_under_two_paths_is_one_document_in_sql(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    src = corpus_file("001_")
    shutil.copy2(src, archive / src.name)
    shutil.copy2(src, archive / "copy.txt")
    out = tmp_path / "out"
    mine(archive, out, workers=1)
    got = sql(out, """SELECT (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM documents) AS docs,
                             (SELECT count(*) FROM citations) AS cites,
                             (SELECT count(*) FROM citations JOIN documents USING (doc_id)) AS joined,
                             (SELECT len(paths) FROM documents) AS paths""")
    assert got.iloc[0].to_dict() == {"files": 2, "docs": 1, "cites": got["cites"][0], "joined": got["cites"][0],
                                     "paths": 2}


def test_an_older_dataset_is_refused_in_one_line(tmp_path):
    out = tmp_path / "out"
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy2(corpus_file("000_"), archive)
    mine(archive, out, workers=1)
    m = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps({**m, "version": 2}))
    for run in (lambda: minerals.open_dataset(out), lambda: sql(out, "SELECT 1"), lambda: mine(archive, out)):
        with pytest.raises(DatasetError) as err:
            run()
        msg = str(err.value)
        assert "\n" not in msg and "older minerals" in msg and "new folder" in msg


# --- docs/dataset.md ---------------------------------------------------------------------------------------
def _spelling(t: pa.DataType) -> str:
    """An Arrow type as docs/dataset.md spells it."""
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_list(t):
        return f"list<{_spelling(t.value_type)}>"
    if pa.types.is_struct(t):
        return "struct<" + ", ".join(f"{f.name}: {_spelling(f.type)}" for f in t) + ">"
    return {"large_string": "string", "bool": "bool"}.get(str(t), str(t))


def _documented() -> dict[str, list[tuple[str, str]]]:
    text = (ROOT / "docs" / "dataset.md").read_text(encoding="utf-8")
    section = text.split("\n## Schema\n", 1)[1].split("\n## ", 1)[0]
    out: dict[str, list[tuple[str, str]]] = {}
    table = None
    for line in section.splitlines():
        if line.startswith("### "):
            table = line[4:].strip()
            out[table] = []
        m = re.match(r"^\| `([a-z_]+)` \| ([^|]+) \|", line)
        if m and table:
            out[table].append((m[1], m[2].strip()))
    return out


def test_docs_list_exactly_the_columns_with_their_types(mined_seeds):
    code = {**schemas(), **_view_schemas(mined_seeds)}
    documented = _documented()
    assert set(documented) == set(code)
    for table, schema in code.items():
        assert documented[table] == [(f.name, _spelling(f.type)) for f in schema], table
    views = _view_schemas(mined_seeds)
    for name in ("documents", "files"):  # what query shows is what open_dataset's schemas say
        assert [(f.name, _spelling(f.type)) for f in views[name]] == documented[name]


def test_every_field_of_a_result_class_is_a_column():
    """A field added to a result class (models.py) becomes a column of its table, under its JSON name
    (``COLUMN_OF_KEY`` for SQL keywords), unless ``NOT_STORED`` says why not: it is never dropped silently."""
    from dataclasses import fields

    from minerals.dataset.tables import COLUMN_OF_KEY, NOT_STORED, item_classes, stored_schemas

    stored = stored_schemas()
    assert set(item_classes()) == set(ITEM_TABLES)
    for table, cls in item_classes().items():
        columns = set(stored[table].names)
        for f in fields(cls):
            key = "from" if f.name == "from_" else f.name
            assert COLUMN_OF_KEY.get(key, key) in columns or f.name in NOT_STORED, (table, f.name)
    info = {f.name for f in fields(minerals.models.DocumentInfo)}
    assert info <= set(stored["documents"].names), info - set(stored["documents"].names)


def test_a_result_field_of_an_unknown_type_is_an_error_not_a_dropped_column(monkeypatch):
    from dataclasses import dataclass

    from minerals.dataset import tables

    @dataclass(frozen=True)
    class Odd:
        text: str
        shape: complex

    monkeypatch.setattr(tables, "item_classes", lambda: dict.fromkeys(ITEM_TABLES, Odd))
    with pytest.raises(TypeError, match="Odd.shape"):
        tables._item_schema("dates")
