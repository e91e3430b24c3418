"""An archive folder → a Parquet dataset, safely and incrementally, on this machine or a Dask cluster.

Layout: ``DATASET/<table>/part-<batch>.parquet`` for the tables of DESIGN.md, and ``DATASET/_batches/<batch>``,
written last: a batch counts only once its marker exists, so a run killed with SIGKILL leaves at most one
batch of parts without a marker, which the next run deletes before it starts. Every part is written to a
temporary name and renamed. Files are recognised by path, size and mtime (unchanged: skipped) and by content
hash (moved or duplicated: not mined again). The per-document function ``mine_one`` is the same for the
process pool and for Dask.

The archive and the dataset may also be fsspec URLs (``s3://bucket/archive``, ``memory://ds``, ``file:///x``):
archive files are listed with ``fs.find`` and streamed one at a time to a temporary local file; dataset parts
go through the filesystem object (``UrlDataset``), written straight to their final key on object stores, where
a put is atomic, and to a temporary name then moved on filesystems; the marker is still written last.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path, PurePosixPath

from .errors import MineralsError
from .models import ITEM_TABLES, _keys
from .readers import READERS

TABLES = ("documents", *ITEM_TABLES, "errors")
SUPPORTED = tuple(sorted(READERS)) + (".zip",)


def _schemas():
    import pyarrow as pa

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    span = [("start", i), ("end", i), ("page", i)]
    return {
        "documents": pa.schema([("doc_id", s), ("path", s), ("size", i), ("mtime", f), ("doc_type", s), ("number", s),
                                ("title", s), ("issuer", s), ("issuer_parent", s), ("place", s), ("issue_date", s),
                                ("signer", s), ("signer_title", s), ("recipients", s), ("pages", i), ("ocr_pages", i),
                                ("method", s), ("warnings", s)]),
        "citations": pa.schema([("doc_id", s), ("text", s), ("doc_type", s), ("number", s), ("year", i), ("date", s),
                                ("issuer", s), ("relation", s), ("id", s), *span, ("short_form", b),
                                ("issuer_normalized", s), ("jurisdiction", s), ("context", s)]),
        "named_laws": pa.schema([("doc_id", s), ("text", s), ("name", s), ("year", i), *span]),
        "dates": pa.schema([("doc_id", s), ("text", s), ("value", s), ("precision", s), *span]),
        "quantities": pa.schema([("doc_id", s), ("text", s), ("value", f), ("of", f), ("unit", s), ("kind", s),
                                 ("qualifier", s), *span]),
        "targets": pa.schema([("doc_id", s), ("text", s), ("kind", s), ("indicator", s), ("value", f), ("unit", s),
                              ("comparator", s), ("direction", s), ("deadline", i), ("actual", f), ("planned", f),
                              ("percent", f), ("from", f), ("to", f), *span]),
        "entities": pa.schema([("doc_id", s), ("text", s), ("label", s), ("normalized", s), *span]),
        "errors": pa.schema([("path", s), ("size", i), ("mtime", f), ("stage", s), ("error_type", s), ("message", s)]),
    }


@dataclass(frozen=True)
class Source:
    """A file to mine: on disk, or a member of a .zip (``key`` is then "archive.zip!member")."""

    key: str
    path: str
    member: str | None
    size: int
    mtime: float


@dataclass
class MineSummary:
    documents: int = 0
    skipped: int = 0
    pages: int = 0
    ocr_pages: int = 0
    citations: int = 0
    named_laws: int = 0
    dates: int = 0
    quantities: int = 0
    targets: int = 0
    entities: int = 0
    errors: int = 0
    seconds: float = 0.0
    bytes: int = 0
    out: str = ""
    top_cited: list[tuple[str, int]] = field(default_factory=list)


class DatasetError(MineralsError):
    stage = "dataset"


# --- walking -------------------------------------------------------------------------------------------------
def walk(archive: str | Path) -> Iterator[Path]:
    """Files minerals can read (zips included), in a stable order. Hidden files and ``gold/`` folders
    (annotations, not documents: ``corpus/gold``) are skipped."""
    archive = Path(archive)
    for path in sorted(archive.rglob("*")):
        parts = path.relative_to(archive).parts
        if path.is_file() and path.suffix.lower() in SUPPORTED and not any(p.startswith(".") or p == "gold" for p in parts):
            yield path


def sources(archive: str | Path) -> Iterator[Source | dict]:
    """Every document under ``archive`` (a folder or an fsspec URL), zip members included; an unsafe zip
    member ("../x", "/etc/x") or an unreadable zip becomes an ``errors`` row (a dict) instead."""
    if is_url(archive):
        yield from _url_sources(str(archive))
        return
    for path in walk(archive):
        st = path.stat()
        if path.suffix.lower() != ".zip":
            yield Source(str(path), str(path), None, st.st_size, st.st_mtime)
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                yield from _zip_sources(zf, str(path))
        except (zipfile.BadZipFile, OSError) as err:
            yield _error_row(str(path), st.st_size, st.st_mtime, "read", type(err).__name__, f"{path}: {err}")


def _zip_sources(zf: zipfile.ZipFile, path: str) -> Iterator[Source | dict]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        key = f"{path}!{name}"
        if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
            yield _error_row(key, info.file_size, 0.0, "read", "UnsafeZipPath",
                             f"{key}: path escapes the archive; not extracted")
            continue
        if pure.suffix.lower() not in READERS:
            continue
        mtime = dt.datetime(*info.date_time).timestamp()
        yield Source(key, path, name, info.file_size, mtime)


# --- fsspec URLs (s3://, gcs://, memory://, file://, …) ---------------------------------------------------------
def is_url(path: str | Path) -> bool:
    """An fsspec URL ("s3://bucket/x"), as opposed to a local path. (``Path`` would fold "s3://" to "s3:/".)"""
    return "://" in str(path)


def url_fs(url: str):
    """``(filesystem, path inside it)`` for an fsspec URL; a ``DatasetError`` naming the missing driver or the
    unknown protocol instead of a traceback."""
    try:
        import fsspec.core
    except ImportError as err:  # pragma: no cover - fsspec is a dependency of dask
        raise DatasetError(f"{url}: URLs need fsspec: pip install fsspec") from err
    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as err:  # a known protocol whose driver is not installed: "Install s3fs to access S3"
        raise DatasetError(f"{url}: {_first_line(err)}") from err
    except Exception as err:  # noqa: BLE001 - "Protocol not known: nosuch", a malformed URL, bad credentials
        raise DatasetError(f"{url}: cannot open this URL ({_first_line(err)})") from err


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _url_join(url: str, rel: str) -> str:
    return url.rstrip("/") + "/" + rel.lstrip("/")


def _info_mtime(info: dict) -> float:
    """The modification time an fsspec ``info`` dict gives, as a POSIX timestamp; 0.0 when the store has none
    (the incremental check then compares the content hash instead)."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "modified", "created", "ctime"):
        value = info.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, dt.datetime):
            return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).timestamp()
        if isinstance(value, (int, float)):
            return float(value)
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()
        except ValueError:
            continue
    return 0.0


