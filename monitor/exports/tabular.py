"""The audit list as CSV (Excel-friendly UTF-8) and as a print-ready XLSX workbook.

XLSX: one sheet per year plus 汇总; a title row stating the time zone, a bold header row
repeated on every printed page, real date cells, clickable links, evidence in words with
wrapped text, A4 landscape fitted to the page width, page numbers in the footer.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from db.spreadsheet import csv_row, strings_not_formulas
from monitor.exports.labels import STATUS_LABELS, STATUS_ORDER, TIME_NOTE, as_date, region_label
from monitor.exports.words import COLUMNS, agency_names, human, link_label
from monitor.rollups import rollups

HEADER_ROW = 2  # row 1 is the title


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM so that Excel opens the Chinese text correctly; Chinese headers; no
    cell a spreadsheet would run as a formula (db.spreadsheet)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([c.title for c in COLUMNS])
    names = agency_names(rows)
    for r in rows:
        h = human(r, names)
        w.writerow(csv_row(["" if h[c.key] is None else h[c.key] for c in COLUMNS]))
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def to_xlsx(rows: list[dict[str, Any]], title: str | None = None) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_year[r["year"]].append(r)
    names = agency_names(rows)
    for year, items in sorted(by_year.items()):
        ws = wb.create_sheet(f"{year}年")
        heading = title or f"{year}年度政府信息公开工作年度报告发布情况"
        ws.append([f"{heading}（{TIME_NOTE}）"])
        ws.append([c.title for c in COLUMNS])
        for r in items:
            h = human(r, names)
            ws.append([_cell(c.kind, h[c.key]) for c in COLUMNS])
            row = ws.max_row
            for i, c in enumerate(COLUMNS, start=1):
                cell = ws.cell(row=row, column=i)
                if c.kind == "date" and cell.value is not None:
                    cell.number_format = "yyyy-mm-dd"
                elif c.kind == "link" and h[c.key]:
                    cell.hyperlink = h[c.key]
                    cell.value = link_label(r)
                    cell.style = "Hyperlink"
        _finish(ws, [c.width for c in COLUMNS], [c.kind == "long" for c in COLUMNS])
    ws = wb.create_sheet("汇总")
    ws.append([f"各地区、各上级政府所属机关发布情况汇总（{TIME_NOTE}）"])
    ws.append(["汇总方式", "地区或上级政府", *[STATUS_LABELS[s] for s in STATUS_ORDER], "合计"])
    roll = rollups(rows)
    for by, label in (("region", "按地区"), ("parent", "按上级政府")):
        for key, counts in roll.get(by, {}).items():
            shown = region_label(key) if by == "region" and key != "(none)" else names.get(key, key)
            shown = "（未填地区）" if key == "(none)" else shown
            ws.append([label, shown, *[counts.get(s, 0) for s in STATUS_ORDER], sum(counts.values())])
    _finish(ws, [10, 24, *[10] * len(STATUS_ORDER), 8], [False] * (3 + len(STATUS_ORDER)))
    strings_not_formulas(wb)  # the program writes no formula: crawled text stays text
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(kind: str, value: Any) -> Any:
    if kind == "date":
        return as_date(value)
    return "" if value is None and kind in ("text", "long") else value


def _finish(ws: Any, widths: list[float], wrap: list[bool]) -> None:
    """Header style, filters, frozen panes, column widths and the A4 landscape print setup."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ncols = len(widths)
    last = get_column_letter(ncols)
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    final: list[float] = []
    for i, base in enumerate(widths, start=1):
        letter = get_column_letter(i)
        values = [str(c.value) for c in ws[letter][HEADER_ROW - 1:200] if c.value is not None]
        fitted = max([_display_width(v) for v in values] + [4]) + 2
        width = min(fitted, base) if wrap[i - 1] else min(max(fitted, 6), max(base, 40))
        ws.column_dimensions[letter].width = width
        final.append(width)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        lines = 1
        for i, cell in enumerate(row):
            long = wrap[i] if i < len(wrap) else False
            centred = HEADER_ROW > 1 and ws.cell(row=HEADER_ROW, column=i + 1).value in ("年度", "类型")
            cell.alignment = Alignment(vertical="top", wrap_text=long, horizontal="center" if centred else None)
            cell.border = border
            if long and cell.value:
                per_line = max(int(final[i] * 0.7) - 1, 1)  # rendered CJK runs wider than the width unit
                lines = max(lines, sum(-(-_display_width(part) // per_line) for part in str(cell.value).split("\n")))
        ws.row_dimensions[row[0].row].height = 15 * min(lines, 12)  # LibreOffice does not grow rows itself
    ws.row_dimensions[HEADER_ROW].height = 30
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(ws.max_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
