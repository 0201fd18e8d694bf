"""Link handling benchmark: one page with 100,000 links, read by the spider as a home page
(the explorer) and as a 年报 column (the adapters), on the calling thread as on the
reactor's.  Issue 16 item 11: 8,000 links took about 19 s; the target is under 2 s for
100,000, which the per-page link cap (``NIANBAO_MAX_LINKS_PER_PAGE``) and linear link
handling give.  Two shapes: a list (each link in an ``<li>`` with its date) and a flat
page (every link a child of ``<body>``, the shape that was quadratic).
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

from spiders.links import MAX_LINKS_PER_PAGE
from spiders.proof import Column
from spiders.reports import ReportsSpider

LINKS = 100_000
SITE = "http://www.bench.gov.cn/"


def _page(n: int, flat: bool) -> bytes:
    if flat:
        links = "".join(f"<a href='/lm/{i}/index.html'>栏目{i}</a> 2024-01-{i % 28 + 1:02d} " for i in range(n))
        return f"<html><head><meta charset='utf-8'></head><body>{links}</body></html>".encode()
    items = "".join(f"<li><a href='/xxgk/{i}.html'>通知公告第{i}号</a><span>2024-01-{i % 28 + 1:02d}</span></li>"
                    for i in range(n))
    return f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul></body></html>".encode()


def _time(role: str, body: bytes) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process: the figure a busy machine distorts least)."""
    spider = ReportsSpider(agencies=[{"id": "a", "name": "某某县人民政府", "site": SITE, "start_urls": [], "hosts": []}])
    url = SITE + ("xxgknb/index.html" if role == "column" else "")
    meta: dict[str, Any] = {"agency": "a", "role": role, "depth": 0}
    if role == "column":
        spider.columns[url] = Column(url=url, outstanding=1)
        meta["column"] = url
    response = HtmlResponse(url, body=body, request=Request(url, meta=meta))
    start, cpu = time.perf_counter(), time.process_time()
    list(spider.parse_column(response) if role == "column" else spider.parse_explore(response))
    return time.perf_counter() - start, time.process_time() - cpu


def run(n: int = LINKS) -> dict[str, Any]:
    out: dict[str, Any] = {"links": n}
    for shape in ("list", "flat"):
        body = _page(n, shape == "flat")
        for role in ("explore", "column"):
            wall, cpu = _time(role, body)
            out[f"{shape}_{role}_s"], out[f"{shape}_{role}_cpu_s"] = round(wall, 3), round(cpu, 3)
    worst = max(v for k, v in out.items() if k.endswith("_cpu_s"))
    worst_wall = max(v for k, v in out.items() if k.endswith("_s") and not k.endswith("_cpu_s"))
    out.update({"worst_cpu_s": worst, "worst_wall_s": worst_wall, "link_cap": MAX_LINKS_PER_PAGE, "under_2s": worst < 2.0})
    print(f"links: {n:,} links on one page, worst of list/flat × explorer/column {worst:.2f} s CPU, "
          f"{worst_wall:.2f} s wall (cap {MAX_LINKS_PER_PAGE:,} links per page; target < 2 s)")
    return out


if __name__ == "__main__":
    print(run())
