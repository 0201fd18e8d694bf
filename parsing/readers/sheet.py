"""Spreadsheets (XLSX through openpyxl, XLS/ET through xlrd) -> rows.

Some agencies publish the tables as a workbook (one sheet per table, or everything on
one sheet).  Every sheet's rows are read in order; merged areas are blank except their
first cell, which the interpreter handles like any blank label cell.

Bounded whatever a sheet declares: an XLSX's members are checked before reading (zip
bombs, :mod:`parsing.readers.zipguard`); the ``<dimension>`` a sheet claims is ignored
(openpyxl would pad every row to it: ``A1:XFD1048576`` means 16,384 cells a row); rows,
columns and cells read are capped (:data:`MAX_ROWS`, :data:`MAX_COLS`, :data:`MAX_CELLS`).
"""

from __future__ import annotations

import io

from parsing.errors import ParseError
from parsing.layout import Cell, Layout, Row, text_row
from parsing.readers.zipguard import open_package

MAX_ROWS = 20_000
MAX_COLS = 100  # the national tables have 8; a roster-like sheet a few dozen
MAX_CELLS = 400_000  # non-empty cells (and rows) over all sheets


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _rows(values_rows, layout: Layout, budget: list[int]) -> None:
    """Append a sheet's rows; ``budget`` holds the cells still allowed (shared by sheets)."""
    for n, values in enumerate(values_rows):
        if n >= MAX_ROWS:
            layout.warnings.append(f"sheet truncated at {MAX_ROWS} rows")
            break
        if not any(v is not None and v != "" for v in values):
            continue  # an empty row (openpyxl fills gaps up to the last row with them)
        values = values[:MAX_COLS]
        budget[0] -= 1 + sum(1 for v in values if v is not None and v != "")
        if budget[0] < 0:
            layout.warnings.append(f"workbook truncated at {MAX_CELLS} cells")
            break
        cells = [Cell(_cell_text(v)) for v in values]
        while cells and not cells[-1].text:
            cells.pop()
        if not cells:
            continue
        non_empty = [c for c in cells if c.text]
        if len(non_empty) == 1 and cells[0].text and len(cells) == 1:
            layout.rows.append(text_row(cells[0].text))
        else:
            layout.rows.append(Row(cells, table=True))


def read_xlsx(data: bytes) -> Layout:
    import openpyxl

    open_package(data, "xlsx").close()  # refuses a zip bomb before openpyxl inflates anything
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise ParseError(f"broken XLSX: {exc}") from exc
    layout = Layout(rows=[], source_type="xlsx")
    budget = [MAX_CELLS]
    try:
        for ws in wb.worksheets:
            if budget[0] <= 0:
                break
            if not hasattr(ws, "reset_dimensions"):  # a chartsheet: no cells
                continue
            ws.reset_dimensions()  # the declared <dimension> is not trusted
            _rows(ws.iter_rows(values_only=True, max_col=MAX_COLS, max_row=MAX_ROWS + 1), layout, budget)
        if wb.properties and wb.properties.title:
            layout.title_hints.append(wb.properties.title)
    finally:
        wb.close()
    return layout


def read_xls(data: bytes, source_type: str = "xls") -> Layout:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # noqa: BLE001
        raise ParseError(f"broken {source_type.upper()}: {exc}") from exc
    layout = Layout(rows=[], source_type=source_type)
    budget = [MAX_CELLS]
    try:
        for sheet in book.sheets():
            if budget[0] <= 0:
                break
            _rows((sheet.row_values(i, 0, min(sheet.ncols, MAX_COLS)) for i in range(sheet.nrows)), layout, budget)
    finally:
        book.release_resources()
    return layout
