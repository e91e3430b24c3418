"""The archive and the dataset at fsspec URLs: memory:// in process, file:// through the CLI with two workers."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import uuid
import zipfile

import fsspec
import pytest
from typer.testing import CliRunner

import minerals
from minerals.dataset import archive as archive_mod
from minerals.cli import app
from minerals.dataset import DatasetError, mine
from minerals.query import cited_by, sql

from .conftest import CORPUS, corpus_file
from .test_dataset import _archive, _assert_same, _tables

runner = CliRunner()
SEEDS = ("000_", "001_", "002_")


@pytest.fixture
def mem():
    """A fresh memory:// prefix (memory:// is shared by the whole process), removed after the test."""
    fs = fsspec.filesystem("memory")
    root = f"t{uuid.uuid4().hex[:8]}"
    yield fs, root
    if fs.exists(f"/{root}"):
        fs.rm(f"/{root}", recursive=True)


def _upload(fs, root: str, prefixes=SEEDS) -> None:
    for prefix in prefixes:
        src = corpus_file(prefix)
        fs.pipe_file(f"/{root}/arch/{src.name}", src.read_bytes())


def test_memory_archive_and_dataset_equal_a_local_run(tmp_path, mem):
    fs, root = mem
    _upload(fs, root)
    arch, ds = f"memory://{root}/arch", f"memory://{root}/ds"
    first = mine(arch, ds, workers=1)
    assert first.documents == 3 and first.errors == 0 and first.out == ds
    local = tmp_path / "local"
    mine(_archive(tmp_path, SEEDS), local, workers=1)
    _assert_same(_tables(ds), _tables(local))
    docs = minerals.open_dataset(ds)["documents"]
    assert sorted(docs["path"]) == sorted(f"{arch}/{corpus_file(p).name}" for p in SEEDS)
    assert all(docs["mtime"] > 0) and list(docs["size"]) == [corpus_file(p).stat().st_size for p in SEEDS]
    # every part committed, nothing temporary left behind
    names = fs.find(f"/{root}/ds")
    assert any(n.endswith("/minerals-dataset.json") for n in names) and not [n for n in names if "/." in n]

    again = mine(arch, ds, workers=1)
    assert again.documents == 0 and again.skipped == 3
    assert fs.find(f"/{root}/ds") == names  # a no-op: not one part rewritten

    # a changed file is mined again, its old rows go; queries read the parts through fsspec
    key = f"/{root}/arch/{corpus_file('001_').name}"
    fs.pipe_file(key, fs.cat_file(key).replace("20-CT/TW".encode(), "21-CT/TW".encode()))
    assert mine(arch, ds, workers=1).documents == 1
    numbers = set(minerals.open_dataset(ds)["citations"]["number"])
    assert "21-CT/TW" in numbers and "20-CT/TW" not in numbers
    rows = cited_by(ds, "21-CT/TW")
    assert len(rows) and set(rows["document"]) == {f"memory://{root}/arch/{corpus_file('001_').name}"}
    n = sql(ds, "SELECT count(*) AS n, any_value(typeof(year)) AS t FROM citations")
    assert n["n"][0] == len(minerals.open_dataset(ds)["citations"]) and n["t"][0] == "BIGINT"


def test_memory_zip_and_bad_files_become_rows(mem):
    fs, root = mem
    _upload(fs, root, ("001_",))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../escape.txt", "Căn cứ Nghị định số 126/2007/NĐ-CP")
        zf.writestr("inside/ok.txt", (CORPUS / "seeds" / "000_f00e12419f0e979d.txt").read_text(encoding="utf-8"))
    fs.pipe_file(f"/{root}/arch/sub/bundle.zip", buf.getvalue())
    fs.pipe_file(f"/{root}/arch/empty.txt", b"")
    fs.pipe_file(f"/{root}/arch/gold/ignored.txt", b"not a document")
    s = mine(f"memory://{root}/arch", f"memory://{root}/ds", workers=1)
    assert s.documents == 2 and s.errors == 2
    tables = minerals.open_dataset(f"memory://{root}/ds")
    assert f"memory://{root}/arch/sub/bundle.zip!inside/ok.txt" in set(tables["documents"]["path"])
    errors = dict(zip(tables["errors"]["path"], tables["errors"]["error_type"]))
    assert errors == {f"memory://{root}/arch/empty.txt": "EmptyFileError",
                      f"memory://{root}/arch/sub/bundle.zip!../escape.txt": "UnsafeZipPath"}
    message = tables["errors"].set_index("error_type").loc["EmptyFileError", "message"]
    assert message.startswith(f"memory://{root}/arch/empty.txt: ")  # the URL, not the temporary file
    assert mine(f"memory://{root}/arch", f"memory://{root}/ds", workers=1).documents == 0


