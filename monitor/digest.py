"""The weekly compliance digest for one recipient: what changed since the last one.

Content, limited to the recipient's scope (regions, parent governments, agencies): one
line per agency-year, grouped by what changed (newly missing, late, to be checked, reports
found, content problems, resolved) and linked to its evidence (the report, the 年报 column
checked); deadlines coming up; the audit counts; the audit list attached as CSV.
An empty week still says so, with the counts.  Rendered with jinja2 (HTML and plain
text, Chinese) into one multipart email.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Document, Finding
from monitor import audit
from monitor.check import assess_all
from monitor.deadlines import BEIJING, deadline_for_agency, deadline_settings
from monitor.exports.labels import STATUS_LABELS, STATUS_ORDER, TIME_NOTE, code_label

TEMPLATES = Path(__file__).parent / "templates"
UPCOMING_DAYS = 45
# Every template is escaped except plain text ones (``*.txt.j2``): crawled titles and URLs
# reach the HTML raw otherwise (``select_autoescape(["html"])`` never matched ``.html.j2``).
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                          autoescape=jinja2.select_autoescape(disabled_extensions=("txt", "txt.j2"), default=True,
                                                              default_for_string=True),
                          trim_blocks=True, lstrip_blocks=True)


def safe_href(url: object) -> str:
    """A crawled URL fit for an ``href`` (http, https, file), else ``#``: escaping stops an
    attribute break-out, not a ``javascript:`` link."""
    if not isinstance(url, str):
        return "#"
    return url.strip() if url.strip().split(":", 1)[0].lower() in ("http", "https", "file") else "#"


_env.filters["safe_href"] = safe_href


@dataclass(slots=True)
class Scope:
    regions: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    def includes(self, a: Agency) -> bool:
        if not (self.regions or self.parents or self.agencies):
            return True
        return (a.id in self.agencies or (a.parent_id in self.parents if a.parent_id else False) or a.id in self.parents
                or any((a.region or "").startswith(r) for r in self.regions))

    def describe(self) -> str:
        parts = [f"地区{','.join(self.regions)}" if self.regions else "", f"所属政府{','.join(self.parents)}" if self.parents else "",
                 f"机关{','.join(self.agencies)}" if self.agencies else ""]
        return "；".join(p for p in parts if p) or "全部机关"


def period_of(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), BEIJING)


def digest_data(session: Session, scope: Scope, since: date, as_of: date,
                audit_as_of: date | None = None) -> dict[str, Any]:
    """Everything the digest shows, as plain data (also used by tests).

    Changes are those between ``since`` and ``as_of``; the audit counts and upcoming
    deadlines are as of ``audit_as_of`` (default ``as_of``; the demo replays an older date).
    """
    audit_day = audit_as_of or as_of
    agencies = [a for a in session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)) if scope.includes(a)]
    ids = [a.id for a in agencies]
    names = {a.id: a.name for a in agencies}
    lo, hi = _start(since), _start(as_of + timedelta(days=1))
    new_docs = [d for d in session.scalars(select(Document).where(Document.kind == "page", Document.agency_id.in_(ids),
                                                                  Document.first_seen >= lo, Document.first_seen < hi))]
    findings = list(session.scalars(select(Finding).where(Finding.agency_id.in_(ids))))
    new = [f for f in findings if f.status == "open" and lo <= f.first_seen < hi]
    resolved = [f for f in findings if f.status == "resolved" and f.resolved_at and lo <= f.resolved_at < hi]
    audit_year = audit_day.year - 1
    results = assess_all(session, audit_day, [audit_year], ids) if ids else []
    rows = audit.audit_rows(results)
    upcoming = []
    settings = deadline_settings(session)  # the registry's regional overrides, as check and audit use
    for a in agencies:
        dl = deadline_for_agency(a, audit_year, settings)
        if audit_day <= dl.day <= audit_day + timedelta(days=UPCOMING_DAYS):
            if not any(r["agency"] == a.id and r["status"] in ("published", "late") for r in rows):
                upcoming.append({"agency": a.id, "name": a.name, "deadline": dl.day.isoformat(), "rule": dl.rule})
    by_sev = {sev: sorted((f for f in new if f.severity == sev), key=lambda f: (f.agency_id, f.year, f.code))
              for sev in ("error", "warning", "info")}
    groups = change_groups(names, new_docs, new, resolved)
    listed = {line["agency"] for g in groups for line in g["lines"]}
    for g in groups:
        for line in g["lines"]:
            due = next((u for u in upcoming if u["agency"] == line["agency"]), None)
            if due and not line.get("due"):
                line["due"] = f"{audit_year}年度报告须于{due['deadline']}前发布"
    return {
        "since": since.isoformat(), "as_of": as_of.isoformat(), "period": period_of(as_of), "scope": scope.describe(),
        "agencies": len(agencies), "audit_year": audit_year, "time_note": TIME_NOTE,
        "groups": groups,
        "new_reports": [{"agency": d.agency_id, "name": names.get(d.agency_id, d.agency_id), "year": d.year,
                         "title": d.title, "url": d.url} for d in sorted(new_docs, key=lambda d: (d.agency_id, d.year or 0))],
        "newly_late_or_missing": [{"code": f.code, "message": f.message} for f in new if f.code in ("LATE", "MISSING")],
        "new_findings": {sev: [{"code": f.code, "message": f.message} for f in fs] for sev, fs in by_sev.items()},
        "resolved": [{"code": f.code, "message": f.message} for f in resolved],
        "upcoming": [u for u in upcoming if u["agency"] not in listed],
        "audit_counts": {s: n for s, n in sorted(Counter(r["status"] for r in rows).items(),
                                                  key=lambda kv: STATUS_ORDER.index(kv[0]) if kv[0] in STATUS_ORDER else 99)},
        "audit_rows": rows,
        "changed": bool(new_docs or new or resolved),
    }


# What changed, most serious first: an agency-year is listed once, in the first group it belongs to.
GROUPS = [("missing", "新增未发布"), ("late", "新增逾期发布"), ("to_check", "新增待核实（未找到报告或网站无法访问）"),
          ("reports", "新发现的报告"), ("problems", "新增内容问题"), ("resolved", "问题已解决")]
_PRIMARY = {"MISSING": "missing", "LATE": "late", "NOT_FOUND": "to_check", "UNREACHABLE": "to_check"}


def _links(f: Finding) -> list[dict[str, str]]:
    ev = f.evidence or {}
    out = []
    if isinstance(ev.get("url"), str) and ev["url"].startswith(("http", "file")):
        out.append({"label": "报告", "url": ev["url"]})
    for c in ev.get("columns") or []:
        u = c if isinstance(c, str) else (c or {}).get("url")
        if isinstance(u, str) and u.startswith("http"):
            out.append({"label": "检查的栏目", "url": u})
    for t in (ev.get("urls_tried") or [])[:2]:
        u = t if isinstance(t, str) else (t or {}).get("url")
        if isinstance(u, str) and u.startswith("http"):
            out.append({"label": "尝试访问的网址", "url": u})
    for key, label in (("other_url", "雷同的报告"), ("previous_url", "上年报告")):
        if isinstance(ev.get(key), str):
            out.append({"label": label, "url": ev[key]})
    return out


def _without_who(message: str, name: str, year: int) -> str:
    """A message without the agency (and year) its line already starts with."""
    for prefix in (f"{name}{year}年年度报告", name):
        if message.startswith(prefix) and len(message) > len(prefix) + 2:
            return message[len(prefix):].lstrip("：，")
    return message


def change_groups(names: dict[str, str], new_docs: list[Document], new: list[Finding],
                  resolved: list[Finding]) -> list[dict[str, Any]]:
    """One line per agency-year, under the most serious thing that changed for it."""
    items: dict[tuple[str, int], dict[str, Any]] = {}

    def item(agency: str, year: int) -> dict[str, Any]:
        return items.setdefault((agency, year), {"agency": agency, "name": names.get(agency, agency), "year": year,
                                                 "kinds": set(), "parts": [], "links": []})

    for d in new_docs:
        it = item(d.agency_id, d.year or 0)
        it["kinds"].add("reports")
        it["parts"].append(f"新发现报告《{d.title or d.url}》")
        it["links"].append({"label": "报告", "url": d.url})
    for f in sorted(new, key=lambda f: (f.agency_id, f.year, f.code)):
        it = item(f.agency_id, f.year)
        kind = _PRIMARY.get(f.code, "problems")
        it["kinds"].add(kind)
        it["parts"].append(_without_who(f.message, it["name"], f.year) if kind != "problems"
                           else f"{code_label(f.code)}：{_without_who(f.message, it['name'], f.year)}")
        it["links"] += _links(f)
    for f in sorted(resolved, key=lambda f: (f.agency_id, f.year, f.code)):
        it = item(f.agency_id, f.year)
        it["kinds"].add("resolved")
        it["parts"].append(f"已解决：{code_label(f.code)}")
    out = []
    for key, title in GROUPS:
        lines = []
        for it in sorted(items.values(), key=lambda i: (i["agency"], i["year"])):
            if next(k for k, _ in GROUPS if k in it["kinds"]) != key:
                continue
            seen: set[str] = set()
            links = [x for x in it["links"] if not (x["url"] in seen or seen.add(x["url"]))]  # type: ignore[func-returns-value]
            lines.append({"agency": it["agency"], "name": it["name"], "year": it["year"],
                          "text": "；".join(dict.fromkeys(it["parts"])), "links": links[:4]})
        if lines:
            out.append({"key": key, "title": title, "lines": lines})
    return out


def render(data: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a digest."""
    n_new = sum(len(v) for v in data["new_findings"].values())
    subject = (f"政府信息公开年报监测周报（{data['period']}）：" +
               (f"新增问题{n_new}项，新发现报告{len(data['new_reports'])}份" if data["changed"] else "本周无变化"))
    ctx = {**data, "subject": subject, "status_names": STATUS_LABELS}
    return subject, _env.get_template("digest.txt.j2").render(ctx), _env.get_template("digest.html.j2").render(ctx)


def build_message(data: dict[str, Any], sender: str, to: str) -> EmailMessage:
    """One multipart email: text and HTML alternatives, the audit list as a CSV attachment."""
    subject, text, page = render(data)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(datetime.now(BEIJING))
    msg["Message-ID"] = make_msgid(domain="nianbao.local")
    msg["X-Nianbao-Period"] = data["period"]
    msg.set_content(text)
    msg.add_alternative(page, subtype="html")
    msg.add_attachment(audit.to_csv(data["audit_rows"]), maintype="text", subtype="csv",
                       filename=f"audit-{data['audit_year']}.csv", params={"charset": "utf-8"})
    return msg
