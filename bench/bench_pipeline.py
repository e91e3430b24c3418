"""Throughput of citation extraction and of the whole text pipeline on cleaned corpus text, beside underthesea's word_tokenize on the same text.

Run: python bench/bench_pipeline.py [--repeat N]
Prints MB/s of (a) get_citations on clean text, (b) the whole pipeline read→clean→extract (citations, named
laws, dates, quantities, targets), (c) underthesea word_tokenize on the same text, one core, and peak memory. The README records what it printed on the project machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import minerals
from minerals.dataset import walk  # noqa: E402
from minerals.extract import get_citations, get_named_laws  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--tokenize-docs", type=int, default=6, help="documents given to underthesea (it is slow)")
    args = ap.parse_args()

    paths = [p for p in walk(ROOT / "corpus") if p.suffix in (".txt", ".md", ".html")]  # PDFs: bench_pdf.py
    docs = [minerals.clean(minerals.read(p)) for p in paths]
    size = sum(len(d.text.encode("utf-8")) for d in docs)
    raw_size = sum(p.stat().st_size for p in paths)

    def best(fn) -> float:
        """Best of --repeat runs, in seconds (the least disturbed by the rest of the machine)."""
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    full = best(lambda: [minerals.process(p) for p in paths])
    cit = best(lambda: [get_citations(d) for d in docs])
    laws = best(lambda: [get_named_laws(d) for d in docs])
    n = sum(len(get_citations(d)) for d in docs)

    from underthesea import word_tokenize

    sample = docs[: args.tokenize_docs]
    sample_size = sum(len(d.text.encode("utf-8")) for d in sample)
    word_tokenize("khởi động")  # load the model outside the timing
    t = time.perf_counter()
    for d in sample:
        word_tokenize(d.text)
    tok = time.perf_counter() - t

    mb = 1e6
    print(f"corpus: {len(docs)} documents, {size / mb:.2f} MB clean text, {n} citations")
    print(f"citations (get_citations on clean text): {size / cit / mb:8.2f} MB/s")
    print(f"named laws (get_named_laws):             {size / laws / mb:8.2f} MB/s")
    print(f"whole pipeline read→clean→extract:       {size / full / mb:8.2f} MB/s of text "
          f"({raw_size / full / mb:.2f} MB/s of files, {len(paths) / full:.0f} documents/s)")
    print(f"underthesea word_tokenize:               {sample_size / tok / mb:8.2f} MB/s ({len(sample)} documents)")
    print(f"citations vs word_tokenize:              {(size / cit) / (sample_size / tok):8.1f}x")
    print(f"whole pipeline vs word_tokenize:         {(size / full) / (sample_size / tok):8.1f}x")
    print(f"peak memory (max RSS):                   {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()
