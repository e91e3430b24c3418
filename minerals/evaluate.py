"""Scores against ``corpus/gold/``: precision, recall and F1 per field (DESIGN.md, "Gold and evaluation")."""

from __future__ import annotations

import bisect
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import regex

from . import patterns
from .errors import GoldError
from .docnumber import canonical_id
from .models import Document

SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".doc")


@dataclass
class Score:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold


@dataclass
class DocResult:
    doc: str
    scores: dict[str, Score]
    errors: dict[str, list[str]] = field(default_factory=dict)


def load_gold(gold_dir: Path) -> list[dict]:
    files = sorted(Path(gold_dir).glob("*.json"))
    if not files:
        raise GoldError(f"no gold files (*.json) in {gold_dir}")
    out = []
    for f in files:
        try:
            g = json.loads(f.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise GoldError(f"{f}: not valid JSON ({err})") from err
        if "doc" not in g or "citations" not in g:
            raise GoldError(f"{f}: missing 'doc' or 'citations'")
        out.append(g)
    return out


def find_document(corpus: Path, stem: str) -> Path:
    for suffix in SUFFIXES:
        hits = sorted(p for p in Path(corpus).rglob(stem + suffix) if "gold" not in p.parts)
        if hits:
            return hits[0]
    raise GoldError(f"gold names document {stem!r} but no such file is under {corpus}")


def _issuer_key(s: str | None) -> str | None:
    return " ".join(patterns.fold(s).replace("-", " ").replace(",", " ").split()) if s else None


def cited_documents(doc: Document) -> dict[str, dict]:
    """One row per cited id: type from the first full mention, date and issuer from the first that prints them."""
    out: dict[str, dict] = {}
    for c in sorted(doc.citations, key=lambda c: (c.short_form, c.start)):
        key = canonical_id(c.number)  # gold knows numbers, not jurisdictions
        row = out.setdefault(key, {"doc_type": c.doc_type, "date": None, "issuer": None, "number": c.number})
        row["date"] = row["date"] or c.date
        if c.issuer and (row["issuer"] is None or (row["issuer"].isupper() and not c.issuer.isupper())):
            row["issuer"] = c.issuer
    return out


def _match(pred: dict[str, object], gold: dict[str, object], eq: Callable[[object, object], bool] = lambda a, b: a == b) -> tuple[Score, list[str]]:
    s = Score(n_pred=len(pred), n_gold=len(gold))
    errs = []
    for k, g in gold.items():
        if k in pred and eq(pred[k], g):
            s.tp += 1
        elif k in pred:
            errs.append(f"{k}: got {pred[k]!r}, gold {g!r}")
    return s, errs


def score_document(doc: Document, gold: dict) -> DocResult:
    pred = cited_documents(doc)
    gold_c = {canonical_id(c["number"]): c for c in gold["citations"]}
    scores: dict[str, Score] = {}
    errors: dict[str, list[str]] = {}
    s = Score(tp=len(pred.keys() & gold_c.keys()), n_pred=len(pred), n_gold=len(gold_c))
    scores["citation"] = s
    errors["citation"] = [f"missed {k}" for k in sorted(gold_c.keys() - pred.keys())] + [
        f"spurious {k}" for k in sorted(pred.keys() - gold_c.keys())
    ]
    for fld, key in (("doc_type", None), ("date", None), ("issuer", _issuer_key)):
        norm = key or (lambda v: v)
        p = {k: norm(v[fld]) for k, v in pred.items()}
        g = {k: norm(v.get(fld)) for k, v in gold_c.items()}
        scores[fld], errors[fld] = _match(p, g)
    # issuer accuracy where the text names one (issue 5): matched citations whose gold issuer is printed
    named = [k for k, v in gold_c.items() if v.get("issuer") and k in pred]
    scores["issuer_named"] = Score(tp=sum(_issuer_key(pred[k]["issuer"]) == _issuer_key(gold_c[k]["issuer"]) for k in named),
                                   n_pred=len(named), n_gold=len(named))
    # named laws: by folded name and year
    pl = {(patterns.fold(n.name), n.year) for n in doc.named_laws}
    gl = {(patterns.fold(n["name"]), n.get("year")) for n in gold.get("named_laws") or []}
    # a yearless mention of a law the document also names with a year is the same law (gold README)
    pl = {(n, y) for n, y in pl if y is not None or not any(n == n2 and y2 is not None for n2, y2 in pl)}
    scores["named_law"] = Score(tp=len(pl & gl), n_pred=len(pl), n_gold=len(gl))
    errors["named_law"] = [f"missed {x}" for x in sorted(gl - pl, key=str)] + [f"spurious {x}" for x in sorted(pl - gl, key=str)]
    if gold.get("dates") is not None:
        pd_ = {d.value for d in doc.dates if d.precision == "day" and d.value}
        gd = set(gold["dates"])
        scores["date_mention"] = Score(tp=len(pd_ & gd), n_pred=len(pd_), n_gold=len(gd))
        errors["date_mention"] = [f"missed {x}" for x in sorted(gd - pd_)] + [f"spurious {x}" for x in sorted(pd_ - gd)]
    if gold.get("quantities") is not None:
        scores["quantity"], errors["quantity"] = _match_quantities(doc.quantities, gold["quantities"])
    if gold.get("targets") is not None:
        scores["target"], errors["target"] = _match_targets(doc.targets, gold["targets"])
    if gold.get("entities") is not None:
        by_label, errors["entity"] = _score_entities(doc, gold["entities"])
        scores["entity"] = by_label.pop("entity")
        scores.update({f"entity_{label}": sc for label, sc in by_label.items()})
    if gold.get("document") is not None:
        for fld in DOC_FIELDS:
            got, want = getattr(doc.info, fld), gold["document"].get(fld)
            ok = _doc_key(fld, got) == _doc_key(fld, want)
            scores[f"doc_{fld}"] = Score(tp=int(ok), n_pred=1, n_gold=1)
            if not ok:
                errors.setdefault("document", []).append(f"{fld}: got {got!r}, gold {want!r}")
    own_ok = (doc.info.number or None) == (gold.get("own_number") or None)
    scores["own_number"] = Score(tp=int(own_ok), n_pred=1, n_gold=1)
    if not own_ok:
        errors["own_number"] = [f"got {doc.info.number!r}, gold {gold.get('own_number')!r}"]
    return DocResult(gold["doc"], scores, errors)


DOC_FIELDS = ("doc_type", "number", "issuer", "issue_date", "signer", "title", "place", "signer_title")


def _doc_key(fld: str, value) -> object:
    if not value:
        return None
    if fld == "issuer":
        from .names import normalize_entity

        value = normalize_entity(value, "ORG")
    if isinstance(value, str):
        return " ".join(patterns.fold(value).replace("–", "-").strip(" .;:\"“”").split())
    return value


def _score_entities(doc: Document, gold: list[dict]) -> tuple[dict[str, Score], list[str]]:
    """Distinct (label, folded text) entities against the gold's: a Score per label and for all ("entity"),
    and the misses."""
    pe = {(e.label, _entity_key(e.text)) for e in doc.entities}
    ge = {(e["label"], _entity_key(e["text"])) for e in gold}
    scores = {label: Score(tp=len({x for x in pe if x[0] == label} & {x for x in ge if x[0] == label}),
                           n_pred=sum(x[0] == label for x in pe), n_gold=sum(x[0] == label for x in ge))
              for label in ("ORG", "LOC", "PER")}
    scores["entity"] = Score(tp=len(pe & ge), n_pred=len(pe), n_gold=len(ge))
    return scores, [f"missed {x}" for x in sorted(ge - pe)] + [f"spurious {x}" for x in sorted(pe - ge)]


def _entity_key(text: str) -> str:
    return " ".join(patterns.fold(text).replace("–", "-").split())


def _unit_key(u: str | None) -> str:
    return patterns.fold(u) if u else ""


def _same_unit(a: str | None, b: str | None) -> bool:
    """Units agree when equal, or when one is the other's first words ("người" ~ "người học")."""
    a, b = _unit_key(a), _unit_key(b)
    return a == b or (bool(a) and bool(b) and (a.startswith(b + " ") or b.startswith(a + " ")))


def _match_quantities(pred, gold: list[dict]) -> tuple[Score, list[str]]:
    """A quantity is right when its value, its ratio base and its unit are all right (multiset match)."""
    free = list(pred)
    tp = 0
    errs = []
    for g in gold:
        hit = next((p for p in free if _num_eq(p.value, g["value"]) and _num_eq(p.of, g.get("of"))
                    and _same_unit(p.unit, g.get("unit"))), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
        else:
            errs.append(f"missed {g['value']} of={g.get('of')} {g.get('unit')!r} ({g.get('kind')})")
    errs += [f"spurious {p.text!r} = {p.value} of={p.of} {p.unit!r} ({p.kind})" for p in free]
    return Score(tp=tp, n_pred=len(pred), n_gold=len(gold)), errs


_TARGET_NUMBERS = ("value", "value_max", "deadline", "actual", "planned", "percent", "from", "to")


def _match_targets(pred, gold: list[dict], pairs: list | None = None) -> tuple[Score, list[str]]:
    """A target is right when its kind and every number it carries match (indicator wording is not scored);
    ``pairs`` collects the (gold, predicted) pairs matched."""
    free = list(pred)
    tp = 0
    errs = []
    for g in gold:
        hit = next((p for p in free if p.kind == g["kind"] and all(
            _num_eq(getattr(p, "from_" if k == "from" else k), g.get(k)) for k in _TARGET_NUMBERS)), None)
        if hit is not None:
            free.remove(hit)
            tp += 1
            if pairs is not None:
                pairs.append((g, hit))
        else:
            errs.append("missed " + str({k: v for k, v in g.items() if v is not None and k != "indicator"}))
    errs += [f"spurious {p.kind} {p.text!r} " + str({k: getattr(p, 'from_' if k == 'from' else k) for k in _TARGET_NUMBERS
                                                   if getattr(p, 'from_' if k == 'from' else k) is not None}) for p in free]
    return Score(tp=tp, n_pred=len(pred), n_gold=len(gold)), errs


def _num_eq(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6 * max(1.0, abs(float(b)))


FIELDS = ("citation", "doc_type", "date", "issuer", "issuer_named", "named_law", "own_number", "date_mention", "quantity", "target", "entity", "entity_ORG", "entity_LOC", "entity_PER",
          *(f"doc_{f}" for f in ("doc_type", "number", "issuer", "issue_date", "signer", "title", "place", "signer_title")))


def evaluate(corpus: Path, gold_dir: Path | None = None, process: Callable[[Path], Document] | None = None) -> tuple[dict[str, Score], list[DocResult]]:
    """Score every gold document; returns the totals per field and the per-document results."""
    from . import process as default_process

    corpus = Path(corpus)
    gold_dir = Path(gold_dir) if gold_dir else corpus / "gold"
    run = process or default_process
    totals = {f: Score() for f in FIELDS}
    results = []
    for gold in load_gold(gold_dir):
        doc = run(find_document(corpus, gold["doc"]))
        r = score_document(doc, gold)
        for f, s in r.scores.items():
            totals[f].add(s)
        results.append(r)
    return totals, results


def format_report(totals: dict[str, Score], results: Iterable[DocResult], verbose: bool = False) -> str:
    lines = [f"{'field':<12} {'P':>6} {'R':>6} {'F1':>6}   (tp/pred/gold)"]
    for f, s in totals.items():
        lines.append(f"{f:<12} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}   ({s.tp}/{s.n_pred}/{s.n_gold})")
    if verbose:
        for r in results:
            errs = [f"  {f}: {e}" for f, es in r.errors.items() for e in es]
            if errs:
                lines.append(f"\n{r.doc}")
                lines.extend(errs)
    return "\n".join(lines)


# --- document gold: the header fields and the document's bounds, by half (corpus/gold/documents) -------------
PAGE_FIELDS = (*DOC_FIELDS, "issuer_parent", "bounds")


def load_document_gold(gold_dir: Path) -> tuple[list[dict], dict[str, str]]:
    """The page gold of ``gold_dir`` (one JSON per page) and its fixed split (``split.tsv``: doc → half)."""
    gold_dir = Path(gold_dir)
    split_file = gold_dir / "split.tsv"
    if not split_file.exists():
        raise GoldError(f"{gold_dir}: no split.tsv (doc<TAB>half: tuning or held-out)")
    rows = [ln.split("\t") for ln in split_file.read_text(encoding="utf-8").splitlines()[1:] if ln.strip()]
    split = {r[0]: r[1] for r in rows if len(r) >= 2}
    out = []
    for f in sorted(gold_dir.glob("*.json")):
        try:
            out.append(json.loads(f.read_text(encoding="utf-8")))
        except json.JSONDecodeError as err:
            raise GoldError(f"{f}: not valid JSON ({err})") from err
    return out, split


def _alnum_map(text: str) -> tuple[str, list[int]]:
    idx = [i for i, ch in enumerate(text) if ch.isalnum()]
    return "".join(text[i].lower() for i in idx), idx


def _bounds_ok(doc: Document, gold: dict) -> bool:
    """The document found where the gold says: no letter or digit between the gold's first line and the
    layout's start, nor between the gold's last line and its end (a page with no document: an empty span)."""
    lay = doc.layout
    text = doc.text or ""
    if gold["bounds"]["first_line"] is None:
        return lay is not None and lay.start == lay.end
    s, idx = _alnum_map(text)
    key = lambda line: "".join(c.lower() for c in unicodedata.normalize("NFC", line) if c.isalnum())[:30]  # noqa: E731
    first, last = key(gold["bounds"]["first_line"]), key(gold["bounds"]["last_line"])
    start = bisect.bisect_left(idx, lay.start)
    end = bisect.bisect_left(idx, lay.end)
    at = s.rfind(last, start, end)
    if not s.startswith(first, start) or at < 0:
        return False
    # the gold gives the last line's first characters: the document ends on that line (the cleaner's reflow
    # may have joined the lines of a paragraph, so: no line of the page after it that starts with a letter)
    return not regex.search(r"\n[^\S\n]*\w", text[idx[at] : lay.end])


def _split_gold(corpus: Path, gold_dir: Path, process: Callable[[Path], Document] | None):
    """(half, gold, mined document) for each gold file of a split gold folder."""
    from . import process as default_process

    run = process or default_process
    golds, split = load_document_gold(gold_dir)
    for gold in golds:
        yield split.get(gold["doc"], "unsplit"), gold, run(find_document(corpus, gold["doc"]))


def evaluate_documents(corpus: Path, gold_dir: Path | None = None,
                       process: Callable[[Path], Document] | None = None) -> tuple[dict[str, dict[str, Score]], list[DocResult]]:
    """Score the page gold: per half (tuning, held-out), per field, right or wrong."""
    corpus = Path(corpus)
    totals: dict[str, dict[str, Score]] = {}
    results = []
    for half, gold, doc in _split_gold(corpus, Path(gold_dir) if gold_dir else corpus / "gold" / "documents", process):
        scores, errors = {}, []
        for fld in PAGE_FIELDS:
            if fld == "bounds":
                ok = _bounds_ok(doc, gold)
                got, want = (doc.layout.start, doc.layout.end), gold["bounds"]
            else:
                got, want = getattr(doc.info, fld), gold["document"].get(fld)
                ok = _doc_key(fld, got) == _doc_key(fld, want)
            scores[fld] = Score(tp=int(ok), n_pred=1, n_gold=1)
            if not ok:
                errors.append(f"{fld}: got {got!r}, gold {want!r}")
            totals.setdefault(half, {f: Score() for f in PAGE_FIELDS})[fld].add(scores[fld])
        results.append(DocResult(f"{gold['doc']} ({half})", scores, {"document": errors}))
    return totals, results


def _halves(totals: dict[str, dict[str, Score]]) -> list[str]:
    """The halves of a split gold in report order: tuning, held-out, then any other."""
    return [h for h in ("tuning", "held-out") if h in totals] + sorted(set(totals) - {"tuning", "held-out"})


def _misses(results: Iterable[DocResult], key: str) -> list[str]:
    """Each document's misses of one kind, for --verbose."""
    lines = []
    for r in results:
        if r.errors.get(key):
            lines.append(f"\n{r.doc}")
            lines.extend(f"  {e}" for e in r.errors[key])
    return lines


def format_document_report(totals: dict[str, dict[str, Score]], results: Iterable[DocResult] = (),
                           verbose: bool = False) -> str:
    halves = _halves(totals)
    lines = [f"{'page field':<14} " + " ".join(f"{h:>14}" for h in halves)]
    for f in PAGE_FIELDS:
        lines.append(f"{f:<14} " + " ".join(
            f"{totals[h][f].recall:6.3f} ({totals[h][f].tp:>2}/{totals[h][f].n_gold:>2})" for h in halves))
    if verbose:
        lines += _misses(results, "document")
    return "\n".join(lines)


# --- target gold, by half (corpus/gold/targets) -----------------------------------------------------------
TARGET_KINDS = ("target", "achievement", "change")


def _indicator_key(s: str | None) -> str:
    return " ".join(patterns.fold(s or "").replace("-", " ").strip(" .,;:").split())


def evaluate_targets(corpus: Path, gold_dir: Path | None = None,
                     process: Callable[[Path], Document] | None = None) -> tuple[dict[str, dict[str, Score]], list[DocResult]]:
    """Score the target gold per half and per kind: a target is right when its kind and every number it carries
    match (``_match_targets``); ``indicator`` counts the matched ones whose indicator is the gold's phrase."""
    corpus = Path(corpus)
    totals: dict[str, dict[str, Score]] = {}
    results = []
    for half, gold, doc in _split_gold(corpus, Path(gold_dir) if gold_dir else corpus / "gold" / "targets", process):
        t = totals.setdefault(half, {k: Score() for k in (*TARGET_KINDS, "all", "indicator")})
        errors, pairs = [], []
        for kind in TARGET_KINDS:
            pred = [p for p in doc.targets if p.kind == kind]
            want = [g for g in gold["targets"] if g["kind"] == kind]
            score, errs = _match_targets(pred, want, pairs)
            t[kind].add(score)
            t["all"].add(score)
            errors += errs
        # indicators of the right targets: the phrase the gold gives, folded
        for g, hit in pairs:
            ok = _indicator_key(hit.indicator) == _indicator_key(g.get("indicator"))
            t["indicator"].add(Score(tp=int(ok), n_pred=1, n_gold=1))
        results.append(DocResult(f"{gold['doc']} ({half})", {}, {"target": errors}))
    return totals, results


def format_target_report(totals: dict[str, dict[str, Score]], results: Iterable[DocResult] = (),
                         verbose: bool = False) -> str:
    halves = _halves(totals)
    lines = [f"{'targets':<12} " + " ".join(f"{h + ' P/R/F1 (tp/pred/gold)':>34}" for h in halves)]
    for k in (*TARGET_KINDS, "all"):
        lines.append(f"{k:<12} " + " ".join(
            f"{totals[h][k].precision:.2f} {totals[h][k].recall:.2f} {totals[h][k].f1:.2f} "
            f"({totals[h][k].tp}/{totals[h][k].n_pred}/{totals[h][k].n_gold})".rjust(34) for h in halves))
    lines.append(f"{'indicator':<12} " + " ".join(
        f"{totals[h]['indicator'].recall:.2f} of right targets ({totals[h]['indicator'].tp}/{totals[h]['indicator'].n_gold})".rjust(34)
        for h in halves))
    if verbose:
        lines += _misses(results, "target")
    return "\n".join(lines)


# --- table gold: the quantities of a document's tables (corpus/gold/tables) -------------------------------
def evaluate_tables(corpus: Path, gold_dir: Path | None = None,
                    process: Callable[[Path], Document] | None = None) -> tuple[Score, list[DocResult]]:
    """Recall of the table gold: each gold cell quantity found among the document's quantities (value, base and
    unit right). The gold lists table cells only, so the document's other quantities are no false positives and
    precision is not scored."""
    from . import process as default_process

    corpus = Path(corpus)
    gold_dir = Path(gold_dir) if gold_dir else corpus / "gold" / "tables"
    run = process or default_process
    total = Score()
    results = []
    for f in sorted(gold_dir.glob("*.json")):
        gold = json.loads(f.read_text(encoding="utf-8"))
        doc = run(find_document(corpus, gold["doc"]))
        s, errs = _match_quantities(doc.quantities, gold["quantities"])
        s = Score(tp=s.tp, n_pred=s.tp, n_gold=s.n_gold)
        total.add(s)
        results.append(DocResult(gold["doc"], {"table_quantity": s}, {"table_quantity": [e for e in errs if e.startswith("missed")]}))
    return total, results


# --- relation gold: the citing document's relation to each citation, and edges between cited documents ---
RELATIONS = ("căn cứ", "thực hiện", "triển khai", "sửa đổi, bổ sung", "thay thế", "bãi bỏ", "hướng dẫn", "tổng kết", "theo")


def evaluate_relations(corpus: Path, gold_dir: Path | None = None,
                       process: Callable[[Path], Document] | None = None) -> tuple[dict[str, dict[str, Score]], list[DocResult]]:
    """Score ``corpus/gold/relations`` per half: each gold citation is paired, in order, with the next mined
    citation of the same id; per relation value, a pair is right when the mined relation is the gold's
    (``null`` counts as a value: a citation that is only another's). Edges between cited documents
    (``acts_on``) are scored as a set of (source, target, relation)."""
    corpus = Path(corpus)
    totals: dict[str, dict[str, Score]] = {}
    results = []
    for half, gold, doc in _split_gold(corpus, Path(gold_dir) if gold_dir else corpus / "gold" / "relations", process):
        t = totals.setdefault(half, {k: Score() for k in (*RELATIONS, "none", "all", "found", "edges")})
        errors = []
        # the mined citations by local-free id ("126/KH-UBND@tỉnh X" → "126/KH-UBND"), in order
        mined = [(c.id.split("@")[0], c) for c in doc.citations if not c.short_form]
        used: set[int] = set()
        for g in gold["citations"]:
            gid = canonical_id(g["number"])
            want = g.get("relation") or "none"
            hit = next((i for i, (cid, _) in enumerate(mined) if i not in used and cid == gid), None)
            t["found"].add(Score(tp=int(hit is not None), n_pred=1, n_gold=1))
            if hit is None:
                t[want].add(Score(n_gold=1))
                t["all"].add(Score(n_gold=1))
                errors.append(f"not found {g['number']}")
                continue
            used.add(hit)
            got = mined[hit][1].relation or "none"
            ok = got == want
            t[want].add(Score(tp=int(ok), n_gold=1))
            t[got].add(Score(n_pred=1))
            t["all"].add(Score(tp=int(ok), n_pred=1, n_gold=1))
            if not ok:
                errors.append(f"{g['number']}: {got!r}, gold {want!r}")
        pred_edges = {(c.id.split("@")[0], c.acts_on.split("@")[0], c.acts_as) for c in doc.citations if c.acts_on}
        gold_edges = {(canonical_id(e["source"]), canonical_id(e["target"]), e["relation"]) for e in gold.get("edges") or []}
        t["edges"].add(Score(tp=len(pred_edges & gold_edges), n_pred=len(pred_edges), n_gold=len(gold_edges)))
        errors += [f"edge missed {e}" for e in gold_edges - pred_edges] + [f"edge spurious {e}" for e in pred_edges - gold_edges]
        results.append(DocResult(f"{gold['doc']} ({half})", {}, {"relation": errors}))
    return totals, results


def format_relation_report(totals: dict[str, dict[str, Score]], results: Iterable[DocResult] = (),
                           verbose: bool = False) -> str:
    halves = _halves(totals)
    lines = [f"{'relations':<18} " + " ".join(f"{h + ' P/R (tp/pred/gold)':>30}" for h in halves)]
    for k in (*RELATIONS, "none", "all", "edges"):
        if not any(totals[h][k].n_gold or totals[h][k].n_pred for h in halves):
            continue
        lines.append(f"{k:<18} " + " ".join(
            f"{totals[h][k].precision:.2f} {totals[h][k].recall:.2f} ({totals[h][k].tp}/{totals[h][k].n_pred}/{totals[h][k].n_gold})".rjust(30)
            for h in halves))
    lines.append(f"{'citations found':<18} " + " ".join(f"{totals[h]['found'].recall:.2f}".rjust(30) for h in halves))
    if verbose:
        lines += _misses(results, "relation")
    return "\n".join(lines)


def evaluate_mentions(corpus: Path, gold_dir: Path | None = None,
                      process: Callable[[Path], Document] | None = None) -> tuple[dict[str, dict[str, Score]], list[DocResult]]:
    """Score ``corpus/gold/entities`` per half: the issuer of each gold citation minerals finds (``issuer``: all
    of them, a ``null`` issuer right when none is mined; ``issuer_named``: those whose gold names one), and the
    document's distinct entities per label (``ORG``, ``LOC``, ``PER``, ``entity``: all)."""
    corpus = Path(corpus)
    totals: dict[str, dict[str, Score]] = {}
    results = []
    for half, gold, doc in _split_gold(corpus, Path(gold_dir) if gold_dir else corpus / "gold" / "entities", process):
        t = totals.setdefault(half, {k: Score() for k in ("issuer", "issuer_named", "ORG", "LOC", "PER", "entity")})
        errors = []
        pred = cited_documents(doc)
        for g in gold["citations"]:
            got = pred.get(canonical_id(g["number"]))
            if got is None:
                continue
            ok = _issuer_key(got["issuer"]) == _issuer_key(g.get("issuer"))
            t["issuer"].add(Score(tp=int(ok), n_pred=1, n_gold=1))
            if g.get("issuer"):
                t["issuer_named"].add(Score(tp=int(ok), n_pred=1, n_gold=1))
            if not ok:
                errors.append(f"issuer {g['number']}: got {got['issuer']!r}, gold {g.get('issuer')!r}")
        by_label, errs = _score_entities(doc, gold["entities"])
        for label, sc in by_label.items():
            t[label].add(sc)
        errors += [f"entity {e}" for e in errs]
        results.append(DocResult(f"{gold['doc']} ({half})", {}, {"mention": errors}))
    return totals, results


def format_mention_report(totals: dict[str, dict[str, Score]], results: Iterable[DocResult] = (),
                          verbose: bool = False) -> str:
    halves = _halves(totals)
    lines = [f"{'issuers, entities':<18} " + " ".join(f"{h + ' P/R/F1 (tp/pred/gold)':>34}" for h in halves)]
    for k in ("issuer", "issuer_named", "ORG", "LOC", "PER", "entity"):
        cells = []
        for h in halves:
            s = totals[h][k]
            cells.append((f"{s.precision:.2f} accuracy ({s.tp}/{s.n_gold})" if k.startswith("issuer") else
                          f"{s.precision:.2f} {s.recall:.2f} {s.f1:.2f} ({s.tp}/{s.n_pred}/{s.n_gold})").rjust(34))
        lines.append(f"{k:<18} " + " ".join(cells))
    if verbose:
        lines += _misses(results, "mention")
    return "\n".join(lines)
