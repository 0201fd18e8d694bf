"""A dataset for researchers (``nianbao export``): every stored table in long form.

Three tables, each written as CSV, XLSX or Parquet into one folder, with a
``columns.csv`` (and README.md) that documents every column:

* ``cells``: one row per cell of every stored report's tables (the latest version of
  each page or attachment): agency, region, year, table, row, column, value, the cell's
  text as printed, source URL, sha256, the parse warnings;
* ``agency_years``: one row per agency and year with its publication status and findings;
* ``findings``: every finding, with its evidence as JSON.

A cell that could not be placed is null (``value``) with its printed text kept, never a guess.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Document, DocumentVersion, Finding
from db.regions import region_name
from db.spreadsheet import csv_cell, write_only_row
from monitor.exports.labels import (
    CELL_LABELS,
    CODE_LABELS,
    ROW_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    TABLE_LABELS,
    beijing,
)
from monitor.registry import SEVERITY

# name -> (type, description); the types are Arrow's (string, int64, float64, bool)
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "cells": {
        "agency_id": ("string", "机关代码（登记册中的编号）"), "agency_name": ("string", "机关名称"),
        "region": ("string", "行政区划代码"), "region_name": ("string", "地区名称（无名称表时为代码）"),
        "year": ("int64", "报告年度"), "table": ("string", "表格代码：`active` 表二、`requests` 表三、`appeals` 表四"),
        "table_name": ("string", "表格中文名"), "row": ("string", "行代码（见 `parsing/labels.py`）"),
        "row_name": ("string", "行的中文名"), "column": ("string", "列代码"), "column_name": ("string", "列的中文名"),
        "value": ("float64", "数值；无法确定的单元格为空（不猜测）"), "raw_text": ("string", "报告中印出的单元格文字"),
        "layout": ("string", "表格版式（2019 或 2021 年版）"), "source_url": ("string", "报告或附件的网址"),
        "sha256": ("string", "所解析文件内容的 SHA-256"), "fetched_at": ("string", "抓取时间（北京时间）"),
        "document_kind": ("string", "`page` 网页、`attachment` 附件"),
        "parse_warnings": ("string", "解析警告，分号分隔"),
    },
    "agency_years": {
        "agency_id": ("string", "机关代码"), "agency_name": ("string", "机关名称"), "kind": ("string", "机关类型代码"),
        "region": ("string", "行政区划代码"), "region_name": ("string", "地区名称"), "parent_id": ("string", "上级政府代码"),
        "year": ("int64", "报告年度"), "status": ("string", "发布情况代码（`published`、`late`、`missing`、`not_found`、`unreachable`、`not_due`、`unchecked`）"),
        "status_name": ("string", "发布情况中文"), "deadline": ("string", "法定期限（`YYYY-MM-DD`）"),
        "published": ("string", "认定的发布日期"), "date_source": ("string", "发布日期依据代码"),
        "days_late": ("int64", "逾期天数"), "url": ("string", "报告网址"),
        "finding_codes": ("string", "该年度的问题代码，分号分隔"), "findings": ("int64", "问题数"),
    },
    "findings": {
        "key": ("string", "问题的稳定编号"), "agency_id": ("string", "机关代码"), "year": ("int64", "报告年度"),
        "code": ("string", "问题代码（见 `spec/findings.md`）"), "code_name": ("string", "问题中文名"),
        "severity": ("string", "严重程度代码"), "severity_name": ("string", "严重程度中文"),
        "status": ("string", "`open` 未解决、`resolved` 已解决、`dismissed` 已忽略、`computed` 计算所得尚未入库"),
        "message": ("string", "问题说明"), "evidence": ("string", "证据（JSON）"),
        "first_seen": ("string", "首次发现（北京时间）"),
    },
}
FORMATS = ("csv", "xlsx", "parquet")


def _versions(session: Session) -> Iterator[tuple[Any, Any]]:
    """(document row, latest version row) of every document with a parse result; Core rows,
    in chunks, without the texts: a large database is streamed, not loaded."""
    from sqlalchemy import func

    d, v = Document.__table__, DocumentVersion.__table__
    latest = [r[0] for r in session.execute(select(func.max(v.c.id)).group_by(v.c.document_id).order_by(v.c.document_id))]
    for k in range(0, len(latest), 500):
        q = (select(d.c.agency_id, d.c.year, d.c.url, d.c.kind, v.c.sha256, v.c.fetched_at, v.c.report)
             .join(v, v.c.document_id == d.c.id).where(v.c.id.in_(latest[k:k + 500])).order_by(v.c.id))
        for row in session.execute(q):
            if row.report:
                yield row, row


def _cells(report: dict[str, Any]) -> Iterator[tuple[str, str | None, str, str, Any, str | None]]:
    """(table, layout, row, column, value, raw text) of every cell of a report."""
    tables = report.get("tables") or {}
    raw = report.get("cells_raw") or {}
    for name in ("active", "requests", "appeals"):
        t = tables.get(name)
        if not t:
            continue
        rows = t if name == "appeals" else (t.get("rows") or {})
        layout = None if name == "appeals" else t.get("layout")
        for row, cells in rows.items():
            for col, value in (cells or {}).items():
                printed = ((raw.get(name) or {}).get(row) or {}).get(col)
                yield name, layout, row, col, value, printed


def cell_rows(session: Session) -> list[dict[str, Any]]:
    agencies = {a.id: a for a in session.scalars(select(Agency))}
    out = []
    for doc, v in _versions(session):
        a = agencies.get(doc.agency_id)
        warnings = "；".join(str(w) for w in (v.report or {}).get("warnings") or [])
        for table, layout, row, col, value, printed in _cells(v.report or {}):
            number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
            out.append({
                "agency_id": doc.agency_id, "agency_name": a.name if a else None, "region": a.region if a else None,
                "region_name": region_name(a.region) if a else None, "year": doc.year,
                "table": table, "table_name": TABLE_LABELS.get(table), "row": row, "row_name": ROW_LABELS.get(row, row),
                "column": col, "column_name": CELL_LABELS.get(col, col), "value": number,
                "raw_text": None if printed is None else str(printed), "layout": layout, "source_url": doc.url,
                "sha256": v.sha256, "fetched_at": beijing(v.fetched_at), "document_kind": doc.kind,
                "parse_warnings": warnings,
            })
    return out


def agency_year_rows(results: list[Any], audit_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    codes: dict[tuple[str, int], list[str]] = defaultdict(list)
    for r in results:
        codes[(r.agency.id, r.year)] = sorted({d.code for d in r.drafts})
    parents = {r.agency.id: r.agency.parent_id for r in results}
    out = []
    for row in audit_rows:
        c = codes.get((row["agency"], row["year"]), [])
        out.append({
            "agency_id": row["agency"], "agency_name": row.get("name"), "kind": row.get("kind"),
            "region": row.get("region"), "region_name": region_name(row.get("region")),
            "parent_id": parents.get(row["agency"]), "year": row["year"], "status": row.get("status"),
            "status_name": STATUS_LABELS.get(row.get("status") or ""), "deadline": row.get("deadline"),
            "published": row.get("published"), "date_source": row.get("source"),
            "days_late": row.get("days_late"), "url": row.get("link") if str(row.get("link") or "").startswith(("http", "file")) else None,
            "finding_codes": "；".join(c), "findings": len(c),
        })
    return out


def finding_rows(session: Session, results: list[Any]) -> list[dict[str, Any]]:
    from monitor.findings import finding_key

    stored = {f.key: f for f in session.scalars(select(Finding))}
    out = []
    for r in results:
        for d in r.drafts:
            key = finding_key(r.agency.id, r.year, d.code, d.detail)
            f = stored.get(key)
            out.append({
                "key": key, "agency_id": r.agency.id, "year": r.year, "code": d.code,
                "code_name": CODE_LABELS.get(d.code, d.code), "severity": SEVERITY[d.code],
                "severity_name": SEVERITY_LABELS.get(SEVERITY[d.code]), "status": f.status if f else "computed",
                "message": d.message, "evidence": json.dumps(d.evidence, ensure_ascii=False, sort_keys=True, default=str),
                "first_seen": beijing(f.first_seen) if f else None,
            })
    return out


def build(session: Session, as_of: date) -> dict[str, list[dict[str, Any]]]:
    """The three tables as lists of dicts (column order of :data:`COLUMNS`)."""
    from monitor import audit
    from monitor.check import assess_all

    results = assess_all(session, as_of)
    rows = audit.audit_rows(results)
    return {"cells": cell_rows(session), "agency_years": agency_year_rows(results, rows),
            "findings": finding_rows(session, results)}


def write(tables: dict[str, list[dict[str, Any]]], out_dir: Path, fmt: str) -> list[Path]:
    """Write each table and the column notes; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [_write_one(name, rows, out_dir, fmt) for name, rows in tables.items()]
    written += _write_notes(out_dir, fmt)
    return written


