"""An archive folder → Parquet tables (DESIGN.md "Dataset"). This first engine is one process, in order;
issue 6 brings worker processes, resumable batches and Dask."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MineralsError
from .models import Document
from .readers import READERS

TABLES = ("documents", "citations", "named_laws", "dates", "quantities", "targets", "entities", "errors")


@dataclass
class MineSummary:
    documents: int = 0
    pages: int = 0
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


def walk(archive: Path) -> Iterator[Path]:
    """Files minerals can read, in a stable order. Hidden files and ``gold/`` folders (annotations, not
    documents: ``corpus/gold``) are skipped."""
    archive = Path(archive)
    for path in sorted(archive.rglob("*")):
        parts = path.relative_to(archive).parts
        if path.is_file() and path.suffix.lower() in READERS and not any(p.startswith(".") or p == "gold" for p in parts):
            yield path


def document_rows(doc: Document) -> dict[str, list[dict]]:
    """The rows one document adds to each table; every row carries ``doc_id`` (the file's sha256)."""
    d = doc.to_dict()
    meta = {k: v for k, v in d["document"].items() if k not in ("warnings", "recipients")}
    meta["warnings"] = "; ".join(d["document"]["warnings"])
    meta["recipients"] = "; ".join(d["document"]["recipients"])
    rows: dict[str, list[dict]] = {"documents": [{"doc_id": doc.sha256, **meta}]}
    for table in TABLES[1:-1]:
        rows[table] = [{"doc_id": doc.sha256, "path": doc.path, **item} for item in d.get(table, [])]
    return rows


def mine(
    archive: str | Path,
    out: str | Path,
    process: Callable[[Path], Document] | None = None,
    progress: Callable[[Path], None] | None = None,
) -> MineSummary:
    """Run the pipeline on every readable file under ``archive`` and write ``out/<table>.parquet``.

    A file that fails becomes an ``errors`` row (path, stage, error type, message); the run goes on.
    """
    import pandas as pd

    from . import process as default_process

    run = process or default_process
    archive, out = Path(archive), Path(out)
    if not archive.is_dir():
        raise MineralsError(f"{archive}: not a folder")
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, list[dict]] = {t: [] for t in TABLES}
    summary = MineSummary(out=str(out))
    t0 = time.perf_counter()
    for path in walk(archive):
        if progress:
            progress(path)
        try:
            doc = run(path)
        except MineralsError as err:
            tables["errors"].append({"path": str(path), "stage": err.stage, "error_type": type(err).__name__, "message": str(err)})
            continue
        except Exception as err:  # noqa: BLE001 - a bug on one file must not stop the archive; it is recorded
            tables["errors"].append({"path": str(path), "stage": "extract", "error_type": type(err).__name__, "message": str(err)})
            continue
        summary.bytes += path.stat().st_size
        for table, rows in document_rows(doc).items():
            tables[table].extend(rows)
    for table, rows in tables.items():
        frame = pd.DataFrame(rows)
        tmp = out / f".{table}.parquet.tmp"
        frame.to_parquet(tmp, index=False)
        tmp.replace(out / f"{table}.parquet")
    summary.seconds = time.perf_counter() - t0
    summary.documents = len(tables["documents"])
    summary.pages = sum(r["pages"] for r in tables["documents"])
    summary.citations = len(tables["citations"])
    summary.named_laws = len(tables["named_laws"])
    summary.dates = len(tables["dates"])
    summary.quantities = len(tables["quantities"])
    summary.targets = len(tables["targets"])
    summary.entities = len(tables["entities"])
    summary.errors = len(tables["errors"])
    counts: dict[str, int] = {}
    for r in tables["citations"]:
        counts[r["number"]] = counts.get(r["number"], 0) + 1
    summary.top_cited = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return summary
