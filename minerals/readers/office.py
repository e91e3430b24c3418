"""Word files: .docx with python-docx (paragraphs and tables, in body order), legacy .doc with antiword."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import unicodedata
from pathlib import Path

from ..errors import DamagedFileError, EmptyFileError, FileTooLargeError, ReadError, ToolMissingError
from ..limits import DEFAULT, Limits, mb
from ..models import Document
from .text import pages_of


def read_docx(path: str | Path, *, max_bytes: int | None = None, limits: Limits = DEFAULT) -> Document:
    """Paragraphs as lines, table rows as '| cell | cell |' lines (the layout the extractors read tables in)."""
    import docx
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    path = Path(path)
    data = _bytes(path, limits.office_bytes if max_bytes is None else max_bytes)
    _check_zip_xml(path, limits.xml_bytes)
    try:
        d: DocxDocument = docx.Document(str(path))
    except Exception as err:  # noqa: BLE001 - python-docx raises many types for a bad zip/XML
        raise ReadError(path, f"not a readable .docx ({type(err).__name__}: {err})") from err
    lines: list[str] = []
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, d).text)
        elif tag == "tbl":
            for row in Table(child, d).rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                lines.append("| " + " | ".join(cells) + " |")
    text = unicodedata.normalize("NFC", "\n".join(lines))
    if not text.strip():
        raise EmptyFileError(path)
    return Document(path=str(path), sha256=hashlib.sha256(data).hexdigest(), raw=text, pages=pages_of(text),
                    method="text", encoding="docx")


def _check_zip_xml(path: Path, limit: int) -> None:
    """Refuse a .docx whose XML parts unpack past ``limit`` bytes: by their declared sizes first, then by
    reading them in chunks (a zip can lie about sizes), so a zip bomb costs a bounded read, never the memory
    python-docx would take (../shared/FUZZ.md: 2.9 MB unpacking to 1 GB of XML took > 12 GB)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = [i for i in z.infolist() if i.filename.endswith((".xml", ".rels"))]
            declared = sum(i.file_size for i in parts)
            if declared > limit:
                raise ReadError(path, f"its XML unpacks to {mb(declared)} (a zip bomb?); the limit is "
                                      f"{mb(limit)}")
            total = 0
            for info in parts:
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise ReadError(path, f"its XML unpacks to more than {mb(limit)} "
                                                  "(a zip bomb?)")
    except ReadError:
        raise
    except Exception as err:  # noqa: BLE001 - zipfile raises many types for a bad archive
        raise ReadError(path, f"not a readable .docx ({type(err).__name__}: {err})") from err


def read_doc(path: str | Path, *, max_bytes: int | None = None, limits: Limits = DEFAULT) -> Document:
    """Legacy Word 97-2003 through antiword (Debian package antiword)."""
    path = Path(path)
    data = _bytes(path, limits.office_bytes if max_bytes is None else max_bytes)
    if shutil.which("antiword") is None:
        raise ToolMissingError(path, "antiword", "apt-get install antiword")
    proc = subprocess.run(["antiword", "-m", "UTF-8.txt", "-w", "0", str(path)], capture_output=True, timeout=300)
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DamagedFileError(path, lines[-1] if lines else "antiword failed")
    text = unicodedata.normalize("NFC", proc.stdout.decode("utf-8", errors="replace"))
    if not text.strip():
        raise EmptyFileError(path)
    return Document(path=str(path), sha256=hashlib.sha256(data).hexdigest(), raw=text, pages=pages_of(text),
                    method="text", encoding="doc")


def _bytes(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLargeError(path, size, max_bytes)
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise ReadError(path, "no such file") from err
    if not data:
        raise EmptyFileError(path)
    return data
