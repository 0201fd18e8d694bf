"""One page with 100,000 links beside a normal agency (issue 16 item 11): link handling was
quadratic (8,000 links ≈ 19 s on the reactor thread, 100,000 would take hours) and starved
every other agency.  Now a page is read up to its link cap, in linear time: the normal
agency is crawled, and the big page's agency records the cut."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from parsel import Selector

from spiders.adapters.common import link_entries
from spiders.links import cap_links
from tests.spiders.miniweb import MiniWeb

ROOT = Path(__file__).parents[2]
HTML = "text/html; charset=utf-8"


def _crawl(tmp_path: Path, web: MiniWeb, agencies: list[dict[str, Any]]) -> dict[str, Any]:
    conf = tmp_path / "cfg.json"
    conf.write_text(json.dumps({"agencies": agencies, "proxy": web.url}), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "tests.spiders.run_spider", str(conf)], capture_output=True, text=True,
                         cwd=ROOT, timeout=240, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def test_a_page_with_100000_links_does_not_starve_the_crawl(tmp_path: Path) -> None:
    big = "".join(f"<a href='/lm/{i}/index.html'>信息公开{i}</a> " for i in range(100_000))
    name = "某某县审计局"
    title = f"{name}2023年政府信息公开工作年度报告"
    routes = {
        ("www.big.gov.cn", "/"): (200, f"<html><head><meta charset='utf-8'></head><body>{big}</body></html>", HTML),
        ("sjj.ok.gov.cn", "/"): (200, "<html><body><a href='/xxgknb/'>政府信息公开年报</a></body></html>", HTML),
        ("sjj.ok.gov.cn", "/xxgknb/"): (200, f"<html><head><meta charset='utf-8'></head><body><ul><li>"
                                            f"<a href='/xxgknb/t1.html'>{title}</a><span>2024-01-20</span></li></ul></body></html>", HTML),
        ("sjj.ok.gov.cn", "/xxgknb/t1.html"): (200, f"<html><head><meta charset='utf-8'><title>{title}</title></head>"
                                                    f"<body><div id='zoom'>{title}</div></body></html>", HTML),
    }
    agencies = [{"id": "big", "name": "某某县大数据局", "site": "http://www.big.gov.cn/", "start_urls": [], "hosts": []},
                {"id": "ok", "name": name, "site": "http://sjj.ok.gov.cn/", "start_urls": [], "hosts": []}]
    start = time.monotonic()
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies)
    assert [i["url"] for i in got["items"] if i["agency_id"] == "ok"] == ["http://sjj.ok.gov.cn/xxgknb/t1.html"]
    assert got["outcomes"]["ok"]["outcome"] == "ok"
    assert got["counters"]["pages_over_link_cap"] == 1
    assert time.monotonic() - start < 200  # hours before; the explorer's budget bounds the rest


def test_cap_and_link_entries_are_linear() -> None:
    text = "<html><body>" + "".join(f"<a href='/{i}.html'>第{i}条</a> 2024-01-02 " for i in range(20_000)) + "</body></html>"
    cut, n = cap_links(text, 3000)
    assert n == 3001 and cut.count("<a ") == 3000
    assert cap_links(text, 30_000) == (text, 20_000)
    start = time.process_time()
    entries = link_entries("http://www.a.gov.cn/", Selector(text=text))  # every link a child of <body>
    assert len(entries) == 20_000 and entries[5].date == "2024-01-02"
    assert time.process_time() - start < 10  # quadratic: minutes
