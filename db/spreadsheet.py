"""Cells a spreadsheet opens as data, never as formulas (CSV and formula injection).

Crawled text (titles, URLs, messages) ends up in every export.  A CSV cell that begins with
``= + - @`` (or a tab or carriage return, which some spreadsheets skip before looking) is
taken as a formula by Excel, LibreOffice and WPS; such cells get a leading apostrophe, the
neutralisation OWASP recommends, which the spreadsheet shows as plain text.  In XLSX a cell
is only a formula when its type says so: openpyxl types any string that begins with ``=``
as one, so every string cell is typed as a string unless the program wrote the formula.

The one home of this rule: the audit exports (monitor.exports), the dataset
(monitor.dataset), the digest's attachment and the roster export (db.roster_export).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV value that no spreadsheet evaluates: risky text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def strings_not_formulas(workbook: Any) -> int:
    """Type every formula-looking string cell of an (ordinary) openpyxl workbook as text.

    Call it once the workbook is filled, before saving; returns how many cells it changed.
    """
    changed = 0
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
                    changed += 1
    return changed


def write_only_row(ws: Any, values: list[Any]) -> list[Any]:
    """A row for a write-only worksheet's ``append`` whose strings stay strings."""
    from openpyxl.cell import WriteOnlyCell

    out: list[Any] = []
    for v in values:
        if isinstance(v, str) and v.startswith("="):
            cell = WriteOnlyCell(ws, value=v)
            cell.data_type = "s"
            out.append(cell)
        else:
            out.append(v)
    return out
