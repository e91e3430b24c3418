"""PDFs (text, scanned, broken font) and Word files into the same Document, with page provenance."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import minerals
from minerals.cli import app
from minerals.errors import DamagedFileError, EmptyFileError, EncryptedPDFError
from minerals.evaluate import Score, score_document
from minerals.readers import ocr

from .conftest import CORPUS, corpus_file

SCANNED = ["001_tt06-2024-bct_scan", "004_tb153-2024-vpcp_scan", "007_kh753-2026-dhcongthuong-hcm_scan",
           "010_cv2191-2026-cucthue_scan", "012_ttr298-2025-cat-lamdong_brokenfont"]


def test_tesseract_with_vietnamese_is_installed():
    assert ocr.available("vie"), "the README's commands install tesseract-ocr and tesseract-ocr-vie"


def test_text_pdf_citations_equal_those_of_its_text_export():
    pdf = minerals.process(CORPUS / "pdfs" / "009_nd45-2026-cp_text.pdf")
    txt = minerals.process(corpus_file("034_"))
    assert pdf.method == "text" and len(pdf.pages) == 55
    assert {c.id for c in pdf.citations} == {c.id for c in txt.citations}
    assert pdf.info.number == txt.info.number == "45/2026/NĐ-CP"
    assert {c.page for c in pdf.citations} > {1}  # items know their page


def test_scanned_pdfs_citation_f1_against_gold_from_page_images():
    total = Score()
    for stem in SCANNED:
        doc = minerals.process(CORPUS / "pdfs" / f"{stem}.pdf")
        assert doc.method == "ocr", (stem, doc.method)
        gold = json.loads((CORPUS / "gold" / f"{stem}.json").read_text(encoding="utf-8"))
        total.add(score_document(doc, gold).scores["citation"])
    assert total.f1 >= 0.90, total


def test_broken_font_text_layer_is_replaced_by_ocr():
    """pdfs/012's text layer reads 'NghË Ënh sÑ 116/2021/NÐ-CP'; OCR of the page image reads it right."""
    doc = minerals.process(CORPUS / "pdfs" / "012_ttr298-2025-cat-lamdong_brokenfont.pdf")
    assert doc.method == "ocr"
    assert "116/2021/NĐ-CP" in {c.number for c in doc.citations}


def test_ocr_is_cached_by_file_hash(monkeypatch):
    path = CORPUS / "pdfs" / "012_ttr298-2025-cat-lamdong_brokenfont.pdf"
    first = minerals.read(path)
    monkeypatch.setattr(ocr, "available", lambda lang="vie": False)  # a re-run must not need Tesseract
    again = minerals.read(path)
    assert again.raw == first.raw and again.method == "ocr"


def test_no_ocr_available_is_a_warning_not_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MINERALS_CACHE", str(tmp_path))
    monkeypatch.setattr(ocr, "available", lambda lang="vie": False)
    doc = minerals.read(CORPUS / "pdfs" / "004_tb153-2024-vpcp_scan.pdf")
    assert doc.raw.strip("\f") == "" and any("no OCR available" in w for w in doc.warnings)


