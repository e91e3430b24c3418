"""Analyses of the reference graph on the mined seeds: chains up to national documents, most cited, degrees,
absent documents, communities, and the `minerals graph` subcommands."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from minerals import analyses, patterns
from minerals.cli import app
from minerals.errors import GraphError
from minerals.graph import build_graph
from minerals.resolve import document_id

from .conftest import CORPUS

runner = CliRunner()
SEED = {p.name[:3]: str(p.relative_to(CORPUS.parent)) for p in (CORPUS / "seeds").glob("*.txt")}


@pytest.fixture(scope="module")
def renumbered(tables):
    """Seed 003 given the number 42/NQ-CP, which seed 000 cites ("theo"), and seed 000 the number
    3045/UBND-TH, which seed 003 cites ("thực hiện"): a chain that climbs through a mined national document,
    and a cycle."""
    docs = tables["documents"].copy()
    for seed, number in (("003_34cab656171738ba", "42/NQ-CP"), ("000_f00e12419f0e979d", "3045/UBND-TH")):
        rows = docs["path"].str.contains(seed)
        docs.loc[rows, "number"] = number
        docs.loc[rows, "id"] = document_id(number, docs.loc[rows, "jurisdiction"].iloc[0])  # what mining gives it
    return build_graph({**tables, "documents": docs})


# --- chain ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed, national, doc_type, issuer, relation", [
    ("001", "20-CT/TW", "Chỉ thị", "Ban Bí thư", "thực hiện"),
    ("004", "126/2007/NĐ-CP", "Nghị định", "Chính phủ", "theo"),
])
def test_chain_reaches_the_national_document(graph, seed, national, doc_type, issuer, relation):
    frame = analyses.chain(graph, SEED[seed])
    row = frame.set_index("target").loc[national]
    assert row["ultimate"] and row["level"] == "national"
    assert (row["doc_type"], row["issuer"], row["relation"]) == (doc_type, issuer, relation)
    assert national in row["sentence"]
    assert not frame[frame["level"] == "local"]["ultimate"].any()
    assert frame["target"].is_unique


def test_chain_follows_implementing_relations_only(graph):
    """Seed 003 amends 59/2015/TT-BLĐTBXH ("sửa đổi, bổ sung") and names 99/CT-CV with no relation: neither is
    a document it implements, unless every relation is asked for."""
    implemented = set(analyses.chain(graph, SEED["003"])["target"])
    assert {"21-NQ/TW", "37-CT/TW", "622/QĐ-TTG"} <= implemented
    assert not {"59/2015/TT-BLĐTBXH", "99/CT-CV"} & implemented
    every = analyses.chain(graph, SEED["003"], follow=None)
    assert {"59/2015/TT-BLĐTBXH", "99/CT-CV"} <= set(every["target"])
    assert set(every["target"]) == set(graph.successors(analyses.find_node(graph, SEED["003"])))


def test_chain_climbs_through_mined_documents_and_ends_on_cycles(renumbered):
    root = analyses.find_node(renumbered, SEED["000"])
    assert root == "3045/UBND-TH@tỉnh Cao Bằng"
    frame = analyses.chain(renumbered, SEED["000"]).set_index("target")
    mid = frame.loc["42/NQ-CP"]
    assert mid["depth"] == 1 and mid["mined"] and mid["level"] == "national"
    assert not mid["ultimate"]  # it implements national documents of its own
    top = frame.loc["21-NQ/TW"]
    assert top["depth"] == 2 and top["source"] == "42/NQ-CP" and top["ultimate"] and top["relation"] == "thực hiện"
    assert frame.loc["15/2020/QĐ-TTG", "ultimate"]  # seed 000's own national document, one hop
    assert root not in frame.index  # seed 003 cites seed 000 back: the walk stops there
    assert frame.index.is_unique
    # tree order: a parent before its children
    order = list(frame.index)
    assert all(order.index(t) > order.index(s) for t, s in frame["source"].items() if s != root)


@pytest.mark.parametrize("ref, node", [
    ("20-CT/TW", "20-CT/TW"), ("126/2007/ND-CP", "126/2007/NĐ-CP"), ("seeds/001_1d392ddcd08d93c9.txt", None),
])
def test_find_node(graph, ref, node):
    found = analyses.find_node(graph, ref)
    assert found == node if node else graph.nodes[found]["path"].endswith(ref)


def test_find_node_names_what_it_cannot_find(graph):
    with pytest.raises(GraphError, match="corpus/nothing.txt: not in this dataset"):
        analyses.find_node(graph, "corpus/nothing.txt")


# --- most cited, degrees, absent --------------------------------------------------------------------------
def test_most_cited_order_is_the_count_of_citation_rows(graph, tables):
    cites = tables["citations"]
    counted = cites.groupby("id").agg(citations=("doc_id", "size"), documents=("doc_id", "nunique")).reset_index()
    counted = counted.sort_values(["citations", "documents", "id"], ascending=[False, False, True])
    top = analyses.most_cited(graph, top=10)
    assert list(top["id"]) == list(counted["id"][:10])
    assert list(top["citations"]) == list(counted["citations"][:10])
    assert top.iloc[0]["number"] == "20-CT/TW" and top.iloc[0]["citations"] == 5


def test_most_cited_by_type_keeps_the_top_of_each(graph):
    frame = analyses.most_cited(graph, top=2, by="doc_type")
    assert frame.groupby("doc_type").size().max() <= 2
    for _, group in frame.groupby("doc_type"):
        assert list(group["citations"]) == sorted(group["citations"], reverse=True)
    chi_thi = frame[frame["doc_type"] == "Chỉ thị"]
    assert chi_thi.iloc[0]["number"] == "20-CT/TW"
    with pytest.raises(GraphError, match="unknown grouping 'colour'"):
        analyses.most_cited(graph, by="colour")


@pytest.mark.parametrize("by", analyses.BY_NODE)
def test_degrees_add_up_to_the_edges(graph, tables, by):
    frame = analyses.degree_table(graph, by=by)
    assert frame["nodes"].sum() == graph.number_of_nodes()
    assert frame["citations_in"].sum() == frame["citations_out"].sum() == graph.size(weight="weight") \
        == len(tables["citations"])
    pairs = {(u, v) for u, v, k in graph.edges(keys=True) if not k.startswith("stated: ")}  # citations only
    assert frame["cited_by"].sum() == frame["cites"].sum() == len(pairs)
    assert frame[by].is_unique


def test_degree_by_level_puts_reports_low_and_the_centre_high(graph):
    frame = analyses.degree_table(graph, by="level").set_index("level")
    assert frame.loc["national", "citations_out"] == 0  # no national document is mined among the seeds
    assert frame.loc["national", "citations_in"] > 0 and frame.loc["local", "citations_out"] > 0


def test_absent_documents_are_cited_and_not_mined(graph, tables):
    frame = analyses.absent(graph)
    mined = {n for n, m in graph.nodes(data="mined") if m}
    assert not set(frame["id"]) & mined
    counted = tables["citations"].groupby("id").agg(citations=("doc_id", "size"), documents=("doc_id", "nunique"))
    assert set(frame["id"]) == set(counted.index)  # no seed cites another mined seed
    got = frame.set_index("id")[["citations", "documents"]]
    pd.testing.assert_frame_equal(got.sort_index(), counted.sort_index(), check_dtype=False)
    assert "001_1d392ddcd08d93c9.txt" in got.join(frame.set_index("id")["cited_by"]).loc["20-CT/TW", "cited_by"]


def test_a_document_mined_leaves_the_absent_list(renumbered):
    ids = set(analyses.absent(renumbered)["id"])
    assert "42/NQ-CP" not in ids and "3045/UBND-TH@tỉnh Cao Bằng" not in ids and "21-NQ/TW" in ids


# --- communities ------------------------------------------------------------------------------------------
def test_communities_partition_the_nodes(graph):
    parts = analyses.community_sets(graph)
    assert sum(map(len, parts)) == graph.number_of_nodes() == len(frozenset().union(*parts))
    assert parts == analyses.community_sets(graph)  # a fixed seed: the same partition every time
    home = next(p for p in parts if "20-CT/TW" in p)
    assert analyses.find_node(graph, SEED["001"]) in home
    frame = analyses.communities(graph)
    assert list(frame["size"]) == [len(p) for p in parts if len(p) >= 2]
    assert frame["citations"].sum() <= graph.size(weight="weight")
    assert frame["most_cited"].str.contains("20-CT/TW ×5").any()


# --- level ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("number, issuer, jurisdiction, level", [
    (e["number"], e["issuer"], e["jurisdiction"], e["level"])
    for e in patterns.load("analyses")["national"]["examples"]
])
def test_level_examples(number, issuer, jurisdiction, level):
    assert analyses.level(number, issuer, jurisdiction) == level


def test_chain_relations_are_relations():
    spec = patterns.load("analyses")["chain"]
    known = {r["relation"] for r in patterns.load("relations")["relations"]}
    assert set(spec["follow"]) <= known and set(spec["not_followed"]) <= known
    assert not set(spec["follow"]) & set(spec["not_followed"])


# --- command line -----------------------------------------------------------------------------------------
def test_graph_chain_command(mined_seeds):
    r = runner.invoke(app, ["graph", "chain", SEED["001"], "--dataset", str(mined_seeds)])
    assert r.exit_code == 0, r.output
    assert "thực hiện → 20-CT/TW (Chỉ thị, Ban Bí thư, national) ⇧" in r.stdout
    assert r.stdout.rstrip().endswith("national documents it ends at: Chỉ thị 20-CT/TW")
    r = runner.invoke(app, ["graph", "chain", "corpus/seeds/004_51401b993265fa13.txt", "-d", str(mined_seeds),
                            "--format", "json"])
    rows = json.loads(r.stdout)
    assert any(x["target"] == "126/2007/NĐ-CP" and x["ultimate"] for x in rows)


@pytest.mark.parametrize("args, check", [
    (["top", "--limit", "3", "--format", "csv"], lambda out: pd.read_csv(io.StringIO(out))["number"][0] == "20-CT/TW"),
    (["top", "--by", "doc_type", "--format", "json"], lambda out: {"Chỉ thị", "Nghị định"} <= {r["doc_type"] for r in json.loads(out)}),
    (["degree", "--by", "issuer", "--format", "json"], lambda out: any(r["issuer"] == "Ban Bí thư" for r in json.loads(out))),
    (["absent", "--format", "csv"], lambda out: "20-CT/TW" in set(pd.read_csv(io.StringIO(out))["id"])),
    (["communities"], lambda out: "20-CT/TW ×5" in out and "rows" in out),
])
def test_graph_analysis_commands(mined_seeds, args, check):
    r = runner.invoke(app, ["graph", *args, "--dataset", str(mined_seeds)])
    assert r.exit_code == 0, r.output
    assert check(r.stdout), r.stdout


@pytest.mark.parametrize("words", [[], ["export"]])
def test_graph_dataset_and_graph_export_are_one_command(mined_seeds, words):
    r = runner.invoke(app, ["graph", *words, "-d", str(mined_seeds)])
    assert r.exit_code == 0, r.output
    assert "5 mined documents" in r.stdout and "20-CT/TW ×5" in r.stdout


@pytest.mark.parametrize("args", [["chain", "corpus/nothing.txt"], ["top", "--by", "colour"], ["absent"]])
def test_graph_analysis_errors_are_one_line(tmp_path, mined_seeds, args):
    dataset = tmp_path / "nothing" if args == ["absent"] else mined_seeds
    r = runner.invoke(app, ["graph", *args, "--dataset", str(dataset)])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and r.stderr.startswith("minerals: error:"), r.output


# --- implementers (issue 17) ------------------------------------------------------------------------------
PLANS = ["192068354fd1ffe5", "689f49d25e51cbaa", "8718801c503045f9", "001c610b2efdcf0c"]  # realdocs/archive


@pytest.fixture(scope="module")
def mined_plans(tmp_path_factory, _ocr_cache):
    """Four realdocs/archive plans and decisions of 2025 that implement Nghị quyết 57-NQ/TW, most through
    Nghị quyết 71/NQ-CP or 03/NQ-CP (the Government's action programmes for it), mined into a dataset."""
    import shutil

    from minerals.dataset import mine

    src = tmp_path_factory.mktemp("plans")
    for h in PLANS:
        shutil.copy(CORPUS / "archive" / f"{h}.md", src)
    out = src.parent / "plans-dataset"
    mine(src, out, workers=1)
    return out


def test_stated_edges_join_two_cited_documents(mined_plans):
    """'Nghị quyết số 71/NQ-CP … ban hành Chương trình hành động … thực hiện Nghị quyết số 57-NQ/TW': an edge
    71/NQ-CP → 57-NQ/TW stated by the citing plans, which are its witnesses; it is no citation row."""
    from minerals.graph import STATED

    g = build_graph(mined_plans)
    stated = g.get_edge_data("71/NQ-CP", "57-NQ/TW") or {}
    assert any(k.startswith(STATED) and d["relation"] == "thực hiện" and d["weight"] == 0 and d["stated_by"]
               for k, d in stated.items()), stated
    assert g.size(weight="weight") == len(pd.read_parquet(mined_plans / "citations"))


def test_implementers_go_down_through_chains(mined_plans):
    g = build_graph(mined_plans)
    frame = analyses.implementers(g, "57/NQ-TW")  # the state-style spelling of the Party number finds it
    assert len(frame) and (frame["depth"] == 1).any()
    through = frame[frame["depth"] >= 2]
    assert len(through), frame
    for r in through.itertuples():
        hops = r.chain.split(" → ")
        assert hops[-1] == "57-NQ/TW" and len(hops) == r.depth + 1
    assert set(analyses.implementers(g, "57-NQ/TW", follow=("bãi bỏ",))["document"]) < set(frame["document"]) | {None}


def test_graph_implementers_command(mined_plans):
    r = runner.invoke(app, ["graph", "implementers", "57-NQ/TW", "--dataset", str(mined_plans)])
    assert r.exit_code == 0, r.output
    assert "→ 71/NQ-CP → 57-NQ/TW" in r.stdout or "→ 03/NQ-CP → 57-NQ/TW" in r.stdout, r.stdout
    assert "through a chain" in r.stdout
    r = runner.invoke(app, ["graph", "implementers", "57-NQ/TW", "-d", str(mined_plans), "--relation", "can cu", "--format", "json"])
    assert r.exit_code == 0 and {x["relation"] for x in json.loads(r.stdout)} == {"căn cứ"}, r.output
    r = runner.invoke(app, ["graph", "implementers", "57-NQ/TW", "-d", str(mined_plans), "--relation", "colour"])
    assert r.exit_code == 1 and r.stderr.startswith("minerals: error: --relation"), r.output


def test_graph_degree_by_relation(mined_plans):
    r = runner.invoke(app, ["graph", "degree", "--by", "relation", "--format", "json", "--dataset", str(mined_plans)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    direct = [x for x in rows if not x["between"]]
    assert sum(x["citations"] for x in direct) == len(pd.read_parquet(mined_plans / "citations"))
    assert any(x["between"] and x["relation"] == "thực hiện" and x["stated_by"] for x in rows)


@pytest.mark.parametrize("typed, name", [("can cu", "căn cứ"), ("THUC HIEN", "thực hiện"), ("sửa đổi", "sửa đổi, bổ sung"),
                                         ("sua doi, bo sung", "sửa đổi, bổ sung"), ("căn cứ", "căn cứ")])
def test_relations_typed_without_diacritics(typed, name):
    assert patterns.relation_named(typed) == name


def test_query_cited_by_relation(mined_plans):
    r = runner.invoke(app, ["query", "cited-by", "57/NQ-TW", "--relation", "can cu", "--format", "json", "--dataset", str(mined_plans)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and {x["relation"] for x in rows} == {"căn cứ"}
    r = runner.invoke(app, ["query", "citations", "--type", "nghi quyet", "--relation", "CAN CU", "--format", "json",
                            "--dataset", str(mined_plans)])
    assert r.exit_code == 0 and {(x["doc_type"], x["relation"]) for x in json.loads(r.stdout)} == {("Nghị quyết", "căn cứ")}, r.output


@pytest.mark.parametrize("by", ["type", "doc_type", "year"])
def test_query_top_limit_is_per_group(mined_seeds, by):
    """Issue 18: `query top --by type --limit 1` printed every row; now at most LIMIT per group, and --by takes
    the graph's doc_type too."""
    r = runner.invoke(app, ["query", "top", "--by", by, "--limit", "1", "--format", "json", "--dataset", str(mined_seeds)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    key = "year" if by == "year" else "type"
    assert rows and len(rows) == len({x[key] for x in rows})
