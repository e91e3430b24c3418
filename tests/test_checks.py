"""Citation checks (issue 7 point 4): each fires on its real example and stays silent on clean documents."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

import minerals
from minerals.checks import CHECKS, CitationWarning, check
from minerals.cli import app

from .conftest import CORPUS

runner = CliRunner()


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    """The text documents of corpus/ (seeds and realdocs) mined into a dataset once for this module."""
    from minerals.dataset import mine

    archive = tmp_path_factory.mktemp("archive")
    for src in sorted((CORPUS / "seeds").glob("*.txt")) + sorted((CORPUS / "realdocs").glob("*.txt")):
        (archive / src.name).write_bytes(src.read_bytes())
    out = tmp_path_factory.mktemp("dataset")
    mine(archive, out, workers=1)
    return out


@pytest.fixture(scope="module")
def warnings(mined) -> list[CitationWarning]:
    return check(minerals.open_dataset(mined))


def _found(warnings, kind: str) -> set[tuple[str, str]]:
    """(file name prefix up to the first '_', number) of every warning of ``kind``."""
    return {((w.path or "").rsplit("/", 1)[-1].split("_")[0], w.number) for w in warnings if w.kind == kind}


# Every warning the text corpus gives, each read in its document and found true.
EXPECTED = {
    "date_vs_number_year": {
        # Thông tư 112/2025/TT-BTC itself prints "Thông tư số 55/2023/TT-BTC ngày 15 tháng 8 năm 2025" (line 414;
        # its title says 15/8/2023): a real misprint, the real example of this check
        ("004", "55/2023/TT-BTC"),
        # realdocs 013 (vbpl.vn) prints "Nghị định số 08/2015/NĐ-CP ngày 21 tháng 01 năm 2005" and
        # "Nghị định số 105/2006/NĐ-CP ngày 22 tháng 09 năm 2010": two more real misprints
        ("013", "08/2015/NĐ-CP"),
        ("013", "105/2006/NĐ-CP"),
    },
    "cited_after_citing": set(),
    "lookalike_characters": set(),
    # the shipped registry knows 181/2025/NĐ-CP (realdocs 007) and 66.4/2025/NQ-CP …: every printed date agrees
    "date_vs_registry": set(),
    "type_contradicts_symbol": {("022", "1109/QĐ-UBND")},  # "Kế hoạch số 1109/QĐ-UBND"
    "malformed_number": {
        ("004", "21/2007-TT-BLĐTBXH"),  # seed 004: a dash where the slash belongs
        # realdocs 007: a company's own numbers (văn bản số 14/2025/CV-E.K.LM): true, not the official shape
        ("007", "14/2025/CV-E.K.LM"),
        ("007", "15/2025/CV-E.K.LM"),
        # realdocs 033 (OCR without diacritics) prints 35/2Q13/ND-CP: it reads like OCR, so the year is read as
        # 2013 (issue 17) and the number is well formed (it was a malformed_number finding before)
    },
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_corpus_findings_are_exactly_the_expected_ones(warnings, kind):
    assert _found(warnings, kind) == EXPECTED[kind]


def test_date_vs_number_year_on_a_real_misprint(warnings):
    """Real text, not altered: realdocs 004 (Thông tư 112/2025/TT-BTC) cites 55/2023/TT-BTC with a 2025 date."""
    w = next(w for w in warnings if w.kind == "date_vs_number_year" and w.number == "55/2023/TT-BTC")
    assert w.date == "2025-08-15" and "2023" in w.message and "55/2023/TT-BTC" in w.evidence
    assert w.path.endswith("004_tt112-2025-btc.txt") and w.doc_id


def test_inconsistent_across_archive_one_warning_per_id_with_variants(warnings):
    found = {w.id: w for w in warnings if w.kind == "inconsistent_across_archive"}
    # the three misprinted dates above disagree with the right date printed elsewhere in the archive;
    # permits 01/GP-UBND of 2007 and of 2019 (realdocs 006) are two documents, not a disagreement
    assert set(found) == {"08/2015/NĐ-CP", "105/2006/NĐ-CP", "55/2023/TT-BTC"}
    ev = found["08/2015/NĐ-CP"].evidence
    assert "2005-01-21 in 013_" in ev and "2015-01-21 in" in ev and "026_tt62-2019-btc.txt" in ev


def test_type_contradicts_symbol_on_realdocs_022(warnings):
    w = next(w for w in warnings if w.kind == "type_contradicts_symbol")
    assert "Kế hoạch số 1109/QĐ-UBND" in w.evidence
    assert "Kế hoạch" in w.message and "Quyết định" in w.message


def test_malformed_number_on_seed_004(warnings):
    w = next(w for w in warnings if w.kind == "malformed_number" and w.path.endswith("004_51401b993265fa13.txt"))
    assert w.number == "21/2007-TT-BLĐTBXH" and "Thông tư số 21/2007-TT-BLĐTBXH" in w.evidence


def test_clean_seeds_give_no_warning(warnings):
    """Seeds 000-003 print their citations well: no warning of any kind."""
    assert not {w for w in warnings if (w.path or "").rsplit("/", 1)[-1][:4] in {"000_", "001_", "002_", "003_"}}


def test_cited_after_citing_on_an_altered_real_sentence(tmp_path):
    """No document of the development corpus cites a later document, so this is realdocs 026 (Thông tư
    62/2019/TT-BTC, ngày 05/9/2019) with one date ALTERED: its real "Nghị định số 59/2018/NĐ-CP ngày 20 tháng 4
    năm 2018" becomes "59/2020/NĐ-CP ngày 20 tháng 4 năm 2020", after the citing document."""
    from minerals.dataset import mine

    src = next((CORPUS / "realdocs").glob("026_*.txt"))
    text = src.read_text(encoding="utf-8")
    real = "Nghị định số 59/2018/NĐ-CP ngày 20 tháng 4 năm 2018"
    assert real in text
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / src.name).write_text(text.replace(real, "Nghị định số 59/2020/NĐ-CP ngày 20 tháng 4 năm 2020", 1),
                                           encoding="utf-8")
    mine(tmp_path / "a", tmp_path / "out", workers=1)
    found = check(minerals.open_dataset(tmp_path / "out"), kinds=["cited_after_citing"])
    assert [(w.number, w.date) for w in found] == [("59/2020/NĐ-CP", "2020-04-20")]
    assert "2019-09-05" in found[0].message


