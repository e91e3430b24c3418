"""Targets, achievements and changes, built on the quantities of a sentence (patterns/targets.json).

A report says what was planned ("Đến năm 2030, giảm ít nhất 50% tỷ lệ nghèo"), what was reached against the
plan ("02/5 người đạt 40% KH") and how an indicator moved ("từ 22,06% xuống còn 18,06%"). Each sentence's
quantities are read with the words around them; nothing is tokenized.
"""

from __future__ import annotations

import bisect
import functools

import regex

from .. import patterns
from ..models import Document, Quantity, Target
from .numbers import parse_number

# a clause ends at ';' or a full stop, not at the '.' inside a figure ("5.196 hộ"); runs of plain characters
# are taken at once (one character per step made this a third of the stage)
LOOK_BACK = 100  # characters before a figure read for the words that make it a change ("tăng thêm 5%")
_CLAUSE = regex.compile(r"(?:[^.;\n]+|(?<=\d)\.(?=\d))+[.;]?")
_BY_PERCENT = regex.compile(r"(?:giảm|tăng)[ \t]+(\d+(?:,\d+)?)[ \t]*%")
_INDICATOR_CUT = regex.compile(r"[:,(]")
_LEADING_MARKS = regex.compile(r"^[\s*\-+•\d.]+")
_RANGE_GAP = regex.compile(r"%?[ \t]*(?:[-–]|đến)[ \t]*")
_NORM_NUMBER = regex.compile(r"\d+/\d{4}/")
_GOAL_HEAD = regex.compile(r"[\d.\s*]*(?:Điểm [a-z],\s*)?Mục tiêu")


@functools.cache
def _spec():
    spec = patterns.load("targets")
    goal = regex.compile(r"(?i)(?<![\p{L}])(?:" + "|".join(regex.escape(w) for w in spec["goal_context"]) + r")(?![\p{L}])")
    deadline = regex.compile(spec["deadline"])
    comparators = spec["comparators"]
    directions = spec["directions"]
    direction_rx = regex.compile(
        r"(?i)(?<![\p{L}])(?P<d>" + "|".join(regex.escape(w) for w in sorted(directions, key=len, reverse=True)) + r")(?![\p{L}])"
    )
    result = regex.compile(r"(?i)(?<![\p{L}])(?:" + "|".join(regex.escape(w) for w in spec["result_context"]) + r")(?![\p{L}])")
    return (goal, result, deadline, comparators, directions, direction_rx, regex.compile(spec["achievement"]),
            regex.compile(spec["change_from_to"]), regex.compile(spec["change_by"]), regex.compile(spec["change_vs"]))


@functools.cache
def _context_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The goal and result words, case-folded: the goal and result patterns (case-insensitive) can match a
    clause only if its case-folded text holds one of them, so most clauses skip the two searches."""
    spec = patterns.load("targets")
    return tuple(w.casefold() for w in spec["goal_context"]), tuple(w.casefold() for w in spec["result_context"])


@functools.cache
def _needs() -> dict[str, tuple[str, ...]]:
    """patterns/targets.json ``needs``: the words every match of a pattern holds."""
    return {k: tuple(v) for k, v in patterns.load("targets")["needs"].items() if not k.startswith("#")}


@functools.cache
def _goal_shaped() -> regex.Pattern:
    return regex.compile(patterns.load("targets")["goal_scope"]["goal_shaped"])


@functools.cache
def _goal_clause() -> tuple[regex.Pattern, regex.Pattern]:
    """patterns/targets.json ``goal_clause``: a clause opening with its deadline, and a figure's own year."""
    spec = patterns.load("targets")["goal_clause"]
    return regex.compile(spec["opening"]), regex.compile(spec["year_before"])


@functools.cache
def _reported() -> regex.Pattern:
    return regex.compile(patterns.load("targets")["change_reported"])


@functools.cache
def _not_targets() -> regex.Pattern:
    """patterns/targets.json ``not_targets``: figures that are never a target ("1/4 ngày", "bậc 3/7")."""
    return regex.compile("|".join(f"(?:{r})" for r in patterns.load("targets")["not_targets"]["regex"]))


@functools.cache
def _scope_rules() -> tuple[regex.Pattern, regex.Pattern, regex.Pattern, regex.Pattern]:
    spec = patterns.load("targets")["goal_scope"]
    return tuple(regex.compile(spec[k], regex.MULTILINE) for k in ("heading", "period", "end", "reported"))


