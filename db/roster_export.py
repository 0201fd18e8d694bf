"""The registry back as the auditor's sheet, with the last crawl of each agency.

``nianbao registry export -o roster.xlsx`` writes one row per agency in the columns the import
reads (so the sheet can be edited and imported again), the 行政区划 name beside the code, and
what the last crawl saw: the 年报 columns it found, the reports found, or why the site was
unreachable.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Agency, AgencyCrawl, CrawlRun, Document
from db.regions import region_name
from db.registry import AgencySpec, Registry
from db.spreadsheet import strings_not_formulas

HEADER = ["序号", "标识", "单位名称", "类型", "行政区划代码", "区划名称", "上级单位", "网站", "年报栏目", "起报年度", "名单状态",
          "最近抓取", "抓取结果", "找到的年报栏目", "本次找到年报", "已存年报年度"]
KIND_LABELS = {"government": "政府", "department": "部门", "township": "乡镇（街道）"}
_OUTCOMES = {"ok": "正常", "unreachable": "无法访问"}


def column_urls(columns: list[Any] | None) -> list[str]:
    """AgencyCrawl.columns as URLs (a list of URLs today; dicts with a url once proofs land)."""
    out = []
    for c in columns or []:
        url = c.get("url") if isinstance(c, dict) else c
        if isinstance(url, str):
            out.append(url)
    return out


def last_crawls(session: Session) -> dict[str, AgencyCrawl]:
    """The latest AgencyCrawl of each agency."""
    latest = (select(AgencyCrawl.agency_id, func.max(AgencyCrawl.id).label("id")).group_by(AgencyCrawl.agency_id)
              .subquery())
    rows = session.scalars(select(AgencyCrawl).join(latest, AgencyCrawl.id == latest.c.id))
    return {r.agency_id: r for r in rows}


def registry_from_db(session: Session) -> Registry:
    """The registry as last synced into the database (inactive agencies as vanished)."""
    specs = [AgencySpec(id=a.id, name=a.name, kind=a.kind, site=a.site, region=a.region, parent=a.parent_id,
                        start_urls=tuple(a.start_urls or ()), hosts=tuple(a.hosts or ()), deadline=a.deadline,
                        since=a.since, status="active" if a.active else "vanished")
             for a in session.scalars(select(Agency).order_by(Agency.id))]
    return Registry(specs)


def export_rows(session: Session | None, registry: Registry) -> list[list[Any]]:
    """The sheet's rows (header first)."""
    crawls = last_crawls(session) if session is not None else {}
    years: dict[str, list[int]] = {}
    runs: dict[int, Any] = {}
    if session is not None:
        for aid, year in session.execute(select(Document.agency_id, Document.year).where(
                Document.kind == "page", Document.removed_at.is_(None), Document.year.is_not(None)).distinct()):
            if year is not None:  # never None (the query says so); the check tells the type checker
                years.setdefault(aid, []).append(year)
        runs = {r.id: r.started_at for r in session.scalars(select(CrawlRun))}
    names = {a.id: a.name for a in registry.agencies}
    out: list[list[Any]] = [list(HEADER)]
    found: int | str
    for n, a in enumerate(registry.agencies, start=1):
        c = crawls.get(a.id)
        if c is None:
            when, result, cols, found = "", "未抓取", "", ""
        else:
            started = runs.get(c.run_id)
            when = started.strftime("%Y-%m-%d %H:%M") if started else ""
            result = _OUTCOMES.get(c.outcome, c.outcome) + (f"：{c.reason}" if c.reason else "")
            cols = "\n".join(column_urls(c.columns)) or "未找到年报栏目"
            found = c.reports_found
        out.append([n, a.id, a.name, KIND_LABELS.get(a.kind, a.kind), a.region or "", region_name(a.region) or "",
                    names.get(a.parent or "", a.parent or ""), a.site, "\n".join(a.start_urls), a.since or "",
                    "已从名单消失" if a.status == "vanished" else "在册", when, result, cols, found,
                    "、".join(str(y) for y in sorted(set(years.get(a.id, [])))) or ""])
    return out


def to_xlsx(rows: list[list[Any]], title: str = "单位名录") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    widths = [6, 24, 30, 12, 14, 12, 24, 36, 40, 10, 12, 17, 24, 40, 12, 20]
    for i, w in enumerate(widths):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        row[4].number_format = "@"  # codes stay text
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions
    strings_not_formulas(wb)  # a name or URL beginning with "=" is text, not a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
