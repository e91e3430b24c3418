"""The registry of known documents (issue 7 point 3) and its date check (point 4): the shipped file, lookups in
any spelling, user tables, bad files, and what it fills in a graph of real corpus documents."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pandas as pd
import pytest
from typer.testing import CliRunner

import minerals
from minerals import patterns
from minerals.checks import check, number_year
from minerals.cli import app
from minerals.errors import RegistryError
from minerals.registry import DEFAULT_PATH, load_registry, normalize_status, registry_id

from .conftest import CORPUS

runner = CliRunner()
CV5706 = CORPUS / "realdocs" / "007_cv5706-ct-cs-cucthue-2025.txt"  # Cục Thuế, 03/12/2025: cites NĐ 181/2025
BULK = CORPUS / "bulk" / "3cfef31d5749a2f2.md"  # thuvienphapluat Q&A: "căn cứ Điều 3 Nghị định 73/2024/NĐ-CP", no date


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _mine(tmp_path_factory, name: str, files: dict[str, str]):
    from minerals.dataset import mine

    archive = tmp_path_factory.mktemp(name)
    for fname, text in files.items():
        (archive / fname).write_text(text, encoding="utf-8")
    out = tmp_path_factory.mktemp(name + "-dataset")
    mine(archive, out, workers=1)
    return out


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """realdocs 007 and the text of a page of the development archive (corpus/bulk). The page is a Q&A article,
    which minerals does not mine (no official document in it: furniture of kind "article"); its paragraphs,
    without the page's headings, are mined here as a plain text."""
    body = "\n".join(ln for ln in BULK.read_text(encoding="utf-8").splitlines() if not ln.startswith("#"))
    return _mine(tmp_path_factory, "registry", {CV5706.name: CV5706.read_text(encoding="utf-8"),
                                               "3cfef31d5749a2f2.txt": body})


# The one change: the first "181/2025/NĐ-CP ngày 01/7/2025" of realdocs 007 printed as "ngày 10/7/2025" — same
# year, so only the registry (vbpl.vn gives 01/7/2025) can tell it is wrong.
REAL = "Nghị định số 181/2025/NĐ-CP ngày 01/7/2025 của Chính phủ quy định chi tiết một số Điều"
ALTERED = "Nghị định số 181/2025/NĐ-CP ngày 10/7/2025 của Chính phủ quy định chi tiết một số Điều"


@pytest.fixture(scope="module")
def mined_altered(tmp_path_factory):
    text = CV5706.read_text(encoding="utf-8")
    assert text.count(REAL) == 1
    return _mine(tmp_path_factory, "altered", {CV5706.name: text.replace(REAL, ALTERED)})


# --- the shipped file ----------------------------------------------------------------------------------------
def test_shipped_registry_is_small_and_well_formed(registry):
    frame = pd.read_csv(DEFAULT_PATH, dtype=str, keep_default_na=False)
    assert DEFAULT_PATH.stat().st_size < 2_000_000
    assert len(registry) == len(frame) > 5000
    assert (frame["id"] != "").all() and (frame["number"] != "").all()
    # the stored id is the one the citations' canonicalization gives today
    assert all(e.id == registry_id(e.number, e.jurisdiction) for e in registry.entries)
    sources = Counter(s for e in registry.entries for s in e.source.split("; "))
    assert {"binhduong.gov.vn", "congbao.sonla.gov.vn", "thuvienphapluat.vn", "vbpl.vn"} <= set(sources)


def test_no_duplicate_documents(registry):
    """An id names one document; a number without a year restarts every year, so it may recur once a year."""
    with_year = Counter(e.id for e in registry.entries if number_year(e.number))
    assert max(with_year.values()) == 1
    yearly = Counter((e.id, e.date[:4]) for e in registry.entries if not number_year(e.number))
    assert max(yearly.values()) == 1
    assert all(e.date for e in registry.entries if not number_year(e.number))


# --- lookups -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("spelling", ["249/2025/NĐ-CP", "249/2025/ND-CP", "249 / 2025 / NĐ-CP", "249/2025/nđ-cp"])
def test_lookup_any_spelling(registry, spelling):
    e = registry.lookup(spelling)
    assert e.id == "249/2025/NĐ-CP" and e.doc_type == "Nghị định" and e.issuer == "Chính phủ"
    assert e.url.startswith("https://vbpl.vn/")


def test_local_number_needs_its_jurisdiction_and_year(registry):
    """binhduong.gov.vn prints 1707/QÐ-UBND with an Icelandic Eth; the id carries the province."""
    e = registry.lookup("1707/QÐ-UBND", date="2022-07-15", jurisdiction="tỉnh Bình Dương")
    assert e.id == "1707/QĐ-UBND@tỉnh Bình Dương" and e.date == "2022-07-15"
    assert e.title.startswith("Công bố thủ tục hành chính") and e.status == "còn hiệu lực"
    assert registry.lookup("1707/QĐ-UBND@tỉnh Bình Dương", date="2022-07-15") == e
    assert registry.lookup("1707/QĐ-UBND", date="2022-07-15", jurisdiction="tỉnh Cao Bằng") is None
    # the number recurs: without the year (or in a year the registry lacks) no entry is guessed
    assert len(registry.candidates("1707/QĐ-UBND@tỉnh Bình Dương")) > 1
    assert registry.lookup("1707/QĐ-UBND@tỉnh Bình Dương") is None
    assert registry.lookup("1707/QĐ-UBND@tỉnh Bình Dương", date="2030-01-01") is None


