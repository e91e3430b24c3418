"""The dataset: incremental, safe when killed, bad files as rows, the same tables from both engines."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pandas as pd
import pytest

import minerals
from minerals.dataset import TABLES, DatasetError, mine
from minerals.dataset.store import Store

from .conftest import CORPUS, corpus_file
from .test_pdf import ENCRYPTED


def _archive(tmp_path, prefixes=("000_", "001_", "002_", "004_5", "005_", "007_", "011_", "017_", "021_", "022_")):
    archive = tmp_path / "archive"
    archive.mkdir()
    for prefix in prefixes:
        src = corpus_file(prefix)
        shutil.copy2(src, archive / src.name)
    return archive


def _tables(out) -> dict[str, pd.DataFrame]:
    """The tables, sorted, without what differs between runs (batch layout, path prefixes)."""
    frames = minerals.open_dataset(out)
    result = {}
    for name, frame in frames.items():
        frame = frame.drop(columns=[c for c in ("path", "paths", "mtime") if c in frame.columns])
        result[name] = _sortable(frame).sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame
    return result


def _sortable(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (recipients, warnings, furniture, paths) as tuples, so that rows sort and compare."""
    def fix(v):
        if hasattr(v, "tolist") and not isinstance(v, str):
            v = v.tolist()
        return tuple(fix(x) for x in v) if isinstance(v, (list, tuple)) else (
            tuple(sorted((k, fix(x)) for k, x in v.items())) if isinstance(v, dict) else v)
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [fix(v) for v in out[c]]
    return out


def _assert_same(a, b):
    for table in TABLES:
        pd.testing.assert_frame_equal(a[table], b[table], check_dtype=False)


def test_rerun_is_a_no_op_and_changes_are_remined(tmp_path):
    archive = _archive(tmp_path, ("000_", "001_", "002_"))
    out = tmp_path / "out"
    first = mine(archive, out, workers=1)
    assert first.documents == 3 and first.errors == 0
    again = mine(archive, out, workers=1)
    assert again.documents == 0 and again.skipped == 3
    # a changed file is mined again and its old rows go
    target = archive / corpus_file("001_").name
    target.write_text(target.read_text(encoding="utf-8").replace("20-CT/TW", "21-CT/TW"), encoding="utf-8")
    changed = mine(archive, out, workers=1)
    assert changed.documents == 1
    cites = minerals.open_dataset(out)["citations"]
    assert "21-CT/TW" in set(cites["number"]) and "20-CT/TW" not in set(cites["number"])
    assert len(minerals.open_dataset(out)["documents"]) == 3
    # a moved file and a duplicate are recognised by content, not mined again
    (archive / "sub").mkdir()
    shutil.move(archive / corpus_file("002_").name, archive / "sub" / "moved.txt")
    shutil.copy2(archive / corpus_file("000_").name, archive / "copy.txt")
    before = len(minerals.open_dataset(out)["citations"])
    moved = mine(archive, out, workers=1)
    assert moved.documents == 0
    tables = minerals.open_dataset(out)
    docs, files = tables["documents"], tables["files"]
    assert len(files) == 4 and files["doc_id"].nunique() == 3
    assert len(docs) == 3 and docs["doc_id"].is_unique  # one row per document: a join on doc_id doubles nothing
    copied = docs[docs["paths"].map(len) == 2].iloc[0]
    assert sorted(p.rsplit("/", 1)[-1] for p in copied["paths"]) == sorted(["copy.txt", corpus_file("000_").name])
    assert any(p.endswith("sub/moved.txt") for p in files["path"])
    assert len(tables["citations"]) == before
    assert len(tables["citations"].merge(docs, on="doc_id")) == before
    # the copy's row carries the document's metadata: the original gone, the document keeps its header
    (archive / corpus_file("000_").name).unlink()
    mine(archive, out, workers=1)
    kept = minerals.open_dataset(out)["documents"].set_index("doc_id").loc[copied["doc_id"]]
    assert kept["path"].endswith("copy.txt") and list(kept["paths"]) == [kept["path"]]
    for column in ("doc_type", "issuer", "title", "method", "pages", "jurisdiction"):
        assert kept[column] == copied[column], column


