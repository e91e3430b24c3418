"""The legal-reference graph: who cites what, and how.

Nodes are documents: those in the archive (the ``documents`` table) and those they cite (the ``citations``
table), merged by canonical id, so a mined document whose own number is "126/2007/NĐ-CP" is the node that
other documents' citations of "126/2007/ND-CP" point to. A local document's id carries its jurisdiction
("112/KH-UBND@thành phố Cao Bằng"), exactly as ``resolve.resolve_citations`` gives it to citations: the graph
reads the ``id`` and ``jurisdiction`` the documents table keeps; a mined document without a usable number (no
``id``) is ``doc:<sha256[:12]>``.

Edges: one per (citing document, cited id, relation) in a ``networkx.MultiDiGraph`` keyed by the relation,
with ``relation`` (None when the sentence names none), ``weight`` (how many citation rows) and ``sentences``
(the distinct citing sentences). The weights add up to the number of citation rows.

Edges between two cited documents ("Căn cứ Luật số 72/2025/QH15 được sửa đổi, bổ sung bởi Luật số
87/2025/QH15": 87/2025/QH15 → 72/2025/QH15, citation ``acts_on``) are keyed ``"stated: " + relation``, with
weight 0 (they are no citation rows), ``statements`` (how many citations say so), ``stated_by`` (the citing
documents, witnesses) and ``sentences``. ``cited_links`` gives a node's citing documents without them.

    g = build_graph("out")                 # a dataset folder, or the dict of frames open_dataset gives
    export(g, "graphml", "refs.graphml")   # graphml | gexf | json | csv (a folder: nodes.csv, edges.csv) | html
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import regex

from .errors import GraphError, NoDatasetError

FORMATS = ("graphml", "gexf", "json", "csv", "html")
NODE_FIELDS = ("number", "doc_type", "issuer", "jurisdiction", "date", "title", "status", "path", "doc_id", "registry",
               "registry_url", "from_registry")
REGISTRY_FIELDS = ("title", "date", "issuer", "doc_type", "status")  # what a registry entry fills when unknown
UNKNOWN_RELATION = "trích dẫn"  # the edge key when the citing sentence names no relation (attribute stays None)
STATED = "stated: "  # key prefix of an edge between two cited documents, stated by the documents citing both
_NOT_WORD = regex.compile(r"[^A-Z0-9]+")


def _nx():
    try:
        import networkx as nx
    except ImportError as err:  # pragma: no cover - networkx is a dependency
        raise GraphError("the graph needs networkx (pip install networkx)") from err
    return nx


def _records(frame, columns: list[str]) -> list[dict]:
    """Rows as dicts of plain Python values, None for missing (column by column: fast on 10⁶ rows)."""
    values = []
    for c in columns:
        col = frame[c]
        values.append(col.astype(object).where(col.notna(), None).tolist())
    return [dict(zip(columns, row)) for row in zip(*values)]


def _most_common(values) -> object:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _frames(dataset) -> Mapping:
    if isinstance(dataset, Mapping):
        return dataset
    from .dataset import open_dataset

    path = Path(dataset)
    if not path.is_dir():
        raise NoDatasetError(path)
    return open_dataset(path)


def build_graph(dataset, registry="default"):
    """The reference graph of a dataset folder (or of ``open_dataset``'s dict of frames): a MultiDiGraph.
    ``registry`` ("default": the shipped one; a path; a ``Registry``; None) fills what citations leave unknown
    (``fill_from_registry``)."""
    from .registry import registry_option

    registry = registry_option(registry)
    nx = _nx()
    frames = _frames(dataset)
    docs, cites = frames["documents"], frames["citations"]
    g = nx.MultiDiGraph()

    node_of: dict[str, str] = {}  # doc_id → node id
    for row in _records(docs, list(docs.columns)):
        doc_id, number, jurisdiction = row["doc_id"], row.get("number"), row.get("jurisdiction")
        # the id the mining gave the document (``resolve.document_id``); none without a usable number
        node = row.get("id") or f"doc:{doc_id[:12]}"
        node_of[doc_id] = node
        if node in g and g.nodes[node].get("mined"):  # the same number mined twice (copies, versions)
            g.nodes[node]["copies"] += 1
            continue
        g.add_node(node, number=number, doc_type=row.get("doc_type"), issuer=row.get("issuer"),
                   jurisdiction=jurisdiction, date=row.get("issue_date_text", row.get("issue_date")), title=row.get("title"),
                   path=row.get("path"), doc_id=doc_id, mined=True, copies=1)

    # cited documents: attributes from the spelling most citations give
    cols = ["doc_id", "id", "number", "doc_type", "issuer_normalized", "issuer", "jurisdiction", "date",
            "relation", "context", "acts_on", "acts_as"]
    rows = _records(cites, [c for c in cols if c in cites.columns])
    by_id: dict[str, list[dict]] = {}
    for r in rows:
        by_id.setdefault(r["id"], []).append(r)
    for cid, group in by_id.items():
        known = {f: _most_common(r.get(f) for r in group) for f in ("number", "doc_type", "jurisdiction", "date")}
        known["issuer"] = _most_common(r.get("issuer_normalized") or r.get("issuer") for r in group)
        if cid in g:
            attrs = g.nodes[cid]
            for f, v in known.items():
                if attrs.get(f) is None:
                    attrs[f] = v
        else:
            g.add_node(cid, **known, title=None, path=None, doc_id=None, mined=False, copies=0)

    for r in rows:
        src = node_of.get(r["doc_id"]) or f"doc:{r['doc_id'][:12]}"
        if src not in g:  # a citation whose document row is missing: keep the edge, mark the node
            g.add_node(src, **dict.fromkeys(NODE_FIELDS), mined=False, copies=0)
            g.nodes[src]["doc_id"] = r["doc_id"]
        rel = r.get("relation")
        key = rel or UNKNOWN_RELATION
        if g.has_edge(src, r["id"], key):
            data = g.edges[src, r["id"], key]
            data["weight"] += 1
        else:
            g.add_edge(src, r["id"], key=key, relation=rel, weight=1, sentences=[])
            data = g.edges[src, r["id"], key]
        sentence = r.get("context")
        if sentence and sentence not in data["sentences"]:
            data["sentences"].append(sentence)
        target = r.get("acts_on")
        if target and r.get("acts_as") and target in g:  # "X được sửa đổi, bổ sung bởi Y": Y → X, as stated by src
            key = STATED + r["acts_as"]
            if not g.has_edge(r["id"], target, key):
                g.add_edge(r["id"], target, key=key, relation=r["acts_as"], weight=0, statements=0, sentences=[],
                           stated_by=[])
            data = g.edges[r["id"], target, key]
            data["statements"] += 1
            if src not in data["stated_by"]:
                data["stated_by"].append(src)
            if sentence and sentence not in data["sentences"]:
                data["sentences"].append(sentence)
    for node, attrs in g.nodes(data=True):
        attrs["cited"] = sum(w for _, _, w in g.in_edges(node, data="weight"))
    fill_from_registry(g, registry)
    return g


def is_stated(key: str) -> bool:
    """Is the edge keyed ``key`` one between two cited documents (not a citation)?"""
    return key.startswith(STATED)


def citing_nodes(g, node) -> set:
    """The documents that cite ``node`` (edges between cited documents left out)."""
    return {u for u, keys in g.pred[node].items() if any(not k.startswith(STATED) for k in keys)}


def cited_nodes(g, node) -> set:
    """The documents ``node`` cites (edges between cited documents left out)."""
    return {v for v, keys in g.succ[node].items() if any(not k.startswith(STATED) for k in keys)}


def fill_from_registry(g, registry) -> int:
    """Fill each node's unknown title, date, issuer, type and status from its registry entry (a number without a
    year is matched within the node's date's year). A matched node gets ``registry`` (the entry's sources),
    ``registry_url`` and ``from_registry`` (the fields it gave); printed values are never replaced. Returns the
    number of nodes matched."""
    matched = 0
    if registry is not None:
        g.graph.update(registry=str(registry.path), registry_size=len(registry))
    for node, attrs in g.nodes(data=True):
        attrs.setdefault("status", None)
        attrs.update(registry=None, registry_url=None, from_registry=[])
        if registry is None or node.startswith("doc:"):
            continue
        entry = registry.lookup(node, date=attrs.get("date"))
        if entry is None:
            continue
        matched += 1
        filled = [f for f in REGISTRY_FIELDS if attrs.get(f) is None and getattr(entry, f)]
        for f in filled:
            attrs[f] = getattr(entry, f)
        attrs.update(registry=entry.source, registry_url=entry.url, from_registry=filled)
    return matched


@dataclass(frozen=True)
class GraphSummary:
    nodes: int
    edges: int
    citations: int  # the sum of edge weights: one per citation row
    mined: int
    cited_only: int
    top: list[tuple[str, int]]
    registry: str | None = None  # the registry file, when one was used
    registry_size: int = 0  # its documents
    in_registry: int = 0  # nodes it matched
    filled: int = 0  # nodes it gave at least one field


def summarize(g, top: int = 5) -> GraphSummary:
    mined = sum(1 for _, m in g.nodes(data="mined") if m)
    cited_only = sum(1 for n, m in g.nodes(data="mined") if not m and g.in_degree(n))
    most = sorted(((a.get("number") or n, a["cited"]) for n, a in g.nodes(data=True) if a.get("cited")),
                  key=lambda t: (-t[1], t[0]))[:top]
    matched = [a for _, a in g.nodes(data=True) if a.get("registry")]
    return GraphSummary(g.number_of_nodes(), g.number_of_edges(), int(g.size(weight="weight")), mined, cited_only, most,
                        g.graph.get("registry"), g.graph.get("registry_size", 0), len(matched),
                        sum(1 for a in matched if a.get("from_registry")))


# --- export ----------------------------------------------------------------------------------------------
def check_format(fmt: str) -> str:
    f = (fmt or "").lower().lstrip(".")
    if f not in FORMATS:
        raise GraphError(f"unknown graph format {fmt!r}; valid: {', '.join(FORMATS)}")
    return f


def format_for(out: str | Path) -> str:
    """The format a file name implies: .graphml, .gexf, .json, .html (.htm); a name without a suffix (or .csv) is
    the csv folder. Another suffix ("refs.graphmlx") is a ``GraphError`` rather than a surprise folder."""
    suffix = Path(out).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix in ("graphml", "gexf", "json", "html"):
        return suffix
    if suffix in ("", "csv"):
        return "csv"
    raise GraphError(f"{out}: which format is .{suffix}? Name one of {', '.join(FORMATS)}")


def _flat(attrs: dict) -> dict:
    """Attributes GraphML and GEXF can hold: lists joined with " | ", None dropped."""
    out = {}
    for k, v in attrs.items():
        if v is None:
            continue
        out[k] = " | ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
    return out


def flat_graph(g):
    """A copy of ``g`` with scalar attributes only (what GraphML and GEXF can store)."""
    h = g.__class__()
    h.add_nodes_from((n, _flat(a)) for n, a in g.nodes(data=True))
    # GraphML and GEXF want an id unique in the file; the relation key stays as the attribute "link"
    h.add_edges_from((u, v, f"e{i}", {**_flat(a), "link": k})
                     for i, (u, v, k, a) in enumerate(g.edges(keys=True, data=True)))
    return h


def neo4j_type(relation: str | None) -> str:
    """A relationship type for Neo4j: the relation without diacritics, upper case ("sửa đổi, bổ sung" →
    SUA_DOI_BO_SUNG); CITES when the relation is unknown."""
    if not relation:
        return "CITES"
    s = unicodedata.normalize("NFD", relation.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").upper()
    return _NOT_WORD.sub("_", s).strip("_") or "CITES"


def export(g, fmt: str, out: str | Path, max_nodes: int | None = None) -> list[Path]:
    """Write ``g`` as graphml, gexf, node-link json, csv (``out`` is then a folder with nodes.csv and
    edges.csv for ``neo4j-admin database import``) or an interactive html page (``graph_html``; beyond
    ``max_nodes`` nodes it shows the most cited and their neighbours). Returns the files written."""
    nx = _nx()
    fmt = check_format(fmt)
    out = Path(out)
    try:
        if fmt == "csv":
            out.mkdir(parents=True, exist_ok=True)
            return _write_csv(g, out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "graphml":
            nx.write_graphml(flat_graph(g), out, encoding="utf-8")
        elif fmt == "gexf":
            nx.write_gexf(flat_graph(g), out, encoding="utf-8")
        elif fmt == "html":
            from .graph_html import MAX_NODES, render_graph_html

            out.write_text(render_graph_html(g, max_nodes or MAX_NODES), encoding="utf-8")
        else:
            data = nx.node_link_data(g, edges="edges")
            out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as err:
        raise GraphError(f"{out}: cannot write the graph ({err.strerror or err})") from err
    return [out]


def _write_csv(g, folder: Path) -> list[Path]:
    import csv

    node_cols = list(NODE_FIELDS) + ["mined:boolean", "copies:int", "cited:int"]
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    with nodes.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id:ID", ":LABEL", *node_cols])
        for n, a in g.nodes(data=True):
            label = "Document;Mined" if a.get("mined") else "Document"
            w.writerow([n, label, *("" if a.get(c.split(":")[0]) is None else _csv_value(a.get(c.split(":")[0]))
                                    for c in node_cols)])
    with edges.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([":START_ID", ":END_ID", ":TYPE", "relation", "weight:int", "sentences"])
        for u, v, a in g.edges(data=True):
            w.writerow([u, v, neo4j_type(a.get("relation")), a.get("relation") or "", a["weight"],
                        " | ".join(a.get("sentences") or ())])
    return [nodes, edges]


def _csv_value(v):
    if isinstance(v, (list, tuple)):
        return " | ".join(map(str, v))
    return str(v).lower() if isinstance(v, bool) else v
