"""PDFs: the text layer by pypdfium2 (~1,600 pages/s here, against ~18 for pdfplumber's extract_text); pages
with no usable text layer — none, or a broken font map like realdocs pdfs/012 — are read by Tesseract.

Pages are read one at a time and joined with form feeds, so ``Document.pages`` gives each page's span and
memory stays bounded by the text, not the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import (DamagedFileError, EmptyFileError, EncryptedPDFError, FileTooLargeError, OcrUnavailable, ReadError,
                      TooLongError)
from ..limits import DEFAULT, Limits
from ..legacy import vietnamese_score
from ..models import Document, Page
from . import ocr

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_LETTERS = re.compile(r"[^\W\d_]")


def usable_text(text: str) -> bool:
    """A text layer worth keeping: enough letters, no control characters, and Vietnamese words that are real
    syllables (a broken font map gives 'NghË Ënh sÑ')."""
    sample = text[:4000]  # a page's first lines say what its layer is worth
    if len(_LETTERS.findall(sample, 0, 400)) < 20 and len(_LETTERS.findall(sample)) < 20:
        return False
    if len(_CONTROL.findall(sample)) > 3:
        return False
    words = [w for w in sample.split() if not w.isascii()]
    return len(words) < 10 or vietnamese_score(sample) >= 0.6


def read_pdf(path: str | Path, *, max_bytes: int | None = None, use_ocr: bool = True, tables: str = "grid",
             limits: Limits = DEFAULT) -> Document:
    """Read a PDF page by page. Ruled tables become '| cell | cell |' rows: ``tables="grid"`` reads them from
    pdfium's drawing and text (milliseconds a page), ``tables="pdfplumber"`` hands those pages to pdfplumber
    (a few tenths of a second a page; its rules for merged and unruled cells)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as err:
        raise ReadError(path, "no such file") from err
    if size == 0:
        raise EmptyFileError(path)
    max_bytes = limits.pdf_bytes if max_bytes is None else max_bytes
    if size > max_bytes:
        raise FileTooLargeError(path, size, max_bytes)
    sha = ocr.file_sha256(str(path))
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        msg = str(err)
        if "password" in msg.lower():
            raise EncryptedPDFError(path) from err
        raise DamagedFileError(path, _pdfium_reason(msg)) from err
    warnings: list[str] = []
    texts: list[str] = []
    need_ocr: list[int] = []
    ruled: dict[int, list] = {}
    chars = 0
    try:
        n = len(pdf)
        if n > limits.pdf_pages:
            raise TooLongError(path, "pages", n, limits.pdf_pages)
        for i in range(n):
            try:
                page = pdf[i]
                textpage = page.get_textpage()
                text = _clean_newlines(textpage.get_text_range())
                usable = usable_text(text)
                if not usable and not text.strip() and not pdfium_c.FPDFPage_CountObjects(page.raw):
                    usable = True  # a blank page (nothing drawn on it): nothing to OCR (FUZZ.md: 20,000 of them)
                if usable:
                    found = grid_tables(page, textpage)
                    if found and tables == "pdfplumber":
                        ruled[i] = found
                    elif found:
                        texts.append(_compose(textpage, page.get_size(), found))
                        textpage.close()
                        page.close()
                        continue
                textpage.close()
                page.close()
            except pdfium.PdfiumError as err:
                warnings.append(f"page {i + 1}: damaged ({err})")
                text, usable = "", False
            if not usable:
                need_ocr.append(i + 1)
            texts.append(text)
            chars += len(text)
            if chars > limits.text_chars:  # stop reading here: the whole text would be refused anyway
                raise TooLongError(path, "characters of text", chars, limits.text_chars, at_least=True)
        if ruled:
            for i, text in _table_pages(path, pdf, list(ruled)).items():
                texts[i] = text
    finally:
        pdf.close()
    methods = {i + 1: "text" for i in range(len(texts))}
    if len(need_ocr) > limits.ocr_pages:
        warnings.append(f"pages {_ranges(need_ocr[limits.ocr_pages:])}: not OCRed (at most {limits.ocr_pages} "
                        "pages of one PDF are)")
        need_ocr = need_ocr[: limits.ocr_pages]
    if need_ocr and use_ocr:
        try:
            read = ocr.ocr_pages(str(path), sha, need_ocr)
        except OcrUnavailable as err:
            warnings.append(f"pages {_ranges(need_ocr)}: no usable text layer and no OCR available: {err}")
            read = {}
        for p, page in read.items():
            texts[p - 1] = page.text
            methods[p] = "ocr"
            if page.confidence < ocr.LOW_CONFIDENCE:
                warnings.append(f"page {p}: low OCR confidence ({page.confidence:.0f}/100)")
    elif need_ocr:
        warnings.append(f"pages {_ranges(need_ocr)}: no usable text layer (OCR turned off)")
    if not texts:
        warnings.append("the PDF has no pages")
    raw, pages = _join(texts, methods)
    kinds = set(methods.values())
    return Document(path=str(path), sha256=sha, raw=raw, pages=pages,
                    method="mixed" if len(kinds) > 1 else (kinds.pop() if kinds else "text"),
                    encoding="pdf", warnings=warnings)


def _pdfium_reason(msg: str) -> str:
    """PDFium's message without its meaningless "(PDFium: Success)" (a 0-page or headless file says so)."""
    msg = msg.replace("(PDFium: Success)", "").strip().rstrip(".").strip()
    return msg + (" (no page tree)" if msg.endswith("Failed to load document") else "")


