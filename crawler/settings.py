"""Scrapy settings for nianbao: polite by default (robots.txt, one request at a time per
host, a delay, AutoThrottle, an identifying User-Agent), incremental through an RFC 2616
HTTP cache (unchanged pages answer 304 and are not downloaded again)."""

from __future__ import annotations

BOT_NAME = "nianbao"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
COMMANDS_MODULE = "crawler.commands"  # scrapy crawl reports -a registry=FILE runs as nianbao crawl

USER_AGENT = "nianbao/0.1 (annual-report compliance monitor; polite crawler; robots.txt obeyed)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True
REDIRECT_ENABLED = True
METAREFRESH_ENABLED = True
DEPTH_LIMIT = 12
DNS_TIMEOUT = 20
TWISTED_DNS_RESOLVER = "crawler.middlewares.PublicResolver"  # no name may lead to an internal address
REFERER_ENABLED = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port of ours during a crawl
LOG_INSTALL_ROOT_HANDLER = True
LOG_LEVEL = "CRITICAL"  # errors are recorded per agency and summarised; -v shows Scrapy logs
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy reads every callback's source (inspect + ast) for each response to warn about a
# generator returning a value; with a new spider per batch its cache missed every time
# (about 5 % of a crawl's CPU per page).  tests/spiders hold the callbacks to their contract.
WARN_ON_GENERATOR_RETURN_VALUE = False
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawler.middlewares.AlwaysRevalidatePolicy"
HTTPCACHE_STORAGE = "crawler.httpcache.VerifiedCacheStorage"  # bodies checked by sha256 (issue 16 item 12)
HTTPCACHE_ALWAYS_STORE = True  # store pages without validators too (refetched in full)

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ScopeMiddleware": 40,  # before robots.txt (100): an out-of-scope host is never asked
    "crawler.middlewares.SlotPerHostMiddleware": 50,
    "crawler.middlewares.BackoffMiddleware": 540,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    "crawler.middlewares.HostProxyMiddleware": 750,  # Scrapy's, asking no_proxy once per host
}
ITEM_PIPELINES = {
    "crawler.pipelines.AttachmentsPipeline": 100,
    "crawler.pipelines.StorePipeline": 300,
}
EXTENSIONS = {
    "crawler.extensions.Progress": 500,
}
MEDIA_ALLOW_REDIRECTS = True
FILES_URLS_FIELD = "file_urls"
FILES_RESULT_FIELD = "files"
FILES_EXPIRES = 0
NIANBAO_MAX_LINKS_PER_PAGE = 3000  # a page is read up to its 3000th link (spiders/links.py)

# The browser, only for SPA shells with no known interface (crawler/browser.py): installed
# when Debian's chromium and scrapy-playwright are present, else the crawl runs without it.
from crawler.browser import browser_settings as _browser_settings  # noqa: E402

globals().update(_browser_settings())
# only http(s) is ever fetched: Scrapy's file, data, s3 and ftp handlers are off (issue 16
# item 1: a ``file:///proc/self/environ#.pdf`` link copied the crawler's environment)
NON_HTTP_HANDLERS_OFF = {"file": None, "data": None, "s3": None, "ftp": None}
DOWNLOAD_HANDLERS = {**globals().get("DOWNLOAD_HANDLERS", {}), **NON_HTTP_HANDLERS_OFF}
