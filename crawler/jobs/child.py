"""``python -m crawler.jobs.child``: a worker's long-lived crawl process, batch after batch.

Starting a crawl costs seconds of CPU (Scrapy, Twisted, the spider and the parsing stack
imported, the parser processes spawned, the database engine and its migration check);
paid per job, it was a third of a job's CPU and on a small machine the limit of several
workers.  So a worker keeps one of these processes per job slot (:mod:`crawler.jobs.pool`):
it imports everything and starts the parser pool once, runs one Twisted reactor, and
crawls each host batch it is given as a new Scrapy crawler in that reactor.

Protocol: one job spec per line of JSON on stdin; one line per job on stdout, prefixed
``@nianbao`` (anything else on stdout is ignored), first ``{"ready": true}`` once warm.
The database URL comes in the environment (``NIANBAO_DB_URL``), never on a command
line.  SIGINT/SIGTERM are ignored: the worker decides when its crawl stops (end of stdin:
exit after the running job; the worker dying: PR_SET_PDEATHSIG kills this process).  A
crawl that fails, or ``max_jobs`` jobs or ``max_rss_mb`` of memory, ends the process after
its answer; the worker starts a fresh one for the next job.

Every crawl run records its job, attempt and worker, and every request carries
``X-Nianbao-Job`` so a server log (the sample web's) can tell workers apart.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any

PREFIX = "@nianbao "
_parser: Any = None


def shared_parser() -> Any:
    """This process's parser pool, shared by every crawl it runs (``NIANBAO_PARSER_POOL``)."""
    return _parser


def answer(message: dict[str, Any]) -> None:
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def job_options(spec: dict[str, Any], db_url: str) -> Any:
    """The crawl options of one job spec (the cluster's policy merged with this worker's)."""
    from crawler.run import CrawlOptions

    hosts = len(spec.get("hosts") or [])
    return CrawlOptions(db_url=db_url, files=spec["files"], agencies=list(spec["agencies"]),
                        delay=float(spec.get("delay", 1.0)), timeout=float(spec.get("timeout", 30.0)),
                        retries=int(spec.get("retries", 2)), proxy=spec.get("proxy"), progress=False,
                        # one request at a time per host, but the downloader counts requests waiting in
                        # a host's slot as active: room for a few per host, so no host of the batch waits
                        concurrency=max(32, 4 * hosts),
                        run_stats={"job": spec["job"], "attempt": spec["attempt"], "worker": spec["worker"],
                                   "bucket": spec.get("bucket"), "hosts": hosts, "crawl_pid": os.getpid()},
                        headers={"X-Nianbao-Job": f"{spec['worker']}/{spec['job']}/{spec['attempt']}"})


# what the parser processes read at warm-up: a report page like a crawl's, so that the HTML
# readers (and the main-text extraction) are imported before the first job, not in it
WARM_HTML = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>某县2024年政府信息公开工作年度报告</title>"
             "<meta name=\"PubDate\" content=\"2025-01-10 09:00\"></head><body><h1>某县2024年政府信息公开工作年度报告"
             "</h1><p>发布日期：2025-01-10</p><p>本报告依据《中华人民共和国政府信息公开条例》编制。</p></body></html>"
             ).encode()
COMPONENT_SETTINGS = ("DOWNLOAD_HANDLERS", "DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES")
CLASS_SETTINGS = ("SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE",
                  "DUPEFILTER_CLASS", "STATS_CLASS", "DOWNLOADER", "DOWNLOADER_HTTPCLIENTFACTORY",
                  "DOWNLOADER_CLIENTCONTEXTFACTORY", "HTTPCACHE_POLICY", "HTTPCACHE_STORAGE", "ROBOTSTXT_PARSER",
                  "REQUEST_FINGERPRINTER_CLASS", "LOG_FORMATTER", "TWISTED_DNS_RESOLVER")