def _write_one(name: str, rows: list[dict[str, Any]], out_dir: Path, fmt: str) -> Path:
    cols = list(COLUMNS[name])
    if fmt == "csv":
        import csv

        path = out_dir / f"{name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, cols)
            w.writeheader()
            w.writerows({k: csv_cell(v) for k, v in r.items()} for r in rows)
        return path
    if fmt == "xlsx":
        import openpyxl

        path = out_dir / f"{name}.xlsx"
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(name)
        ws.append(cols)
        for r in rows:
            ws.append(write_only_row(ws, [r.get(c) for c in cols]))
        wb.save(path)
        return path
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64()}
        schema = pa.schema([pa.field(c, types[t], metadata={"description": d}) for c, (t, d) in COLUMNS[name].items()])
        table = pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()
        path = out_dir / f"{name}.parquet"
        pq.write_table(table, path)
        return path
    raise ValueError(fmt)


def _write_notes(out_dir: Path, fmt: str) -> list[Path]:
    import csv

    notes = out_dir / "columns.csv"
    with notes.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "column", "type", "description"])
        for name, cols in COLUMNS.items():
            for col, (typ, desc) in cols.items():
                w.writerow([f"{name}.{fmt}", col, typ, desc])
    readme = out_dir / "README.md"
    lines = ["# 政府信息公开工作年度报告数据集", "", "由 `nianbao export` 生成。时间均为北京时间。", "",
             "- `cells`：各报告三张统计表的每个单元格（长表）；无法确定的单元格数值为空，保留原文。",
             "- `agency_years`：每个机关每个年度一行：发布情况与问题。", "- `findings`：全部问题及其证据。",
             "- `columns.csv`：各列的类型与含义。", ""]
    for name, cols in COLUMNS.items():
        lines += [f"## {name}.{fmt}", "", "| 列 | 类型 | 含义 |", "|---|---|---|"]
        lines += [f"| {c} | {t} | {d} |" for c, (t, d) in cols.items()] + [""]
    readme.write_text("\n".join(lines), encoding="utf-8")
    return [notes, readme]
