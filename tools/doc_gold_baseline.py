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
sys.path.insert(0, str(ROOT))
import minerals  # noqa: E402
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

def locate(text, line, last=False):
    key = "".join(c.lower() for c in unicodedata.normalize("NFC", line) if c.isalnum())[:30]
    s, idx = norm_map(text)
    if not key: return None
    pos = s.rfind(key) if last else s.find(key)
    if pos < 0: return None
    return idx[pos] if not last else idx[min(pos + len(key) - 1, len(idx) - 1)] + 1

fields = list(DOC_FIELDS) + ["issuer_parent"]
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
        a, b = locate(doc.text, g["bounds"]["first_line"]), locate(doc.text, g["bounds"]["last_line"], last=True)
    if a is None or b is None:
        unlocated.append((g["doc"], a, b)); continue
    for table in ("citations", "dates", "quantities", "entities"):
        items = getattr(doc, table)
        n_out = sum(1 for x in items if x.start < a or x.start >= b)
        o = outside[half].setdefault(table, [0, 0]); o[0] += n_out; o[1] += len(items)
for half in sorted(res):
    print(half, " ".join(f"{f}={v[0]}/{v[1]}" for f, v in res[half].items()))
    print("  items outside the document:", " ".join(f"{t}={v[0]}/{v[1]}" for t, v in outside[half].items()))
print("bounds not located:", unlocated)
if "-v" in sys.argv:
    for half in sorted(misses):
        if half.startswith("tuning"):
            for m in misses[half]:
                print("  T", m)
