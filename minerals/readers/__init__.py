"""Readers turn a file into a ``Document`` (raw text + pages). Pick one by suffix with ``read``."""

from __future__ import annotations

from pathlib import Path

from ..errors import UnsupportedFormatError
from ..models import Document
from .office import read_doc, read_docx
from .pdf import read_pdf
from .text import read_text

READERS = {
    ".txt": read_text, ".md": read_text, ".text": read_text, ".html": read_text, ".htm": read_text,
    ".pdf": read_pdf, ".docx": read_docx, ".doc": read_doc,
}


def read(path: str | Path, *, max_bytes: int | None = None, use_ocr: bool = True) -> Document:
    """Read ``path`` into a Document with the reader for its suffix. Raises a ``ReadError`` when it cannot."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedFormatError(path, path.suffix or "(none)", sorted(READERS))
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    if reader is read_pdf:
        kwargs["use_ocr"] = use_ocr
    return reader(path, **kwargs)


__all__ = ["read", "read_text", "read_pdf", "read_docx", "read_doc", "READERS"]
