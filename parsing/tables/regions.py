"""Where each table and section sits in the row stream.

Headings (一、总体情况 … 六、其他需要报告的事项) delimit the tables when present.  Real
reports drop or merge headings and text dumps start mid-table, so the boundaries are
also found from content: the first row of table 三 is the first row with values whose
label is a table-三 label, and table 四 starts at its column headers (结果维持, 尚未审结).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from parsing.labels import REQUEST_ROWS, SECTION_NUMERALS, SECTION_PATTERNS
from parsing.layout import Row
from parsing.normalize import norm_label
from parsing.tables.rows import split_row

# Any table-三 row label except the generic ones (总计, 其他…) starts table 三.
_REQUEST_START_RE = re.compile(
    "|".join([r"申请人情况", r"不予公开", r"无法提供", r"不予处理"]
             + [r.pattern.pattern for r in REQUEST_ROWS if r.key not in ("total", "other", "other.other")])
)
_APPEAL_START_RE = re.compile(r"结果维[持护]|尚未审结|未经复议|复议后起诉")
_MAX_HEADING_CHARS = 60


@dataclass(slots=True)
class Regions:
    """Row index ranges [start, end) of the three tables and the headings found."""

    active: tuple[int, int] | None
    requests: tuple[int, int] | None
    appeals: tuple[int, int] | None
    headings: dict[str, int]


def find_headings(rows: Sequence[Row]) -> dict[str, int]:
    """Index of the first row that is each section's heading."""
    found: dict[str, int] = {}
    for i, row in enumerate(rows):
        text = norm_label(row.text)
        if not text or len(text) > _MAX_HEADING_CHARS:
            continue
        for numeral in SECTION_NUMERALS:
            if numeral not in found and SECTION_PATTERNS[numeral].search(text):
                found[numeral] = i
                break
    return found


def _first(rows: Sequence[Row], start: int, end: int, pattern: re.Pattern[str], with_values: bool) -> int | None:
    for i in range(start, end):
        row = rows[i]
        label_cells, values = split_row(row)
        if with_values and not values:
            continue
        text = norm_label("".join(c.text for c in label_cells) if with_values else row.text)
        if pattern.search(text):
            return i
    return None


def find_regions(rows: Sequence[Row]) -> Regions:
    """Locate the three tables; see the module docstring."""
    n = len(rows)
    h = find_headings(rows)
    end_of_report = min((h[k] for k in ("五", "六") if k in h), default=n)

    a_start = h.get("二", 0)
    r_start = h.get("三")
    if r_start is None:
        r_start = _first(rows, a_start, end_of_report, _REQUEST_START_RE, with_values=True)
    p_start = h.get("四")
    if p_start is None or (r_start is not None and p_start < r_start):
        p_start = _first(rows, r_start if r_start is not None else a_start, end_of_report,
                         _APPEAL_START_RE, with_values=False)

    a_end = min(x for x in (r_start, p_start, end_of_report) if x is not None)
    active = (a_start, a_end) if a_end > a_start else None
    requests = None
    if r_start is not None:
        r_end = p_start if p_start is not None and p_start > r_start else end_of_report
        requests = (r_start, r_end)
    appeals = None
    if p_start is not None:
        p_end = end_of_report if end_of_report > p_start else n
        appeals = (p_start, p_end)
    return Regions(active, requests, appeals, h)
