"""Mining an archive: documents/s, MB/s, peak memory of the whole process tree, and the time to the first query.

Run: python bench/bench_mine.py --docs 1000 [--docs 10000] [--pdf-pages 200] [--archive ../shared/realdocs/archive]
The archive is generated under bench/_work/ from the corpus's real text documents (seeds and realdocs), each
copy with its document numbers, quantities and dates mutated so that results differ. A naive baseline
(underthesea word_tokenize + ner over the same text) is timed on a sample and extrapolated.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"

import minerals
from minerals.dataset import mine

_NUM = re.compile(r"(?<![\d/.])(\d{1,4})(?=/(?:\d{4}/)?[A-ZĐ])")  # the number of a số hiệu
_QTY = re.compile(r"(?<![\d/.,])(\d{2,3})(?= (?:người|lao động|hộ|xã|đồng))")
_DAY = re.compile(r"(?<![\d/])([0-2]?\d)(?=/\d{1,2}/(?:19|20)\d\d)")


def make_archive(n: int, folder: Path, seed: int = 7) -> int:
    """``n`` report-sized documents (≤ 40 KB) from the corpus, mutated; returns the bytes written."""
    rnd = random.Random(seed)
    sources = [p for p in (ROOT / "corpus").rglob("*.txt") if "gold" not in p.parts and p.stat().st_size <= 40_000]
    texts = [p.read_text(encoding="utf-8") for p in sorted(sources)]
    if folder.exists():
        shutil.rmtree(folder)
    total = 0
    for i in range(n):
        text = texts[i % len(texts)]
        text = _NUM.sub(lambda m: str(rnd.randint(1, 3000)), text)
        text = _QTY.sub(lambda m: str(rnd.randint(10, 999)), text)
        text = _DAY.sub(lambda m: str(rnd.randint(1, 28)), text)
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        (sub / f"doc{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


class TreeMemory:
    """Peak memory (proportional set size) of this process and all its descendants, sampled every 0.5 s from /proc (a sample reads each process's smaps_rollup: ~2.5 ms of CPU)."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            time.sleep(0.5)


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            # Pss: each page shared by forked workers counted once in all (summing Rss counts it per process)
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its finished children (the pool's workers)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def machine_speed() -> float:
    """Milliseconds a fixed pure-Python loop takes on one core, best of 5: this shared machine's speed drifts by
    up to half between runs, so each figure is printed beside it (smaller is faster)."""
    best = float("inf")
    for _ in range(5):
        t = time.process_time()
        total = 0
        for i in range(1_000_000):
            total += i * i % 7
        best = min(best, time.process_time() - t)
    return best * 1000


def bench_text(n: int, workers: int | None) -> None:
    folder = WORK / f"archive-{n}"
    size = make_archive(n, folder)
    out = WORK / f"dataset-{n}"
    shutil.rmtree(out, ignore_errors=True)
    speed = machine_speed()
    cpu0 = _cpu()
    with TreeMemory() as mem:
        t = time.perf_counter()
        s = mine(folder, out, workers=workers)  # the defaults, as `minerals mine` runs
        secs = time.perf_counter() - t
    main_cpu, workers_cpu = (b - a for a, b in zip(cpu0, _cpu()))
    t = time.perf_counter()
    from minerals.query import cited_by

    rows = cited_by(out, "20-CT/TW")
    first_query = time.perf_counter() - t
    print(f"{n} text documents ({size / 1e6:.1f} MB) on {workers or os.cpu_count()} workers: {s.documents / secs:.0f} "
          f"documents/s, {size / secs / 1e6:.2f} MB/s, {secs:.0f} s, peak memory {mem.peak / 1e6:.0f} MB (whole tree); "
          f"{s.citations} citations, {s.errors} errors; first query {first_query:.2f} s ({len(rows)} rows)")
    # CPU time varies less than wall time on a shared machine: with every core busy, documents/s is about
    # cores × 1000 / (CPU ms a document)
    per_doc = (main_cpu + workers_cpu) / s.documents * 1000
    print(f"  CPU {per_doc:.1f} ms a document (workers {workers_cpu / s.documents * 1000:.1f}, main process "
          f"{main_cpu / s.documents * 1000:.1f}, loading the models included): at most "
          f"{(workers or os.cpu_count()) * 1000 / per_doc:.0f} documents/s on {workers or os.cpu_count()} cores; "
          f"reference loop {speed:.0f} ms")
    t = time.perf_counter()
    again = mine(folder, out, workers=workers)
    print(f"  re-run on the unchanged archive: {time.perf_counter() - t:.1f} s, {again.documents} mined, {again.skipped} skipped")


def bench_real(archive: Path, workers: int | None, changed: float = 0.1) -> None:
    """A real archive (``realdocs/archive``): the first run, a no-op re-run, a re-run after ``changed`` of the
    files were edited (their old rows are dropped in the commits that add their new ones), and a query."""
    folder = WORK / "real-archive"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(archive, folder)
    out = WORK / "dataset-real"
    shutil.rmtree(out, ignore_errors=True)
    with TreeMemory() as mem:
        t = time.perf_counter()
        s = mine(folder, out, workers=workers)
        secs = time.perf_counter() - t
    print(f"{archive}: {s.documents} documents, {s.bytes / 1e6:.1f} MB on {workers or os.cpu_count()} workers: "
          f"{s.documents / secs:.0f} documents/s, {secs:.1f} s, peak memory {mem.peak / 1e6:.0f} MB; "
          f"{s.citations} citations, {s.errors} errors")
    t = time.perf_counter()
    again = mine(folder, out, workers=workers)
    print(f"  re-run, unchanged: {time.perf_counter() - t:.2f} s ({again.skipped} skipped)")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    edit = files[:: max(1, round(1 / changed))]
    for p in edit:
        p.write_text(p.read_text(encoding="utf-8") + "\nCăn cứ Nghị định số 45/2026/NĐ-CP.\n", encoding="utf-8")
    t = time.perf_counter()
    inc = mine(folder, out, workers=workers)
    print(f"  re-run after editing {len(edit)} files: {time.perf_counter() - t:.2f} s ({inc.documents} mined)")
    from minerals.query import sql

    t = time.perf_counter()
    rows = sql(out, "SELECT split_part(id, '@', 1) AS n, count(*) FROM citations GROUP BY 1 ORDER BY 2 DESC LIMIT 5")
    print(f"  first query (query.sql, top cited): {time.perf_counter() - t:.2f} s ({len(rows)} rows)")


def bench_pdf(pages: int) -> None:
    import pypdfium2 as pdfium

    folder = WORK / "pdf-archive"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    src = pdfium.PdfDocument(str(ROOT / "corpus" / "pdfs" / "009_nd45-2026-cp_text.pdf"))
    made = 0
    i = 0
    while made < pages:
        take = min(20, pages - made)
        new = pdfium.PdfDocument.new()
        new.import_pages(src, [(made + k) % len(src) for k in range(take)])
        new.save(str(folder / f"part{i:03d}.pdf"))
        made += take
        i += 1
    out = WORK / "dataset-pdf"
    shutil.rmtree(out, ignore_errors=True)
    with TreeMemory() as mem:
        t = time.perf_counter()
        s = mine(folder, out, batch_size=4)
        secs = time.perf_counter() - t
    print(f"{pages} text-PDF pages in {i} files: {s.pages / secs:.0f} pages/s, {secs:.1f} s, peak memory {mem.peak / 1e6:.0f} MB")


def baseline(sample: int = 20) -> None:
    from underthesea import ner, word_tokenize

    folder = WORK / "archive-1000"
    files = sorted(folder.rglob("*.txt"))[:sample]
    texts = [minerals.clean(minerals.read(p)).text for p in files]
    size = sum(len(t.encode()) for t in texts)
    t = time.perf_counter()
    for text in texts:
        for para in text.split("\n"):
            if para.strip():
                word_tokenize(para)
                ner(para[:1500])
    secs = time.perf_counter() - t
    print(f"baseline underthesea word_tokenize + ner, one core: {sample / secs:.2f} documents/s, {size / secs / 1e6:.3f} MB/s "
          f"({sample} documents)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, action="append", default=[])
    ap.add_argument("--pdf-pages", type=int, default=0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--archive", type=Path, help="a real archive folder, e.g. ../shared/realdocs/archive")
    args = ap.parse_args()
    # the interpreter's build matters: Debian's PGO+LTO Python runs minerals ~10% faster than pyenv's default
    print(f"Python {platform.python_version()} at {sys.executable}")
    if args.archive:
        bench_real(args.archive, args.workers)
    for n in args.docs or ([] if args.archive else [1000]):
        bench_text(n, args.workers)
    if args.pdf_pages:
        bench_pdf(args.pdf_pages)
    if args.baseline:
        baseline()
