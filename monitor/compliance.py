"""Publication compliance per agency and year: published, late, missing, unreachable.

Evidence, strongest first (spec/annual-report.md §1):

* a successful crawl after the deadline that did not find the report, before it was first
  seen, proves it was published late: the first-seen time is the publication date (and a
  displayed date before the deadline makes it BACKDATED);
* a first-seen time before the deadline proves it was on time;
* otherwise the displayed dates decide, in the order meta:PubDate, page:date, url,
  list:date, signed, http:last-modified.

MISSING needs a successful crawl after the deadline; without one it is UNREACHABLE.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from monitor.deadlines import BEIJING, Deadline
from monitor.findings import Draft

DISPLAYED = ("meta:PubDate", "page:date", "url", "list:date", "signed", "http:last-modified")
SOURCE_NAMES = {"first_seen": "首次发现时间", "meta:PubDate": "网页发布时间标记", "page:date": "页面显示的发布时间",
                "url": "网址中的日期", "list:date": "栏目列表日期", "signed": "落款日期", "http:last-modified": "服务器修改时间",
                "ingest": "人工导入日期"}


@dataclass(slots=True)
class Crawl:
    run_id: int
    outcome: str
    finished_at: datetime
    reason: str | None = None
    pages: int = 0
    columns: list[str] = field(default_factory=list)
    urls_tried: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class Version:
    sha256: str
    fetched_at: datetime
    text: str | None


@dataclass(slots=True)
class Doc:
    url: str
    first_seen: datetime
    last_seen: datetime
    removed_at: datetime | None
    removed_reason: str | None
    evidence: list[tuple[str, str]]  # (source, value)
    versions: list[Version]


@dataclass(slots=True)
class Status:
    status: str  # published | late | missing | unreachable | not_due | unchecked
    published: str | None = None
    source: str | None = None
    days_late: int | None = None
    url: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


def _bj(dt: datetime) -> date:
    return dt.astimezone(BEIJING).date()


def assess(name: str, year: int, deadline: Deadline, as_of: date, docs: list[Doc],
           crawls: list[Crawl]) -> tuple[Status, list[Draft]]:
    """Status of one agency-year and its compliance findings."""
    rule = {"deadline": deadline.day.isoformat(), "rule": deadline.rule}
    if as_of <= deadline.day:
        return Status("not_due", evidence=rule), []
    after = [c for c in crawls if c.finished_at > deadline.end]
    ok_after = [c for c in after if c.outcome == "ok"]
    if not docs:
        if ok_after:
            last = max(ok_after, key=lambda c: c.finished_at)
            ev = {**rule, "crawled": last.finished_at.astimezone(BEIJING).isoformat(timespec="minutes"),
                  "run": last.run_id, "pages": last.pages, "columns": last.columns,
                  "successful_crawls_after_deadline": len(ok_after)}
            msg = (f"{name}截至{_bj(last.finished_at)}未发布{year}年政府信息公开工作年度报告"
                   f"（法定期限{deadline.day}，已于{_bj(last.finished_at)}检查其网站{last.pages}个页面）")
            return Status("missing", evidence=ev), [Draft("MISSING", msg, ev)]
        if after:
            last = max(after, key=lambda c: c.finished_at)
            ev = {**rule, "last_error": last.reason, "attempts": len(after),
                  "since": min(c.finished_at for c in after).astimezone(BEIJING).isoformat(timespec="minutes"),
                  "urls_tried": last.urls_tried[:10]}
            msg = f"{name}网站无法访问（{last.reason}），无法确认{year}年年度报告是否发布"
            return Status("unreachable", evidence=ev), [Draft("UNREACHABLE", msg, ev)]
        return Status("unchecked", evidence={**rule, "why": "no crawl after the deadline"}), []

    drafts: list[Draft] = []
    first = min(docs, key=lambda d: d.first_seen)
    fs = first.first_seen
    displayed = _displayed(docs)
    absent_at = [c for c in ok_after if c.finished_at < fs]
    if absent_at:
        crawl = max(absent_at, key=lambda c: c.finished_at)
        pub, source = _bj(fs), "first_seen"
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "not_found_by_crawl": crawl.run_id,
              "crawl_finished": crawl.finished_at.isoformat(timespec="seconds")}
        if displayed and displayed[0][1] <= deadline.day.isoformat():
            drafts.append(Draft("BACKDATED", f"{name}{year}年年度报告页面显示发布日期{displayed[0][1]}，"
                                f"但{_bj(crawl.finished_at)}检查时尚未发布，首次发现于{_bj(fs)}",
                                {**ev, "displayed": displayed[0][1], "displayed_source": displayed[0][0], "url": first.url}))
    elif _bj(fs) <= deadline.day:
        pub, source = _bj(fs), "first_seen"
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds")}
        if displayed:
            pub, source = date.fromisoformat(displayed[0][1]), displayed[0][0]
            pub = min(pub, _bj(fs))
    elif displayed:
        pub, source = date.fromisoformat(displayed[0][1]), displayed[0][0]
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "displayed": dict(displayed)}
    else:
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "why": "no displayed date; first seen is an upper bound"}
        status = Status("published", None, None, None, first.url, ev)
        return status, drafts + _edits_and_removals(name, year, deadline, docs)
    days = (pub - deadline.day).days
    ev.update({"published": pub.isoformat(), "source": source, "url": first.url})
    if days > 0:
        drafts.append(Draft("LATE", f"{name}{year}年年度报告于{pub}发布，晚于法定期限（{deadline.day}）{days}天"
                            f"（依据：{SOURCE_NAMES.get(source, source)}）", {**ev, "days_late": days}))
        status = Status("late", pub.isoformat(), source, days, first.url, ev)
    else:
        status = Status("published", pub.isoformat(), source, 0, first.url, ev)
    return status, drafts + _edits_and_removals(name, year, deadline, docs)


def _displayed(docs: list[Doc]) -> list[tuple[str, str]]:
    """Displayed publication dates, strongest source first (earliest value per source)."""
    by_source: dict[str, str] = {}
    for d in docs:
        for source, value in d.evidence:
            if source in DISPLAYED:
                v = value[:10]
                if source not in by_source or v < by_source[source]:
                    by_source[source] = v
    return [(s, by_source[s]) for s in DISPLAYED if s in by_source]


def _edits_and_removals(name: str, year: int, deadline: Deadline, docs: list[Doc]) -> list[Draft]:
    out = []
    for d in docs:
        for old, new in zip(d.versions, d.versions[1:], strict=False):
            after = new.fetched_at > deadline.end
            diff = _diff_summary(old.text or "", new.text or "")
            out.append(Draft("EDITED", f"{name}{year}年年度报告于{_bj(new.fetched_at)}被修改（首次发现于{_bj(d.first_seen)}）"
                             + ("，修改发生在法定期限之后" if after else ""),
                             {"url": d.url, "old_sha256": old.sha256, "new_sha256": new.sha256,
                              "old_fetched": old.fetched_at.isoformat(timespec="seconds"),
                              "new_fetched": new.fetched_at.isoformat(timespec="seconds"), "after_deadline": after,
                              "diff": diff}, detail=new.sha256[:16]))
        if d.removed_at:
            out.append(Draft("REMOVED", f"{name}{year}年年度报告已无法访问（{d.removed_reason}），最后正常访问于{_bj(d.last_seen)}",
                             {"url": d.url, "last_good_fetch": d.last_seen.isoformat(timespec="seconds"),
                              "removed_seen": d.removed_at.isoformat(timespec="seconds"), "answer": d.removed_reason},
                             detail=d.url))
    return out


def _diff_summary(old: str, new: str) -> dict[str, Any]:
    a, b = old.splitlines(), new.splitlines()
    added = removed = 0
    sample: list[str] = []
    for line in difflib.unified_diff(a, b, lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            added += 1
            if len(sample) < 6:
                sample.append(line[:160])
        elif line.startswith("-") and not line.startswith("---"):
            removed += 1
            if len(sample) < 6:
                sample.append(line[:160])
    return {"lines_added": added, "lines_removed": removed, "sample": sample}
