"""Human-readable summaries of parse results for the terminal (the CLI prints them)."""

from __future__ import annotations

from parsing.labels import REQUEST_COLUMNS
from parsing.model import Report

_TABLE_NAMES = {"active": "二 主动公开", "requests": "三 依申请", "appeals": "四 复议诉讼"}


def _fmt(value: object) -> str:
    return "—" if value is None else str(value)


_STATUS = {"ok": "完整", "partial": "部分可读", "not_found": "未找到", "unreadable": "无法读取"}
_FORMAT = {"2019": "2019年版", "2021": "2021年版", "none": "无标准表格"}


def format_report(report: Report) -> str:
    """A multi-line summary of one parsed report (row and column keys as in the JSON)."""
    lines = [
        f"标题：    {report.title or '—'}",
        f"机关：    {report.agency or '—'}    年度：{_fmt(report.year)}    格式：{_FORMAT.get(report.format or '', '未知')}"
        f"    落款日期：{_fmt(report.signed_date)}",
        f"来源类型：{report.source_type}" + (f"，共{report.pages}页" if report.pages else ""),
        f"章节：    {' '.join(report.sections) or '—'}",
    ]
    for name, label in _TABLE_NAMES.items():
        t = report.tables.get(name)
        if t is None or not t.found:
            lines.append(f"表{label}：{_STATUS.get(t.status if t else 'not_found', t.status if t else '未找到')}")
            continue
        lines.append(f"表{label}：{_STATUS.get(t.status, t.status)}，版式{t.layout or '—'}，{len(t.rows)}行")
        if name == "requests":
            lines.append("    " + " ".join(f"{c[:8]:>8}" for c in REQUEST_COLUMNS) + "  行")
            for key, cells in t.rows.items():
                lines.append("    " + " ".join(f"{_fmt(cells.get(c)):>8}" for c in REQUEST_COLUMNS) + f"  {key}")
        elif name == "appeals":
            for group, cells in t.rows.items():
                lines.append(f"    {group}: " + " ".join(f"{k}={_fmt(v)}" for k, v in cells.items()))
        else:
            for key, cells in t.rows.items():
                lines.append(f"    {key}: " + " ".join(f"{k}={_fmt(v)}" for k, v in cells.items()))
    for p in report.prose_numbers:
        lines.append(f"正文数字：{p.key} = {p.value}")
    for w in report.warnings:
        lines.append(f"提示：    {w}")
    return "\n".join(lines)


def format_crawl_summary(summary: dict) -> str:
    """The end-of-crawl summary: one line per agency, then totals."""
    lines = [f"第{summary['run_id']}次抓取："]
    ok = unreachable = store_failed = reports = 0
    for aid, o in sorted(summary["agencies"].items()):
        reports += o["reports_found"]
        if o["outcome"] == "ok":
            ok += 1
            lines.append(f"  {aid:<24} 已抓取      年报{o['reports_found']:>3}份，页面{o['pages']}个")
        elif o["outcome"] == "store_failed":  # reached, but not all of it saved: not proof of anything
            store_failed += 1
            lines.append(f"  {aid:<24} 保存失败    {o['reason']}")
        else:
            unreachable += 1
            lines.append(f"  {aid:<24} 无法访问    {o['reason']}")
    c = summary.get("counters", {})
    lines.append(f"共抓取{ok}个机关，{unreachable}个无法访问，" + (f"{store_failed}个保存失败，" if store_failed else "")
                 + f"找到年报{reports}份，获取页面{c.get('pages', 0)}个，出错{c.get('errors', 0)}次"
                 + (f"（其中保存失败{c['store_errors']}次）" if c.get("store_errors") else ""))
    lines.append(f"浏览器渲染页面 {c.get('rendered_pages', 0)} 个；被拦截页面 {c.get('blocked', 0)} 个")
    return "\n".join(lines)
