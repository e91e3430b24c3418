"""An archive folder → a Parquet dataset, safely and incrementally, on this machine or a Dask cluster.

The dataset on disk, its manifest, lock and atomic commits are ``store.Store``'s; this module walks the archive
(every path a document or an ``errors`` row), mines each document (``mine_one``, the same for the process pool
and for Dask) and commits batches: a batch's new rows together with the removal of the old rows of the files it
re-mined. Files are recognised by path, size and mtime (unchanged: skipped) and by content hash (moved or
duplicated: not mined again). The archive may be an fsspec URL (``s3://bucket/archive``): its files are listed
with ``fs.find`` and streamed one at a time to a temporary local file.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import stat
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter
from pathlib import Path, PurePosixPath

from .errors import MineralsError, OutOfMemoryError
from .limits import DEFAULT as DEFAULT_LIMITS, Limits, memory_ceiling
from .models import ITEM_TABLES, _keys
from .readers import READERS
from .store import MANIFEST, DatasetError, Store, first_line as _first_line, is_url, url_fs

TABLES = ("documents", *ITEM_TABLES, "errors")
SUPPORTED = tuple(sorted(READERS)) + (".zip",)


# the dataset's names for the JSON keys of ``minerals extract`` that are SQL keywords (DuckDB reserves
# ``end``, ``from`` and ``to``: ``SELECT start, end FROM dates`` did not parse); the JSON keeps its names
COLUMN_OF_KEY = {"start": "start_offset", "end": "end_offset", "from": "value_from", "to": "value_to"}
# the printed date value of a table and the prefix of the two date columns beside it (its first, last day)
DATE_VALUES = {"citations": ("date", "date"), "dates": ("value", "date"), "targets": ("deadline", "deadline")}


def _schemas():
    """The Arrow schema of each table as it is stored (``documents``: one row per path; ``schemas`` gives the
    tables as ``open_dataset`` and ``query`` present them). docs/dataset.md describes every column."""
    import pyarrow as pa

    s, i, f, b, d = pa.string(), pa.int64(), pa.float64(), pa.bool_(), pa.date32()
    ls = pa.list_(s)
    span = [("start_offset", i), ("end_offset", i), ("page", i), ("section", s)]
    furniture = pa.list_(pa.struct([("start_offset", i), ("end_offset", i), ("kind", s)]))
    return {
        "documents": pa.schema([("doc_id", s), ("path", s), ("size", i), ("mtime", f), ("doc_type", s), ("number", s),
                                ("id", s), ("title", s), ("issuer", s), ("issuer_parent", s), ("jurisdiction", s),
                                ("place", s), ("issue_date", d), ("issue_date_end", d), ("issue_date_text", s),
                                ("signer", s), ("signer_title", s), ("recipients", ls), ("pages", i), ("ocr_pages", i),
                                ("method", s), ("warnings", ls), ("furniture", furniture)]),
        "citations": pa.schema([("doc_id", s), ("text", s), ("doc_type", s), ("number", s), ("year", i), ("date", s),
                                ("date_start", d), ("date_end", d),
                                ("issuer", s), ("relation", s), ("id", s), *span, ("short_form", b),
                                ("issuer_normalized", s), ("jurisdiction", s), ("context", s), ("acts_on", s), ("acts_as", s),
                                ("type_word", s)]),
        "named_laws": pa.schema([("doc_id", s), ("text", s), ("name", s), ("year", i), *span]),
        "dates": pa.schema([("doc_id", s), ("text", s), ("value", s), ("precision", s), ("date_start", d),
                            ("date_end", d), *span]),
        "quantities": pa.schema([("doc_id", s), ("text", s), ("value", f), ("of", f), ("unit", s), ("kind", s),
                                 ("qualifier", s), *span]),
        "targets": pa.schema([("doc_id", s), ("text", s), ("kind", s), ("indicator", s), ("value", f), ("unit", s),
                              ("comparator", s), ("direction", s), ("deadline", i), ("deadline_start", d),
                              ("deadline_end", d), ("actual", f), ("planned", f),
                              ("percent", f), ("value_from", f), ("value_to", f), *span, ("value_max", f)]),
        "entities": pa.schema([("doc_id", s), ("text", s), ("label", s), ("normalized", s), *span]),
        "errors": pa.schema([("path", s), ("size", i), ("mtime", f), ("stage", s), ("error_type", s), ("message", s)]),
    }


def schemas():
    """The Arrow schema of each table as ``open_dataset`` and ``minerals query`` present it: ``documents`` has
    one row per document (per content hash, ``doc_id``) with every path it lies at in ``paths``; ``files`` one
    row per path. (``mentions``, a view of every item with its document, is ``query.connect``'s.)"""
    import pyarrow as pa

    out = _schemas()
    docs = out["documents"]
    out["documents"] = docs.append(pa.field("paths", pa.list_(pa.string())))
    out["files"] = pa.schema([docs.field(n) for n in ("path", "doc_id", "size", "mtime")])
    return out


@dataclass(frozen=True)
class Source:
    """A file to mine: on disk, or a member of a .zip (``key`` is then "archive.zip!member")."""

    key: str
    path: str
    member: str | None
    size: int
    mtime: float
    member_index: int | None = None  # the member's place in the zip: names can repeat


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
    warnings: list[str] = field(default_factory=list)


# --- walking -------------------------------------------------------------------------------------------------
def _skipped(name: str) -> bool:
    """Hidden files and ``gold/`` folders (annotations, not documents: ``corpus/gold``) are not walked."""
    return name.startswith(".") or name == "gold"


def walk(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Path]:
    """Files minerals can read (zips included), in a stable order (see ``walk_rows``, which also says why
    each path it cannot mine is passed over)."""
    for item in walk_rows(archive, exclude):
        if isinstance(item, Path):
            yield item


def walk_rows(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Path | dict]:
    """Every path under ``archive`` in name order: a readable file as a ``Path``, a path that cannot be mined
    as an ``errors`` row: an unreadable folder, a special file (FIFO, device), a dangling or looping symlink, a
    symlink leaving the archive or to a folder (not followed). The folder ``exclude`` (the dataset being
    written) and any other minerals dataset inside the archive are not walked."""
    root = Path(archive)
    real_root = os.path.realpath(root)
    skip = {os.path.realpath(exclude)} if exclude is not None else set()

    def row(path: str, kind: str, why: str) -> dict:
        return _error_row(path, 0, 0.0, "read", kind, f"{path}: {why}")

    def visit(folder: str) -> Iterator[Path | dict]:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            yield row(folder, type(err).__name__, f"folder cannot be read ({err.strerror or err})")
            return
        for e in entries:
            if _skipped(e.name):
                continue
            path = os.path.join(folder, e.name)
            suffix = os.path.splitext(e.name)[1].lower()
            supported = suffix in SUPPORTED or not suffix  # a file without a suffix is read by its content
            try:
                if e.is_symlink():
                    target = os.path.realpath(path)
                    try:
                        st = os.stat(path)
                    except OSError as err:
                        kind = "SymlinkLoop" if err.errno == errno.ELOOP else "DanglingSymlink"
                        yield row(path, kind, f"symlink that leads nowhere ({err.strerror}); not followed")
                        continue
                    if os.path.commonpath([real_root, target]) != real_root:
                        yield row(path, "SymlinkOutside", "symlink leaving the archive; not followed")
                    elif stat.S_ISDIR(st.st_mode):
                        yield row(path, "SymlinkToFolder", "symlink to a folder; not followed (its files are "
                                  "mined where they lie)")
                    elif supported and stat.S_ISREG(st.st_mode):
                        yield Path(path)
                    elif supported:
                        yield row(path, "SpecialFile", "not a regular file")
                    continue
                if e.is_dir(follow_symlinks=False):
                    if os.path.realpath(path) in skip or os.path.exists(os.path.join(path, MANIFEST)):
                        continue  # the dataset being written, or another one: minerals' output, not documents
                    yield from visit(path)
                elif supported and e.is_file(follow_symlinks=False):
                    yield Path(path)
                elif supported:
                    yield row(path, "SpecialFile", "not a regular file (a FIFO, socket or device); not read")
            except OSError as err:  # vanished while walking
                yield row(path, type(err).__name__, f"cannot be read ({err.strerror or err})")

    if os.path.realpath(root) in skip:
        return
    for item in visit(str(root)):
        yield Path(os.path.normpath(item)) if isinstance(item, Path) else item


def sources(archive: str | Path, exclude: str | Path | None = None) -> Iterator[Source | dict]:
    """Every document under ``archive`` (a folder or an fsspec URL), zip members included; a path that cannot
    be mined (an unsafe or nested zip member, an unreadable zip, see ``walk_rows``) becomes an ``errors`` row
    (a dict) instead. Keys are unique: a repeated zip member name gets "#2", "#3"."""
    seen: set[str] = set()
    items = _url_sources(str(archive)) if is_url(archive) else _local_sources(archive, exclude)
    for item in items:
        if isinstance(item, Source):
            key, n = item.key, 1
            while key in seen:
                n += 1
                key = f"{item.key}#{n}"
            if key != item.key:
                item = Source(key, item.path, item.member, item.size, item.mtime, item.member_index)
            seen.add(key)
        yield item


def _local_sources(archive, exclude) -> Iterator[Source | dict]:
    for path in walk_rows(archive, exclude):
        if isinstance(path, dict):
            yield path
            continue
        try:
            st = path.stat()
        except OSError as err:  # gone since the walk
            yield _error_row(str(path), 0, 0.0, "read", type(err).__name__, f"{path}: {err.strerror or err}")
            continue
        if path.suffix.lower() != ".zip":
            yield Source(str(path), str(path), None, st.st_size, st.st_mtime)
            continue
        try:
            with zipfile.ZipFile(path) as zf:
                yield from _zip_sources(zf, str(path))
        except (zipfile.BadZipFile, OSError) as err:
            yield _error_row(str(path), st.st_size, st.st_mtime, "read", type(err).__name__, f"{path}: {err}")


def _zip_sources(zf: zipfile.ZipFile, path: str) -> Iterator[Source | dict]:
    for index, info in enumerate(zf.infolist()):
        if info.is_dir():
            continue
        name = info.filename
        pure = PurePosixPath(name.replace("\\", "/"))
        key = f"{path}!{name}"
        if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
            yield _error_row(key, info.file_size, 0.0, "read", "UnsafeZipPath",
                             f"{key}: path escapes the archive; not extracted")
            continue
        if pure.suffix.lower() == ".zip":
            yield _error_row(key, info.file_size, 0.0, "read", "NestedZip", f"{key}: a zip inside a zip; not opened")
            continue
        if pure.suffix.lower() not in READERS:
            continue
        mtime = dt.datetime(*info.date_time).timestamp()
        yield Source(key, path, name, info.file_size, mtime, index)


# --- fsspec URLs (s3://, gcs://, memory://, file://, …) ---------------------------------------------------------
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
DOC_SECONDS = 600.0  # a document still mining after this long becomes an errors row (DocumentTimeout)


class DocumentTimeout(MineralsError):
    stage = "extract"


def _on_alarm(signum, frame):
    raise DocumentTimeout(f"still mining after {DOC_SECONDS:g} s; passed over")


def mine_one(src: Source, limits: Limits = DEFAULT_LIMITS) -> dict[str, list[dict]]:
    """read → clean → extract one source within ``limits``; the rows it adds to each table, or one ``errors``
    row. Never raises. In a process's main thread (pool workers, one-process runs) a document gets at most
    DOC_SECONDS and at most ``limits.doc_memory`` more memory (``limits.memory_ceiling``; the limit is the
    process's, so not in threads)."""
    import contextlib
    import signal
    import threading

    main = threading.current_thread() is threading.main_thread()
    timed = main and DOC_SECONDS > 0
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, DOC_SECONDS)
    try:
        with memory_ceiling(limits.doc_memory) if main else contextlib.nullcontext():
            try:
                return _mine_one(src, limits)
            except MemoryError:  # raised outside _mine_one's handlers (while they built a row); memory is back now
                err = OutOfMemoryError(src.key, limits.doc_memory)
                return {"errors": [_error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, str(err))]}
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _mine_one(src: Source, limits: Limits) -> dict[str, list[dict]]:
    from . import clean, extract, read

    tmpdir = None
    remote = is_url(src.path)
    local = None
    try:
        if src.member is None and not remote:
            doc = read(src.path, limits=limits)
        elif src.member is None:  # a file on a store: streamed to a temporary file, deleted after
            tmpdir = tempfile.mkdtemp(prefix="minerals-url-")
            local = _download(src.path, PurePosixPath(src.path).suffix, tmpdir)
            doc = read(local, limits=limits)
        else:
            tmpdir = tempfile.mkdtemp(prefix="minerals-zip-")
            target = Path(tmpdir) / ("member" + PurePosixPath(src.member).suffix)
            local = target
            if remote:
                fs, path = url_fs(src.path)
                with fs.open(path, "rb") as fz, zipfile.ZipFile(fz) as zf:
                    _extract_member(zf, src, target, limits)
            else:
                with zipfile.ZipFile(src.path) as zf:
                    _extract_member(zf, src, target, limits)
            doc = read(target, limits=limits)
        doc.path = src.key
        extract(clean(doc))
        return document_rows(doc, src)
    except DocumentTimeout as err:
        return {"errors": [_error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__,
                                      f"{src.key}: {err}")]}
    except MemoryError:
        err = OutOfMemoryError(src.key, limits.doc_memory)
        return {"errors": [_error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, str(err))]}
    except MineralsError as err:
        msg = str(err).replace(str(local), src.key) if local is not None else str(err)
        return {"errors": [_error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, msg)]}
    except Exception as err:  # noqa: BLE001 - a bug on one file must not stop the archive: it becomes a row
        return {"errors": [_error_row(src.key, src.size, src.mtime, "extract", type(err).__name__, f"{src.key}: {err}")]}
    finally:
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _member_limit(name: str, limits: Limits = DEFAULT_LIMITS) -> int:
    """The most bytes a zip member may hold: the limit its reader puts on a file on disk."""
    suffix = PurePosixPath(name.lower()).suffix
    return {".pdf": limits.pdf_bytes, ".docx": limits.office_bytes, ".doc": limits.office_bytes}.get(
        suffix, limits.text_bytes)