@pytest.mark.parametrize("printed, status", sorted(patterns.load("registry")["status_examples"].items()))
def test_status_words(printed, status):
    assert normalize_status(printed) == status


# --- user files -----------------------------------------------------------------------------------------------
USER_TSV = (
    "Số hiệu\tLoại văn bản\tCơ quan ban hành\tNgày ban hành\tTrích yếu\tTình trạng\n"
    "181/2025/ND-CP\tNghị định\tChính phủ\t01/07/2025\tQuy định chi tiết một số điều và biện pháp thi hành Luật "
    "Thuế giá trị gia tăng\tCòn hiệu lực\n"
    "1909/KH-UBND\tKế hoạch\tỦy ban nhân dân tỉnh Cao Bằng\t15/08/2024\tThực hiện Chỉ thị 20-CT/TW\tĐã biết\n"
)


def test_user_tsv_with_vietnamese_headers(tmp_path):
    path = tmp_path / "so_dang_ky.tsv"
    path.write_text(USER_TSV, encoding="utf-8")
    reg = load_registry(path)
    assert len(reg) == 2 and reg.path == str(path)
    nd = reg.lookup("181/2025/NĐ-CP")
    assert nd.date == "2025-07-01" and nd.status == "còn hiệu lực" and nd.source == "so_dang_ky.tsv"
    kh = reg.lookup("1909/KH-UBND", date="2024-08-15", jurisdiction="tỉnh Cao Bằng")
    assert kh.id == "1909/KH-UBND@tỉnh Cao Bằng" and kh.status is None  # "Đã biết": thuvienphapluat's placeholder


def test_user_csv_with_english_headers(tmp_path):
    path = tmp_path / "known.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write('Document number,Type,Issued by,Issue date,Title,Status\n'
                 '181/2025/NĐ-CP,Decree,Chính phủ,2025-07-01,"Quy định chi tiết, thi hành",in force\n')
    e = load_registry(path).lookup("181/2025/ND-CP")
    assert e.title == "Quy định chi tiết, thi hành" and e.status == "còn hiệu lực" and e.date == "2025-07-01"
    assert e.doc_type == "Nghị định" and e.issuer == "Chính phủ"


@pytest.mark.parametrize("content, message", [
    (None, "no such registry file"),
    (b"", "empty registry file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a UTF-8 CSV or TSV"),
    ("Tên\tNgày\nabc\t01/01/2025\n".encode(), "no column for the document number"),
    ("Số hiệu\tNgày ban hành\n181/2025/NĐ-CP\t31/02/2025\n".encode(), "line 2: not a date: '31/02/2025'"),
    ("Số hiệu\tTrích yếu\n\tkhông số\n".encode(), "no documents"),
])
def test_bad_registry_files(tmp_path, content, message):
    path = tmp_path / "bad.tsv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RegistryError, match=message):
        load_registry(path)


def test_bad_gzip(tmp_path):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(RegistryError, match="not a UTF-8 CSV or TSV"):
        load_registry(path)


# --- the graph ------------------------------------------------------------------------------------------------
def test_graph_fills_a_cited_documents_date_from_the_shipped_registry(mined):
    """corpus/bulk cites "Nghị định 73/2024/NĐ-CP" with no date; vbpl.vn's title of a later decree gives
    "nghị định số 73/2024/NĐ-CP ngày 30 tháng 6 năm 2024"."""
    g = minerals.build_graph(mined)
    node = g.nodes["73/2024/NĐ-CP"]
    assert not node["mined"] and node["date"] == "2024-06-30" and node["from_registry"] == ["date"]
    assert node["registry"].startswith("vbpl.vn") and node["registry_url"].startswith("https://vbpl.vn/")
    # printed values are kept: 181/2025/NĐ-CP is printed with its date, the registry only adds its link
    nd = g.nodes["181/2025/NĐ-CP"]
    assert nd["date"] == "2025-07-01" and nd["from_registry"] == [] and nd["registry"]
    bare = minerals.build_graph(mined, registry=None)
    assert bare.nodes["73/2024/NĐ-CP"]["date"] is None and bare.nodes["73/2024/NĐ-CP"]["registry"] is None


