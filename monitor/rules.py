"""Rules on one parsed report: arithmetic R1-R5 and content (format, sections, tables,
prose, years).  Pure: report JSON in, drafts out.

A rule whose cells are blank is *not assessable*: it is reported as such in the evidence of
TABLE_INCOMPLETE, never as a failure.
"""

from __future__ import annotations

from typing import Any

from monitor.exports.labels import cell_label
from monitor.findings import COLUMN_NAMES, GROUP_NAMES, TABLE_NAMES, Draft
from parsing.labels import OUTCOME_KEYS, PROSE_SUMS, REQUEST_COLUMNS, REQUEST_ROWS

ROW_LABELS = {r.key: r.label for r in REQUEST_ROWS}
APPLICANTS = REQUEST_COLUMNS[:-1]
SECTION_NAMES = {"一": "一（总体情况）", "二": "二（主动公开）", "三": "三（依申请公开）", "四": "四（复议诉讼）",
                 "五": "五（问题及改进）", "六": "六（其他事项）"}


_NUMBER_TYPES = (int, float)


def _num(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES  # exact types: bool is not a count


def arithmetic(report: dict[str, Any], who: str) -> tuple[list[Draft], list[str]]:
    """R1-R5; returns the failures and the rules that were not assessable."""
    drafts: list[Draft] = []
    not_assessable: list[str] = []
    tables = report.get("tables") or {}
    req = (tables.get("requests") or {}).get("rows") or {}
    if req:
        layout = (tables.get("requests") or {}).get("layout") or "2021"
        leaves = OUTCOME_KEYS.get(layout, OUTCOME_KEYS["2021"])
        for col in REQUEST_COLUMNS:
            name = COLUMN_NAMES[col]
            a, b, c, d = (req.get(k, {}).get(col) for k in ("new_received", "carried_over", "total", "carried_forward"))
            if all(_num(x) for x in (a, b, c, d)):
                if a + b != c + d:
                    drafts.append(Draft("BALANCE", f"{who}表三“{name}”列：本年新收{a}+上年结转{b}≠办理结果总计{c}+结转下年度{d}（相差{a + b - c - d}）",
                                        {"rule": "R1", "column": col, "new_received": a, "carried_over": b, "total": c,
                                         "carried_forward": d, "difference": a + b - c - d}, detail=col))
            else:
                not_assessable.append(f"R1 {col}")
            values = [req.get(k, {}).get(col) for k in leaves]
            if c is not None and all(_num(v) for v in values) and _num(c):
                s = sum(values)
                if s != c:
                    drafts.append(Draft("OUTCOME_TOTAL", f"{who}表三“{name}”列各项办理结果合计{s}，与“总计”{c}不符",
                                        {"rule": "R2", "column": col, "sum": s, "total": c,
                                         "cells": dict(zip(leaves, values, strict=True))}, detail=col))
            else:
                not_assessable.append(f"R2 {col}")
        for key, cells in req.items():
            parts = [cells.get(c) for c in APPLICANTS]
            total = cells.get("total")
            if _num(total) and all(_num(p) for p in parts):
                s = sum(parts)
                if s != total:
                    label = ROW_LABELS.get(key, key)
                    drafts.append(Draft("APPLICANT_TOTAL", f"{who}表三“{label}”行各类申请人合计{s}，与“总计”{total}不符",
                                        {"rule": "R3", "row": key, "sum": s, "total": total,
                                         "cells": dict(zip(APPLICANTS, parts, strict=True))}, detail=key))
            else:
                not_assessable.append(f"R3 {key}")
    appeals = tables.get("appeals") or {}
    for group, cells in appeals.items():
        parts = [cells.get(k) for k in ("upheld", "corrected", "other", "pending")]
        total = cells.get("total")
        if _num(total) and all(_num(p) for p in parts):
            s = sum(parts)
            if s != total:
                drafts.append(Draft("APPEAL_TOTAL", f"{who}表四{GROUP_NAMES.get(group, group)}：结果维持、结果纠正、其他结果、尚未审结合计{s}，与“总计”{total}不符",
                                    {"rule": "R4", "group": group, "sum": s, "total": total, "cells": dict(cells)}, detail=group))
        else:
            not_assessable.append(f"R4 {group}")
    drafts.extend(_bad_values(report, who))
    return drafts, not_assessable


def _bad_values(report: dict[str, Any], who: str) -> list[Draft]:
    """R5: counts are non-negative integers (本年增/减 may be negative, money decimal)."""
    out: list[Draft] = []
    tables = report.get("tables") or {}
    cells: list[tuple[str, str, str, Any]] = []
    for key, row in ((tables.get("requests") or {}).get("rows") or {}).items():
        cells += [("requests", key, c, v) for c, v in row.items()]
    for group, row in (tables.get("appeals") or {}).items():
        cells += [("appeals", group, c, v) for c, v in row.items()]
    for key, row in ((tables.get("active") or {}).get("rows") or {}).items():
        cells += [("active", key, c, v) for c, v in row.items() if c not in ("change", "amount")]
    for table, row, col, v in cells:
        if _num(v) and (v < 0 or (isinstance(v, float) and not v.is_integer())):
            out.append(Draft("BAD_VALUE", f"{who}{cell_label(table, row, col)}数值异常：{v}",
                             {"rule": "R5", "table": table, "row": row, "column": col, "value": v}, detail=f"{table}.{row}.{col}"))
    for table, details in (report.get("table_details") or {}).items():
        for e in details.get("cell_errors") or []:
            out.append(Draft("BAD_VALUE", f"{who}{cell_label(table, e['row'], e['column'])}无法识别为数字：“{e['raw']}”",
                             {"rule": "R5", "table": table, "row": e["row"], "column": e["column"], "raw": e["raw"]},
                             detail=f"{table}.{e['row']}.{e['column']}"))
    return out


def content(report: dict[str, Any], year: int, who: str, not_assessable: list[str]) -> list[Draft]:
    """FORMAT_OUTDATED, SECTION_MISSING, TABLE_MISSING, TABLE_INCOMPLETE, PROSE_MISMATCH, YEAR_MISMATCH."""
    out: list[Draft] = []
    fmt = report.get("format")
    status = report.get("table_status") or {}
    if year >= 2021 and fmt in ("2019", "none"):
        labels = {"2019": "本年新制作数量/上一年项目数量等2019年版表头", "none": "无标准表格"}[fmt]
        out.append(Draft("FORMAT_OUTDATED", f"{who}未使用2021年版年报格式（{labels}）",
                         {"format": fmt, "expected": "2021", "decided_by": labels}))
    sections = report.get("sections") or []
    missing = [n for n in "一二三四五六" if n not in sections]
    if missing and year >= 2019:
        out.append(Draft("SECTION_MISSING", f"{who}缺少第{'、'.join(missing)}部分",
                         {"missing": missing, "present": sections}))
    if year >= 2019:
        gone = {t: s for t, s in status.items() if s in ("not_found", "unreadable")}
        if gone:
            why = {t: ("图片或扫描件，无法读取" if s == "unreadable" else "未找到") for t, s in gone.items()}
            out.append(Draft("TABLE_MISSING", f"{who}缺少{'、'.join(TABLE_NAMES[t] for t in gone)}（"
                             + "；".join(f"{TABLE_NAMES[t]}{w}" for t, w in why.items()) + "）",
                             {"tables": gone, "why": why}))
    incomplete = _incomplete(report)
    if incomplete:
        what = "；".join(f"{TABLE_NAMES[t]}" + "、".join(v["summary"]) for t, v in incomplete.items())
        out.append(Draft("TABLE_INCOMPLETE", f"{who}表格不完整：{what}",
                         {"tables": incomplete, "rules_not_assessable": not_assessable}))
    out.extend(_prose(report, who))
    out.extend(_years(report, year, who))
    return out


def _incomplete(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tables = report.get("tables") or {}
    details = report.get("table_details") or {}
    out: dict[str, dict[str, Any]] = {}
    for name in ("active", "requests", "appeals"):
        t = tables.get(name)
        if not t:
            continue
        rows = t if name == "appeals" else t.get("rows") or {}
        blanks = [f"{r}/{c}" for r, cells in rows.items() for c, v in cells.items() if v is None]
        d = details.get(name) or {}
        missing_rows = d.get("missing_rows") or []
        misaligned = [m.get("row") for m in d.get("misaligned") or []]
        if blanks or missing_rows or misaligned:
            summary = []
            if missing_rows:
                summary.append(f"缺{len(missing_rows)}行")
            if misaligned:
                summary.append(f"{len(misaligned)}行错位")
            if blanks:
                summary.append(f"{len(blanks)}个空白单元格")
            out[name] = {"missing_rows": missing_rows, "misaligned_rows": misaligned, "blank_cells": blanks[:60],
                         "blank_count": len(blanks), "summary": summary}
    return out


def _table_value(report: dict[str, Any], key: str) -> int | None:
    tables = report.get("tables") or {}
    if key in PROSE_SUMS:  # a compound statement: the sum of its cells, when all are numbers
        table, rows, cols = PROSE_SUMS[key]
        body = tables.get(table) or {}
        body = body.get("rows") or {} if table == "requests" else body
        cells: list[Any] = [(body.get(r) or {}).get(c) for r in rows for c in cols]
        return sum(cells) if cells and all(_num(v) for v in cells) else None
    req = (tables.get("requests") or {}).get("rows") or {}
    app = tables.get("appeals") or {}
    if key.startswith("requests."):
        _, row, col = key.split(".")
        v = req.get(row, {}).get(col)
        return v if _num(v) else None
    if key == "appeals.review.total":
        v = app.get("review", {}).get("total")
        return v if _num(v) else None
    if key == "appeals.litigation.total":
        a = app.get("litigation_direct", {}).get("total")
        b = app.get("litigation_after_review", {}).get("total")
        return a + b if _num(a) and _num(b) else None
    return None


_PROSE_NAMES = {"requests.new_received.total": "收到申请", "requests.granted.total": "予以公开",
                "requests.partially_granted.total": "部分公开", "requests.carried_forward.total": "结转下年度",
                "appeals.review.total": "行政复议", "appeals.litigation.total": "行政诉讼",
                "requests.granted_and_partial.total": "予以公开及部分公开", "requests.denied_all.total": "不予公开",
                "requests.unavailable_all.total": "无法提供", "requests.not_processed_all.total": "不予处理",
                "appeals.review.not_upheld": "行政复议均获维持，未维持（纠正、其他结果、尚未审结）",
                "appeals.litigation.not_upheld": "行政诉讼均获维持，未维持（纠正、其他结果、尚未审结）"}


def _prose(report: dict[str, Any], who: str) -> list[Draft]:
    out = []
    for p in report.get("prose_numbers") or []:
        table = _table_value(report, p["key"])
        if table is not None and table != p["value"]:
            parts = p["key"].split(".")
            name = _PROSE_NAMES.get(p["key"]) or (cell_label(parts[0], parts[1], parts[2] if len(parts) > 2 else None)
                                                  if len(parts) >= 2 else p["key"])
            out.append(Draft("PROSE_MISMATCH", f"{who}正文称{name}{p['value']}件，表格为{table}件",
                             {"rule": "H3", "sentence": p["sentence"], "stated": p["value"], "cell": p["key"], "table": table},
                             detail=p["key"]))
    return out


def _years(report: dict[str, Any], year: int, who: str) -> list[Draft]:
    ty = report.get("title_year")
    period = report.get("statistics_period")
    py = None
    if period:
        import re

        m = re.search(r"((?:19|20)\d{2})", period)
        py = int(m.group(1)) if m else None
    bad = {k: v for k, v in {"title": ty, "statistics_period": py}.items() if v is not None and v != year}
    if bad:
        return [Draft("YEAR_MISMATCH", f"{who}标题年份{ty or '—'}、统计期限{py or '—'}与报告年度{year}不一致",
                      {"rule": "H5", "report_year": year, "title_year": ty, "statistics_period": period})]
    return []