def _url_walk(archive: str) -> Iterator[tuple[str, str, dict]]:
    """``(url, path in the filesystem, info)`` of the readable files under an archive URL, as ``walk`` does."""
    fs, root = url_fs(archive)
    root = root.rstrip("/")
    try:
        found = fs.find(root, detail=True)
    except Exception as err:  # noqa: BLE001 - a store's own error types: the message is what the user needs
        raise DatasetError(f"{archive}: cannot list the archive ({_first_line(err)})") from err
    for path in sorted(found):
        info = found[path]
        if info.get("type", "file") != "file":
            continue
        rel = path[len(root):].lstrip("/") if path.startswith(root) else PurePosixPath(path).name
        parts = PurePosixPath(rel).parts
        hidden = any(p.startswith(".") or p == "gold" for p in parts)
        if PurePosixPath(rel).suffix.lower() in SUPPORTED and not hidden:
            yield _url_join(archive, rel), path, info


def _url_sources(archive: str) -> Iterator[Source | dict]:
    fs, _ = url_fs(archive)
    for url, path, info in _url_walk(archive):
        size, mtime = int(info.get("size") or 0), _info_mtime(info)
        if PurePosixPath(path).suffix.lower() != ".zip":
            yield Source(url, url, None, size, mtime)
            continue
        try:  # the central directory is read with ranged reads: the zip is never downloaded whole here
            with fs.open(path, "rb") as f, zipfile.ZipFile(f) as zf:
                yield from _zip_sources(zf, url)
        except Exception as err:  # noqa: BLE001 - BadZipFile, OSError or a store's own error
            yield _error_row(url, size, mtime, "read", type(err).__name__, f"{url}: {err}")


