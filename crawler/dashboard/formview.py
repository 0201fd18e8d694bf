"""The report page's tables laid out like the official form (spec/annual-report.md §4-6),
with each cell's value, raw text, last year's value and the findings that involve it.

A cell is addressed ``table.row.column`` (``requests.total.natural_person``,
``appeals.review.total``, ``active.regulations.in_force``); :func:`involved_cells` maps a
finding's evidence to the cells its rule read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsing.labels import APPEAL_CELLS, OUTCOME_KEYS, REQUEST_COLUMNS, REQUEST_ROWS

ACTIVE_BLOCKS = {
    "2019": [
        ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
         ("new_made", "new_published", "total_published"), [("regulations", "规章"), ("normative_documents", "规范性文件")]),
        ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("previous_items", "change", "decisions"),
         [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]),
        ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"), ("previous_items", "change", "decisions"),
         [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), ("previous_items", "change"), [("fees", "行政事业性收费")]),
        ("第二十条第（九）项", ("采购项目数量", "采购总金额"), ("projects", "amount"), [("procurement", "政府集中采购")]),
    ],
    "2021": [
        ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), ("issued", "repealed", "in_force"),
         [("regulations", "规章"), ("normative_documents", "行政规范性文件")]),
        ("第二十条第（五）项", ("本年处理决定数量",), ("decisions",), [("licensing", "行政许可")]),
        ("第二十条第（六）项", ("本年处理决定数量",), ("decisions",), [("penalty", "行政处罚"), ("coercion", "行政强制")]),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("amount",), [("fees", "行政事业性收费")]),
    ],
}
REQUEST_HEADERS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
GROUP_BEFORE = {"granted": "三、本年度办理结果", "denied.state_secret": "（三）不予公开",
                "unavailable.not_held": "（四）无法提供", "not_processed.petition": "（五）不予处理",
                "other.no_correction": "（六）其他处理"}
APPEAL_GROUPS = (("review", "行政复议"), ("litigation_direct", "未经复议直接起诉"), ("litigation_after_review", "复议后起诉"))
APPEAL_HEADERS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@dataclass(slots=True)
class Cell:
    id: str
    value: Any
    raw: str | None
    previous: Any = None
    has_previous: bool = False
    notes: list[int] = field(default_factory=list)  # indexes into the page's findings list

    @property
    def blank(self) -> bool:
        return self.value is None


def involved_cells(code: str, ev: dict[str, Any]) -> list[str]:
    """The cells a finding's rule read, from its evidence."""
    col, row = ev.get("column"), ev.get("row")
    if code == "BALANCE" and col:
        return [f"requests.{r}.{col}" for r in ("new_received", "carried_over", "total", "carried_forward")]
    if code == "OUTCOME_TOTAL" and col:
        return [f"requests.{r}.{col}" for r in list(ev.get("cells") or {}) + ["total"]]
    if code == "APPLICANT_TOTAL" and row:
        return [f"requests.{row}.{c}" for c in REQUEST_COLUMNS]
    if code == "APPEAL_TOTAL" and ev.get("group"):
        return [f"appeals.{ev['group']}.{c}" for c in APPEAL_CELLS]
    if code == "BAD_VALUE" and ev.get("table"):
        return [f"{ev['table']}.{row}.{col}"]
    if code == "CARRYOVER_MISMATCH":
        return ["requests.carried_over.total"]
    if code == "IN_FORCE_DRIFT" and row:
        return [f"active.{row}.{c}" for c in ("issued", "repealed", "in_force")]
    if code == "PROSE_MISMATCH" and ev.get("cell"):
        key = ev["cell"]
        if key == "appeals.litigation.total":
            return ["appeals.litigation_direct.total", "appeals.litigation_after_review.total"]
        return [key]
    return []


def _get(report: dict[str, Any] | None, table: str, row: str, col: str) -> tuple[Any, bool]:
    t = ((report or {}).get("tables") or {}).get(table)
    if not t:
        return None, False
    rows = t if table == "appeals" else t.get("rows") or {}
    cells = rows.get(row)
    if cells is None or col not in cells:
        return None, False
    return cells[col], True


def _raw(report: dict[str, Any], table: str, row: str, col: str) -> str | None:
    v = (((report.get("cells_raw") or {}).get(table) or {}).get(row) or {}).get(col)
    return None if v is None else str(v)


def _cell(report: dict[str, Any], prev: dict[str, Any] | None, table: str, row: str, col: str) -> Cell:
    value, _ = _get(report, table, row, col)
    pv, has = _get(prev, table, row, col)
    return Cell(f"{table}.{row}.{col}", value, _raw(report, table, row, col), pv, has)


def layout(report: dict[str, Any], prev: dict[str, Any] | None) -> dict[str, Any]:
    """The three tables as rows of cells, in the order of the official form."""
    tables = report.get("tables") or {}
    out: dict[str, Any] = {"status": report.get("table_status") or {}}
    active = tables.get("active")
    if active:
        lay = active.get("layout") if active.get("layout") in ACTIVE_BLOCKS else "2021"
        blocks = []
        for title, headers, cols, specs in ACTIVE_BLOCKS[lay]:
            blocks.append({"title": title, "headers": headers,
                           "rows": [(label, [_cell(report, prev, "active", key, c) for c in cols]) for key, label in specs]})
        out["active"] = {"layout": lay, "blocks": blocks, "extra": active.get("extra") or []}
    requests = tables.get("requests")
    if requests:
        lay = requests.get("layout") or "2021"
        keys = set(OUTCOME_KEYS.get(lay, OUTCOME_KEYS["2021"])) | {"new_received", "carried_over", "total", "carried_forward"}
        rows: list[dict[str, Any]] = []
        for spec in REQUEST_ROWS:
            if spec.key not in keys:
                continue
            if spec.key in GROUP_BEFORE:
                rows.append({"group": GROUP_BEFORE[spec.key]})
            rows.append({"label": spec.label, "key": spec.key,
                         "cells": [_cell(report, prev, "requests", spec.key, c) for c in REQUEST_COLUMNS]})
        out["requests"] = {"layout": lay, "headers": REQUEST_HEADERS, "rows": rows}
    if tables.get("appeals"):
        out["appeals"] = {"groups": APPEAL_GROUPS, "headers": APPEAL_HEADERS,
                          "cells": [_cell(report, prev, "appeals", g, c) for g, _ in APPEAL_GROUPS for c in APPEAL_CELLS]}
    return out


def attach_findings(view: dict[str, Any], findings: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Mark every cell involved in a finding with the finding's number; returns cell -> numbers."""
    marks: dict[str, list[int]] = {}
    for i, f in enumerate(findings):
        for cid in involved_cells(f["code"], f.get("evidence") or {}):
            marks.setdefault(cid, []).append(i)
    cells: list[Cell] = []
    for block in (view.get("active") or {}).get("blocks", []):
        for _, row in block["rows"]:
            cells += row
    for row in (view.get("requests") or {}).get("rows", []):
        cells += row.get("cells", [])
    cells += (view.get("appeals") or {}).get("cells", [])
    for c in cells:
        c.notes = marks.get(c.id, [])
    return marks
