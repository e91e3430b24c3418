"""Readers turn a file into a ``Document`` (raw text + pages). Pick one by suffix with ``read``."""

from __future__ import annotations

from pathlib import Path

from ..errors import UnsupportedFormatError
from ..models import Document
from .text import read_text

READERS = {".txt": read_text, ".md": read_text, ".text": read_text, ".html": read_text, ".htm": read_text}


def read(path: str | Path, *, max_bytes: int | None = None) -> Document:
    """Read ``path`` into a Document with the reader for its suffix. Raises a ``ReadError`` when it cannot."""
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnsupportedFormatError(path, path.suffix or "(none)", sorted(READERS))
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    return reader(path, **kwargs)


__all__ = ["read", "read_text", "READERS"]
