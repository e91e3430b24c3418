"""`mine` and `query` safe by construction: each case of ../shared/FUZZ.md sections 2–4, reproduced."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import zipfile

import pandas as pd
import pytest

import minerals
from minerals import dataset as dataset_mod
from minerals.dataset import TABLES, DatasetError, mine
from minerals.dataset import document as document_mod
from minerals.dataset.store import LOCK, MANIFEST, Store
from minerals.errors import DamagedDatasetError
from minerals.query import spreadsheet_safe, sql, write_xlsx

from .conftest import CORPUS, corpus_file
from .test_dataset import _archive, _sortable

SEEDS = ("000_", "001_", "002_")


def _frames(out) -> dict[str, pd.DataFrame]:
    """The tables sorted, paths included (the runs compared read the same archive folder)."""
    result = {}
    for name, frame in minerals.open_dataset(out).items():
        result[name] = _sortable(frame).sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame
    return result


# --- own only what you made ----------------------------------------------------------------------------------
def test_an_archive_inside_a_table_named_folder_is_never_deleted(tmp_path):
    # FUZZ: `mkdir -p r/documents && cp seeds r/documents && mine r/documents --out r` deleted the seeds
    docs = tmp_path / "r" / "documents"
    docs.mkdir(parents=True)
    for p in SEEDS:
        shutil.copy2(corpus_file(p), docs)
    before = sorted(os.listdir(docs))
    with pytest.raises(DatasetError, match="not a minerals dataset and not empty"):
        mine(docs, tmp_path / "r", workers=1)
    assert sorted(os.listdir(docs)) == before


def test_a_home_folder_as_out_is_refused_and_untouched(tmp_path):
    home = tmp_path / "home"
    (home / "citations").mkdir(parents=True)
    (home / "thesis.docx").write_bytes(b"my thesis")
    (home / "citations" / "notes.txt").write_text("notes")
    with pytest.raises(DatasetError, match="not a minerals dataset"):
        mine(_archive(tmp_path, ("001_",)), home, workers=1)
    assert (home / "thesis.docx").read_bytes() == b"my thesis" and (home / "citations" / "notes.txt").exists()


def test_only_files_named_as_parts_are_ever_deleted(tmp_path):
    archive = _archive(tmp_path, ("001_",))
    out = tmp_path / "out"
    mine(archive, out, workers=1)
    # a user's file and a subfolder in a table folder (FUZZ: IsADirectoryError), a killed run's leftovers
    (out / "citations" / "my-notes.txt").write_text("keep me")
    (out / "citations" / "sub").mkdir()
    (out / "citations" / "part-0123abcd-000007.parquet").write_bytes(b"a killed run's part")
    (out / "citations" / ".part-x.parquet.tmp").write_bytes(b"half written")
    mine(archive, out, workers=1)
    names = set(os.listdir(out / "citations"))
    assert {"my-notes.txt", "sub"} <= names
    assert "part-0123abcd-000007.parquet" not in names and ".part-x.parquet.tmp" not in names


def test_out_inside_the_archive_is_not_mined(tmp_path):
    archive = _archive(tmp_path, SEEDS)
    out = archive / "out"
    first = mine(archive, out, workers=1)
    (out / "page.html").write_text("<p>Căn cứ Nghị định số 126/2007/NĐ-CP</p>", encoding="utf-8")  # as `show` writes
    again = mine(archive, out, workers=1)
    assert first.documents == 3 and again.documents == 0 and again.skipped == 3
    assert not any("/out/" in p for p in minerals.open_dataset(out)["documents"]["path"])


# --- crash-consistent by design ------------------------------------------------------------------------------
def _small_archive(tmp_path, n=7):
    """Short real documents: the heads of corpus texts."""
    archive = tmp_path / "archive"
    archive.mkdir()
    texts = sorted((CORPUS / "realdocs").glob("*.txt"))[:n]
    for i, src in enumerate(texts):
        (archive / f"doc{i}.txt").write_text(src.read_text(encoding="utf-8")[:2500], encoding="utf-8")
    return archive


def _change(archive):
    """A re-run's worth of changes: edited, moved, deleted, added and duplicated files."""
    for name in ("doc0.txt", "doc3.txt"):
        p = archive / name
        p.write_text(p.read_text(encoding="utf-8") + "\nCăn cứ Nghị định số 45/2026/NĐ-CP.\n", encoding="utf-8")
        os.utime(p, (1_900_000_000, 1_900_000_000))
    (archive / "sub").mkdir()
    shutil.move(archive / "doc1.txt", archive / "sub" / "doc1-moved.txt")
    (archive / "doc2.txt").unlink()
    shutil.copy2(archive / "doc4.txt", archive / "doc4-copy.txt")
    (archive / "new.txt").write_text(corpus_file("001_").read_text(encoding="utf-8")[:2500], encoding="utf-8")
    (archive / "empty.txt").write_bytes(b"")


