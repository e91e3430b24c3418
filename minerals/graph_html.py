"""The reference graph as one self-contained, interactive HTML page (``export(g, "html", out)``).

The page works offline: cytoscape.js (MIT, vendored in ``minerals/static/`` with its licence), the page
template and the graph data are inlined; nothing is fetched. Node positions are computed here
(``networkx.spring_layout``, seeded) so the browser only draws. An archive graph of 10,000 documents has
~85,000 nodes, more than a browser draws usably: beyond ``max_nodes`` the page keeps the most cited
documents and the documents most linked to them, and says so.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from math import sqrt

from .graph import citing_nodes

MAX_NODES = 2000  # beyond this many nodes the page shows a selection (``--max-nodes``)
SPRING_LAYOUT_MAX = 400  # past this many nodes shown, an anchored layout (a spring layout is too slow)
CORE_SHARE = 10  # of a selection, 1/CORE_SHARE are the most cited documents, the rest their best-linked neighbours
_SENTENCES_PER_EDGE = 5  # sentences kept per relation of an edge (the json export has them all)


def select_nodes(g, max_nodes: int = MAX_NODES) -> tuple[list, str | None]:
    """The nodes the page shows and a note saying what was left out (None when nothing was).

    Beyond ``max_nodes``: the ``max_nodes // CORE_SHARE`` most cited documents (by citing documents), then the
    neighbours linked to most of them (ties: the more cited, then the id), up to ``max_nodes`` in all."""
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, not {max_nodes}")
    n = g.number_of_nodes()
    if n <= max_nodes:
        return list(g.nodes), None
    citers = {v: len(citing_nodes(g, v)) for v in g.nodes}
    ranked = sorted(g.nodes, key=lambda v: (-citers[v], str(v)))
    core_size = max(1, max_nodes // CORE_SHARE)
    core = ranked[:core_size]
    kept = set(core)
    links: dict = {}
    for c in core:
        for u in set(g.predecessors(c)) | set(g.successors(c)):
            if u not in kept:
                links[u] = links.get(u, 0) + 1
    extra = sorted(links, key=lambda u: (-links[u], -citers[u], str(u)))[: max_nodes - len(core)]
    if len(core) + len(extra) < max_nodes:  # few neighbours: fill with the next most cited
        rest = [v for v in ranked[core_size:] if v not in links]
        extra += rest[: max_nodes - len(core) - len(extra)]
    nodes = core + extra
    note = (f"Showing {len(nodes):,} of {n:,} documents: the {len(core):,} most cited and the {len(nodes) - len(core):,} "
            f"documents most linked to them (minerals graph --max-nodes N to change).")
    return nodes, note


def _layout(h) -> dict:
    """Positions in pixels: each connected part laid out alone (seeded spring layout, sized by its nodes), the
    parts packed in rows, largest first — one spring layout of everything throws small parts to the edges.
    Past ``SPRING_LAYOUT_MAX`` nodes a spring layout takes minutes in networkx: ``_anchored_layout`` instead."""
    import networkx as nx

    if h.number_of_nodes() > SPRING_LAYOUT_MAX:
        return _anchored_layout(h)
    simple = nx.Graph(h.to_undirected(as_view=True))
    parts = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(map(str, c))))
    placed: list[tuple[dict, float]] = []
    for part in parts:
        n = len(part)
        radius = 40 * sqrt(n) if n > 1 else 10.0
        if n == 1:
            pos = {next(iter(part)): (0.0, 0.0)}
        else:
            pos = nx.spring_layout(simple.subgraph(part), seed=1, iterations=50 if n <= 5000 else 30)
        placed.append(({v: (float(x) * radius, float(y) * radius) for v, (x, y) in pos.items()}, radius))
    total = sum((2 * r + 30) ** 2 for _, r in placed)
    row_width = max(sqrt(total) * 1.3, 2 * placed[0][1] + 30) if placed else 0
    out: dict = {}
    x = y = row_height = 0.0
    for pos, r in placed:
        side = 2 * r + 30
        if x and x + side > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for v, (px, py) in pos.items():
            out[v] = (round(x + side / 2 + px, 1), round(y + side / 2 + py, 1))
        x += side
        row_height = max(row_height, side)
    return out


def _anchored_layout(h) -> dict:
    """A layout for big views in about a second: the most linked nodes (a tenth) are laid out by a spring layout
    of how often they are linked to the same documents (co-citation), and every other node sits among the
    anchors it links to, jittered — so a report sits between the decrees it cites."""
    import random

    import networkx as nx

    n = h.number_of_nodes()
    simple = nx.Graph(h.to_undirected(as_view=True))
    ranked = sorted(simple, key=lambda v: (-simple.degree(v), str(v)))
    anchors = ranked[: max(2, min(SPRING_LAYOUT_MAX, n // CORE_SHARE))]
    is_anchor = set(anchors)
    co = nx.Graph()
    co.add_nodes_from(anchors)
    for v in simple:
        linked = sorted((u for u in simple[v] if u in is_anchor), key=str)[:40]
        for i, a in enumerate(linked):
            for b in linked[i + 1:]:
                co.add_edge(a, b, weight=co.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
        if v in is_anchor:
            for u in linked:
                co.add_edge(v, u, weight=co.get_edge_data(v, u, {"weight": 0})["weight"] + 1)
    pos = {v: (float(x), float(y)) for v, (x, y) in nx.spring_layout(co, seed=1, weight="weight").items()}
    rnd = random.Random(1)
    spread = 1.2 / sqrt(len(anchors))
    rest = [v for v in ranked if v not in is_anchor]
    for _ in range(2):  # nodes linked only to non-anchors are placed once their neighbours are
        waiting = []
        for v in rest:
            near = [pos[u] for u in simple[v] if u in pos]
            if not near:
                waiting.append(v)
                continue
            cx, cy = sum(p[0] for p in near) / len(near), sum(p[1] for p in near) / len(near)
            pos[v] = (cx + rnd.uniform(-spread, spread), cy + rnd.uniform(-spread, spread))
        rest = waiting
    for i, v in enumerate(rest):  # unlinked to anything shown: a row below
        pos[v] = (-1.2 + 2.4 * i / max(1, len(rest)), 1.4)
    scale = 80 * sqrt(n)  # wider than a spring layout's: anchored nodes crowd their anchors
    return {v: (round(x * scale, 1), round(y * scale, 1)) for v, (x, y) in pos.items()}


def graph_data(g, max_nodes: int = MAX_NODES) -> dict:
    """What the page draws: nodes (attributes, citing documents, position), one edge per (citing, cited)
    pair with each relation's weight and sentences (indexes into ``sentences``, each distinct sentence once)."""
    nodes, note = select_nodes(g, max_nodes)
    h = g.subgraph(nodes)
    pos = _layout(h)
    out_nodes = []
    for v in nodes:
        a = g.nodes[v]
        out_nodes.append({
            "id": str(v), "number": a.get("number"), "doc_type": a.get("doc_type"), "issuer": a.get("issuer"),
            "jurisdiction": a.get("jurisdiction"), "date": a.get("date"), "title": a.get("title"),
            "path": a.get("path"), "mined": bool(a.get("mined")), "cited": int(a.get("cited") or 0),
            "citers": len(citing_nodes(g, v)), "x": pos[v][0], "y": pos[v][1],
        })
    pairs: dict = {}
    sentence_ids: dict[str, int] = {}  # one sentence often cites several documents: stored once
    for u, v, a in h.edges(data=True):
        pair = pairs.setdefault((u, v), {"source": str(u), "target": str(v), "weight": 0, "relations": []})
        pair["weight"] += int(a.get("weight") or 0)
        sentences = list(a.get("sentences") or ())
        kept = [sentence_ids.setdefault(s, len(sentence_ids)) for s in sentences[:_SENTENCES_PER_EDGE]]
        pair["relations"].append({"relation": a.get("relation"), "weight": int(a.get("weight") or 0),
                                  "sentences": kept, "more": max(0, len(sentences) - _SENTENCES_PER_EDGE)})
    return {"nodes": out_nodes, "edges": list(pairs.values()), "sentences": list(sentence_ids), "note": note,
            "total": {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
                      "citations": int(g.size(weight="weight"))}}


def _script_safe(text: str) -> str:
    """Text that cannot end the <script> element it is inlined in."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def render_graph_html(g, max_nodes: int = MAX_NODES, title: str = "minerals — legal-reference graph") -> str:
    """The page: template + vendored cytoscape.js + the graph data, one file that needs no network."""
    static = resources.files("minerals") / "static"
    template = (static / "graph.html").read_text(encoding="utf-8")
    library = (static / "cytoscape.min.js").read_text(encoding="utf-8")
    data = json.dumps(graph_data(g, max_nodes), ensure_ascii=False, separators=(",", ":"))
    return (template.replace("{{TITLE}}", html.escape(title))
            .replace("/*{{CYTOSCAPE}}*/", _script_safe(library))
            .replace("/*{{DATA}}*/null", _script_safe(data)))
