"""A self-contained HTML view of one document: every extracted item highlighted by kind, its values on hover,
each part of the document (header, căn cứ, body, annex, signature…) labelled in the margin and the site
furniture left out of mining greyed, so a person can check the extraction by eye (no network: styles inline)."""

from __future__ import annotations

import bisect
import html
import json

from .models import Document

KINDS = {
    "citation": ("#ffd166", "Citation"),
    "named_law": ("#f4a261", "Named law"),
    "date": ("#8ecae6", "Date"),
    "quantity": ("#95d5b2", "Quantity"),
    "ORG": ("#cdb4db", "Organisation"),
    "LOC": ("#bde0fe", "Place"),
    "PER": ("#ffafcc", "Person"),
}


def _items(doc: Document) -> list[tuple[int, int, str, dict]]:
    d = doc.to_dict()
    out = []
    for kind, key in (("citation", "citations"), ("named_law", "named_laws"), ("date", "dates"), ("quantity", "quantities")):
        for item in d[key]:
            out.append((item["start"], item["end"], kind, item))
    for item in d["entities"]:
        out.append((item["start"], item["end"], item["label"], item))
    return out


SECTION_COLORS = {"header": "#6d597a", "basis": "#2a9d8f", "body": "#dddddd", "annex": "#e9c46a",
                  "signature": "#e76f51", "recipients": "#f4a261", "footnote": "#8d99ae"}


def _segments(doc: Document) -> list[tuple[int, int, str, bool]]:
    """The text cut into (start, end, label, is_furniture): each section, each block of furniture."""
    text = doc.text or ""
    lay = doc.layout
    if lay is None:
        return [(0, len(text), "body", False)]
    cuts = sorted({0, len(text), lay.start, lay.end, *(x for f in lay.furniture for x in (f.start, f.end)),
                   *(x for sec in lay.sections for x in (sec.start, sec.end))})
    out: list[tuple[int, int, str, bool]] = []
    for a, b in zip(cuts, cuts[1:]):
        if b <= a or a >= len(text):
            continue
        if lay.is_furniture(a):
            kind = next((f.kind for f in lay.furniture if f.start <= a < f.end), "furniture")
            label, furn = kind, True
        else:
            label, furn = lay.section_at(a) or "body", False
        if out and out[-1][2] == label and out[-1][3] == furn and out[-1][1] == a:
            out[-1] = (out[-1][0], b, label, furn)
        else:
            out.append((a, b, label, furn))
    return out


def render_html(doc: Document) -> str:
    """The page: the clean text with non-overlapping marks (citations first, then laws, dates, quantities,
    entities), a legend with counts, the document's metadata and its targets."""
    text = doc.text or ""
    priority = {k: i for i, k in enumerate(KINDS)}
    placed: list[tuple[int, int, str, dict]] = []
    starts: list[int] = []  # the placed marks, disjoint, by start: only the two beside a new one can overlap it
    ends: list[int] = []
    for s, e, kind, item in sorted(_items(doc), key=lambda x: (priority[x[2]], x[0])):
        i = bisect.bisect_right(starts, s)
        if e <= s or (i and ends[i - 1] > s) or (i < len(starts) and starts[i] < e):
            continue
        starts.insert(i, s)
        ends.insert(i, e)
        placed.append((s, e, kind, item))
    placed.sort()
    parts = []
    k = 0
    for a, b, label, furn in _segments(doc):
        cls = "furniture" if furn else f"sec sec-{label}"
        parts.append(f'<div class="{cls}" data-section="{"" if furn else label}" data-furniture="{label if furn else ""}">'
                     f'<span class="tag">{html.escape(label)}</span>')
        pos = a
        while k < len(placed) and placed[k][0] < b:
            s, e, kind, item = placed[k]
            k += 1
            if s < pos:
                continue
            e = min(e, b)
            parts.append(html.escape(text[pos:s]))
            shown = {key: v for key, v in item.items() if key not in ("start", "end", "text") and v not in (None, [], "")}
            tip = html.escape(json.dumps(shown, ensure_ascii=False, indent=1), quote=True)
            parts.append(f'<mark class="{kind}" data-kind="{kind}" title="{tip}">{html.escape(text[s:e])}</mark>')
            pos = e
        parts.append(html.escape(text[pos:b]) + "</div>")
    counts = {k: sum(1 for p in placed if p[2] == k) for k in KINDS}
    legend = "".join(
        f'<span class="{k}"><mark class="{k}">{label}</mark> {counts[k]}</span>' for k, (_, label) in KINDS.items()
    )
    styles = "".join(f"mark.{k}{{background:{color}}}" for k, (color, _) in KINDS.items())
    styles += "".join(f".sec-{k}{{border-left:4px solid {color}}}" for k, color in SECTION_COLORS.items())
    meta = doc.to_dict()["document"]
    meta_rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(json.dumps(v, ensure_ascii=False))}</td></tr>"
        for k, v in meta.items() if v not in (None, [], "")
    )
    target_rows = "".join(
        f"<tr><td>{html.escape(t['kind'])}</td><td>{html.escape(t['text'])}</td><td>"
        + html.escape(json.dumps({k: v for k, v in t.items() if k not in ("text", "kind", "start", "end", "page") and v is not None}, ensure_ascii=False))
        + "</td></tr>"
        for t in doc.to_dict()["targets"]
    )
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>minerals — {html.escape(doc.path)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:0;display:flex}}
main{{flex:3;padding:1em 2em;white-space:pre-wrap;line-height:1.7;font-family:Georgia,serif}}
aside{{flex:1;padding:1em;background:#f6f6f6;font-size:.85em;max-height:100vh;overflow:auto;position:sticky;top:0}}
.sec,.furniture{{position:relative;padding-left:.6em;margin-left:5em}} .tag{{position:absolute;left:-5.5em;width:5em;text-align:right;font:11px system-ui;color:#777;white-space:nowrap;overflow:hidden}}
.furniture{{color:#aaa;background:repeating-linear-gradient(45deg,#fafafa,#fafafa 6px,#f0f0f0 6px,#f0f0f0 12px);border-left:4px dashed #ccc}}
mark{{border-radius:3px;padding:0 2px;cursor:help}} mark:hover{{outline:2px solid #333}}
.legend span{{display:inline-block;margin:0 .6em .3em 0}} table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top}}
{styles}
</style></head>
<body><main id="text">{"".join(parts)}</main>
<aside><h3>minerals</h3><div class="legend">{legend}</div>
<p>Hover a mark to see its values. The margin names each part of the document; hatched grey text is site
furniture (notices, sidebars), not mined.</p>
<h4>Document</h4><table>{meta_rows}</table>
<h4>Targets</h4><table>{target_rows}</table></aside>
</body></html>
"""
