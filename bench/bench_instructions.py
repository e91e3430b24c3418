"""Instructions a document costs the per-document function, counted by valgrind: a measure of speed changes that
this shared machine's drift does not move (its CPU time for the same work varies by a third within an hour).

Run: python bench/bench_instructions.py [--docs 100] [--repo PATH]
Needs valgrind (Debian: apt-get install valgrind). It runs ``mine_one`` under cachegrind twice, after loading the
models and over 0 and ``--docs`` generated documents (bench_mine's archive), and prints the difference per
document. ``--repo`` measures another checkout (git worktree) of minerals on the same documents, for an A/B.
Python's hash seed is fixed, so a run repeats to within 0.1%.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"


def _child(repo: str, archive: str, n: int) -> None:
    """Load the models, then mine the first ``n`` documents of ``archive`` (what valgrind counts)."""
    from minerals import dataset as ds  # (the checkout PYTHONPATH names: see count)

    ds._worker_init()
    try:
        from minerals.extract import warm_up
    except ImportError:  # a checkout from before it moved
        warm_up = ds._warm_up
    warm_up()
    files = sorted(Path(archive).rglob("*.txt"))[:n]
    for p in files:
        st = p.stat()
        ds.mine_one(ds.Source(str(p), str(p), None, st.st_size, st.st_mtime))


def count(repo: str, archive: Path, n: int) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(Path(repo).resolve()))
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", sys.executable,
         __file__, "--child", repo, str(archive), str(n)],
        env=env, capture_output=True, text=True, check=True,
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if not m:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        sys.exit(0)
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--repo", default=str(ROOT))
    args = ap.parse_args()
    from bench_mine import make_archive

    archive = WORK / f"archive-instr-{args.docs}"
    if not archive.exists():
        make_archive(args.docs, archive)
    base = count(args.repo, archive, 0)
    total = count(args.repo, archive, args.docs)
    print(f"{args.repo}: {(total - base) / args.docs / 1e6:.1f} million instructions a document "
          f"({args.docs} generated documents; loading the models: {base / 1e6:.0f} million)")
