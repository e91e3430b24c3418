"""One source → the rows it adds to each table, or one ``errors`` row: the same function for every engine.

A document gets at most DOC_SECONDS and at most ``limits.doc_memory`` more memory; whatever goes wrong on
one file (a reader's error, a timeout, a bug) becomes its ``errors`` row and the run goes on.
"""

from __future__ import annotations

from ..errors import DocumentTimeout, MineralsError, OutOfMemoryError
from ..limits import DEFAULT as DEFAULT_LIMITS, Limits, memory_ceiling
from .archive import Source, local_file
from .tables import document_rows, error_row

DOC_SECONDS = 600.0  # a document still mining after this long becomes an errors row (DocumentTimeout)


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
                return {"errors": [error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, str(err))]}
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _mine_one(src: Source, limits: Limits) -> dict[str, list[dict]]:
    from .. import clean, extract, read

    local = None  # a temporary copy: its name in a message is replaced by the source's
    try:
        with local_file(src, limits) as path:
            local = None if path == src.path else path
            doc = read(path, limits=limits)
            doc.path = src.key
            extract(clean(doc))
            return document_rows(doc, src)
    except DocumentTimeout as err:
        return {"errors": [error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__,
                                     f"{src.key}: {err}")]}
    except MemoryError:
        err = OutOfMemoryError(src.key, limits.doc_memory)
        return {"errors": [error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, str(err))]}
    except MineralsError as err:
        msg = str(err).replace(str(local), src.key) if local is not None else str(err)
        return {"errors": [error_row(src.key, src.size, src.mtime, err.stage, type(err).__name__, msg)]}
    except Exception as err:  # noqa: BLE001 - a bug on one file must not stop the archive: it becomes a row
        return {"errors": [error_row(src.key, src.size, src.mtime, "extract", type(err).__name__, f"{src.key}: {err}")]}
