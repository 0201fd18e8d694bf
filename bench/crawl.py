"""Crawler benchmark: pages per second with politeness off on loopback, as a ratio to
``scrapy bench`` run in the same benchmark, and the crawler's memory on a large web.

The sample web (``bulk_sites``) runs in this process as the crawler's proxy; the crawl is
a real ``nianbao crawl --delay 0`` child process that parses and stores every report.
``scrapy bench`` runs in an empty folder so that it uses Scrapy's defaults.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sampleweb.server import SampleServer, SampleWeb
from sampleweb.sites import bulk_sites, registry_yaml

AGENCIES = int(os.environ.get("NIANBAO_BENCH_AGENCIES", "1000"))


def scrapy_bench(seconds: int = 20) -> float:
    """Pages per second of ``scrapy bench`` on this machine."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run([sys.executable, "-m", "scrapy.cmdline", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
                               "-s", "LOG_LEVEL=INFO"], capture_output=True, text=True, cwd=tmp, check=False)
    out = proc.stdout + proc.stderr
    count = int(re.search(r"'response_received_count': (\d+)", out).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", out).group(1))
    return count / elapsed


def nianbao_crawl(agencies: int) -> dict[str, float]:
    sites = bulk_sites(agencies)
    web = SampleWeb(sites)
    server = SampleServer(web).start()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "registry.yaml").write_text(registry_yaml(sites), encoding="utf-8")
        env = {**os.environ, "NIANBAO_DB_URL": f"sqlite:///{d / 'n.db'}", "NIANBAO_FILES": str(d / "files")}
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(d / "registry.yaml"),
                               "--proxy", server.url, "--delay", "0"], env=env, capture_output=True, text=True, check=False)
        wall = time.monotonic() - t0
        server.stop()
        if proc.returncode != 0:
            raise SystemExit(f"crawl failed: {proc.stderr[-500:]}")
        row = sqlite3.connect(d / "n.db").execute(
            "select stats, started_at, finished_at from crawl_runs order by id desc").fetchone()
    stats = json.loads(row[0])
    from datetime import datetime

    crawl_secs = (datetime.fromisoformat(row[2]) - datetime.fromisoformat(row[1])).total_seconds()
    served = len(web.log)
    return {"agencies": agencies, "requests": served, "reports_stored": stats.get("stored_pages", 0),
            "crawl_seconds": crawl_secs, "wall_seconds": wall, "pages_per_second": served / crawl_secs,
            "peak_rss_mb": stats.get("peak_rss_mb") or 0.0}


def run() -> dict:
    print(f"crawler — sample web of {AGENCIES} agencies, politeness off (delay 0), parse and store included:")
    ours = nianbao_crawl(AGENCIES)
    print(f"  nianbao crawl: {ours['requests']} requests in {ours['crawl_seconds']:.1f} s = "
          f"{ours['pages_per_second']:.1f} pages/s; {ours['reports_stored']} reports parsed and stored; "
          f"crawler peak RSS {ours['peak_rss_mb']:.0f} MB", flush=True)
    reference = scrapy_bench()
    ratio = ours["pages_per_second"] / reference
    print(f"  scrapy bench:  {reference:.1f} pages/s (same machine, same run)")
    print(f"  ratio:         {ratio:.2f} (target >= 0.8)")
    return {**ours, "scrapy_bench_pages_per_second": reference, "ratio": ratio}
