from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def corpus_file(stem_prefix: str, suffix: str = ".txt") -> Path:
    hits = sorted(p for p in CORPUS.rglob(stem_prefix + "*" + suffix) if "gold" not in p.parts)
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


@pytest.fixture(scope="session")
def mined_seeds(tmp_path_factory, _ocr_cache) -> Path:
    """corpus/seeds mined once per session into a dataset folder (``minerals mine corpus/seeds``)."""
    from minerals.dataset import mine

    out = tmp_path_factory.mktemp("mined-seeds") / "dataset"
    mine(CORPUS / "seeds", out, workers=2)
    return out


@pytest.fixture(scope="session")
def tables(mined_seeds) -> dict:
    """The tables of the mined seeds (``minerals.open_dataset``); tests copy before they change a frame."""
    import minerals

    return minerals.open_dataset(mined_seeds)


@pytest.fixture(scope="session")
def graph(tables):
    """The legal-reference graph of the mined seeds, built once for the graph, analyses and html tests."""
    from minerals.graph import build_graph

    return build_graph(tables)


@pytest.fixture(scope="session", autouse=True)
def _ocr_cache(tmp_path_factory):
    """A fresh OCR cache per test run: CI runs real Tesseract, the tests of one run share its pages."""
    import os

    old = os.environ.get("MINERALS_CACHE")
    os.environ["MINERALS_CACHE"] = str(tmp_path_factory.mktemp("minerals-cache"))
    yield
    if old is None:
        os.environ.pop("MINERALS_CACHE", None)
    else:
        os.environ["MINERALS_CACHE"] = old


def scan_texts() -> list[str]:
    """Odd strings and every corpus text: what a fast path and the whole scan it replaces must agree on."""
    from pathlib import Path

    texts = ["", "1", "a1", "x 12 ab1 3.000.000 đồng, 45%, 12/2020, 1,5 và 7", "số 03/2021 ngày 5 ", "tháng12.",
             "Luật Luật sửa đổi Bộ luật Hình sự, Pháp lệnh x Hiến pháp", "\U00010D45 12 \U0001F600 3"]
    return texts + [p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.parent.glob("corpus/**/*.txt"))]
