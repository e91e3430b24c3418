from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def corpus_file(stem_prefix: str) -> Path:
    hits = sorted(p for p in CORPUS.rglob(stem_prefix + "*") if "gold" not in p.parts)
    assert hits, f"no corpus file starts with {stem_prefix}"
    return hits[0]


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def processed():
    """Every corpus document through the pipeline once per session."""
    import minerals
    from minerals.dataset import walk

    return {p.stem: minerals.process(p) for p in walk(CORPUS)}
