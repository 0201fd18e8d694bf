"""Spreadsheets (XLSX through openpyxl, XLS/ET through xlrd) -> rows.

Some agencies publish the tables as a workbook (one sheet per table, or everything on
one sheet).  Every sheet's rows are read in order; merged areas are blank except their
first cell, which the interpreter handles like any blank label cell.
"""

from __future__ import annotations

import io

from parsing.errors import ParseError
from parsing.layout import Cell, Layout, Row, text_row

MAX_ROWS = 20_000


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _rows(values_rows, layout: Layout) -> None:
    for n, values in enumerate(values_rows):
        if n >= MAX_ROWS:
            layout.warnings.append(f"sheet truncated at {MAX_ROWS} rows")
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

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for bad files
        raise ParseError(f"broken XLSX: {exc}") from exc
    layout = Layout(rows=[], source_type="xlsx")
    try:
        for ws in wb.worksheets:
            _rows(ws.iter_rows(values_only=True), layout)
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
    try:
        for sheet in book.sheets():
            _rows((sheet.row_values(i) for i in range(sheet.nrows)), layout)
    finally:
        book.release_resources()
    return layout
