"""The audit list of non-publishing agencies (``nianbao audit``) and its formats.

One row per agency and year: status (published / late / missing / unreachable / not_due /
unchecked), deadline and the rule behind it, the publication date with its source, days
late, and a link to the report or the evidence of absence (which crawl, when, how many
pages).  Roll-ups count statuses per region and per parent government.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter, defaultdict
from typing import Any

from monitor.check import AgencyYear
from monitor.findings import CONTENT_CODES

STATUS_NAMES = {"published": "按时发布", "late": "逾期发布", "missing": "未发布", "not_found": "未找到，待核实",
                "unreachable": "网站无法访问",
                "not_due": "未到期限", "unchecked": "未检查"}
COLUMNS = ["agency", "name", "kind", "region", "parent", "year", "status", "status_cn", "deadline", "published",
           "source", "days_late", "link", "evidence"]


def audit_rows(results: list[AgencyYear]) -> list[dict[str, Any]]:
    """One row per agency-year (spec/interfaces.md, COMMON.md contract 3): today's keys plus
    ``reason`` (not_found: what was explored and which part of the proof is missing) and
    ``content`` (the report's content findings, 内容问题: code, severity, message)."""
    rows = []
    for r in results:
        st = r.status
        link = st.url or _absence_link(st.evidence)
        content = [{"code": d.code, "severity": d.severity, "message": d.message}
                   for d in r.drafts if d.code in CONTENT_CODES]
        rows.append({
            "agency": r.agency.id, "name": r.agency.name, "kind": r.agency.kind, "region": r.agency.region,
            "parent": r.agency.parent_id, "year": r.year, "status": st.status, "status_cn": STATUS_NAMES[st.status],
            "deadline": r.deadline, "published": st.published, "source": st.source, "days_late": st.days_late,
            "link": link, "evidence": {**st.evidence, "rule": r.rule},
            "reason": st.reason, "content": content,
        })
    return rows


def _absence_link(ev: dict[str, Any]) -> str | None:
    if "crawled" in ev:
        cols = "、".join(ev.get("columns") or []) or "未找到年报栏目"
        return f"第{ev.get('run')}次抓取（{ev['crawled']}）：{ev.get('pages')}个页面；栏目：{cols}"
    if "last_error" in ev:
        return f"自{ev.get('since')}起无法访问：{ev.get('last_error')}"
    return None


def rollups(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Status counts per region and per parent government (e.g. a county's departments)."""
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    by_parent: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        by_region[r["region"] or "(none)"][r["status"]] += 1
        if r["parent"]:
            by_parent[r["parent"]][r["status"]] += 1
    return {"region": {k: dict(v) for k, v in sorted(by_region.items())},
            "parent": {k: dict(v) for k, v in sorted(by_parent.items())}}


def to_json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with BOM so that Excel opens the Chinese text correctly."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([json.dumps(r[c], ensure_ascii=False) if c == "evidence" else ("" if r[c] is None else r[c])
                    for c in COLUMNS])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """One sheet per year, a roll-up sheet; frozen header and filters on every sheet."""
    import openpyxl
    from openpyxl.styles import Font

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_year[r["year"]].append(r)
    for year, items in sorted(by_year.items()):
        ws = wb.create_sheet(f"{year}年")
        ws.append(COLUMNS)
        for r in items:
            ws.append([json.dumps(r[c], ensure_ascii=False) if c == "evidence" else r[c] for c in COLUMNS])
        _finish_sheet(ws, Font)
    ws = wb.create_sheet("汇总")
    statuses = list(STATUS_NAMES)
    ws.append(["by", "key", *statuses])
    for by, groups in rollups(rows).items():
        for key, counts in groups.items():
            ws.append([by, key, *[counts.get(s, 0) for s in statuses]])
    _finish_sheet(ws, Font)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _finish_sheet(ws: Any, font: Any) -> None:
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for cell in ws[1]:
        cell.font = font(bold=True)
    for col in ws.columns:
        width = max(len(str(c.value or "")) for c in col[:200])
        ws.column_dimensions[col[0].column_letter].width = min(60, max(8, width + 2))


def to_html(rows: list[dict[str, Any]], title: str) -> str:
    """A sortable (click a header), printable page."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS if c != "evidence")
    body = []
    for r in rows:
        cells = "".join(f"<td>{html.escape('' if r[c] is None else str(r[c]))}</td>" for c in COLUMNS if c != "evidence")
        body.append(f'<tr class="{r["status"]}">{cells}</tr>')
    roll = rollups(rows)
    statuses = list(STATUS_NAMES)
    roll_rows = "".join(
        f"<tr><td>{by}</td><td>{html.escape(k)}</td>" + "".join(f"<td>{v.get(s, 0)}</td>" for s in statuses) + "</tr>"
        for by, groups in roll.items() for k, v in groups.items())
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;font-size:13px}} table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #999;padding:3px 6px}} th{{background:#eee;cursor:pointer}}
tr.late td{{background:#fff3cd}} tr.missing td{{background:#f8d7da}} tr.unreachable td{{background:#e2e3e5}}
@media print{{th{{cursor:auto}} body{{font-size:10px}}}}</style></head><body>
<h1>{html.escape(title)}</h1><p>{len(rows)} rows. Click a column header to sort.</p>
<table id="audit"><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>汇总</h2><table><tr><th>by</th><th>key</th>{''.join(f'<th>{s}</th>' for s in statuses)}</tr>{roll_rows}</table>
<script>document.querySelectorAll('#audit th').forEach(function(th,i){{th.onclick=function(){{
var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
rows.sort(function(a,b){{var x=a.cells[i].textContent,y=b.cells[i].textContent,nx=parseFloat(x),ny=parseFloat(y);
var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'zh');return asc?c:-c}});rows.forEach(function(r){{tb.appendChild(r)}})}}}});
</script></body></html>"""
