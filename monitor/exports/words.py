"""Audit rows in words: the evidence as sentences, the columns a person reads.

Rows are the dicts of :func:`monitor.audit.audit_rows` (spec/interfaces.md); keys added
later (``reason`` for not_found, ``content`` for 内容问题) are read with ``row.get`` so
old and new rows render alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from monitor.exports.labels import (
    KIND_LABELS,
    SOURCE_LABELS,
    beijing,
    code_label,
    region_label,
    status_label,
)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: float  # XLSX characters (a CJK character is about 2)
    kind: str = "text"  # text | date | int | link | long


COLUMNS = [
    Column("agency", "机关代码", 12), Column("name", "机关名称", 22, "long"), Column("kind", "类型", 7),
    Column("region", "地区", 9), Column("parent", "上级政府", 14, "long"), Column("year", "年度", 6, "int"),
    Column("status", "发布情况", 10, "long"), Column("deadline", "法定期限", 11, "date"),
    Column("published", "发布日期", 11, "date"), Column("source", "发布日期依据", 10, "long"),
    Column("days_late", "逾期天数", 6, "int"), Column("link", "报告或证据链接", 10, "link"),
    Column("evidence", "证据", 40, "long"), Column("content", "内容问题", 30, "long"),
    Column("rule", "适用规则", 20, "long"),
]


def is_url(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and value.split(":", 1)[0] in ("http", "https", "file")


def report_url(row: dict[str, Any]) -> str | None:
    for v in (row.get("link"), (row.get("evidence") or {}).get("url")):
        if is_url(v):
            return v
    return None


def evidence_urls(row: dict[str, Any]) -> list[str]:
    """Links a reader follows to check the row: the report, else the 年报 columns crawled."""
    url = report_url(row)
    if url:
        return [url]
    ev = row.get("evidence") or {}
    cols = [c if isinstance(c, str) else (c or {}).get("url") for c in ev.get("columns") or []]
    tried = [t if isinstance(t, str) else (t or {}).get("url") for t in ev.get("urls_tried") or []]
    return [u for u in cols + tried if is_url(u)]


def link_label(row: dict[str, Any]) -> str:
    """What the row's link opens, in words."""
    if report_url(row):
        return "查看报告"
    return "尝试访问的网址" if row.get("status") == "unreachable" else "查看检查的栏目"


def evidence_text(row: dict[str, Any]) -> str:
    """The proof behind the status, in sentences (times in Beijing time)."""
    ev = row.get("evidence") or {}
    st = row.get("status")
    parts: list[str] = []
    if st in ("published", "late"):
        if row.get("published"):
            src = SOURCE_LABELS.get(row.get("source") or "", row.get("source") or "")
            parts.append(f"发布日期{row['published']}" + (f"（依据：{src}）" if src else ""))
        if ev.get("first_seen"):
            parts.append(f"首次发现于{beijing(ev['first_seen'])}")
        if ev.get("not_found_by_crawl"):
            parts.append(f"第{ev['not_found_by_crawl']}次抓取（{beijing(ev.get('crawl_finished'))}）时尚未发布")
        if ev.get("why") and not row.get("published"):
            parts.append("页面未显示发布日期，首次发现时间为发布日期上限")
        if st == "late" and row.get("days_late"):
            parts.append(f"晚于法定期限{row['days_late']}天")
    elif st == "missing":
        cols = [c for c in ev.get("columns") or [] if c]
        parts.append(f"{beijing(ev.get('crawled'))}第{ev.get('run')}次抓取检查网站{ev.get('pages', 0)}个页面，未发现该年度报告")
        if ev.get("proof"):  # the proof of absence in words: which column, read how far, the years it lists
            parts.append(ev["proof"])
        else:
            parts.append(f"检查的年报栏目{len(cols)}个" if cols else "未找到年报栏目")
        if ev.get("successful_crawls_after_deadline"):
            parts.append(f"期限后成功抓取{ev['successful_crawls_after_deadline']}次")
    elif st == "not_found":
        parts.append(row.get("reason") or "未找到年度报告，尚不能证明未发布，需人工核实")
    elif st == "unreachable":
        parts.append(f"自{beijing(ev.get('since'))}起网站无法访问（{ev.get('last_error') or '原因不明'}），"
                     f"期限后尝试{ev.get('attempts', 0)}次，无法确认是否发布")
    elif st == "not_due":
        parts.append(f"尚未到法定期限{row.get('deadline') or ''}")
    elif st == "unchecked":
        parts.append("法定期限后尚未抓取该机关网站")
    return "；".join(p for p in parts if p)


def content_items(row: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in row.get("content") or [] if isinstance(c, dict)]


def content_text(row: dict[str, Any]) -> str:
    return "；".join(f"{code_label(c.get('code', ''))}：{c.get('message', '')}" for c in content_items(row))


def rule_text(row: dict[str, Any]) -> str:
    ev = row.get("evidence") or {}
    return str(ev.get("rule") or "")


def parent_label(row: dict[str, Any], names: dict[str, str]) -> str:
    p = row.get("parent")
    return names.get(p, p) if p else ""


def human(row: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """One row with the values a person reads, keyed like :data:`COLUMNS`."""
    names = names or {}
    urls = evidence_urls(row)
    return {
        "agency": row.get("agency"), "name": row.get("name"), "kind": KIND_LABELS.get(row.get("kind") or "", row.get("kind")),
        "region": region_label(row.get("region")), "parent": parent_label(row, names), "year": row.get("year"),
        "status": status_label(row.get("status")), "deadline": row.get("deadline") or None,
        "published": row.get("published") or None,
        "source": SOURCE_LABELS.get(row.get("source") or "", row.get("source") or ""),
        "days_late": row.get("days_late") if row.get("status") == "late" else None,
        "link": urls[0] if urls else None, "link_label": link_label(row), "evidence": evidence_text(row),
        "content": content_text(row),
        "rule": rule_text(row),
    }


def agency_names(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {r["agency"]: r["name"] for r in rows if r.get("agency") and r.get("name")}


def with_content(rows: list[dict[str, Any]], findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with ``content`` (内容问题) filled from the open findings where the row lacks it."""
    from monitor.exports.labels import PUBLICATION_CODES

    by_key: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for f in findings:
        if f["code"] not in PUBLICATION_CODES:
            by_key.setdefault((f["agency"], f["year"]), []).append(
                {"code": f["code"], "severity": f["severity"], "message": f["message"]})
    out = []
    for r in rows:
        if r.get("content") is None:
            r = {**r, "content": by_key.get((r["agency"], r["year"]), [])}
        out.append(r)
    return out
