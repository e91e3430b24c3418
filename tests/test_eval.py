"""The gold set: scores that must not drop."""

from __future__ import annotations

import json

import pytest

from minerals.evaluate import evaluate, load_gold


@pytest.fixture(scope="module")
def scores(corpus):
    return evaluate(corpus)


def test_gold_covers_seeds_and_twelve_realdocs(corpus):
    gold = load_gold(corpus / "gold")
    seeds = [g for g in gold if (corpus / "seeds" / (g["doc"] + ".txt")).exists()]
    assert len(seeds) == 5 and len(gold) - len(seeds) >= 12
    blind_texts = {"001", "002", "003", "009", "010", "012", "015", "016", "018", "020", "023", "024", "027", "029", "030", "032"}
    blind_pdfs = {"003", "005", "011", "013", "014", "015"}
    texts = [p.name[:3] for p in (corpus / "realdocs").iterdir()]
    pdfs = [p.name[:3] for p in (corpus / "pdfs").iterdir()]
    assert not set(texts) & blind_texts and not set(pdfs) & blind_pdfs


def test_citation_f1_on_gold(scores):
    totals, _ = scores
    assert totals["citation"].f1 >= 0.95, totals["citation"]


def test_type_and_date_of_citations(scores):
    totals, _ = scores
    assert totals["doc_type"].f1 >= 0.95
    assert totals["date"].f1 >= 0.92  # 0.93 counted the site notice's 13/2023/NĐ-CP on four pages (dropped as furniture)


def test_gold_files_are_valid(corpus):
    for path in (corpus / "gold").glob("*.json"):
        g = json.loads(path.read_text(encoding="utf-8"))
        numbers = [c["number"] for c in g["citations"]]
        assert len(numbers) == len(set(numbers)), path
        assert g["own_number"] not in numbers, path


def test_date_f1_on_gold(scores):
    totals, _ = scores
    assert totals["date_mention"].f1 >= 0.95, totals["date_mention"]


def test_quantity_f1_on_gold(scores):
    totals, results = scores
    assert totals["quantity"].f1 >= 0.85, totals["quantity"]
    assert sum(1 for r in results if "quantity" in r.scores) >= 9  # five seeds and four realdocs


def test_targets_of_the_seeds(scores):
    """Every target and achievement sentence of the seeds (gold 'targets'), with its numbers."""
    totals, results = scores
    assert sum(1 for r in results if "target" in r.scores) == 5
    assert totals["target"].recall >= 0.9, totals["target"]
    assert totals["target"].f1 >= 0.8, totals["target"]


def test_document_metadata_on_gold(scores):
    """number, type, issuer, date, signer: ≥ 0.95 field accuracy together."""
    totals, _ = scores
    fields = ("doc_number", "doc_doc_type", "doc_issuer", "doc_issue_date", "doc_signer")
    right = sum(totals[f].tp for f in fields)
    assert right / sum(totals[f].n_gold for f in fields) >= 0.95


def test_citation_issuer_where_the_text_names_one(scores):
    totals, _ = scores
    assert totals["issuer_named"].recall >= 0.90


def test_entities_on_gold(scores):
    """Measured 0.85 F1 (README); the guard leaves a little room for rule changes."""
    totals, _ = scores
    assert totals["entity"].f1 >= 0.83
