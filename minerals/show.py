"""A self-contained HTML view of one document: every extracted item highlighted by kind, its values on hover,
so a person can check the extraction by eye (no network: styles and script are inline)."""

from __future__ import annotations

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


def render_html(doc: Document) -> str:
    """The page: the clean text with non-overlapping marks (citations first, then laws, dates, quantities,
    entities), a legend with counts, the document's metadata and its targets."""
    text = doc.text or ""
    priority = {k: i for i, k in enumerate(KINDS)}
    placed: list[tuple[int, int, str, dict]] = []
    taken: list[tuple[int, int]] = []
    for s, e, kind, item in sorted(_items(doc), key=lambda x: (priority[x[2]], x[0])):
        if e <= s or any(a < e and s < b for a, b in taken):
            continue
        taken.append((s, e))
        placed.append((s, e, kind, item))
    placed.sort()
    parts, pos = [], 0
    for s, e, kind, item in placed:
        parts.append(html.escape(text[pos:s]))
        shown = {k: v for k, v in item.items() if k not in ("start", "end", "text") and v not in (None, [], "")}
        tip = html.escape(json.dumps(shown, ensure_ascii=False, indent=1), quote=True)
        parts.append(f'<mark class="{kind}" data-kind="{kind}" title="{tip}">{html.escape(text[s:e])}</mark>')
        pos = e
    parts.append(html.escape(text[pos:]))
    counts = {k: sum(1 for p in placed if p[2] == k) for k in KINDS}
    legend = "".join(
        f'<span class="{k}"><mark class="{k}">{label}</mark> {counts[k]}</span>' for k, (_, label) in KINDS.items()
    )
    styles = "".join(f"mark.{k}{{background:{color}}}" for k, (color, _) in KINDS.items())
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
mark{{border-radius:3px;padding:0 2px;cursor:help}} mark:hover{{outline:2px solid #333}}
.legend span{{display:inline-block;margin:0 .6em .3em 0}} table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #ddd;padding:2px 4px;text-align:left;vertical-align:top}}
{styles}
</style></head>
<body><main id="text">{"".join(parts)}</main>
<aside><h3>minerals</h3><div class="legend">{legend}</div>
<p>Hover a mark to see its values.</p>
<h4>Document</h4><table>{meta_rows}</table>
<h4>Targets</h4><table>{target_rows}</table></aside>
</body></html>
"""
