"""Building, exporting and analysing the legal-reference graph at archive scale: build time, each export's time
and size, each analysis's time (minerals/analyses.py).

Run: python bench/bench_graph.py [--docs 10000] [--per-doc 30] [--dataset DIR] [--chains 200]
The citation rows are synthetic, made from a real dataset's rows (``--dataset``; without it corpus/seeds and
corpus/realdocs are mined into bench/_work/graph-dataset first): each of ``--docs`` documents gets about
``--per-doc`` citations drawn from the real ones, a third of them with the number mutated (another số, another
year) so that cited documents are many and shared; one document in ten has its own number among the cited ones.
The chain is timed from ``--chains`` mined documents picked at random (mean and slowest).
The html page (beyond ``--max-nodes`` a selection) is also opened in headless Chromium when /usr/bin/chromium
and playwright are installed: time to first drawing, and to search a number and open its panel.
Timings are printed, not asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"

import pandas as pd  # noqa: E402

import minerals
from minerals import analyses  # noqa: E402
from minerals.graph import FORMATS, build_graph, export, summarize  # noqa: E402

_LEAD = re.compile(r"^\d+")
_YEAR = re.compile(r"/(\d{4})/")


def real_tables(dataset: Path | None) -> dict:
    if dataset is None:
        dataset = WORK / "graph-dataset"
        if not (dataset / "_batches").is_dir():
            archive = WORK / "graph-archive"
            shutil.rmtree(archive, ignore_errors=True)
            archive.mkdir(parents=True)
            for sub in ("seeds", "realdocs"):
                for p in (ROOT / "corpus" / sub).glob("*.txt"):
                    shutil.copy2(p, archive / p.name)
            from minerals.dataset import mine

            mine(archive, dataset)
    return minerals.open_dataset(dataset)


def _mutate(number: str, cid: str, rnd: random.Random) -> tuple[str, str]:
    n = str(rnd.randint(1, 3000))
    number, cid = _LEAD.sub(n, number, 1), _LEAD.sub(n, cid, 1)
    if _YEAR.search(number) and rnd.random() < 0.5:
        y = f"/{rnd.randint(2005, 2026)}/"
        number, cid = _YEAR.sub(y, number, 1), _YEAR.sub(y, cid, 1)
    return number, cid


def synthetic(tables: dict, docs: int, per_doc: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    real = tables["citations"].to_dict("records")
    template = tables["documents"].iloc[0].to_dict()
    doc_rows, cite_rows, cited_numbers = [], [], []
    for i in range(docs):
        doc_id = hashlib.sha256(f"doc{i}".encode()).hexdigest()
        for _ in range(max(1, int(rnd.gauss(per_doc, per_doc / 3)))):
            row = dict(rnd.choice(real), doc_id=doc_id)
            if rnd.random() < 0.34:
                row["number"], row["id"] = _mutate(row["number"], row["id"], rnd)
            cite_rows.append(row)
            cited_numbers.append(row["number"])
        own = rnd.choice(cited_numbers) if rnd.random() < 0.1 else None
        doc_rows.append({**template, "doc_id": doc_id, "path": f"archive/{i:05d}.txt", "number": own})
    empty = tables["entities"].iloc[0:0]
    return {"documents": pd.DataFrame(doc_rows), "citations": pd.DataFrame(cite_rows), "entities": empty}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--per-doc", type=int, default=30)
    ap.add_argument("--dataset", type=Path, default=None, help="A mined dataset to draw real citations from.")
    ap.add_argument("--chains", type=int, default=200, help="How many documents to walk a chain from.")
    ap.add_argument("--max-nodes", type=int, default=None, help="html: nodes shown beyond which a selection is made.")
    args = ap.parse_args()

    tables = synthetic(real_tables(args.dataset), args.docs, args.per_doc)
    n_cites = len(tables["citations"])
    t0 = time.perf_counter()
    g = build_graph(tables)
    t_build = time.perf_counter() - t0
    s = summarize(g)
    assert s.citations == n_cites, (s.citations, n_cites)
    print(f"{args.docs} documents, {n_cites} citation rows → {s.nodes} nodes ({s.mined} mined, "
          f"{s.cited_only} cited-only), {s.edges} edges")
    print(f"build      {t_build:7.2f} s  ({n_cites / t_build:,.0f} citation rows/s)")
    out = WORK / "graph-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for fmt in FORMATS:
        t0 = time.perf_counter()
        files = export(g, fmt, out / ("csv" if fmt == "csv" else f"refs.{fmt}"), max_nodes=args.max_nodes)
        dt = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in files) / 1e6
        print(f"{fmt:<10} {dt:7.2f} s  {size:7.1f} MB")
    browse(out / "refs.html", s.top[0][0] if s.top else None)
    time_analyses(g, args.chains)


def _timed(label: str, fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<24} {time.perf_counter() - t0:7.2f} s  {len(result):>7,} rows")
    return result


def time_analyses(g, chains: int) -> None:
    _timed("most_cited", analyses.most_cited, g, top=20)
    _timed("most_cited by doc_type", analyses.most_cited, g, top=20, by="doc_type")
    for by in ("doc_type", "issuer", "level"):
        _timed(f"degree_table by {by}", analyses.degree_table, g, by=by)
    _timed("absent", analyses.absent, g)
    _timed("communities", analyses.communities, g)
    mined = sorted(n for n, m in g.nodes(data="mined") if m)
    starts = random.Random(1).sample(mined, min(chains, len(mined)))
    times, sizes = [], []
    for n in starts:
        t0 = time.perf_counter()
        sizes.append(len(analyses.chain(g, n)))
        times.append(time.perf_counter() - t0)
    print(f"chain × {len(starts):<15} {sum(times) / len(times):7.3f} s mean, {max(times):.3f} s slowest, "
          f"{sum(sizes) / len(sizes):,.0f} hops mean, {max(sizes):,} most")


def browse(page_file: Path, number: str | None) -> None:
    """Open the page in headless Chromium: seconds until drawn, then to search ``number`` and open its panel."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser    skipped (pip install playwright)")
        return
    if not chromium.exists():
        print("browser    skipped (apt-get install chromium)")
        return
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(page_file.as_uri())
        page.wait_for_function("window.mineralsGraph && mineralsGraph.cy.nodes().length > 0", timeout=300_000)
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        t_load = time.perf_counter() - t0
        shown = page.evaluate("[mineralsGraph.cy.nodes().length, mineralsGraph.cy.edges().length]")
        print(f"browser    {t_load:7.2f} s  to draw {shown[0]:,} nodes and {shown[1]:,} edges"
              + (f" ({page.inner_text('#note')})" if page.inner_text("#note") else ""))
        if number:
            t0 = time.perf_counter()
            page.fill("#search", number)
            page.wait_for_function("mineralsGraph.cy.$(':selected').length > 0")
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            print(f"search     {time.perf_counter() - t0:7.2f} s  to select {number} and show its panel "
                  f"({len(page.inner_text('#panel')):,} characters)")
        page.screenshot(path=str(page_file.with_suffix(".png")))
        browser.close()


if __name__ == "__main__":
    main()
