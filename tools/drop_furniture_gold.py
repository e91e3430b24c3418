"""Drop from corpus/gold/*.json the items that occur only in site furniture (issue 15: the gold is of the
document, not of the page). An item goes only when every occurrence of it on the page, found by mining the
whole page with no furniture removed, lies in a furniture block; the notes say what went.

Run once after a change to patterns/layouts.json: python tools/drop_furniture_gold.py [--write]
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
import minerals
ex = sys.modules["minerals.extract"]
from minerals.evaluate import SUFFIXES, _entity_key  # noqa: E402
from minerals.layout import Layout, find_layout  # noqa: E402

docs = {p.stem: p for p in (ROOT / "corpus").rglob("*") if p.suffix in SUFFIXES and "gold" not in p.parts}
real = ex.find_layout
for f in sorted((ROOT / "corpus" / "gold").glob("*.json")):
    g = json.loads(f.read_text(encoding="utf-8"))
    p = docs.get(g["doc"])
    if p is None:
        continue
    ex.find_layout = lambda text, raw=None: Layout(0, len(text))  # the whole page, furniture and all
    page = minerals.process(p)
    ex.find_layout = real
    lay = find_layout(page.text, page.raw)
    if not lay.furniture:
        continue
    only_furniture = lambda items: bool(items) and all(lay.is_furniture(x.start) for x in items)  # noqa: E731
    dropped = []
    keep = []
    for c in g["citations"]:
        if only_furniture([x for x in page.citations if x.number == c["number"]]):
            dropped.append(c["number"])
        else:
            keep.append(c)
    g["citations"] = keep
    keep = []
    for v in g.get("dates", []):
        if only_furniture([x for x in page.dates if x.value == v]):
            dropped.append(v)
        else:
            keep.append(v)
    g["dates"] = keep
    keep = []
    for q in g.get("quantities") or []:
        if only_furniture([x for x in page.quantities if x.value == q["value"] and (x.unit or "") == (q.get("unit") or "")]):
            dropped.append(f"{q['value']} {q.get('unit')}")
        else:
            keep.append(q)
    if g.get("quantities") is not None:
        g["quantities"] = keep
    if "entities" in g:
        keep = []
        for e in g["entities"]:
            label, text = (e["label"], e["text"]) if isinstance(e, dict) else e
            same = [x for x in page.entities if x.label == label and _entity_key(x.text) == _entity_key(text)]
            if only_furniture(same):
                dropped.append(f"{label} {text}")
            else:
                keep.append(e)
        g["entities"] = keep
    if dropped:
        print(f.name, len(dropped), dropped)
        note = f"Items of site furniture only (issue 15), dropped: {', '.join(map(str, dropped))}."
        g["notes"] = " ".join(filter(None, [g.get("notes", ""), note]))
        if "--write" in sys.argv:
            f.write_text(json.dumps(g, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
