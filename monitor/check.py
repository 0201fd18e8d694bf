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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Agency,
    AgencyCrawl,
    CrawlRun,
    Document,
    DocumentLink,
    DocumentOwner,
    DocumentVersion,
    Evidence,
    Finding,
    Setting,
    utcnow,
)
from monitor import across, compliance, rules
from monitor.deadlines import BEIJING, deadline_for_agency, deadline_settings
from monitor.findings import ACROSS_ALL_CODES, Draft, finding_key

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


@dataclass(slots=True)
class LoadedDoc:
    """A stored document as plain data (Core rows, no ORM objects: the check reads many)."""

    id: int
    agency_id: str
    year: int | None
    url: str
    title: str | None
    kind: str
    parent_id: int | None
    first_seen: Any
    last_seen: Any
    removed_at: Any
    removed_reason: str | None
    evidence: list[tuple[str, str]] = field(default_factory=list)
    versions: list[tuple[str, Any, dict[str, Any] | None, str | None]] = field(default_factory=list)
    attachments: list[LoadedDoc] = field(default_factory=list)
    observed: list[tuple[str, str, Any]] = field(default_factory=list)  # with observed_at, for replays


def _as_known_at(doc: LoadedDoc, cutoff: datetime) -> LoadedDoc | None:
    """The document as it was known at ``cutoff`` (None if not seen yet): a replay."""
    if doc.first_seen > cutoff:
        return None
    versions = [v for v in doc.versions if v[1] <= cutoff]
    if not versions:
        return None
    removed = doc.removed_at if doc.removed_at and doc.removed_at <= cutoff else None
    attachments = [a for a in (_as_known_at(x, cutoff) for x in doc.attachments) if a is not None]
    return LoadedDoc(doc.id, doc.agency_id, doc.year, doc.url, doc.title, doc.kind, doc.parent_id, doc.first_seen,
                     min(doc.last_seen, cutoff), removed, doc.removed_reason if removed else None,
                     [(src, val) for src, val, seen in doc.observed if seen <= cutoff], versions, attachments)


def _main_report(doc: LoadedDoc) -> tuple[dict[str, Any] | None, str]:
    """The parse result holding the tables: the page's, or an attachment's."""
    candidates = [doc] + [c for c in doc.attachments if c.kind == "attachment"]
    reports = [(d.versions[-1][2], d.versions[-1][3] or "") for d in candidates if d.versions]
    with_tables = [r for r in reports if r[0] and any((r[0].get("tables") or {}).values())]
    unreadable = [r for r in reports if r[0] and "unreadable" in (r[0].get("table_status") or {}).values()]
    pick = (with_tables or unreadable or [r for r in reports if r[0]] or [(None, "")])[0]
    text = "\n".join(t for _, t in reports if t)
    return pick[0], text


