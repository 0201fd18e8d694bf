"""Table 三: 收到和处理政府信息公开申请情况 -> canonical rows x 7 applicant columns."""

from __future__ import annotations

from collections.abc import Sequence

from parsing.labels import REQUEST_COLUMNS, REQUEST_HEADER_WORDS, REQUEST_ROWS
from parsing.layout import Row
from parsing.model import TableResult
from parsing.normalize import is_blank_text, norm_label
from parsing.tables.placement import place
from parsing.tables.rows import (
    best_match,
    column_anchors,
    labelled_rows,
    place_values,
    values_to_numbers,
)

_PATTERNS = [(r.key, r.pattern) for r in REQUEST_ROWS]
_LABELS = {r.key: r.label for r in REQUEST_ROWS}
_LAYOUT_2021_KEYS = {"other.no_correction", "other.unpaid_fee", "other.other"}
_MAX_EXTRA_LABEL = 40
WIDTH = len(REQUEST_COLUMNS)


def expected_keys(layout: str) -> list[str]:
    return [r.key for r in REQUEST_ROWS if layout in r.layouts]


_PARENTS = {"other": "other."}


def _expected_for(found: set[str]) -> list[str]:
    """The template rows for the layout the found keys imply (both when undecided)."""
    if found & _LAYOUT_2021_KEYS:
        return expected_keys("2021")
    if "other" in found:
        return expected_keys("2019")
    return [r.key for r in REQUEST_ROWS]


def header_anchors(rows: Sequence[Row]) -> list[float] | None:
    """x-centres of the 7 column headers (自然人 … 总计), when cells are positioned.

    Used when no row has all 7 numbers printed (blank cells) to learn columns from.
    """
    found: dict[str, float] = {}
    for row in rows:
        for cell in row.cells:
            if cell.xc is None:
                continue
            text = norm_label(cell.text)
            for key, word in REQUEST_HEADER_WORDS:
                # a wrapped header may be cut ("自然" / "人"): a leading fragment counts
                if key not in found and (text == word or (len(text) >= 2 and word.startswith(text))
                                         or (key == "total" and text == "合计")):
                    found[key] = cell.xc
        if len(found) == WIDTH:
            xs = [found[k] for k in REQUEST_COLUMNS]
            return xs if xs == sorted(xs) else None
    return None


def _subtotal_column(rows: Sequence[Row]) -> int | None:
    """Index among 8 value columns of an added 小计 column (after 其他, before 总计)."""
    for row in rows[:12]:
        words = [norm_label(c.text) for c in row.cells if c.text.strip()]
        if "小计" in words or "合计" in words and "总计" in words:
            return len(REQUEST_COLUMNS) - 1
    return None


def read_requests(rows: Sequence[Row], fallback_layout: str | None = None) -> TableResult:
    """Read table 三 from the rows of its region."""
    result = TableResult("requests")
    lrows, _ = labelled_rows(rows, lambda label: best_match(label, _PATTERNS) is not None)
    if not lrows:
        return result
    # Some reports add a 法人或其他组织 小计 column before 总计: not official, kept in extra.
    subtotal_at = _subtotal_column(rows)
    anchors = column_anchors(lrows, WIDTH)
    if None not in anchors:
        headers = header_anchors(rows)
        if headers:
            anchors[None] = headers
    region_text = norm_label("".join(r.text for r in rows))
    for entry in place(lrows, _PATTERNS, _expected_for, region_text, _PARENTS):
        lr = entry.row
        if entry.kind == "extra" or entry.kind == "unlabeled":
            if entry.kind == "unlabeled" or (len(lr.label) <= _MAX_EXTRA_LABEL and entry.why is None):
                result.extra.append({"label": lr.raw_label.strip(), "cells": [c.text for c in lr.values]})
            continue
        for orphan in entry.orphans:
            result.notes.append({"row": orphan, "why": "label found without its numbers", "orphan": True})
        if entry.why is not None:
            for key in entry.keys:
                result.rows[key] = dict.fromkeys(REQUEST_COLUMNS)
                result.raw[key] = {}
                result.labels[key] = lr.raw_label.strip()
                result.misaligned.append({"row": key, "label": lr.raw_label.strip(),
                                          "cells": [c.text for c in lr.values], "why": entry.why})
            continue
        key = entry.keys[0]
        if entry.note:
            result.notes.append({"row": key, "why": entry.note})
        values = list(lr.values)
        if subtotal_at is not None and len(values) == WIDTH + 1:
            cell = values.pop(subtotal_at)
            result.extra.append({"row": key, "column": "legal_person_subtotal", "label": "法人或其他组织小计",
                                 "cells": [cell.text]})
        placed, note = place_values(values, WIDTH, anchors, lr.page)
        result.labels[key] = lr.raw_label.strip()
        if placed is None:
            result.rows[key] = dict.fromkeys(REQUEST_COLUMNS)
            result.raw[key] = {}
            result.misaligned.append(
                {"row": key, "label": lr.raw_label.strip(), "cells": [c.text for c in lr.values], "why": note}
            )
            continue
        numbers, raws, _errors = values_to_numbers(placed)
        result.rows[key] = dict(zip(REQUEST_COLUMNS, numbers, strict=True))
        result.raw[key] = dict(zip(REQUEST_COLUMNS, raws, strict=True))
        for col, raw, num in zip(REQUEST_COLUMNS, raws, numbers, strict=True):
            if num is None and raw and not is_blank_text(raw):
                result.cell_errors.append({"row": key, "column": col, "raw": raw})
        if note and "placed by position" not in note:
            result.misaligned.append({"row": key, "label": lr.raw_label.strip(), "why": note})
    # orphan labels of rows read elsewhere are not notes
    result.notes = [n for n in result.notes if not (n.pop("orphan", False) and n["row"] in result.rows)]

    if not result.rows:
        return result
    keys = set(result.rows)
    if keys & _LAYOUT_2021_KEYS:
        result.layout = "2021"
    elif "other" in keys:
        result.layout = "2019"
    else:
        result.layout = fallback_layout
    # A 2021-format report may keep the 2019 single （六） row: the layout is per table.
    if result.layout:
        expected = expected_keys(result.layout)
        result.rows = {k: result.rows[k] for k in expected if k in result.rows} | {
            k: v for k, v in result.rows.items() if k not in expected
        }
        result.missing_rows = [k for k in expected if k not in result.rows]
    complete = not result.missing_rows and not result.misaligned and result.layout is not None
    result.status = "ok" if complete else "partial"
    return result


def official_label(key: str) -> str:
    return _LABELS.get(key, key)
