"""``nianbao check``: compute every finding from the database and keep them stable.

For each active agency and each year due (``since`` .. as-of year - 1, or ``--year``) it
assesses publication (:mod:`monitor.compliance`), the report's content and arithmetic
(:mod:`monitor.rules`) and the rules across documents (:mod:`monitor.across`).  Findings
are upserted by key: a finding that no longer holds is resolved, one that returns is
reopened, and one a person dismissed stays dismissed (and quiet).

As of D means as of D: only what was known by the end of D (Beijing) counts, always.
A run limited by year, agency or region changes nothing outside what it looked at: it
loads the previous year for the year-to-year rules, and leaves the findings of rules
that need every agency's reports (:data:`monitor.findings.ACROSS_ALL_CODES`) untouched.
"""

from __future__ import annotations

import contextlib
import gc
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Document, Finding, utcnow
from monitor import across, compliance, load, registry, rules, upsert
from monitor.deadlines import BEIJING, deadline_for_agency, deadline_settings
from monitor.findings import Draft, finding_key
from monitor.load import LoadedDoc
from monitor.registry import ACROSS_ALL_CODES, SEVERITY
from parsing.model import Report

FIRST_YEAR = 2019
GOV_SUFFIXES = (".gov.cn",)  # other domains (a city portal, the test webs' .gov.cn.test): defaults.trusted_hosts


@dataclass(slots=True)
class AgencyYear:
    agency: Agency
    year: int
    status: compliance.Status
    drafts: list[Draft] = field(default_factory=list)
    deadline: str = ""
    rule: str = ""


BATCH = 500  # agencies per batch: only one batch's reports are in memory at a time


def as_of_cutoff(as_of: date) -> datetime:
    """The end of ``as_of``, Beijing time: nothing known later counts."""
    return datetime.combine(as_of, time(23, 59, 59), BEIJING)


def judges_all_reports(session: Session, years: list[int] | None, agencies: list[str] | None,
                       regions: list[str] | None) -> bool:
    """Whether a run sees every stored report, as the rules across all agencies need: a full
    run, or one limited only by years that (with the previous years) cover every report."""
    if agencies or regions:
        return False
    if not years:
        return True
    needed = set(years) | {y - 1 for y in years}
    stored = {y for (y,) in session.execute(select(Document.year).where(Document.kind == "page").distinct())}
    return {y for y in stored if y is not None} <= needed


def assess_all(session: Session, as_of: date, years: list[int] | None = None,
               agencies: list[str] | None = None, replay: bool = False,
               regions: list[str] | None = None, closed: bool = False) -> list[AgencyYear]:
    """Every agency-year in scope with its status and drafts (nothing stored).

    ``closed``: the caller vouches that ``agencies`` holds every agency whose reports may
    duplicate those of the others (the incremental check finds them from its sketches), so
    the rules across agencies are judged within that scope.

    Only what was known at the end of ``as_of`` (Beijing) counts: later crawls, documents,
    versions, evidence and removals are ignored (``replay`` is kept for callers; it no
    longer changes what is judged).  ``regions`` limits to agencies whose region code
    starts with one of the prefixes.
    """
    cutoff = as_of_cutoff(as_of)
    agency_rows = load.agencies(session, agencies, regions)
    settings = deadline_settings(session)
    trusted = load.trusted_hosts(session)
    limited = bool(years or agencies or regions)
    crawls = load.crawls(session, cutoff, [a.id for a in agency_rows] if limited else None)
    # the year-to-year rules need the previous year: assess it too, but do not report it
    wanted = set(years or [])
    needed = wanted | {y - k for y in wanted for k in range(1, registry.years_back() + 1)}
    results: list[AgencyYear] = []
    prints: list[tuple[tuple[str, int], across.Fingerprint]] = []
    for k in range(0, len(agency_rows), BATCH):
        batch = agency_rows[k:k + BATCH]
        docs = load.documents(session, [a.id for a in batch], cutoff)
        refs: dict[tuple[str, int], across.ReportRef] = {}
        doc_years: dict[str, set[int]] = defaultdict(set)
        for aid, y in docs:
            doc_years[aid].add(y)
        batch_results: dict[tuple[str, int], AgencyYear] = {}
        for a in batch:
            span = set(range(max(a.since or FIRST_YEAR, 2007), as_of.year)) | doc_years[a.id]
            for year in sorted(y for y in span if not years or y in needed):
                ay = _assess_one(a, year, as_of, docs.get((a.id, year), []), crawls.get(a.id, []), settings, refs,
                                 trusted)
                if not years or year in wanted:
                    batch_results[(a.id, year)] = ay
                    results.append(ay)
        for (aid, year), ref in refs.items():
            prev = refs.get((aid, year - 1))
            if prev and (aid, year) in batch_results:
                batch_results[(aid, year)].drafts += registry.judge_pair(ref, prev)
            prints.append(((aid, year), across.fingerprint(ref)))  # the previous year's too: duplicates compare all
        del docs, refs
    if closed or judges_all_reports(session, years, agencies, regions):  # duplicates compare with every report
        by_key = {(r.agency.id, r.year): r for r in results}
        for i, drafts in across.duplicates([p for _, p in prints]).items():
            key = prints[i][0]
            if key in by_key:
                by_key[key].drafts += drafts
    return results


