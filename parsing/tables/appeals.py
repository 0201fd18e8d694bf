"""Table 四: 行政复议、行政诉讼 -> 3 groups x 5 cells (15 cells in one data row)."""

from __future__ import annotations

from collections.abc import Sequence

from parsing.labels import APPEAL_CELLS, APPEAL_GROUPS, APPEAL_HEADER_WORDS
from parsing.layout import Cell, Row
from parsing.model import TableResult
from parsing.normalize import is_blank_text, is_numeric_text, norm_label
from parsing.tables.rows import place_values, split_row, values_to_numbers

WIDTH = len(APPEAL_GROUPS) * len(APPEAL_CELLS)
_KEYS = [(g, c) for g in APPEAL_GROUPS for c in APPEAL_CELLS]


def _header_anchors(rows: Sequence[Row]) -> dict[int | None, list[float]]:
    """x-centres of the 15 column headers (结果维持 … 总计 three times), when positioned."""
    found: list[float] = []
    for row in rows:
        for cell in row.cells:
            if cell.xc is None:
                continue
            text = norm_label(cell.text)
            if any(p.fullmatch(text) for _, p in APPEAL_HEADER_WORDS):
                found.append(cell.xc)
    found.sort()
    return {None: found} if len(found) == WIDTH else {}


def read_appeals(rows: Sequence[Row]) -> TableResult:
    """Read table 四: the value cells of the rows with numbers, in reading order."""
    result = TableResult("appeals")
    values: list[Cell] = []
    value_rows: list[list[Cell]] = []
    for row in rows:
        _, cells = split_row(row)
        if any(is_numeric_text(c.text) for c in cells):
            value_rows.append(cells)
            values.extend(cells)
    if not values:
        return result
    # One row of exactly 15 wins over stray numbers elsewhere in the region.
    exact = [r for r in value_rows if len([c for c in r if not is_blank_text(c.text) or True]) == WIDTH]
    cells = exact[-1] if len(exact) >= 1 and len(values) != WIDTH else values
    placed, note = place_values(cells, WIDTH, _header_anchors(rows), None)
    if placed is None:
        result.rows = {g: dict.fromkeys(APPEAL_CELLS) for g in APPEAL_GROUPS}
        result.misaligned.append({"row": "appeals", "cells": [c.text for c in values], "why": note})
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