def test_bad_files_become_error_rows(tmp_path):
    archive = _archive(tmp_path, ("001_",))
    real_pdf = (CORPUS / "pdfs" / "009_nd45-2026-cp_text.pdf").read_bytes()
    (archive / "zero.txt").write_bytes(b"")
    (archive / "binary.txt").write_bytes(bytes(range(256)) * 50)
    (archive / "encrypted.pdf").write_bytes(ENCRYPTED)
    (archive / "truncated.pdf").write_bytes(real_pdf[:2000])
    (archive / "badenc.txt").write_bytes(bytes(range(0xA0, 0x100)) * 100)
    with zipfile.ZipFile(archive / "evil.zip", "w") as zf:
        zf.writestr("../escape.txt", "Căn cứ Nghị định số 126/2007/NĐ-CP")
        zf.writestr("inside/ok.txt", (CORPUS / "seeds" / "000_f00e12419f0e979d.txt").read_text(encoding="utf-8"))
    out = tmp_path / "out"
    s = mine(archive, out, workers=2)
    errors = minerals.open_dataset(out)["errors"]
    assert s.documents == 2  # the seed and the zip's good member
    by_file = {p.split("archive/", 1)[-1]: t for p, t in zip(errors["path"], errors["error_type"])}
    assert by_file == {"zero.txt": "EmptyFileError", "binary.txt": "BinaryFileError",
                       "encrypted.pdf": "EncryptedPDFError", "truncated.pdf": "DamagedFileError",
                       "badenc.txt": "EncodingError", "evil.zip!../escape.txt": "UnsafeZipPath"}
    assert not (tmp_path / "escape.txt").exists()


def test_kill_minus_nine_then_rerun_equals_an_uninterrupted_run(tmp_path):
    archive = _archive(tmp_path)
    whole = tmp_path / "whole"
    mine(archive, whole, workers=1, batch_size=2)
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "minerals", "mine", str(archive), "-o", str(killed),
                             "--workers", "1", "--batch-size", "2", "--batch-seconds", "3600", "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and Store(killed).commits() < 2:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = Store(killed).commits()
    assert 1 <= partial < 5, "the run was killed in the middle"
    rest = mine(archive, killed, workers=1, batch_size=2)
    assert rest.skipped >= 2 and rest.documents + rest.skipped == 10
    _assert_same(_tables(killed), _tables(whole))


def test_a_batch_commits_at_its_size_or_its_time_limit(tmp_path):
    archive = _archive(tmp_path, ("000_", "001_", "002_"))
    # batch_seconds=0: every document commits as soon as it is mined (a slow OCR archive loses little when killed)
    mine(archive, tmp_path / "timed", workers=1, batch_size=100, batch_seconds=0)
    assert Store(tmp_path / "timed").commits() == 3
    mine(archive, tmp_path / "sized", workers=1, batch_size=2, batch_seconds=3600)
    assert Store(tmp_path / "sized").commits() == 2
    mine(archive, tmp_path / "one", workers=1)  # the defaults: 256 documents or 30 s
    assert Store(tmp_path / "one").commits() == 1
    _assert_same(_tables(tmp_path / "timed"), _tables(tmp_path / "one"))