def _extract_member(zf: zipfile.ZipFile, src: Source, target: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Copy one member to ``target``, refusing it once either its declared or its actual size passes the
    limit (a zip bomb is never written out whole)."""
    from .errors import FileTooLargeError

    info = zf.infolist()[src.member_index] if src.member_index is not None else zf.getinfo(src.member)
    limit = _member_limit(src.member, limits)
    if info.file_size > limit:
        raise FileTooLargeError(src.key, info.file_size, limit)
    written = 0
    with zf.open(info) as fin, target.open("wb") as fout:
        while chunk := fin.read(1 << 20):
            written += len(chunk)
            if written > limit:
                raise FileTooLargeError(src.key, written, limit)
            fout.write(chunk)


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
    ``Document.to_dict`` prints them (a key that is an SQL keyword renamed, ``COLUMN_OF_KEY``), with the
    first and last day of each date value (``date_start``, ``date_end``: ``extract.dates.bounds``)."""
    from .extract.dates import bounds
    from .resolve import document_id, document_jurisdiction

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


def _empty_batch() -> dict[str, list[dict] | Columns]:
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


def _tables_of(rows: dict[str, list[dict] | Columns], summary=None) -> dict:
    """A batch's rows as pyarrow Tables. A value its column cannot hold ("Có 9999999999999999999 người") is
    stored as a float or null, with a warning on its document's row and in the summary, never a failed batch."""
    import pyarrow as pa

    schemas = _schemas()
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
    progress: Callable[[str, int, int | None], None] | None = None,
    prune: bool = False,
    repair: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> MineSummary:
    """Mine every readable file under ``archive`` into ``out`` (see the module doc). A batch commits after
    ``batch_size`` documents or ``batch_seconds``, whichever comes first: big batches of fast text documents
    (each part file costs the main process a fixed overhead; fewer, larger parts query faster), and a kill
    during slow OCR still loses at most ``batch_seconds`` of work. ``progress(stage, done, total)`` follows
    the run: ("scan", files found so far, None) while the archive is walked, ("hash", files hashed, files to
    hash), then ("mine", documents done, documents to mine) as each document comes back from the workers.
    ``limits`` (``minerals.limits``) bounds what one document may take. Rows of files outside ``archive`` are
    kept (one dataset can hold several archives); ``prune`` also drops the rows of files that no longer exist anywhere; ``repair`` first drops damaged parts
    (``Store.repair``), so that their files are mined again."""
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
    ds = Store(out)
    try:
        ds.open_for_writing()  # refuses a folder that is not a dataset; takes the lock; clears a killed run's files
    except OSError as err:  # a table folder that is not writable, a lock that cannot be written
        raise DatasetError(f"{out}: cannot write the dataset here ({err.strerror or err})") from err
    try:
        if repair:
            ds.repair()
        ds.check_all()
        return _mine_into(ds, archive, out, workers=workers, engine=engine, scheduler=scheduler,
                          batch_size=batch_size, batch_seconds=batch_seconds, progress=progress, prune=prune,
                          limits=limits)
    finally:
        ds.release()


def _under(key: str, archive) -> bool:
    """Whether a row's path lies in ``archive`` (rows of files mined from elsewhere are kept)."""
    path = key.split("!", 1)[0] if not is_url(key) else key
    if is_url(archive) or is_url(path):
        return str(path).startswith(str(archive).rstrip("/") + "/")
    return Path(path).is_relative_to(archive)


def _still_there(key: str) -> bool:
    path = key.split("!", 1)[0]
    if is_url(path):
        fs, inner = url_fs(path)
        return bool(fs.exists(inner))
    return os.path.exists(path)


def _mine_into(ds: Store, archive, out, *, workers, engine, scheduler, batch_size, batch_seconds, progress,
               prune, limits=DEFAULT_LIMITS) -> MineSummary:
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
    shown = time.monotonic()
    for src in sources(archive, exclude=None if is_url(out) else out):
        if progress and time.monotonic() - shown >= 0.1:  # (a call per file would cost more than the walk)
            progress("scan", len(seen), None)
            shown = time.monotonic()
        if isinstance(src, dict):  # a path that cannot be mined: an unsafe zip member, a loop, a special file…
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
            stale_paths.add(src.key)  # changed since last run: its old rows go when its new rows commit
        todo.append(src)
    gone = {p for p in list(by_path) + list(err_by_path)
            if p not in seen and (_under(p, archive) or (prune and not _still_there(p)))}
    hashes: dict[str, str | None] = {}
    for n, src in enumerate(list(todo)):
        if progress and time.monotonic() - shown >= 0.1:
            progress("hash", n, len(todo))
            shown = time.monotonic()
        try:
            hashes[src.key] = _sha256(src)
        except OSError as err:  # unreadable, or gone since the walk: a row, and the run goes on
            todo.remove(src)
            pending_rows["errors"].append(_error_row(src.key, src.size, src.mtime, "read", type(err).__name__,
                                                     f"{src.key}: {err.strerror or err}"))
    # a document keeps its rows while some path still holds its content (a moved or copied file)
    removed = stale_paths | gone
    live_ids = {v[0] for p, v in by_path.items() if p not in removed} | (set(hashes.values()) & doc_ids)
    stale_ids = {v[0] for p, v in by_path.items() if p in removed} - live_ids
    doc_ids = doc_ids - stale_ids
    # the old rows of a path go in the commit that adds its new rows; a stale document's items go with the
    # last of its paths, so that a kill at any instant leaves each file's old rows or its new ones
    refs: dict[str, int] = {}
    for p in removed:
        if p in by_path and by_path[p][0] in stale_ids:
            refs[by_path[p][0]] = refs.get(by_path[p][0], 0) + 1
    waiting = set(stale_paths)

    run = uuid.uuid4().hex[:8]
    n_batch = 0

    def commit(rows: dict[str, list[dict]], drop: set[str]) -> None:
        nonlocal n_batch
        drop = set(drop)
        if not any(rows.values()) and not drop:
            return
        ids = set()
        for p in drop:
            doc = by_path.get(p)
            if doc and doc[0] in refs:
                refs[doc[0]] -= 1
                if not refs[doc[0]]:
                    ids.add(doc[0])
        tables = _tables_of(rows, summary)
        try:
            ds.commit(f"{run}-{n_batch:06d}", tables, drop, ids)
        except OSError as err:  # disk full, folder gone read-only: the batch never commits, earlier ones stand
            raise DatasetError(f"{out}: cannot write batch {n_batch} ({err.strerror or err}); "
                               f"{summary.documents} documents committed before it are kept") from err
        _count(summary, rows)
        n_batch += 1

    total = len(todo)
    done = 0

    def tick(n: int) -> None:  # a document done: mined, passed over as an errors row, or known by its content
        nonlocal done
        done += n
        if progress:
            progress("mine", min(done, total), total)

    if progress:
        progress("mine", 0, total)
    for i, batch_rows in enumerate(_run(todo, hashes, doc_ids, workers=workers, engine=engine, scheduler=scheduler,
                                        batch_size=batch_size, batch_seconds=batch_seconds, first=pending_rows,
                                        tick=tick, limits=limits, copies=lambda ids: _documents_of(ds, ids))):
        paths = {r["path"] for r in batch_rows.get("documents", [])} | {r["path"] for r in batch_rows.get("errors", [])}
        # the first commit also drops the rows of files gone from the archive (moved ones: with their new row)
        commit(batch_rows, (waiting & paths) | (gone if i == 0 else set()))
        waiting -= paths
    commit(_empty_batch(), waiting)  # (nothing is left here unless a file gave no row at all)
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
         batch_size, batch_seconds=float("inf"), first: dict | None = None, tick: Callable[[int], None] | None = None,
         limits: Limits = DEFAULT_LIMITS, copies: Callable[[set[str]], dict[str, dict]] | None = None) -> Iterator[dict]:
    """Rows per batch of at most ``batch_size`` documents or ``batch_seconds`` of mining; a file whose content
    is already in the dataset (moved or duplicated) gets a documents row without being mined again, a copy of
    its content's row (``copies(ids)``: doc_id → row), so that it keeps the metadata when the first path goes.
    The first batch is always yielded: ``first`` (rows found before mining) and those rows of known content.
    ``tick(n)`` is told of every document done as it comes back, before its batch commits."""
    to_mine: list[Source] = []
    dup_srcs: list[tuple[Source, str]] = []
    for src in todo:
        sha = hashes.get(src.key)
        if sha is not None and sha in known_ids:
            dup_srcs.append((src, sha))
            continue
        to_mine.append(src)
    known_rows = copies({sha for _, sha in dup_srcs}) if copies and dup_srcs else {}
    dup_rows = [{"pages": 0, "ocr_pages": 0, **known_rows.get(sha, {}), "doc_id": sha, "path": src.key,
                 "size": src.size, "mtime": src.mtime, "_known": True} for src, sha in dup_srcs]
    first = first if first is not None else _empty_batch()
    first["documents"].extend(dup_rows)
    if tick and dup_rows:
        tick(len(dup_rows))
    yield first
    results = _results(to_mine, workers=workers, engine=engine, scheduler=scheduler, batch_size=batch_size,
                       limits=limits)
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
        if tick:
            tick(1)
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


