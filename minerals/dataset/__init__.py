"""An archive folder → a Parquet dataset, safely and incrementally, on this machine or a Dask cluster.

The package, one job a module: ``archive`` walks the archive (every path a document or an ``errors`` row),
``plan`` decides what to mine, skip and drop, ``document`` mines one document (``mine_one``, the same on
every engine), ``engines`` runs it on this process, a pool of workers or Dask, ``tables`` turns documents
into the tables' rows, and ``store`` keeps the dataset on disk (or an fsspec store): its manifest, lock and
atomic commits. This module runs the whole: each batch commits its new rows together with the removal of the
old rows of the files it re-mined. Files are recognised by path, size and mtime (unchanged: skipped) and by
content hash (moved or duplicated: not mined again). The archive may be an fsspec URL (``s3://bucket/archive``):
its files are listed with ``fs.find`` and streamed one at a time to a temporary local file.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..errors import DatasetError, NoDatasetError
from ..limits import DEFAULT as DEFAULT_LIMITS, Limits
from . import engines
from .document import DOC_SECONDS, DocumentTimeout, mine_one
from .engines import _worker_init  # noqa: F401 - bench/bench_instructions.py starts a worker by hand
from .plan import Known, decide, settle
from .archive import SUPPORTED, Source, content_hash, sources, walk, walk_rows
from .store import MANIFEST, Store, first_line as _first_line, is_url, url_fs
from .tables import (COLUMN_OF_KEY, DATE_VALUES, ITEM_TABLES, TABLES, Columns, arrow_tables, document_rows,
                     empty_batch, error_row, schemas, stored_schemas)

__all__ = ["COLUMN_OF_KEY", "DATE_VALUES", "DOC_SECONDS", "ITEM_TABLES", "MANIFEST", "SUPPORTED", "TABLES",
           "Columns", "DatasetError", "DocumentTimeout", "MineSummary", "Source", "Store", "content_hash",
           "document_rows", "mine", "mine_one", "one_row_per_document", "open_dataset", "schemas", "sources",
           "stored_schemas", "walk", "walk_rows"]


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

    docs = ds.read("documents", ["doc_id", "path", "size", "mtime"])
    errors = ds.read("errors", ["path", "size", "mtime"])
    known = Known({r.path: (r.doc_id, r.size, r.mtime) for r in docs.itertuples()},
                  {r.path: (r.size, r.mtime) for r in errors.itertuples()})
    shown = [time.monotonic()]

    def walked(items: Iterable[Source | dict]) -> Iterator[Source | dict]:
        seen: set[str] = set()
        for item in items:
            if progress and time.monotonic() - shown[0] >= 0.1:  # (a call per file would cost more than the walk)
                progress("scan", len(seen), None)
                shown[0] = time.monotonic()
            yield item
            seen.add(item["path"] if isinstance(item, dict) else item.key)

    found = decide(walked(sources(archive, exclude=None if is_url(out) else out)), known,
                   in_archive=partial(_under, archive=archive), prune=prune, still_there=_still_there,
                   same_content=lambda src, doc_id: content_hash(src) == doc_id)
    summary.skipped += found.skipped  # (a store without modification times: the same size and content)
    pending_rows = empty_batch()
    pending_rows["errors"].extend(found.error_rows)
    todo = found.todo
    hashes: dict[str, str | None] = {}
    for n, src in enumerate(list(todo)):
        if progress and time.monotonic() - shown[0] >= 0.1:
            progress("hash", n, len(todo))
            shown[0] = time.monotonic()
        try:
            hashes[src.key] = content_hash(src)
        except OSError as err:  # unreadable, or gone since the walk: a row, and the run goes on
            todo.remove(src)
            pending_rows["errors"].append(error_row(src.key, src.size, src.mtime, "read", type(err).__name__,
                                                    f"{src.key}: {err.strerror or err}"))
    settled = settle(todo, hashes, found.stale, found.gone, known)
    refs, gone = settled.refs, found.gone
    waiting = set(found.stale)

    run = uuid.uuid4().hex[:8]
    n_batch = 0

    def commit(rows: dict[str, list[dict]], drop: set[str]) -> None:
        nonlocal n_batch
        drop = set(drop)
        if not any(rows.values()) and not drop:
            return
        ids = set()
        for p in drop:
            doc = known.docs.get(p)
            if doc and doc[0] in refs:
                refs[doc[0]] -= 1
                if not refs[doc[0]]:
                    ids.add(doc[0])
        tables = arrow_tables(rows, summary)
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
    for i, batch_rows in enumerate(_run(settled.to_mine, settled.copies, settled.doc_ids, workers=workers,
                                        engine=engine, scheduler=scheduler, batch_size=batch_size,
                                        batch_seconds=batch_seconds, first=pending_rows, tick=tick, limits=limits,
                                        copies=lambda ids: _documents_of(ds, ids))):
        paths = {r["path"] for r in batch_rows.get("documents", [])} | {r["path"] for r in batch_rows.get("errors", [])}
        # the first commit also drops the rows of files gone from the archive (moved ones: with their new row)
        commit(batch_rows, (waiting & paths) | (gone if i == 0 else set()))
        waiting -= paths
    commit(empty_batch(), waiting)  # (nothing is left here unless a file gave no row at all)
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


def _run(to_mine: list[Source], known: list[tuple[Source, str]], known_ids: set[str], *, workers, engine,
         scheduler, batch_size, batch_seconds=float("inf"), first: dict | None = None,
         tick: Callable[[int], None] | None = None, limits: Limits = DEFAULT_LIMITS,
         copies: Callable[[set[str]], dict[str, dict]] | None = None) -> Iterator[dict]:
    """Rows per batch of at most ``batch_size`` documents or ``batch_seconds`` of mining; a file whose content
    is already in the dataset (``known``: moved or duplicated) gets a documents row without being mined again,
    a copy of its content's row (``copies(ids)``: doc_id → row), so that it keeps the metadata when the first
    path goes. The first batch is always yielded: ``first`` (rows found before mining) and those rows of known
    content. ``tick(n)`` is told of every document done as it comes back, before its batch commits."""
    known_rows = copies({sha for _, sha in known}) if copies and known else {}
    dup_rows = [{"pages": 0, "ocr_pages": 0, **known_rows.get(sha, {}), "doc_id": sha, "path": src.key,
                 "size": src.size, "mtime": src.mtime, "_known": True} for src, sha in known]
    first = first if first is not None else empty_batch()
    first["documents"].extend(dup_rows)
    if tick and dup_rows:
        tick(len(dup_rows))
    yield first
    results = engines.map(partial(mine_one, limits=limits), to_mine, engine=engine, workers=workers,
                          scheduler=scheduler, batch_size=batch_size, group=engines.chunks, on_crash=_crashed)
    batch = empty_batch()
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
            batch, count, opened = empty_batch(), 0, time.monotonic()
    if count:
        yield batch


def _crashed(src: Source) -> dict[str, list[dict]]:
    """The row of a document that killed its worker process twice (``engines.map``'s ``on_crash``)."""
    return {"errors": [error_row(src.key, src.size, src.mtime, "extract", "WorkerCrashed",
                                 f"{src.key}: the worker process mining it died (a crash, or killed for memory)")]}


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
        raise NoDatasetError(path)
    tables = {table: ds.read(table) for table in TABLES}
    stored = tables["documents"]
    tables["documents"] = one_row_per_document(stored)
    tables["files"] = stored[["path", "doc_id", "size", "mtime"]].sort_values("path").reset_index(drop=True)
    return tables

