"""Targets, achievements and changes (issue 16): what is never one, the target gold by half, the query."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import minerals
from minerals import patterns
from minerals.cli import app
from minerals.extract.targets import _not_targets
from minerals.models import Document, Page

from .conftest import CORPUS

runner = CliRunner()


def _doc(text: str):
    return minerals.extract(minerals.clean(Document(path="x", sha256="", raw=text, pages=[Page(1, 0, len(text))])))


@pytest.mark.parametrize("example", patterns.load("targets")["not_targets"]["examples"], ids=lambda e: e[1])
def test_not_targets(example):
    text, figure = example
    at = text.index(figure)
    assert any(m.start() <= at < m.end() for m in _not_targets().finditer(text)), "the rule must cover the figure"
    assert not [t for t in _doc(text).targets if t.start <= at < t.end]


def test_query_targets(tmp_path):
    from minerals.dataset import mine

    mine(CORPUS / "seeds", tmp_path / "ds", workers=1)
    r = runner.invoke(app, ["query", "targets", "--kind", "achievement", "--dataset", str(tmp_path / "ds"), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows and {x["kind"] for x in rows} == {"achievement"}
    assert {"document", "indicator", "actual", "planned", "percent", "section", "text"} <= set(rows[0])
    r = runner.invoke(app, ["query", "targets", "--deadline", "2030", "--dataset", str(tmp_path / "ds"), "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("document,")
    r = runner.invoke(app, ["query", "targets", "--kind", "goal", "--dataset", str(tmp_path / "ds")])
    assert r.exit_code == 1 and "valid values are target, achievement, change" in r.output


@pytest.mark.parametrize("example", patterns.load("targets")["goal_scope"]["examples"], ids=lambda e: e[0][:20])
def test_goal_scope_examples(example):
    text, want = example
    got = [[t.value, t.deadline] for t in _doc(text).targets if t.kind == "target"]
    assert got == want


@pytest.mark.parametrize("example", patterns.load("targets")["goal_clause"]["examples"], ids=lambda e: e[0][:20])
def test_goal_clause_examples(example):
    text, want = example
    assert [[t.value, t.deadline] for t in _doc(text).targets if t.kind == "target"] == want


@pytest.mark.parametrize("example", patterns.load("targets")["indicator"]["examples"], ids=lambda e: e[1][:20])
def test_indicator_examples(example):
    from minerals.extract.quantities import get_quantities
    from minerals.extract.targets import target_indicator

    text, want = example
    doc = minerals.clean(Document(path="x", sha256="", raw=text, pages=[Page(1, 0, len(text))]))
    q = next(q for q in get_quantities(doc) if q.value != 2030)
    assert target_indicator(doc.text, 0, q, len(doc.text)) == want


@pytest.fixture(scope="module")
def target_scores():
    from minerals.evaluate import evaluate_targets

    return evaluate_targets(CORPUS)[0]


def test_target_gold_halves(target_scores):
    """The target gold (corpus/gold/targets), read by hand; rules were written on the tuning half only. The
    floors sit just under today's figures, so a change that loses ground fails."""
    assert set(target_scores) == {"tuning", "held-out"}
    assert target_scores["tuning"]["all"].n_gold >= 280 and target_scores["held-out"]["all"].n_gold >= 115
    assert target_scores["tuning"]["all"].f1 >= 0.60
    assert target_scores["held-out"]["all"].f1 >= 0.14  # the figure that counts: still weak (issue 16)
    assert target_scores["held-out"]["achievement"].f1 >= 0.40


def test_table_quantities_gold():
    """Cells of real tables (corpus/gold/tables): recall of value and unit. Weak where a thuvienphapluat page
    prints a table one cell per line (d600829aa1fa6596): the column headers are lost before extraction."""
    from minerals.evaluate import evaluate_tables

    total, per_doc = evaluate_tables(CORPUS)
    assert total.n_gold >= 200 and total.recall >= 0.40, total
    assert {r.doc for r in per_doc} >= {"d600829aa1fa6596", "a6fb1f372de14a1e"}


def test_plan_result_table_rows_are_achievements():
    """The Word copy of seed 004 prints its results as a table '| Chỉ tiêu | Kế hoạch | Thực hiện |'."""
    for text, want in patterns.load("targets")["plan_result_table"]["examples"]:
        got = [[t.actual, t.planned, t.unit] for t in _doc(text).targets if t.kind == "achievement"]
        assert got == want
    doc = minerals.process(CORPUS / "office" / "004_51401b993265fa13_seed.docx")
    rows = {(t.indicator, t.actual, t.planned, t.unit) for t in doc.targets if t.kind == "achievement"}
    assert ("Số lao động xuất cảnh", 2, 5, "người") in rows and ("Số xã tổ chức tuyên truyền", 19, 19, "xã") in rows


@pytest.mark.parametrize("example", patterns.load("targets")["year_table"]["examples"], ids=lambda e: "year table")
def test_year_table_cells_are_targets(example):
    text, want = example
    assert [[t.value, t.unit, t.deadline] for t in _doc(text).targets if t.kind == "target"] == want