def _mine_chunk(srcs: list[Source], limits: Limits = DEFAULT_LIMITS) -> list[dict]:
    return [mine_one(src, limits) for src in srcs]


def _results(to_mine: list[Source], *, workers, engine, scheduler, batch_size,
             limits: Limits = DEFAULT_LIMITS) -> Iterator[dict]:
    if not to_mine:
        return
    if engine == "dask":
        yield from _dask_results(to_mine, workers=workers, scheduler=scheduler, batch_size=batch_size, limits=limits)
        return
    if engine != "process":
        raise DatasetError(f"unknown engine {engine!r}; valid: process, dask")
    from .extract import warm_up

    workers = workers or os.cpu_count() or 1
    if workers == 1:
        _worker_init()
        warm_up()  # the models load before the first document, and don't count against its memory ceiling
        for src in to_mine:
            yield mine_one(src, limits)
        return
    warm_up()  # forked workers inherit the loaded models and compiled rules instead of loading their own
    yield from _pool_results(to_mine, workers, limits)


def _pool_results(to_mine: list[Source], workers: int, limits: Limits = DEFAULT_LIMITS) -> Iterator[dict]:
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
                for chunk_rows in pool.map(partial(_mine_chunk, limits=limits), _chunks(to_mine[i : i + segment])):
                    for rows in chunk_rows:
                        yield rows
                        i += 1
            except BrokenProcessPool:
                src = to_mine[i]  # the first document without a result: it, or one beside it, killed a worker
                alone = ProcessPoolExecutor(1, mp_context=fork, initializer=_pool_worker_init)
                try:
                    rows = alone.submit(mine_one, src, limits).result()
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


