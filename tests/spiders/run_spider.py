"""Run the spider alone (no database) in this process and print items and outcomes as
JSON: ``python -m tests.spiders.run_spider CONFIG.json`` (agencies, proxy, budget, browser).
Used by the discovery tests in a child process, as Scrapy's reactor runs once per process."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as default_settings

ITEMS: list[dict[str, Any]] = []


class Collect:
    def process_item(self, item: Any) -> Any:
        d = asdict(item)
        d["body_len"] = len(d.pop("body") or b"")
        ITEMS.append(d)
        return item


def main() -> None:
    from spiders.reports import ReportsSpider

    cfg = json.loads(open(sys.argv[1], encoding="utf-8").read())
    os.environ["http_proxy"] = os.environ["https_proxy"] = cfg["proxy"]
    s = Settings()
    s.setmodule(default_settings, priority="project")
    s.update({"ITEM_PIPELINES": {"tests.spiders.run_spider.Collect": 100}, "HTTPCACHE_ENABLED": False,
              "DOWNLOAD_DELAY": cfg.get("delay", 0.05), "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0,
              "DOWNLOAD_TIMEOUT": 5, "EXTENSIONS": {}, "NIANBAO_BROWSER": cfg.get("browser", False),
              **cfg.get("settings", {})}, priority="cmdline")
    if not cfg.get("browser"):  # browser-free: Scrapy's own handlers
        s.set("DOWNLOAD_HANDLERS", dict(default_settings.NON_HTTP_HANDLERS_OFF), priority="cmdline")
    process = CrawlerProcess(s)
    crawler = process.create_crawler(ReportsSpider)
    process.crawl(crawler, agencies=cfg["agencies"], years=cfg.get("years"), budget=cfg.get("budget", 40))
    process.start()
    spider = crawler.spider
    from tests.spiders import (
        run_spider as collected,  # the pipeline's module (this file runs as __main__)
    )

    launches = crawler.stats.get_value("nianbao/browser_launches", 0) if crawler.stats else 0
    json.dump({"items": collected.ITEMS, "outcomes": spider.outcomes(), "counters": dict(spider.counters),
               "browser_launches": launches}, sys.stdout,
              ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
