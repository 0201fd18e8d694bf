"""Table 二: 主动公开政府信息情况 -> canonical rows, 2019 or 2021 layout."""

from __future__ import annotations

from collections.abc import Sequence

from parsing.labels import ACTIVE_LAYOUT_MARKERS, ACTIVE_ROWS
from parsing.layout import Row
from parsing.model import TableResult
from parsing.normalize import is_blank_text, norm_label
from parsing.tables.rows import best_match, keys_in, labelled_rows, place_values, values_to_numbers

_PATTERNS = [(r.key, r.pattern) for r in ACTIVE_ROWS]
_SPECS = {r.key: r for r in ACTIVE_ROWS}
_MAX_EXTRA_LABEL = 30


def detect_layout(rows: Sequence[Row]) -> str | None:
    """2019 or 2021 from the column headers of table 二 (本年新制作数量 vs 本年制发件数)."""
    text = norm_label(" ".join(r.text for r in rows))
    hits = {layout: len(p.findall(text)) for layout, p in ACTIVE_LAYOUT_MARKERS.items()}
    if hits["2019"] == hits["2021"]:
        return None
    return max(hits, key=lambda k: hits[k])


def read_active(rows: Sequence[Row], fallback_layout: str | None = None) -> TableResult:
    """Read table 二 from the rows of its region."""
    result = TableResult("active")
    layout = detect_layout(rows) or fallback_layout
    lrows, _ = labelled_rows(rows, lambda label: best_match(label, _PATTERNS) is not None)
    for lr in lrows:
        own = [k for k in keys_in(lr.own_label, _PATTERNS) if layout is None or layout in _SPECS[k].columns]
        if len(own) >= 2:  # one label cell names two rows: its numbers could be either's
            for k in own:
                result.rows[k] = dict.fromkeys(_SPECS[k].columns.get(layout or "", ()))
                result.misaligned.append({"row": k, "label": lr.raw_label.strip(), "cells": [c.text for c in lr.values],
                                          "why": f"one label cell names {len(own)} rows ({', '.join(own)})"})
            continue
        remaining = [(k, p) for k, p in _PATTERNS if k not in result.rows]
        key = best_match(lr.label, remaining)
        spec = _SPECS.get(key) if key else None
        if key is None or spec is None or layout is None or layout not in spec.columns:
            is_table_row = len(lr.label) <= _MAX_EXTRA_LABEL and any(
                not is_blank_text(c.text) for c in lr.values
            )
            if is_table_row and (key is not None or best_match(lr.label, _PATTERNS) is None):
                result.extra.append({"label": lr.raw_label.strip(), "cells": [c.text for c in lr.values]})
            continue
        columns = spec.columns[layout]
        result.labels[key] = lr.raw_label.strip()
        placed, note = place_values(lr.values, len(columns), {}, lr.page)
        if placed is None:
            result.rows[key] = dict.fromkeys(columns)
            result.misaligned.append(
                {"row": key, "label": lr.raw_label.strip(), "cells": [c.text for c in lr.values], "why": note}
            )
            continue
        numbers, raws, _ = values_to_numbers(placed)
        result.rows[key] = dict(zip(columns, numbers, strict=True))
        result.raw[key] = dict(zip(columns, raws, strict=True))
        for col, raw, num in zip(columns, raws, numbers, strict=True):
            if num is None and raw and not is_blank_text(raw):
                result.cell_errors.append({"row": key, "column": col, "raw": raw})
    if not result.rows:
        return result
    result.layout = layout
    expected = [r.key for r in ACTIVE_ROWS if layout in r.columns]
    result.missing_rows = [k for k in expected if k not in result.rows]
    result.status = "ok" if not result.missing_rows and not result.misaligned else "partial"
    return result
