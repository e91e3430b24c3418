"""Where documents are mined: this process, a pool of forked workers, or a Dask cluster, behind one ``map``.

``map(fn, items)`` yields ``fn(item)`` for every item, in order, whichever engine runs it. The pool's
workers are forked after the models load (they share those pages), replaced every WORKER_DOCS documents
(their memory grows with every new word), and exit when the main process is gone; a worker that dies takes
only the item it was on with it (``on_crash``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import PurePosixPath

from ..readers import READERS
from ..errors import DatasetError

ENGINES = ("process", "dask")
WORKER_DOCS = 2000  # documents a pool worker mines before fresh workers are forked in their place
CHUNK_DOCS = 8  # text files sent to a worker together: one task, one result message, for all of them
CHUNK_MAX_BYTES = 200_000  # a larger text goes alone, as a PDF or Word file does
_TEXT_SUFFIXES = frozenset(s for s, reader in READERS.items() if reader is READERS[".txt"])


def chunks(srcs: list) -> list[list]:
    """Consecutive sources (``archive.Source``), in order, as the tasks of the pool: up to CHUNK_DOCS small
    text files together (each costs the main process a task and a result message: 0.9 → 0.7 ms of its CPU a
    document with 8, bench/bench_mine.py); a PDF, Word file or large text alone, so one slow file never holds
    up others."""
    out: list[list] = []
    chunk: list = []
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


def map(fn: Callable, items: list, *, engine: str = "process", workers: int | None = None,
        scheduler: str | None = None, batch_size: int = 256, group: Callable[[list], list[list]] | None = None,
        on_crash: Callable | None = None) -> Iterator:
    """``fn(item)`` for each of ``items``, in order. ``process``: in this process (``workers=1``) or a pool
    of forked workers that get the items in tasks of ``group(items)`` (default: one each); ``on_crash(item)``
    is the result of an item whose worker died twice. ``dask``: on ``scheduler`` (or a local cluster),
    ``batch_size`` items at a time. ``fn`` must be picklable (a module's function, a ``partial`` of one)."""
    if not items:
        return
    if engine == "dask":
        yield from _dask_map(fn, items, workers=workers, scheduler=scheduler, batch_size=batch_size)
        return
    if engine != "process":
        raise DatasetError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    from ..extract import warm_up

    workers = workers or os.cpu_count() or 1
    if workers == 1:
        _worker_init()
        warm_up()  # the models load before the first document, and don't count against its memory ceiling
        for item in items:
            yield fn(item)
        return
    warm_up()  # forked workers inherit the loaded models and compiled rules instead of loading their own
    yield from _pool_map(fn, items, workers, group or _singles, on_crash)


def _singles(items: list) -> list[list]:
    return [[item] for item in items]


def _map_chunk(fn: Callable, items: list) -> list:
    return [fn(item) for item in items]


def _pool_map(fn: Callable, items: list, workers: int, group: Callable[[list], list[list]],
              on_crash: Callable | None) -> Iterator:
    """``fn`` over ``items`` in forked worker processes, in order.

    Fresh workers every WORKER_DOCS items each: spaCy's vocabulary and the rule caches grow with every new
    word and number, so a long-lived worker's memory would grow with the archive (bench/bench_mine.py).
    ProcessPoolExecutor, not multiprocessing.Pool: Pool's worker-handler thread also waits on the result pipe,
    so it spins while each result waits to be read, taking the main process's GIL from the thread that reads
    it (py-spy: 15% of the main process's busy time). A worker that dies (a crash in a native library, the
    kernel's out-of-memory killer) breaks the pool: the item first in line is run again alone, and becomes
    ``on_crash(item)`` if it kills that worker too (without ``on_crash``, the pool's error); the run goes on."""
    import gc
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    fork = mp.get_context("fork")
    segment = WORKER_DOCS * workers
    i = 0
    try:
        while i < len(items):
            # the loaded models are shared with the forked workers page by page; a garbage collection in this
            # process would write to every object's header and copy those pages (Python's gc.freeze docs)
            gc.freeze()
            pool = ProcessPoolExecutor(workers, mp_context=fork, initializer=_pool_worker_init)
            try:
                for results in pool.map(partial(_map_chunk, fn), group(items[i : i + segment])):
                    for result in results:
                        yield result
                        i += 1
            except BrokenProcessPool:
                item = items[i]  # the first item without a result: it, or one beside it, killed a worker
                alone = ProcessPoolExecutor(1, mp_context=fork, initializer=_pool_worker_init)
                try:
                    result = alone.submit(fn, item).result()
                except BrokenProcessPool:
                    if on_crash is None:
                        raise
                    result = on_crash(item)
                finally:
                    alone.shutdown(wait=True)
                yield result
                i += 1
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        gc.unfreeze()  # a library caller's later garbage is collected as before


def _dask_map(fn: Callable, items: list, *, workers, scheduler, batch_size) -> Iterator:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as err:  # pragma: no cover - dask is a dependency
        raise DatasetError("the dask engine needs dask[distributed]: pip install 'dask[distributed]'") from err
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        client.run(_worker_init)
        for i in range(0, len(items), batch_size):
            futures = client.map(fn, items[i : i + batch_size], pure=False)
            yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