def _docs(session: Session, agency_ids: list[str], cutoff: datetime | None = None) -> dict[tuple[str, int], list[LoadedDoc]]:
    d, v, e = Document.__table__, DocumentVersion.__table__, Evidence.__table__
    cols = (d.c.id, d.c.agency_id, d.c.year, d.c.url, d.c.title, d.c.kind, d.c.parent_id,
            d.c.first_seen, d.c.last_seen, d.c.removed_at, d.c.removed_reason)
    rows = session.execute(select(*cols).where(d.c.agency_id.in_(agency_ids)))
    by_id = {r.id: LoadedDoc(*r) for r in rows}
    owners = _owners(session, agency_ids, cutoff)
    r: Any  # a row of one select, then of another
    shared = [i for i in owners if i not in by_id]  # another agency's documents these agencies share
    for k in range(0, len(shared), 5000):
        for r in session.execute(select(*cols).where(d.c.id.in_(shared[k:k + 5000]))):
            by_id[r.id] = LoadedDoc(*r)
        for r in session.execute(select(*cols).where(d.c.parent_id.in_(shared[k:k + 5000]))):
            by_id.setdefault(r.id, LoadedDoc(*r))  # their attachments
    links = _links(session, [i for i, doc in by_id.items() if doc.kind == "page"])
    linked = list({a for atts in links.values() for a in atts if a not in by_id})  # attached first elsewhere
    for k in range(0, len(linked), 5000):
        for r in session.execute(select(*cols).where(d.c.id.in_(linked[k:k + 5000]))):
            by_id[r.id] = LoadedDoc(*r)
    if by_id:
        ids = list(by_id)
        for k in range(0, len(ids), 5000):
            chunk = ids[k:k + 5000]
            for r in session.execute(select(v.c.document_id, v.c.sha256, v.c.fetched_at, v.c.report, v.c.text)
                                     .where(v.c.document_id.in_(chunk)).order_by(v.c.id)):
                by_id[r.document_id].versions.append((r.sha256, r.fetched_at, r.report, r.text))
            for r in session.execute(select(e.c.document_id, e.c.source, e.c.value, e.c.observed_at)
                                     .where(e.c.document_id.in_(chunk))):
                by_id[r.document_id].evidence.append((r.source, r.value))
                if cutoff is not None:
                    by_id[r.document_id].observed.append((r.source, r.value, r.observed_at))
    out: dict[tuple[str, int], list[LoadedDoc]] = defaultdict(list)
    for doc in by_id.values():
        if doc.kind == "attachment" and doc.parent_id in by_id:
            by_id[doc.parent_id].attachments.append(doc)
    for page, atts in links.items():
        by_id[page].attachments += [by_id[a] for a in atts if a in by_id and by_id[a] not in by_id[page].attachments]
    wanted = set(agency_ids)
    for doc in by_id.values():
        if doc.kind == "page" and doc.year:
            known = doc if cutoff is None else _as_known_at(doc, cutoff)
            if known is not None:
                first = [doc.agency_id] if doc.agency_id in wanted else []
                for aid in dict.fromkeys(first + owners.get(doc.id, [])):
                    out[(aid, doc.year)].append(known)
    return out


def _links(session: Session, page_ids: list[int]) -> dict[int, list[int]]:
    """Per page, the attachments it shares with a page that linked them first (issue 16)."""
    link = DocumentLink.__table__
    out: dict[int, list[int]] = defaultdict(list)
    for k in range(0, len(page_ids), 5000):
        for r in session.execute(select(link.c.page_id, link.c.attachment_id)
                                 .where(link.c.page_id.in_(page_ids[k:k + 5000])).order_by(link.c.id)):
            out[r.page_id].append(r.attachment_id)
    return out


def _owners(session: Session, agency_ids: list[str], cutoff: datetime | None) -> dict[int, list[str]]:
    """Per document, these agencies whose report it is (issue 16: one URL can be several
    agencies' report; ``documents.agency_id`` is only the first), as known at ``cutoff``."""
    o = DocumentOwner.__table__
    out: dict[int, list[str]] = defaultdict(list)
    for k in range(0, len(agency_ids), 5000):
        for r in session.execute(select(o.c.document_id, o.c.agency_id, o.c.first_seen)
                                 .where(o.c.agency_id.in_(agency_ids[k:k + 5000]))):
            if cutoff is None or r.first_seen <= cutoff:
                out[r.document_id].append(r.agency_id)
    return out


def _crawls(session: Session, cutoff: datetime | None = None,
            agencies: list[str] | None = None) -> dict[str, list[compliance.Crawl]]:
    """Crawl outcomes per agency with their proofs, as Core rows (no ORM objects for millions of
    outcomes; only the agencies in scope when the run is limited, e.g. the incremental check)."""
    out: dict[str, list[compliance.Crawl]] = defaultdict(list)
    ac, run = AgencyCrawl.__table__, CrawlRun.__table__
    q = (select(ac.c.agency_id, ac.c.outcome, ac.c.finished_at, ac.c.reason, ac.c.pages, ac.c.columns, ac.c.urls_tried,
                ac.c.proof, run.c.id, run.c.finished_at.label("run_finished"), run.c.started_at)
         .join(run, run.c.id == ac.c.run_id).order_by(ac.c.id))
    chunks = [agencies[k:k + 5000] for k in range(0, len(agencies), 5000)] if agencies is not None else [None]
    for chunk in chunks:
        for r in session.execute(q if chunk is None else q.where(ac.c.agency_id.in_(chunk))):
            finished = r.finished_at or r.run_finished or r.started_at
            if cutoff is not None and finished > cutoff:
                continue
            out[r.agency_id].append(compliance.Crawl(r.id, r.outcome, finished, r.reason, r.pages, r.columns or [],
                                                     r.urls_tried or [], r.proof))
    return out


