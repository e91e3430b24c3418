"""Word files: .docx with python-docx (paragraphs and tables, in body order), legacy .doc with antiword."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import unicodedata
from pathlib import Path

from ..errors import DamagedFileError, EmptyFileError, ReadError, ToolMissingError
from ..models import Document
from .text import pages_of


def read_docx(path: str | Path, **_: object) -> Document:
    """Paragraphs as lines, table rows as '| cell | cell |' lines (the layout the extractors read tables in)."""
    import docx
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    path = Path(path)
    data = _bytes(path)
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


def read_doc(path: str | Path, **_: object) -> Document:
    """Legacy Word 97-2003 through antiword (Debian package antiword)."""
    path = Path(path)
    data = _bytes(path)
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


def _bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise ReadError(path, "no such file") from err
    if not data:
        raise EmptyFileError(path)
    return data