def _wrong(a: Agency, year: int, doc: LoadedDoc) -> tuple[list[Draft], Report | None, str]:
    report, text = load.main_report(doc)
    return rules.wrong_document(report, f"{a.name}{year}年年度报告", doc.title), report, text


def _assess_one(a: Agency, year: int, as_of: date, year_docs: list[LoadedDoc], crawls: list[compliance.Crawl],
                settings: dict[str, Any], refs: dict[tuple[str, int], across.ReportRef],
                trusted: tuple[str, ...] = ()) -> AgencyYear:
    """One agency-year: a page is not a report until it parses as one (WRONG_DOCUMENT)."""
    dl = deadline_for_agency(a, year, settings)
    who = f"{a.name}{year}年年度报告"
    checked = [(d, *_wrong(a, year, d)) for d in year_docs]
    reports = [c for c in checked if not c[1]]
    wrong = [c for c in checked if c[1]]
    judged = [c[0] for c in reports]
    cdocs = [compliance.Doc(d.url, d.first_seen, d.last_seen, d.removed_at, d.removed_reason, d.evidence,
                            [compliance.Version(sha, at, text) for sha, at, _, text in d.versions])
             for d in judged]
    status, drafts = compliance.assess(a.name, year, dl, as_of, cdocs, crawls)
    if wrong and not reports and status.status != "not_due":
        # only pages that are something else: the year stays unproved, never 按时发布 nor 未发布
        doc, wd, _, _ = wrong[0]
        why = wd[0].evidence.get("why")
        reason = f"标题为年度报告的页面{doc.url}实为其他文件（{wd[0].evidence.get('why_cn')}），未找到真正的年度报告"
        ev = {"deadline": dl.day.isoformat(), "rule": dl.rule, "wrong_document": doc.url, "why": why,
              "linked_finding": finding_key(a.id, year, "WRONG_DOCUMENT", "")}
        status = compliance.Status("not_found", url=doc.url, evidence=ev, reason=reason)
        drafts = [Draft("NOT_FOUND", f"{who}未找到，待核实：{reason}", ev)]
    ay = AgencyYear(a, year, status, drafts, deadline=dl.day.isoformat(), rule=dl.rule)
    for _, wd, _, _ in wrong[:1]:
        ay.drafts += wd
    if reports:
        live = [c for c in reports if c[0].removed_at is None] or reports
        doc, _, report, text = live[0]
        if report:  # the content rules judge a report, not a cover letter
            ay.drafts += registry.judge_report(rules.Subject(report, year, who))
            refs[(a.id, year)] = across.ReportRef(a.id, a.name, year, doc.url, report, text)
    if year_docs:
        own = {h.lower() for h in a.hosts or []} | {(urlsplit(a.site).hostname or "").lower()}
        ay.drafts += registry.non_gov_host(registry.document_hosts([d.url for d in year_docs]), own, trusted, who,
                                           GOV_SUFFIXES)
    return ay


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while assessing: the check allocates millions of small
    objects and keeps most of them, so the collector's passes over the growing heap cost more
    than the judging (the drafts and rows make no reference cycles worth collecting early)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_check(session: Session, as_of: date, years: list[int] | None = None,
              agencies: list[str] | None = None, replay: bool = False,
              regions: list[str] | None = None, closed: bool = False) -> tuple[list[Finding], list[AgencyYear]]:
    """Assess, then upsert findings; returns the open (not dismissed) findings in scope.

    A replay only reports: it stores nothing.  A limited run (``years``, ``agencies``,
    ``regions``) touches only the agency-years it assessed, and there not the findings of
    rules it cannot evaluate without every agency (:data:`ACROSS_ALL_CODES`).
    """
    with _no_gc():
        results = assess_all(session, as_of, years, agencies, replay, regions, closed)
    limited = not (closed or judges_all_reports(session, years, agencies, regions))
    if replay:
        drafts = [Finding(key=finding_key(r.agency.id, r.year, d.code, d.detail), agency_id=r.agency.id, year=r.year,
                          code=d.code, severity=SEVERITY[d.code], message=d.message, evidence=d.evidence, status="open")
                  for r in results for d in r.drafts]
        return sorted(drafts, key=lambda f: (f.agency_id, f.year, f.code, f.key)), results
    scope = {(r.agency.id, r.year) for r in results}
    ids = sorted({r.agency.id for r in results}) if agencies or regions else None
    upsert.store(session, ((r.agency.id, r.year, d) for r in results for d in r.drafts), scope, ids,
                 ACROSS_ALL_CODES if limited else (), utcnow())
    return upsert.open_in_scope(session, scope, ids), results


def finding_json(f: Finding) -> dict[str, Any]:
    return {"agency": f.agency_id, "year": f.year, "code": f.code, "severity": f.severity, "message": f.message,
            "evidence": f.evidence, "key": f.key, "status": f.status,
            "first_seen": f.first_seen.isoformat(timespec="seconds") if f.first_seen else None}


def dismiss(session: Session, key: str, reason: str) -> Finding | None:
    from monitor.dismissal import dismiss_findings

    found = dismiss_findings(session, reason, key=key)
    return found[0] if found else None