def test_bad_pdfs(tmp_path):
    real = (CORPUS / "pdfs" / "009_nd45-2026-cp_text.pdf").read_bytes()
    (tmp_path / "zero.pdf").write_bytes(b"")
    (tmp_path / "text.pdf").write_text("Đây không phải là PDF")
    (tmp_path / "truncated.pdf").write_bytes(real[: len(real) // 3])
    (tmp_path / "encrypted.pdf").write_bytes(ENCRYPTED)
    with pytest.raises(EmptyFileError):
        minerals.read(tmp_path / "zero.pdf")
    with pytest.raises(DamagedFileError):
        minerals.read(tmp_path / "text.pdf")
    with pytest.raises(EncryptedPDFError):
        minerals.read(tmp_path / "encrypted.pdf")
    try:  # a truncated file either fails cleanly or gives what its pages hold
        doc = minerals.read(tmp_path / "truncated.pdf", use_ocr=False)
        assert doc.pages
    except DamagedFileError:
        pass
    runner = CliRunner()
    for name in ("zero.pdf", "text.pdf", "encrypted.pdf"):
        result = runner.invoke(app, ["extract", str(tmp_path / name)])
        assert result.exit_code == 1 and result.stderr.count("\n") == 1, result.output


def test_500_page_pdf_is_streamed(tmp_path):
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(CORPUS / "pdfs" / "009_nd45-2026-cp_text.pdf"))
    big = pdfium.PdfDocument.new()
    while len(big) < 500:
        big.import_pages(src, list(range(min(len(src), 500 - len(big)))))
    big.save(str(tmp_path / "big.pdf"))
    doc = minerals.process(tmp_path / "big.pdf")
    assert len(doc.pages) == 500 and doc.citations[-1].page > 450


def test_docx_from_seed_reads_paragraphs_and_tables():
    doc = minerals.process(corpus_file("004_51401b993265fa13_seed", ".docx"))
    seed = minerals.process(corpus_file("004_5"))
    assert {c.id for c in doc.citations} == {c.id for c in seed.citations}
    cells = [(q.value, q.unit) for q in doc.quantities if doc.text[q.start - 2 : q.start] == "| "]
    assert (5, "người") in cells and (19, "xã") in cells


def test_bad_word_files(tmp_path):
    (tmp_path / "x.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "x.doc").write_bytes(b"\xd0\xcf\x11\xe0 garbage" * 10)
    runner = CliRunner()
    for name in ("x.docx", "x.doc"):
        result = runner.invoke(app, ["extract", str(tmp_path / name)])
        assert result.exit_code == 1 and result.stderr.startswith("minerals: error:"), result.output


ENCRYPTED = b"""%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
4 0 obj << /Filter /Standard /V 1 /R 2 /O <0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef>
/U <fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210> /P -4 >> endobj
trailer << /Root 1 0 R /Encrypt 4 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>] /Size 5 >>
%%EOF
"""


def test_ruled_table_in_a_text_pdf_gives_cells_their_units():
    """A text PDF with a ruled table (seed 004's results, tools/make_table_pdf.py): pdfplumber reads the
    table as rows, pdfium the text around it, and each cell's unit comes from its column header."""
    doc = minerals.process(corpus_file("004_51401b993265fa13_seed_table", ".pdf"))
    assert "| Chỉ tiêu | Kế hoạch (người) | Thực hiện (người) | Tỷ lệ (%) |" in doc.text
    cells = {(q.value, q.unit, q.kind) for q in doc.quantities}
    assert {(5, "người", "count"), (1120, "người", "count"), (40, "%", "percent")} <= cells
    assert doc.text.count("Lao động xuất cảnh") == 1  # the table's words are not read twice
    seed = minerals.process(corpus_file("004_5"))
    assert {c.id for c in doc.citations} <= {c.id for c in seed.citations}


def test_fast_grid_tables_agree_with_pdfplumber():
    from minerals.readers.pdf import read_pdf

    path = corpus_file("004_51401b993265fa13_seed_table", ".pdf")
    assert read_pdf(path).raw == read_pdf(path, tables="pdfplumber").raw


def test_upside_down_scan_is_turned_before_reading(tmp_path):
    """A page scanned upside down reads as noise; Tesseract's orientation model says how to turn it."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(CORPUS / "pdfs" / "010_cv2191-2026-cucthue_scan.pdf"))
    turned = pdfium.PdfDocument.new()
    turned.import_pages(src, [0])
    turned[0].set_rotation(180)
    turned.save(str(tmp_path / "upside-down.pdf"))
    doc = minerals.process(tmp_path / "upside-down.pdf")
    upright = minerals.process(CORPUS / "pdfs" / "010_cv2191-2026-cucthue_scan.pdf")
    assert {c.id for c in doc.citations} == {c.id for c in upright.citations if c.page == 1}
    assert not any("low OCR confidence" in w for w in doc.warnings)


def test_ocr_reports_each_page_as_it_is_read(tmp_path, monkeypatch):
    # issue 18: `extract` of a scan was silent for its whole OCR; the CLI shows "OCR page 2/3" from these calls
    from minerals.readers import ocr

    if not ocr.available():
        pytest.skip("tesseract with Vietnamese is not installed")
    monkeypatch.setenv("MINERALS_CACHE", str(tmp_path))  # no cached page: every page is read
    calls = []
    with ocr.reporting(lambda done, total: calls.append((done, total))):
        doc = minerals.read(CORPUS / "pdfs" / "001_tt06-2024-bct_scan.pdf")
    n = len(doc.pages)  # (a scan: every page OCRed)
    assert doc.method == "ocr" and calls[0] == (0, n) and calls[-1] == (n, n) and [d for d, _ in calls] == list(range(n + 1))
