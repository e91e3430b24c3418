"""Readers turn a file into a ``Document`` (raw text + pages). ``read`` picks one by content, then suffix."""

from __future__ import annotations

import stat
from pathlib import Path

from ..errors import ReadError, TooLongError
from ..limits import DEFAULT, Limits
from ..models import Document
from .office import read_doc, read_docx
from .pdf import read_pdf
from .text import read_text

READERS = {
    ".txt": read_text, ".md": read_text, ".text": read_text, ".html": read_text, ".htm": read_text,
    ".pdf": read_pdf, ".docx": read_docx, ".doc": read_doc,
}


# what a file's first bytes say it is, whatever its name (issue 18: PDFs saved as .txt, files without a suffix)
MAGIC = ((b"%PDF", read_pdf), (b"PK\x03\x04", read_docx), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", read_doc))


def reader_for(path: Path):
    """The reader for ``path``: by its content when its first bytes are a PDF, a zip (docx) or an OLE file
    (doc), else by its suffix, else text (the text reader detects the encoding, and says when it is binary).
    A path that is no regular file (a directory, a pipe, a device, a symlink loop) is a ``ReadError``."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise ReadError(path, "no such file") from None
    except OSError as err:
        raise ReadError(path, f"cannot be read ({err.strerror or err})") from None
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(path, "not a regular file (a directory, a pipe or a device)")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as err:
        raise ReadError(path, f"cannot be read ({err.strerror or err})") from None
    for magic, reader in MAGIC:
        if head.startswith(magic):
            return reader
    return READERS.get(path.suffix.lower(), read_text)


def read(path: str | Path, *, max_bytes: int | None = None, use_ocr: bool = True,
         limits: Limits = DEFAULT) -> Document:
    """Read ``path`` into a Document with the reader its content or suffix names (``reader_for``), within
    ``limits`` (``max_bytes``, when given, is the file-size limit whatever the kind). Raises a ``ReadError``
    when it cannot — also for a text past ``limits.text_chars``, the per-document ceiling that bounds what
    cleaning and extraction may cost."""
    path = Path(path)
    reader = reader_for(path)
    kwargs = {"max_bytes": max_bytes, "limits": limits}
    if reader is read_pdf:
        kwargs["use_ocr"] = use_ocr
    doc = reader(path, **kwargs)
    if len(doc.raw) > limits.text_chars:
        raise TooLongError(path, "characters of text", len(doc.raw), limits.text_chars)
    return doc


__all__ = ["read", "reader_for", "read_text", "read_pdf", "read_docx", "read_doc", "READERS"]
