"""The spider's exploring side: home and hub pages searched best-first for the 年报
column (:mod:`spiders.explorer` scores the links), columns found by exploring read
where they stand, and columns listed only in ``sitemap.xml``.  Mixed into
:class:`spiders.reports.ReportsSpider`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector
from scrapy.http import Response

from parsing.classify import classify_title
from spiders.adapters import ORDER, Page, sniff
from spiders.adapters.common import ATTACHMENT_RE, canonical
from spiders.decode import page_text
from spiders.explorer import COLUMN_SLUG_RE, rank
from spiders.ledger import Ledger
from spiders.links import nav_links
from spiders.pagekinds import hosts_of, js_redirect, on_hosts, same_site
from spiders.proof import Column

# the platforms whose column is a list interface (``LIST_INTERFACE = True`` in the adapter module)
LIST_ADAPTERS = frozenset(m.NAME for m in ORDER if getattr(m, "LIST_INTERFACE", False))


class Exploring:
    """Needs the spider's ``agencies``, ``ledgers``, ``columns``, ``nav_pages``, ``nav_texts``,
    ``sitemaps`` and its ``_text``, ``_reached``, ``_finish``, ``_read``, ``_entry``,
    ``_explore`` and ``_column``."""

    agencies: dict[str, dict[str, Any]]
    ledgers: dict[str, Ledger]
    columns: dict[str, Column]
    nav_pages: dict[str, list[tuple[str, int]]]
    nav_texts: dict[str, str | None]
    sitemaps: dict[str, list[str]]
    _text: Callable[..., Any]
    _reached: Callable[..., Any]
    _finish: Callable[..., Any]
    _read: Callable[..., Any]
    _entry: Callable[..., Any]
    _explore: Callable[..., Any]
    _column: Callable[..., Any]

    def parse_explore(self, response: Response):
        """A home or hub page: a column if it lists reports or is an interface, else links."""
        try:
            text = self._text(response, self.columns.get(canonical(response.url)))
            key = canonical(response.request.url)  # type: ignore[union-attr]  # set by Scrapy
            if not self._reached(response, text):
                self.nav_texts[key] = None
                return
            self.nav_texts[key] = text if canonical(response.url) == key else None
            for aid, depth in self.nav_pages.get(key, [(response.meta["agency"], response.meta.get("depth", 0))]):
                if aid != response.meta["agency"]:
                    self.ledgers[aid].ok_pages += 1  # read for it too
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
                    self.ledgers[aid].root(key)
                    yield from self._read(self.columns[key], response, text, response.meta)
                    if depth > 0 and len(reports) >= 3:
                        return  # a real column: its own links were weighed by _read
                else:
                    self.columns[key].reach(aid, None, "")
            yield from self._links(aid, response.url, text, depth, page.sel)

    def _links(self, aid: str, url: str, text: str, depth: int, sel: Any = None):
        agency = self.agencies[aid]
        hosts = hosts_of(agency)
        pairs = nav_links(url, text, lambda t: on_hosts(t, hosts) and not ATTACHMENT_RE.search(t), sel)
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
                for other in self.sitemaps.get(response.request.url, [aid]):  # type: ignore[union-attr]  # set by Scrapy
                    if COLUMN_SLUG_RE.search(urlsplit(url).path) and same_site(url, self.agencies[other]):
                        yield from self._column(other, url, None, "")
        finally:
            self._finish(response)


class _Fetched:
    """A page already fetched, read again for another agency (the parts ``_read`` uses)."""

    def __init__(self, url: str, text: str, meta: dict[str, Any]) -> None:
        self.url, self.text, self.meta, self.status = url, text, meta, 200
