"""The spider's article side: a report's page (or the file itself), its attachments and
table pictures, the Epoint and gkmlpt article shells, titles cut short by their list
checked on the page, and "articles" that turn out to be lists (folders named like
reports), which are read as sub-columns.  Mixed into :class:`spiders.reports.ReportsSpider`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Response

from parsing.classify import classify_title
from spiders import articles
from spiders.adapters import Page, sniff
from spiders.adapters.common import ATTACHMENT_RE, canonical
from spiders.decode import page_text
from spiders.items import ReportPage
from spiders.ledger import Ledger
from spiders.pagekinds import SOFT_404_RE, js_redirect
from spiders.proof import Column
from spiders.scope import Scope

_REPORT_LINK_RE = re.compile(r"<a\b[^>]*>[^<]{0,80}(?:年度报告|年报)")


class ArticlePages:
    """Needs the spider's ``ledgers``, ``scope``, ``columns``, ``attr``, ``seen_reports``, ``years``,
    ``counters``, ``_req``, ``_text``, ``_reached``, ``_finish`` and ``_read``."""

    ledgers: dict[str, Ledger]
    scope: Scope
    columns: dict[str, Column]
    seen_reports: set[str]
    years: set[int]
    counters: dict[str, int]
    attr: Any
    _req: Callable[..., Any]
    _text: Callable[..., Any]
    _reached: Callable[..., Any]
    _finish: Callable[..., Any]
    _read: Callable[..., Any]

    def _article(self, aid: str, url: str, title: str, day: str | None, column: str | None = None,
                 verify: tuple[Any, ...] | None = None):
        if url in self.seen_reports:
            if verify is None and url not in self.ledgers[aid].reports:  # fetched for another agency: this one's too (issue 16)
                self.ledgers[aid].reports.add(url)
                yield ReportPage(agency_id=aid, url=url, kind="owner", list_title=title, list_date=day)
            return
        self.seen_reports.add(url)
        if ATTACHMENT_RE.search(url):  # the list links the file itself
            if not self._in_scope(aid, [url]):
                return
            self.ledgers[aid].reports.add(url)
            self.counters["reports"] += 1
            yield ReportPage(agency_id=aid, url=url, kind="file", list_title=title, list_date=day, file_urls=[url])
            return
        if verify is None:
            self.ledgers[aid].reports.add(url)
        yield self._req(aid, url, self.parse_article, "article", list_title=title, list_date=day,
                        from_column=column or (verify[2] if verify else None), verify=verify,
                        handle_httpstatus_list=[404, 410, 403, 412])

    def _in_scope(self, aid: str, urls: list[str]) -> list[str]:
        """The attachment links the agency's scope allows; the others are its errors, never fetched."""
        out = []
        for u in dict.fromkeys(urls):
            why = self.scope.refusal(u, {"agency": aid, "role": "attachment"})
            if why is None:
                out.append(u)
            else:
                self.ledgers[aid].error(u, why)
                self.counters["refused"] += 1
        return out

    def _as_list(self, response: Response, text: str) -> bool:
        """An "article" that is a list: a folder named like a report, or a page of report links."""
        meta = response.meta
        col_key = meta.get("from_column")
        if col_key is None or col_key not in self.columns:
            return False
        path = urlsplit(response.url).path
        folder = path.endswith("/") or bool(re.search(r"/index(?:_\d+)?\.s?html?$", path))
        if folder:
            return True  # a folder named like a report is a year or kind folder, not an article
        if len(_REPORT_LINK_RE.findall(text)) < 2:  # cheap: fewer than two links named like reports
            return False
        page = Page(url=response.url, text=text)
        links = [e for e in sniff(page).read(page).entries
                 if e.url != canonical(response.url) and classify_title(e.title).is_report]
        return len(links) >= 2

    def parse_article(self, response: Response):
        try:
            aid, meta = response.meta["agency"], response.meta
            text = self._text(response)
            url = meta.get("report_url", response.url)
            if response.status in (404, 410) or (len(text) < 4000 and SOFT_404_RE.search(text)):
                if not meta.get("verify"):
                    yield ReportPage(agency_id=aid, url=url, kind="gone", status=response.status,
                                     gone_reason=f"HTTP {response.status}" if response.status != 200 else "软 404")
                return
            if not self._reached(response, text):
                return
            keep = {k: meta[k] for k in ("list_title", "list_date", "from_column", "verify") if k in meta}
            if (shell := js_redirect(text)) and len(text) < 3000:
                yield self._req(aid, urljoin(response.url, shell), self.parse_article, "article", **keep)
                return
            if not meta.get("detail") and (epoint := articles.epoint_detail_request(response.url, text)):
                yield self._req(aid, epoint[0], self.parse_article, "article", method="POST", formdata=epoint[1],
                                detail="epoint", report_url=response.url, **keep)
                return
            body, extra = response.body, []
            if meta.get("detail") == "epoint" and (detail := articles.epoint_detail_page(text)):
                text, extra = detail[0], detail[1]
                body = text.encode("utf-8")
            elif (detail_html := articles.gkmlpt_detail(text)):
                text = detail_html
                body = text.encode("utf-8")
            elif self._as_list(response, text):
                yield from self._article_is_list(aid, response, text, meta)
                return
            if meta.get("verify"):  # a title cut short by its list: the page's own title decides
                org, context, _ = meta["verify"]
                full = articles.page_title(text)
                verdict = classify_title(full or "")
                if not verdict.is_report:
                    return
                owner, organ = self.attr.attribute(full, url, org, context)
                col = self.columns.get(meta.get("from_column") or "")
                if col is not None:
                    col.reports[url] = (owner, organ, verdict.year)
                if owner is None or (self.years and verdict.year not in self.years):
                    return
                aid = owner
                self.ledgers[aid].reports.add(url)
                meta = {**meta, "list_title": full}
            self.seen_reports.add(url)  # the final URL after shells and redirects: not to be re-checked
            files = self._in_scope(aid, [urljoin(url, f) for f in extra] + articles.attachments(url, text))
            images = self._in_scope(aid, [u for u in articles.table_images(url, text) if u not in files])
            self.counters["reports"] += 1
            self.counters["table_images"] += len(images)
            yield ReportPage(agency_id=aid, url=url, kind="page", body=body, status=response.status,
                             etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
                             list_title=meta.get("list_title"), list_date=meta.get("list_date"),
                             file_urls=list(dict.fromkeys(files + images)), image_urls=images)
        finally:
            self._finish(response)

    def _article_is_list(self, aid: str, response: Response, text: str, meta: dict[str, Any]):
        """A folder or list reached as an article: read as a sub-column of the column that listed it."""
        parent = meta["from_column"]
        key = canonical(response.url)
        self.ledgers[aid].reports.discard(meta.get("report_url", response.url))
        if key in self.columns:
            return
        self.columns[key] = Column(url=key, parent=parent)
        self.columns[parent].children.append(key)
        self.columns[parent].reports.pop(meta.get("report_url", response.url), None)
        for other, (w, d) in self.columns[parent].reached_by.items():
            self.columns[key].reach(other, w, f"{d}（子栏目）")
        yield from self._read(self.columns[key], response, text, {**meta, "role": "list", "adapter": None, "state": None})

    def parse_recheck(self, response: Response):
        """A report stored earlier and not listed any more: gone, or still there unlisted."""
        try:
            aid = response.meta["agency"]
            text = page_text(response.body)
            if response.status in (404, 410) or (len(text) < 4000 and SOFT_404_RE.search(text)):
                yield ReportPage(agency_id=aid, url=response.url, kind="gone", status=response.status,
                                 gone_reason=f"HTTP {response.status}" if response.status != 200 else "软 404")
            else:
                yield ReportPage(agency_id=aid, url=response.url, kind="unlisted", status=response.status)
        finally:
            self._finish(response)



def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
