"""Rules on one parsed report: arithmetic R1-R5 and content (format, sections, tables,
prose, years).  Pure: a typed report (:class:`parsing.model.Report`) in, drafts out.

One function per finding code, each registered in :mod:`monitor.registry` with its
severity and the data it needs; :func:`judge_report` runs them all in the registry's order.

A rule whose cells are blank is *not assessable*: it is reported as such in the evidence of
TABLE_INCOMPLETE, never as a failure.

Written for the national check (millions of cells): a table's cells are type-checked once,
in bulk (``set(map(type, ...))``), not one function call per cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from monitor.exports.labels import cell_label
from monitor.findings import COLUMN_NAMES, GROUP_NAMES, TABLE_NAMES, Draft
from parsing.labels import OUTCOME_KEYS, PROSE_SUMS, REQUEST_COLUMNS, REQUEST_ROWS
from parsing.model import Report, TableResult

ROW_LABELS = {r.key: r.label for r in REQUEST_ROWS}
APPLICANTS = REQUEST_COLUMNS[:-1]
APPEAL_PARTS = ("upheld", "corrected", "other", "pending")
BALANCE_ROWS = ("new_received", "carried_over", "total", "carried_forward")
SECTION_NAMES = {"一": "一（总体情况）", "二": "二（主动公开）", "三": "三（依申请公开）", "四": "四（复议诉讼）",
                 "五": "五（问题及改进）", "六": "六（其他事项）"}
_YEAR_RE = re.compile(r"((?:19|20)\d{2})")
_NUMBER_TYPES = frozenset((int, float))  # exact types: bool is not a count
_EMPTY: dict[str, Any] = {}
_applicants = itemgetter(*APPLICANTS)


def _num(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES


def _all_num(values: list[Any]) -> bool:
    return set(map(type, values)) <= _NUMBER_TYPES


@dataclass(frozen=True, slots=True)
class Subject:
    """What a report rule judges: the report, its year, and who published it (for messages).

    ``requests`` and ``appeals`` are the rows of tables 三 and 四 with every cell that is not
    a count (blank, text, true/false) as None, so that the arithmetic rules test a row with
    ``None in cells`` and sum it, without a call per cell; when every cell is a number (the
    common case) they are the report's own dicts, not copies.
    """

    report: Report
    year: int
    who: str
    requests: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    layout: str = "2021"
    appeals: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        req, layout = _requests(self.report)
        object.__setattr__(self, "requests", _counts_only(req))
        object.__setattr__(self, "layout", layout)
        object.__setattr__(self, "appeals", _counts_only(_appeals(self.report)))


def _counts_only(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if set(map(type, [v for cells in rows.values() for v in cells.values()])) <= _NUMBER_TYPES:
        return rows
    return {k: {c: (v if type(v) in _NUMBER_TYPES else None) for c, v in cells.items()} for k, cells in rows.items()}


def as_report(report: Report | dict[str, Any]) -> Report:
    """A typed report from either shape (tests and old callers pass the stored JSON)."""
    return report if isinstance(report, Report) else Report.from_json(report)


def _table(report: Report, name: str) -> TableResult | None:
    """The table's body when the report has one (whatever its status says: a table marked
    unreadable may still carry the cells that were read)."""
    t = report.tables.get(name)
    return t if t is not None and (t.rows or t.layout is not None) else None


def _requests(report: Report) -> tuple[dict[str, dict[str, Any]], str]:
    t = _table(report, "requests")
    return (t.rows, t.layout or "2021") if t is not None else ({}, "2021")


def _appeals(report: Report) -> dict[str, dict[str, Any]]:
    t = _table(report, "appeals")
    return t.rows if t is not None else {}


# ---------------------------------------------------------------- arithmetic R1-R5
def balance(s: Subject) -> list[Draft]:
    """R1: per applicant column, 本年新收 + 上年结转 = 办理结果总计 + 结转下年度."""
    req = s.requests
    if not req:
        return []
    out = []
    a_row, b_row, c_row, d_row = (req.get(k) or _EMPTY for k in BALANCE_ROWS)
    for col in REQUEST_COLUMNS:
        cells: tuple[Any, ...] = (a_row.get(col), b_row.get(col), c_row.get(col), d_row.get(col))
        a, b, c, d = cells
        if None not in (a, b, c, d) and a + b != c + d:
            out.append(Draft("BALANCE", f"{s.who}表三“{COLUMN_NAMES[col]}”列：本年新收{a}+上年结转{b}≠办理结果总计{c}+结转下年度{d}（相差{a + b - c - d}）",
                             {"rule": "R1", "column": col, "new_received": a, "carried_over": b, "total": c,
                              "carried_forward": d, "difference": a + b - c - d}, detail=col))
    return out


def outcome_total(s: Subject) -> list[Draft]:
    """R2: per column, the outcome leaves sum to 办理结果总计 (the leaves of the report's layout)."""
    req = s.requests
    if not req:
        return []
    out = []
    leaves = OUTCOME_KEYS.get(s.layout, OUTCOME_KEYS["2021"])
    leaf_rows = [req.get(k) or _EMPTY for k in leaves]
    totals = req.get("total") or _EMPTY
    for col in REQUEST_COLUMNS:
        c = totals.get(col)
        values: list[Any] = [r.get(col) for r in leaf_rows]
        if c is not None and None not in values and sum(values) != c:
            out.append(Draft("OUTCOME_TOTAL", f"{s.who}表三“{COLUMN_NAMES[col]}”列各项办理结果合计{sum(values)}，与“总计”{c}不符",
                             {"rule": "R2", "column": col, "sum": sum(values), "total": c,
                              "cells": dict(zip(leaves, values, strict=True))}, detail=col))
    return out


def applicant_total(s: Subject) -> list[Draft]:
    """R3: per row of table 三, the applicant columns sum to 总计."""
    out = []
    for key, cells in s.requests.items():
        try:
            parts = _applicants(cells)  # a tuple, in C: most rows have every column
        except KeyError:
            parts = tuple(map(cells.get, APPLICANTS))
        total = cells.get("total")
        if total is not None and None not in parts and sum(parts) != total:
            out.append(Draft("APPLICANT_TOTAL", f"{s.who}表三“{ROW_LABELS.get(key, key)}”行各类申请人合计{sum(parts)}，与“总计”{total}不符",
                             {"rule": "R3", "row": key, "sum": sum(parts), "total": total,
                              "cells": dict(zip(APPLICANTS, parts, strict=True))}, detail=key))
    return out


def appeal_total(s: Subject) -> list[Draft]:
    """R4: per group of table 四, 维持 + 纠正 + 其他 + 尚未审结 = 总计."""
    out = []
    for group, cells in s.appeals.items():
        parts: list[Any] = list(map(cells.get, APPEAL_PARTS))
        total = cells.get("total")
        if total is not None and None not in parts and sum(parts) != total:
            out.append(Draft("APPEAL_TOTAL", f"{s.who}表四{GROUP_NAMES.get(group, group)}：结果维持、结果纠正、其他结果、尚未审结合计{sum(parts)}，与“总计”{total}不符",
                             {"rule": "R4", "group": group, "sum": sum(parts), "total": total,
                              "cells": dict(_appeals(s.report)[group])},
                             detail=group))
    return out


def not_assessable(report: Report) -> list[str]:
    """The arithmetic rules R1-R4 that blank or non-numeric cells leave unjudged, in rule order."""
    out: list[str] = []
    req, layout = _requests(report)
    if req:
        leaves = OUTCOME_KEYS.get(layout, OUTCOME_KEYS["2021"])
        for col in REQUEST_COLUMNS:
            if not _all_num([(req.get(k) or _EMPTY).get(col) for k in BALANCE_ROWS]):
                out.append(f"R1 {col}")
            c = (req.get("total") or _EMPTY).get(col)
            if not (_num(c) and _all_num([(req.get(k) or _EMPTY).get(col) for k in leaves])):
                out.append(f"R2 {col}")
        out += [f"R3 {key}" for key, cells in req.items()
                if not (_num(cells.get("total")) and _all_num(list(map(cells.get, APPLICANTS))))]
    out += [f"R4 {group}" for group, cells in _appeals(report).items()
            if not (_num(cells.get("total")) and _all_num(list(map(cells.get, APPEAL_PARTS))))]
    return out


def _value_cells(report: Report) -> list[tuple[str, str, str, Any]]:
    """(table, row, column, value) of every count R5 judges (本年增/减 may be negative, money decimal)."""
    cells: list[tuple[str, str, str, Any]] = []
    req, _ = _requests(report)
    for key, row in req.items():
        cells += [("requests", key, c, v) for c, v in row.items()]
    for group, row in _appeals(report).items():
        cells += [("appeals", group, c, v) for c, v in row.items()]
    active = _table(report, "active")
    for key, row in (active.rows if active is not None else _EMPTY).items():
        cells += [("active", key, c, v) for c, v in row.items() if c not in ("change", "amount")]
    return cells


def _clean_counts(report: Report) -> bool:
    """Every count is an int >= 0 (the common case, decided in bulk)."""
    req, _ = _requests(report)
    values = [v for row in req.values() for v in row.values()]
    values += [v for row in _appeals(report).values() for v in row.values()]
    active = _table(report, "active")
    if active is not None:
        values += [v for row in active.rows.values() for c, v in row.items() if c not in ("change", "amount")]
    return set(map(type, values)) <= {int} and (not values or min(values) >= 0)


def bad_value(s: Subject) -> list[Draft]:
    """R5: counts are non-negative integers; a cell the parser could not read as a number too."""
    out: list[Draft] = []
    if not _clean_counts(s.report):
        for table, row, col, v in _value_cells(s.report):
            if _num(v) and (v < 0 or (isinstance(v, float) and not v.is_integer())):
                out.append(Draft("BAD_VALUE", f"{s.who}{cell_label(table, row, col)}数值异常：{v}",
                                 {"rule": "R5", "table": table, "row": row, "column": col, "value": v},
                                 detail=f"{table}.{row}.{col}"))
    for table, t in s.report.tables.items():
        for e in t.cell_errors:
            out.append(Draft("BAD_VALUE", f"{s.who}{cell_label(table, e['row'], e['column'])}无法识别为数字：“{e['raw']}”",
                             {"rule": "R5", "table": table, "row": e["row"], "column": e["column"], "raw": e["raw"]},
                             detail=f"{table}.{e['row']}.{e['column']}"))
    return out


# ---------------------------------------------------------------- content
def format_outdated(s: Subject) -> list[Draft]:
    """From the 2021 report on, the 2021 tables (not the 2019 ones, not none)."""
    fmt = s.report.format
    if s.year >= 2021 and fmt in ("2019", "none"):
        labels = {"2019": "本年新制作数量/上一年项目数量等2019年版表头", "none": "无标准表格"}[fmt]
        return [Draft("FORMAT_OUTDATED", f"{s.who}未使用2021年版年报格式（{labels}）",
                      {"format": fmt, "expected": "2021", "decided_by": labels})]
    return []


def section_missing(s: Subject) -> list[Draft]:
    """The six parts of the national template (一 to 六)."""
    sections = s.report.sections
    missing = [n for n in "一二三四五六" if n not in sections]
    if missing and s.year >= 2019:
        return [Draft("SECTION_MISSING", f"{s.who}缺少第{'、'.join(missing)}部分",
                      {"missing": missing, "present": sections})]
    return []


def table_missing(s: Subject) -> list[Draft]:
    """Tables not found, or only as pictures that cannot be read."""
    if s.year < 2019:
        return []
    gone = {name: t.status for name, t in s.report.tables.items() if t.status in ("not_found", "unreadable")}
    if not gone:
        return []
    why = {t: ("图片或扫描件，无法读取" if st == "unreadable" else "未找到") for t, st in gone.items()}
    return [Draft("TABLE_MISSING", f"{s.who}缺少{'、'.join(TABLE_NAMES[t] for t in gone)}（"
                  + "；".join(f"{TABLE_NAMES[t]}{w}" for t, w in why.items()) + "）",
                  {"tables": gone, "why": why})]


def _incomplete(report: Report) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name in ("active", "requests", "appeals"):
        t = _table(report, name)
        if t is None:
            continue
        blanks = [f"{r}/{c}" for r, cells in t.rows.items() for c, v in cells.items() if v is None]
        misaligned = [m.get("row") for m in t.misaligned]
        if blanks or t.missing_rows or misaligned:
            summary = []
            if t.missing_rows:
                summary.append(f"缺{len(t.missing_rows)}行")
            if misaligned:
                summary.append(f"{len(misaligned)}行错位")
            if blanks:
                summary.append(f"{len(blanks)}个空白单元格")
            out[name] = {"missing_rows": t.missing_rows, "misaligned_rows": misaligned, "blank_cells": blanks[:60],
                         "blank_count": len(blanks), "summary": summary}
    return out


def table_incomplete(s: Subject) -> list[Draft]:
    """Rows missing or misaligned, cells blank: with the arithmetic rules this leaves unjudged."""
    incomplete = _incomplete(s.report)
    if not incomplete:
        return []
    what = "；".join(f"{TABLE_NAMES[t]}" + "、".join(v["summary"]) for t, v in incomplete.items())
    return [Draft("TABLE_INCOMPLETE", f"{s.who}表格不完整：{what}",
                  {"tables": incomplete, "rules_not_assessable": not_assessable(s.report)})]


def _table_value(report: Report, key: str) -> int | None:
    if key in PROSE_SUMS:  # a compound statement: the sum of its cells, when all are numbers
        table, rows, cols = PROSE_SUMS[key]
        body = _requests(report)[0] if table == "requests" else _appeals(report)
        cells: list[Any] = [(body.get(r) or _EMPTY).get(c) for r in rows for c in cols]
        return sum(cells) if cells and _all_num(cells) else None
    req, app = _requests(report)[0], _appeals(report)
    if key.startswith("requests."):
        _, row, col = key.split(".")
        v = req.get(row, _EMPTY).get(col)
        return v if _num(v) else None
    if key == "appeals.review.total":
        v = app.get("review", _EMPTY).get("total")
        return v if _num(v) else None
    if key == "appeals.litigation.total":
        a: Any = app.get("litigation_direct", _EMPTY).get("total")
        b: Any = app.get("litigation_after_review", _EMPTY).get("total")
        return a + b if _num(a) and _num(b) else None
    return None


_PROSE_NAMES = {"requests.new_received.total": "收到申请", "requests.granted.total": "予以公开",
                "requests.partially_granted.total": "部分公开", "requests.carried_forward.total": "结转下年度",
                "appeals.review.total": "行政复议", "appeals.litigation.total": "行政诉讼",
                "requests.granted_and_partial.total": "予以公开及部分公开", "requests.denied_all.total": "不予公开",
                "requests.unavailable_all.total": "无法提供", "requests.not_processed_all.total": "不予处理",
                "appeals.review.not_upheld": "行政复议均获维持，未维持（纠正、其他结果、尚未审结）",
                "appeals.litigation.not_upheld": "行政诉讼均获维持，未维持（纠正、其他结果、尚未审结）"}


def _prose(report: Report | dict[str, Any], who: str) -> list[Draft]:
    """H3: a number the text states equals the table's cell (or sum of cells)."""
    report = as_report(report)
    out = []
    for p in report.prose_numbers:
        table = _table_value(report, p.key)
        if table is not None and table != p.value:
            parts = p.key.split(".")
            name = _PROSE_NAMES.get(p.key) or (cell_label(parts[0], parts[1], parts[2] if len(parts) > 2 else None)
                                               if len(parts) >= 2 else p.key)
            out.append(Draft("PROSE_MISMATCH", f"{who}正文称{name}{p.value}件，表格为{table}件",
                             {"rule": "H3", "sentence": p.sentence, "stated": p.value, "cell": p.key, "table": table},
                             detail=p.key))
    return out


def prose_mismatch(s: Subject) -> list[Draft]:
    return _prose(s.report, s.who)


def year_mismatch(s: Subject) -> list[Draft]:
    """H5: the title's year and the statistics period are the report's year."""
    ty, period = s.report.title_year, s.report.statistics_period
    m = _YEAR_RE.search(period) if period else None
    py = int(m.group(1)) if m else None
    bad = {k: v for k, v in {"title": ty, "statistics_period": py}.items() if v is not None and v != s.year}
    if bad:
        return [Draft("YEAR_MISMATCH", f"{s.who}标题年份{ty or '—'}、统计期限{py or '—'}与报告年度{s.year}不一致",
                      {"rule": "H5", "report_year": s.year, "title_year": ty, "statistics_period": period})]
    return []


# ---------------------------------------------------------------- the document itself
def has_tables(report: Report) -> bool:
    return any(_table(report, name) is not None for name in report.tables)


def unreadable(report: Report) -> bool:
    return any(t.status == "unreadable" for t in report.tables.values())


def wrong_document(report: Report | dict[str, Any] | None, who: str, title: str | None) -> list[Draft]:
    """WRONG_DOCUMENT: the page titled as the report (with its attachments) is something else."""
    if report is None:
        return [Draft("WRONG_DOCUMENT", f"{who}页面无法解析为年度报告",
                      {"why": "no parsable document", "why_cn": "页面及附件均无法解析", "title": title})]
    report = as_report(report)
    if unreadable(report):
        return []
    if not has_tables(report) and len(report.sections) < 3:
        why = report.error or "neither the report's sections nor its tables are in the page or its attachments"
        why_cn = f"页面及附件中只有{len(report.sections)}个年报章节，且没有年报表格"
        return [Draft("WRONG_DOCUMENT", f"{who}标题为年度报告的页面实为其他文件（{why_cn}）",
                      {"why": why, "why_cn": why_cn, "title": title})]
    return []


# ---------------------------------------------------------------- the old entry points
def arithmetic(report: Report | dict[str, Any], who: str, year: int = 0) -> tuple[list[Draft], list[str]]:
    """R1-R5 in their order; returns the failures and the rules that were not assessable."""
    s = Subject(as_report(report), year, who)
    drafts = balance(s) + outcome_total(s) + applicant_total(s) + appeal_total(s) + bad_value(s)
    return drafts, not_assessable(s.report)


def content(report: Report | dict[str, Any], year: int, who: str, not_assessable: list[str] | None = None) -> list[Draft]:
    """FORMAT_OUTDATED, SECTION_MISSING, TABLE_MISSING, TABLE_INCOMPLETE, PROSE_MISMATCH, YEAR_MISMATCH."""
    s = Subject(as_report(report), year, who)
    return [d for f in (format_outdated, section_missing, table_missing, table_incomplete, prose_mismatch,
                        year_mismatch) for d in f(s)]