def _wrong_document(report: dict[str, Any] | None, who: str, title: str | None) -> list[Draft]:
    if report is None:
        return [Draft("WRONG_DOCUMENT", f"{who}页面无法解析为年度报告",
                      {"why": "no parsable document", "why_cn": "页面及附件均无法解析", "title": title})]
    status = report.get("table_status") or {}
    if "unreadable" in status.values():
        return []
    if not any((report.get("tables") or {}).values()) and len(report.get("sections") or []) < 3:
        why = report.get("error") or "neither the report's sections nor its tables are in the page or its attachments"
        why_cn = f"页面及附件中只有{len(report.get('sections') or [])}个年报章节，且没有年报表格"
        return [Draft("WRONG_DOCUMENT", f"{who}标题为年度报告的页面实为其他文件（{why_cn}）",
                      {"why": why, "why_cn": why_cn, "title": title})]
    return []


def _non_gov(agency: Agency, docs: list[LoadedDoc], who: str, trusted: tuple[str, ...] = ()) -> list[Draft]:
    """The only copies are on hosts outside the agency's, *.gov.cn and the trusted list."""
    hosts = {urlsplit(d.url).hostname for d in docs if d.url.startswith("http")}
    if not hosts:
        return []
    own = {h.lower() for h in agency.hosts or []} | {(urlsplit(agency.site).hostname or "").lower()}
    suffixes = GOV_SUFFIXES + tuple("." + t for t in trusted)
    if all(h and h not in own and h not in trusted and not h.endswith(suffixes) for h in hosts):
        return [Draft("NON_GOV_HOST", f"{who}仅在非政府网站{'、'.join(sorted(h for h in hosts if h))}发现",
                      {"hosts": sorted(h for h in hosts if h)})]
    return []


BATCH = 500  # agencies per batch: only one batch's reports are in memory at a time


def as_of_cutoff(as_of: date) -> datetime:
    """The end of ``as_of``, Beijing time: nothing known later counts."""
    return datetime.combine(as_of, time(23, 59, 59), BEIJING)


def _in_region(agency: Agency, regions: list[str] | None) -> bool:
    return not regions or any((agency.region or "").startswith(r) for r in regions)


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
    q = select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)
    if agencies:
        q = q.where(Agency.id.in_(agencies))
    agency_rows = [a for a in session.scalars(q) if _in_region(a, regions)]
    settings = deadline_settings(session)
    trusted_row = session.get(Setting, "trusted_hosts")
    trusted = tuple((trusted_row.value or {}).get("suffixes") or ()) if trusted_row else ()
    limited = bool(years or agencies or regions)
    crawls = _crawls(session, cutoff, [a.id for a in agency_rows] if limited else None)
    # the year-to-year rules need the previous year: assess it too, but do not report it
    wanted = set(years or [])
    needed = wanted | {y - 1 for y in wanted}
    results: list[AgencyYear] = []
    prints: list[tuple[tuple[str, int], across.Fingerprint]] = []
    for k in range(0, len(agency_rows), BATCH):
        batch = agency_rows[k:k + BATCH]
        docs = _docs(session, [a.id for a in batch], cutoff)
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
                batch_results[(aid, year)].drafts += across.carryover(ref, prev) + across.in_force_drift(ref, prev)
            prints.append(((aid, year), across.fingerprint(ref)))  # the previous year's too: duplicates compare all
        del docs, refs
    if closed or judges_all_reports(session, years, agencies, regions):  # duplicates compare with every report
        by_key = {(r.agency.id, r.year): r for r in results}
        for i, drafts in across.duplicates([p for _, p in prints]).items():
            key = prints[i][0]
            if key in by_key:
                by_key[key].drafts += drafts
    return results