def _dask_results(to_mine: list[Source], *, workers, scheduler, batch_size,
                  limits: Limits = DEFAULT_LIMITS) -> Iterator[dict]:
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
            futures = client.map(mine_one, to_mine[i : i + batch_size], limits=limits, pure=False)
            yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _documents_of(ds: Store, ids: set[str]) -> dict[str, dict]:
    """The stored documents row of each content hash in ``ids`` (any one of its paths'), as Python values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[str, dict] = {}
    for t in ds.part_tables("documents"):
        for row in t.filter(pc.is_in(t["doc_id"], value_set=pa.array(sorted(ids), type=pa.string()))).to_pylist():
            out.setdefault(row["doc_id"], row)
    return out


def one_row_per_document(docs):
    """``documents`` as stored (a row per path) → a row per ``doc_id``: the row of its first path in name
    order, and ``paths``, every path holding that content. ``query.connect`` does the same in SQL."""
    ordered = docs.sort_values("path", kind="stable")
    paths = ordered.groupby("doc_id", sort=False)["path"].agg(list)
    out = ordered.drop_duplicates("doc_id").reset_index(drop=True)
    out["paths"] = out["doc_id"].map(paths)
    return out


def open_dataset(path: str | Path) -> dict:
    """The tables of a mined dataset as pandas DataFrames, by name (``schemas``): ``documents`` one row per
    document (content hash), so that a join on ``doc_id`` gives each item once; ``files`` one row per path."""
    ds = Store(path)
    if not ds.exists():
        raise DatasetError(f"{path}: no dataset here (run `minerals mine ARCHIVE --out {path}` first)")
    tables = {table: ds.read(table) for table in TABLES}
    stored = tables["documents"]
    tables["documents"] = one_row_per_document(stored)
    tables["files"] = stored[["path", "doc_id", "size", "mtime"]].sort_values("path").reset_index(drop=True)
    return tables