def _children(pid: int) -> set[int]:
    found = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found |= {int(c) for c in f.read().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_pool_workers_exit_when_the_main_process_is_killed(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    text = corpus_file("001_").read_text(encoding="utf-8")
    for i in range(60):  # distinct contents: copies of one file would be recognised and mined once
        (archive / f"report-{i:02d}.txt").write_text(f"{text}\nBản sao {i}.\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "minerals", "mine", str(archive), "-o", str(tmp_path / "out"),
                             "--workers", "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    workers: set[int] = set()
    while time.time() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.01)
    assert len(workers) == 2, "the pool started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(map(_alive, workers)):
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "orphaned workers exit instead of waiting for work forever"


def test_dask_engine_gives_the_same_tables(tmp_path):
    archive = _archive(tmp_path, ("000_", "001_", "004_5", "017_"))
    by_process = tmp_path / "process"
    by_dask = tmp_path / "dask"
    mine(archive, by_process, workers=2)
    s = mine(archive, by_dask, engine="dask", workers=2)  # a real LocalCluster with two worker processes
    assert s.documents == 4
    _assert_same(_tables(by_dask), _tables(by_process))


def test_read_only_output_fails_clearly(tmp_path):
    if os.geteuid() == 0:
        target = tmp_path / "file-not-folder"
        target.write_text("x")
        with pytest.raises(DatasetError, match="cannot write"):
            mine(_archive(tmp_path, ("001_",)), target / "out", workers=1)
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(DatasetError, match="cannot write"):
        mine(_archive(tmp_path, ("001_",)), ro / "out", workers=1)


def test_replaced_pool_workers_give_the_same_tables(tmp_path, monkeypatch):
    """Workers are replaced every WORKER_DOCS documents to bound their memory; fresh workers mine the same."""
    import minerals.dataset as ds

    archive = _archive(tmp_path, ("000_", "001_", "004_5", "017_", "021_"))
    mine(archive, tmp_path / "one", workers=1)
    monkeypatch.setattr(ds.engines, "WORKER_DOCS", 1)  # fresh workers after every 2 documents (one each)
    import concurrent.futures

    pools = []

    class CountedPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            pools.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    s = mine(archive, tmp_path / "pool", workers=2)
    assert s.documents == 5 and len(pools) == 3  # 2 + 2 + 1 documents
    import gc

    assert gc.get_freeze_count() == 0  # frozen for the forks (shared pages stay shared), unfrozen after
    _assert_same(_tables(tmp_path / "pool"), _tables(tmp_path / "one"))


def test_small_text_files_go_to_workers_in_chunks_and_slow_files_alone():
    from minerals.dataset import sources
    from minerals.dataset.engines import CHUNK_DOCS, CHUNK_MAX_BYTES, chunks as _chunks

    srcs = list(sources(CORPUS))
    chunks = _chunks(srcs)
    assert [s for chunk in chunks for s in chunk] == srcs  # all of them, in order
    for chunk in chunks:
        texts = [s for s in chunk if s.path.endswith((".txt", ".md", ".html")) and s.size <= CHUNK_MAX_BYTES]
        assert len(chunk) == 1 or (len(texts) == len(chunk) <= CHUNK_DOCS), [s.key for s in chunk]
    assert max(map(len, chunks)) == CHUNK_DOCS and any(c[0].path.endswith(".pdf") for c in chunks)


def _crash_on_marked_files(src, *args, **kwargs):
    """A worker's ``mine_one`` that dies, as a segfault in a native library would, on files named crash*."""
    from minerals.dataset import _REAL_MINE_ONE

    if src.key.rsplit("/", 1)[-1].startswith("crash"):
        os._exit(11)
    return _REAL_MINE_ONE(src, *args, **kwargs)


def test_a_file_that_kills_its_worker_becomes_an_errors_row(tmp_path, monkeypatch):
    import minerals.dataset as ds

    archive = _archive(tmp_path, ("000_", "001_", "004_5"))
    shutil.copy2(corpus_file("017_"), archive / "crash.txt")
    monkeypatch.setattr(ds, "_REAL_MINE_ONE", ds.mine_one, raising=False)
    monkeypatch.setattr(ds, "mine_one", _crash_on_marked_files)  # forked workers inherit the patch
    s = mine(archive, tmp_path / "out", workers=2)
    assert s.documents == 3 and s.errors == 1
    errors = minerals.open_dataset(tmp_path / "out")["errors"]
    assert list(errors["error_type"]) == ["WorkerCrashed"] and errors["path"][0].endswith("crash.txt")
    monkeypatch.undo()
    mine(archive, tmp_path / "one", workers=1)  # the other documents' rows are those of a run without the crash
    one = _tables(tmp_path / "one")
    crashed = _tables(tmp_path / "out")
    for table in TABLES:
        if table != "errors":
            rows = one[table]
            if "doc_id" in rows.columns and len(rows):
                kept = set(crashed["documents"]["doc_id"])
                rows = rows[rows["doc_id"].isin(kept)].reset_index(drop=True)
            pd.testing.assert_frame_equal(crashed[table], rows, check_dtype=False)


def test_item_table_columns_are_the_json_items():
    """Workers send the item tables as columns; row by row they are ``minerals extract``'s items."""
    from minerals.dataset import COLUMN_OF_KEY, ITEM_TABLES, Columns, document_rows

    from .conftest import corpus_file

    doc = minerals.process(corpus_file("001_"))
    rows, items = document_rows(doc), doc.to_dict()
    assert rows["documents"][0]["doc_id"] == doc.sha256
    for table in ITEM_TABLES:
        cols = rows[table]
        assert isinstance(cols, Columns) and len(cols) == len(items[table])
        as_rows = [{k: v[i] for k, v in cols.data.items()} for i in range(len(cols))]
        key = {column: k for k, column in COLUMN_OF_KEY.items()}  # the dataset's names of SQL keywords
        derived = ("doc_id", "context", "date_start", "date_end", "deadline_start", "deadline_end")
        assert [{key.get(k, k): v for k, v in r.items() if k not in derived} for r in as_rows] == items[table]
    assert len(rows["citations"]) > 5 and all(rows["citations"].data["context"])
    batch = Columns()
    batch.extend(rows["dates"])
    batch.extend(rows["dates"])
    assert len(batch) == 2 * len(rows["dates"]) and len(batch.data["value"]) == len(batch)
