"""Text files: UTF-8 (with or without BOM), UTF-16, Windows-1258 and legacy TCVN3/VNI, out as NFC."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from ..errors import BinaryFileError, EmptyFileError, EncodingError, FileTooLargeError, ReadError
from ..limits import DEFAULT, Limits
from ..legacy import LEGACY_DECODERS, guess_legacy, vietnamese_score
from ..models import Document, Page


_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The same characters as bytes: UTF-8 writes them as themselves, so UTF-8 bytes without any decode to a text
# without any, and deleting them with bytes.translate is ~5x cheaper than scanning the text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# "# PAGE 3" lines of page-by-page OCR exports (realdocs 031) mark pages like a form feed does.
_PAGE_MARK_RE = re.compile(r"^#+\s*PAGE\s+(\d+)\s*$", re.MULTILINE | re.IGNORECASE)
_HASH_LINE = re.compile("\n#")


def decode(data: bytes, path: object = "<bytes>") -> tuple[str, str]:
    """Decode ``data`` to NFC text; returns (text, encoding name). Raises ``BinaryFileError``."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _finish(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _finish(data.decode("utf-16", errors="replace"), "utf-16")
    head = data[:65536]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without BOM has a NUL beside every ASCII byte; anything else with NULs is binary
        even = data[: len(data) // 2 * 2]  # an odd length is a truncated file: its last byte is dropped
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = even.decode(enc)
            except UnicodeDecodeError:
                continue
            if not _CONTROL_RE.search(text[:4096]):
                return _finish(text, enc)
        raise BinaryFileError(path, "NUL bytes")
    try:
        text = data.decode("utf-8")
        enc = "utf-8"
    except UnicodeDecodeError as err:
        if b"\x00" in head:
            raise BinaryFileError(path, "NUL bytes") from err
        text, enc = _mostly_utf8(data)
    if enc == "8-bit":
        text, enc = _decode_8bit(data)
        letters = [c for c in text[:65536] if c.isalpha()]
        foreign = sum(not c.isascii() for c in letters)
        legacy = guess_legacy(text)
        if letters and foreign > 0.2 * len(letters) and not legacy and vietnamese_score(text) < 0.5:
            raise EncodingError(path, "not UTF-8, UTF-16, Windows-1258, TCVN3 or VNI")
    maybe_control = enc != "utf-8" or len(data.translate(None, _CONTROL_BYTES)) != len(data)
    if maybe_control and len(_CONTROL_RE.findall(text[:65536])) > max(8, len(text[:65536]) // 100):
        raise BinaryFileError(path, "control characters")
    if maybe_control:
        text = _CONTROL_RE.sub("", text)  # a few stray NULs or escapes are noise, not text (FUZZ.md)
    legacy = guess_legacy(text)
    if legacy:
        text = LEGACY_DECODERS[legacy](text)
        enc = f"{enc}+{legacy}"
    return _finish(text, enc)


def _mostly_utf8(data: bytes) -> tuple[str, str]:
    """UTF-8 with a few invalid bytes (a damaged or concatenated file) read as UTF-8, each bad byte replaced,
    when its valid multi-byte characters outnumber the bad bytes ten to one; else ("", "8-bit"). Six stray
    bytes once cost a whole file (FUZZ.md); a Windows-1258 or TCVN3 file has no valid multi-byte UTF-8."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if bad and sum(not c.isascii() for c in text) - bad >= 10 * bad:
        return text, f"utf-8 ({bad} invalid bytes replaced)"
    return "", "8-bit"


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Windows-1258 (combining tone marks) or a Latin-1 view of TCVN3/VNI bytes: whichever reads better."""
    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    latin = data.decode("cp1252", errors="replace")
    best = max(
        [("cp1258", cp1258)] + [(f"cp1252+{n}", f(latin)) for n, f in LEGACY_DECODERS.items()],
        key=lambda c: vietnamese_score(c[1]),
    )
    if best[0].startswith("cp1252+"):
        return latin, "cp1252"  # the legacy table is applied by the caller's guess
    return best[1], best[0]


def _finish(text: str, encoding: str) -> tuple[str, str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text), encoding


def pages_of(text: str) -> list[Page]:
    """Pages split at form feeds or "# PAGE n" markers; one page when the text has neither."""
    cuts = [m.end() for m in re.finditer("\f", text)] if "\f" in text else []
    if not cuts:
        cuts = _page_marks(text)[1:]  # what precedes the first mark is page 1
    bounds = [0, *cuts, len(text)]
    return [Page(i + 1, a, b) for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]


def _page_marks(text: str) -> list[int]:
    """Where ``_PAGE_MARK_RE.finditer(text)`` matches. A match starts a line with "#", so only such lines are
    tried (~10x faster than scanning every position)."""
    candidates = [m.start() + 1 for m in _HASH_LINE.finditer(text)]
    if text.startswith("#"):
        candidates.insert(0, 0)
    marks = []
    end = 0
    for start in candidates:
        if start >= end and (m := _PAGE_MARK_RE.match(text, start)):
            marks.append(start)
            end = m.end()
    return marks


def read_text(path: str | Path, *, max_bytes: int | None = None, limits: Limits = DEFAULT) -> Document:
    """Read a text export (.txt, .md, .html) into a Document."""
    path = Path(path)
    max_bytes = limits.text_bytes if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLargeError(path, size, max_bytes)
        data = path.read_bytes()
    except FileNotFoundError as err:
        raise ReadError(path, "no such file") from err
    except IsADirectoryError as err:
        raise ReadError(path, "is a directory") from err
    except PermissionError as err:
        raise ReadError(path, "permission denied") from err
    text, encoding = decode(data, path)
    if not text.strip():
        raise EmptyFileError(path)
    encoding, _, note = encoding.partition(" (")  # "utf-8 (6 invalid bytes replaced)"
    return Document(
        path=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
        raw=text,
        pages=pages_of(text),
        method="text",
        encoding=encoding,
        warnings=[note.rstrip(")")] if note else [],
    )
