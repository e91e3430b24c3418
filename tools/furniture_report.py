"""Rows of a mined dataset that come from site furniture, and the share of valid jurisdictions (issue 15).

Every document row's file is read and cleaned again and its layout found with the current
patterns/layouts.json; a row is furniture when its start lies outside the document or in a furniture block.
Independent of the layout rules, it also counts the tell-tale rows of thuvienphapluat's furniture: citations of
13/2023/NĐ-CP (the site's notice), "THƯ VIỆN PHÁP LUẬT" entities, "Ban hành:/Cập nhật:" sidebar dates.

Run: python tools/furniture_report.py DATASET [--pages ROOT]   (a development tool; ROOT: where relative paths are)
"""
import collections
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
import minerals
from minerals import patterns  # noqa: E402
from minerals.layout import find_layout  # noqa: E402

dataset = sys.argv[1]
base = Path(sys.argv[sys.argv.index("--pages") + 1]) if "--pages" in sys.argv else Path.cwd()
t = minerals.open_dataset(dataset)
docs = t["documents"]
counts = collections.Counter()
totals = collections.Counter()
for row in docs.itertuples():
    path = Path(row.path) if Path(row.path).is_absolute() else base / row.path
    doc = minerals.clean(minerals.read(path))
    lay = find_layout(doc.text, doc.raw)
    for table in ("citations", "dates", "quantities", "entities"):
        items = t[table][t[table]["doc_id"] == row.doc_id]
        totals[table] += len(items)
        for start in items["start_offset"]:
            if lay.is_furniture(int(start)):
                kind = next((f.kind for f in lay.furniture if f.start <= start < f.end), "outside")
                counts[table, kind] += 1
print(f"{len(docs)} documents")
for table in ("citations", "dates", "quantities", "entities"):
    by = {k: v for (tb, k), v in counts.items() if tb == table}
    n = sum(by.values())
    print(f"{table}: {n} of {totals[table]} rows in furniture ({n / max(totals[table], 1):.1%})", dict(sorted(by.items())))
c = t["citations"]
print("citations of 13/2023/NĐ-CP:", int((c["number"] == "13/2023/NĐ-CP").sum()))
e = t["entities"]
print("entities 'THƯ VIỆN PHÁP LUẬT':", int(e["text"].str.upper().str.contains("THƯ VIỆN PHÁP LUẬT").sum()))
places = patterns.load("places")
known = set(patterns.place_spellings())
levels = sorted(places["levels"], key=len, reverse=True)


def place_of(j: str) -> str:
    s = patterns.fold(j)
    for lv in levels:
        if s.startswith(patterns.fold(lv) + " "):
            return s[len(patterns.fold(lv)) + 1 :]
    return s


juris = sorted(set(c["jurisdiction"].dropna()))
bad = [j for j in juris if place_of(j) not in known]
print(f"distinct jurisdictions: {len(juris)}, real places: {len(juris) - len(bad)} ({1 - len(bad) / max(len(juris), 1):.1%})")
print("not places:", json.dumps(bad[:40], ensure_ascii=False))
by_prov = collections.defaultdict(set)
for j in juris:
    by_prov[place_of(j)].add(j)
print("places with several spellings:", json.dumps({k: sorted(v) for k, v in by_prov.items() if len(v) > 1}, ensure_ascii=False)[:800])
