"""Named errors. Library code raises these; only ``cli.py`` turns them into a one-line message and an exit code."""

from __future__ import annotations

from collections.abc import Iterable


class MineralsError(Exception):
    """Base class: every error minerals raises on purpose."""

    stage = "minerals"


class ReadError(MineralsError):
    """A file could not be read into a Document (missing, empty, binary, too large, undecodable)."""

    stage = "read"

    def __init__(self, path: object, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmptyFileError(ReadError):
    def __init__(self, path: object):
        super().__init__(path, "empty file (0 bytes of text)")


class BinaryFileError(ReadError):
    def __init__(self, path: object, detail: str = ""):
        super().__init__(path, "binary file, not text" + (f" ({detail})" if detail else ""))


class FileTooLargeError(ReadError):
    def __init__(self, path: object, size: int, limit: int):
        self.size, self.limit = size, limit
        from .limits import mb

        super().__init__(path, f"file too large: {mb(size)} > limit {mb(limit)}")


class TooLongError(ReadError):
    """A document's text, or a PDF's pages, past the per-document ceiling (``minerals.limits``)."""

    def __init__(self, path: object, what: str, n: int, limit: int, at_least: bool = False):
        self.n, self.limit = n, limit
        super().__init__(path, f"too long: {'at least ' if at_least else ''}{n:,} {what} > limit {limit:,}")


class OutOfMemoryError(MineralsError):
    """One document needed more memory than a document may take (``Limits.doc_memory``)."""

    stage = "extract"

    def __init__(self, path: object, limit: int):
        from .limits import mb

        self.path, self.limit = str(path), limit
        super().__init__(f"{self.path}: needed more than {mb(limit)} of memory; passed over")


class PatternError(MineralsError):
    """A file in patterns/ is malformed or one of its examples does not hold."""

    stage = "patterns"


class GoldError(MineralsError):
    """A gold annotation file is missing or malformed."""

    stage = "eval"


class EncryptedPDFError(ReadError):
    def __init__(self, path: object):
        super().__init__(path, "encrypted PDF (password protected): cannot be read")


class DamagedFileError(ReadError):
    def __init__(self, path: object, detail: str):
        super().__init__(path, f"damaged file or wrong type ({detail})")


class ToolMissingError(ReadError):
    def __init__(self, path: object, tool: str, install: str):
        super().__init__(path, f"needs {tool}, which is not installed ({install})")


class EncodingError(ReadError):
    def __init__(self, path: object, detail: str):
        super().__init__(path, f"unknown text encoding ({detail})")


class GraphError(MineralsError):
    """The reference graph cannot be built or written (no dataset, unknown format, unwritable output)."""

    stage = "graph"


class RegistryError(MineralsError):
    """A registry file (a table of known documents) is missing, unreadable or has no usable number column."""

    stage = "registry"


class OcrUnavailable(MineralsError):
    """Tesseract, or its model for the language, is not installed: a scan cannot be read."""

    stage = "read"


class MalformedNumber(MineralsError, ValueError):
    """A figure that is no number as Vietnamese prints it ("10.71,7", 40 digits). A ``ValueError`` too, so the
    table readers' ``except ValueError`` keeps passing over worded cells."""

    stage = "extract"


class DatasetError(MineralsError):
    """A dataset that is missing, damaged, of another version or locked, or a question it cannot answer."""

    stage = "dataset"


class NoDatasetError(DatasetError):
    """No dataset at ``path`` (the CLI adds how to make one)."""

    def __init__(self, path: object):
        self.path = str(path)
        super().__init__(f"{self.path}: no dataset here")


class DamagedDatasetError(DatasetError):
    """A committed part of the dataset at ``url`` is missing or unreadable (the CLI says how to repair it)."""

    def __init__(self, message: str, url: object):
        self.url = str(url)
        super().__init__(message)


class NotADatasetError(DatasetError):
    """A folder to write a dataset into that holds something else (the CLI names the option to change)."""


class DocumentTimeout(MineralsError):
    """A document still mining after its time limit: its ``errors`` row, and the run goes on."""

    stage = "extract"


class InvalidChoice(MineralsError):
    """A value a parameter does not take. ``param`` is the library's name for the parameter; the CLI prints its
    option's name instead ("--section 'x': valid values are …")."""

    def __init__(self, param: str, value: object, valid: Iterable[str] = (), reason: str | None = None):
        self.param, self.value, self.valid = param, value, tuple(valid)
        self.reason = reason or f"valid values are {', '.join(self.valid)}"
        super().__init__(f"{param} {value!r}: {self.reason}")


class MalformedDocNumber(MineralsError, ValueError):
    """A text that is no số hiệu at all (``DocNumber.parse``): empty, or neither figures nor a blank draft's "/"
    first."""

    stage = "extract"

    def __init__(self, printed: object, reason: str):
        self.printed, self.reason = printed, reason
        super().__init__(f"not a document number ({reason}): {printed!r}")