def goal_scopes(text: str) -> list[tuple[int, int, int | None]]:
    """(start, end, deadline) of the stretches of a plan that state its goals (``goal_scope`` of
    patterns/targets.json): from a goal heading to the next heading of another part, cut at each period line
    ("2.1. Đến năm 2030") into stretches with that line's year."""
    heading, period, end, _ = _scope_rules()
    if not _holds(text, _needs()["goal_scope"]):
        return []  # the prefilter of ``heading`` (patterns/targets.json needs): every match holds one of these
    out = []
    deadline_rx = _spec()[2]
    pos = 0
    inherited = None  # the year of the goal part a nested goal heading sits in
    for h in heading.finditer(text):
        if h.start() < pos:
            continue
        line_end = text.find("\n", h.start())
        line_end = len(text) if line_end < 0 else line_end
        dl = deadline_rx.search(text, h.start(), line_end)
        stop = end.search(text, line_end)
        stop_at = stop.start() if stop else len(text)
        nxt = heading.search(text, line_end)
        deadline = int(dl["y"] or dl["y2"]) if dl else inherited
        # periods inside cut the stretch; the next goal heading starts a new scope with its own year
        a = h.start()
        limit = min(stop_at, nxt.start()) if nxt else stop_at
        for p in period.finditer(text, line_end, limit):
            out.append((a, p.start(), deadline))
            a, deadline = p.start(), int(p["y2"] or p["y"])
        out.append((a, limit, deadline))
        pos = limit
        inherited = deadline if nxt and nxt.start() < stop_at else None
    return out


def _holds(text: str, words: tuple[str, ...]) -> bool:
    return any(w in text for w in words)