def warm_components(settings: Any) -> int:
    """Import every component a crawl with these settings loads (handlers, middlewares,
    extensions, pipelines, scheduler, cache...): Scrapy imports them when it builds a crawler,
    so without this the first job of every crawl process paid for importing them (Playwright's
    handler most of all) on its reactor thread, delaying its first polite requests.  Returns
    how many were loaded; one that does not load is left for the crawl to report."""
    from scrapy.utils.misc import load_object

    paths: list[str] = []
    for name in COMPONENT_SETTINGS:
        for key, value in settings.getwithbase(name).items():
            if name == "DOWNLOAD_HANDLERS":  # scheme -> handler path (None: off)
                paths += [value] if isinstance(value, str) else []
            elif isinstance(key, str) and value is not None:  # component path -> order (None: off)
                paths.append(key)
    paths += [v for name in CLASS_SETTINGS if isinstance(v := settings.get(name), str)]
    if settings.getbool("NIANBAO_BROWSER"):  # what the browser handler loads when a crawl builds it
        paths.append(settings.get("PLAYWRIGHT_BROWSER_PROVIDER") or "scrapy_playwright.provider.PlaywrightBrowserProvider")
    loaded = 0
    for path in dict.fromkeys(paths):
        try:
            load_object(path)
            loaded += 1
        except Exception:  # noqa: BLE001 - the crawl that needs it reports it
            continue
    return loaded


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def main() -> int:
    global _parser
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    db_url = os.environ["NIANBAO_DB_URL"]
    max_jobs = int(os.environ.get("NIANBAO_CHILD_MAX_JOBS", "200"))
    max_rss = float(os.environ.get("NIANBAO_CHILD_MAX_RSS_MB", "2048"))

    from scrapy.utils.reactor import install_reactor

    from crawler import settings as default_settings

    install_reactor(default_settings.TWISTED_REACTOR)
    from scrapy.crawler import Crawler, CrawlerProcess
    from scrapy.settings import Settings
    from twisted.internet import defer, reactor, threads

    import crawler.pipelines  # noqa: F401 - warm: imported once, not per job
    from crawler.run import prepare_run, run_summary, scrapy_settings
    from db.schema import open_db
    from parsing.pool import ParserPool
    from spiders.reports import ReportsSpider

    base = Settings()
    base.setmodule(default_settings, priority="project")
    process = CrawlerProcess(base)
    warm_components(base)
    _parser = ParserPool(processes=max(1, os.cpu_count() or 2))
    open_db(db_url)  # the engine, its pool and the migration check, once
    state = {"jobs": 0, "exit": 0}

    @defer.inlineCallbacks
    def run_job(spec: dict[str, Any]) -> Any:
        opts = job_options(spec, db_url)
        if opts.proxy:
            os.environ["http_proxy"] = os.environ["https_proxy"] = opts.proxy
        run_id, agencies, known = yield threads.deferToThread(prepare_run, opts)
        settings = scrapy_settings(opts, run_id)
        settings.set("NIANBAO_PARSER_POOL", shared_parser, priority="cmdline")
        # items per response processed in parallel: Scrapy starts that many tasks per response
        settings.set("CONCURRENT_ITEMS", 16, priority="cmdline")
        crawler = Crawler(ReportsSpider, settings)
        modules = set(sys.modules)
        yield process.crawl(crawler, agencies=agencies, years=opts.years, known=known)
        summary = yield threads.deferToThread(run_summary, db_url, run_id, crawler.spider)
        return {"run_id": summary["run_id"], "agencies": len(summary["agencies"]),
                "pages": summary["counters"].get("pages", 0),
                # modules the crawl imported: none once warm (warm_components), or its reactor paid
                "modules_imported": sorted(set(sys.modules) - modules)[:50]}

    @defer.inlineCallbacks
    def serve() -> Any:
        parsers = 0
        try:
            parsers = _parser.warm(WARM_HTML)  # every parser process up, its HTML readers imported
        except Exception:  # noqa: BLE001 - warming only: a parser that did not start starts at its first document
            pass
        answer({"ready": True, "pid": os.getpid(), "parsers": parsers})
        while True:
            line = yield threads.deferToThread(sys.stdin.readline)
            if not line:
                break
            if not line.strip():
                continue
            try:
                result = yield run_job(json.loads(line))
            except Exception as exc:  # noqa: BLE001 - reported to the worker, which fails the job
                answer({"error": f"{type(exc).__name__}: {exc}"[:2000]})
                state["exit"] = 1
                break
            state["jobs"] += 1
            recycle = state["jobs"] >= max_jobs or _rss_mb() > max_rss
            answer({**result, "jobs_in_process": state["jobs"], "recycle": recycle})
            if recycle:
                break
        reactor.stop()  # type: ignore[misc]  # twisted's stubs type the global reactor loosely

    reactor.callWhenRunning(serve)
    try:
        process.start(stop_after_crawl=False, install_signal_handlers=False)
    finally:
        _parser.close()
    return state["exit"]


if __name__ == "__main__":
    sys.exit(main())
