"""The audit list as one HTML page: sortable on screen, printable on A4 landscape.

Column widths are fixed (a name never wraps two characters a line), the header repeats on
every printed page, dates sort as dates and numbers as numbers (``data-sort``).
"""

from __future__ import annotations

import html
from typing import Any

from monitor.exports.labels import STATUS_LABELS, STATUS_ORDER, TIME_NOTE, counts_text, region_label
from monitor.exports.words import agency_names, human
from monitor.rollups import rollups

# (key, header, width in % of the A4 landscape line, sort type)
PAGE_COLUMNS = [("name", "机关名称", 17, "text"), ("region", "地区", 8, "text"), ("year", "年度", 5, "num"),
                ("status", "发布情况", 8, "text"), ("deadline", "法定期限", 8, "date"),
                ("published", "发布日期", 8, "date"), ("days_late", "逾期天数", 5, "num"),
                ("evidence", "证据", 25, "text"), ("content", "内容问题", 16, "text")]

_CSS = """@page{size:A4 landscape;margin:10mm 8mm}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;font-size:13px;margin:16px}
h1{font-size:20px;margin:0 0 4px} p.note{color:#444;margin:0 0 8px}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:8px 0}
td,th{border:1px solid #999;padding:3px 5px;vertical-align:top;overflow-wrap:anywhere}
th{background:#e8e8e8;cursor:pointer;white-space:nowrap}
td.n{text-align:right;white-space:nowrap} td.d{white-space:nowrap} td.name{word-break:keep-all;overflow-wrap:anywhere}
small{color:#666} a{color:#0645ad}
tr.late td{background:#fff3cd} tr.missing td{background:#f8d7da} tr.not_found td{background:#e7f1ff} tr.unreachable td{background:#e2e3e5}
thead{display:table-header-group} tr{page-break-inside:avoid;break-inside:avoid}
@media print{body{font-size:10px;margin:0} th{cursor:auto} h1{font-size:15px} a{color:inherit;text-decoration:none}}"""

_SORT_JS = """document.querySelectorAll('table.sortable th').forEach(function(th,i){th.onclick=function(){
var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),asc=th.dataset.asc!=='1',t=th.dataset.type;th.dataset.asc=asc?'1':'0';
rows.sort(function(a,b){var x=a.cells[i].dataset.sort||a.cells[i].textContent,y=b.cells[i].dataset.sort||b.cells[i].textContent,c;
if(t==='num'){c=(parseFloat(x)||-1e9)-(parseFloat(y)||-1e9)}else{c=x.localeCompare(y,'zh')}return asc?c:-c});
rows.forEach(function(r){tb.appendChild(r)})}});"""


def _td(key: str, value: Any, h: dict[str, Any], kind: str) -> str:
    text = "" if value is None else str(value)
    if key == "name":
        return (f'<td class="name" data-sort="{html.escape(text)}">{html.escape(text)}'
                f'<br><small>{html.escape(str(h["agency"] or ""))}</small></td>')
    if key == "evidence":
        link = h.get("link")
        a = f' <a href="{html.escape(link)}">［{h["link_label"]}］</a>' if link else ""
        return f"<td>{html.escape(text)}{a}</td>"
    cls = {"num": ' class="n"', "date": ' class="d"'}.get(kind, "")
    return f'<td{cls} data-sort="{html.escape(text)}">{html.escape(text)}</td>'


def to_html(rows: list[dict[str, Any]], title: str) -> str:
    names = agency_names(rows)
    cols = "".join(f'<col style="width:{w}%">' for _, _, w, _ in PAGE_COLUMNS)
    head = "".join(f'<th data-type="{t}">{html.escape(label)}</th>' for _, label, _, t in PAGE_COLUMNS)
    body = []
    for r in rows:
        h = human(r, names)
        cells = "".join(_td(k, h[k], h, t) for k, _, _, t in PAGE_COLUMNS)
        body.append(f'<tr class="{html.escape(str(r.get("status") or ""))}">{cells}</tr>')
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("status") or ""] = counts.get(r.get("status") or "", 0) + 1
    summary = counts_text(counts)
    roll = rollups(rows)
    roll_rows = []
    for by, label in (("region", "按地区"), ("parent", "按上级政府")):
        for key, v in roll.get(by, {}).items():
            shown = "（未填地区）" if key == "(none)" else (region_label(key) if by == "region" else names.get(key, key))
            roll_rows.append(f"<tr><td>{label}</td><td>{html.escape(shown)}</td>"
                             + "".join(f'<td class="n">{v.get(s, 0)}</td>' for s in STATUS_ORDER)
                             + f'<td class="n">{sum(v.values())}</td></tr>')
    roll_head = "".join(f"<th>{STATUS_LABELS[s]}</th>" for s in STATUS_ORDER)
    return f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="note">共{len(rows)}个机关年度：{summary or "无"}。{TIME_NOTE}。点击表头可排序。</p>
<table id="audit" class="sortable"><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>汇总</h2><table class="rollup"><thead><tr><th>汇总方式</th><th>地区或上级政府</th>{roll_head}<th>合计</th></tr></thead>
<tbody>{''.join(roll_rows)}</tbody></table>
<script>{_SORT_JS}</script></body></html>"""
