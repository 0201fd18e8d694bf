"""Item pipelines: download attachments, then parse and store everything through ``db/``.

:class:`AttachmentsPipeline` is Scrapy's files pipeline following 302 download endpoints,
with files named by their sha256 in the same content-addressed layout as
:class:`db.store.FileStore`.  :class:`StorePipeline` parses off the reactor thread (each
parse in a guarded child process), stores pages, attachments, versions and evidence, and
at the end records every agency's outcome for the run.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request, signals
from scrapy.pipelines.files import FilesPipeline
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from twisted.internet import task
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from crawler.ingestion import build_fetch, stack_images
from crawler.outcomes import describe_store_error, finished_agencies, inflight, with_store_failures
from db.models import AgencyCrawl, CrawlRun, Document
from db.runs import finish_run, record_agency_crawls
from db.schema import open_db
from db.store import FileStore, add_owner, claim_document, mark_removed, store_fetch
from parsing.pool import ParserPool
from parsing.sniff import sniff
from spiders.items import ReportPage

log = logging.getLogger(__name__)


class AttachmentsPipeline(FilesPipeline):
    """Attachments by content: ``ab/<sha256>.<type>`` with the type sniffed from the bytes.

    The first pipeline: it counts each report item in (:func:`crawler.outcomes.inflight`),
    so that an agency is not taken as finished while its items are still being stored."""

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, ReportPage):
            inflight(self.crawler)[item.agency_id] += 1
        return await super().process_item(item)

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, ReportPage):
            return []
        return [Request(u, meta={"agency": item.agency_id, "role": "attachment"}) for u in item.file_urls]

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        if response is None:  # before download: a name that never exists, so it is always revalidated
            return "pending/" + hashlib.sha1(request.url.encode()).hexdigest()
        return FileStore.relative_path(hashlib.sha256(response.body).hexdigest(), sniff(response.body))

    def item_completed(self, results: list[Any], item: Any, info: Any) -> Any:  # (ok, file info or failure)
        if isinstance(item, ReportPage):
            item.files = []
            for url, (ok, value) in zip(item.file_urls, results, strict=False):
                if ok:
                    item.files.append({"url": value["url"], "requested": url, "path": value["path"],
                                       "status": value.get("status")})
                else:
                    item.files.append({"url": url, "requested": url, "error": str(value.value)[:300]})
        return item


class StorePipeline:
    """Parse and persist items; record each agency's outcome as it finishes, and all of them
    again when the spider closes (crawler/outcomes.py)."""

    def __init__(self, crawler: Any, db_url: str, files: str, run_id: int | None, every: float = 1.0) -> None:
        self.crawler = crawler
        self.factory = open_db(db_url)
        self.files = FileStore(files)
        self.root = Path(files)
        self.run_id = run_id
        self.lock = threading.Lock()
        self.stored = {"stored_pages": 0, "stored_attachments": 0, "new_versions": 0, "removed": 0, "parse_errors": 0,
                       "store_errors": 0, "shared_reports": 0}
        shared = crawler.settings.get("NIANBAO_PARSER_POOL") if crawler is not None else None  # a function: a long-lived process's pool (crawler.jobs.child)
        self.parser = shared() if shared else ParserPool(processes=max(1, (os.cpu_count() or 2)))
        self.own_parser = shared is None
        self.store_failures: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.claims: dict[str, dict[str, datetime]] = {}  # report URL -> agencies listing it, until it is stored
        self.recorded: set[str] = set()
        self.writing = False
        self.closed = False
        self.every = every
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        pipe = cls(crawler, s.get("NIANBAO_DB_URL"), s.get("FILES_STORE"), s.getint("NIANBAO_RUN_ID") or None,
                   s.getfloat("NIANBAO_OUTCOMES_EVERY", 1.0))
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(pipe._item_left, signal=signal)
        return pipe

    def _item_left(self, item: Any, **kw: Any) -> None:
        if isinstance(item, ReportPage):
            inflight(self.crawler)[item.agency_id] -= 1

    def open_spider(self) -> None:
        if self.run_id is not None and self.every > 0:
            self.loop = task.LoopingCall(self._record_finished)
            self.loop.start(self.every, now=False)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        d = deferToThread(self._store, item, self.crawler.spider)
        d.addErrback(self._store_failed, item)
        return d.addCallback(lambda _: item)

    def _store_failed(self, failure: Failure, item: ReportPage) -> None:
        """A store that failed is an error of the run, and of the agency (issue 16 item 6)."""
        error = describe_store_error(failure.value)
        log.error("storing %s for %s failed: %s", item.url, item.agency_id, error)
        self.store_failures[item.agency_id].append({"url": item.url, "error": error})
        self.stored["store_errors"] += 1
        counters = getattr(self.crawler.spider, "counters", None)
        if counters is not None:
            counters["errors"] += 1
            counters["store_errors"] += 1

    def _store(self, item: ReportPage, spider: Any) -> None:
        now = datetime.now(UTC)
        if item.kind == "owner":  # fetched for another agency in this crawl: this one's report too
            with self.lock, self.factory() as session:
                new = claim_document(session, item.url, item.agency_id, now, self.run_id)
                if new is None:  # not stored yet: owned once it is (below)
                    self.claims.setdefault(item.url, {})[item.agency_id] = now
                session.commit()
                self.stored["shared_reports"] += bool(new)
            return
        if item.kind in ("gone", "unlisted"):
            with self.lock, self.factory() as session:
                doc = session.scalar(select(Document).where(Document.url == item.url))
                if doc is not None:
                    reason = item.gone_reason or "no longer linked from the report column (page still online)"
                    mark_removed(session, doc, reason, now)
                    self.stored["removed"] += 1
                    session.commit()
            return
        fetches = []
        page_url = item.url
        if item.kind == "page" and item.body is not None:
            fetches.append(build_fetch(item.agency_id, item.url, item.body, seen_at=now, status=item.status,
                                       parser=self.parser,
                                       etag=item.etag, last_modified=item.last_modified,
                                       list_title=item.list_title, list_date=item.list_date))
        images = [f for f in item.files if f["requested"] in item.image_urls and "error" not in f]
        if images:  # the article's tables as pictures: read by OCR as one picture, in page order
            bodies = [(self.root / f["path"]).read_bytes() for f in images]
            stacked = stack_images(bodies) if len(bodies) > 1 else bodies[0]
            if stacked is not None:
                url = images[0]["requested"] if len(images) == 1 else f"{page_url}#正文表格图片"
                fetches.append(build_fetch(item.agency_id, url, stacked, kind="attachment", seen_at=now,
                                           parser=self.parser, list_title=item.list_title, parent_url=page_url))
                self.stored["table_pictures"] = self.stored.get("table_pictures", 0) + len(images)
        for f in item.files:
            if f["requested"] in item.image_urls and "error" not in f:
                continue  # read above, together
            if "error" in f:  # the spider records it as the agency's error (reactor thread, item signals)
                continue
            body = (self.root / f["path"]).read_bytes()
            kind = "page" if item.kind == "file" else "attachment"
            fetches.append(build_fetch(item.agency_id, f["requested"], body, kind=kind, seen_at=now, parser=self.parser,
                                       list_title=item.list_title, list_date=item.list_date if kind == "page" else None,
                                       parent_url=None if kind == "page" else page_url))
        with self.lock, self.factory() as session:
            counts: dict[str, int] = defaultdict(int)
            owned: list[str] = []
            for fetch in fetches:
                stored = store_fetch(session, fetch, self.files, self.run_id)
                counts["stored_pages" if fetch.kind == "page" else "stored_attachments"] += 1
                counts["new_versions"] += stored.new_version and not stored.new_document
                counts["parse_errors"] += fetch.parse_error is not None
                if fetch.kind == "page" and fetch.url in self.claims:  # listed by others meanwhile
                    for aid, at in self.claims[fetch.url].items():
                        counts["shared_reports"] += add_owner(session, stored.document, aid, at, self.run_id)
                    owned.append(fetch.url)
            session.commit()
            for key, n in counts.items():  # counted once saved
                self.stored[key] += n
            for url in owned:
                self.claims.pop(url, None)

    # ---------------------------------------------------------------- outcomes
    def _outcome(self, spider: Any, aid: str) -> dict[str, Any]:
        return agency_crawl_values(with_store_failures(spider.outcome(aid), self.store_failures.get(aid, [])))

    def _record_finished(self) -> None:
        """Every second: write the outcomes of the agencies finished since (in a thread)."""
        spider = self.crawler.spider
        if self.writing or self.closed or spider is None or not hasattr(spider, "outcome"):
            return
        todo = {aid: self._outcome(spider, aid) for aid in finished_agencies(spider, self.crawler, self.recorded)}
        if not todo:
            return
        self.writing = True
        d = deferToThread(self._write_outcomes, todo)
        d.addCallbacks(self.recorded.update, lambda f: log.warning("outcomes not written yet: %s",
                                                                    describe_store_error(f.value)))
        d.addBoth(lambda _: setattr(self, "writing", False))

    def _write_outcomes(self, todo: dict[str, dict[str, Any]]) -> list[str]:
        with self.lock, self.factory() as session:
            if self.closed:  # the final outcomes are written by close_spider
                return []
            assert self.run_id is not None  # the loop runs only for a recorded run
            record_agency_crawls(session, self.run_id, todo)
            session.commit()
        return list(todo)

    def close_spider(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.own_parser:
            self.parser.close()
        spider = self.crawler.spider
        if self.run_id is None:
            return
        outcomes = {aid: self._outcome(spider, aid) for aid in spider.ledgers}
        for attempt in range(3):  # the database may be busy a moment (another crawl's commit)
            try:
                with self.lock, self.factory() as session:
                    self.closed = True
                    record_agency_crawls(session, self.run_id, outcomes)
                    run = session.get(CrawlRun, self.run_id)
                    if run is not None:
                        finish_run(session, run, "done", {**dict(spider.counters), **self.stored,
                                                          "peak_rss_mb": _peak_rss_mb()})
                    session.commit()
                return
            except OperationalError as exc:
                log.error("recording the run's outcomes failed (attempt %d): %s", attempt + 1,
                          describe_store_error(exc))
                time.sleep(1.0)


def agency_crawl_values(outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome's keys that ``AgencyCrawl`` has: ``proof`` is passed once the model has
    the column (contract 1), and keys the model lacks are never passed."""
    columns = set(AgencyCrawl.__table__.columns.keys())
    return {k: v for k, v in outcome.items() if k in columns}


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory (VmHWM; unlike ru_maxrss it starts anew at exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            line = next(x for x in f if x.startswith("VmHWM"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration, ValueError):
        return None