def _download(url: str, suffix: str, tmpdir: str) -> Path:
    """Stream the file at ``url`` to a local temporary file (kept by the caller's ``tmpdir``)."""
    fs, path = url_fs(url)
    target = Path(tmpdir) / ("file" + suffix)
    with fs.open(path, "rb") as fin, target.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
    return target


def _error_row(path: str, size: int, mtime: float, stage: str, kind: str, message: str) -> dict:
    return {"path": path, "size": size, "mtime": mtime, "stage": stage, "error_type": kind, "message": message}


# --- the per-document function ------------------------------------------------------------------------------
def mine_one(src: Source) -> dict[str, list[dict]]:
    """read → clean → extract one source; the rows it adds to each table, or one ``errors`` row. Never raises."""
    from . import clean, extract, read

    tmpdir = None
    remote = is_url(src.path)
    local = None
    try:
        if src.member is None and not remote:
            doc = read(src.path)
        elif src.member is None:  # a file on a store: streamed to a temporary file, deleted after
            tmpdir = tempfile.mkdtemp(prefix="minerals-url-")
            local = _download(src.path, PurePosixPath(src.path).suffix, tmpdir)
            doc = read(local)
        else:
            tmpdir = tempfile.mkdtemp(prefix="minerals-zip-")
            target = Path(tmpdir) / ("member" + PurePosixPath(src.member).suffix)
            if remote:
                local = target
                fs, path = url_fs(src.path)
                with fs.open(path, "rb") as fz, zipfile.ZipFile(fz) as zf, zf.open(src.member) as fin, \
                        target.open("wb") as fout:
                    shutil.copyfileobj(fin, fout)
            else:
                with zipfile.ZipFile(src.path) as zf, zf.open(src.member) as fin, target.open("wb") as fout:
                    shutil.copyfileobj(fin, fout)
            doc = read(target)
        doc.path = src.key
        extract(clean(doc))
        return document_rows(doc, src)
    except MineralsError as err:
        msg = str(err).replace(str(local), src.key) if local is not None else str(err)
        return {"errors": [_error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, msg)]}
    except Exception as err:  # noqa: BLE001 - a bug on one file must not stop the archive: it becomes a row
        return {"errors": [_error_row(src.key, src.size, src.mtime, "extract", type(err).__name__, f"{src.key}: {err}")]}
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _sentence(text: str, start: int, end: int, width: int = 300) -> str:
    """The sentence around a span (up to ``width`` characters each side), for 'cited-by' listings."""
    # only the last ``width`` characters before and the ``width`` after can hold the bounds: the searches
    # stop there instead of running to the ends of the text
    lo, hi = max(0, start - width), end + width + 2
    a = max(text.rfind("\n", lo, start), text.rfind(". ", lo, start), text.rfind("; ", lo, start), start - width)
    b_candidates = [i for i in (text.find("\n", end, hi), text.find(". ", end, hi), text.find("; ", end, hi)) if i >= 0]
    b = min(b_candidates + [end + width, len(text)])
    return " ".join(text[max(a, 0) : b + 1].split()).strip(" .;")


def document_rows(doc, src: Source | None = None) -> dict[str, list[dict] | Columns]:
    """The rows one document adds to each table; every row carries ``doc_id`` (the file's sha256). The
    ``documents`` row is a dict; the item tables are ``Columns``, built from the items' fields as
    ``Document.to_dict`` prints them."""
    d = doc.to_dict(items=False)
    meta = dict(d["document"])
    meta["warnings"] = "; ".join(meta["warnings"])
    meta["recipients"] = "; ".join(meta["recipients"])
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
                data[key] = list(map(attrgetter(name), items))  # (a C loop: no bytecode per item)
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


def _empty_batch() -> dict[str, list[dict] | Columns]:
    return {t: Columns() if t in ITEM_TABLES else [] for t in TABLES}


def _arrow(rows: list[dict] | Columns, schema):
    import pyarrow as pa

    return rows.to_arrow(schema) if isinstance(rows, Columns) else pa.Table.from_pylist(rows, schema=schema)


