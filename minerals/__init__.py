"""minerals: mine Vietnamese administrative documents into a structured dataset.

The pipeline, one verb per stage, one ``Document`` through all of them::

    doc = minerals.read("report.txt")      # file → Document (raw text, pages)
    minerals.clean(doc)                    # → doc.text, with an offset map back to doc.raw
    minerals.extract(doc)                  # → doc.info, doc.citations, doc.named_laws
    doc.to_dict()                          # the JSON contract of `minerals extract`

or all at once: ``minerals.process("report.txt")``; over an archive, ``minerals mine`` → ``open_dataset`` →
``build_graph`` (the legal-reference graph, titles and dates of cited documents from ``load_registry()``).
"""

from __future__ import annotations

from pathlib import Path

from .clean import clean, clean_text
from .errors import MineralsError, ReadError
from .extract import canonical_id, extract, get_citations, get_named_laws, normalize_number
from .graph import build_graph
from .models import Citation, Document, NamedLaw
from .readers import read
from .registry import load_registry


def open_dataset(path: str | Path) -> dict:
    """The tables of a mined dataset (``minerals mine``) as pandas DataFrames, by name (docs/dataset.md, Schema:
    ``documents`` one row per document, ``files`` one per path, the item tables, ``errors``); ``path`` is a
    folder or an fsspec URL (``s3://bucket/dataset``, needs the store's driver, e.g. s3fs)."""
    from .dataset import open_dataset as _open

    return _open(path)

def check(dataset, kinds=None, registry="default") -> list:
    """Citation checks over a mined dataset (the tables of ``open_dataset``, or its path): a list of
    ``minerals.checks.CitationWarning``, each with its evidence; ``registry`` as in ``build_graph``."""
    from .checks import check as _check

    return _check(dataset, kinds, registry=registry)


__version__ = "0.1.0"


def process(path: str | Path, **read_options) -> Document:
    """read → clean → extract."""
    return extract(clean(read(path, **read_options)))


__all__ = [
    "Citation", "Document", "MineralsError", "NamedLaw", "ReadError",
    "build_graph", "canonical_id", "check", "clean", "clean_text", "extract", "get_citations", "get_named_laws",
    "load_registry", "normalize_number", "open_dataset", "process", "read",
]
