"""``scrapy crawl reports -a registry=FILE``: Scrapy's own convention, run as ``nianbao crawl``.

The spider needs what ``nianbao crawl`` prepares (the registry synced into the database, a
crawl run, the agencies' earlier reports, the store's settings), so ``scrapy crawl
reports`` hands its ``-a`` arguments to that command: ``registry``, ``agency`` and
``year`` (comma-separated lists), ``delay``, ``timeout``, ``retries``, ``proxy``; the
database and file store come from ``NIANBAO_DB_URL``/``NIANBAO_FILES`` as for ``nianbao``.
Anything it cannot honour (no registry, an unknown argument, ``-o``) fails with one line
saying what to run.  Other spider names go to Scrapy's own ``crawl``.
"""

from __future__ import annotations

import argparse
import os
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import AsyncCrawlerProcess

LISTS = ("agency", "year")
VALUES = ("registry", "delay", "timeout", "retries", "proxy")
HINT = "scrapy crawl reports -a registry=登记册.yaml [-a agency=ID,ID] [-a year=2024]（或 nianbao crawl --registry 登记册.yaml）"


class Command(ScrapyCrawl):
    requires_crawler_process = False  # the reports crawl makes its own, as nianbao crawl does

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] != "reports":
            self.crawler_process = AsyncCrawlerProcess(self.settings)
            super().run(args, opts)
            return
        argv = nianbao_args(opts.spargs, bool(opts.output or opts.overwrite_output))
        if isinstance(argv, str):
            sys.stderr.write(f"scrapy crawl reports: {argv}\n")
            self.exitcode = 2
            return
        from crawler.cli import main

        main.main(args=argv, prog_name="nianbao")  # exits with nianbao crawl's own code and messages


def nianbao_args(spargs: dict[str, str], output: bool) -> list[str] | str:
    """The ``nianbao crawl`` arguments for these ``-a`` values, or the one-line reason why not."""
    unknown = sorted(set(spargs) - set(LISTS) - set(VALUES))
    if unknown:
        return f"未知参数 -a {'、'.join(unknown)}；用法：{HINT}"
    if output:
        return f"报告存入数据库，不支持 -o/-O；用法：{HINT}"
    if not spargs.get("registry") and not os.environ.get("NIANBAO_REGISTRY"):
        return f"需要机关登记册：{HINT}"
    argv = ["crawl"]
    for key in VALUES:
        if spargs.get(key):
            argv += [f"--{key}", spargs[key]]
    for key in LISTS:
        for value in (spargs.get(key) or "").split(","):
            if value.strip():
                argv += [f"--{key}", value.strip()]
    return argv
