"""Table 四: 行政复议、行政诉讼 -> 3 groups x 5 cells (15 cells in one data row)."""

from __future__ import annotations

from collections.abc import Sequence

from parsing.labels import APPEAL_CELLS, APPEAL_GROUPS
from parsing.layout import Cell, Row
from parsing.model import TableResult
from parsing.normalize import is_blank_text, is_numeric_text, norm_label
from parsing.tables.rows import place_values, split_row, values_to_numbers

WIDTH = len(APPEAL_GROUPS) * len(APPEAL_CELLS)
_KEYS = [(g, c) for g in APPEAL_GROUPS for c in APPEAL_CELLS]


_HEADER_CHARS = frozenset("结果维持护纠正其他尚未末审结总计")  # 末: OCR misreads 未


def _header_anchors(rows: Sequence[Row]) -> dict[int | None, list[float]]:
    """x-centres of the 15 column headers (结果维持 … 总计, three times), when positioned.

    Narrow merged header cells wrap ("结果" / "维持"), so any short fragment made of
    header characters counts, and fragments are clustered by x into columns.
    """
    xs: list[float] = []
    for row in rows:
        _, values = split_row(row)
        if any(is_numeric_text(c.text) for c in values):
            break
        for cell in row.cells:
            text = norm_label(cell.text)
            if cell.xc is not None and 0 < len(text) <= 4 and set(text) <= _HEADER_CHARS:
                xs.append(cell.xc)
    columns: list[list[float]] = []
    for x in sorted(xs):
        if columns and x - columns[-1][-1] <= 4.0:
            columns[-1].append(x)
        else:
            columns.append([x])
    if len(columns) != WIDTH:
        return {}
    return {None: [sum(c) / len(c) for c in columns]}


def read_appeals(rows: Sequence[Row]) -> TableResult:
    """Read table 四: 15 value cells, from one row, from three 5-cell rows (the groups
    printed as three small tables), or placed under the 15 column headers by position."""
    result = TableResult("appeals")
    value_rows: list[list[Cell]] = []
    for row in rows:
        _, cells = split_row(row)
        if any(is_numeric_text(c.text) for c in cells):
            value_rows.append(cells)
    if not value_rows:
        return result
    full = [r for r in value_rows if len(r) == WIDTH]
    gathered = False
    if full:
        cells = full[-1]
    elif len(value_rows) == len(APPEAL_GROUPS) and all(len(r) == len(APPEAL_CELLS) for r in value_rows):
        cells = [c for r in value_rows for c in r]
    else:
        cells = [c for r in value_rows for c in r if not is_blank_text(c.text) or c.xc is None]
        gathered = len(value_rows) > 1
    placed, note = place_values(cells, WIDTH, _header_anchors(rows), None, verify_order=gathered)
    if placed is None:
        result.rows = {g: dict.fromkeys(APPEAL_CELLS) for g in APPEAL_GROUPS}
        result.misaligned.append({"row": "appeals", "cells": [c.text for c in cells], "why": note})
        result.status = "partial"
        return result
    numbers, raws, _ = values_to_numbers(placed)
    for (group, cell), num, raw in zip(_KEYS, numbers, raws, strict=True):
        result.rows.setdefault(group, {})[cell] = num
        result.raw.setdefault(group, {})[cell] = raw
        if num is None and raw and not is_blank_text(raw):
            result.cell_errors.append({"row": group, "column": cell, "raw": raw})
    result.status = "ok"
    return result