def _join(texts: list[str], methods: dict[int, str]) -> tuple[str, list[Page]]:
    parts, pages, pos = [], [], 0
    for i, t in enumerate(texts):
        if i:
            parts.append("\f")
            pos += 1
        parts.append(t)
        pages.append(Page(i + 1, pos, pos + len(t), methods.get(i + 1, "text")))
        pos += len(t)
    return "".join(parts), pages


def _ranges(pages: list[int]) -> str:
    out, start, prev = [], None, None
    for p in pages + [None]:
        if start is None:
            start = prev = p
        elif p == prev + 1:
            prev = p
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = p
    return ", ".join(out)


def _clean_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def grid_tables(page, textpage) -> list[tuple[float, float, list[list[str]]]]:
    """Ruled tables drawn on the page, as (top, bottom, rows) in pdfplumber's top-down frame: stroked lines
    (not filled highlight boxes) cut the page into rows and each row into cells, whose text pdfium reads
    inside the cell. Two rows of two non-empty cells make a table. A few ms a page."""
    hs, vs = _rules(page)
    if len(hs) < 3 or len(vs) < 2:
        return []
    height = page.get_size()[1]
    ys = _cluster([y for y, _, _ in hs])[::-1]  # PDF y grows upwards: top row first
    tables: list[list[tuple[float, float, list[str]]]] = [[]]
    for y_top, y_bot in zip(ys, ys[1:]):
        xs = _cluster([x for x, b, t in vs if b - 2 <= y_bot and t + 2 >= y_top])
        cells = [" ".join(textpage.get_text_bounded(left=x0, bottom=y_bot, right=x1, top=y_top).split())
                 for x0, x1 in zip(xs, xs[1:])]
        if len(cells) >= 1 and (len(cells) >= 2 or tables[-1]):
            tables[-1].append((y_top, y_bot, cells))
        elif tables[-1]:
            tables.append([])
    out = []
    for rows in tables:
        if sum(sum(bool(c) for c in cells) >= 2 for _, _, cells in rows) >= 2:
            out.append((height - rows[0][0], height - rows[-1][1], [cells for _, _, cells in rows]))
    return out


def _rules(page) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling lines: thin paths, and the edges of stroked boxes."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    hs, vs = [], []
    raw = page.raw
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    for k in range(pdfium_c.FPDFPage_CountObjects(raw)):  # the raw API: this runs on every page
        obj = pdfium_c.FPDFPage_GetObject(raw, k)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        pdfium_c.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in (left, bottom, right, top)))
        l, b, r, t = left.value, bottom.value, right.value, top.value
        w, h = r - l, t - b
        if h < 3 and w > 10:
            hs.append(((b + t) / 2, l, r))
        elif w < 3 and h > 6:
            vs.append(((l + r) / 2, b, t))
        elif w > 10 and h > 6:
            pdfium_c.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
            if stroke.value:  # a filled box without a border is a highlight, not a cell
                hs += [(b, l, r), (t, l, r)]
                vs += [(l, b, t), (r, b, t)]
        if len(hs) > 2000:
            break
    return hs, vs


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _table_pages(path: Path, pdf, indexes: list[int]) -> dict[int, str]:
    """Pages with ruling lines, read again: pdfplumber (opened once, for these pages only) finds the tables,
    which become '| cell | cell |' rows; pdfium gives the text above, between and below them, so no word is
    read twice. Returns {page index: text} for the pages that hold a table."""
    import pdfplumber

    out: dict[int, str] = {}
    try:
        plumber = pdfplumber.open(str(path), pages=[i + 1 for i in indexes])
    except Exception:  # noqa: BLE001 - pdfminer fails in many ways on odd files; the pdfium text stands
        return out
    with plumber:
        for i, ppage in zip(indexes, plumber.pages):
            try:
                found = sorted(ppage.find_tables(), key=lambda t: t.bbox[1])
                rows = [t.extract() for t in found]
            except Exception:  # noqa: BLE001 - same: keep the page's pdfium text
                continue
            if not found:
                continue
            page = pdf[i]
            textpage = page.get_textpage()
            out[i] = _compose(textpage, page.get_size(), [(t.bbox[1], t.bbox[3], r) for t, r in zip(found, rows)])
            textpage.close()
            page.close()
    return out


def _compose(textpage, size: tuple[float, float], found: list[tuple[float, float, list]]) -> str:
    """The page's text with each table (top, bottom, rows) in its place as '| cell | cell |' rows."""
    width, height = size
    parts: list[str] = []
    top = 0.0
    for t_top, t_bottom, rows in sorted(found, key=lambda t: t[0]):
        parts.append(_band(textpage, width, height, top, t_top))
        parts += ["| " + " | ".join(" ".join((c or "").split()) for c in row) + " |" for row in rows]
        top = t_bottom
    parts.append(_band(textpage, width, height, top, height))
    return "\n".join(p for p in parts if p.strip())


def _band(textpage, width: float, height: float, top: float, bottom: float) -> str:
    """The text between two heights measured from the top (pdfplumber's frame; pdfium's runs bottom-up)."""
    if bottom - top < 1:
        return ""
    return _clean_newlines(textpage.get_text_bounded(left=0, bottom=height - bottom, right=width, top=height - top))
