"""The package as a user installs it (issue 18): a wheel built from this checkout, installed into a fresh venv,
extracts a seed, mines a folder and answers a query — the rules ship inside it (minerals/patterns/)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import CORPUS

ROOT = CORPUS.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(out)], check=True,
                   cwd=out, timeout=600)
    return next(out.glob("minerals-*.whl"))


def test_wheel_holds_every_rule_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {p.name for p in (ROOT / "patterns").iterdir() if p.is_file()}
    assert {f"minerals/patterns/{n}" for n in rules} <= names
    assert "minerals/data/registry.csv.gz" in names


def test_installed_wheel_extracts_mines_and_queries(wheel, tmp_path):
    base = shutil.which("python3.11") or sys.executable
    venv = tmp_path / "venv"
    # no PYTHONPATH: a checkout on it would make pip find minerals "already installed" (its egg-info) and skip it
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    subprocess.run([base, "-m", "venv", str(venv)], check=True, timeout=300, env=env)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, timeout=1800, cwd=tmp_path,
                   env=env)
    cli = str(venv / "bin" / "minerals")
    seeds = tmp_path / "in"
    seeds.mkdir()
    for p in sorted((CORPUS / "seeds").glob("*.txt")):
        shutil.copy(p, seeds)
    run = lambda *args: subprocess.run([cli, *args], check=True, capture_output=True, text=True, cwd=tmp_path,  # noqa: E731
                                       timeout=600, env=env).stdout
    doc = json.loads(run("extract", str(seeds / "001_1d392ddcd08d93c9.txt")))
    assert "20-CT/TW" in {c["number"] for c in doc["citations"]}
    assert "0 errors" in run("mine", str(seeds), "-o", str(tmp_path / "ds"))
    rows = json.loads(run("query", "cited-by", "20-CT/TW", "--dataset", str(tmp_path / "ds"), "--format", "json"))
    assert rows and {Path(r["document"]).name for r in rows} == {"001_1d392ddcd08d93c9.txt"}
