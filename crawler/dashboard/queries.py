"""Database reads of the agency and report pages: one agency's documents, versions,
evidence, crawls and stored findings, by indexed columns (agency_id, document_id, key)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Agency,
    AgencyCrawl,
    CrawlRun,
    Document,
    DocumentVersion,
    Evidence,
    Finding,
    FindingEvent,
)


def documents(session: Session, agency_id: str) -> dict[int | None, list[dict[str, Any]]]:
    """The agency's report pages per year, each with its versions, attachments and evidence."""
    d, v, e = Document.__table__, DocumentVersion.__table__, Evidence.__table__
    docs = {r.id: {**dict(r._mapping), "versions": [], "attachments": [], "evidence": []}
            for r in session.execute(select(d.c.id, d.c.parent_id, d.c.kind, d.c.url, d.c.title, d.c.year,
                                            d.c.report_agency, d.c.first_seen, d.c.last_seen, d.c.last_status,
                                            d.c.removed_at, d.c.removed_reason)
                                     .where(d.c.agency_id == agency_id).order_by(d.c.id))}
    if docs:
        ids = list(docs)
        r: Any  # a row of one select, then of another
        for r in session.execute(select(v.c.id, v.c.document_id, v.c.sha256, v.c.size, v.c.detected_type,
                                        v.c.stored_path, v.c.fetched_at, v.c.parse_status, v.c.parse_error)
                                 .where(v.c.document_id.in_(ids)).order_by(v.c.id)):
            docs[r.document_id]["versions"].append(dict(r._mapping))
        for r in session.execute(select(e.c.document_id, e.c.source, e.c.value, e.c.observed_at, e.c.detail)
                                 .where(e.c.document_id.in_(ids)).order_by(e.c.id)):
            docs[r.document_id]["evidence"].append(dict(r._mapping))
    by_year: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for doc in docs.values():
        if doc["kind"] == "attachment" and doc["parent_id"] in docs:
            docs[doc["parent_id"]]["attachments"].append(doc)
    for doc in docs.values():
        if doc["kind"] == "page" or doc["parent_id"] not in docs:
            by_year[doc["year"]].append(doc)
    return dict(by_year)


def crawls(session: Session, agency_id: str, limit: int = 10) -> list[dict[str, Any]]:
    t = AgencyCrawl.__table__
    q = (select(t, CrawlRun.status.label("run_status")).join(CrawlRun, CrawlRun.id == t.c.run_id)
         .where(t.c.agency_id == agency_id).order_by(t.c.id.desc()).limit(limit))
    return [dict(r._mapping) for r in session.execute(q)]


def stored_findings(session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Stored state (open/dismissed/resolved, reason) and the dismiss history of these keys."""
    if not keys:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for k in range(0, len(keys), 500):
        for f in session.scalars(select(Finding).where(Finding.key.in_(keys[k:k + 500]))):
            out[f.key] = {"id": f.id, "status": f.status, "reason": f.dismissed_reason, "first_seen": f.first_seen,
                          "events": []}
    ids = {v["id"]: key for key, v in out.items()}
    if ids:
        for ev in session.scalars(select(FindingEvent).where(FindingEvent.finding_id.in_(list(ids)))
                                  .order_by(FindingEvent.id)):
            out[ids[ev.finding_id]]["events"].append({"action": ev.action, "reason": ev.reason, "actor": ev.actor,
                                                      "at": ev.at})
    return out


def dismissed_keys(session: Session) -> set[str]:
    return set(session.scalars(select(Finding.key).where(Finding.status == "dismissed")))


def main_report(session: Session, agency_id: str, year: int) -> dict[str, Any] | None:
    """The report of an agency-year as the monitor reads it: the live page, and the parse
    result holding the tables (the page's or an attachment's), with the document it came from."""
    d, v = Document.__table__, DocumentVersion.__table__
    pages = list(session.execute(select(d.c.id, d.c.url, d.c.title, d.c.removed_at)
                                 .where(d.c.agency_id == agency_id, d.c.year == year, d.c.kind == "page")
                                 .order_by(d.c.id)))
    if not pages:
        return None
    live = [p for p in pages if p.removed_at is None] or pages
    page = live[0]
    members = [page.id] + list(session.scalars(select(d.c.id).where(d.c.parent_id == page.id, d.c.kind == "attachment")
                                               .order_by(d.c.id)))
    urls = dict(session.execute(select(d.c.id, d.c.url).where(d.c.id.in_(members))).all())
    latest: dict[int, Any] = {}
    for r in session.execute(select(v.c.document_id, v.c.id, v.c.report, v.c.fetched_at, v.c.sha256)
                             .where(v.c.document_id.in_(members)).order_by(v.c.id)):
        latest[r.document_id] = r
    reports = [(mid, latest[mid]) for mid in members if mid in latest and latest[mid].report]
    with_tables = [x for x in reports if any(((x[1].report or {}).get("tables") or {}).values())]
    unreadable = [x for x in reports if "unreadable" in ((x[1].report or {}).get("table_status") or {}).values()]
    pick = next(iter(with_tables or unreadable or reports), None)
    if pick is None:
        return {"page_url": page.url, "title": page.title, "report": None, "source_url": None}
    mid, ver = pick
    return {"page_url": page.url, "title": page.title, "report": ver.report, "source_url": urls.get(mid),
            "fetched_at": ver.fetched_at, "sha256": ver.sha256}


def next_crawl(session: Session, agency_id: str, last: datetime | None, config_path: str | None,
               found_last_year: bool) -> datetime | None:
    """When the service will crawl this agency next (its cadence), if that can be told."""
    if last is None:
        return None
    try:
        from crawler.cadence import interval_days
        from crawler.config import load_config

        cfg = load_config(config_path)
        a = session.get(Agency, agency_id)
        if a is None:
            return None
        days = interval_days(a, found_last_year, last, cfg)
        return last + timedelta(days=days)
    except Exception:  # noqa: BLE001 - the cadence belongs to the service; show "unknown" rather than fail
        return None
