"""Score the document gold of corpus/gold/documents: the header fields per half (tuning, held-out) and the
extracted items that lie outside the document's bounds (site furniture mined as text).

Run: python tools/doc_gold_baseline.py [-v]   (reads the pages from ../shared/realdocs/archive, a development
tool like build_registry.py; minerals itself never reads ../shared)
"""
import glob
import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
import minerals
from minerals.evaluate import DOC_FIELDS, _doc_key  # noqa: E402

GOLD = ROOT / "corpus" / "gold" / "documents"
REALDOCS = ROOT.parent / "shared" / "realdocs"
split = dict(l.rstrip("\n").split("\t") for l in open(f"{GOLD}/split.tsv").readlines()[1:])

def norm_map(text):
    """The text's letters and digits, lower case, with their offsets: bounds are found ignoring Markdown."""
    chars, idx = [], []
    for i, ch in enumerate(text):
        if ch.isalnum():
            chars.append(ch.lower()); idx.append(i)
    return "".join(chars), idx

def locate(text, line, last=False, after=0, before=None):
    """Where ``line`` starts (its last occurrence before ``before`` with ``last``: its end), ignoring Markdown."""
    key = "".join(c.lower() for c in unicodedata.normalize("NFC", line) if c.isalnum())[:30]
    s, idx = norm_map(text)
    if not key: return None
    lo = next((i for i, x in enumerate(idx) if x >= after), len(idx))
    hi = next((i for i, x in enumerate(idx) if x >= before), len(idx)) if before is not None else len(idx)
    pos = s.rfind(key, lo, hi) if last else s.find(key, lo)
    if pos < 0: return None
    return idx[pos] if not last else idx[min(pos + len(key) - 1, len(idx) - 1)] + 1

ex = sys.modules["minerals.extract"]
from minerals.layout import Layout  # noqa: E402

def whole_page(path):
    """The page mined with no furniture removed: what document text the layout rules lose shows against it."""
    real = ex.find_layout
    ex.find_layout = lambda text, raw=None: Layout(0, len(text))
    try:
        return minerals.process(path)
    finally:
        ex.find_layout = real

fields = list(DOC_FIELDS) + ["issuer_parent"]
lost = {}
res, outside = {}, {}
unlocated = []
misses = {}
for path in sorted(glob.glob(f"{GOLD}/*.json")):
    g = json.load(open(path, encoding="utf-8"))
    half = split.get(g["doc"])
    if half is None:
        continue
    half = f"{half} {g['source'].split('/')[1]}"  # e.g. "held-out archive": pages without a document apart
    res.setdefault(half, {f: [0, 0] for f in fields})
    outside.setdefault(half, {})
    misses.setdefault(half, [])
    doc = minerals.process(REALDOCS / g["source"].removeprefix("realdocs/"))
    for f in fields:
        got, want = getattr(doc.info, f, None), g["document"].get(f)
        ok = _doc_key(f, got) == _doc_key(f, want)
        res[half][f][0] += ok; res[half][f][1] += 1
        if not ok: misses[half].append(f"{g['doc']} {f}: got {got!r} gold {want!r}")
    if g["bounds"]["first_line"] is None:  # a page without an official document: every item is furniture
        a = b = len(doc.text)
    else:
        # the document starts after the site block (which names the issuer too) and ends before the first block
        # of furniture listed after it (page order)
        kinds = [f["kind"] for f in g["furniture"]]
        block = locate(doc.text, "Số hiệu:") if "site_block" in kinds else None
        block_end = locate(doc.text, "Tình trạng", after=block) if block is not None else None
        a = locate(doc.text, g["bounds"]["first_line"], after=block_end or 0)
        tail = g["furniture"][kinds.index("site_block") + 1 :] if "site_block" in kinds else []
        limit = locate(doc.text, tail[0]["first_line"], after=a) if tail and a is not None else None
        b = locate(doc.text, g["bounds"]["last_line"], last=True, after=a or 0, before=limit)
    if a is None or b is None:
        unlocated.append((g["doc"], a, b)); continue
    page = whole_page(REALDOCS / g["source"].removeprefix("realdocs/"))
    for table in ("citations", "dates", "quantities", "entities"):
        items = getattr(doc, table)
        n_out = sum(1 for x in items if x.start < a or x.start >= b)
        o = outside[half].setdefault(table, [0, 0]); o[0] += n_out; o[1] += len(items)
        inside = {(x.start, x.end) for x in getattr(page, table) if a <= x.start < b}
        kept = {(x.start, x.end) for x in items}
        l = lost.setdefault(half, {}).setdefault(table, [0, 0]); l[0] += len(inside - kept); l[1] += len(inside)
        for s_, e_ in sorted(inside - kept)[:3]:
            misses[half].append(f"{g['doc']} lost {table}: {doc.text[s_:e_]!r}")
for half in sorted(res):
    print(half, " ".join(f"{f}={v[0]}/{v[1]}" for f, v in res[half].items()))
    print("  items outside the document:", " ".join(f"{t}={v[0]}/{v[1]}" for t, v in outside[half].items()))
    print("  document items lost (vs. the whole page mined):", " ".join(f"{t}={v[0]}/{v[1]}" for t, v in lost[half].items()))
print("bounds not located:", unlocated)
if "-v" in sys.argv:
    for half in sorted(misses):
        if half.startswith("tuning"):
            for m in misses[half]:
                print("  T", m)
