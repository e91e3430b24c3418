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
    _check_zip_parts(path, limits.xml_bytes, limits.office_bytes if max_bytes is None else max_bytes)
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


def _check_zip_parts(path: Path, xml_limit: int, all_limit: int) -> None:
    """Refuse a .docx whose XML parts unpack past ``xml_limit`` bytes, or all its parts past ``all_limit``: by
    their declared sizes first, then by reading them in chunks (a zip can lie about sizes), so a zip bomb costs a
    bounded read, never the memory python-docx would take (../shared/FUZZ.md: 2.9 MB unpacking to 1 GB of XML
    took > 12 GB; 1.5 MB with a 1.5 GB image it loads took 3 GB)."""
    import zipfile

    def refuse(what: str, size: int, limit: int, more: bool = False) -> ReadError:
        return ReadError(path, f"its {what} unpack{'s' if what == 'XML' else ''} to {'more than ' if more else ''}"
                               f"{mb(limit if more else size)} (a zip bomb?); the limit is {mb(limit)}")

    try:
        with zipfile.ZipFile(path) as z:
            parts = [i for i in z.infolist() if not i.is_dir()]
            is_xml = [i.filename.endswith((".xml", ".rels")) for i in parts]
            declared_xml = sum(i.file_size for i, x in zip(parts, is_xml) if x)
            declared = sum(i.file_size for i in parts)
            if declared_xml > xml_limit:
                raise refuse("XML", declared_xml, xml_limit)
            if declared > all_limit:
                raise refuse("parts", declared, all_limit)
            total = total_xml = 0
            for info, xml in zip(parts, is_xml):
                with z.open(info) as f:
                    while chunk := f.read(1 << 20):
                        total += len(chunk)
                        total_xml += len(chunk) if xml else 0
                        if total_xml > xml_limit:
                            raise refuse("XML", total_xml, xml_limit, more=True)
                        if total > all_limit:
                            raise refuse("parts", total, all_limit, more=True)
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