def test_graph_title_and_status_from_a_user_registry(mined, tmp_path):
    path = tmp_path / "so_dang_ky.tsv"
    path.write_text(USER_TSV, encoding="utf-8")
    g = minerals.build_graph(mined, registry=path)
    nd = g.nodes["181/2025/NĐ-CP"]
    assert nd["title"].startswith("Quy định chi tiết một số điều và biện pháp thi hành Luật Thuế giá trị gia tăng")
    assert nd["status"] == "còn hiệu lực" and nd["from_registry"] == ["title", "status"]
    assert nd["registry"] == "so_dang_ky.tsv"
    assert g.nodes["73/2024/NĐ-CP"]["date"] is None  # not in this registry
    out = tmp_path / "csv"
    minerals.graph.export(g, "csv", out)
    nodes = pd.read_csv(out / "nodes.csv", dtype=str)
    row = nodes[nodes["id:ID"] == "181/2025/NĐ-CP"].iloc[0]
    assert row["status"] == "còn hiệu lực" and row["from_registry"] == "title | status"


# --- the date check -------------------------------------------------------------------------------------------
def test_date_vs_registry_silent_on_the_real_documents(mined):
    assert [w for w in check(minerals.open_dataset(mined)) if w.kind == "date_vs_registry"] == []


def test_date_vs_registry_fires_on_an_altered_date(mined_altered):
    found = check(minerals.open_dataset(mined_altered), kinds=["date_vs_registry"])
    assert len(found) == 1
    w = found[0]
    assert w.number == "181/2025/NĐ-CP" and w.date == "2025-07-10"
    assert "2025-07-10" in w.message and "2025-07-01" in w.message and "vbpl.vn" in w.message
    assert "ngày 10/7/2025" in w.evidence and "registry (vbpl.vn" in w.evidence
    # the number's year agrees, so the older check says nothing
    assert not [x for x in check(minerals.open_dataset(mined_altered), kinds=["date_vs_number_year"])
                if x.number == "181/2025/NĐ-CP"]


def test_date_vs_registry_needs_a_registry(mined):
    with pytest.raises(ValueError, match="needs a registry"):
        check(minerals.open_dataset(mined), kinds=["date_vs_registry"], registry=None)
    assert all(w.kind != "date_vs_registry" for w in check(minerals.open_dataset(mined), registry=None))


# --- the command line -----------------------------------------------------------------------------------------
def test_cli_graph_registry_options(mined, tmp_path):
    r = runner.invoke(app, ["graph", "-d", str(mined)])
    assert r.exit_code == 0, r.output
    assert "registry registry.csv.gz (" in r.stdout and "given a title, date, issuer, type or status" in r.stdout
    r = runner.invoke(app, ["graph", "-d", str(mined), "--registry", "none"])
    assert r.exit_code == 0 and "registry" not in r.stdout
    path = tmp_path / "so_dang_ky.tsv"
    path.write_text(USER_TSV, encoding="utf-8")
    out = tmp_path / "refs.json"
    r = runner.invoke(app, ["graph", "-d", str(mined), "--registry", str(path), "-o", str(out)])
    assert r.exit_code == 0, r.output
    nodes = {n["id"]: n for n in json.loads(out.read_text(encoding="utf-8"))["nodes"]}
    assert nodes["181/2025/NĐ-CP"]["status"] == "còn hiệu lực"
    r = runner.invoke(app, ["graph", "-d", str(mined), "--registry", str(tmp_path / "missing.tsv")])
    assert r.exit_code == 1 and "missing.tsv: no such registry file" in r.stderr and "Traceback" not in r.output
    ragged = tmp_path / "ragged.csv"  # pandas' parser error spans two lines: the CLI still prints one
    ragged.write_text("number\n20-CT/TW\n1,2,3,4\n", encoding="utf-8")
    r = runner.invoke(app, ["graph", "-d", str(mined), "--registry", str(ragged)])
    assert r.exit_code == 1 and "ragged.csv: not a valid CSV table" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_cli_check_registry(mined_altered, tmp_path):
    r = runner.invoke(app, ["check", "-d", str(mined_altered), "--kind", "date_vs_registry", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(x["kind"], x["number"], x["date"]) for x in rows] == [("date_vs_registry", "181/2025/NĐ-CP", "2025-07-10")]
    # a user registry that dates it as the altered sentence does: now the two untouched printings disagree
    path = tmp_path / "agrees.tsv"
    path.write_text("số hiệu\tngày ban hành\n181/2025/NĐ-CP\t10/07/2025\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "-d", str(mined_altered), "--kind", "date_vs_registry", "--registry", str(path), "--format", "json"])
    rows = json.loads(r.stdout)
    assert r.exit_code == 0 and [x["date"] for x in rows] == ["2025-07-01", "2025-07-01"]
    assert all("registry (agrees.tsv): 181/2025/NĐ-CP 2025-07-10" in x["evidence"] for x in rows)
    r = runner.invoke(app, ["check", "-d", str(mined_altered), "--kind", "date_vs_registry", "--registry", "none"])
    assert r.exit_code != 0 and "needs a registry" in r.output
    bad = tmp_path / "bad.tsv"
    bad.write_text("tên\n1\n", encoding="utf-8")
    r = runner.invoke(app, ["check", "-d", str(mined_altered), "--registry", str(bad)])
    assert r.exit_code == 1 and "no column for the document number" in r.stderr
