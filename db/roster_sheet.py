"""Read an office's roster sheet (.xlsx or .csv) into rows keyed by field, with positions.

Auditors' sheets vary: a title row merged across the top, headers merged over two rows
(``单位信息`` above ``单位名称``/``类型``), header variants (单位名称/机构名称, 网站/网址/门户网站…),
blank rows, numbers stored as numbers.  The header row is found as the first of the top
rows that names at least two known fields; a second header row under it completes it.
Every value keeps its sheet row and column letter so that errors point at the cell.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# field -> header texts auditors use (compared without blanks, brackets' content kept)
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("标识", "ID", "编码标识", "单位标识", "系统标识"),
    "name": ("单位名称", "机构名称", "单位全称", "部门名称", "名称", "单位", "责任单位", "机构"),
    "kind": ("类型", "单位类别", "单位类型", "类别", "机构类型", "层级"),
    "region": ("行政区划代码", "区划代码", "行政区划编码", "区划编码", "行政区划", "行政区代码"),
    "parent": ("上级单位", "所属政府", "上级机关", "所属单位", "主管单位", "上级", "所属地区政府"),
    "site": ("网站", "网址", "门户网站", "网站地址", "网站网址", "政府网站", "门户网站网址", "主页"),
    "column": ("年报栏目", "年报栏目地址", "年报栏目网址", "年度报告栏目", "年报栏目链接"),
    "since": ("起报年度", "首个年报年度"),
    "status": ("名单状态",),  # written by registry export: 在册 | 已从名单消失
}
_NORMALIZED = {re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", h)).lower(): f
               for f, hs in HEADERS.items() for h in hs}
HEADER_SCAN_ROWS = 10


class SheetError(ValueError):
    """The file cannot be read as a roster (one line, for the CLI)."""


@dataclass(slots=True)
class SheetRow:
    row: int                      # 1-based row number in the sheet
    values: dict[str, str]        # field -> text (stripped; empty cells absent)
    columns: dict[str, str]       # field -> column letter


@dataclass(slots=True)
class Sheet:
    source: str
    rows: list[SheetRow]
    headers: dict[str, str] = field(default_factory=dict)   # field -> the header text used
    columns: dict[str, str] = field(default_factory=dict)   # field -> column letter
    ignored: list[str] = field(default_factory=list)        # header texts not understood


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_field(text: str) -> str | None:
    key = re.sub(r"[\s*＊:：]", "", unicodedata.normalize("NFKC", str(text))).lower()
    key = re.sub(r"[（(].*?[)）]$", "", key) if key not in _NORMALIZED else key  # 网站（网址）
    return _NORMALIZED.get(key)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a region code typed as a number
    return str(value).strip()


def _grid_xlsx(path: Path, sheet: str | None) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=False, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise SheetError(f"{path}: 不是可读的 Excel 工作簿（{type(exc).__name__}: {exc}）") from exc
    if sheet is not None and sheet not in wb.sheetnames:
        raise SheetError(f"{path}: 没有名为“{sheet}”的工作表（有：{'、'.join(wb.sheetnames)}）")
    ws = wb[sheet] if sheet else wb.worksheets[0]
    grid = [[_cell_text(c) for c in row] for row in ws.iter_rows(values_only=True)]
    for rng in ws.merged_cells.ranges:  # a merged cell's value stands for every cell it covers
        top = grid[rng.min_row - 1][rng.min_col - 1] if rng.min_row - 1 < len(grid) else ""
        for r in range(rng.min_row - 1, min(rng.max_row, len(grid))):
            for c in range(rng.min_col - 1, rng.max_col):
                while len(grid[r]) <= c:
                    grid[r].append("")
                grid[r][c] = top
    return grid


def _grid_xls(path: Path, sheet: str | None) -> list[list[str]]:
    """An old .xls workbook (xlrd; merged ranges need formatting_info)."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except Exception as exc:  # xlrd raises its own and struct errors for a bad file
        raise SheetError(f"{path}: 不是可读的 Excel 97-2003 工作簿（{exc}）") from exc
    names = book.sheet_names()
    if sheet is not None and sheet not in names:
        raise SheetError(f"{path}: 没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
    ws = book.sheet_by_name(sheet) if sheet else book.sheet_by_index(0)
    grid = [[_cell_text(ws.cell_value(r, c)) for c in range(ws.ncols)] for r in range(ws.nrows)]
    for r0, r1, c0, c1 in ws.merged_cells:
        for r in range(r0, r1):
            for c in range(c0, c1):
                grid[r][c] = grid[r0][c0]
    return grid


def _grid_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SheetError(f"{path}: 无法识别的文字编码")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:  # one column, or too little text to tell
        dialect = csv.excel
    return [[_cell_text(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]


def read_sheet(path: str | Path, sheet: str | None = None) -> Sheet:
    """The roster's rows; raises :class:`SheetError` when no header row names a 单位名称."""
    p = Path(path)
    if not p.is_file():
        raise SheetError(f"{p}: 文件不存在")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _grid_xlsx(p, sheet)
    elif suffix == ".xls":
        grid = _grid_xls(p, sheet)
    elif suffix in (".csv", ".tsv", ".txt"):
        grid = _grid_csv(p)
    else:
        raise SheetError(f"{p}: 只支持 .xlsx、.xls 或 .csv 名单（另存为其中一种即可）")
    header_row, mapping, texts = None, {}, {}
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        found = {c: f for c, v in enumerate(row) if v and (f := header_field(v))}
        if len(set(found.values())) >= 2 and "name" in found.values():
            header_row = r
            mapping = {c: f for c, f in found.items()}
            texts = {c: row[c] for c in found}
            break
    if header_row is None:
        raise SheetError(f"{p}: 前{HEADER_SCAN_ROWS}行中找不到表头（需要“单位名称”或“机构名称”等列）")
    last_header = header_row
    # a second header row: headers merged above sub-headers (单位信息 | 单位名称 …)
    for r in range(header_row + 1, min(header_row + 3, len(grid))):
        found = {c: f for c, v in enumerate(grid[r]) if v and (f := header_field(v))}
        if len(found) < 2:
            break
        for c, f in found.items():
            mapping[c] = f
            texts[c] = grid[r][c]
        last_header = r
    # the same field twice (merged 网站 over 网站/年报栏目): keep the first column of each
    columns: dict[str, int] = {}
    for c in sorted(mapping):
        columns.setdefault(mapping[c], c)
    ignored = [grid[last_header][c] for c in range(len(grid[last_header]))
               if grid[last_header][c] and c not in columns.values() and c not in mapping]
    rows = []
    for r in range(last_header + 1, len(grid)):
        row = grid[r]
        values = {f: row[c] for f, c in columns.items() if c < len(row) and row[c]}
        if not values:
            continue  # a blank row
        rows.append(SheetRow(r + 1, values, {f: column_letter(c) for f, c in columns.items()}))
    return Sheet(str(p), rows, {f: texts[c] for f, c in columns.items()},
                 {f: column_letter(c) for f, c in columns.items()}, ignored)
