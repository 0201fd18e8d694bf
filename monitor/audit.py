"""The audit list of non-publishing agencies (``nianbao audit``) and its formats.

One row per agency and year: status (published / late / missing / unreachable / not_due /
unchecked), deadline and the rule behind it, the publication date with its source, days
late, and a link to the report or the evidence of absence (which crawl, when, how many
pages).  Roll-ups count statuses per region and per parent government.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.check import AgencyYear
from monitor.registry import CONTENT_CODES, SEVERITY
from monitor.rollups import rollups  # noqa: F401 - part of this module's public face

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
        content = [{"code": d.code, "severity": SEVERITY[d.code], "message": d.message}
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


def to_json(rows: list[dict[str, Any]]) -> str:
    """The rows as JSON (English keys and codes, for programs)."""
    return json.dumps(rows, ensure_ascii=False, indent=2)


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """Chinese headers and evidence in words; UTF-8 with BOM (see monitor.exports.tabular)."""
    from monitor.exports.tabular import to_csv as render

    return render(rows)


def to_xlsx(rows: list[dict[str, Any]], title: str | None = None) -> bytes:
    """Print-ready workbook: one sheet per year and 汇总 (see monitor.exports.tabular)."""
    from monitor.exports.tabular import to_xlsx as render

    return render(rows, title)


def to_html(rows: list[dict[str, Any]], title: str) -> str:
    """A sortable page that prints on A4 landscape (see monitor.exports.page)."""
    from monitor.exports.page import to_html as render

    return render(rows, title)
