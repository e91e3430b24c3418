"""The legal-reference graph on the mined seeds: links, relations, sentences, counts, every export format."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
from typer.testing import CliRunner

from minerals.cli import app
from minerals.errors import GraphError
from minerals.graph import FORMATS, build_graph, export, is_stated, neo4j_type
from minerals.resolve import document_id

from .conftest import CORPUS

runner = CliRunner()


def _seed_node(graph, prefix: str) -> str:
    seed = next((CORPUS / "seeds").glob(prefix + "*.txt")).relative_to(CORPUS.parent)
    hits = [n for n, path in graph.nodes(data="path") if path and path.endswith(str(seed))]
    assert len(hits) == 1, (seed, hits)
    return hits[0]


@pytest.mark.parametrize("seed, cited, relations, words", [
    ("001_", "20-CT/TW", {"thực hiện", "tổng kết"}, "Chỉ thị số 20-CT/TW"),
    ("004_", "126/2007/NĐ-CP", {"theo"}, "Nghị định số 126/2007/NĐ-CP"),
])
def test_seed_links(graph, seed, cited, relations, words):
    src = _seed_node(graph, seed)
    edges = graph.get_edge_data(src, cited)
    assert edges, f"{src} does not cite {cited}"
    assert relations <= {e["relation"] for e in edges.values()}
    assert all(e["sentences"] and e["weight"] >= 1 for e in edges.values())
    assert any(words in s for e in edges.values() for s in e["sentences"])
    node = graph.nodes[cited]
    assert node["number"] == cited and node["doc_type"] in ("Chỉ thị", "Nghị định") and not node["mined"]


def test_every_citation_row_is_counted_once(graph, tables):
    cites = tables["citations"]
    assert graph.size(weight="weight") == len(cites)
    pairs = cites.assign(rel=cites["relation"].fillna("")).groupby(["doc_id", "id", "rel"]).size()
    assert sum(not is_stated(k) for _, _, k in graph.edges(keys=True)) == len(pairs)


def test_every_node_has_number_and_type_and_mined_ones_a_path(graph, tables):
    assert all("number" in a and "doc_type" in a for _, a in graph.nodes(data=True))
    mined = [a for _, a in graph.nodes(data=True) if a["mined"]]
    assert len(mined) == len(tables["documents"]) == 5
    assert all("corpus/seeds/" in a["path"] for a in mined)


def test_a_mined_document_joins_the_citations_of_it(tables):
    """Seed 004 given the number 126/2007/ND-CP (spelled without Đ): the node other seeds' citations
    point to becomes the mined document, with its path, and no second node appears."""
    docs = tables["documents"].copy()
    seed004 = docs["path"].str.contains("004_51401b993265fa13")
    docs.loc[seed004, "number"] = "126/2007/ND-CP"
    docs.loc[seed004, "id"] = document_id("126/2007/ND-CP", None)  # what mining gives it
    before = build_graph(tables)
    g = build_graph({**tables, "documents": docs})
    node = g.nodes["126/2007/NĐ-CP"]
    assert node["mined"] and node["path"].endswith("004_51401b993265fa13.txt") and node["cited"] >= 1
    assert g.number_of_nodes() == before.number_of_nodes() - 1
    assert g.size(weight="weight") == len(tables["citations"])


def test_local_numbers_join_in_their_jurisdiction():
    """"112/KH-UBND" of thành phố Cao Bằng is not the 112/KH-UBND of another province."""
    docs = pd.DataFrame([{"doc_id": "a" * 64, "path": "a.txt", "doc_type": "Kế hoạch", "number": "112/KH-UBND",
                          "title": "T", "issuer": "Ủy ban nhân dân thành phố Cao Bằng", "issuer_parent": None,
                          "issue_date": "2024-04-08", "id": "112/KH-UBND@thành phố Cao Bằng",
                          "jurisdiction": "thành phố Cao Bằng"}])
    cite = {"doc_id": "b" * 64, "doc_type": "Kế hoạch", "number": "112/KH-UBND", "relation": "căn cứ",
            "context": "Căn cứ Kế hoạch số 112/KH-UBND", "date": None, "issuer_normalized": None}
    cites = pd.DataFrame([{**cite, "id": "112/KH-UBND@thành phố Cao Bằng", "jurisdiction": "thành phố Cao Bằng"},
                          {**cite, "id": "112/KH-UBND@tỉnh Lạng Sơn", "jurisdiction": "tỉnh Lạng Sơn"}])
    g = build_graph({"documents": docs, "citations": cites})
    assert g.nodes["112/KH-UBND@thành phố Cao Bằng"]["path"] == "a.txt"
    assert not g.nodes["112/KH-UBND@tỉnh Lạng Sơn"]["mined"]
    assert g.nodes[f"doc:{'b' * 12}"]["doc_id"] == "b" * 64


@pytest.mark.parametrize("relation, expected", [
    ("căn cứ", "CAN_CU"), ("sửa đổi, bổ sung", "SUA_DOI_BO_SUNG"), ("bãi bỏ", "BAI_BO"), ("báo cáo về", "BAO_CAO_VE"),
    ("hướng dẫn", "HUONG_DAN"), (None, "CITES"),
])
def test_neo4j_types(relation, expected):
    assert neo4j_type(relation) == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_read_back(graph, tmp_path, fmt):
    out = tmp_path / ("refs" if fmt == "csv" else f"refs.{fmt}")
    written = export(graph, fmt, out)
    n, m = graph.number_of_nodes(), graph.number_of_edges()
    if fmt == "csv":
        nodes, edges = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in written)
        assert len(nodes) == n and len(edges) == m
        assert {"id:ID", ":LABEL", "number", "doc_type", "path"} <= set(nodes.columns)
        assert {":START_ID", ":END_ID", ":TYPE"} <= set(edges.columns)
        assert set(edges[":START_ID"]) | set(edges[":END_ID"]) <= set(nodes["id:ID"])
        assert edges["weight:int"].astype(int).sum() == graph.size(weight="weight")
        return
    if fmt == "html":  # the page's inlined data (tests/test_graph_html.py opens it in Chromium)
        from .test_graph_html import _page_data

        data = _page_data(out.read_text(encoding="utf-8"))
        assert len(data["nodes"]) == n and sum(e["weight"] for e in data["edges"]) == graph.size(weight="weight")
        assert any("20-CT/TW" in data["sentences"][i] for e in data["edges"] if e["target"] == "20-CT/TW"
                   for r in e["relations"] for i in r["sentences"])
        return
    if fmt == "json":
        back = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    else:
        back = {"graphml": nx.read_graphml, "gexf": nx.read_gexf}[fmt](out)
    assert back.number_of_nodes() == n and back.number_of_edges() == m
    assert back.size(weight="weight") == graph.size(weight="weight")
    assert back.nodes["20-CT/TW"]["number"] == "20-CT/TW"
    sentences = [d.get("sentences") for _, v, d in back.edges(data=True) if v == "20-CT/TW"]
    assert all(sentences) and any("20-CT/TW" in (s if isinstance(s, str) else " ".join(s)) for s in sentences)


def test_bad_format_is_a_named_error(graph, tmp_path):
    with pytest.raises(GraphError, match="'dot'.*graphml, gexf, json, csv"):
        export(graph, "dot", tmp_path / "g.dot")


def test_format_from_the_file_name(tmp_path):
    from minerals.graph import format_for

    assert [format_for(n) for n in ("g.graphml", "g.GEXF", "g.json", "g.htm", "neo4j", "neo4j.csv")] == [
        "graphml", "gexf", "json", "html", "csv", "csv"]
    with pytest.raises(GraphError, match="which format is .graphmlx"):
        format_for("refs.graphmlx")  # a typo is not silently a folder of CSV files


def test_graph_command(mined_seeds, tmp_path):
    r = runner.invoke(app, ["graph", str(mined_seeds)])
    assert r.exit_code == 0, r.output
    assert "5 mined documents" in r.stdout and "20-CT/TW ×5" in r.stdout
    out = tmp_path / "refs.graphml"
    r = runner.invoke(app, ["graph", str(mined_seeds), "--format", "graphml", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert nx.read_graphml(out).number_of_nodes() > 5
    r = runner.invoke(app, ["graph", str(mined_seeds), "-o", str(tmp_path / "neo")])
    assert r.exit_code == 0 and (tmp_path / "neo" / "edges.csv").exists()


@pytest.mark.parametrize("args", [["--format", "dot", "-o", "g.dot"], ["-o", "refs.graphmlx"], []])
def test_graph_command_errors_are_one_line(tmp_path, mined_seeds, args):
    dataset = mined_seeds if args else tmp_path / "nothing"
    r = runner.invoke(app, ["graph", str(dataset), *args])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and r.stderr.startswith("minerals: error:")


def test_graphml_edge_ids_are_unique(mined_seeds, tmp_path):
    """Gephi and Cytoscape want one id per edge in the file, even when two relations join the same pair."""
    import xml.etree.ElementTree as ET

    from minerals.graph import build_graph, export

    out = tmp_path / "g.graphml"
    export(build_graph(mined_seeds), "graphml", out)
    ids = [e.get("id") for e in ET.parse(out).getroot().iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert ids and len(ids) == len(set(ids))
