"""`minerals graph --format html`: one self-contained page, checked as a file and in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerals.cli import app
from minerals.graph import citing_nodes, format_for
from minerals.graph_html import graph_data, select_nodes


runner = CliRunner()
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948"]  # the page's first type colours


@pytest.fixture(scope="module")
def page_file(mined_seeds, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graph-html") / "graph.html"
    result = runner.invoke(app, ["graph", "-d", str(mined_seeds), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"→ {out}" in result.output
    return out


def _page_data(html: str) -> dict:
    m = re.search(r"const DATA = (\{.*?\});\n", html, flags=re.S)
    assert m, "no graph data in the page"
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_suffix_html_means_html():
    assert format_for("graph.html") == format_for("graph.HTM") == "html"


def test_page_is_self_contained(page_file, graph):
    html = page_file.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, flags=re.I)
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|@import|url\(\s*[\"']?\s*(?:https?:)?//", html, flags=re.I)
    assert "cytoscape" in html and "The Cytoscape Consortium" in html  # the library and its licence header
    data = _page_data(html)
    assert len(data["nodes"]) == graph.number_of_nodes() and data["note"] is None
    assert sum(e["weight"] for e in data["edges"]) == graph.size(weight="weight")
    node = next(n for n in data["nodes"] if n["id"] == "20-CT/TW")
    assert node["doc_type"] == "Chỉ thị" and node["citers"] == 1 and not node["mined"]


def test_big_graphs_show_the_most_cited_and_their_neighbours(graph, mined_seeds, tmp_path):
    nodes, note = select_nodes(graph, 12)
    assert len(nodes) == 12 and note.startswith("Showing 12 of 50 documents")
    citers = {v: len(citing_nodes(graph, v)) for v in graph}  # citing documents, not statements
    assert nodes[0] == min(graph, key=lambda v: (-citers[v], v))  # the most cited comes first
    assert all(citers[v] <= citers[nodes[0]] for v in graph)
    assert select_nodes(graph, graph.number_of_nodes()) == (list(graph.nodes), None)
    data = graph_data(graph, 12)
    assert {e["source"] for e in data["edges"]} | {e["target"] for e in data["edges"]} <= set(nodes)
    out = tmp_path / "small.html"
    result = runner.invoke(app, ["graph", "-d", str(mined_seeds), "--format", "html", "--max-nodes", "12", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(_page_data(out.read_text(encoding="utf-8"))["nodes"]) == 12
    assert "the 1 most cited" in out.read_text(encoding="utf-8")
    bad = runner.invoke(app, ["graph", "-d", str(mined_seeds), "--max-nodes", "0", "-o", str(out)])
    assert bad.exit_code != 0


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")
def test_page_in_headless_chromium(page_file, graph, tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    seed001 = next(n for n, p in graph.nodes(data="path") if p and "001_1d392ddcd08d93c9" in p)
    sentences = [s for e in graph.get_edge_data(seed001, "20-CT/TW").values() for s in e["sentences"]]
    shot = tmp_path / "graph.png"
    requests, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())
            page.wait_for_function("window.mineralsGraph && mineralsGraph.cy.nodes().length > 0", timeout=30_000)
            drawn, data_nodes = page.evaluate("[mineralsGraph.cy.nodes().length, mineralsGraph.data.nodes.length]")
            assert drawn == data_nodes == graph.number_of_nodes()
            page.screenshot(path=str(shot))

            zoom = page.evaluate("mineralsGraph.cy.zoom()")
            page.click("#zoom-in")
            assert page.evaluate("mineralsGraph.cy.zoom()") == pytest.approx(zoom * 1.5)

            page.fill("#search", "126/2007/ND-CP")  # no Đ: still the decree
            assert page.evaluate("mineralsGraph.cy.$(':selected').map(n => n.id())") == ["126/2007/NĐ-CP"]
            page.fill("#search", "20-CT/TW")
            assert page.evaluate("mineralsGraph.cy.$(':selected').map(n => n.id())") == ["20-CT/TW"]

            page.evaluate("mineralsGraph.cy.elements().unselect(); document.getElementById('panel').replaceChildren()")
            x, y = page.evaluate("""(() => {const n = mineralsGraph.cy.getElementById('20-CT/TW').renderedPosition();
                const box = mineralsGraph.cy.container().getBoundingClientRect(); return [n.x + box.left, n.y + box.top];})()""")
            page.mouse.click(x, y)
            assert page.evaluate("mineralsGraph.cy.$(':selected').map(n => n.id())") == ["20-CT/TW"]
            panel = page.inner_text("#panel")
            assert "Chỉ thị" in panel and "Ban Bí thư" in panel and "001_1d392ddcd08d93c9.txt" in panel
            assert any(" ".join(s.split()) in " ".join(panel.split()) for s in sentences), panel[:500]
        finally:
            browser.close()
    assert not errors, errors
    assert all(u.startswith("file:") for u in requests), requests

    img = Image.open(shot).convert("RGB")
    graph_area = img.crop((0, 60, img.width - 420, img.height))  # left of the side panel, below the header
    pixels = list(graph_area.get_flattened_data() if hasattr(graph_area, 'get_flattened_data') else graph_area.getdata())
    non_white = sum(1 for px in pixels if px != (255, 255, 255))
    assert non_white > 0.01 * len(pixels), non_white
    colours = set(pixels)
    drawn_types = [c for c in PALETTE if tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) in colours]
    assert len(drawn_types) >= 4, drawn_types  # node discs in the type colours, not a blank canvas


def test_selection_order_on_a_small_archive():
    """Six reports cite Chỉ thị 20-CT/TW, two of them also Nghị định 126/2007/NĐ-CP: with room for five nodes
    the page keeps the directive and the four reports linked to it, first by id."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for i in range(1, 7):
        g.add_edge(f"doc:r{i}", "20-CT/TW", key="thực hiện")
    g.add_edge("doc:r5", "126/2007/NĐ-CP", key="căn cứ")
    g.add_edge("doc:r6", "126/2007/NĐ-CP", key="căn cứ")
    nodes, note = select_nodes(g, 5)
    assert nodes == ["20-CT/TW", "doc:r1", "doc:r2", "doc:r3", "doc:r4"]
    assert "Showing 5 of 8 documents: the 1 most cited and the 4 documents most linked" in note
    nodes, _ = select_nodes(g, 7)  # the core is still one node; all six reports follow it
    assert nodes[0] == "20-CT/TW" and set(nodes[1:]) == {f"doc:r{i}" for i in range(1, 7)}
    with pytest.raises(ValueError):
        select_nodes(g, 0)
