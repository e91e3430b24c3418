"""Analyses of the legal-reference graph (``graph.build_graph``): what is cited most, who cites whom by type and
issuer, the chain from a report up to the national documents it implements, what is cited but missing from the
archive, and communities of documents that cite each other.

Every function takes the graph and returns a pandas DataFrame (one row per document, group, hop or community),
so the CLI prints each the same way (a table, ``--csv``, ``--json``)::

    g = build_graph("out")
    most_cited(g, top=10)        degree_table(g, by="issuer")     absent(g)
    chain(g, "corpus/seeds/001_1d392ddcd08d93c9.txt")             communities(g)

The rules that are data (which relations a chain follows, which issuers are national) are in
``patterns/analyses.json``.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter, deque
from pathlib import Path


from . import patterns
from .errors import GraphError
from .graph import UNKNOWN_RELATION, cited_nodes, citing_nodes, is_stated

BY_NODE = ("doc_type", "issuer", "level", "year")


def _pd():
    import pandas as pd

    return pd


# --- node facts -------------------------------------------------------------------------------------------
@functools.cache
def _national_prefixes() -> tuple[str, ...]:
    return tuple(patterns.fold(p) + (" " if p.endswith(" ") else "")
                 for p in patterns.load("analyses")["national"]["issuer_prefixes"])


def _is_national_name(name: str | None) -> bool:
    if not name:
        return False
    folded = patterns.fold(name) + " "
    return folded.startswith(_national_prefixes())


def level(number: str | None, issuer: str | None, jurisdiction: str | None) -> str | None:
    """"national", "local" or None (unknown). The number's code decides first (UBND, Sở… local; CP, TTg, TW,
    QH, a ministry's code national), then the printed issuer: one naming a place is local, one of the central
    bodies in patterns/analyses.json national; a document with a jurisdiction and no other sign is local."""
    from .docnumber import is_local
    from .resolve import issuer_from_code, jurisdiction_of

    if number:
        if is_local(number):
            return "local"
        if _is_national_name(issuer_from_code(number)):
            return "national"
    if issuer and jurisdiction_of(issuer):
        return "local"
    if _is_national_name(issuer):
        return "national"
    return "local" if jurisdiction else None


def node_level(attrs: dict) -> str | None:
    return level(attrs.get("number"), attrs.get("issuer"), attrs.get("jurisdiction"))


@functools.cache
def _body_names() -> dict[str, str]:
    """Folded name → name, for the bodies of issuer_codes.json and the national prefixes that are whole names."""
    names = {v for v in patterns.issuer_codes().values() if v}
    names |= {p for p in patterns.load("analyses")["national"]["issuer_prefixes"] if not p.endswith(" ")}
    return {patterns.fold(n): n for n in sorted(names)}


def issuer_name(attrs: dict) -> str | None:
    """A node's issuer, one spelling per body: the printed issuer when it is a body's name, spelt right
    ("Ban Bí thư", where the code TW says only "Ban Chấp hành Trung ương"; OCR's "Chinh phu" → "Chính phủ"),
    or when the number is local (it carries the place); else the body the number's code names ("Bộ trưởng Bộ
    Tài chính" → "Bộ Tài chính"); else the printed issuer."""
    from .docnumber import is_local
    from .resolve import issuer_from_code

    printed, number = attrs.get("issuer"), attrs.get("number")
    body = _body_names().get(patterns.fold(printed)) if printed else None
    if body:
        return body
    if number and not is_local(number):
        return issuer_from_code(number) or printed
    return printed


def node_year(attrs: dict) -> int | None:
    """The year of a node's date, else the year in its number ("126/2007/NĐ-CP")."""
    date = attrs.get("date")
    if date:
        return int(str(date)[:4])
    from .docnumber import number_year

    return number_year(attrs.get("number") or "")


def _key(attrs: dict, by: str):
    if by == "issuer":
        return issuer_name(attrs)
    if by == "level":
        return node_level(attrs)
    if by == "year":
        return node_year(attrs)
    return attrs.get(by)


def _check_by(by: str | None, allowed=BY_NODE) -> None:
    if by is not None and by not in allowed:
        raise GraphError(f"unknown grouping {by!r}; valid: {', '.join(allowed)}")


def _citing(g, node) -> int:
    """How many distinct documents cite ``node`` (parallel edges of several relations count once)."""
    return len(citing_nodes(g, node))


# --- most cited -------------------------------------------------------------------------------------------
def most_cited(g, top: int = 20, by: str | None = None):
    """The documents cited most (citation rows, then citing documents), the ``top`` of each group when ``by``
    is doc_type, issuer, level or year."""
    _check_by(by)
    pd = _pd()
    ranked = sorted(((-a["cited"], -_citing(g, n), n) for n, a in g.nodes(data=True) if a.get("cited")))
    if by is None:
        ranked = ranked[:top]  # the attributes of the top rows only: fast on 10⁵ nodes
    rows = []
    for minus_cited, minus_docs, n in ranked:
        a = g.nodes[n]
        rows.append({"id": n, "number": a.get("number"), "doc_type": a.get("doc_type"), "issuer": issuer_name(a),
                     "year": node_year(a), "level": node_level(a), "mined": bool(a.get("mined")),
                     "citations": -minus_cited, "documents": -minus_docs})
    cols = ["id", "number", "doc_type", "issuer", "year", "level", "mined", "citations", "documents"]
    frame = pd.DataFrame(rows, columns=cols).astype({"year": "Int64"})
    frame = frame.sort_values(["citations", "documents", "id"], ascending=[False, False, True], kind="stable")
    if by is None:
        return frame.head(top).reset_index(drop=True)
    frame = frame.groupby(by, dropna=False, sort=False).head(top)
    # years newest first; other groups by the citations of their top rows
    order = frame[by] if by == "year" else frame.groupby(by, dropna=False)["citations"].transform("sum")
    frame = frame.assign(_g=order).sort_values(["_g", by, "citations", "documents", "id"],
                                                ascending=[False, True, False, False, True], kind="stable",
                                                na_position="last")
    return frame.drop(columns="_g")[[by] + [c for c in cols if c != by]].reset_index(drop=True)


# --- degrees ----------------------------------------------------------------------------------------------
def degree_table(g, by: str = "doc_type"):
    """In- and out-degree per doc_type, issuer, level or year: nodes, mined documents, distinct links in
    (``cited_by``: citing-document/cited-document pairs) and out (``cites``), and the same weighted by
    citation rows (``citations_in``, ``citations_out``). Each weighted column adds up to the graph's
    citations."""
    if by == "relation":
        return relation_counts(g)
    _check_by(by)
    pd = _pd()
    rows = []
    for n, a in g.nodes(data=True):
        rows.append({by: _key(a, by), "nodes": 1, "mined": int(bool(a.get("mined"))),
                     "cited_by": len(citing_nodes(g, n)), "cites": len(cited_nodes(g, n)),
                     "citations_in": int(g.in_degree(n, weight="weight")),
                     "citations_out": int(g.out_degree(n, weight="weight"))})
    frame = pd.DataFrame(rows, columns=[by, "nodes", "mined", "cited_by", "cites", "citations_in", "citations_out"])
    if by == "year":
        frame = frame.astype({"year": "Int64"})
    out = frame.groupby(by, dropna=False, sort=False).sum().reset_index()
    return out.sort_values(["citations_in", "citations_out", "nodes"], ascending=False,
                           kind="stable").reset_index(drop=True)


def relation_counts(g):
    """The archive's relations: per relation, the citation rows that name it, the distinct (citing, cited)
    links, citing and cited documents; then the relations stated between two cited documents ("between":
    "X được sửa đổi, bổ sung bởi Y"), counted by statements, with the documents that state them."""
    pd = _pd()
    acc: dict[tuple[str, bool], dict] = {}
    for u, v, k, d in g.edges(keys=True, data=True):
        stated = is_stated(k)
        rel = d.get("relation") or UNKNOWN_RELATION
        row = acc.setdefault((rel, stated), {"citations": 0, "links": 0, "sources": set(), "targets": set(),
                                              "witnesses": set()})
        row["citations"] += d.get("statements", 0) if stated else d.get("weight", 0)
        row["links"] += 1
        row["sources"].add(u)
        row["targets"].add(v)
        row["witnesses"].update(d.get("stated_by") or ())
    rows = [{"relation": rel, "between": stated, "citations": r["citations"], "links": r["links"],
             "sources": len(r["sources"]), "targets": len(r["targets"]),
             "stated_by": len(r["witnesses"]) if stated else None}
            for (rel, stated), r in acc.items()]
    frame = pd.DataFrame(rows, columns=["relation", "between", "citations", "links", "sources", "targets", "stated_by"])
    frame = frame.astype({"stated_by": "Int64"})
    return frame.sort_values(["between", "citations", "relation"], ascending=[True, False, True],
                             kind="stable").reset_index(drop=True)


# --- absent -----------------------------------------------------------------------------------------------
def absent(g, examples: int = 3):
    """Documents cited but not in the archive: how many citation rows and how many documents cite each, and
    the names of up to ``examples`` citing files. Most cited first: what to add to the archive next."""
    pd = _pd()
    rows = []
    for n, a in g.nodes(data=True):
        if a.get("mined") or not g.in_degree(n):
            continue
        citing = sorted(citing_nodes(g, n))
        names = [Path(g.nodes[c]["path"]).name if g.nodes[c].get("path") else c for c in citing[:examples]]
        rows.append({"id": n, "number": a.get("number"), "doc_type": a.get("doc_type"), "issuer": issuer_name(a),
                     "jurisdiction": a.get("jurisdiction"), "level": node_level(a), "citations": a["cited"],
                     "documents": len(citing), "cited_by": ", ".join(names) + (" …" if len(citing) > examples else "")})
    cols = ["id", "number", "doc_type", "issuer", "jurisdiction", "level", "citations", "documents", "cited_by"]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["documents", "citations", "id"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)


# --- communities ------------------------------------------------------------------------------------------
def undirected(g):
    """The undirected projection: one edge per pair of documents that cite each other in either direction,
    weighted by all their citation rows."""
    import networkx as nx

    h = nx.Graph()
    h.add_nodes_from(g.nodes)
    for u, v, w in g.edges(data="weight"):
        if u == v:
            continue
        if h.has_edge(u, v):
            h[u][v]["weight"] += w
        else:
            h.add_edge(u, v, weight=w)
    return h


def community_sets(g, seed: int = 0, resolution: float = 1.0) -> list[frozenset]:
    """Louvain communities of the undirected weighted projection (fixed seed: the same graph gives the same
    partition), largest first. Every node is in exactly one; a document that cites nothing is alone."""
    import networkx as nx

    parts = nx.community.louvain_communities(undirected(g), weight="weight", resolution=resolution, seed=seed)
    return sorted((frozenset(p) for p in parts), key=lambda p: (-len(p), min(p)))


def communities(g, top: int = 5, seed: int = 0, min_size: int = 2):
    """One row per community of at least ``min_size`` documents: its size, mined documents, citation rows
    inside it, its main types and its ``top`` most cited members ("20-CT/TW ×5")."""
    pd = _pd()
    rows = []
    for i, members in enumerate(community_sets(g, seed=seed), start=1):
        if len(members) < min_size:
            continue
        attrs = [(m, g.nodes[m]) for m in sorted(members)]
        inside = sum(w for u, v, w in g.subgraph(members).edges(data="weight"))
        ranked = sorted(((a.get("cited") or 0, m, a) for m, a in attrs if a.get("cited")),
                        key=lambda t: (-t[0], t[1]))[:top]
        types = sorted(Counter(a.get("doc_type") for _, a in attrs if a.get("doc_type")).items(),
                       key=lambda t: (-t[1], t[0]))[:3]
        rows.append({"community": i, "size": len(members), "mined": sum(bool(a.get("mined")) for _, a in attrs),
                     "citations": int(inside), "types": ", ".join(f"{t} {k}" for t, k in types),
                     "most_cited": ", ".join(f"{a.get('number') or m} ×{c}" for c, m, a in ranked)})
    return pd.DataFrame(rows, columns=["community", "size", "mined", "citations", "types", "most_cited"])


# --- chain ------------------------------------------------------------------------------------------------
@functools.cache
def followed_relations() -> tuple[str, ...]:
    return tuple(patterns.load("analyses")["chain"]["follow"])


def find_node(g, ref: str) -> str:
    """The node a user names: a node id, a mined file (by content, then by path), or a number in any spelling
    (a local number must then be unique across jurisdictions)."""
    from .docnumber import canonical_id

    ref = str(ref)
    if ref in g:
        return ref
    path = Path(ref)
    if path.is_file():
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        hits = [n for n, d in g.nodes(data="doc_id") if d == sha]
        if hits:
            return hits[0]
    want = ref.replace("\\", "/").removeprefix("./")
    hits = [n for n, p in g.nodes(data="path") if p and (p == want or p.endswith("/" + want)
                                                        or want.endswith("/" + p))]
    if not hits and path.exists():
        resolved = path.resolve()
        hits = [n for n, p in g.nodes(data="path") if p and Path(p).resolve() == resolved]
    if not hits:
        cid = canonical_id(ref)
        if cid in g:
            return cid
        hits = [n for n in g if cid and n.startswith(cid + "@")]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise GraphError(f"{ref}: names {len(hits)} documents ({', '.join(sorted(hits)[:5])}); give its path")
    raise GraphError(f"{ref}: not in this dataset's graph (give a mined file's path, or a number it cites)")


def _hop(g, u: str, v: str, follow: tuple[str, ...] | None) -> tuple[str | None, str | None] | None:
    """The relation and sentence of the hop u → v: the best followed relation between them, or None when no
    relation between them is followed (``follow`` None: any relation, the unnamed one last)."""
    edges = g.get_edge_data(u, v) or {}
    ranked = []
    for data in edges.values():
        rel = data.get("relation")
        if rel in (follow or followed_relations()):
            rank = (follow or followed_relations()).index(rel)
        elif follow is None:  # every edge: the implementing relations first, then the others, the unnamed last
            rank = len(followed_relations()) + (rel is None)
        else:
            continue
        ranked.append((rank, rel or "", data))
    if not ranked:
        return None
    _, _, data = min(ranked, key=lambda t: (t[0], t[1]))
    sentences = data.get("sentences") or []
    return data.get("relation"), (sentences[0] if sentences else None)


def _walk(g, root: str, follow: tuple[str, ...] | None, down: bool = False):
    """Breadth-first from ``root`` along edges whose relation ``_hop`` follows: up to the cited documents, or
    (``down``) to the citing ones. Each document is reached once, by its shortest walk, so cycles end. Returns
    its depth, the (neighbour it was reached from, relation, sentence) of each, and the children of each in
    the order reached."""
    parent: dict[str, tuple[str, str | None, str | None]] = {}
    children: dict[str, list[str]] = {}
    depth = {root: 0}
    queue = deque([root])
    while queue:
        u = queue.popleft()
        hops = []
        for v in set(g.predecessors(u) if down else g.successors(u)):
            if v in depth:
                continue
            hop = _hop(g, v, u, follow) if down else _hop(g, u, v, follow)
            if hop:
                hops.append((v, hop))
        for v, hop in sorted(hops, key=lambda t: t[0]):
            depth[v] = depth[u] + 1
            parent[v] = (u, *hop)
            children.setdefault(u, []).append(v)
            queue.append(v)
    return depth, parent, children


def chain(g, start: str, follow: tuple[str, ...] | None = ()):
    """The documents ``start`` implements, up to the national ones: a breadth-first walk along citation edges
    whose relation is in ``follow`` (default: patterns/analyses.json ``chain.follow``; None: every edge),
    each document reached once by its shortest chain, so cycles end. One row per hop in tree order (a child
    right after its parent): depth, source, target, relation, sentence and the target's number, type, issuer,
    level. ``ultimate`` marks the national documents the chain ends at: national, and implementing no other
    national document on the chain."""
    import networkx as nx

    pd = _pd()
    if follow == ():
        follow = followed_relations()
    root = find_node(g, start)
    depth, parent, children = _walk(g, root, follow)

    national = {n for n in depth if n != root and node_level(g.nodes[n]) == "national"}
    # national documents with no followed edge to another national one on the chain (cycles: the whole
    # strongly connected group of them that nothing national leads out of)
    sub = nx.DiGraph()
    sub.add_nodes_from(national)
    sub.add_edges_from((u, v) for u in national for v in set(g.successors(u))
                       if v in national and v != u and _hop(g, u, v, follow))
    cond = nx.condensation(sub)
    ultimate = {n for c in cond if not cond.out_degree(c) for n in cond.nodes[c]["members"]}

    rows, stack = [], list(reversed(children.get(root, [])))
    while stack:
        v = stack.pop()
        u, rel, sentence = parent[v]
        a = g.nodes[v]
        rows.append({"depth": depth[v], "source": u, "target": v, "relation": rel, "number": a.get("number"),
                     "doc_type": a.get("doc_type"), "issuer": issuer_name(a), "level": node_level(a),
                     "mined": bool(a.get("mined")), "ultimate": v in ultimate, "sentence": sentence})
        stack.extend(reversed(children.get(v, [])))
    cols = ["depth", "source", "target", "relation", "number", "doc_type", "issuer", "level", "mined", "ultimate",
            "sentence"]
    return pd.DataFrame(rows, columns=cols)


# --- implementers -----------------------------------------------------------------------------------------
def implementers(g, target: str, follow: tuple[str, ...] | None = ()):
    """The documents that implement ``target``, directly or through a chain: the reverse of ``chain``, a
    breadth-first walk down the edges whose relation is in ``follow`` (default: patterns/analyses.json
    ``chain.follow``; None: every edge) into ``target``, each document reached once by its shortest chain.
    Edges stated between two cited documents count ("Nghị quyết 71/NQ-CP … Chương trình hành động thực hiện
    Nghị quyết 57-NQ/TW": 71/NQ-CP implements 57-NQ/TW, so a plan based on 71/NQ-CP is reached through it).
    One row per document, nearest first: depth, the document, the one it implements (``implements``), the
    relation and sentence of that hop, the document's number, type, issuer, level, path, and ``chain`` (the
    numbers from it down to ``target``)."""
    pd = _pd()
    if follow == ():
        follow = followed_relations()
    root = find_node(g, target)
    depth, via, _ = _walk(g, root, follow, down=True)

    def label(n: str) -> str:
        a = g.nodes[n]
        return a.get("number") or (Path(a["path"]).name if a.get("path") else n)

    rows = []
    for u in sorted(via, key=lambda n: (depth[n], n)):
        v, rel, sentence = via[u]
        path, n = [label(u)], u
        while n != root:
            n = via[n][0]
            path.append(label(n))
        a = g.nodes[u]
        rows.append({"depth": depth[u], "document": u, "implements": v, "relation": rel, "number": a.get("number"),
                     "doc_type": a.get("doc_type"), "issuer": issuer_name(a), "level": node_level(a),
                     "mined": bool(a.get("mined")), "path": a.get("path"), "chain": " → ".join(path),
                     "sentence": sentence})
    cols = ["depth", "document", "implements", "relation", "number", "doc_type", "issuer", "level", "mined", "path",
            "chain", "sentence"]
    return pd.DataFrame(rows, columns=cols)