def get_targets(doc: Document) -> list[Target]:
    text = doc.text or ""
    goal, result_rx, deadline_rx, comparators, directions, direction_rx, ach_rx, fromto_rx, by_rx, vs_rx = _spec()
    goal_words, result_words = _context_words()
    needs = _needs()
    quantities = sorted(doc.quantities, key=lambda q: q.start)
    starts = [q.start for q in quantities]
    out: list[Target] = []
    used: set[int] = set()  # quantities already read as part of a target
    not_in = patterns.load("targets")["goal_scope"]["not_in"]
    scopes = [] if doc.info.doc_type in not_in else goal_scopes(text)
    # a legal norm's articles state rules ("giảm 50% mức thu", "ít nhất 2/3 thành viên"), not results: in a
    # document numbered as a norm ("170/2025/NĐ-CP") only its goal parts make targets (issue 16)
    rules_only = bool(_NORM_NUMBER.match(doc.info.number or ""))
    scope_starts = [a for a, _, _ in scopes]
    for ls, le in _lines_to_read(text, starts):
        line_text = text[ls:le]
        in_line = quantities[bisect.bisect_left(starts, ls) : bisect.bisect_left(starts, le)]
        if in_line and any(c.isdigit() for c in line_text):
            spans = [m.span() for m in _not_targets().finditer(text, ls, le)]
            if spans:
                in_line = [q for q in in_line if not any(a <= q.start < b for a, b in spans)]
        line_starts = [q.start for q in in_line]
        # a goal line ("2.1. Mục tiêu 1.1. Đến năm 2020, …") or a forecast clause ("Dự kiến đến hết năm 2021:")
        # makes its figures targets; a results line ("* Kết quả thực hiện …") makes them results
        goal_line = _GOAL_HEAD.match(line_text) is not None
        k = bisect.bisect_right(scope_starts, ls) - 1
        scope = scopes[k] if k >= 0 and ls < scopes[k][1] else None
        deadline = None
        forecast = False
        for clause in _CLAUSE.finditer(line_text):
            cs, ce = ls + clause.start(), ls + clause.end()
            ctext = clause[0]
            folded = ctext.casefold()
            g = goal.search(ctext) if _holds(folded, goal_words) else None
            r = result_rx.search(ctext) if _holds(folded, result_words) else None
            if g and not (r and r.start() < g.start() and "ước" not in g[0].lower()):
                forecast = True
            # "Đến năm 2030, tỷ lệ … đạt 100%": a clause opening with its deadline is a goal unless it reports
            opens_goal = _goal_clause()[0].match(ctext) is not None and not _scope_rules()[3].search(ctext)
            dl = deadline_rx.search(ctext) if _holds(ctext, needs["deadline"]) else None
            if dl:
                deadline = int(dl["y"] or dl["y2"])
            qs = in_line[bisect.bisect_left(line_starts, cs) : bisect.bisect_left(line_starts, ce)]
            qs_starts = [t.start for t in qs]
            page = doc.page_at(cs)
            # changes: "từ 22,06% xuống còn 18,06%"
            for m in (fromto_rx.finditer(text, cs, ce) if _holds(ctext, needs["change_from_to"]) and not (
                    rules_only and scope is None) else ()):
                a, b = parse_number(m["a"]), parse_number(m["b"])
                by = _BY_PERCENT.search(text, cs, m.start())
                direction = "giảm" if "xuống" in m["verb"] or "giảm" in m["verb"] or m["verb"] == "còn" else "tăng"
                out.append(_target(text, "change", m.start(), m.end(), page, indicator=_indicator(text, cs, m.start()),
                                   value=_num(by[1]) if by else None, unit="%" if m["pa"] or "%" in m[0] else None,
                                   direction=direction, from_=a, to=b))
                used.update(q.start for q in qs if m.start() <= q.start < m.end() or (by and by.start() <= q.start < m.start()))
            for m in (vs_rx.finditer(text, cs, ce) if _holds(ctext, needs["change_vs"]) and not (
                    rules_only and scope is None) else ()):
                prev = [q for q in qs if q.kind == "percent" and q.end <= m.start()]
                out.append(_target(text, "change", m.start(), m.end(), page, indicator=_indicator(text, cs, m.start()),
                                   value=_num(m["v"]), unit="%", direction=m["verb"], to=prev[-1].value if prev else None))
                used.update(q.start for q in qs if m.start() <= q.start < m.end())
            for q in qs:
                if q.start in used:
                    continue
                if rules_only and scope is None:
                    continue
                ach = ach_rx.match(text, q.end) if q.kind != "percent" else None
                if ach or (q.kind == "ratio" and q.unit):
                    out.append(_target(text, "achievement", q.start, ach.end() if ach else q.end, page,
                                       indicator=_indicator(text, cs, q.start), unit=q.unit,
                                       actual=q.value, planned=q.of, percent=_num(ach["p"]) if ach else None))
                    used.add(q.start)
                    if ach:
                        used.update(p.start for p in qs if ach.start() <= p.start < ach.end())
                    continue
                # the words right before the figure (a bounded look-back: a 400 KB clause of figures, FUZZ.md,
                # was quadratic); "change_by" is anchored at the figure
                before = text[max(cs, q.start - LOOK_BACK) : q.start]
                by = by_rx.search(text, max(cs, q.start - LOOK_BACK), q.start)
                if by and not (goal_line or forecast or deadline) and (
                        "được" in by[0] or "thêm" in by[0] or _reported().search(text, cs, ce)):
                    out.append(_target(text, "change", by.start(), q.end, page, indicator=_indicator(text, q.end, ce),
                                       value=q.value, unit=q.unit, direction=by["verb"]))
                    used.add(q.start)
                    continue
                if scope is not None and q.kind in ("count", "percent", "money", "measure") and not (
                        _scope_rules()[3].search(text, cs, q.start)) and (
                        q.kind == "percent" or q.qualifier or _goal_shaped().search(text, cs, q.start)):
                    # a plan's goal list: the first figure of each comma-separated part is a target
                    part = max(text.rfind(",", cs, q.start), text.rfind(":", cs, q.start), cs)
                    if any(t is not q and t.start not in used and t.kind in ("count", "percent", "money", "measure")
                           for t in qs[bisect.bisect_left(qs_starts, part) : bisect.bisect_left(qs_starts, q.start)]):
                        used.add(q.start)
                        continue
                    d = direction_rx.findall(before[-60:])
                    k = bisect.bisect_left(qs_starts, q.end)  # only the next figure can close a range
                    top = qs[k] if k < len(qs) and _RANGE_GAP.fullmatch(text, q.end, qs[k].start) else None
                    if top is not None:  # "85%-90% tổng vốn đầu tư": one target, a range
                        used.add(top.start)
                    out.append(_target(text, "target", q.start, top.end if top is not None else q.end, page,
                                       value_max=top.value if top is not None else None,
                                       indicator=target_indicator(text, cs, q, ce, next(
                                           (t.start for t in qs[bisect.bisect_right(qs_starts, (top or q).end):]
                                            if t.kind in ("count", "percent", "money", "measure")), None),
                                           after_from=top.end if top is not None else None),
                                       value=q.value, unit=q.unit,
                                       comparator=comparators.get(q.qualifier.lower()) if q.qualifier else None,
                                       direction=directions[d[-1].lower()] if d else None,
                                       deadline=_own_year(text, cs, q) or deadline or scope[2]))
                    used.add(q.start)
                    continue
                own = _own_year(text, cs, q) if goal_line or forecast or opens_goal else None
                if (goal_line or forecast or opens_goal) and (own or deadline) and q.kind in (
                        "count", "percent", "money", "measure"):
                    d = direction_rx.findall(before[-60:])
                    out.append(_target(text, "target", q.start, q.end, page, indicator=_indicator(text, cs, q.start),
                                       value=q.value, unit=q.unit,
                                       comparator=comparators.get(q.qualifier) if q.qualifier else None,
                                       direction=directions[d[-1].lower()] if d else None, deadline=own or deadline))
                    used.add(q.start)
            if goal_line and dl and not qs and len(ctext[dl.end() :].split()) >= 3:
                # a goal with a deadline and no figure: "Đến năm 2030, tăng đáng kể số lao động có kỹ năng…"
                # (not a heading alone: "Mục tiêu đến năm 2030")
                rest = ctext[dl.end() :]
                d = direction_rx.search(rest[:40])
                out.append(_target(text, "target", cs, ce, page, indicator=rest.strip(" ,:").strip()[:120] or None,
                                   direction=directions[d["d"].lower()] if d else None, deadline=deadline))
    out += _plan_result_rows(doc, text, used)
    out.sort(key=lambda t: t.start)
    return out