def _warm_up() -> None:
    """Load spaCy, underthesea and every rule once, on a short real-looking text."""
    from . import clean, extract
    from .models import Document

    text = ("BÁO CÁO\nThực hiện Công văn số 2285/SLĐTBXH-LĐVL ngày 15/11/2024 của Sở Lao động - Thương binh và Xã hội "
            "tỉnh Cao Bằng, đã tư vấn cho 650 người lao động, đạt 40% kế hoạch.")
    extract(clean(Document(path="<warm-up>", sha256="", raw=text, pages=[])))


def _worker_init() -> None:
    os.environ["MINERALS_OCR_WORKERS"] = "1"  # pool workers cannot fork OCR processes of their own


def _pool_worker_init() -> None:
    """A forked pool worker: ``_worker_init``, and exit when the main process is gone. Killed with SIGKILL, the
    main process cannot stop its workers, and each would wait for work forever, holding its memory."""
    import threading

    _worker_init()
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="minerals-parent-watch", daemon=True).start()


# --- the dataset on disk ------------------------------------------------------------------------------------
class Dataset:
    """The folder of Parquet parts; knows what is committed and writes batches atomically."""

    def __new__(cls, root: str | Path):
        if cls is Dataset and is_url(root):
            cls = UrlDataset  # the same layout and guarantees through an fsspec filesystem
        return super().__new__(cls)

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.url = str(root)

    def exists(self) -> bool:
        return self.root.is_dir()

    def part_tables(self, table: str, columns: list[str] | None = None) -> list:
        """The parts of ``table`` as pyarrow Tables."""
        import pyarrow.parquet as pq

        return [pq.read_table(p, columns=columns) for p in self.parts(table)]

    def check_writable(self) -> None:
        """Fail at the start, clearly, on a read-only or full output folder."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".probe-{uuid.uuid4().hex}"
            with probe.open("wb") as f:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
            probe.unlink()
        except OSError as err:
            raise DatasetError(f"{self.root}: cannot write the dataset here ({err.strerror or err})") from err
        if shutil.disk_usage(self.root).free < 50_000_000:
            raise DatasetError(f"{self.root}: less than 50 MB free on this disk")

    def committed(self) -> set[str]:
        marks = self.root / "_batches"
        return {p.name for p in marks.iterdir()} if marks.is_dir() else set()

    def cleanup(self) -> None:
        """Delete parts of batches that never committed (a run killed in the middle of one)."""
        done = self.committed()
        for table in TABLES:
            folder = self.root / table
            if not folder.is_dir():
                continue
            for part in folder.iterdir():
                batch = part.name.removeprefix("part-").removesuffix(".parquet")
                if part.name.startswith(".") or batch not in done:
                    part.unlink(missing_ok=True)

    def parts(self, table: str) -> list[Path]:
        folder = self.root / table
        return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []

    def read(self, table: str, columns: list[str] | None = None):
        import pandas as pd
        import pyarrow as pa

        schema = _schemas()[table]
        tables = self.part_tables(table, columns)
        if not tables:
            empty = schema if columns is None else pa.schema([schema.field(c) for c in columns])
            return empty.empty_table().to_pandas()
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)

    def write_batch(self, batch: str, rows: dict[str, list[dict] | Columns]) -> None:
        import pyarrow.parquet as pq

        schemas = _schemas()
        for table in TABLES:
            if not rows.get(table):
                continue
            folder = self.root / table
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".part-{batch}.parquet.tmp"
            pq.write_table(_arrow(rows[table], schemas[table]), tmp)
            tmp.replace(folder / f"part-{batch}.parquet")
        marks = self.root / "_batches"
        marks.mkdir(exist_ok=True)
        tmp = marks / f".{batch}.tmp"
        tmp.write_text(f"{time.time()}\n")
        tmp.replace(marks / batch)

    def remove(self, paths: set[str], doc_ids: set[str]) -> None:
        """Rewrite the parts that hold rows of these paths (documents, errors) or documents (other tables)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if not paths and not doc_ids:
            return
        for table in TABLES:
            key, values = ("path", paths) if table in ("documents", "errors") else ("doc_id", doc_ids)
            if table == "documents":
                values = paths
            if not values:
                continue
            for part in self.parts(table):
                t = pq.read_table(part)
                mask = pc.is_in(t[key], value_set=pa.array(sorted(values), type=pa.string()))
                if not pc.any(mask).as_py():
                    continue
                kept = t.filter(pc.invert(mask))
                tmp = part.with_name("." + part.name + ".tmp")
                pq.write_table(kept, tmp)
                tmp.replace(part)


