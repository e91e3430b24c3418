"""PDF throughput: text-PDF pages/s on one core including extraction, peak memory on a 500-page PDF, and OCR
pages/s on all cores beside Tesseract alone with the same settings (one page per process, OMP_THREAD_LIMIT=1).

Run: python bench/bench_pdf.py          (writes its scratch files under bench/_work/, which git ignores)
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"

SCANNED = ["001_tt06-2024-bct_scan", "004_tb153-2024-vpcp_scan", "007_kh753-2026-dhcongthuong-hcm_scan",
           "010_cv2191-2026-cucthue_scan", "012_ttr298-2025-cat-lamdong_brokenfont"]


def text_pdf() -> None:
    """In a fresh process: 500 pages of a real text PDF through read → clean → extract."""
    import pypdfium2 as pdfium

    import minerals

    WORK.mkdir(parents=True, exist_ok=True)
    big = WORK / "500pages.pdf"
    if not big.exists():
        src = pdfium.PdfDocument(str(ROOT / "corpus" / "pdfs" / "009_nd45-2026-cp_text.pdf"))
        new = pdfium.PdfDocument.new()
        while len(new) < 500:
            new.import_pages(src, list(range(min(len(src), 500 - len(new)))))
        new.save(str(big))
    minerals.process(ROOT / "corpus" / "seeds" / "001_1d392ddcd08d93c9.txt")  # load underthesea once
    t = time.perf_counter()
    doc = minerals.read(big, use_ocr=False)
    read = time.perf_counter() - t
    minerals.extract(minerals.clean(doc))
    total = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"text PDF, 500 pages: reading {500 / read:.0f} pages/s; read+clean+extract {500 / total:.0f} pages/s "
          f"on one core; {len(doc.citations)} citations; peak memory {rss:.0f} MB")


def ocr_bench() -> None:
    import pypdfium2 as pdfium

    from minerals.readers import ocr

    pdfs = [ROOT / "corpus" / "pdfs" / f"{s}.pdf" for s in SCANNED]
    pages = [(p, i + 1) for p in pdfs for i in range(len(pdfium.PdfDocument(str(p))))]
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MINERALS_CACHE"] = cache
        jobs = [(str(p), ocr.file_sha256(str(p)), list(range(1, len(pdfium.PdfDocument(str(p))) + 1))) for p in pdfs]
        t = time.perf_counter()
        ocr.ocr_batch(jobs)
        ours = time.perf_counter() - t
        t = time.perf_counter()
        ocr.ocr_batch(jobs)
        cached = time.perf_counter() - t
    # Tesseract alone on the same 300-dpi page images, two processes at a time
    images = []
    for p, n in pages:
        buf = io.BytesIO()
        pdfium.PdfDocument(str(p))[n - 1].render(scale=300 / 72, grayscale=True).to_pil().save(buf, format="PPM")
        images.append(buf.getvalue())
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    run = lambda png: subprocess.run(["tesseract", "stdin", "stdout", "-l", "vie", "--psm", "3", "tsv"],  # noqa: E731
                                     input=png, capture_output=True, env=env)
    t = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(run, images))
    alone = time.perf_counter() - t
    n = len(pages)
    print(f"OCR, {n} scanned pages on {os.cpu_count()} cores: minerals {n / ours:.2f} pages/s "
          f"({ours / n:.2f} s/page); Tesseract alone {n / alone:.2f} pages/s; cached re-run {cached:.2f} s")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--text-only":
        text_pdf()
    else:
        subprocess.run([sys.executable, __file__, "--text-only"], check=True)
        ocr_bench()
