"""Tesseract OCR of scanned PDF pages: one page per process, OMP_THREAD_LIMIT=1, results cached by file hash.

Measured on this 2-core machine: ~1.9 s/page with one thread per page and two pages at a time, against
~9 s/page with Tesseract's own threading. Word confidences come from Tesseract's TSV output; a page whose
mean confidence is low is named in the document's warnings.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import OcrUnavailable

DPI = 300
LANG = "vie"
LOW_CONFIDENCE = 60.0
CACHE_VERSION = 2


@dataclass(frozen=True)
class OcrPage:
    number: int
    text: str
    confidence: float  # mean word confidence, 0-100
    words: int


_report: ContextVar[Callable[[int, int], None] | None] = ContextVar("minerals_ocr_report", default=None)


@contextmanager
def reporting(progress: Callable[[int, int], None] | None) -> Iterator[None]:
    """Within the block, ``progress(done, total)`` is called before the first page OCR reads and after each
    (cached pages are not counted): the CLI shows "OCR page 2/3" while a scan is read."""
    token = _report.set(progress)
    try:
        yield
    finally:
        _report.reset(token)


def available(lang: str = LANG) -> bool:
    if shutil.which("tesseract") is None:
        return False
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return lang in out.split()


def cache_dir() -> Path:
    base = os.environ.get("MINERALS_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "minerals")
    return Path(base) / "ocr"


def _cache_path(sha256: str, page: int, lang: str) -> Path:
    return cache_dir() / sha256[:2] / sha256 / f"p{page:05d}-{lang}-{DPI}-v{CACHE_VERSION}.json"


def ocr_pages(path: str, sha256: str, pages: list[int], lang: str = LANG, workers: int | None = None) -> dict[int, OcrPage]:
    """OCR the given 1-based pages of one PDF; cached pages cost nothing. Raises ``OcrUnavailable``."""
    return ocr_batch([(path, sha256, pages)], lang, workers)[path]


def ocr_batch(jobs: list[tuple[str, str, list[int]]], lang: str = LANG, workers: int | None = None) -> dict[str, dict[int, OcrPage]]:
    """OCR pages of several PDFs at once, one page per process across all of them (so no core idles at the
    end of a short document). ``jobs`` holds (path, sha256, pages); returns {path: {page: OcrPage}}."""
    results: dict[str, dict[int, OcrPage]] = {path: {} for path, _, _ in jobs}
    todo: list[tuple[str, str, int]] = []
    for path, sha256, pages in jobs:
        for p in pages:
            cp = _cache_path(sha256, p, lang)
            if cp.exists():
                try:
                    results[path][p] = OcrPage(**json.loads(cp.read_text(encoding="utf-8")))
                    continue
                except (ValueError, TypeError):
                    pass  # a damaged cache entry is redone
            todo.append((path, sha256, p))
    if not todo:
        return results
    if not available(lang):
        raise OcrUnavailable(f"tesseract with the '{lang}' model is not installed (apt-get install tesseract-ocr tesseract-ocr-{lang})")
    workers = workers or int(os.environ.get("MINERALS_OCR_WORKERS", "0")) or os.cpu_count() or 1
    workers = max(1, min(workers, len(todo)))
    report = _report.get()
    done: list[OcrPage] = []
    if report:
        report(0, len(todo))
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 else nullcontext() as pool:
        pages = (pool.map(_ocr_one, [t[0] for t in todo], [t[2] for t in todo], [lang] * len(todo)) if pool
                 else (_ocr_one(path, p, lang) for path, _, p in todo))
        for page in pages:
            done.append(page)
            if report:
                report(len(done), len(todo))
    for (path, sha256, _), page in zip(todo, done):
        results[path][page.number] = page
        cp = _cache_path(sha256, page.number, lang)
        try:
            cp.parent.mkdir(parents=True, exist_ok=True)
            tmp = cp.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(page), ensure_ascii=False), encoding="utf-8")
            tmp.replace(cp)
        except OSError:
            pass  # a read-only cache only costs time
    return results


def _ocr_one(path: str, page: int, lang: str) -> OcrPage:
    """Render one page at 300 dpi and read it with Tesseract (runs in a worker process)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(path)
        try:
            pg = pdf[page - 1]
            w, h = pg.get_size()
            # a page drawn miles wide would render to gigabytes: fewer dots per inch past MAX_PIXELS
            scale = min(DPI / 72, (MAX_PIXELS / max(w * h, 1.0)) ** 0.5)
            image = pg.render(scale=scale, grayscale=True).to_pil()
        finally:
            pdf.close()
    except pdfium.PdfiumError:
        return OcrPage(page, "", 0.0, 0)  # a damaged page (FUZZ.md: random bytes inside a PDF) reads as empty
    result = _tesseract(image, page, lang)
    if result.confidence < ROTATION_CHECK or result.words < 30:
        # a page scanned sideways or upside down reads as noise: ask Tesseract's orientation model, turn, redo
        angle = _orientation(image)
        if angle:
            turned = _tesseract(image.rotate(-angle, expand=True), page, lang)
            if turned.confidence > result.confidence:
                result = turned
    return result


ROTATION_CHECK = 50.0
MAX_PIXELS = 60_000_000  # an A3 page at 300 dpi is 17.4 M
_ENV = {"OMP_THREAD_LIMIT": "1"}


def _png_free(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PPM")  # uncompressed: no time spent encoding what Tesseract decodes at once
    return buf.getvalue()


def _tesseract(image, page: int, lang: str) -> OcrPage:
    proc = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", lang, "--psm", "3", "tsv"],
        input=_png_free(image), capture_output=True, env={**os.environ, **_ENV}, timeout=600,
    )
    if proc.returncode != 0:
        return OcrPage(page, "", 0.0, 0)
    return _from_tsv(page, proc.stdout.decode("utf-8", errors="replace"))


def _orientation(image) -> int:
    """Degrees the page is turned (0, 90, 180, 270), from Tesseract's OSD; 0 when unsure or unavailable."""
    proc = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0"], input=_png_free(image),
                          capture_output=True, env={**os.environ, **_ENV}, timeout=300)
    out = proc.stdout.decode("utf-8", errors="replace")
    rotate = next((line.split(":")[1].strip() for line in out.splitlines() if line.startswith("Rotate:")), "0")
    conf = next((line.split(":")[1].strip() for line in out.splitlines() if line.startswith("Orientation confidence:")), "0")
    try:
        return int(rotate) if float(conf) >= 1.0 else 0
    except ValueError:
        return 0


def _from_tsv(page: int, tsv: str) -> OcrPage:
    """Lines of words in reading order; a blank line between Tesseract's paragraphs."""
    lines: dict[tuple[int, int, int], list[str]] = {}
    confs: list[float] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        if not word:
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        lines.setdefault(key, []).append(word)
        conf = float(cols[10])
        if conf >= 0:
            confs.append(conf)
    out: list[str] = []
    last_par = None
    for key in sorted(lines):
        if last_par is not None and key[:2] != last_par:
            out.append("")
        out.append(" ".join(lines[key]))
        last_par = key[:2]
    mean = sum(confs) / len(confs) if confs else 0.0
    return OcrPage(page, "\n".join(out), round(mean, 1), len(confs))


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
