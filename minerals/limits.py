"""How much of one document minerals takes, by kind of file: one policy that ``extract``, ``text``, ``show``
and ``mine`` all apply (their ``--max-mb`` raises every file-size limit at once).

Each limit bounds the memory and time one hostile or runaway file can cost (../shared/FUZZ.md): a file past a
size limit, a PDF past the page limit, a text past the character limit is refused as a ``ReadError`` — an
``errors`` row in a batch — instead of taking gigabytes or hours. The defaults sit far above real documents:
the largest of realdocs' PDFs is ~40 MB and 300 pages, the largest text export ~2 MB.
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Limits:
    text_bytes: int = 32_000_000      # .txt/.md/.html (and files read as text) on disk
    pdf_bytes: int = 500_000_000      # scans are large: 300 dpi pages of a few MB each
    office_bytes: int = 100_000_000   # .docx/.doc on disk (images make them large)
    xml_bytes: int = 64_000_000       # the XML a .docx unpacks to (a zip bomb unpacks to gigabytes)
    pdf_pages: int = 5_000            # pages of one PDF
    ocr_pages: int = 500              # pages of one PDF sent to OCR (~2 s each)
    text_chars: int = 12_000_000      # characters of one document's text
    doc_memory: int = 4_000_000_000   # memory one document may add to its process while it is mined

    def with_max_mb(self, max_mb: float | None) -> "Limits":
        """Every file-size limit set to ``max_mb`` megabytes (None keeps the defaults)."""
        if max_mb is None:
            return self
        b = max(int(max_mb * 1e6), 0)
        return replace(self, text_bytes=b, pdf_bytes=b, office_bytes=b)


DEFAULT = Limits()


def mb(n: int) -> str:
    """A byte count for a message: "3.2 MB", "512 bytes" (never "0.0 MB > limit 0 MB")."""
    if n >= 100_000:
        return f"{n / 1e6:.1f} MB".replace(".0 MB", " MB")
    return f"{n:,} bytes"


def _data_bytes() -> int | None:
    """The process's data segment now (VmData: heap and private mappings), or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


@contextlib.contextmanager
def memory_ceiling(extra: int) -> Iterator[None]:
    """Inside the block, allocations that would take the process ``extra`` bytes past what it holds now fail
    with ``MemoryError`` (Linux's RLIMIT_DATA, which shared and file mappings don't count), so a document that
    runs away ends as an error for that document instead of the kernel's out-of-memory killer ending the run.
    Does nothing where the limit cannot be read or set."""
    now = _data_bytes()
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    except (OSError, ValueError):
        now = None
    if now is None or extra <= 0:
        yield
        return
    want = now + extra
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        want = soft
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (want, hard))
    except (OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
