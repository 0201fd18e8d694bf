"""Positioned text (PDF characters, OCR boxes) -> words -> lines as :class:`Row` objects.

Characters closer than a fraction of their height join into a word; a wider gap starts a
new cell.  Lines are clusters of words whose vertical centres agree.  Each word keeps
its x-extent so the table interpreter can place numbers under their columns.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
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
    heights = [b.height for b in boxes if b.height > 0]
    return statistics.median(heights) if heights else 10.0


def group_lines(boxes: Iterable[Box]) -> list[list[Box]]:
    """Cluster boxes into lines by vertical centre, top to bottom, each sorted by x."""
    items = sorted(boxes, key=lambda b: b.yc)
    if not items:
        return []
    tol = _median_height(items) * 0.45
    lines: list[list[Box]] = []
    current: list[Box] = [items[0]]
    centre = items[0].yc
    for b in items[1:]:
        if abs(b.yc - centre) <= tol:
            current.append(b)
            centre = statistics.fmean(x.yc for x in current)
        else:
            lines.append(current)
            current = [b]
            centre = b.yc
    lines.append(current)
    for line in lines:
        line.sort(key=lambda b: b.x0)
    return lines


def join_words(line: Sequence[Box], gap_factor: float = 0.9) -> list[Box]:
    """Merge neighbouring boxes of a line into words; a gap wider than ``gap_factor`` x
    the character height separates cells."""
    words: list[Box] = []
    for b in line:
        if not b.text.strip():
            continue
        if words:
            w = words[-1]
            h = max(min(w.height, b.height), 1.0)
            if b.x0 - w.x1 <= h * gap_factor:
                w.text += b.text
                w.x1 = max(w.x1, b.x1)
                w.top = min(w.top, b.top)
                w.bottom = max(w.bottom, b.bottom)
                continue
        words.append(Box(b.text, b.x0, b.x1, b.top, b.bottom))
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
