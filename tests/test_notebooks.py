"""The notebooks in notebooks/ run top to bottom on the mined corpus seeds, so they never rot (pdfplumber runs
its examples the same way). A cell that raises fails the test; the outputs are checked against the tables."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import minerals
from minerals.graph import build_graph

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"


def _run(name: str, cwd, env: dict) -> nbformat.NotebookNode:
    """Execute a notebook in ``cwd`` with a kernel of this interpreter, ``env`` added to its environment."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def _outputs(nb, tag: str) -> list:
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, f"no single cell tagged {tag}"
    return cells[0].outputs


def _text(outputs) -> str:
    return "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs)


def _images(nb) -> int:
    return sum(1 for c in nb.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {}))


@pytest.fixture(scope="module")
def env(mined_seeds, tmp_path_factory) -> dict:
    # the kernel imports minerals from this checkout (the installed one may be another worktree's)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {"MINERALS_DATASET": str(mined_seeds), "PYTHONPATH": path,
            "MINERALS_EXPORT": str(tmp_path_factory.mktemp("nb-export")), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def test_notebooks_are_committed_without_outputs():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code"), path


def test_explore_dataset(env, mined_seeds, tmp_path):
    nb = _run("explore_dataset.ipynb", tmp_path, env)
    tables = minerals.open_dataset(mined_seeds)
    rows = " ".join(_text(_outputs(nb, "tables")).split())
    assert f"citations {len(tables['citations'])} named_laws {len(tables['named_laws'])}" in rows, rows
    by_type = tables["citations"]["doc_type"].value_counts()
    text = " ".join(_text(_outputs(nb, "by_type")).split())
    for doc_type in ("Kế hoạch", "Chỉ thị"):
        assert f"{doc_type} {by_type[doc_type]}" in text, text
    assert "money" in _text(_outputs(nb, "quantities")) and "count" in _text(_outputs(nb, "quantities"))
    assert _images(nb) >= 3


def test_explore_graph(env, mined_seeds, tmp_path):
    nb = _run("explore_graph.ipynb", tmp_path, env)
    g = build_graph(mined_seeds)
    summary = _text(_outputs(nb, "summary"))
    assert f"nodes={g.number_of_nodes()}" in summary and f"edges={g.number_of_edges()}" in summary
    assert "20-CT/TW" in _text(_outputs(nb, "most_cited"))
    around = _text(_outputs(nb, "around"))
    assert "around 001_1d392ddc, 004_51401b99" in around, around
    assert any("image/png" in o.get("data", {}) for o in _outputs(nb, "around"))
    html = Path(env["MINERALS_EXPORT"]) / "graph.html"
    assert html.exists() and "20-CT/TW" in html.read_text(encoding="utf-8")
    assert _images(nb) >= 2


def test_kernel_is_this_interpreter():
    """nbclient starts the python3 kernel of the interpreter running the tests (ipykernel's own spec)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[0] in (sys.executable, "python", "python3") or os.path.samefile(spec.argv[0], sys.executable)
