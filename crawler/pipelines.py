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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.pipelines.files import FilesPipeline
from sqlalchemy import select
from twisted.internet.threads import deferToThread

from crawler.ingestion import build_fetch, stack_images
from db.models import AgencyCrawl, CrawlRun, Document
from db.schema import open_db
from db.store import FileStore, finish_run, mark_removed, record_agency_crawl, store_fetch
from parsing.api import ParserPool
from parsing.sniff import sniff
from spiders.items import ReportPage

log = logging.getLogger(__name__)


class AttachmentsPipeline(FilesPipeline):
    """Attachments by content: ``ab/<sha256>.<type>`` with the type sniffed from the bytes."""

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, ReportPage):
            return []
        return [Request(u, meta={"agency": item.agency_id, "role": "attachment"}) for u in item.file_urls]

    def file_path(self, request: Request, response: Any = None, info: Any = None, *, item: Any = None) -> str:
        if response is None:  # before download: a name that never exists, so it is always revalidated
            return "pending/" + hashlib.sha1(request.url.encode()).hexdigest()
        return FileStore.relative_path(hashlib.sha256(response.body).hexdigest(), sniff(response.body))

    def item_completed(self, results: list[tuple[bool, Any]], item: Any, info: Any) -> Any:
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
    """Parse and persist items; record per-agency outcomes when the spider closes."""

    def __init__(self, crawler: Any, db_url: str, files: str, run_id: int | None) -> None:
        self.crawler = crawler
        self.factory = open_db(db_url)
        self.files = FileStore(files)
        self.root = Path(files)
        self.run_id = run_id
        self.lock = threading.Lock()
        self.stored = {"stored_pages": 0, "stored_attachments": 0, "new_versions": 0, "removed": 0, "parse_errors": 0}
        shared = crawler.settings.get("NIANBAO_PARSER_POOL")  # a function: a long-lived process's pool (crawler.jobs.child)
        self.parser = shared() if shared else ParserPool(processes=max(1, (os.cpu_count() or 2)))
        self.own_parser = shared is None

    @classmethod
    def from_crawler(cls, crawler):  # type: ignore[no-untyped-def]
        s = crawler.settings
        return cls(crawler, s.get("NIANBAO_DB_URL"), s.get("FILES_STORE"), s.getint("NIANBAO_RUN_ID") or None)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ReportPage):
            return item
        return deferToThread(self._store, item, self.crawler.spider).addCallback(lambda _: item)

    def _store(self, item: ReportPage, spider: Any) -> None:
        now = datetime.now(UTC)
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
            if "error" in f:
                spider.state[item.agency_id]["errors"].append({"url": f["url"], "error": f"attachment: {f['error']}"})
                continue
            body = (self.root / f["path"]).read_bytes()
            kind = "page" if item.kind == "file" else "attachment"
            fetches.append(build_fetch(item.agency_id, f["requested"], body, kind=kind, seen_at=now, parser=self.parser,
                                       list_title=item.list_title, list_date=item.list_date if kind == "page" else None,
                                       parent_url=None if kind == "page" else page_url))
        with self.lock, self.factory() as session:
            for fetch in fetches:
                stored = store_fetch(session, fetch, self.files, self.run_id)
                self.stored["stored_pages" if fetch.kind == "page" else "stored_attachments"] += 1
                self.stored["new_versions"] += stored.new_version and not stored.new_document
                self.stored["parse_errors"] += fetch.parse_error is not None
            session.commit()

    def close_spider(self) -> None:
        if self.own_parser:
            self.parser.close()
        spider = self.crawler.spider
        if self.run_id is None:
            return
        with self.lock, self.factory() as session:
            for aid, o in spider.outcomes().items():
                record_agency_crawl(session, self.run_id, aid, **agency_crawl_values(o))
            run = session.get(CrawlRun, self.run_id)
            if run is not None:
                finish_run(session, run, "done", {**dict(spider.counters), **self.stored, "peak_rss_mb": _peak_rss_mb()})
            session.commit()


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