def _killed_at(step: int, archive, out) -> int:
    """Run mine in a forked child that dies (as SIGKILL leaves it: no cleanup) after its ``step``-th change
    on disk; its exit code (137: killed there, 0: the run had fewer steps)."""

    def child():
        count = [0]

        def die_at_step(self):
            count[0] += 1
            if count[0] == step:
                os._exit(137)

        Store._step = die_at_step
        mine(archive, out, workers=1, batch_size=1)
        os._exit(0)

    proc = multiprocessing.get_context("fork").Process(target=child)
    proc.start()
    proc.join(120)
    return proc.exitcode


def test_a_rerun_killed_at_every_step_then_rerun_equals_an_uninterrupted_run(tmp_path):
    archive = _small_archive(tmp_path)
    base = tmp_path / "base"
    mine(archive, base, workers=1, batch_size=2)
    _change(archive)
    ref = tmp_path / "ref"
    shutil.copytree(base, ref)
    mine(archive, ref, workers=1, batch_size=1)
    expected = _frames(ref)
    assert len(expected["files"]) == 8 and len(expected["documents"]) == 7 and len(expected["errors"]) == 1
    step, killed_runs = 0, 0
    while True:
        step += 1
        out = tmp_path / f"k{step}"
        shutil.copytree(base, out)
        code = _killed_at(step, archive, out)
        assert code in (0, 137), code
        if code == 137:
            killed_runs += 1
            # what a kill leaves is a committed state: every file's old rows or its new ones, never both
            docs = minerals.open_dataset(out)["files"]
            assert not docs["path"].duplicated().any()
            ids = set(docs["doc_id"])
            for table in ("citations", "dates", "entities"):
                assert set(minerals.open_dataset(out)[table]["doc_id"]) <= ids
        mine(archive, out, workers=1, batch_size=1)  # the killed lock is stale: taken over
        got = _frames(out)
        for table in (*TABLES, "files"):
            pd.testing.assert_frame_equal(got[table], expected[table], check_dtype=False, obj=f"{table} @{step}")
        shutil.rmtree(out)
        if code == 0:
            break
    assert killed_runs >= 20  # every write, rename and delete of the run was a kill point (46 today)


# --- one writer at a time ------------------------------------------------------------------------------------
def test_a_second_writer_fails_with_one_line_and_a_stale_lock_is_taken_over(tmp_path):
    archive = _archive(tmp_path, ("001_",))
    out = tmp_path / "out"
    mine(archive, out, workers=1)
    holder = Store(out)
    holder.open_for_writing()
    try:
        with pytest.raises(DatasetError, match=r"another minerals run is writing this dataset \(pid \d+"):
            mine(archive, out, workers=1)
    finally:
        holder.release()
    assert not (out / LOCK).exists()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (out / LOCK).write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "start": "1"}))
    assert mine(archive, out, workers=1).skipped == 1  # its holder is gone: the lock is taken over


def test_two_runs_at_once_never_duplicate_rows(tmp_path):
    archive = _archive(tmp_path, SEEDS)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "minerals", "mine", str(archive), "-o", str(out), "--workers", "1", "--quiet"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    failed = [r for r in results if r[2] != 0]
    for _, err, _ in failed:
        assert err.count("\n") == 1 and "another minerals run" in err
    docs = minerals.open_dataset(out)["documents"]
    assert len(docs) == 3 and not docs["path"].duplicated().any()
    cites = minerals.open_dataset(out)["citations"]
    assert not cites.duplicated().any()