def test_unknown_check_names_the_valid_ones(mined):
    with pytest.raises(ValueError, match="malformed_number"):
        check(mined, kinds=["nope"])


def test_cli_check(mined, tmp_path):
    r = runner.invoke(app, ["check", "-d", str(mined), "--format", "json"])
    assert r.exit_code == 0, r.output  # warnings are findings, not failures
    rows = json.loads(r.stdout)
    assert Counter(row["kind"] for row in rows) == Counter(
        {"date_vs_number_year": 3, "inconsistent_across_archive": 3, "type_contradicts_symbol": 1, "malformed_number": 3})
    assert set(rows[0]) >= {"kind", "doc_id", "path", "number", "message", "evidence"}
    r = runner.invoke(app, ["check", "-d", str(mined), "--format", "csv", "--kind", "malformed_number"])
    assert r.exit_code == 0 and r.stdout.startswith("kind,") and "21/2007-TT-BLĐTBXH" in r.stdout
    r = runner.invoke(app, ["check", "-d", str(mined)])
    assert r.exit_code == 0 and "1109/QĐ-UBND" in r.stdout and "rows" in r.stdout
    r = runner.invoke(app, ["check", "-d", str(tmp_path / "nothing")])
    assert r.exit_code == 1 and r.stderr.count("\n") == 1 and "no dataset" in r.stderr


def test_every_check_is_listed():
    assert list(CHECKS) == list(minerals.checks.KINDS)


# (printed sentence, number, printed type, types the symbol admits): real sentences; the party rows are from
# /work/shared/realdocs/bulk (056a116c77fe4047.md), where "Quy định số 270-QĐ/TW" first made this check fire falsely
TYPE_TABLE = [
    ("tại Kế hoạch số 1109/QĐ-UBND ngày 31/3/2026 của UBND tỉnh", "1109/QĐ-UBND", "Kế hoạch", {"Quyết định"}),
    ("thay thế Quy định số 270-QĐ/TW, ngày 06/12/2014 của Ban Bí thư", "270-QĐ/TW", "Quy định",
     {"Quyết định", "Quy định"}),
    ("Căn cứ Luật Hải quan số 54/2014/QH13 ngày 23 tháng 6 năm 2014", "54/2014/QH13", "Luật",
     {"Luật", "Bộ luật", "Nghị quyết", "Pháp lệnh"}),
    ("phúc đáp Công văn số 99/CT-CV ngày 02/6/2021 của Công ty CP", "99/CT-CV", "Công văn", {"Chỉ thị"}),
    ("Thực hiện Chỉ thị số 20-CT/TW ngày 05/11/2012 của Bộ Chính trị", "20-CT/TW", "Chỉ thị", {"Chỉ thị"}),
]


@pytest.mark.parametrize(("sentence", "number", "word", "admitted"), TYPE_TABLE)
def test_printed_type_and_symbol_types(sentence, number, word, admitted):
    from minerals.checks import symbol_types
    from minerals.extract.citations import printed_type_word

    assert printed_type_word(sentence, number) == word
    assert symbol_types(number) == admitted


@pytest.mark.parametrize(("sentence", "number", "word", "admitted"), TYPE_TABLE)
def test_the_citation_keeps_its_printed_type_word(sentence, number, word, admitted):
    """What the checks compare with the symbol is the word the citation stage read (``Citation.type_word``)."""
    from minerals.models import Document

    doc = minerals.extract(minerals.clean(Document(path="<test>", sha256="", raw=sentence, pages=[])))
    assert [(c.number, c.type_word) for c in doc.citations if not c.short_form] == [(number, word)]


def test_letters_never_contradict():
    """'Công văn số 99/CT-CV' (seed 003): a company's letter; CT is its issuer, not Chỉ thị."""
    from minerals.checks import _printed_type
    from minerals.extract.citations import printed_type_word

    word = printed_type_word(TYPE_TABLE[3][0], "99/CT-CV")
    assert word == "Công văn" and _printed_type({"type_word": word, "number": "99/CT-CV"}) is None


def test_lookalike_characters_on_a_real_page(tmp_path):
    """realdocs/archive ca83e7689c9fc610 prints "Nghị định số 23/2024/NĐ-CР" with a Cyrillic Р, and two more
    numbers with Cyrillic letters (issue 17): the id reads them as Latin, and check says where the source needs
    fixing."""
    from minerals.dataset import mine

    src = tmp_path / "in"
    src.mkdir()
    (src / "ca83e7689c9fc610.md").write_bytes((CORPUS / "archive" / "ca83e7689c9fc610.md").read_bytes())
    mine(src, tmp_path / "out", workers=1)
    found = [w for w in check(minerals.open_dataset(tmp_path / "out"), kinds=["lookalike_characters"])]
    assert sorted(w.number for w in found) == ["02/2024/TT-BKHĐT", "105/2025/TT-BTC", "23/2024/NĐ-CP"]
    w = next(w for w in found if w.number == "23/2024/NĐ-CP")
    assert "U+0420" in w.message and "23/2024/NĐ-CР" in w.evidence
