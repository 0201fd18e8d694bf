"""The browser, as the last resort: scrapy-playwright driving Debian's ``chromium``.

Only pages the spider recognised as SPA shells with no known list interface are rendered
(requests with ``meta["playwright"]``); everything else goes through Scrapy's own HTTP
handler unchanged.  No browser is downloaded: Playwright launches ``/usr/bin/chromium``
through ``executable_path``.  The page's own subresources other than scripts and XHR
(images, fonts, media, style sheets) and every other host are not fetched, to stay light
and polite.  Without chromium or the Python package the crawl runs without a browser and
says so in its stats (``rendered_pages`` stays 0).
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-extensions", "--disable-sync", "--no-first-run",
         "--disable-component-update", "--disable-default-apps", "--mute-audio", "--metrics-recording-only",
         "--no-pings", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
         "--safebrowsing-disable-auto-update", "--disable-breakpad",
         "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
         "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying"]
_SKIPPED = {"image", "font", "media", "stylesheet", "manifest", "texttrack", "websocket", "eventsource", "other"}


def available() -> bool:
    """Chromium on disk and scrapy-playwright importable."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return False
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        return False
    return True


def abort_request(request: Any) -> bool:
    """Skip what a list does not need, and every host but the page's own."""
    if request.resource_type in _SKIPPED:
        return True
    frame = request.frame if request.resource_type != "document" else None
    page_host = urlsplit(frame.url).hostname if frame is not None and frame.url.startswith("http") else None
    return page_host is not None and urlsplit(request.url).hostname != page_host


_HOST_LOCKS: dict[str, Any] = {}


async def one_at_a_time(page: Any, request: Any) -> None:
    """``playwright_page_init_callback``: the page's own requests to a host go one at a time
    (the crawler's politeness): each waits for the host's lock, which the request's end
    (finished or failed; at the latest after 20 s) releases."""
    import asyncio

    held: dict[Any, asyncio.Lock] = {}

    def release(req: Any) -> None:
        lock = held.pop(req, None)
        if lock is not None and lock.locked():
            lock.release()

    page.on("requestfinished", release)
    page.on("requestfailed", release)

    async def route(r: Any) -> None:
        if r.request.resource_type == "document":
            await r.fallback()
            return
        if abort_request(r.request):
            await r.abort()
            return
        host = urlsplit(r.request.url).hostname or ""
        lock = _HOST_LOCKS.setdefault(host, asyncio.Lock())
        await lock.acquire()
        held[r.request] = lock
        asyncio.get_running_loop().call_later(20, release, r.request)
        await r.fallback()

    await page.route("**/*", route)


def browser_settings() -> dict[str, Any]:
    """Scrapy settings that install the handler (empty when no browser is available)."""
    if not available():
        return {"NIANBAO_BROWSER": False}
    launch: dict[str, Any] = {"executable_path": CHROMIUM, "headless": True, "args": FLAGS, "timeout": 30_000}
    return {
        "NIANBAO_BROWSER": True,
        "DOWNLOAD_HANDLERS": {"http": "crawler.browser.BrowserHandler", "https": "crawler.browser.BrowserHandler"},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 1,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
        "PLAYWRIGHT_ABORT_REQUEST": "crawler.browser.abort_request",
    }


@functools.cache
def _handler_class() -> type:
    from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

    class _BrowserHandler(ScrapyPlaywrightDownloadHandler):
        """The handler, with the crawl's proxy (``--proxy`` sets it once the settings exist),
        started at the first page that needs the browser instead of at the engine's start.

        scrapy-playwright starts Playwright (its node driver process) when the engine starts,
        for every crawl; a worker runs a new crawl per host batch, and almost no batch renders
        a page, so that start was most of a job's fixed CPU (issue 14).  Launches are counted
        in the stat ``nianbao/browser_launches``."""

        def __init__(self, crawler: Any) -> None:
            super().__init__(crawler)
            proxy = os.environ.get("http_proxy") or os.environ.get("HTTP_PROXY")
            if proxy and "proxy" not in self.config.launch_options:
                self.config.launch_options = {**self.config.launch_options, "proxy": {"server": proxy}}
            self._start_lock: asyncio.Lock | None = None
            self._started = False

        def _engine_started(self) -> Any:  # Scrapy < 2.14 connects this one to engine_started
            from twisted.internet import defer

            return defer.succeed(None)

        async def _maybe_launch_in_thread(self) -> None:  # Scrapy >= 2.14 connects this one
            return None

        async def _launch(self) -> None:
            self.stats.inc_value("nianbao/browser_launches")
            await super()._launch()

        async def _download_request(self, request: Any, spider: Any = None) -> Any:
            # a flag set once the launch has finished: ``_launch`` sets ``browser_provider``
            # before awaiting its start, so a second page must not take that for started
            if not self._started:
                self._start_lock = self._start_lock or asyncio.Lock()
                async with self._start_lock:
                    if not self._started:
                        await self._launch()
                        self._started = True
            return await super()._download_request(request, spider)

    return _BrowserHandler


def __getattr__(name: str) -> Any:  # BrowserHandler is built only when Scrapy asks for it
    if name == "BrowserHandler":
        return _handler_class()
    raise AttributeError(name)