def test_a_second_archive_adds_to_the_dataset_and_prune_drops_what_is_gone(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = _archive(tmp_path / "a", ("000_", "001_"))
    two = _archive(tmp_path / "b", ("002_",))
    out = tmp_path / "out"
    mine(one, out, workers=1)
    mine(two, out, workers=1)
    assert len(minerals.open_dataset(out)["documents"]) == 3  # the first archive's rows are kept
    (one / corpus_file("000_").name).unlink()
    mine(two, out, workers=1)
    assert len(minerals.open_dataset(out)["documents"]) == 3  # a file outside the archive mined is left alone
    mine(two, out, workers=1, prune=True)
    paths = set(minerals.open_dataset(out)["documents"]["path"])
    assert len(paths) == 2 and not any(p.endswith(corpus_file("000_").name) for p in paths)


# --- values that fit -----------------------------------------------------------------------------------------
def test_a_number_past_int64_is_stored_with_a_warning(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    text = corpus_file("001_").read_text(encoding="utf-8")
    (archive / "big.txt").write_text(text + "\nCó 9999999999999999999 người tham gia.\n", encoding="utf-8")
    s = mine(archive, tmp_path / "out", workers=1)
    assert s.documents == 1 and s.errors == 0
    q = minerals.open_dataset(tmp_path / "out")["quantities"]
    assert 9.99e18 < q["value"].max() < 1.01e19
    assert mine(archive, tmp_path / "out", workers=1).skipped == 1  # and the next run goes on


try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None


@pytest.mark.skipif(given is None, reason="hypothesis not installed")
def test_extreme_numbers_never_fail_a_batch():
    import pyarrow as pa

    doc = minerals.process(corpus_file("001_"))
    rows = dataset_mod.document_rows(doc)

    @settings(max_examples=60, deadline=None)
    @given(st.integers(), st.integers(), st.integers())
    def check(value, start, year):
        batch = dataset_mod.empty_batch()
        for table, items in rows.items():
            batch[table].extend(items) if table in dataset_mod.ITEM_TABLES else batch[table].extend(
                [dict(r) for r in items])
        batch["quantities"].data["value"][0] = value
        batch["quantities"].data["start_offset"][0] = start
        batch["citations"].data["year"][0] = year
        tables = dataset_mod.arrow_tables(batch)
        assert isinstance(tables["quantities"], pa.Table) and len(tables["quantities"]) == len(rows["quantities"])
        got = tables["quantities"]["value"][0].as_py()
        assert got is None or abs(got - value) <= abs(value) * 1e-15 + 1
        if not -(2**63) <= year < 2**63:
            assert tables["citations"]["year"][0].as_py() is None and any(
                "does not fit" in w for w in tables["documents"]["warnings"][0].as_py())

    check()


# --- every path a row ----------------------------------------------------------------------------------------
def test_paths_that_cannot_be_mined_are_rows(tmp_path, monkeypatch):
    archive = _archive(tmp_path, ("001_",))
    outside = tmp_path / "secret.txt"
    outside.write_text("Căn cứ Nghị định số 999/2099/NĐ-CP (bí mật).", encoding="utf-8")
    (archive / "leak.txt").symlink_to(outside)
    (archive / "loop.txt").symlink_to(archive / "loop.txt")
    (archive / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(archive / "fifo.txt")
    (archive / "folder.txt").mkdir()  # a folder named like a file is walked into
    shutil.copy2(corpus_file("000_"), archive / "folder.txt" / "inner.txt")
    (archive / "locked").mkdir()
    inner = zipfile.ZipFile(tmp_path / "inner.zip", "w")
    inner.writestr("a.txt", "x")
    inner.close()
    with zipfile.ZipFile(archive / "bundle.zip", "w") as zf:
        zf.write(tmp_path / "inner.zip", "nested.zip")
        zf.writestr("same.txt", corpus_file("002_").read_text(encoding="utf-8"))
        zf.writestr("same.txt", corpus_file("000_").read_text(encoding="utf-8"))  # a repeated member name
        zf.writestr("bomb.txt", b"\0" * 40_000_000)  # 40 MB in a few kB: past the 32 MB limit
    shutil.copy2(corpus_file("004_5"), archive / "bundle.zip!same.txt")  # a disk file named like a member
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")  # (root reads every folder: made unreadable here)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "out"
    s = mine(archive, out, workers=1)
    t = minerals.open_dataset(out)
    errors = {p.split("archive/", 1)[-1]: k for p, k in zip(t["errors"]["path"], t["errors"]["error_type"])}
    assert errors == {"leak.txt": "SymlinkOutside", "loop.txt": "SymlinkLoop", "dangling.txt": "DanglingSymlink",
                      "fifo.txt": "SpecialFile", "locked": "PermissionError", "bundle.zip!nested.zip": "NestedZip",
                      "bundle.zip!bomb.txt": "FileTooLargeError"}
    assert "999/2099/NĐ-CP" not in set(t["citations"]["number"])  # the file outside was not read
    docs = sorted(p.split("archive/", 1)[-1] for p in t["files"]["path"])
    assert docs == [corpus_file("001_").name, "bundle.zip!same.txt", "bundle.zip!same.txt#2",
                    "bundle.zip!same.txt#3", "folder.txt/inner.txt"]
    assert s.documents == 5
    bomb = t["errors"][t["errors"]["error_type"] == "FileTooLargeError"]["message"].iloc[0]
    assert "bundle.zip!bomb.txt" in bomb and "minerals-zip-" not in bomb  # the member, not a temporary file
    again = mine(archive, out, workers=1)  # the same rows on every re-run
    assert again.documents == 0 and again.errors == 0
    first_docs = _frames(out)["documents"]
    mine(archive, out, workers=1)
    assert _frames(out)["documents"].equals(first_docs)


def test_a_file_unreadable_when_hashed_is_a_row(tmp_path, monkeypatch):
    archive = _archive(tmp_path, ("000_", "001_"))
    real = dataset_mod.content_hash

    def sha(src):
        if src.key.endswith(corpus_file("000_").name):
            raise PermissionError(13, "Permission denied")
        return real(src)

    monkeypatch.setattr(dataset_mod, "content_hash", sha)
    s = mine(archive, tmp_path / "out", workers=1)
    assert s.documents == 1 and s.errors == 1
    assert list(minerals.open_dataset(tmp_path / "out")["errors"]["error_type"]) == ["PermissionError"]


# --- damaged datasets ----------------------------------------------------------------------------------------
def _damaged(tmp_path, table: str, damage: bytes, offset_only: bool):
    """The seeds mined twice (whole, and one batch a document), one part of ``out``'s ``table`` damaged."""
    archive = _archive(tmp_path, SEEDS)
    whole, out = tmp_path / "whole", tmp_path / "out"
    mine(archive, whole, workers=1)
    mine(archive, out, workers=1, batch_size=1)
    with open(Store(out).parts(table)[1], "r+b" if offset_only else "wb") as f:
        f.write(damage)
    return archive, whole, out


def _assert_repaired(out, whole):
    a, b = _frames(out), _frames(whole)
    for table in TABLES:
        pd.testing.assert_frame_equal(a[table].drop(columns=["mtime"], errors="ignore"),
                                      b[table].drop(columns=["mtime"], errors="ignore"), check_dtype=False)


def test_a_damaged_part_is_one_line_and_repair_mines_its_files_again(tmp_path):
    # FUZZ: the first 500 bytes of a documents part overwritten
    archive, whole, out = _damaged(tmp_path, "documents", b"\0" * 500, offset_only=True)
    for run in (lambda: minerals.open_dataset(out), lambda: sql(out, "SELECT count(*) FROM documents"),
                lambda: mine(archive, out, workers=1)):
        with pytest.raises(DamagedDatasetError, match=r"damaged part "):
            run()
    assert mine(archive, out, workers=1, repair=True).documents == 1
    _assert_repaired(out, whole)


def test_a_damaged_item_part_is_repaired_too(tmp_path):
    archive, whole, out = _damaged(tmp_path, "entities", b"", offset_only=False)  # truncated to nothing
    mine(archive, out, workers=1, repair=True)
    _assert_repaired(out, whole)


def test_a_legacy_dataset_is_refused(tmp_path):
    """A dataset written before the manifest (parts committed by markers in _batches/) has the old columns
    too: reading or mining into it is one line saying to mine again into a new folder."""
    archive = _archive(tmp_path, SEEDS)
    out = tmp_path / "out"
    mine(archive, out, workers=1)
    m = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).unlink()
    (out / "_batches").mkdir()
    for table, names in m["parts"].items():
        for name in names:
            (out / "_batches" / name.removeprefix("part-").removesuffix(".parquet")).write_text("1\n")
    for run in (lambda: minerals.open_dataset(out), lambda: mine(archive, out, workers=1)):
        with pytest.raises(DatasetError, match="older minerals .*mine the archive again into a new folder"):
            run()
    assert not (out / MANIFEST).exists()  # nothing written


# --- SQL that cannot write and cannot read files -------------------------------------------------------------
@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sql")
    out = tmp / "out"
    mine(_archive(tmp, ("001_",)), out, workers=1)
    return out


@pytest.mark.parametrize("query", [
    "SELECT 1; CREATE TABLE t AS SELECT 1",
    "SELECT 1; COPY (SELECT 1) TO '{tmp}/x.csv'",
    "EXPLAIN ANALYZE COPY (SELECT 3) TO '{tmp}/x.csv'",
    "COPY documents TO '{part}'",
    "SELECT 1; ATTACH '{tmp}/x.duckdb' AS a; CREATE TABLE a.t AS SELECT 1",
    "ATTACH '{tmp}/x.duckdb' AS a",
    "SELECT 1; EXPORT DATABASE '{tmp}/dir'",
    "SELECT 1; PRAGMA profile_output='{tmp}/x.json'",
    "SET memory_limit='1GB'",
    "SET enable_external_access = true",
    "DROP VIEW documents",
    "SELECT 1; LOAD parquet",
    "INSTALL httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/shadow')",
    "SELECT * FROM read_text('{secret}')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('{part}')",
    "SELECT * FROM '{part}'",
])
def test_sql_that_writes_or_reads_files_is_refused(mined, tmp_path, query):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    secret.chmod(0o600)
    part = Store(mined).parts("documents")[0]
    before = open(part, "rb").read()
    with pytest.raises(DatasetError) as err:
        sql(mined, query.format(tmp=tmp_path, part=part, secret=secret))
    assert "\n" not in str(err.value)
    assert open(part, "rb").read() == before and not list(tmp_path.glob("x*")) and not (tmp_path / "dir").exists()
    assert len(sql(mined, "SELECT * FROM documents")) == 1


def test_sql_reads_the_tables_with_a_time_and_row_limit(mined):
    assert list(sql(mined, "FROM documents SELECT count(*) AS n")["n"]) == [1]
    assert len(sql(mined, "DESCRIBE citations")) > 5
    assert len(sql(mined, "SUMMARIZE dates"))
    cut = sql(mined, "SELECT * FROM range(1000)", max_rows=10)
    assert len(cut) == 10 and cut.attrs["truncated"]
    with pytest.raises(DatasetError, match="time limit"):
        sql(mined, "SELECT count(*) FROM range(100000000000) a", timeout=0.5)


# --- exports that are data, not code -------------------------------------------------------------------------
def test_exports_write_formulas_as_text(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"sentence": ['=HYPERLINK("http://x","y")', "+1", "-2 a", "@SUM(A1)", "plain"],
                          "n": [1, 2, 3, 4, 5]})
    write_xlsx(frame, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    cells = [ws.cell(row=i, column=1) for i in range(2, 7)]
    assert [c.value for c in cells] == list(frame["sentence"]) and all(c.data_type == "s" for c in cells)
    safe = spreadsheet_safe(frame)
    assert list(safe["sentence"]) == ["'" + v for v in frame["sentence"][:4]] + ["plain"]
    assert list(safe["n"]) == [1, 2, 3, 4, 5]


def test_the_cli_refuses_with_one_line_and_repairs(tmp_path):
    from typer.testing import CliRunner

    from minerals.cli import app

    runner = CliRunner()
    archive = _archive(tmp_path, ("001_",))
    out = tmp_path / "out"
    assert runner.invoke(app, ["mine", str(archive), "-o", str(out), "--quiet"]).exit_code == 0
    r = runner.invoke(app, ["query", "sql", "SELECT 1; COPY (SELECT 1) TO 'x.csv'", "--dataset", str(out)])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "one statement" in r.output
    r = runner.invoke(app, ["query", "sql", "-", "--dataset", str(out), "--format", "csv"],
                      input="-- a comment first\nSELECT count(*) AS n FROM documents")
    assert r.exit_code == 0 and r.output.split() == ["n", "1"]
    part = Store(out).parts("citations")[0]
    with open(part, "r+b") as f:
        f.write(b"\0" * 500)
    r = runner.invoke(app, ["query", "cited-by", "20-CT/TW", "--dataset", str(out)])
    assert r.exit_code == 1 and "damaged part" in r.output and r.output.count("\n") == 1
    r = runner.invoke(app, ["mine", str(archive), "-o", str(out), "--quiet", "--repair", "--prune"])
    assert r.exit_code == 0 and r.output.startswith("1 documents mined")
    assert runner.invoke(app, ["query", "cited-by", "20-CT/TW", "--dataset", str(out)]).exit_code == 0
    r = runner.invoke(app, ["query", "citations", "--dataset", str(out), "--format", "xlsx", "-o", str(tmp_path / "c.xlsx")])
    assert r.exit_code == 0 and (tmp_path / "c.xlsx").exists()
    with open(Store(out).parts("documents")[0], "r+b") as f:
        f.write(b"\0" * 500)
    for args in (["check", "-d", str(out)], ["graph", "-d", str(out)], ["graph", "top", "--dataset", str(out)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 1 and r.output.count("\n") == 1 and "damaged part" in r.output, (args, r.output)
    home = tmp_path / "home"
    home.mkdir()
    (home / "thesis.docx").write_bytes(b"x")
    r = runner.invoke(app, ["mine", str(archive), "-o", str(home), "--quiet"])
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "not a minerals dataset" in r.output


def test_a_document_past_the_time_limit_is_a_row(tmp_path, monkeypatch):
    # FUZZ: one 400 KB percentage-heavy file took 95 s, with no per-document limit
    archive = _archive(tmp_path, ("000_", "001_"))
    monkeypatch.setattr(document_mod, "DOC_SECONDS", 0.001)
    s = mine(archive, tmp_path / "out", workers=1)
    assert s.errors == 2 and s.documents == 0
    errors = minerals.open_dataset(tmp_path / "out")["errors"]
    assert set(errors["error_type"]) == {"DocumentTimeout"} and "still mining" in errors["message"][0]
    monkeypatch.setattr(document_mod, "DOC_SECONDS", 600.0)
    assert mine(archive, tmp_path / "ok", workers=1).documents == 2


def test_a_table_folder_that_cannot_be_written_is_one_line(tmp_path):
    # FUZZ: a table folder that was not writable gave a traceback (as root, a file in its place does the same)
    archive = _archive(tmp_path, ("000_", "001_"))
    out = tmp_path / "out"
    mine(archive, out, workers=1)
    assert not Store(out).parts("errors")
    shutil.rmtree(out / "errors", ignore_errors=True)
    (out / "errors").write_text("not a folder")
    (archive / "empty.txt").write_bytes(b"")  # its errors row cannot be written
    with pytest.raises(DatasetError, match="cannot write batch 0"):
        mine(archive, out, workers=1)
    assert len(minerals.open_dataset(out)["documents"]) == 2  # the last committed state


def test_a_full_disk_stops_at_the_failing_batch_and_counts_right(tmp_path, monkeypatch):
    # FUZZ: "800 documents committed" was said when 700 were
    import errno

    archive = _archive(tmp_path, SEEDS)
    out = tmp_path / "out"
    real_commit = Store.commit
    calls = []

    def commit(self, group, tables, *args, **kwargs):
        calls.append(group)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_commit(self, group, tables, *args, **kwargs)

    monkeypatch.setattr(Store, "commit", commit)
    with pytest.raises(DatasetError, match="No space left on device.*2 documents committed before it are kept"):
        mine(archive, out, workers=1, batch_size=1)
    monkeypatch.undo()
    assert len(minerals.open_dataset(out)["documents"]) == 2
    assert mine(archive, out, workers=1).documents == 1


def test_files_are_read_by_content_and_odd_paths_are_one_line(tmp_path):
    """Issue 18 (../shared/FUZZ.md section 1): a PDF saved as .txt and a text without a suffix are read by their
    content; a directory named .pdf, a FIFO and a symlink loop are one named error; a run of 5,000 digits is no
    number and no traceback."""
    import os

    from minerals.errors import ReadError

    pdf = tmp_path / "nd45.txt"
    pdf.write_bytes(corpus_file("009_", ".pdf").read_bytes())
    assert minerals.read(pdf).method in ("text", "mixed", "ocr") and "45/2026/NĐ-CP" in minerals.process(pdf).info.number
    plain = tmp_path / "van_ban"
    plain.write_bytes(corpus_file("001_").read_bytes())
    assert "20-CT/TW" in {c.number for c in minerals.process(plain).citations}
    (tmp_path / "dir.pdf").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    for name in ("dir.pdf", "pipe.txt", "loop.txt"):
        with pytest.raises(ReadError):
            minerals.read(tmp_path / name)
    digits = tmp_path / "digits.txt"
    digits.write_text("Căn cứ Nghị định số 126/2007/NĐ-CP; " + "9" * 5000 + " người", encoding="utf-8")
    doc = minerals.process(digits)
    assert "126/2007/NĐ-CP" in {c.number for c in doc.citations} and not any(q.value and q.value > 1e30 for q in doc.quantities)


def test_docx_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    """../shared/FUZZ.md: a .docx of 2.9 MB unpacking to 1 GB of XML took > 12 GB; refused in a bounded read."""
    from minerals.errors import ReadError

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document>" + "a" * 80_000_000 + "</w:document>")
    with pytest.raises(ReadError, match="zip bomb"):
        minerals.read(bomb)
    assert minerals.read(corpus_file("004_51401b993265fa13_seed", ".docx")).raw.strip()


def test_a_document_past_the_memory_ceiling_is_a_row_and_the_run_goes_on(tmp_path):
    # issue 18: a document that runs away with memory is an errors row, not the out-of-memory killer ending the run.
    # (In a fresh process: the ceiling counts what the process adds, and a test process holds freed memory.)
    archive = tmp_path / "archive"
    archive.mkdir()
    seed = corpus_file("001_").read_text(encoding="utf-8")
    (archive / "long.txt").write_text((seed + "\n") * (600_000 // len(seed)), encoding="utf-8")  # ~10,000 items
    shutil.copy(corpus_file("002_"), archive)
    script = (
        "import sys, minerals, minerals.dataset as d, minerals.limits as l\n"
        "s = d.mine(sys.argv[1], sys.argv[2], workers=1, limits=l.Limits(doc_memory=int(sys.argv[3])))\n"
        "e = minerals.open_dataset(sys.argv[2])['errors']\n"
        "print(s.documents, s.errors, *e['error_type'], *e['message'], sep='|')\n"
    )
    run = lambda out, limit: subprocess.run([sys.executable, "-c", script, str(archive), str(tmp_path / out), str(limit)],  # noqa: E731
                                            capture_output=True, text=True, check=True, timeout=300).stdout.strip()
    documents, errors, kind, message = run("out", 8_000_000).split("|")  # (the short 002 needs ~4 MB, long ~15)
    assert (documents, errors, kind) == ("1", "1", "OutOfMemoryError")
    assert message.endswith("long.txt: needed more than 8 MB of memory; passed over")
    assert run("ok", 4_000_000_000).split("|")[:2] == ["2", "0"]


def test_memory_ceiling_is_lifted_after_the_block():
    import resource

    from minerals.limits import memory_ceiling

    before = resource.getrlimit(resource.RLIMIT_DATA)
    with memory_ceiling(50_000_000):
        with pytest.raises(MemoryError):
            bytearray(200_000_000)
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    assert len(bytearray(200_000_000)) == 200_000_000
