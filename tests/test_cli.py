"""Every command, run as a user runs it."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from minerals.cli import app

from .conftest import corpus_file

runner = CliRunner()
CONTRACT = {
    "document": {"path", "sha256", "doc_type", "number", "title", "issuer", "place", "issue_date", "signer",
                 "signer_title", "recipients", "pages", "method", "warnings"},
    "citations": {"text", "doc_type", "number", "year", "date", "issuer", "relation", "id", "start", "end", "page"},
    "named_laws": {"text", "name", "year", "start", "end", "page"},
}


def test_text_and_extract_offsets_agree():
    path = str(corpus_file("003_"))
    text = runner.invoke(app, ["text", path])
    assert text.exit_code == 0
    out = runner.invoke(app, ["extract", path])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert set(data) >= {"document", "citations", "named_laws", "dates", "quantities", "targets", "entities"}
    for key, fields in CONTRACT.items():
        items = [data[key]] if key == "document" else data[key]
        assert items
        for item in items:
            assert fields <= set(item), (key, fields - set(item))
    printed = text.stdout
    for c in data["citations"] + data["named_laws"]:
        assert printed[c["start"] : c["end"]] == c["text"]
    assert "Quyết định" in {c["doc_type"] for c in data["citations"]}


def test_extract_bad_input_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02" * 1000)
    for args in (["extract", str(bad)], ["extract", str(tmp_path / "missing.txt")], ["text", str(bad)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("minerals: error: ")


def test_eval_prints_scores(corpus):
    result = runner.invoke(app, ["eval", str(corpus)])
    assert result.exit_code == 0
    assert "citation" in result.stdout and "F1" in result.stdout


def test_mine_writes_tables_and_error_rows(tmp_path, corpus):
    archive = tmp_path / "archive"
    archive.mkdir()
    for prefix in ("001_", "004_tt"):
        src = corpus_file(prefix)
        (archive / src.name).write_bytes(src.read_bytes())
    (archive / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    result = runner.invoke(app, ["mine", str(archive), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 documents mined" in result.stdout and "1 errors" in result.stdout
    docs = pd.read_parquet(out / "documents")
    cites = pd.read_parquet(out / "citations")
    errors = pd.read_parquet(out / "errors")
    assert len(docs) == 2 and set(cites["doc_id"]) == set(docs["doc_id"])
    assert list(errors["error_type"]) == ["EmptyFileError"] and errors["stage"][0] == "read"


def test_query_commands(tmp_path):
    archive = tmp_path / "a"
    archive.mkdir()
    for prefix in ("001_", "003_", "004_5"):
        src = corpus_file(prefix)
        (archive / src.name).write_bytes(src.read_bytes())
    out = tmp_path / "out"
    assert runner.invoke(app, ["mine", str(archive), "--out", str(out), "--workers", "1"]).exit_code == 0
    r = runner.invoke(app, ["query", "cited-by", "20-CT/TW", "--dataset", str(out), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all("001_1d392ddcd08d93c9" in row["document"] for row in rows)
    assert any("Chỉ thị số 20-CT/TW" in row["sentence"] for row in rows)
    r = runner.invoke(app, ["query", "citations", "--number", "126/2007/ND-CP", "--dataset", str(out), "--csv"])
    assert r.exit_code == 0 and "126/2007/NĐ-CP" in r.stdout
    r = runner.invoke(app, ["query", "top", "--by", "type", "--dataset", str(out)])
    assert r.exit_code == 0 and "Chỉ thị" in r.stdout
    xlsx = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["query", "sql", "SELECT doc_type, count(*) AS n FROM citations GROUP BY 1", "--dataset", str(out), "--xlsx", str(xlsx)])
    assert r.exit_code == 0 and pd.read_excel(xlsx)["n"].sum() > 20
    r = runner.invoke(app, ["query", "sql", "DROP VIEW citations", "--dataset", str(out)])
    assert r.exit_code == 1 and "read-only" in r.stderr
    r = runner.invoke(app, ["query", "top", "--dataset", str(tmp_path / "nothing")])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1