# protocols whose rename is atomic and whose partly written files are visible: parts go to a temporary name
# first. On object stores (s3, gcs, az, memory, …) an object appears only once completely put, so a part is
# written straight to its final key; either way the ``_batches`` marker is written last.
_RENAMING = {"file", "local", "sftp", "ssh", "smb", "hdfs", "arrow_hdfs", "webhdfs", "ftp"}


class UrlDataset(Dataset):
    """A dataset at an fsspec URL (``s3://bucket/dataset``, ``memory://ds``, ``file:///shared/ds``)."""

    def __init__(self, root: str | Path):
        self.url = str(root)
        self.fs, path = url_fs(self.url)
        self.path = path.rstrip("/") or path
        self.root = PurePosixPath(self.path)
        protocols = self.fs.protocol if isinstance(self.fs.protocol, (tuple, list)) else (self.fs.protocol,)
        self.renaming = bool(set(protocols) & _RENAMING)

    def _join(self, *names: str) -> str:
        return "/".join([self.path.rstrip("/"), *names])

    def _fail(self, what: str, err: Exception) -> DatasetError:
        return DatasetError(f"{self.url}: {what} ({getattr(err, 'strerror', None) or _first_line(err)})")

    def exists(self) -> bool:
        try:
            return bool(self.fs.isdir(self.path))
        except Exception as err:  # noqa: BLE001 - a store's own error types
            raise self._fail("cannot read the dataset here", err) from err

    def check_writable(self) -> None:
        try:
            self.fs.makedirs(self.path, exist_ok=True)
            probe = self._join(f".probe-{uuid.uuid4().hex}")
            with self.fs.open(probe, "wb") as f:
                f.write(b"\0" * 65536)
            self.fs.rm(probe)
        except Exception as err:  # noqa: BLE001 - PermissionError, a store's own error types
            raise self._fail("cannot write the dataset here", err) from err

    def _names(self, folder: str) -> list[str]:
        try:
            if not self.fs.isdir(folder):
                return []
            return sorted(PurePosixPath(p.rstrip("/")).name for p in self.fs.ls(folder, detail=False))
        except FileNotFoundError:
            return []

    def committed(self) -> set[str]:
        return set(self._names(self._join("_batches")))

    def cleanup(self) -> None:
        done = self.committed()
        for table in TABLES:
            for name in self._names(self._join(table)):
                batch = name.removeprefix("part-").removesuffix(".parquet")
                if name.startswith(".") or batch not in done:
                    self.fs.rm(self._join(table, name))

    def parts(self, table: str) -> list[str]:
        return [self._join(table, n) for n in self._names(self._join(table))
                if n.startswith("part-") and n.endswith(".parquet")]

    def part_tables(self, table: str, columns: list[str] | None = None) -> list:
        import pyarrow.parquet as pq

        return [pq.read_table(p, columns=columns, filesystem=self.fs) for p in self.parts(table)]

    def _put_table(self, table, final: str) -> None:
        import pyarrow.parquet as pq

        target = final
        if self.renaming:
            folder, name = final.rsplit("/", 1)
            target = f"{folder}/.{name}.tmp"
        with self.fs.open(target, "wb") as f:
            pq.write_table(table, f)
        if target != final:
            self.fs.mv(target, final)

    def write_batch(self, batch: str, rows: dict[str, list[dict] | Columns]) -> None:
        schemas = _schemas()
        try:
            for table in TABLES:
                if not rows.get(table):
                    continue
                self.fs.makedirs(self._join(table), exist_ok=True)
                self._put_table(_arrow(rows[table], schemas[table]),
                                self._join(table, f"part-{batch}.parquet"))
            self.fs.makedirs(self._join("_batches"), exist_ok=True)
            mark = self._join("_batches", batch)
            data = f"{time.time()}\n".encode()
            if self.renaming:
                self.fs.pipe_file(self._join("_batches", f".{batch}.tmp"), data)
                self.fs.mv(self._join("_batches", f".{batch}.tmp"), mark)
            else:
                self.fs.pipe_file(mark, data)
        except OSError:
            raise
        except Exception as err:  # noqa: BLE001 - a store's own error types: the batch never committed
            raise OSError(_first_line(err)) from err

    def remove(self, paths: set[str], doc_ids: set[str]) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        if not paths and not doc_ids:
            return
        for table in TABLES:
            key, values = ("path", paths) if table in ("documents", "errors") else ("doc_id", doc_ids)
            if not values:
                continue
            for part in self.parts(table):
                t = pq.read_table(part, filesystem=self.fs)
                mask = pc.is_in(t[key], value_set=pa.array(sorted(values), type=pa.string()))
                if not pc.any(mask).as_py():
                    continue
                self._put_table(t.filter(pc.invert(mask)), part)