def _own_year(text: str, cs: int, q: Quantity) -> int | None:
    """The year printed right before a figure ("năm 2026 đạt từ 10%"): that figure's deadline."""
    m = _goal_clause()[1].search(text, max(cs, q.start - 40), q.start)
    return int(m["y"]) if m else None


_UNIT_PAREN = regex.compile(r"\s*\(([\p{L} ]{1,20})\)\s*$")


def _plan_result_rows(doc: Document, text: str, used: set[int]) -> list[Target]:
    """Achievements from the rows of a plan / result table (``plan_result_table`` of patterns/targets.json)."""
    if "|" not in text:
        return []
    spec = patterns.load("targets")["plan_result_table"]
    plan, result, pct = ({patterns.fold(w) for w in spec[k]} for k in ("plan", "result", "percent"))
    ys = patterns.load("targets")["year_table"]
    year_rx = regex.compile(ys["year"])
    ind_cols, unit_cols = ({patterns.fold(w) for w in ys[k]} for k in ("indicator", "unit"))
    own_year = int(doc.info.issue_date[:4]) if doc.info.issue_date else None
    out: list[Target] = []
    cols = None
    years = None  # (indicator column, unit column or None, {column: year}) of a table of indicators by year
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if line.count("|") < 3:
            cols = years = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        folded = [patterns.fold(c) for c in cells]
        by_year = {i: int(m["y"]) for i, c in enumerate(cells) if (m := year_rx.match(c))}
        ind = next((i for i, c in enumerate(folded) if c in ind_cols), None)
        if by_year and ind is not None and own_year:  # "| Chỉ tiêu | Đơn vị | Năm 2025 | Năm 2030 |"
            years = (ind, next((i for i, c in enumerate(folded) if c in unit_cols), None),
                     {i: y for i, y in by_year.items() if y >= own_year})
            cols = None
            continue
        if years is not None:
            ind, ucol, ycols = years
            label = cells[ind] if ind < len(cells) else ""
            unit = (cells[ucol] if ucol is not None and ucol < len(cells) else None) or (
                m[1] if (m := _UNIT_PAREN.search(label)) else None)
            for i, y in ycols.items():
                if i >= len(cells) or not cells[i]:
                    continue
                try:
                    value = parse_number(cells[i].rstrip("% "))
                except ValueError:  # a worded or malformed cell (MalformedNumber)
                    continue
                at = start + line.find(cells[i])
                out.append(_target(text, "target", at, at + len(cells[i]), doc.page_at(at),
                                   indicator=_UNIT_PAREN.sub("", label).strip() or None,
                                   unit=unit.strip().lower() if unit else None, value=_whole(value), deadline=y))
            continue
        if not any(any(ch.isdigit() for ch in c) for c in cells[1:]):  # a header row
            p_ = next((i for i, c in enumerate(folded) if c in plan), None)
            r_ = next((i for i, c in enumerate(folded) if c in result), None)
            c_ = next((i for i, c in enumerate(folded) if c in pct), None)
            cols = (p_, r_, c_) if p_ is not None and r_ is not None else None
            continue
        if cols is None or max(i for i in cols if i is not None) >= len(cells):
            continue
        p_, r_, c_ = cols
        try:
            planned, actual = parse_number(cells[p_]), parse_number(cells[r_])
            percent = parse_number(cells[c_].rstrip("% ")) if c_ is not None and cells[c_] else None
        except ValueError:  # an empty or worded cell (MalformedNumber): no achievement in this row
            continue
        label = cells[0]
        unit = _UNIT_PAREN.search(label)
        at = start + line.find(cells[r_], line.find("|") + 1)
        out.append(_target(text, "achievement", start, start + len(line), doc.page_at(at),
                           indicator=_UNIT_PAREN.sub("", label).strip() or None,
                           unit=unit[1].strip().lower() if unit else None,
                           actual=_whole(actual), planned=_whole(planned), percent=_whole(percent)))
    return out


