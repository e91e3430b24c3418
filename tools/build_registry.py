"""Builds minerals/data/registry.csv.gz, the shipped registry, from real registry tables (run once, not at run time).

    python tools/build_registry.py [/work/shared/realdocs/registry] [-o minerals/data/registry.csv.gz]

Sources (../shared/realdocs/SOURCES.md says where each was collected):
- binhduong_vanban_chidao_dieuhanh_2014-2022.csv: UBND tỉnh Bình Dương's "văn bản chỉ đạo điều hành"
  (binhduong.gov.vn): number, date, trích yếu (lower-cased there), validity, PDF link.
- congbao_sonla_van_ban_2026.tsv: Công báo tỉnh Sơn La (congbao.sonla.gov.vn): number, dates, issuing body,
  type, signer, trích yếu, status.
- tvpl_metadata_from_tnt305_282docs.tsv: thuvienphapluat.vn metadata blocks: number, type, issuer, signer, date.
- vbpl_vn_crawl_manifest_1000.jsonl: vbpl.vn URLs; the slug spells type, number and title without diacritics
  ("thong-tu-so-13-2015-tt-btc-quy-dinh-ve-..."), and titles that amend a document give its date
  ("...-nghi-dinh-so-143-2013-nd-cp-ngay-24-thang-10-nam-2013-..."): both become entries (title left empty:
  a title without diacritics is not the title).

Every source goes through ``minerals.registry.entries_from_frame`` (the loader of user files), so ids are the
citations' ids. Entries naming the same document (one id; for a number without a year, one id and one year) are
merged field by field in the order of SOURCES (an official gazette before an aggregator); ``source`` lists all.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import regex

ROOT = Path(__file__).resolve().parent.parent

from minerals import patterns  # noqa: E402
from minerals.checks import is_well_formed  # noqa: E402
from minerals.docnumber import (  # noqa: E402
    canonical_case, known_codes, normalize_number, number_year, regime_of, type_from_number,
)
from minerals.registry import COLUMNS, RegistryEntry, entries_from_frame  # noqa: E402
from minerals.resolve import issuer_from_code, jurisdiction_of  # noqa: E402

DEFAULT_IN = Path("/work/shared/realdocs/registry")
DEFAULT_OUT = ROOT / "minerals" / "data" / "registry.csv.gz"
TNT305 = "https://github.com/tnt305/tai_lieu_noi_bo/blob/94c5034af72cc7e5020694d06eceb126a103d48b/"
# merge order: official publications first
SOURCES = ("congbao.sonla.gov.vn", "binhduong.gov.vn", "vbpl.vn", "thuvienphapluat.vn")


def _type_of(number: str) -> str | None:
    return type_from_number(number, regime_of(number))


def _body(number: str, place: str | None) -> str | None:
    """'Ủy ban nhân dân tỉnh Bình Dương' from the code of the number and the place (UBND, HĐND only)."""
    body = issuer_from_code(number)
    return f"{body} {place}" if body in ("Ủy ban nhân dân", "Hội đồng nhân dân") and place else None


def binhduong(folder: Path) -> list[RegistryEntry]:
    src = pd.read_csv(folder / "binhduong_vanban_chidao_dieuhanh_2014-2022.csv", dtype=str, keep_default_na=False)
    place = "tỉnh Bình Dương"
    numbers = src["so_ky_hieu"].map(normalize_number)
    frame = pd.DataFrame({
        "number": numbers, "doc_type": numbers.map(_type_of), "issuer": numbers.map(lambda n: _body(n, place)),
        "jurisdiction": place, "date": src["ngay_ban_hanh"],
        "title": src["trich_yeu"].map(lambda t: t[:1].upper() + t[1:]),  # the portal lower-cases trích yếu
        "status": src["hieu_luc"], "url": src["pdf"],
    })
    return entries_from_frame(frame, "binhduong", "binhduong.gov.vn")


def sonla(folder: Path) -> list[RegistryEntry]:
    src = pd.read_csv(folder / "congbao_sonla_van_ban_2026.tsv", sep="\t", dtype=str, keep_default_na=False)

    def issuer(body: str) -> str:  # "UBND Tỉnh" → "Ủy ban nhân dân tỉnh Sơn La"; "HĐND xã Chiềng Hặc"
        words = body.replace("UBND", "Ủy ban nhân dân").replace("HĐND", "Hội đồng nhân dân")
        return regex.sub(r" Tỉnh$", " tỉnh Sơn La", words)

    issuers = src["co_quan_ban_hanh"].map(issuer)
    frame = pd.DataFrame({
        "number": src["so_hieu"], "doc_type": src["loai_van_ban"], "issuer": issuers,
        "jurisdiction": issuers.map(jurisdiction_of), "date": src["ngay_ban_hanh"],
        "effective_date": src["ngay_hieu_luc"], "title": src["trich_yeu"], "status": src["tinh_trang"],
        "signer": src["nguoi_ky"], "url": src["source_url"],
    })
    return entries_from_frame(frame, "congbao_sonla", "congbao.sonla.gov.vn")


def tvpl(folder: Path) -> list[RegistryEntry]:
    src = pd.read_csv(folder / "tvpl_metadata_from_tnt305_282docs.tsv", sep="\t", dtype=str, keep_default_na=False)
    numbers = src["so_hieu"].map(normalize_number)
    places = src["noi_ban_hanh"].map(jurisdiction_of)
    # "Tỉnh Bắc Ninh" is a place: the body comes from the number's code (UBND, HĐND)
    is_place = src["noi_ban_hanh"].str.match(r"^(Tỉnh|Thành phố) ")
    issuers = [(_body(n, p) or raw) if flag else raw for n, p, raw, flag in zip(numbers, places, src["noi_ban_hanh"], is_place)]
    frame = pd.DataFrame({
        "number": numbers, "doc_type": src["loai_van_ban"], "issuer": issuers, "jurisdiction": places,
        "date": src["ngay_ban_hanh"], "effective_date": src["ngay_hieu_luc"], "status": src["tinh_trang"],
        "signer": src["nguoi_ky"], "url": TNT305 + src["source_file"],
    })
    return entries_from_frame(frame, "tvpl", "thuvienphapluat.vn")


# --- vbpl.vn slugs -------------------------------------------------------------------------------------------
def _slug_types() -> list[tuple[str, str]]:
    """Slug words → type, longest first: "van-ban-hop-nhat", "nghi-quyet", "circular"..."""
    pairs = {w.replace(" ", "-"): name for w, name in patterns.type_by_word().items()}
    pairs.update({w.replace(" ", "-"): name for w, name in patterns.load("registry")["english_types"].items()})
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def _code(token: str) -> str | None:
    """The code a slug token spells, as patterns/ spell it ("nd" → "NĐ", "ttg" → "TTg"), or None."""
    seg = normalize_number("1/" + token.upper()).split("/", 1)[1]
    base = regex.sub(r"\d+$", "", seg).upper()
    return canonical_case(base) + seg[len(base):] if base in known_codes() else None


def parse_number(tokens: list[str], whole: bool = False) -> tuple[str | None, int]:
    """The number spelled by slug tokens ["66", "3", "2025", "nq", "cp", "thao", ...] → ("66.3/2025/NQ-CP", 5):
    digits, an optional decimal, an optional year, then every token that is a known code (with ``whole``, every
    token: an English slug ends with its number, whose issuers may be codes patterns/ does not know). A code that
    is only a type ("07/2025/NĐ", the slug dropped the issuer) is no number."""
    if not tokens or not tokens[0].isdigit():
        return None, 0
    num, i = tokens[0], 1
    if i + 1 < len(tokens) and tokens[i].isdigit() and len(tokens[i]) <= 2 and regex.fullmatch(r"(19|20)\d\d", tokens[i + 1]):
        num, i = f"{num}.{tokens[i]}", i + 1
    year = None
    if i < len(tokens) and regex.fullmatch(r"(19|20)\d\d", tokens[i]):
        year, i = tokens[i], i + 1
    codes = []
    while i < len(tokens) and (_code(tokens[i]) or (whole and tokens[i].isalnum())):
        codes.append(_code(tokens[i]) or tokens[i].upper())
        i += 1
    only_type = len(codes) == 1 and codes[0].upper() in map(str.upper, patterns.type_by_code()) \
        and not patterns.issuer_codes().get(regex.sub(r"\d+$", "", codes[0]))
    if not codes or only_type:
        return None, 0
    number = normalize_number("/".join(p for p in (num, year, "-".join(codes)) if p))
    return (number if is_well_formed(number) else None), i


_CITED = regex.compile(r"(?:^|-)(?P<type>[a-z-]+?)-(?:so-)?(?P<rest>\d[a-z0-9-]*?)-ngay-(?P<d>\d{1,2})-thang-(?P<m>\d{1,2})-nam-(?P<y>(?:19|20)\d\d)")


def vbpl(folder: Path) -> tuple[list[RegistryEntry], list[RegistryEntry]]:
    """(the documents the URLs are, the documents their titles cite with a date)."""
    rows, cited = [], []
    types = _slug_types()
    for line in (folder / "vbpl_vn_crawl_manifest_1000.jsonl").read_text(encoding="utf-8").splitlines():
        url = json.loads(line)["url"]
        slug = regex.sub(r"--[\w]+$", "", url.rstrip("/").rsplit("/", 1)[-1])
        kind = next(((w, name) for w, name in types if slug.startswith(w + "-")), None)
        if kind is None:
            continue
        head, sep, tail = slug.partition("-so-")
        tokens = (tail if sep else slug[len(kind[0]) + 1:]).split("-")
        number, used = parse_number(tokens, whole=not sep)
        if number is None:
            continue
        rows.append({"number": number, "doc_type": kind[1], "issuer": issuer_from_code(number), "url": url})
        for m in _CITED.finditer("-".join(tokens[used:])):
            ctype = next((name for w, name in types if m["type"].endswith(w)), None)
            cnum, cused = parse_number(m["rest"].split("-"))
            if ctype and cnum and cused == len(m["rest"].split("-")) and number_year(cnum):
                cited.append({"number": cnum, "doc_type": ctype, "issuer": issuer_from_code(cnum),
                              "date": f"{m['d']}/{m['m']}/{m['y']}", "url": url})
    return (entries_from_frame(pd.DataFrame(rows), "vbpl", "vbpl.vn"),
            entries_from_frame(pd.DataFrame(cited), "vbpl titles", "vbpl.vn (cited in a title)"))


# --- merge ---------------------------------------------------------------------------------------------------
def merge(entries: list[RegistryEntry]) -> tuple[list[dict], Counter]:
    """One row per document: the key is the id, plus the year for a number without one."""
    stats: Counter = Counter()
    order = {s: i for i, s in enumerate((*SOURCES, "vbpl.vn (cited in a title)"))}
    groups: dict[tuple, list[RegistryEntry]] = {}
    for e in sorted(entries, key=lambda e: order.get(e.source, 99)):
        key = (e.id,) if number_year(e.number) else (e.id, (e.date or "")[:4])
        groups.setdefault(key, []).append(e)
    rows = []
    for key, group in groups.items():
        row = {}
        for col in COLUMNS:
            values = [getattr(e, col) for e in group if getattr(e, col)]
            row[col] = values[0] if values else None
        dates = {e.date for e in group if e.date}
        if len(dates) > 1:
            stats["date conflicts (first source kept)"] += 1
        row["source"] = "; ".join(dict.fromkeys(e.source for e in group))
        stats["merged from several rows"] += len(group) > 1
        if len({e.source for e in group}) > 1:
            stats["in several sources"] += 1
        if not number_year(row["number"]) and not row["date"]:
            stats["dropped: no year in number and no date"] += 1
            continue
        rows.append(row)
    return sorted(rows, key=lambda r: (r["id"], r["date"] or "")), stats


def build(folder: Path) -> tuple[pd.DataFrame, Counter]:
    vbpl_docs, vbpl_cited = vbpl(folder)
    parts = {"congbao.sonla.gov.vn": sonla(folder), "binhduong.gov.vn": binhduong(folder), "vbpl.vn": vbpl_docs,
             "thuvienphapluat.vn": tvpl(folder), "vbpl.vn (cited in a title)": vbpl_cited}
    rows, stats = merge([e for part in parts.values() for e in part])
    for name, part in parts.items():
        stats[f"rows read: {name}"] = len(part)
    return pd.DataFrame(rows, columns=list(COLUMNS)), stats


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_IN)
    ap.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    frame, stats = build(args.folder)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(args.out, "wb", mtime=0) as gz:  # mtime 0: the same input gives the same bytes
        gz.write(frame.to_csv(index=False).encode("utf-8"))
    for k, v in sorted(stats.items()):
        print(f"{k}: {v}")
    print(f"{len(frame)} documents → {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
