"""Builds patterns/entities.jsonl (spaCy SpanRuler token patterns) from organisations.json and places.json.

Run from the repository root: python tools/build_entity_patterns.py
Tokens are those of minerals.nlp.tokenizer: words (with & . / - inside), and punctuation alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"
TOKEN = re.compile(r"\w+(?:[&./\-]\w+)*|[^\w\s]")
ONE_WORD_LEVELS = ["tỉnh", "huyện", "quận", "xã", "phường"]
TWO_WORD_LEVELS = [["thành", "phố"], ["thị", "xã"], ["thị", "trấn"]]


def lower(phrase: str) -> list[dict]:
    return [{"LOWER": t.lower()} for t in TOKEN.findall(phrase)]


def exact(phrase: str) -> list[dict]:
    return [{"TEXT": t} for t in TOKEN.findall(phrase)]
# names are phrase patterns (spaCy's PhraseMatcher: fast); only shapes that vary are token patterns


def build() -> tuple[list[dict], list[dict]]:
    """(entities.jsonl lines: names matched in any case, and token patterns; places.jsonl lines: exact case)."""
    orgs = json.loads((PATTERNS / "organisations.json").read_text(encoding="utf-8"))
    places = json.loads((PATTERNS / "places.json").read_text(encoding="utf-8"))
    lines: list[dict] = []
    # the level and place after a body ("… tỉnh Cao Bằng") are added by the minerals_entities component
    for head in orgs["heads_with_sector"]:
        for sector in orgs["sectors"]:
            lines.append({"label": "ORG", "pattern": f"{head} {sector}", "id": "sector"})
    for head in orgs["local_heads"]:
        kind = "generic" if head in orgs["generic_local_heads"] else "local"
        lines.append({"label": "ORG", "pattern": head, "id": kind})
    for name in orgs["national"]:
        lines.append({"label": "ORG", "pattern": name, "id": "national"})
    # the component extends these over the capitalized words that follow (the ids say how)
    exact_lines = []
    for head in orgs["named_heads"] + orgs["heads_with_sector"]:
        variants = {head, " ".join(w[:1].upper() + w[1:] for w in head.split())}  # "Tổng Công ty"
        if len(head.split()) > 1:
            variants.add(head.upper())  # one-word heads in capitals ("HỘI") are too often inside other words
        exact_lines += [{"label": "ORG", "pattern": v, "id": "named"} for v in sorted(variants)]
    exact_lines += [{"label": "LOC", "pattern": c, "id": "country"} for c in places["countries"]]
    for p in places["provinces"]:
        for district in p["districts"]:
            name, _, level = district.partition("|")
            if len(name.split()) >= 2 and not name[0].isdigit():  # one-syllable names ("Phường 7") are too ambiguous
                exact_lines.append({"label": "LOC", "pattern": name, "id": "district"})
    for p in places["provinces"]:
        exact_lines.append({"label": "LOC", "pattern": p["name"], "id": "province"})
        for lvl in ("tỉnh", "thành phố", "Tỉnh", "Thành phố"):
            exact_lines.append({"label": "LOC", "pattern": f"{lvl} {p['name']}", "id": "province"})
    # issuer codes standing alone are the bodies they stand for ("- VPCP;", "của TCHQ"); generic ones are not
    codes = json.loads((PATTERNS / "issuer_codes.json").read_text(encoding="utf-8"))["codes"]
    generic = {"CP", "TW", "TU", "QH", "UBND", "HĐND", "BCĐ", "TTg", "CTN"}
    for code, spec in codes.items():
        if spec["issuer"] and len(code) >= 3 and code not in generic:
            exact_lines.append({"label": "ORG", "pattern": code, "id": "code"})
    for ward in places["wards"]:
        exact_lines.append({"label": "LOC", "pattern": ward, "id": "ward"})
    for abbr in places["level_abbreviations"]:
        exact_lines.append({"label": "LOC", "pattern": abbr, "id": "level"})
    for lvl in ONE_WORD_LEVELS + [" ".join(x) for x in TWO_WORD_LEVELS]:
        exact_lines.append({"label": "LOC", "pattern": lvl, "id": "level"})
        exact_lines.append({"label": "LOC", "pattern": lvl[0].upper() + lvl[1:], "id": "level"})
    for surname in orgs["surnames"]:
        exact_lines.append({"label": "PER", "pattern": surname, "id": "surname"})
    return lines, exact_lines


def render(lines: list[dict]) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


if __name__ == "__main__":
    any_case, exact_case = build()
    (PATTERNS / "entities.jsonl").write_text(render(any_case), encoding="utf-8")
    (PATTERNS / "places.jsonl").write_text(render(exact_case), encoding="utf-8")