def _whole(v):
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _lines_to_read(text: str, starts: list[int]) -> list[tuple[int, int]]:
    """The (start, end) of the lines holding a quantity or "Mục tiêu", in order: the only lines that can make a
    target. Found from those positions, not by walking every line of the text."""
    at = set(starts)
    i = text.find("Mục tiêu")
    while i >= 0:
        at.add(i)
        i = text.find("Mục tiêu", i + 1)
    lines = set()
    for pos in at:
        end = text.find("\n", pos)
        lines.add((text.rfind("\n", 0, pos) + 1, end if end >= 0 else len(text)))
    return sorted(lines)


def _num(s: str | None):
    if s is None:
        return None
    v = parse_number(s)
    return int(v) if isinstance(v, float) and v.is_integer() else v


@functools.cache
def _indicator_rules() -> tuple[regex.Pattern, regex.Pattern]:
    spec = patterns.load("targets")["indicator"]
    return regex.compile(spec["lead"]), regex.compile(spec["tail"])


_PART_END = regex.compile(r"[;\n]|\.(?!\d)|,(?=[^,;.\n]*?\d)")


def target_indicator(text: str, clause_start: int, q: Quantity, clause_end: int,
                     next_start: int | None = None, after_from: int | None = None) -> str | None:
    """What a target measures (``indicator`` of patterns/targets.json): the phrase before its figure, or,
    when that is only a goal lead ("Phấn đấu trên 50% …"), the phrase after it to the end of its part."""
    lead, tail = _indicator_rules()
    before = text[clause_start : q.start]
    parts = [before.rstrip()[:-1]] if before.rstrip().endswith(":") else _INDICATOR_CUT.split(before)
    # the last part, or the one before it when the last is only a lead ("…, phấn đấu đến năm 2030 đạt 50%")
    for part in (parts[-1], parts[-2] if len(parts) > 1 and q.kind == "percent" else ""):
        part = tail.sub("", lead.sub("", part.strip())).strip(" ,:-")
        if part and not part.isdigit():
            return " ".join(part.split()[-16:])
    after = text[after_from or q.end : next_start if next_start is not None else clause_end]
    if next_start is not None and "," in after:
        after = after[: after.rfind(",")]  # the next figure's part starts at its comma
    stop = _PART_END.search(after)
    after = after[: stop.start()] if stop else after
    if q.kind == "percent":
        after = after.lstrip()
    else:  # the counted noun is the unit and the indicator's head: "02 vùng nuôi thủy sản …"
        after = (q.unit + " " if q.unit and not after.lstrip().startswith(q.unit) else "") + after.lstrip()
        after = after[len(q.unit) :].lstrip() if q.unit and q.kind in ("money", "measure") and after.startswith(q.unit) else after
    after = " ".join(after.split()).strip(" ,:;()")
    if not any(c.isalpha() for c in after):  # "(khoảng 12.173 tỷ đồng)": the part before the parenthesis
        prev = tail.sub("", lead.sub("", parts[-2].strip())).strip(" ,:-(") if len(parts) > 1 else ""
        return " ".join(prev.split()[-16:]) or None
    return after


def _indicator(text: str, start: int, end: int) -> str | None:
    """The words before the figure, after the last colon or comma: what is measured."""
    chunk = text[start:end]
    chunk = _INDICATOR_CUT.split(chunk)[-1]
    chunk = _LEADING_MARKS.sub("", chunk).strip()
    words = chunk.split()
    return " ".join(words[-12:]) or None


def _target(text: str, kind: str, start: int, end: int, page: int, *, indicator=None, value=None, unit=None,
            comparator=None, direction=None, deadline=None, actual=None, planned=None, percent=None,
            from_=None, to=None, value_max=None) -> Target:
    return Target(text=text[start:end], kind=kind, indicator=indicator, value=value, unit=unit, comparator=comparator,
                  direction=direction, deadline=deadline, actual=actual, planned=planned, percent=percent,
                  from_=from_, to=to, start=start, end=end, page=page, value_max=value_max)


__all__ = ["get_targets", "Quantity"]