def test_a_store_without_mtimes_compares_size_and_content(mem, monkeypatch):
    fs, root = mem
    _upload(fs, root, ("000_", "001_"))
    monkeypatch.setattr(archive_mod, "_info_mtime", lambda info: 0.0)
    arch, ds = f"memory://{root}/arch", f"memory://{root}/ds"
    assert mine(arch, ds, workers=1).documents == 2
    assert mine(arch, ds, workers=1).skipped == 2
    key = f"/{root}/arch/{corpus_file('001_').name}"
    data = fs.cat_file(key)
    fs.pipe_file(key, data.replace(b"20-CT/TW", b"21-CT/TW"))  # the same size, another content
    assert len(fs.cat_file(key)) == len(data)
    s = mine(arch, ds, workers=1)
    assert s.documents == 1 and s.skipped == 1
    assert "21-CT/TW" in set(minerals.open_dataset(ds)["citations"]["number"])


def test_file_urls_through_the_cli_with_two_workers(tmp_path):
    archive = _archive(tmp_path, ("001_", "003_", "004_5"))
    url = f"file://{tmp_path}/dataset"
    r = runner.invoke(app, ["mine", f"file://{archive}", "-o", url, "--workers", "2"])
    assert r.exit_code == 0, r.output
    assert "3 documents mined" in r.stdout and f"→ {url}/" in r.stdout
    assert not [p for p in (tmp_path / "dataset").rglob(".*")]  # temporary names were renamed
    docs = minerals.open_dataset(url)["documents"]
    assert all(p.startswith(f"file://{archive}/") for p in docs["path"])
    mine(archive, tmp_path / "plain", workers=1)
    _assert_same(_tables(url), _tables(tmp_path / "plain"))
    r = runner.invoke(app, ["mine", f"file://{archive}", "-o", url, "--workers", "2"])
    assert r.exit_code == 0 and "0 documents mined (3 unchanged, skipped)" in r.stdout
    r = runner.invoke(app, ["query", "cited-by", "20-CT/TW", "--dataset", url, "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all("001_1d392ddcd08d93c9" in row["document"] for row in rows)
    r = runner.invoke(app, ["query", "top", "--by", "year", "--dataset", url, "--format", "csv"])
    assert r.exit_code == 0 and "2007," in r.stdout  # years stay integers, as from local parts


@pytest.mark.parametrize("args", [
    ["mine", "s3://minerals-test-bucket/archive", "-o", "OUT"],
    ["mine", "ARCHIVE", "-o", "s3://minerals-test-bucket/dataset"],
    ["mine", "nosuch://archive", "-o", "OUT"],
    ["mine", "memory://no-such-archive-here", "-o", "OUT"],
    ["query", "top", "--dataset", "nosuch://dataset"],
    ["query", "sql", "SELECT 1", "--dataset", "s3://minerals-test-bucket/dataset"],
    ["query", "top", "--dataset", "memory://no-such-dataset-here"],
])
def test_unusable_urls_are_one_line_errors(tmp_path, args):
    archive = _archive(tmp_path, ("001_",))
    args = [str(archive) if a == "ARCHIVE" else str(tmp_path / "out") if a == "OUT" else a for a in args]
    r = runner.invoke(app, args)
    assert r.exit_code == 1, r.output
    assert isinstance(r.exception, SystemExit)  # not an uncaught exception
    assert r.stderr.startswith("minerals: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert "Traceback" not in r.output
    if "s3://" in " ".join(args) and not _has("s3fs"):
        assert "s3fs" in r.stderr


def test_missing_driver_in_a_real_process(tmp_path):
    if _has("s3fs"):
        pytest.skip("s3fs is installed here")
    proc = subprocess.run([sys.executable, "-m", "minerals", "mine", "s3://minerals-test-bucket/archive",
                           "-o", str(tmp_path / "out"), "--quiet"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr == "minerals: error: s3://minerals-test-bucket/archive: Install s3fs to access S3\n"
    with pytest.raises(DatasetError, match="Protocol not known"):
        minerals.open_dataset("nosuch://x")


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