# --- the run -------------------------------------------------------------------------------------------------
def mine(
    archive: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    engine: str = "process",
    scheduler: str | None = None,
    batch_size: int = 256,
    batch_seconds: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> MineSummary:
    """Mine every readable file under ``archive`` into ``out`` (see the module doc). A batch commits after
    ``batch_size`` documents or ``batch_seconds``, whichever comes first: big batches of fast text documents
    (each part file costs the main process a fixed overhead; fewer, larger parts query faster), and a kill
    during slow OCR still loses at most ``batch_seconds`` of work. ``progress(done, total)`` is called after
    each committed batch."""
    archive = str(archive) if is_url(archive) else Path(archive)
    out = str(out) if is_url(out) else Path(out)
    if isinstance(archive, str):
        fs, path = url_fs(archive)
        try:
            is_dir = fs.isdir(path)
        except Exception as err:  # noqa: BLE001 - a store's own error types (credentials, network)
            raise DatasetError(f"{archive}: cannot read the archive ({_first_line(err)})") from err
        if not is_dir:
            raise DatasetError(f"{archive}: not a folder")
    elif not archive.is_dir():
        raise DatasetError(f"{archive}: not a folder")
    ds = Dataset(out)
    ds.check_writable()
    ds.cleanup()
    t0 = time.perf_counter()
    summary = MineSummary(out=str(out))

    known = ds.read("documents", ["doc_id", "path", "size", "mtime"])
    errors = ds.read("errors", ["path", "size", "mtime"])
    by_path = {r.path: (r.doc_id, r.size, r.mtime) for r in known.itertuples()}
    err_by_path = {r.path: (r.size, r.mtime) for r in errors.itertuples()}
    doc_ids = set(known["doc_id"])

    todo: list[Source] = []
    pending_rows = _empty_batch()
    seen: set[str] = set()
    stale_paths: set[str] = set()
    for src in sources(archive):
        if isinstance(src, dict):  # a bad zip member or zip
            seen.add(src["path"])
            if err_by_path.get(src["path"]) != (src["size"], src["mtime"]):
                stale_paths.add(src["path"])
                pending_rows["errors"].append(src)
            continue
        seen.add(src.key)
        old = by_path.get(src.key)
        if old and (old[1], old[2]) == (src.size, src.mtime):
            if src.mtime or not is_url(src.path) or src.member is not None or _sha256(src) == old[0]:
                summary.skipped += 1  # (a store without modification times: the same size and content)
                continue
        if err_by_path.get(src.key) == (src.size, src.mtime):
            summary.skipped += 1
            continue
        if old or src.key in err_by_path:
            stale_paths.add(src.key)  # changed since last run: its old rows go
        todo.append(src)
    gone = {p for p in list(by_path) + list(err_by_path) if p not in seen}
    stale_paths |= gone
    hashes = {src.key: _sha256(src) for src in todo}
    # a document keeps its rows while some path still holds its content (a moved or copied file)
    live_ids = {v[0] for p, v in by_path.items() if p not in stale_paths} | (set(hashes.values()) & doc_ids)
    stale_ids = {v[0] for p, v in by_path.items() if p in stale_paths} - live_ids
    ds.remove(stale_paths, stale_ids)
    doc_ids = doc_ids - stale_ids

    run = uuid.uuid4().hex[:8]
    n_batch = 0

    def commit(rows: dict[str, list[dict]]) -> None:
        nonlocal n_batch
        if not any(rows.values()):
            return
        _count(summary, rows)
        try:
            ds.write_batch(f"{run}-{n_batch:06d}", rows)
        except OSError as err:  # disk full, folder gone read-only: the batch never commits, earlier ones stand
            raise DatasetError(f"{out}: cannot write batch {n_batch} ({err.strerror or err}); "
                               f"{summary.documents} documents committed before it are kept") from err
        n_batch += 1

    if any(pending_rows.values()):
        commit(pending_rows)
    total = len(todo)
    done = 0
    for batch_rows in _run(todo, hashes, doc_ids, workers=workers, engine=engine, scheduler=scheduler,
                           batch_size=batch_size, batch_seconds=batch_seconds):
        commit(batch_rows)
        done += sum(1 for _ in batch_rows.get("documents", [])) + sum(1 for _ in batch_rows.get("errors", []))
        if progress:
            progress(min(done, total), total)
    summary.seconds = time.perf_counter() - t0
    cites = ds.read("citations", ["number"])
    summary.top_cited = list(cites["number"].value_counts().head(5).items()) if len(cites) else []
    return summary


def _count(summary: MineSummary, rows: dict[str, list[dict]]) -> None:
    known = [r for r in rows.get("documents", []) if r.pop("_known", False)]
    summary.skipped += len(known)  # moved or duplicated: recognised by content, not mined again
    docs = [r for r in rows.get("documents", []) if r not in known]
    summary.documents += len(docs)
    summary.pages += sum(r["pages"] or 0 for r in docs)
    summary.ocr_pages += sum(r["ocr_pages"] or 0 for r in docs)
    summary.bytes += sum(r["size"] or 0 for r in docs)
    for table in ("citations", "named_laws", "dates", "quantities", "targets", "entities", "errors"):
        setattr(summary, table, getattr(summary, table) + len(rows.get(table, [])))


def _sha256(src: Source) -> str | None:
    """The content hash of a file on disk (zip members are hashed when read)."""
    import hashlib

    if src.member is not None:
        return None
    h = hashlib.sha256()
    if is_url(src.path):
        fs, path = url_fs(src.path)
        opened = fs.open(path, "rb")
    else:
        opened = open(src.path, "rb")
    with opened as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _run(todo: list[Source], hashes: dict[str, str | None], known_ids: set[str], *, workers, engine, scheduler,
         batch_size, batch_seconds=float("inf")) -> Iterator[dict]:
    """Rows per batch of at most ``batch_size`` documents or ``batch_seconds`` of mining; a file whose content
    is already in the dataset (moved or duplicated) gets a documents row without being mined again."""
    to_mine: list[Source] = []
    dup_rows: list[dict] = []
    for src in todo:
        sha = hashes.get(src.key)
        if sha is not None and sha in known_ids:
            dup_rows.append({"doc_id": sha, "path": src.key, "size": src.size, "mtime": src.mtime, "pages": 0,
                             "ocr_pages": 0, "_known": True})
            continue
        to_mine.append(src)
    if dup_rows:
        yield {"documents": dup_rows}
    results = _results(to_mine, workers=workers, engine=engine, scheduler=scheduler, batch_size=batch_size)
    batch = _empty_batch()
    count = 0
    opened = time.monotonic()
    seen_ids: set[str] = set(known_ids)
    for rows in results:
        docs = rows.get("documents", [])
        if docs and docs[0]["doc_id"] in seen_ids:  # the same content twice in this run: one set of rows
            rows = {"documents": docs}
        for d in docs:
            seen_ids.add(d["doc_id"])
        for table, items in rows.items():
            batch[table].extend(items)
        count += 1
        if count >= batch_size or time.monotonic() - opened >= batch_seconds:
            yield batch
            batch, count, opened = _empty_batch(), 0, time.monotonic()
    if count:
        yield batch


WORKER_DOCS = 2000  # documents a pool worker mines before fresh workers are forked in their place
CHUNK_DOCS = 8  # text files sent to a worker together: one task, one result message, for all of them
CHUNK_MAX_BYTES = 200_000  # a larger text goes alone, as a PDF or Word file does
_TEXT_SUFFIXES = frozenset(s for s, reader in READERS.items() if reader is READERS[".txt"])


def _chunks(srcs: list[Source]) -> list[list[Source]]:
    """Consecutive sources, in order, as the tasks of the pool: up to CHUNK_DOCS small text files together
    (each costs the main process a task and a result message: 0.9 → 0.7 ms of its CPU a document with 8,
    bench/bench_mine.py); a PDF, Word file or large text alone, so one slow file never holds up others."""
    out: list[list[Source]] = []
    chunk: list[Source] = []
    for src in srcs:
        small = PurePosixPath(src.member or src.path).suffix.lower() in _TEXT_SUFFIXES and src.size <= CHUNK_MAX_BYTES
        if chunk and (not small or len(chunk) >= CHUNK_DOCS):
            out.append(chunk)
            chunk = []
        chunk.append(src)
        if not small:
            out.append(chunk)
            chunk = []
    if chunk:
        out.append(chunk)
    return out


def _mine_chunk(srcs: list[Source]) -> list[dict]:
    return [mine_one(src) for src in srcs]


def _results(to_mine: list[Source], *, workers, engine, scheduler, batch_size) -> Iterator[dict]:
    if not to_mine:
        return
    if engine == "dask":
        yield from _dask_results(to_mine, workers=workers, scheduler=scheduler, batch_size=batch_size)
        return
    if engine != "process":
        raise DatasetError(f"unknown engine {engine!r}; valid: process, dask")
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        _worker_init()
        for src in to_mine:
            yield mine_one(src)
        return
    _warm_up()  # forked workers inherit the loaded models and compiled rules instead of loading their own
    yield from _pool_results(to_mine, workers)


def _pool_results(to_mine: list[Source], workers: int) -> Iterator[dict]:
    """``mine_one`` over ``to_mine`` in forked worker processes, in order.

    Fresh workers every WORKER_DOCS documents each: spaCy's vocabulary and the rule caches grow with every new
    word and number, so a long-lived worker's memory would grow with the archive (bench/bench_mine.py).
    ProcessPoolExecutor, not multiprocessing.Pool: Pool's worker-handler thread also waits on the result pipe,
    so it spins while each result waits to be read, taking the main process's GIL from the thread that reads
    it (py-spy: 15% of the main process's busy time). A worker that dies (a crash in a native library, the
    kernel's out-of-memory killer) breaks the pool: the document first in line is mined again alone, and
    becomes an ``errors`` row if it kills that worker too; the run goes on."""
    import gc
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    fork = mp.get_context("fork")
    segment = WORKER_DOCS * workers
    i = 0
    try:
        while i < len(to_mine):
            # the loaded models are shared with the forked workers page by page; a garbage collection in this
            # process would write to every object's header and copy those pages (Python's gc.freeze docs)
            gc.freeze()
            pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_pool_worker_init)
            try:
                for chunk_rows in pool.map(_mine_chunk, _chunks(to_mine[i : i + segment])):
                    for rows in chunk_rows:
                        yield rows
                        i += 1
            except BrokenProcessPool:
                src = to_mine[i]  # the first document without a result: it, or one beside it, killed a worker
                alone = ProcessPoolExecutor(1, mp_context=fork, initializer=_pool_worker_init)
                try:
                    rows = alone.submit(mine_one, src).result()
                except BrokenProcessPool:
                    rows = {"errors": [_error_row(src.key, src.size, src.mtime, "extract", "WorkerCrashed",
                                                  f"{src.key}: the worker process mining it died (a crash, or "
                                                  "killed for memory)")]}
                finally:
                    alone.shutdown(wait=True)
                yield rows
                i += 1
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        gc.unfreeze()  # a library caller's later garbage is collected as before


def _dask_results(to_mine: list[Source], *, workers, scheduler, batch_size) -> Iterator[dict]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - dask is a dependency
        raise DatasetError("--engine dask needs dask[distributed]: pip install 'dask[distributed]'") from err
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        client.run(_worker_init)
        for i in range(0, len(to_mine), batch_size):
            futures = client.map(mine_one, to_mine[i : i + batch_size], pure=False)
            yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def open_dataset(path: str | Path) -> dict:
    """The tables of a mined dataset as pandas DataFrames, by name."""
    ds = Dataset(path)
    if not ds.exists():
        raise DatasetError(f"{path}: no dataset here (run `minerals mine ARCHIVE --out {path}` first)")
    return {table: ds.read(table) for table in TABLES}

