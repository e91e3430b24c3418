"""Every command, run as a user runs it."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
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
    result = runner.invoke(app, ["mine", str(archive), "-o", str(out), "--workers", "1"])
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
    assert runner.invoke(app, ["mine", str(archive), "--output", str(out), "--workers", "1"]).exit_code == 0
    r = runner.invoke(app, ["query", "cited-by", "20-CT/TW", "--dataset", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all("001_1d392ddcd08d93c9" in row["document"] for row in rows)
    assert any("Chỉ thị số 20-CT/TW" in row["sentence"] for row in rows)
    r = runner.invoke(app, ["query", "citations", "--number", "126/2007/ND-CP", "--dataset", str(out), "--format", "csv"])
    assert r.exit_code == 0 and "126/2007/NĐ-CP" in r.stdout
    r = runner.invoke(app, ["query", "top", "--by", "type", "--dataset", str(out)])
    assert r.exit_code == 0 and "Chỉ thị" in r.stdout
    xlsx = tmp_path / "t.xlsx"
    r = runner.invoke(app, ["query", "sql", "SELECT doc_type, count(*) AS n FROM citations GROUP BY 1", "--dataset", str(out), "--format", "xlsx", "-o", str(xlsx)])
    assert r.exit_code == 0 and pd.read_excel(xlsx)["n"].sum() > 20
    r = runner.invoke(app, ["query", "sql", "DROP VIEW citations", "--dataset", str(out)])
    assert r.exit_code == 1 and "read-only" in r.stderr
    r = runner.invoke(app, ["query", "top", "--dataset", str(tmp_path / "nothing")])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1


# --- issue 18: one convention for every command -----------------------------------------------------------------
def _leaves(command=None, path=()):
    """Every command of the CLI as (its words, the click command), from typer's click tree."""
    import typer

    command = command or typer.main.get_command(app)
    if hasattr(command, "commands"):  # a group (typer's own copy of click: no click.Group to test against)
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path, command


def _options(command) -> list:
    return [p for p in command.params if p.param_type_name == "option"]


def _opts(command) -> set[str]:
    return {o for p in _options(command) for o in (*p.opts, *p.secondary_opts)}


READS_DATASET = {("check",), *(("graph", c) for c in ("export", "chain", "implementers", "top", "degree", "absent",
                                                      "communities")),
                 *(("query", c) for c in ("citations", "cited-by", "top", "targets", "sql"))}
WRITES_FILE = READS_DATASET | {("show",), ("mine",)}


