"""A set of non-overlapping character spans with fast overlap tests (extractors claim text in turn)."""

from __future__ import annotations

import bisect


class SpanSet:
    """Spans kept sorted by start; ``overlaps`` and ``add`` are O(log n) for the spans extractors claim."""

    def __init__(self, spans=()):
        # what adding the spans one by one in sorted order gives (``add`` puts a span before others with its
        # start, so those come out longest first), built in one go
        ordered = sorted(spans, key=lambda span: (span[0], -span[1]))
        self._starts: list[int] = [s for s, _ in ordered]
        self._ends: list[int] = [e for _, e in ordered]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # spans starting before `end`
        # spans may nest or overlap (citations inside a date clause), so look back a few
        for j in range(i - 1, max(-1, i - 8), -1):
            if self._ends[j] > start:
                return True
        return False

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
