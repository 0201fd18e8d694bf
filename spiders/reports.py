"""The one spider: finds every annual report of the registry's agencies.

From each agency's pinned columns (registry start URLs) or its home page, the explorer
(:mod:`spiders.explorer`) searches best-first for the 年报 column within a page budget.
Every column page is read by the adapter its fingerprint names (:mod:`spiders.adapters`),
which gives the entries and the further requests (pages, sub-columns, API calls).  List
titles are classified (:mod:`parsing.classify`); each report is attributed to the agency
it belongs to (:mod:`spiders.attribution`) and yielded as a :class:`spiders.items.ReportPage`
with its attachments and table pictures.  Columns are kept once per crawl, whoever
reached them, with what each showed: the proof of absence (:mod:`spiders.proof`).
Each agency's bookkeeping is a :class:`spiders.ledger.Ledger`; where its requests may go
is :class:`spiders.scope.Scope` (http(s) only, its own hosts); exploring is
:mod:`spiders.exploring`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from parsing.classify import classify_title
from spiders.adapters import BY_NAME, Page, sniff
from spiders.adapters.base import Next
from spiders.adapters.common import ATTACHMENT_RE, canonical
from spiders.adapters.year_folders import subcolumns
from spiders.article_pages import ArticlePages
from spiders.attribution import Attributor
from spiders.blocks import block_evidence, describe_failure
from spiders.decode import page_text
from spiders.explorer import BUDGET
from spiders.exploring import Exploring, _Fetched
from spiders.items import ReportPage
from spiders.ledger import Ledger
from spiders.links import MAX_LINKS_PER_PAGE, cap_links
from spiders.pagekinds import js_redirect, same_site
from spiders.proof import Column
from spiders.scope import Scope

MAX_NAV_DEPTH = 4
MAX_LIST_PAGES = 60
MAX_SUBCOLUMNS = 120
API_STATUSES = [400, 403, 404, 405, 406, 410, 411, 412, 415, 500, 501]
PAGE_STATUSES = [403, 412, 429]
TRUNCATED_RE = re.compile(r"(?:\.\.\.|…|\.\.)\s*$")
MAYBE_REPORT_RE = re.compile(r"^(?!解读|图解|关于|一图).*(?:年报|年度|信息公开|政务公开|工作年|(?:19|20)\d{2}\s*年)")


class ReportsSpider(ArticlePages, Exploring, scrapy.Spider):
    """Arguments (plain data, set by ``nianbao crawl``): ``agencies`` (list of dicts with id,
    name, site, start_urls, hosts, attachment_hosts), ``years`` (optional filter), ``known`` (agency id ->
    report URLs stored by earlier crawls), ``budget`` (explorer pages per agency)."""

    name = "reports"

    def __init__(self, agencies: list[dict[str, Any]] | None = None, years: list[int] | None = None,
                 known: dict[str, list[str]] | None = None, budget: int = BUDGET, **kw: Any) -> None:
        super().__init__(**kw)
        self.agencies = {a["id"]: a for a in agencies or []}
        self.years = set(years or [])
        self.known = known or {}
        self.budget = int(budget)
        self.ledgers: dict[str, Ledger] = {aid: Ledger() for aid in self.agencies}
        self.scope = Scope(self.agencies)
        self.max_links = MAX_LINKS_PER_PAGE
        self.columns: dict[str, Column] = {}
        self.requested: set[str] = set()
        self.sitemaps: dict[str, list[str]] = {}
        self.nav_pages: dict[str, list[tuple[str, int]]] = {}  # explored URL -> (agency, depth) that wanted it
        self.nav_texts: dict[str, str | None] = {}
        self.attr = Attributor(self.agencies)
        self.seen_reports: set[str] = set()
        self.rechecked = False
        self.browser = False
        self.counters: dict[str, int] = defaultdict(int)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._item_done, signal=signals.item_scraped)
        crawler.signals.connect(spider._item_done, signal=signals.item_error)
        spider.browser = crawler.settings.getbool("NIANBAO_BROWSER")
        spider.max_links = crawler.settings.getint("NIANBAO_MAX_LINKS_PER_PAGE", MAX_LINKS_PER_PAGE)
        return spider

    # ---------------------------------------------------------------- requests
    def _req(self, aid: str, url: str, callback: Any, role: str, **meta: Any) -> scrapy.Request:
        self.ledgers[aid].started()
        method = meta.pop("method", "GET")
        formdata = meta.pop("formdata", None)
        body = meta.pop("body", None)
        headers = meta.pop("headers", None)
        priority = meta.pop("priority", 0)
        m = {"agency": aid, "role": role, **meta}
        if formdata is not None:
            return scrapy.FormRequest(url, method=method, formdata=formdata, headers=headers, callback=callback,
                                      errback=self._failed, meta=m, priority=priority, dont_filter=True)
        return scrapy.Request(url, method=method, body=body, headers=headers, callback=callback, errback=self._failed,
                              meta=m, priority=priority, dont_filter=True)

    async def start(self):
        for request in self._entry_requests():
            yield request

    def _entry_requests(self):
        for aid, agency in self.agencies.items():
            for url in agency.get("start_urls") or []:
                yield from self._column(aid, url, "pinned", "登记的起始地址", priority=20)
            if not agency.get("start_urls"):
                yield from self._explore(aid, agency["site"], 0, 0)
            sitemap = urljoin(agency["site"], "/sitemap.xml")  # once per site, for every agency on it
            if sitemap not in self.sitemaps:
                self.sitemaps[sitemap] = [aid]
                yield self._req(aid, sitemap, self.parse_sitemap, "sitemap", handle_httpstatus_list=[404, 403, 410])
            elif aid not in self.sitemaps[sitemap]:
                self.sitemaps[sitemap].append(aid)

    def _column(self, aid: str, url: str, why: str | None, detail: str, parent: str | None = None,
                org: str | None = None, priority: int = 10):
        """Reach a column: fetched once per crawl, whoever reaches it; every reacher is recorded."""
        fragment = url.split("#", 1)[1] if "#" in url else ""
        key = canonical(url) + (f"#{fragment}" if fragment else "")
        col = self.columns.get(key)
        if col is None:
            if parent and len(self.columns[parent].children) >= MAX_SUBCOLUMNS:
                self.columns[parent].truncated = True
                return
            col = self.columns[key] = Column(url=key, parent=parent)
            if parent:
                self.columns[parent].children.append(key)
                for other, (w, d) in self.columns[parent].reached_by.items():
                    col.reach(other, w, f"{d}（子栏目）")
            col.outstanding += 1
            yield self._req(aid, canonical(url), self.parse_column, "column", column=key, fragment=fragment, org=org,
                            priority=priority, handle_httpstatus_list=PAGE_STATUSES)
        col.reach(aid, why, detail)
        if parent is None:
            self.ledgers[aid].root(key)

    def _explore(self, aid: str, url: str, depth: int, score: int):
        st = self.ledgers[aid]
        url = canonical(url)
        if url in st.visited or depth > MAX_NAV_DEPTH:
            return
        if st.explored >= self.budget:
            st.budget_hit = True
            return
        st.visited.add(url)
        st.explored += 1
        if url in self.nav_pages:  # fetched already for another agency on this host: read it again, not fetch
            self.nav_pages[url].append((aid, depth))
            if (known := self.nav_texts.get(url)) is not None:
                st.ok_pages += 1
                yield from self._explored(aid, url, known, depth)
            return
        self.nav_pages[url] = [(aid, depth)]
        yield self._req(aid, url, self.parse_explore, "explore", depth=depth, priority=score // 10,
                        handle_httpstatus_list=PAGE_STATUSES)

    def _finish(self, response_or_failure: Any) -> None:
        meta = response_or_failure.meta if isinstance(response_or_failure, Response) else response_or_failure.request.meta
        if self.ledgers[meta["agency"]].finished():
            self.counters["agencies_done"] += 1

    def _reached(self, response: Response, text: str) -> bool:
        """Record the fetch; False when the answer is a real block (recorded with evidence)."""
        st = self.ledgers[response.meta["agency"]]
        st.tried(response.url, response.status)
        self.counters["pages"] += 1
        evidence = block_evidence(response.status, text)
        if evidence:
            st.blocked.append({"url": response.url, "status": response.status, "evidence": evidence})
            st.error(response.url, f"被拦截（{evidence}）")
            self.counters["errors"] += 1
            self.counters["blocked"] += 1
            return False
        if response.status >= 400 and not response.meta.get("adapter"):
            st.error(response.url, f"HTTP {response.status}")
            return False
        st.ok_pages += 1
        return True

    def _text(self, response: Response, col: Column | None = None) -> str:
        """The page decoded, read only up to its link cap (a column cut there is truncated)."""
        text, links = cap_links(page_text(response.body), self.max_links)
        if links > self.max_links:
            self.counters["pages_over_link_cap"] += 1
            self.ledgers[response.meta["agency"]].error(response.url, f"页面链接超过{self.max_links}个，只读取前{self.max_links}个")
            if col is not None:
                col.truncated = True
        return text

    def _failed(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on a download failure
        meta = request.meta
        aid = meta["agency"]
        reason = self.scope.dns_refusal(request.url) or describe_failure(failure)
        try:
            if meta.get("role") == "sitemap":
                return None
            self.ledgers[aid].tried(request.url, error=reason)
            self.ledgers[aid].error(request.url, reason)
            self.counters["errors"] += 1
            if meta.get("column"):
                col = self.columns[meta["column"]]
                col.outstanding -= 1
                col.failed.append({"url": request.url, "error": reason})
            if meta.get("role") == "recheck":
                return ReportPage(agency_id=aid, url=request.url, kind="gone", status=None, gone_reason=reason)
            return None
        finally:
            self._finish(failure)

    # ---------------------------------------------------------------- columns
    def parse_column(self, response: Response):
        """A column page, one of its further pages, or an API answer for it."""
        meta = response.meta
        col = self.columns[meta["column"]]
        col.outstanding -= 1
        try:
            text = self._text(response, col)
            if not self._reached(response, text):
                if not meta.get("adapter") or block_evidence(response.status, text):
                    col.failed.append({"url": response.url, "error": self.ledgers[meta["agency"]].errors[-1]["error"]})
                    return
            yield from self._read(col, response, text, meta)
        finally:
            self._finish(response)

    def _read(self, col: Column, response: Response | _Fetched, text: str, meta: dict[str, Any]):
        aid = meta["agency"]
        if True:
            if not meta.get("adapter") and (shell := js_redirect(text)):
                col.outstanding += 1
                yield self._req(aid, canonical(urljoin(response.url, shell)), self.parse_column, meta["role"],
                                column=col.url, fragment=meta.get("fragment", ""), org=meta.get("org"))
                return
            page = Page(url=response.url, text=text, status=response.status, state=meta.get("state") or {},
                        fragment=meta.get("fragment") or "", org=meta.get("org"))
            adapter = BY_NAME[meta["adapter"]] if meta.get("adapter") else sniff(page)
            if meta["role"] == "column" and not meta.get("adapter") and col.adapter in ("generic", "spa"):
                col.adapter = adapter.NAME
            listing = adapter.read(page)
            if listing.render and self.browser and not meta.get("rendered"):
                col.outstanding += 1
                self.counters["rendered_pages"] += 1
                self.crawler.stats.inc_value("nianbao/rendered_pages")
                yield self._req(aid, response.url, self.parse_column, meta["role"], column=col.url, rendered=True,
                                fragment=meta.get("fragment", ""), org=meta.get("org"), playwright=True,
                                playwright_page_goto_kwargs={"wait_until": "networkidle"},
                                playwright_page_init_callback="crawler.browser.one_at_a_time")
                return
            col.pages_read += 1
            if listing.error:
                col.failed.append({"url": response.url, "error": listing.error})
            if listing.pages_total:
                col.pages_total = max(col.pages_total or 0, listing.pages_total)
            if listing.listed_total is not None:
                col.listed_total = max(col.listed_total or 0, listing.listed_total)
            nexts = list(listing.next)
            if not meta.get("adapter") and adapter.NAME not in ("iframe",):
                known = {n.url for n in nexts}
                nexts += [n for n in subcolumns(page) if n.url not in known]
            pager = {n.url for n in nexts}  # pages and sub-columns are not list entries
            new = 0
            context = list(col.reached_by) or [aid]
            for e in listing.entries:
                if e.url in pager or e.url in col.entry_urls:
                    continue
                new += 1
                col.entry_urls.add(e.url)
                yield from self._entry(col, e.url, e.title, e.date, e.org or page.org, context, response.url)
            chained = bool(meta.get("state")) or meta.get("role") == "list"  # this page is itself a list page or answer
            for n in nexts:
                yield from self._follow(aid, col, adapter.NAME, n, new if chained else 1, page.org)
            if meta["role"] in ("column", "explore") and not col.reports and not nexts and col.parent is None:
                yield from self._links(aid, response.url, text, meta.get("depth", 1), page.sel)

    def _entry(self, col: Column | None, url: str, title: str, day: str | None, org: str | None,
               context: list[str], page_url: str):
        verdict = classify_title(title)
        if not verdict.is_report:
            if TRUNCATED_RE.search(title) and MAYBE_REPORT_RE.search(title) and not ATTACHMENT_RE.search(url):
                # a title cut short by the list ("…政府信息公…"): the article's own title decides
                if same_site(url, self.agencies[context[0]], page_url):
                    self.scope.lists_reports_of(context[0], url)
                    yield from self._article(context[0], url, title, day, verify=(org, context, col.url if col else None))
            return
        owner, organ = self.attr.attribute(title, url, org, context)
        if col is not None:
            col.reports[url] = (owner, organ, verdict.year)
        if owner is None or not (same_site(url, self.agencies[owner], page_url)
                                 or (col is not None and same_site(url, self.agencies[owner], col.url))):
            return
        if self.years and verdict.year not in self.years:
            return
        self.scope.lists_reports_of(owner, url)  # a shared portal's host serves the owner's reports
        yield from self._article(owner, url, title, day, column=col.url if col else None)

    def _follow(self, aid: str, col: Column, adapter: str, n: Next, new: int, org: str | None):
        if n.kind == "subcolumn":
            if n.label:
                self.attr.learn_code(n.url, n.label)
            if same_site(n.url, self.agencies[aid], col.url):
                yield from self._column(aid, n.url, None, "", parent=col.url, org=n.label or org)
            return
        if n.sequential and new == 0:
            return  # a probe that brought nothing new: the column ends here
        key = f"{n.method} {n.url} {n.body or ''} {sorted((n.formdata or {}).items())}"
        if key in self.requested:
            return
        if col.pages_read + col.outstanding >= MAX_LIST_PAGES:
            col.truncated = True
            return
        self.requested.add(key)
        col.outstanding += 1
        extra: dict[str, Any] = {"handle_httpstatus_list": API_STATUSES} if n.state else {"handle_httpstatus_list": PAGE_STATUSES}
        yield self._req(aid, n.url, self.parse_column, "list", column=col.url, adapter=adapter if n.state else None,
                        state=n.state, org=org, method=n.method, formdata=n.formdata, body=n.body, headers=n.headers,
                        priority=15, **extra)

    def _idle(self, spider: scrapy.Spider) -> None:
        """Once everything else is done: re-check earlier reports not found again."""
        if self.rechecked:
            return
        self.rechecked = True
        scheduled = False
        for aid, urls in self.known.items():
            st = self.ledgers.get(aid)
            if st is None or not st.complete(aid, self.columns) or not st.roots:
                continue  # not crawled successfully (or a column broken): absence proves nothing
            for url in urls:
                if url not in self.seen_reports:
                    req = self._req(aid, url, self.parse_recheck, "recheck", handle_httpstatus_list=[404, 410])
                    self.crawler.engine.crawl(req)
                    scheduled = True
        if scheduled:
            raise DontCloseSpider

    # ---------------------------------------------------------------- results
    def _item_done(self, item: Any, response: Any = None, spider: Any = None, failure: Any = None) -> None:
        """An item through the pipelines (reactor thread): its failed downloads are the agency's errors."""
        if not isinstance(item, ReportPage) or item.agency_id not in self.ledgers:
            return
        for f in item.files:
            if "error" in f:
                self.ledgers[item.agency_id].error(f["url"], f"attachment: {f['error']}")

    def outcomes(self) -> dict[str, dict[str, Any]]:
        """Per agency: ok or unreachable (with reasons in Chinese), what was tried, and the proof."""
        return {aid: self.outcome(aid) for aid in self.ledgers}

    def outcome(self, aid: str) -> dict[str, Any]:
        """One agency's outcome (also written as soon as the agency is finished, crawler/outcomes.py)."""
        return self.ledgers[aid].outcome(aid, self.columns, self.budget)
