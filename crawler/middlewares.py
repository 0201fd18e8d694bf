"""Downloader middlewares and the HTTP cache policy: the crawl's scope (http(s) only, the
agency's own hosts), backoff between retries, and conditional revalidation of every
cached page (incremental recrawls).

Scrapy's RetryMiddleware re-schedules a failed request at once; small government servers
recover better when left alone a little, so a retried request waits
``BACKOFF_BASE * 2**(n-1)`` seconds (capped) before it is sent again.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import urlsplit
from urllib.request import proxy_bypass

from scrapy import Request
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Response
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from spiders.scope import HTTP_SCHEMES, OutOfScope, is_internal


class BackoffMiddleware:
    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("BACKOFF_BASE", 2.0), crawler.settings.getfloat("BACKOFF_CAP", 60.0))

    async def process_request(self, request: Request) -> None:
        retries = request.meta.get("retry_times", 0)
        if retries and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (retries - 1)))
        return None


class AlwaysRevalidatePolicy(RFC2616Policy):
    """HTTP cache policy for a monitor: every cached page is revalidated.

    Scrapy's RFC 2616 policy either trusts heuristic freshness (a changed report list
    would go unseen) or, for ``Cache-Control: no-cache``, re-downloads without sending
    validators at all.  Here every request that has a cached copy carries
    ``If-None-Match``/``If-Modified-Since``: unchanged pages answer 304 and are not
    downloaded again, changed ones arrive in full.  Error answers are never cached.
    """

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if response.status not in (200, 203):
            return False
        return super().should_cache_response(response, request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False


class SlotPerHostMiddleware:
    """One request at a time per host, redirects included.

    Scrapy keeps ``meta["download_slot"]`` when a redirect is followed, so a site that moved
    to another host would be fetched in the old host's slot, next to the new host's own
    requests (two at once on the new host).  Before the slot is chosen, it is set to the
    host the request actually goes to."""

    def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname
        if host and request.meta.get("download_slot") not in (None, host):
            request.meta["download_slot"] = host
        return None


class ScopeMiddleware:
    """Every request, before anything else sees it (robots.txt included), is checked
    against the spider's :class:`spiders.scope.Scope`: pages, list pages, redirect hops
    (Scrapy sends each hop through the downloader middlewares again), attachments and
    pictures of the files pipeline.  A refused request fails with
    :class:`spiders.scope.OutOfScope`, recorded as the agency's error; nothing is sent.
    Whatever the spider, a scheme other than http(s) is never fetched."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if urlparse_cached(request).scheme.lower() not in HTTP_SCHEMES:
            raise OutOfScope(f"不抓取非 http(s) 地址：{request.url[:80]}")
        scope = getattr(self.crawler.spider, "scope", None)
        if scope is not None and (why := scope.refusal(request.url, request.meta)):
            raise OutOfScope(why)
        return None


class HostProxyMiddleware(HttpProxyMiddleware):
    """Scrapy's proxy middleware (``http_proxy``/``https_proxy``, ``no_proxy``), asking
    whether a host bypasses the proxy once per host instead of once per request.

    Scrapy calls :func:`urllib.request.proxy_bypass` for every request, which reads and
    parses the whole environment each time: with a proxy configured that was about 5 % of
    the crawl process's CPU per page.  The environment does not change during a crawl (the
    middleware is made per crawl), so the answer is kept per host.  Requests with their
    own ``proxy`` meta, and schemes other than http(s), go through Scrapy's code unchanged.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bypass: dict[str, bool] = {}

    def process_request(self, request: Request, spider: Any = None) -> Request | Response | None:
        parsed = urlparse_cached(request)
        host, scheme = parsed.hostname, parsed.scheme
        if "proxy" in request.meta or not self.proxies or not host or scheme not in ("http", "https"):
            return super().process_request(request)
        bypass = self.bypass.get(host)
        if bypass is None:
            bypass = self.bypass[host] = bool(proxy_bypass(host))
        if not bypass and scheme in self.proxies:
            creds, proxy_url = self.proxies[scheme]
            self._set_proxy_and_creds(request, proxy_url, creds, scheme)
        else:
            self._set_proxy_and_creds(request, None, None, None)
        return None


class PublicResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing a name that resolves to an internal address
    (private, loopback, link-local…) unless the registry names that host or it is the
    configured proxy: a site that moved, or a subdomain of a registered host, cannot lead
    the crawl to an internal server through DNS.  (Literal addresses are checked by the
    scope before any request; this is the same rule for names.)"""

    process: Any = None

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.process = crawler  # Scrapy passes the CrawlerProcess: its crawlers hold the spiders
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's interface
        return super().getHostByName(name, timeout).addCallback(self._public, name)

    def _public(self, address: str, name: str) -> str:
        if is_internal(address) and not self._named(name.lower()):
            for scope in self._scopes():
                scope.resolved_internal[name.lower()] = address  # the spider names it in the agency's error
            raise DNSLookupError(f"{name} 解析为内部地址 {address}，不访问")
        return address

    def _scopes(self) -> list[Any]:
        return [sc for c in getattr(self.process, "crawlers", None) or []
                if (sc := getattr(getattr(c, "spider", None), "scope", None)) is not None]

    def _named(self, name: str) -> bool:
        proxies = {(urlsplit(os.environ.get(k) or "").hostname or "").lower()
                   for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")}
        if name in proxies:
            return True
        scopes = self._scopes()
        return not scopes or any(name in sc.named for sc in scopes)
