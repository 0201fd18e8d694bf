"""Progress of a crawl: a live line on a terminal, nothing noisy otherwise."""

from __future__ import annotations

import sys
import time

from scrapy import signals
from twisted.internet import task


class Progress:
    """Every second on a terminal: agencies done, pages, reports found, errors."""

    def __init__(self, crawler, stream=None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and crawler.settings.getbool("NIANBAO_PROGRESS", True)
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def line(self, spider) -> str:
        c = getattr(spider, "counters", {})
        total = len(getattr(spider, "agencies", {}))
        return (f"agencies {c.get('agencies_done', 0)}/{total}  pages {c.get('pages', 0)}  "
                f"reports {c.get('reports', 0)}  errors {c.get('errors', 0)}  {time.monotonic() - self.started:.0f}s")

    def opened(self, spider) -> None:
        if self.tty:
            self.loop = task.LoopingCall(lambda: self.stream.write("\r" + self.line(spider) + "\x1b[K"))
            self.loop.start(1.0)

    def closed(self, spider, reason) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
            self.stream.write("\r" + self.line(spider) + "\x1b[K\n")
