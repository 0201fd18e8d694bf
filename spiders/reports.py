"""The one spider: finds every annual report of the registry's agencies.

From each agency's pinned columns (registry start URLs) or its home page, the explorer
(:mod:`spiders.explorer`) searches best-first for the 年报 column within a page budget.
Every column page is read by the adapter its fingerprint names (:mod:`spiders.adapters`),
which gives the entries and the further requests (pages, sub-columns, API calls).  List
titles are classified (:mod:`parsing.classify`); each report is attributed to the agency
it belongs to (:mod:`spiders.attribution`) and yielded as a :class:`spiders.items.ReportPage`
with its attachments and table pictures.  Columns are kept once per crawl, whoever
reached them, with what each showed: the proof of absence (:mod:`spiders.proof`).
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

from parsing.classify import classify_title
from spiders.adapters import BY_NAME, Page, sniff
from spiders.adapters.base import Next
from spiders.adapters.common import ATTACHMENT_RE, canonical
from spiders.adapters.year_folders import subcolumns
from spiders.article_pages import ArticlePages
from spiders.attribution import Attributor
from spiders.blocks import block_evidence, describe_failure
from spiders.decode import page_text
from spiders.explorer import BUDGET, COLUMN_SLUG_RE, rank
from spiders.items import ReportPage
from spiders.pagekinds import js_redirect, same_site
from spiders.proof import Column, agency_proof

MAX_NAV_DEPTH = 4
MAX_LIST_PAGES = 60
MAX_SUBCOLUMNS = 120
API_STATUSES = [400, 403, 404, 405, 406, 410, 411, 412, 415, 500, 501]
PAGE_STATUSES = [403, 412, 429]
TRUNCATED_RE = re.compile(r"(?:\.\.\.|…|\.\.)\s*$")
MAYBE_REPORT_RE = re.compile(r"^(?!解读|图解|关于|一图).*(?:年报|年度|信息公开|政务公开|工作年|(?:19|20)\d{2}\s*年)")
LIST_ADAPTERS = {"gkmlpt", "hanweb_jpage", "hanweb_xxgk", "jpaas", "truecms", "epoint", "ucap", "shanghai"}


class ReportsSpider(ArticlePages, scrapy.Spider):
    """Arguments (plain data, set by ``nianbao crawl``): ``agencies`` (list of dicts with id,
    name, site, start_urls, hosts), ``years`` (optional filter), ``known`` (agency id ->
    report URLs stored by earlier crawls), ``budget`` (explorer pages per agency)."""

    name = "reports"

    def __init__(self, agencies: list[dict[str, Any]] | None = None, years: list[int] | None = None,
                 known: dict[str, list[str]] | None = None, budget: int = BUDGET, **kw: Any) -> None:
        super().__init__(**kw)
        self.agencies = {a["id"]: a for a in agencies or []}
        self.years = set(years or [])
        self.known = known or {}
        self.budget = int(budget)
        self.state: dict[str, dict[str, Any]] = {
            aid: {"ok_pages": 0, "urls_tried": [], "errors": [], "reports": set(), "blocked": [], "explored": 0,
                  "budget_hit": False, "roots": [], "visited": set(), "pending": 0, "done": False}
            for aid in self.agencies
        }
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
        spider.browser = crawler.settings.getbool("NIANBAO_BROWSER")
        return spider

    # ---------------------------------------------------------------- requests
    def _req(self, aid: str, url: str, callback: Any, role: str, **meta: Any) -> scrapy.Request:
        self.state[aid]["pending"] += 1
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
            if parent and sum(1 for c in self.columns.values() if c.parent == parent) >= MAX_SUBCOLUMNS:
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
        if parent is None and key not in self.state[aid]["roots"]:
            self.state[aid]["roots"].append(key)

    def _explore(self, aid: str, url: str, depth: int, score: int):
        st = self.state[aid]
        url = canonical(url)
        if url in st["visited"] or depth > MAX_NAV_DEPTH:
            return
        if st["explored"] >= self.budget:
            st["budget_hit"] = True
            return
        st["visited"].add(url)
        st["explored"] += 1
        if url in self.nav_pages:  # fetched already for another agency on this host: read it again, not fetch
            self.nav_pages[url].append((aid, depth))
            if (known := self.nav_texts.get(url)) is not None:
                st["ok_pages"] += 1
                yield from self._explored(aid, url, known, depth)
            return
        self.nav_pages[url] = [(aid, depth)]
        yield self._req(aid, url, self.parse_explore, "explore", depth=depth, priority=score // 10,
                        handle_httpstatus_list=PAGE_STATUSES)

    def _finish(self, response_or_failure: Any) -> None:
        meta = response_or_failure.meta if isinstance(response_or_failure, Response) else response_or_failure.request.meta
        st = self.state[meta["agency"]]
        st["pending"] -= 1
        if st["pending"] <= 0 and not st["done"]:
            st["done"] = True
            self.counters["agencies_done"] += 1

    def _reached(self, response: Response, text: str) -> bool:
        """Record the fetch; False when the answer is a real block (recorded with evidence)."""
        aid = response.meta["agency"]
        st = self.state[aid]
        st["urls_tried"].append({"url": response.url, "status": response.status})
        self.counters["pages"] += 1
        self._follow_move(aid, response)
        evidence = block_evidence(response.status, text)
        if evidence:
            st["blocked"].append({"url": response.url, "status": response.status, "evidence": evidence})
            st["errors"].append({"url": response.url, "error": f"被拦截（{evidence}）"})
            self.counters["errors"] += 1
            self.counters["blocked"] += 1
            return False
        if response.status >= 400 and not response.meta.get("adapter"):
            st["errors"].append({"url": response.url, "error": f"HTTP {response.status}"})
            return False
        st["ok_pages"] += 1
        return True

    def _follow_move(self, aid: str, response: Response) -> None:
        """A site that moved (301/302 to another host) is the agency's site on its new host."""
        chain = response.meta.get("redirect_urls") or []
        if not chain:
            return
        agency = self.agencies[aid]
        new = (urlsplit(response.url).hostname or "").lower()
        if same_site(chain[0], agency) and not same_site(response.url, agency) and new:
            agency["hosts"] = [*(agency.get("hosts") or []), new]

    def _failed(self, failure: Failure) -> Any:
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on a download failure
        meta = request.meta
        aid = meta["agency"]
        reason = describe_failure(failure)
        try:
            if meta.get("role") == "sitemap":
                return None
            self.state[aid]["urls_tried"].append({"url": request.url, "error": reason})
            self.state[aid]["errors"].append({"url": request.url, "error": reason})
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
            text = page_text(response.body)
            if not self._reached(response, text):
                if not meta.get("adapter") or block_evidence(response.status, text):
                    col.failed.append({"url": response.url, "error": self.state[meta["agency"]]["errors"][-1]["error"]})
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

    # ---------------------------------------------------------------- exploring
    def parse_explore(self, response: Response):
        """A home or hub page: a column if it lists reports or is an interface, else links."""
        try:
            text = page_text(response.body)
            key = canonical(response.request.url)  # type: ignore[union-attr]  # a callback's response has its request
            if not self._reached(response, text):
                self.nav_texts[key] = None
                return
            self.nav_texts[key] = text if canonical(response.url) == key else None
            for aid, depth in self.nav_pages.get(key, [(response.meta["agency"], response.meta.get("depth", 0))]):
                if aid != response.meta["agency"]:
                    self.state[aid]["ok_pages"] += 1  # read for it too
                yield from self._explored(aid, response.url, text, depth)
        finally:
            self._finish(response)

    def _explored(self, aid: str, url: str, text: str, depth: int):
        if True:
            if (shell := js_redirect(text)):
                yield from self._explore(aid, urljoin(url, shell), depth, 50)
                return
            response = _Fetched(url, text, {"agency": aid, "depth": depth, "role": "explore"})
            page = Page(url=url, text=text)
            adapter = sniff(page)
            entries = adapter.read(page).entries if adapter.NAME not in LIST_ADAPTERS else []
            reports = [e for e in entries if classify_title(e.title).is_report]
            slug = COLUMN_SLUG_RE.search(urlsplit(response.url).path)
            if not slug and adapter.NAME not in LIST_ADAPTERS and len(reports) < 2:
                for e in reports:  # a report posted outside the column (通知公告, the home page)
                    yield from self._entry(None, e.url, e.title, e.date, None, [aid], response.url)
                yield from self._links(aid, response.url, text, depth, page.sel)
                return
            if adapter.NAME in LIST_ADAPTERS or reports or slug:
                key = canonical(response.url)  # found by exploring: read it as a column, here
                if key not in self.columns:
                    self.columns[key] = Column(url=key)
                    self.columns[key].reach(aid, None, "")
                    if key not in self.state[aid]["roots"]:
                        self.state[aid]["roots"].append(key)
                    yield from self._read(self.columns[key], response, text, response.meta)
                    if depth > 0 and len(reports) >= 3:
                        return  # a real column: its own links were weighed by _read
                else:
                    self.columns[key].reach(aid, None, "")
            yield from self._links(aid, response.url, text, depth, page.sel)

    def _links(self, aid: str, url: str, text: str, depth: int, sel: Any = None):
        agency = self.agencies[aid]
        pairs = []
        for a in (sel if sel is not None else Selector(text=text)).css("a[href]"):
            label = " ".join(" ".join(a.css("::text").getall()).split()) or (a.attrib.get("title") or "").strip()
            href = (a.attrib.get("href") or "").strip()
            if not label or not href or href.startswith(("javascript:", "mailto:")):
                continue
            target = urljoin(url, href)
            if same_site(target, agency) and not ATTACHMENT_RE.search(target):
                pairs.append((target, label))
        for link in rank(pairs):
            if link.column:
                yield from self._column(aid, link.url, "named_on_site", f"站内链接“{link.label}”（{url}）")
            else:
                yield from self._explore(aid, link.url, depth + 1, link.score)

    def parse_sitemap(self, response: Response):
        """Columns listed only in sitemap.xml (no navigation link to them)."""
        try:
            aid = response.meta["agency"]
            if response.status != 200:
                return
            sel = Selector(text=page_text(response.body), type="xml")
            for loc in sel.xpath("//*[local-name()='loc']/text()").getall():
                url = canonical(loc.strip())
                for other in self.sitemaps.get(response.request.url, [aid]):  # type: ignore[union-attr]  # as above
                    if COLUMN_SLUG_RE.search(urlsplit(url).path) and same_site(url, self.agencies[other]):
                        yield from self._column(other, url, None, "")
        finally:
            self._finish(response)

    def _idle(self, spider: scrapy.Spider) -> None:
        """Once everything else is done: re-check earlier reports not found again."""
        if self.rechecked:
            return
        self.rechecked = True
        scheduled = False
        for aid, urls in self.known.items():
            if aid not in self.state or not self._reachable(aid) or not self.state[aid]["roots"]:
                continue  # not crawled successfully: absence proves nothing
            for url in urls:
                if url not in self.seen_reports:
                    req = self._req(aid, url, self.parse_recheck, "recheck", handle_httpstatus_list=[404, 410])
                    self.crawler.engine.crawl(req)
                    scheduled = True
        if scheduled:
            raise DontCloseSpider

    # ---------------------------------------------------------------- results
    def _reachable(self, aid: str) -> bool:
        st = self.state[aid]
        return st["ok_pages"] > 0 or any(self.columns[k].pages_read > 0 for k in st["roots"])

    def outcomes(self) -> dict[str, dict[str, Any]]:
        """Per agency: ok or unreachable (with reasons in Chinese), what was tried, and the proof."""
        return {aid: self.outcome(aid) for aid in self.state}

    def outcome(self, aid: str) -> dict[str, Any]:
        """One agency's outcome (also written as soon as the agency is finished, crawler/outcomes.py)."""
        st = self.state[aid]
        reachable = self._reachable(aid)
        reason = None
        if not reachable:
            reason = "；".join(sorted({e["error"] for e in st["errors"]})) or "没有取得任何页面"
        explored = {"pages": st["explored"], "budget": self.budget, "stopped": "budget" if st["budget_hit"] else "done"}
        return {"outcome": "ok" if reachable else "unreachable", "reason": reason,
                "blocked": bool(st["blocked"]) and not reachable,
                "urls_tried": st["urls_tried"][:50], "columns": list(st["roots"]),
                "pages": st["ok_pages"], "reports_found": len(st["reports"]),
                "proof": agency_proof(aid, self.columns, explored, st["blocked"])}


class _Fetched:
    """A page already fetched, read again for another agency (the parts ``_read`` uses)."""

    def __init__(self, url: str, text: str, meta: dict[str, Any]) -> None:
        self.url, self.text, self.meta, self.status = url, text, meta, 200
