"""Run one crawl: sync the registry, start a run, crawl with Scrapy, summarise.

Scrapy's reactor cannot restart within a process, so :func:`run_crawl` runs one crawl per
process (the service runs ``nianbao crawl`` in a child process); a distributed worker's
long-lived crawl process runs batch after batch in one reactor with :func:`prepare_run`,
:func:`scrapy_settings` and :func:`run_summary` (crawler/jobs/child.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import settings as default_settings
from db.models import Agency, AgencyCrawl, Document, DocumentOwner, Setting
from db.registry import Registry, sync_registry
from db.runs import mark_dead_runs, process_identity, start_run
from db.schema import open_db


@dataclass(slots=True)
class CrawlOptions:
    db_url: str
    files: str
    registry: Registry | None = None
    agencies: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    delay: float = 1.0
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 2.0
    proxy: str | None = None
    concurrency: int = 32
    progress: bool = True
    log_level: str = "CRITICAL"
    run_stats: dict[str, Any] = field(default_factory=dict)  # recorded on the crawl run (e.g. the job)
    headers: dict[str, str] = field(default_factory=dict)  # extra request headers (e.g. X-Nianbao-Job)


def scrapy_settings(opts: CrawlOptions, run_id: int) -> Settings:
    s = Settings()
    s.setmodule(default_settings, priority="project")
    files = str(Path(opts.files).resolve())
    s.update({
        "FILES_STORE": files, "HTTPCACHE_DIR": str(Path(files) / ".httpcache"),
        "NIANBAO_DB_URL": opts.db_url, "NIANBAO_RUN_ID": run_id, "NIANBAO_PROGRESS": opts.progress,
        "DOWNLOAD_DELAY": opts.delay, "AUTOTHROTTLE_ENABLED": opts.delay > 0,
        "AUTOTHROTTLE_START_DELAY": max(opts.delay, 0.01), "DOWNLOAD_TIMEOUT": opts.timeout,
        "RETRY_TIMES": opts.retries, "BACKOFF_BASE": opts.backoff, "CONCURRENT_REQUESTS": opts.concurrency,
        "LOG_LEVEL": opts.log_level,
    }, priority="cmdline")
    if opts.headers:
        s.set("DEFAULT_REQUEST_HEADERS", {**s.getdict("DEFAULT_REQUEST_HEADERS"), **opts.headers}, priority="cmdline")
    return s


def known_reports(session: Session, agency_ids: list[str]) -> dict[str, list[str]]:
    """Per agency, the report pages stored for it by earlier crawls (still online), shared
    ones included: re-checked when the crawl does not list them again."""
    known: dict[str, list[str]] = {}
    d, o = Document.__table__, DocumentOwner.__table__
    live = (d.c.kind == "page") & d.c.removed_at.is_(None)
    for k in range(0, len(agency_ids), 5000):
        chunk = agency_ids[k:k + 5000]
        rows = session.execute(select(d.c.agency_id, d.c.url).where(live, d.c.agency_id.in_(chunk)).union(
            select(o.c.agency_id, d.c.url).join(d, d.c.id == o.c.document_id).where(live, o.c.agency_id.in_(chunk))))
        for aid, url in rows:
            known.setdefault(aid, []).append(url)
    for urls in known.values():
        urls.sort()
    return known


def prepare_run(opts: CrawlOptions) -> tuple[int, list[dict[str, Any]], dict[str, list[str]]]:
    """Sync the registry, select the agencies, start the crawl run: (run id, agencies, known pages)."""
    factory = open_db(opts.db_url)
    with factory() as session:
        if opts.registry is not None:
            sync_registry(session, opts.registry)
        q = select(Agency).where(Agency.active.is_(True))
        if opts.agencies:
            q = q.where(Agency.id.in_(opts.agencies))
        allowed = session.get(Setting, "attachment_hosts")
        allowed_value = allowed.value if allowed is not None else {}
        agencies = [{"id": a.id, "name": a.name, "site": a.site, "start_urls": a.start_urls, "hosts": a.hosts,
                     "attachment_hosts": [*(allowed_value.get("defaults") or []),
                                          *((allowed_value.get("agencies") or {}).get(a.id) or [])]}
                    for a in session.scalars(q)]
        missing = sorted(set(opts.agencies) - {a["id"] for a in agencies})
        if missing:
            raise ValueError(f"unknown or inactive agency id(s): {', '.join(missing)}")
        known = known_reports(session, [str(a["id"]) for a in agencies])
        mark_dead_runs(session)  # a crawl killed before its end: say so, keep what it finished
        run = start_run(session, {"agencies": len(agencies), **opts.run_stats, **process_identity(),
                                  "agency_ids": [a["id"] for a in agencies]})
        session.commit()
        return run.id, agencies, known


def run_summary(db_url: str, run_id: int, spider: Any) -> dict[str, Any]:
    """The per-agency outcomes a finished run stored, with the spider's counters."""
    with open_db(db_url)() as session:
        rows = session.scalars(select(AgencyCrawl).where(AgencyCrawl.run_id == run_id)).all()
        outcomes = {r.agency_id: {"outcome": r.outcome, "reason": r.reason, "pages": r.pages,
                                  "reports_found": r.reports_found, "columns": r.columns} for r in rows}
    return {"run_id": run_id, "agencies": outcomes, "counters": dict(spider.counters) if spider else {}}


def run_crawl(opts: CrawlOptions) -> dict[str, Any]:
    """Crawl the selected agencies; returns the per-agency summary of the run."""
    from spiders.reports import ReportsSpider

    run_id, agencies, known = prepare_run(opts)
    if opts.proxy:
        os.environ["http_proxy"] = os.environ["https_proxy"] = opts.proxy
    process = CrawlerProcess(scrapy_settings(opts, run_id))
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler, agencies=agencies, years=opts.years, known=known)
    process.start()
    return run_summary(opts.db_url, run_id, crawler.spider)
