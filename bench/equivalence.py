"""Whether a speed change kept the output: hashes of everything minerals makes of each document.

Run: python bench/equivalence.py OUT.json [--repo PATH]   (hash the corpus's texts and 60 generated documents)
     python bench/equivalence.py --compare A.json B.json  (list the documents whose hashes differ; exit 1 if any)
Per document it hashes the clean text, the offset map back to the raw text and the whole ``Document.to_dict()``
(the JSON contract of ``minerals extract``). ``--repo`` hashes another checkout (git worktree), for an A/B.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "_work"


def _drop(d, keys: set[str]):
    """``d`` without ``keys`` at any depth: a deliberately added key (an extension of the JSON) set aside."""
    if isinstance(d, dict):
        return {k: _drop(v, keys) for k, v in d.items() if k not in keys}
    if isinstance(d, list):
        return [_drop(v, keys) for v in d]
    return d


def _hash(files: list[Path], without: set[str] = frozenset()) -> dict[str, str]:
    """The hashes of what the minerals this process imports (the installed one, or PYTHONPATH's) makes."""
    import minerals

    out = {}
    for p in files:
        try:
            doc = minerals.extract(minerals.clean(minerals.read(p)))
            parts = [doc.text, repr(doc.offsets.steps),
                     json.dumps(_drop(doc.to_dict(), without), sort_keys=True, default=str, ensure_ascii=False)]
            out[str(p.relative_to(ROOT))] = "".join(hashlib.md5(x.encode()).hexdigest() for x in parts)
        except Exception as err:  # noqa: BLE001 - an error is an outcome to compare too
            out[str(p.relative_to(ROOT))] = f"{type(err).__name__}: {err}"
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--repo", help="hash another checkout of minerals (a git worktree), for an A/B")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"))
    ap.add_argument("--without", action="append", default=[], metavar="KEY",
                    help="leave this key out of the JSON before hashing (a key added on purpose); repeatable")
    args = ap.parse_args()
    if args.compare:
        a, b = (json.loads(Path(f).read_text()) for f in args.compare)
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"{len(a)} and {len(b)} documents; {len(differ)} differ", *differ[:20], sep="\n  " if differ else "")
        sys.exit(1 if differ else 0)
    if not args.out:
        ap.error("give OUT.json, or --compare A.json B.json")
    from bench_mine import make_archive

    generated = WORK / "archive-equivalence"
    if not generated.exists():
        make_archive(60, generated)
    files = sorted(p for p in (ROOT / "corpus").rglob("*") if p.suffix in (".txt", ".md", ".html") and "gold" not in p.parts)
    files += sorted(generated.rglob("*.txt"))
    if args.repo:  # another checkout: this script again, in a process that imports that checkout's minerals
        env = dict(os.environ, PYTHONPATH=str(Path(args.repo).resolve()))
        extra = [a for k in args.without for a in ("--without", k)]
        sys.exit(subprocess.run([sys.executable, __file__, args.out, *extra], env=env).returncode)
    import minerals

    print(f"hashing with {minerals.__file__}")
    hashes = _hash(files, set(args.without))
    Path(args.out).write_text(json.dumps(hashes, indent=0, ensure_ascii=False))
    print(f"{len(hashes)} documents hashed → {args.out}")
