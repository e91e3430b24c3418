"""The document's own header (extract/metadata.py): its number, its signature block, its place and date."""

from __future__ import annotations

import pytest

import minerals
from minerals import patterns
from minerals.models import Document

from .conftest import corpus_file, scan_texts


def _doc(text: str) -> Document:
    doc = Document(path="<example>", sha256="", raw=text, pages=[])
    return minerals.extract(minerals.clean(doc))


@pytest.mark.parametrize("example", patterns.load("citations")["own_number"]["examples"])
def test_own_number_examples(example):
    doc = _doc(example)
    assert doc.info.number is not None
    assert doc.citations == []


def test_place_and_date_searched_line_by_line_is_the_whole_search():
    from minerals.extract.metadata import _PLACE_DATE, _search_place_date

    texts = scan_texts() + ["Hà Nội, ngày 5 tháng 3 năm 2024", "x\nTP. Hồ Chí Minh , ngày … tháng 6 năm 2022\n",
                             "ngày\nHuế, ngày 01 tháng 02 năm 2020", "Huế,\nngày 01 tháng 02 năm 2020"]
    found = 0
    for text in texts:
        head = text[:6000]
        expected = _PLACE_DATE.search(head)
        got = _search_place_date(head)
        assert (got and (got.span(), got.groups())) == (expected and (expected.span(), expected.groups())), head[:80]
        found += expected is not None
    assert found > 10


@pytest.mark.parametrize(("block", "title"), patterns.load("signature")["examples"])
def test_signature_examples(block, title):
    doc = _doc("BÁO CÁO\nKết quả\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n" + block)
    assert (doc.info.signer_title or "").lower() == title.lower()


def test_metadata_of_a_header_in_a_table():
    """realdocs 017: antiword table header, blank number, blank day, V/v title over three rows."""
    info = minerals.process(corpus_file("017_")).info
    assert info.issuer == "Ủy ban nhân dân tỉnh Bình Thuận"
    assert info.number == "/UBND-NCKSTTHC" and info.issue_date == "2024-12" and info.place == "Bình Thuận"
    assert info.doc_type == "Công văn" and info.title.startswith("triển khai Công điện số 131/CĐ-TTg")
    assert info.signer == "Đoàn Anh Dũng" and info.signer_title == "Chủ tịch"


def test_metadata_of_a_report_without_header():
    """Seed 001 starts at "BÁO CÁO": the reporting body comes from the body text."""
    info = minerals.process(corpus_file("001_")).info
    assert info.doc_type == "Báo cáo" and info.number is None
    assert info.issuer == "Ủy ban nhân dân thành phố Cao Bằng"
    assert info.signer == "Nguyễn Thị Huệ Chi" and info.signer_title.lower() == "phó chủ tịch"


LAYOUT_EXPORT = """UBND TỈNH BÌNH THUẬN                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
    SỞ NỘI VỤ                                  Độc lập - Tự do - Hạnh phúc

Số: 12/TTr-SNV                           Bình Thuận, ngày 28 tháng 11 năm 2024

                                  TỜ TRÌNH
              Về việc đề xuất xử lý đối với các hội

Căn cứ Nghị định số 126/2024/NĐ-CP ngày 08/10/2024 của Chính phủ;
\f
                                          2
Nơi nhận:                                              KT. GIÁM ĐỐC
- Như trên;                                            PHÓ GIÁM ĐỐC
- Lưu: VT, TCBC.
                                                       Nguyễn Văn An
"""


def test_metadata_of_a_layout_mode_pdf_export():
    """pdftotext -layout puts the header's two columns and the signature beside the recipients on one line."""
    doc = minerals.extract(minerals.clean(minerals.models.Document(path="x", sha256="", raw=LAYOUT_EXPORT, pages=[])))
    info = doc.info
    assert (info.issuer, info.issuer_parent) == ("Sở Nội vụ", "Ủy ban nhân dân tỉnh Bình Thuận")
    assert (info.place, info.issue_date, info.doc_type, info.number) == ("Bình Thuận", "2024-11-28", "Tờ trình", "12/TTr-SNV")
    assert info.signer == "Nguyễn Văn An" and info.signer_title.lower() == "phó giám đốc"
    assert info.recipients == ["Như trên", "Lưu: VT, TCBC."]
