"""The one spider: finds every annual report of the registry's agencies.

From each agency's start URLs (or its home page) it follows 信息公开/政务公开 navigation
to the 年报 column (bounded depth, 年报 links first), reads the column with the family
the page belongs to (:mod:`spiders.families`), follows pagination, classifies list titles
(:mod:`parsing.classify`) and yields one :class:`crawler.items.ReportPage` per report with
its attachments.  It keeps, per agency, what was tried and what failed, so that a dead
site is recorded as unreachable with its reasons, and it re-checks reports seen in
earlier crawls that it did not find again (removed or not).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import ReportPage
from parsing.classify import classify_title
from parsing.readers.html import decode_html
from spiders.families import detect
from spiders.families.common import ATTACHMENT_RE, canonical

COLUMN_LINK_RE = re.compile(r"信息公开年报|信息公开年度报告|政务公开年报|工作年报|年度报告|^年报$|^年报专栏$")
HUB_LINK_RE = re.compile(r"信息公开|政务公开|公开目录|^政府信息$")
# A column URL ends at the column: /ndbg/, /ndbg/index_2.html, /xxgk/ndbg.htm (not its articles).
COLUMN_SLUG_RE = re.compile(
    r"/(?:xxgknb|zfxxgknb|ndbg|bmxxgknb|gknb|xxgkndbg)(?:/(?:index(?:_\d+)?\.s?html?)?|\.s?html?)?$", re.I)
WAF_RE = re.compile(r"安全验证|防火墙拦截|访问被拦截|请开启JavaScript|人机验证|滑动验证|challenge-platform|WAF")
SOFT_404_RE = re.compile(r"页面不存在|找不到该页面|已被删除|404 Not Found|您访问的页面不存在")
JS_REDIRECT_RE = re.compile(r"""(?:window\.|document\.)?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]|location\.replace\(\s*['"]([^'"]+)['"]""")
_YEAR_RE = re.compile(r"(?:19|20)\d{2}")  # a column label names no year; a report title does
MAX_NAV_DEPTH = 3
MAX_LIST_PAGES = 50


class ReportsSpider(scrapy.Spider):
    """Arguments (plain data, set by ``nianbao crawl``): ``agencies`` (list of dicts with id,
    name, site, start_urls, hosts), ``years`` (optional filter), ``known`` (agency id ->
    report URLs stored by earlier crawls)."""

    name = "reports"

    def __init__(self, agencies: list[dict[str, Any]] | None = None, years: list[int] | None = None,
                 known: dict[str, list[str]] | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.agencies = {a["id"]: a for a in agencies or []}
        self.years = set(years or [])
        self.known = known or {}
        self.state: dict[str, dict[str, Any]] = {
            aid: {"ok_pages": 0, "urls_tried": [], "errors": [], "columns": [], "reports": set(),
                  "waf": False, "pending": 0, "done": False} for aid in self.agencies
        }
        self.seen_reports: set[str] = set()
        self.rechecked = False
        self.counters: dict[str, int] = defaultdict(int)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        return spider

    # ---------------------------------------------------------------- requests
    def _req(self, aid: str, url: str, callback: Any, role: str, **meta: Any) -> scrapy.Request:
        self.state[aid]["pending"] += 1
        method = meta.pop("method", "GET")
        formdata = meta.pop("formdata", None)
        priority = meta.pop("priority", 0)
        m = {"agency": aid, "role": role, **meta}
        if formdata is not None:
            return scrapy.FormRequest(url, formdata=formdata, callback=callback, errback=self._failed, meta=m,
                                      priority=priority)
        return scrapy.Request(url, method=method, callback=callback, errback=self._failed, meta=m, priority=priority)

    async def start(self):  # type: ignore[no-untyped-def]
        for request in self._entry_requests():
            yield request

    def _entry_requests(self):  # type: ignore[no-untyped-def]
        for aid, agency in self.agencies.items():
            starts = list(agency.get("start_urls") or []) or [agency["site"]]
            for url in starts:
                yield self._req(aid, url, self.parse_page, "entry", depth=0, column=bool(agency.get("start_urls")))
            site = agency["site"]
            yield self._req(aid, urljoin(site, "/sitemap.xml"), self.parse_sitemap, "sitemap",
                            handle_httpstatus_list=[404, 403, 410])

    def _finish(self, response_or_failure: Any) -> None:
        meta = response_or_failure.meta if isinstance(response_or_failure, Response) else response_or_failure.request.meta
        aid = meta["agency"]
        st = self.state[aid]
        st["pending"] -= 1
        if st["pending"] <= 0 and not st["done"]:
            st["done"] = True
            self.counters["agencies_done"] += 1

    def _text(self, response: Response) -> str:
        return decode_html(response.body)[0]

    def _reached(self, response: Response, text: str) -> bool:
        """Record the fetch; False when the page is a WAF/challenge page."""
        aid = response.meta["agency"]
        st = self.state[aid]
        st["urls_tried"].append({"url": response.url, "status": response.status})
        self.counters["pages"] += 1
        if len(text) < 5000 and WAF_RE.search(text):
            st["waf"] = True
            st["errors"].append({"url": response.url, "error": "WAF/challenge page"})
            self.counters["errors"] += 1
            return False
        st["ok_pages"] += 1
        return True

    def _failed(self, failure: Failure) -> None:
        request = failure.request
        aid = request.meta["agency"]
        reason = _describe(failure)
        if request.meta.get("role") == "sitemap":
            self._finish(failure)
            return
        self.state[aid]["urls_tried"].append({"url": request.url, "error": reason})
        self.state[aid]["errors"].append({"url": request.url, "error": reason})
        self.counters["errors"] += 1
        if request.meta.get("role") == "recheck":
            self._finish(failure)
            return ReportPage(agency_id=aid, url=request.url, kind="gone", status=None, gone_reason=reason)
        self._finish(failure)
        return None

    # ---------------------------------------------------------------- pages
    def parse_page(self, response: Response):  # type: ignore[no-untyped-def]
        """Home, hub or column page: list entries, pagination, navigation."""
        try:
            text = self._text(response)
            if not self._reached(response, text):
                return
            aid, meta = response.meta["agency"], response.meta
            shell = _js_redirect(text)
            if shell:
                yield self._req(aid, urljoin(response.url, shell), self.parse_page, meta["role"],
                                depth=meta.get("depth", 0), column=meta.get("column", False))
                return
            family = detect(response.url, text)
            entries = family.entries(response.url, text)
            reports = 0
            for e in entries:
                verdict = classify_title(e.title)
                if verdict.is_report and _same_site(e.url, self.agencies[aid]):
                    reports += 1
                    if not self.years or verdict.year in self.years:
                        yield from self._article(aid, e.url, e.title, e.date)
            is_column = meta.get("column") or reports > 0 or bool(COLUMN_SLUG_RE.search(urlsplit(response.url).path))
            if is_column:
                if response.url not in self.state[aid]["columns"] and meta.get("page", 0) == 0:
                    self.state[aid]["columns"].append(response.url)
                if meta.get("page", 0) < MAX_LIST_PAGES and (reports or meta.get("page", 0) == 0):
                    for spec in family.more_requests(response.url, text, {**meta, "max_pages": MAX_LIST_PAGES}):
                        extra = spec.get("meta", {})
                        yield self._req(aid, spec["url"], self.parse_page, "list", depth=meta.get("depth", 0),
                                        column=True, page=meta.get("page", 0) + 1, method=spec.get("method", "GET"),
                                        formdata=spec.get("formdata"), **extra)
            yield from self._navigate(aid, response.url, text, meta.get("depth", 0))
        finally:
            self._finish(response)

    def _navigate(self, aid: str, url: str, text: str, depth: int):  # type: ignore[no-untyped-def]
        if depth >= MAX_NAV_DEPTH:
            return
        sel = Selector(text=text)
        agency = self.agencies[aid]
        for a in sel.css("a[href]"):
            label = " ".join(" ".join(a.css("::text").getall()).split())
            href = (a.attrib.get("href") or "").strip()
            if not label or not href or href.startswith(("javascript:", "mailto:")):
                continue
            target = canonical(urljoin(url, href))
            if not _same_site(target, agency):
                continue
            fragment = href.split("#", 1)[1] if "#" in href else ""
            if COLUMN_LINK_RE.search(label) and len(label) <= 14 and not _YEAR_RE.search(label):
                yield self._req(aid, target, self.parse_page, "column", depth=depth + 1, column=True,
                                fragment=fragment, priority=10)
            elif HUB_LINK_RE.search(label) and len(label) <= 12:
                yield self._req(aid, target, self.parse_page, "hub", depth=depth + 1, fragment=fragment)

    def parse_sitemap(self, response: Response):  # type: ignore[no-untyped-def]
        """Columns listed only in sitemap.xml (no navigation link to them)."""
        try:
            aid = response.meta["agency"]
            if response.status != 200:
                return
            for loc in Selector(text=self._text(response), type="xml").xpath("//*[local-name()='loc']/text()").getall():
                url = canonical(loc.strip())
                if COLUMN_SLUG_RE.search(urlsplit(url).path) and _same_site(url, self.agencies[aid]):
                    yield self._req(aid, url, self.parse_page, "column", depth=MAX_NAV_DEPTH - 1, column=True)
        finally:
            self._finish(response)

    # ---------------------------------------------------------------- articles
    def _article(self, aid: str, url: str, title: str, day: str | None):  # type: ignore[no-untyped-def]
        if url in self.seen_reports:
            return
        self.seen_reports.add(url)
        if ATTACHMENT_RE.search(url):  # the list links the file itself
            self.state[aid]["reports"].add(url)
            self.counters["reports"] += 1
            yield ReportPage(agency_id=aid, url=url, kind="file", list_title=title, list_date=day, file_urls=[url])
            return
        yield self._req(aid, url, self.parse_article, "article", list_title=title, list_date=day,
                        handle_httpstatus_list=[404, 410])

    def parse_article(self, response: Response):  # type: ignore[no-untyped-def]
        try:
            aid, meta = response.meta["agency"], response.meta
            text = self._text(response)
            if response.status in (404, 410) or (len(text) < 4000 and SOFT_404_RE.search(text)):
                yield ReportPage(agency_id=aid, url=response.url, kind="gone", status=response.status,
                                 gone_reason=f"HTTP {response.status}" if response.status != 200 else "soft 404")
                return
            if not self._reached(response, text):
                return
            shell = _js_redirect(text)
            if shell and len(text) < 3000:
                yield self._req(aid, urljoin(response.url, shell), self.parse_article, "article",
                                list_title=meta.get("list_title"), list_date=meta.get("list_date"))
                return
            attachments = []
            for a in Selector(text=text).css("a[href], iframe[src], embed[src], object[data]"):
                href = a.attrib.get("href") or a.attrib.get("src") or a.attrib.get("data") or ""
                if href and ATTACHMENT_RE.search(href):
                    url = urljoin(response.url, href.strip())
                    if url not in attachments:
                        attachments.append(url)
            self.state[aid]["reports"].add(response.url)
            self.counters["reports"] += 1
            yield ReportPage(agency_id=aid, url=response.url, kind="page", body=response.body, status=response.status,
                             etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
                             list_title=meta.get("list_title"), list_date=meta.get("list_date"), file_urls=attachments)
        finally:
            self._finish(response)

    def parse_recheck(self, response: Response):  # type: ignore[no-untyped-def]
        """A report stored earlier and not listed any more: gone, or still there unlisted."""
        try:
            aid = response.meta["agency"]
            text = self._text(response)
            if response.status in (404, 410) or (len(text) < 4000 and SOFT_404_RE.search(text)):
                yield ReportPage(agency_id=aid, url=response.url, kind="gone", status=response.status,
                                 gone_reason=f"HTTP {response.status}" if response.status != 200 else "soft 404")
            else:
                yield ReportPage(agency_id=aid, url=response.url, kind="unlisted", status=response.status)
        finally:
            self._finish(response)

    def _idle(self, spider: scrapy.Spider) -> None:
        """Once everything else is done: re-check earlier reports not found again."""
        if self.rechecked:
            return
        self.rechecked = True
        scheduled = False
        for aid, urls in self.known.items():
            st = self.state.get(aid)
            if st is None or st["ok_pages"] == 0 or not st["columns"]:
                continue  # not crawled successfully: absence proves nothing
            for url in urls:
                if url not in self.seen_reports:
                    req = self._req(aid, url, self.parse_recheck, "recheck", handle_httpstatus_list=[404, 410])
                    self.crawler.engine.crawl(req)
                    scheduled = True
        if scheduled:
            raise DontCloseSpider

    def outcomes(self) -> dict[str, dict[str, Any]]:
        """Per agency: ok or unreachable, with reasons and what was tried (plain data)."""
        out = {}
        for aid, st in self.state.items():
            reachable = st["ok_pages"] > 0
            reason = None
            if not reachable:
                reason = "; ".join(sorted({e["error"] for e in st["errors"]})) or "no page could be fetched"
            out[aid] = {"outcome": "ok" if reachable else "unreachable", "reason": reason,
                        "urls_tried": st["urls_tried"][:50], "columns": st["columns"], "pages": st["ok_pages"],
                        "reports_found": len(st["reports"])}
        return out


def _same_site(url: str, agency: dict[str, Any]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    hosts = {h.split(":")[0].lower() for h in agency.get("hosts") or []} | {(urlsplit(agency["site"]).hostname or "").lower()}
    return host in hosts or any(host.endswith("." + h) for h in hosts if h.count(".") >= 2)


def _js_redirect(text: str) -> str | None:
    if len(text) > 3000:
        return None
    m = JS_REDIRECT_RE.search(text)
    return next((g for g in m.groups() if g), None) if m else None


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _describe(failure: Failure) -> str:
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import (
        ConnectionRefusedError,
        DNSLookupError,
        TCPTimedOutError,
        TimeoutError,
    )

    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    if isinstance(exc, DNSLookupError):
        return "DNS lookup failed"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)) or "Timeout" in type(exc).__name__:
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}".rstrip(": ")
