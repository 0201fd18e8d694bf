"""Turning rows of cells into labelled value rows, format-independently.

A data row is "label cells, then value cells".  Labels may be split over several
rows (PDF line wraps, vertical one-character group labels), so rows without values
accumulate as pending label text that is prepended to the next row with values.
Labels are then matched against the canonical patterns in ``parsing.labels``; the
match that ends last in the label wins (the leaf label sits closest to the numbers,
group labels and headers before it).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from parsing.layout import Cell, Row
from parsing.normalize import is_blank_text, is_numeric_text, norm_label, parse_cell

_TOKEN_SPLIT_RE = re.compile(r"[ \u3000\u00a0]+")


@dataclass(slots=True)
class LabelledRow:
    """A row with values: its label (joined, normalised), the raw label and the value cells."""

    label: str
    raw_label: str
    values: list[Cell]
    page: int | None = None
    y: float | None = None
    own_label: str = ""  # the label cells of this row alone (normalised), without pending text
    pending: str = ""  # label text carried over from rows without values (normalised)


def _is_value(text: str) -> bool:
    return is_numeric_text(text) or is_blank_text(text)


def split_row(row: Row) -> tuple[list[Cell], list[Cell]]:
    """Split a row into (label cells, value cells).

    Value cells are the cells after the last cell that is neither a number nor blank.
    A one-cell text line is split on whitespace when it ends in numbers
    ("行政处罚 3985758", "一、本年新收… 3001 53 0 0 61 4 3119").
    """
    cells = row.cells
    if len(cells) == 1 and not row.table:
        cell = cells[0]
        tokens = [t for t in _TOKEN_SPLIT_RE.split(cell.text.strip()) if t]
        k = len(tokens)
        while k > 0 and is_numeric_text(tokens[k - 1]):
            k -= 1
        if k == len(tokens):
            return [cell], []
        label = " ".join(tokens[:k])
        return ([Cell(label)] if label else []), [Cell(t) for t in tokens[k:]]
    last_label = -1
    for i, c in enumerate(cells):
        if not _is_value(c.text):
            last_label = i
    return list(cells[: last_label + 1]), list(cells[last_label + 1 :])


def labelled_rows(
    rows: Sequence[Row], is_key: Callable[[str], bool] = lambda _label: False
) -> tuple[list[LabelledRow], str]:
    """Group rows into labelled value rows; returns them and the trailing pending label.

    A table row whose cells are all blank is a data row only when ``is_key`` accepts its
    own label (a row of blanks, e.g. an empty 总计 row); otherwise it is a header.
    """
    out: list[LabelledRow] = []
    pending: list[str] = []
    for row in rows:
        label_cells, values = split_row(row)
        label_text = "".join(c.text for c in label_cells)
        has_number = any(is_numeric_text(v.text) for v in values)
        blank_data_row = bool(row.table and values and label_text and is_key(norm_label(label_text)))
        if not has_number and not blank_data_row:
            if label_text:
                pending.append(label_text)
            continue
        raw = "".join(pending) + label_text
        out.append(LabelledRow(norm_label(raw), raw, values, row.page, row.y,
                               own_label=norm_label(label_text), pending=norm_label("".join(pending))))
        pending = []
    return out, "".join(pending)


def keys_in(label: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> list[str]:
    """Every key whose pattern occurs in ``label``, in order of first occurrence."""
    hits: list[tuple[int, str]] = []
    for key, pattern in patterns:
        m = pattern.search(label)
        if m:
            hits.append((m.start(), key))
    return [k for _, k in sorted(hits)]


def best_match(label: str, patterns: Sequence[tuple[str, re.Pattern[str]]]) -> str | None:
    """The key whose pattern match ends last in ``label`` (ties: the longer match)."""
    best: tuple[int, int, str] | None = None
    for key, pattern in patterns:
        for m in pattern.finditer(label):
            cand = (m.end(), m.end() - m.start(), key)
            if best is None or cand[:2] > best[:2]:
                best = cand
    return best[2] if best else None


def column_anchors(rows: Sequence[LabelledRow], width: int) -> dict[int | None, list[float]]:
    """Median x-centre of each value column, per page and overall (key None).

    Learned from rows that have exactly ``width`` positioned numeric cells.  Used to put
    the numbers of a row with blank (invisible) cells under the right columns.
    """
    per_page: dict[int | None, list[list[float]]] = {}
    for r in rows:
        nums = [c for c in r.values if c.xc is not None and is_numeric_text(c.text)]
        if len(nums) == width:
            per_page.setdefault(r.page, []).append([c.xc for c in nums if c.xc is not None])
            per_page.setdefault(None, []).append([c.xc for c in nums if c.xc is not None])
    return {
        page: [statistics.median(col) for col in zip(*samples, strict=True)]
        for page, samples in per_page.items()
    }


def place_values(
    cells: Sequence[Cell],
    width: int,
    anchors: dict[int | None, list[float]],
    page: int | None,
    verify_order: bool = False,
) -> tuple[list[str | None] | None, str | None]:
    """Assign value cells to ``width`` columns; returns (texts per column, note).

    * more cells than columns: leading/trailing blank cells are dropped (rowspan/colspan
      leftovers), else misaligned;
    * exactly ``width``: in order; with ``verify_order`` (cells gathered from several
      lines) two positioned cells under one column make it misaligned (a wrapped number);
    * fewer: by position when possible (the missing cells are blank), else ``None`` -
      misaligned, never shifted into place.
    """
    cells = list(cells)
    while len(cells) > width and is_blank_text(cells[0].text):
        cells.pop(0)
    while len(cells) > width and is_blank_text(cells[-1].text):
        cells.pop()
    if len(cells) > width:
        return None, f"{len(cells)} cells for {width} columns"
    anchor = anchors.get(page) or anchors.get(None)
    positioned = bool(anchor) and all(c.xc is not None for c in cells)
    by_position = _by_position(cells, anchor, width) if positioned and anchor else None
    if len(cells) == width:
        if verify_order and positioned and by_position is None:
            return None, f"{width} cells but two under one column (wrapped or shifted cell)"
        return [c.text for c in cells], None
    if by_position is not None:
        return by_position, f"{width - len(cells)} blank cell(s) placed by position"
    return None, f"{len(cells)} cells for {width} columns"


def _by_position(cells: Sequence[Cell], anchor: Sequence[float], width: int) -> list[str | None] | None:
    spacing = min((b - a for a, b in zip(anchor, anchor[1:], strict=False)), default=50.0)
    out: list[str | None] = [None] * width
    for c in cells:
        if is_blank_text(c.text) or c.xc is None:  # (the caller passes positioned cells only)
            continue
        xc: float = c.xc
        idx = min(range(width), key=lambda i: abs(anchor[i] - xc))
        if abs(anchor[idx] - xc) > spacing * 0.6 or out[idx] is not None:
            return None
        out[idx] = c.text
    return out


def values_to_numbers(texts: Sequence[str | None]) -> tuple[list[int | float | None], list[str], list[str]]:
    """Parse placed cell texts: (numbers or None, raw texts, errors per unparseable cell)."""
    numbers: list[int | float | None] = []
    raws: list[str] = []
    errors: list[str] = []
    for t in texts:
        cv = parse_cell(t)
        numbers.append(cv.value)
        raws.append(cv.raw)
        if cv.error:
            errors.append(f"{cv.raw!r}: {cv.error}")
    return numbers, raws, errors