def _wrong(a: Agency, year: int, doc: LoadedDoc) -> tuple[list[Draft], dict[str, Any] | None, str]:
    report, text = _main_report(doc)
    return _wrong_document(report, f"{a.name}{year}年年度报告", doc.title), report, text


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
            failures, not_assessable = rules.arithmetic(report, who)
            ay.drafts += failures + rules.content(report, year, who, not_assessable)
            refs[(a.id, year)] = across.ReportRef(a.id, a.name, year, doc.url, report, text)
    if year_docs:
        ay.drafts += _non_gov(a, year_docs, who, trusted)
    return ay


def run_check(session: Session, as_of: date, years: list[int] | None = None,
              agencies: list[str] | None = None, replay: bool = False,
              regions: list[str] | None = None, closed: bool = False) -> tuple[list[Finding], list[AgencyYear]]:
    """Assess, then upsert findings; returns the open (not dismissed) findings in scope.

    A replay only reports: it stores nothing.  A limited run (``years``, ``agencies``,
    ``regions``) touches only the agency-years it assessed, and there not the findings of
    rules it cannot evaluate without every agency (:data:`ACROSS_ALL_CODES`).
    """
    results = assess_all(session, as_of, years, agencies, replay, regions, closed)
    limited = not (closed or judges_all_reports(session, years, agencies, regions))
    if replay:
        drafts = [Finding(key=finding_key(r.agency.id, r.year, d.code, d.detail), agency_id=r.agency.id, year=r.year,
                          code=d.code, severity=d.severity, message=d.message, evidence=d.evidence, status="open")
                  for r in results for d in r.drafts]
        return sorted(drafts, key=lambda f: (f.agency_id, f.year, f.code, f.key)), results
    now = utcnow()
    scope = {(r.agency.id, r.year) for r in results}
    existing = {f.key: f for f in session.scalars(select(Finding))}
    seen: set[str] = set()
    for r in results:
        for d in r.drafts:
            key = finding_key(r.agency.id, r.year, d.code, d.detail)
            if key in seen:
                continue
            seen.add(key)
            f = existing.get(key)
            if f is None:
                f = Finding(key=key, agency_id=r.agency.id, year=r.year, code=d.code, severity=d.severity,
                            message=d.message, evidence=d.evidence, status="open", first_seen=now, last_seen=now)
                session.add(f)
                existing[key] = f
            else:
                f.message, f.evidence, f.severity, f.last_seen = d.message, d.evidence, d.severity, now
                if f.status == "resolved":
                    f.status, f.resolved_at = "open", None
    for key, f in existing.items():
        if key not in seen and (f.agency_id, f.year) in scope and f.status == "open" and not (
                limited and f.code in ACROSS_ALL_CODES):
            f.status, f.resolved_at = "resolved", now
    session.flush()
    open_findings = sorted((f for f in existing.values() if f.status == "open" and (f.agency_id, f.year) in scope),
                           key=lambda f: (f.agency_id, f.year, f.code, f.key))
    return open_findings, results


def finding_json(f: Finding) -> dict[str, Any]:
    return {"agency": f.agency_id, "year": f.year, "code": f.code, "severity": f.severity, "message": f.message,
            "evidence": f.evidence, "key": f.key, "status": f.status,
            "first_seen": f.first_seen.isoformat(timespec="seconds") if f.first_seen else None}


def dismiss(session: Session, key: str, reason: str) -> Finding | None:
    from monitor.dismissal import dismiss_findings

    found = dismiss_findings(session, reason, key=key)
    return found[0] if found else None