def test_every_command_follows_the_convention():
    leaves = dict(_leaves())
    assert READS_DATASET <= set(leaves) and ("mine",) in leaves
    for words, command in leaves.items():
        result = runner.invoke(app, [*words, "--help"], terminal_width=200)
        assert result.exit_code == 0, (words, result.output)
        assert "<bool>" not in result.stdout, words  # a flag takes no value, and its help says none
        for param in _options(command):
            if param.type_descriptor.annotation is bool:
                assert param.is_flag, (words, param.name)
        opts = _opts(command)
        if words in READS_DATASET:
            assert {"--dataset", "-d"} <= opts, words
            dataset = next(p for p in command.params if "--dataset" in p.opts)
            assert dataset.default == "out", words
        if words in WRITES_FILE:
            assert {"--output", "-o"} <= opts, words
        if "--format" in opts and words != ("graph", "export"):  # (export's --format is the graph file's)
            fmt = next(p for p in command.params if "--format" in p.opts)
            assert "table, csv, json or xlsx" in fmt.help, words
        for param in _options(command):
            if param.name in ("csv", "json_out", "xlsx"):
                assert param.hidden, (words, param.name)  # deprecated spellings of --format
    max_mb = {words for words, command in leaves.items() if "--max-mb" in _opts(command)}
    assert max_mb == {("text",), ("extract",), ("show",), ("mine",)}
    for words in max_mb:
        assert next(p for p in leaves[words].params if p.name == "max_mb").default is None


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    """Two mined documents that bear their own numbers (37689/TB-CHQ, 3799/CHQ-GSQL)."""
    archive = tmp_path_factory.mktemp("numbered") / "archive"
    archive.mkdir()
    for prefix in ("93cafb7b", "9a53c71e"):
        src = corpus_file(prefix, ".md")
        (archive / src.name).write_bytes(src.read_bytes())
    out = archive.parent / "ds"
    r = runner.invoke(app, ["mine", str(archive), "-o", str(out), "--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    return out


def _one_line_error(result, *words):
    assert result.exit_code == 1, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("minerals: error: "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_mine_errors_are_one_line(tmp_path):
    seed = corpus_file("001_")
    _one_line_error(runner.invoke(app, ["mine", str(seed.parent), "-o", str(tmp_path / "ds"), "--workers", "-1"]),
                    "--workers -1")
    _one_line_error(runner.invoke(app, ["mine", str(seed.parent), "-o", str(tmp_path / "ds"), "--batch-size", "0"]),
                    "--batch-size")
    _one_line_error(runner.invoke(app, ["mine", str(seed), "-o", str(tmp_path / "ds")]),
                    "a file, not a folder", "minerals extract")
    _one_line_error(runner.invoke(app, ["mine", str(seed.parent), "-o", "/proc/minerals-ds"]), "/proc/minerals-ds")
    _one_line_error(runner.invoke(app, ["extract", str(seed), "--max-mb", "0"]), "--max-mb")
    assert not (tmp_path / "ds").exists()


def test_unwritable_output_is_one_line(mined_seeds):
    seed = str(corpus_file("004_5"))
    d = ["-d", str(mined_seeds)]
    for args in (["show", seed, "-o", "/proc/x.html"],
                 ["query", "top", *d, "-o", "/proc/x.xlsx"],
                 ["query", "sql", "SELECT 1 AS one", *d, "--format", "csv", "-o", "/proc/x.csv"],
                 ["graph", "top", *d, "-o", "/proc/x.json"],
                 ["graph", "export", *d, "-o", "/proc/x.graphml"],
                 ["check", *d, "-o", "/proc/x.csv"]):
        _one_line_error(runner.invoke(app, args), "/proc/x.")


def test_format_and_output(mined_seeds, tmp_path):
    d = ["-d", str(mined_seeds)]
    r = runner.invoke(app, ["query", "top", *d, "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["number"] == "20-CT/TW"
    for suffix in ("csv", "json", "xlsx"):  # the format from -o's suffix
        path = tmp_path / f"top.{suffix}"
        r = runner.invoke(app, ["query", "top", *d, "-o", str(path)])
        assert r.exit_code == 0 and r.stdout.startswith(f"{path} (") and path.stat().st_size, r.output
    assert "20-CT/TW" in pd.read_excel(tmp_path / "top.xlsx")["number"].tolist()
    _one_line_error(runner.invoke(app, ["query", "top", *d, "--format", "xlsx"]), "-o")
    _one_line_error(runner.invoke(app, ["query", "top", *d, "--format", "yaml"]), "table, csv, json, xlsx")
    _one_line_error(runner.invoke(app, ["query", "top", *d, "-o", str(tmp_path / "top.txt")]), "--format")
    _one_line_error(runner.invoke(app, ["graph", "absent", *d, "--csv", "--json"]), "more than one format")
    r = runner.invoke(app, ["graph", "chain", SEED_001, *d, "-f", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)
    r = runner.invoke(app, ["check", *d, "-f", "csv", "-o", str(tmp_path / "w.csv")])
    assert r.exit_code == 0 and (tmp_path / "w.csv").read_text(encoding="utf-8").startswith("kind,")


SEED_001 = "corpus/seeds/001_1d392ddcd08d93c9.txt"


def test_old_spellings_still_work(mined_seeds, tmp_path):
    """--csv, --json, --xlsx, --out, --html and the positional dataset of check and graph: hidden, not gone."""
    d = str(mined_seeds)
    r = runner.invoke(app, ["query", "top", "-d", d, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)
    r = runner.invoke(app, ["graph", "top", "-d", d, "--csv"])
    assert r.exit_code == 0 and pd.read_csv(io.StringIO(r.stdout))["number"][0] == "20-CT/TW"
    r = runner.invoke(app, ["query", "top", "-d", d, "--xlsx", str(tmp_path / "t.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "t.xlsx").exists()
    r = runner.invoke(app, ["show", str(corpus_file("004_5")), "--html", str(tmp_path / "s.html")])
    assert r.exit_code == 0 and (tmp_path / "s.html").exists()
    r = runner.invoke(app, ["graph", d, "--out", str(tmp_path / "g.json")])
    assert r.exit_code == 0 and json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    r = runner.invoke(app, ["check", d, "--json"])
    assert r.exit_code == 0 and isinstance(json.loads(r.stdout), list)
    assert runner.invoke(app, ["check", d, "-d", d, "--json"]).exit_code == 0
    _one_line_error(runner.invoke(app, ["check", d, "-d", str(tmp_path / "other")]), "two datasets")


def test_by_names_are_shared_and_checked(mined_seeds):
    d = ["-d", str(mined_seeds)]
    for words in (["query", "top"], ["graph", "top"], ["graph", "degree"]):
        as_type = runner.invoke(app, [*words, *d, "--by", "type", "-f", "json"])
        as_doc_type = runner.invoke(app, [*words, *d, "--by", "doc_type", "-f", "json"])
        assert as_type.exit_code == 0, (words, as_type.output)
        assert as_type.stdout == as_doc_type.stdout and json.loads(as_type.stdout), words
        _one_line_error(runner.invoke(app, [*words, *d, "--by", "colour"]), "--by 'colour'", "type", "year")
    r = runner.invoke(app, ["graph", "degree", *d, "--by", "relation", "-f", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)


def test_limit_is_honoured(mined_seeds):
    d = ["-d", str(mined_seeds)]
    for args, n in ((["query", "top", *d, "--limit", "2"], 2), (["graph", "top", *d, "--limit", "2"], 2),
                    (["query", "citations", *d, "--limit", "3"], 3),
                    (["query", "cited-by", "20-CT/TW", *d, "--limit", "1"], 1),
                    (["query", "targets", *d, "--limit", "2"], 2), (["graph", "absent", *d, "--limit", "1"], 1)):
        r = runner.invoke(app, [*args, "-f", "json"])
        assert r.exit_code == 0, (args, r.output)
        assert len(json.loads(r.stdout)) == n, args
    for words in (["query", "top"], ["graph", "top"]):  # per group with --by
        rows = json.loads(runner.invoke(app, [*words, *d, "--by", "type", "--limit", "1", "-f", "json"]).stdout)
        groups = [r.get("type", r.get("doc_type")) for r in rows]
        assert len(groups) > 1 and len(groups) == len(set(groups)), words
    _one_line_error(runner.invoke(app, ["query", "citations", *d, "--limit", "0"]), "--limit 0")


def test_cited_by_takes_a_path_or_the_document_number(numbered):
    d = ["-d", str(numbered)]
    by_number = runner.invoke(app, ["query", "citations", *d, "--cited-by", "37689/TB-CHQ", "-f", "json"])
    assert by_number.exit_code == 0, by_number.output
    rows = json.loads(by_number.stdout)
    assert rows and {r["cited_by"].rsplit("/", 1)[-1] for r in rows} == {"93cafb7b0f4df375.md"}
    by_path = runner.invoke(app, ["query", "citations", *d, "--cited-by", str(corpus_file("93cafb7b", ".md")),
                                  "-f", "json"])
    assert json.loads(by_path.stdout) == rows
    _one_line_error(runner.invoke(app, ["query", "citations", *d, "--cited-by", "2820/QĐ-UBND"]),
                    "2820/QĐ-UBND", "path")


def test_mine_max_mb_and_progress_per_document(tmp_path):
    from minerals.dataset import mine
    from minerals.limits import DEFAULT

    archive = tmp_path / "a"
    archive.mkdir()
    for prefix in ("000_", "001_", "003_"):
        src = corpus_file(prefix)
        (archive / src.name).write_bytes(src.read_bytes())
    r = runner.invoke(app, ["mine", str(archive), "-o", str(tmp_path / "small"), "--workers", "1", "--max-mb", "0.005"])
    assert r.exit_code == 0, r.output
    errors = pd.read_parquet(tmp_path / "small" / "errors")
    assert set(errors["error_type"]) == {"FileTooLargeError"} and len(errors) == 3
    calls = []
    summary = mine(archive, tmp_path / "ds", workers=1, batch_size=256, limits=DEFAULT,
                   progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert summary.documents == 3
    mined = [(done, total) for stage, done, total in calls if stage == "mine"]
    assert mined == [(0, 3), (1, 3), (2, 3), (3, 3)]  # each document as it comes back, not per batch of 256


def test_every_command_is_run_by_a_test():
    """A new command needs a line here: the tests above (or the file named) run it."""
    run_elsewhere = {("eval",): "test_eval_prints_scores", ("text",): "test_text_and_extract_offsets_agree",
                     ("extract",): "test_text_and_extract_offsets_agree", ("show",): "test_old_spellings_still_work",
                     ("mine",): "test_mine_writes_tables_and_error_rows", ("check",): "test_format_and_output",
                     ("graph", "export"): "test_old_spellings_still_work", ("graph", "chain"): "test_format_and_output",
                     ("graph", "implementers"): "tests/test_analyses.py", ("graph", "top"): "test_limit_is_honoured",
                     ("graph", "degree"): "test_by_names_are_shared_and_checked",
                     ("graph", "absent"): "test_limit_is_honoured", ("graph", "communities"): "test_communities_runs",
                     ("query", "citations"): "test_query_commands", ("query", "cited-by"): "test_query_commands",
                     ("query", "top"): "test_query_commands", ("query", "targets"): "test_limit_is_honoured",
                     ("query", "sql"): "test_query_commands"}
    assert set(dict(_leaves())) == set(run_elsewhere)


def test_communities_runs(mined_seeds):
    r = runner.invoke(app, ["graph", "communities", "-d", str(mined_seeds), "-f", "json"])
    assert r.exit_code == 0 and isinstance(json.loads(r.stdout), list)
