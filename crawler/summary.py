"""Human-readable summaries of parse results for the terminal (the CLI prints them)."""

from __future__ import annotations

from parsing.labels import REQUEST_COLUMNS
from parsing.model import Report

_TABLE_NAMES = {"active": "二 主动公开", "requests": "三 依申请", "appeals": "四 复议诉讼"}


def _fmt(value: object) -> str:
    return "—" if value is None else str(value)


def format_report(report: Report) -> str:
    """A multi-line summary of one parsed report."""
    lines = [
        f"title:    {report.title or '—'}",
        f"agency:   {report.agency or '—'}    year: {_fmt(report.year)}    format: {_fmt(report.format)}"
        f"    signed: {_fmt(report.signed_date)}",
        f"source:   {report.source_type}" + (f", {report.pages} page(s)" if report.pages else ""),
        f"sections: {' '.join(report.sections) or '—'}",
    ]
    for name, label in _TABLE_NAMES.items():
        t = report.tables.get(name)
        if t is None or not t.found:
            lines.append(f"table {label}: {t.status if t else 'not_found'}")
            continue
        lines.append(f"table {label}: {t.status}, layout {t.layout or '—'}, {len(t.rows)} rows")
        if name == "requests":
            lines.append("    " + " ".join(f"{c[:8]:>8}" for c in REQUEST_COLUMNS) + "  row")
            for key, cells in t.rows.items():
                lines.append("    " + " ".join(f"{_fmt(cells.get(c)):>8}" for c in REQUEST_COLUMNS) + f"  {key}")
        elif name == "appeals":
            for group, cells in t.rows.items():
                lines.append(f"    {group}: " + " ".join(f"{k}={_fmt(v)}" for k, v in cells.items()))
        else:
            for key, cells in t.rows.items():
                lines.append(f"    {key}: " + " ".join(f"{k}={_fmt(v)}" for k, v in cells.items()))
    for p in report.prose_numbers:
        lines.append(f"prose:    {p.key} = {p.value}")
    for w in report.warnings:
        lines.append(f"warning:  {w}")
    return "\n".join(lines)


def format_crawl_summary(summary: dict) -> str:  # type: ignore[type-arg]
    """The end-of-crawl summary: one line per agency, then totals."""
    lines = [f"crawl run {summary['run_id']}:"]
    ok = unreachable = reports = 0
    for aid, o in sorted(summary["agencies"].items()):
        reports += o["reports_found"]
        if o["outcome"] == "ok":
            ok += 1
            lines.append(f"  {aid:<24} ok           {o['reports_found']:>3} report(s), {o['pages']} page(s)")
        else:
            unreachable += 1
            lines.append(f"  {aid:<24} UNREACHABLE  {o['reason']}")
    c = summary.get("counters", {})
    lines.append(f"{ok} agencies crawled, {unreachable} unreachable, {reports} reports found, "
                 f"{c.get('pages', 0)} pages fetched, {c.get('errors', 0)} errors")
    lines.append(f"浏览器渲染页面 {c.get('rendered_pages', 0)} 个；被拦截页面 {c.get('blocked', 0)} 个")
    return "\n".join(lines)
