"""Entities against the gold: minerals' rule layer beside underthesea's `ner` alone, same documents, same
scoring (distinct (label, text) pairs, text compared without case or diacritics). Also the time each takes.

Run: python bench/bench_entities.py      (underthesea's ner is slow: a few minutes)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import minerals
from minerals.evaluate import Score, _entity_key, find_document, load_gold  # noqa: E402


def underthesea_entities(text: str) -> set[tuple[str, str]]:
    from underthesea import ner, sent_tokenize

    out = set()
    for para in text.split("\n"):
        for sent in sent_tokenize(para) if para.strip() else []:
            current, label = [], None
            for word, _pos, _chunk, tag in ner(sent[:2000]):  # ner's time grows with sentence length
                if tag.startswith("B-") or (tag.startswith("I-") and label != tag[2:]):
                    if current:
                        out.add((label, " ".join(current)))
                    current, label = [word], tag[2:]
                elif tag.startswith("I-") and current:
                    current.append(word)
                else:
                    if current:
                        out.add((label, " ".join(current)))
                    current, label = [], None
            if current:
                out.add((label, " ".join(current)))
    return {(lbl, t) for lbl, t in out if lbl in ("ORG", "LOC", "PER")}


def main() -> None:
    corpus = ROOT / "corpus"
    ours, theirs = Score(), Score()
    t_ours = t_theirs = 0.0
    for gold in load_gold(corpus / "gold"):
        if gold.get("entities") is None:
            continue
        doc = minerals.clean(minerals.read(find_document(corpus, gold["doc"])))
        ge = {(e["label"], _entity_key(e["text"])) for e in gold["entities"]}
        t = time.perf_counter()
        minerals.extract(doc)
        t_ours += time.perf_counter() - t
        pe = {(e.label, _entity_key(e.text)) for e in doc.entities}
        t = time.perf_counter()
        ue = {(lbl, _entity_key(txt)) for lbl, txt in underthesea_entities(doc.text)}
        t_theirs += time.perf_counter() - t
        ours.add(Score(len(pe & ge), len(pe), len(ge)))
        theirs.add(Score(len(ue & ge), len(ue), len(ge)))
    print(f"minerals entities:     P {ours.precision:.3f} R {ours.recall:.3f} F1 {ours.f1:.3f}  ({t_ours:.1f} s, whole pipeline)")
    print(f"underthesea ner alone: P {theirs.precision:.3f} R {theirs.recall:.3f} F1 {theirs.f1:.3f}  ({t_theirs:.1f} s)")


if __name__ == "__main__":
    main()
