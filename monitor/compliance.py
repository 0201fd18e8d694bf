"""Publication compliance per agency and year: published, late, missing, not found, unreachable.

Evidence, strongest first (spec/annual-report.md §1, spec/findings.md "No accusation
without proof"):

* a successful crawl after the deadline that *proved* the report absent (:mod:`monitor.proof`),
  before it was first seen, proves it was published late: the first-seen time is the
  publication date (and a displayed date before the deadline makes it BACKDATED);
* a first-seen time before the deadline proves it was on time;
* otherwise the displayed date decides: the one most independent sources support
  (:func:`db.dates.publication_date`, shared with ``nianbao reports``), with DATE_CONFLICT
  when they disagree.

MISSING needs a crawl after the deadline whose proof of absence is complete; a successful
crawl without one gives NOT_FOUND (未找到，待核实) saying what is missing; no successful crawl
after the deadline gives UNREACHABLE.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from db.dates import SOURCE_NAMES, publication_date
from monitor.deadlines import BEIJING, Deadline
from monitor.findings import Draft
from monitor.proof import judge

__all__ = ["SOURCE_NAMES", "Crawl", "Doc", "Status", "Version", "assess"]


@dataclass(slots=True)
class Crawl:
    run_id: int
    outcome: str
    finished_at: datetime
    reason: str | None = None
    pages: int = 0
    columns: list[str] = field(default_factory=list)
    urls_tried: list[Any] = field(default_factory=list)
    proof: dict[str, Any] | None = None  # what the crawl proved (None: an older crawl, no proof)


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
    status: str  # published | late | missing | not_found | unreachable | not_due | unchecked
    published: str | None = None
    source: str | None = None
    days_late: int | None = None
    url: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None  # not_found: what was explored and which part of the proof is missing


def _bj(dt: datetime) -> date:
    return dt.astimezone(BEIJING).date()


def assess(name: str, year: int, deadline: Deadline, as_of: date, docs: list[Doc],
           crawls: list[Crawl]) -> tuple[Status, list[Draft]]:
    """Status of one agency-year and its compliance findings."""
    rule: dict[str, Any] = {"deadline": deadline.iso, "rule": deadline.rule}
    if as_of <= deadline.day:
        return Status("not_due", evidence=rule), []
    after = [c for c in crawls if c.finished_at > deadline.end]
    ok_after = [c for c in after if c.outcome == "ok"]
    if not docs:
        if ok_after:
            return _absent(name, year, deadline, rule, ok_after)
        if after:
            last = max(after, key=lambda c: c.finished_at)
            ev = {**rule, "last_error": last.reason, "attempts": len(after),
                  "since": min(c.finished_at for c in after).astimezone(BEIJING).isoformat(timespec="minutes"),
                  "urls_tried": last.urls_tried[:10]}
            blocked = (last.proof or {}).get("blocked") or []
            if blocked:
                ev["blocked"] = blocked[:5]
            msg = f"{name}网站无法访问（{last.reason}），无法确认{year}年年度报告是否发布"
            return Status("unreachable", evidence=ev), [Draft("UNREACHABLE", msg, ev)]
        return Status("unchecked", evidence={**rule, "why": "截止日期后尚无抓取"}), []

    drafts: list[Draft] = []
    first = min(docs, key=lambda d: d.first_seen)
    fs = first.first_seen
    choice = publication_date([e for d in docs for e in d.evidence])
    if choice is not None and choice.conflict:
        listed = "，".join(f"{SOURCE_NAMES.get(s, s)}{v}" for s, v in choice.dates.items())
        drafts.append(Draft("DATE_CONFLICT", f"{name}{year}年年度报告各处显示的发布日期不一致（{listed}）：采用{choice.day}，"
                            f"理由：{choice.why}", {**choice.evidence(), "url": first.url}))
    # a crawl after the deadline that proved the report absent, before it was first seen
    absent_at = [c for c in ok_after if c.finished_at < fs and judge(c.proof, year).proved]
    if absent_at:
        crawl = max(absent_at, key=lambda c: c.finished_at)
        pub, source = _bj(fs), "first_seen"
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "not_found_by_crawl": crawl.run_id,
              "crawl_finished": crawl.finished_at.isoformat(timespec="seconds"),
              "absence_proof": judge(crawl.proof, year).reason}
        if choice and choice.day <= deadline.day:
            drafts.append(Draft("BACKDATED", f"{name}{year}年年度报告页面显示发布日期{choice.day}，"
                                f"但{_bj(crawl.finished_at)}检查时尚未发布，首次发现于{_bj(fs)}",
                                {**ev, "displayed": choice.day.isoformat(), "displayed_source": choice.source,
                                 "url": first.url}))
    elif _bj(fs) <= deadline.day:
        pub, source = _bj(fs), "first_seen"
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds")}
        if choice:
            pub, source = choice.day, choice.source
            pub = min(pub, _bj(fs))
    elif choice:
        pub, source = choice.day, choice.source
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "displayed": dict(choice.dates)}
        if choice.conflict:
            ev["date_choice"] = choice.why
    else:
        ev = {**rule, "first_seen": fs.isoformat(timespec="seconds"), "why": "页面未显示发布日期；首次发现时间只是上限"}
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


def _absent(name: str, year: int, deadline: Deadline, rule: dict[str, Any],
            ok_after: list[Crawl]) -> tuple[Status, list[Draft]]:
    """No report seen, some successful crawl after the deadline: MISSING only with a proof."""
    judged = [(c, judge(c.proof, year)) for c in ok_after]
    proved = [(c, j) for c, j in judged if j.proved]
    last, j = max(proved or judged, key=lambda cj: cj[0].finished_at)
    ev = {**rule, "crawled": last.finished_at.astimezone(BEIJING).isoformat(timespec="minutes"),
          "run": last.run_id, "pages": last.pages, "columns": last.columns,
          "successful_crawls_after_deadline": len(ok_after), "proof": j.reason}
    if j.proved:
        col = j.column or {}
        ev["column"] = {k: col.get(k) for k in ("url", "why", "pages_read", "pages_total", "entries", "listed_total", "years")}
        msg = (f"{name}截至{_bj(last.finished_at)}未发布{year}年政府信息公开工作年度报告"
               f"（法定期限{deadline.day}；{j.reason}）")
        return Status("missing", evidence=ev), [Draft("MISSING", msg, ev)]
    ev["gaps"] = j.gaps
    msg = f"{name}{year}年年度报告未找到，待核实（法定期限{deadline.day}；{_bj(last.finished_at)}检查：{j.reason}）"
    return Status("not_found", evidence=ev, reason=j.reason), [Draft("NOT_FOUND", msg, ev)]


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
