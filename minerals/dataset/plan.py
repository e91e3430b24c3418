"""What a run does, decided from what the archive holds and what the dataset knows, without touching either.

``decide`` sorts the walk's sources: unchanged ones (same path, size and mtime) are skipped, new or changed
ones are to hash, the rows of paths gone from the archive are dropped. ``settle``, given the content hashes,
splits those into files to mine and files whose content the dataset already holds (moved or copied: not
mined again, their documents row copied), and says which documents' items go with which paths' removal, so
that a kill at any instant leaves each file's old rows or its new ones. The I/O they need (hashing a file of a
store without modification times, asking whether a path outside the archive still exists) comes in as
functions, so the tests give plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .archive import Source
from .store import is_url


@dataclass
class Known:
    """What the dataset holds: each path's ``(doc_id, size, mtime)`` in ``documents`` and ``(size, mtime)``
    in ``errors``."""

    docs: dict[str, tuple[str, int, float]] = field(default_factory=dict)
    errors: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def doc_ids(self) -> set[str]:
        return {v[0] for v in self.docs.values()}


@dataclass
class Plan:
    """The walk, sorted: ``todo`` (new or changed sources, to hash), ``skipped`` (unchanged), ``error_rows``
    (paths that cannot be mined whose row is new or changed), ``stale`` (paths whose old rows go when their
    new rows commit) and ``gone`` (paths whose rows go in the first commit)."""

    todo: list[Source] = field(default_factory=list)
    skipped: int = 0
    error_rows: list[dict] = field(default_factory=list)
    stale: set[str] = field(default_factory=set)
    gone: set[str] = field(default_factory=set)


@dataclass
class Settled:
    """The mining, once the contents are hashed: ``to_mine``, ``copies`` (sources whose content the dataset
    holds, with its doc_id), ``doc_ids`` (the contents the dataset keeps), ``refs`` (a document to drop → how
    many removed paths still hold its rows: its items go with the last of them)."""

    to_mine: list[Source]
    copies: list[tuple[Source, str]]
    doc_ids: set[str]
    refs: dict[str, int]


def decide(items: Iterable[Source | dict], known: Known, *, in_archive: Callable[[str], bool], prune: bool = False,
         still_there: Callable[[str], bool] = lambda path: True,
         same_content: Callable[[Source, str], bool] = lambda src, doc_id: True) -> Plan:
    """Sort the walk's ``items`` (sources, and ``errors`` rows of paths that cannot be mined) against
    ``known``. A path the walk did not see is gone if it lies in the archive mined (``in_archive``), or, with
    ``prune``, if it no longer exists anywhere (``still_there``): rows of other archives are kept. A source of
    a store without modification times (mtime 0) is unchanged only with the same content (``same_content``)."""
    out = Plan()
    seen: set[str] = set()
    for src in items:
        if isinstance(src, dict):  # a path that cannot be mined: an unsafe zip member, a loop, a special file…
            seen.add(src["path"])
            if known.errors.get(src["path"]) != (src["size"], src["mtime"]):
                out.stale.add(src["path"])
                out.error_rows.append(src)
            continue
        seen.add(src.key)
        old = known.docs.get(src.key)
        if old and (old[1], old[2]) == (src.size, src.mtime):
            if src.mtime or not is_url(src.path) or src.member is not None or same_content(src, old[0]):
                out.skipped += 1
                continue
        if known.errors.get(src.key) == (src.size, src.mtime):
            out.skipped += 1
            continue
        if old or src.key in known.errors:
            out.stale.add(src.key)  # changed since last run: its old rows go when its new rows commit
        out.todo.append(src)
    out.gone = {p for p in list(known.docs) + list(known.errors)
                if p not in seen and (in_archive(p) or (prune and not still_there(p)))}
    return out


def settle(todo: list[Source], hashes: dict[str, str | None], stale: set[str], gone: set[str],
           known: Known) -> Settled:
    """Given the content hash of each source in ``todo`` (None: a zip member, hashed when read): which to
    mine, which the dataset holds already, and which documents go. A document keeps its rows while some path
    still holds its content (a moved or copied file)."""
    by_path = known.docs
    doc_ids = known.doc_ids
    removed = stale | gone
    live_ids = {v[0] for p, v in by_path.items() if p not in removed} | (set(hashes.values()) & doc_ids)
    stale_ids = {v[0] for p, v in by_path.items() if p in removed} - live_ids
    doc_ids = doc_ids - stale_ids
    refs: dict[str, int] = {}
    for p in removed:
        if p in by_path and by_path[p][0] in stale_ids:
            refs[by_path[p][0]] = refs.get(by_path[p][0], 0) + 1
    to_mine: list[Source] = []
    copies: list[tuple[Source, str]] = []
    for src in todo:
        sha = hashes.get(src.key)
        if sha is not None and sha in doc_ids:
            copies.append((src, sha))
        else:
            to_mine.append(src)
    return Settled(to_mine, copies, doc_ids, refs)
