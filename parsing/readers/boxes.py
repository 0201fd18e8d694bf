"""Positioned text (PDF characters, OCR boxes) -> words -> lines as :class:`Row` objects.

Characters closer than a fraction of their height join into a word; a wider gap starts a
new cell.  Lines are clusters of words whose vertical centres agree.  Each word keeps
its x-extent so the table interpreter can place numbers under their columns.
"""

from __future__ import annotations

import bisect
import operator
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from parsing.layout import Cell, Row
from parsing.readers.text import PAGE_NUMBER_RE


@dataclass(slots=True)
class Box:
    """A piece of text on a page; y grows downwards (top < bottom)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


def _median_height(boxes: Sequence[Box]) -> float:
    heights = [h for b in boxes if (h := b.bottom - b.top) > 0]
    return statistics.median(heights) if heights else 10.0


_X0 = operator.attrgetter("x0")


def group_lines(boxes: Iterable[Box]) -> list[list[Box]]:
    """Cluster boxes into lines by vertical centre, top to bottom, each sorted by x."""
    keyed = sorted(((b.top + b.bottom) / 2, n, b) for n, b in enumerate(boxes))  # n: stable ties
    if not keyed:
        return []
    tol = _median_height([b for _, _, b in keyed]) * 0.45
    lines: list[list[Box]] = []
    first_yc, _, first = keyed[0]
    current: list[Box] = [first]
    total = centre = first_yc  # running sum: the line's mean centre in O(1) per box
    for yc, _, b in keyed[1:]:
        if abs(yc - centre) <= tol:
            current.append(b)
            total += yc
            centre = total / len(current)
        else:
            lines.append(current)
            current = [b]
            total = centre = yc
    lines.append(current)
    for line in lines:
        line.sort(key=_X0)
    return lines


def join_words(line: Sequence[Box], gap_factor: float = 0.9) -> list[Box]:
    """Merge neighbouring boxes of a line into words; a gap wider than ``gap_factor`` x
    the character height separates cells."""
    words: list[Box] = []
    w: Box | None = None
    for b in line:
        if not b.text.strip():
            continue
        if w is not None:
            h = min(w.bottom - w.top, b.bottom - b.top)
            if b.x0 - w.x1 <= (h if h > 1.0 else 1.0) * gap_factor:
                w.text += b.text
                if b.x1 > w.x1:
                    w.x1 = b.x1
                if b.top < w.top:
                    w.top = b.top
                if b.bottom > w.bottom:
                    w.bottom = b.bottom
                continue
        w = Box(b.text, b.x0, b.x1, b.top, b.bottom)
        words.append(w)
    return words


def rows_from_boxes(boxes: Iterable[Box], page: int, merge: bool = True) -> list[Row]:
    """Lines of one page as rows of positioned cells; page-number lines are dropped."""
    rows: list[Row] = []
    for line in group_lines(boxes):
        words = join_words(line) if merge else [b for b in line if b.text.strip()]
        if not words:
            continue
        text = " ".join(w.text for w in words)
        if PAGE_NUMBER_RE.match(text):
            continue
        cells = [Cell(w.text.strip(), w.x0, w.x1) for w in words]
        rows.append(Row(cells, table=False, page=page, y=statistics.fmean(w.yc for w in words)))
    return rows


def drop_running_lines(pages: Sequence[list[Row]], min_pages: int = 3) -> list[list[Row]]:
    """Remove running headers/footers: the same first or last line on many pages."""
    if len(pages) < min_pages:
        return list(pages)
    counts: dict[str, int] = {}
    for rows in pages:
        for r in rows[:1] + rows[-1:]:
            counts[r.text] = counts.get(r.text, 0) + 1
    running = {t for t, n in counts.items() if n >= max(min_pages, len(pages) // 2 + 1)}
    if not running:
        return list(pages)
    return [[r for i, r in enumerate(rows) if not ((i == 0 or i == len(rows) - 1) and r.text in running)]
            for rows in pages]


@dataclass(slots=True)
class Rules:
    """Ruling lines of a page: horizontal (y, x0, x1) and vertical (x, top, bottom)."""

    horizontal: list[tuple[float, float, float]]
    vertical: list[tuple[float, float, float]]


def _cluster(values: Sequence[float], tol: float) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _merge_cells(rows: Sequence[Row]) -> list[Cell]:
    """Words of several lines of one table row, joined per column (x-overlap), top to bottom."""
    words = sorted((c for r in rows for c in r.cells), key=lambda c: c.x0 or 0.0)
    columns: list[list[Cell]] = []
    for w in words:
        if columns and w.x0 is not None and w.x0 < max(c.x1 or 0.0 for c in columns[-1]) - 0.5:
            columns[-1].append(w)
        else:
            columns.append([w])
    order = {id(c): i for i, r in enumerate(rows) for c in r.cells}
    cells: list[Cell] = []
    for col in columns:
        col.sort(key=lambda c: order[id(c)])
        cells.append(Cell("".join(c.text for c in col), min(c.x0 or 0.0 for c in col), max(c.x1 or 0.0 for c in col)))
    return cells


def merge_table_rows(rows: list[Row], rules: Rules, is_number: Callable[[str], bool]) -> list[Row]:
    """Join the text lines that sit in one table row (between two horizontal rules, with
    vertical rules crossing) into one row, so wrapped labels stay with their numbers.

    Bands holding two or more lines with numbers are left alone (rows without inner
    rules); lines outside tables are untouched.
    """
    if len(rules.horizontal) < 2 or len(rules.vertical) < 2:
        return rows
    ys = _cluster([y for y, _, _ in rules.horizontal], 1.5)
    out: list[Row] = []
    i = 0
    n = len(rows)
    while i < n:
        row = rows[i]
        band = _band_of(row.y, ys, rules) if row.y is not None else None
        if band is None:
            out.append(row)
            i += 1
            continue
        j = i
        while j + 1 < n and (y := rows[j + 1].y) is not None and _band_of(y, ys, rules) == band:
            j += 1
        group = rows[i : j + 1]
        numeric = [r for r in group if any(is_number(c.text) for c in r.cells)]
        if len(group) > 1 and len(numeric) <= 1:
            anchor = numeric[0] if numeric else group[0]
            out.append(Row(_merge_cells(group), table=True, page=row.page, y=anchor.y))
        else:
            for r in group:
                r.table = True
            out.extend(group)
        i = j + 1
    return out


def _band_of(y: float, ys: Sequence[float], rules: Rules) -> tuple[float, float] | None:
    """The table band (between two rules, crossed by vertical rules) holding y."""
    k = bisect.bisect_left(ys, y)
    if k == 0 or k == len(ys) or not ys[k - 1] < y < ys[k]:
        return None
    crossing = 0
    for _, vt, vb in rules.vertical:
        if vt - 1 <= y <= vb + 1:
            crossing += 1
            if crossing >= 2:
                return (ys[k - 1], ys[k])
    return None


def join_page_continuations(pages: list[list[Row]], is_number: Callable[[str], bool]) -> None:
    """A table row broken by a page break: the top row of a page that is a table row
    without numbers continues the last table row of the previous page (in place)."""
    for prev, page in zip(pages, pages[1:], strict=False):
        if not prev or not page:
            continue
        last, first = prev[-1], page[0]
        if not (last.table and first.table) or any(is_number(c.text) for c in first.cells):
            continue
        if not any(is_number(c.text) for c in last.cells):
            continue
        prev[-1] = Row(_merge_cells([last, first]), table=True, page=last.page, y=last.y)
        del page[0]
