"""Store benchmark: CPU of the crawl process per report stored, as the crawl pipeline stores
(one session and one commit per report page) on PostgreSQL and SQLite.

``python -m bench store``: ``STORE_REPORTS`` new reports of the fleet's shape (a page with
four date evidence rows) and then the same reports seen again (an unchanged recrawl), timed
with ``time.process_time`` in this process in batches of ``BATCH``: the figure is the least
disturbed batch (and the median), since on a shared 2-core machine even CPU time per call
swings with the neighbours' load; PostgreSQL's own CPU is not counted.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import pg
from db.registry import parse_registry, sync_registry
from db.runs import start_run
from db.schema import open_db
from db.store import Fetch, FileStore, store_fetch

REPORTS = int(os.environ.get("NIANBAO_BENCH_STORE_REPORTS", "1000"))
BATCH = 50
AGENCIES = 30


def _registry() -> str:
    lines = ["agencies:"]
    for k in range(AGENCIES):
        lines += [f"  - id: a{k:03d}", f"    name: 第{k}县教育局", "    kind: department",
                  f"    site: http://county-{k:03d}.gov.cn.test/"]
    return "\n".join(lines) + "\n"


def _fetch(k: int, seen: datetime) -> Fetch:
    aid, year = f"a{k % AGENCIES:03d}", 2021 + k % 4
    url = f"http://county-{k % AGENCIES:03d}.gov.cn.test/bm/{k // AGENCIES}/ndbg/{year}.html"
    title = f"第{k % AGENCIES}县教育局{year}年政府信息公开工作年度报告"
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{k}</p></body></html>".encode()
    day = f"{year + 1}-01-{5 + k % 20:02d}"
    return Fetch(aid, url, body, title=title, year=year, report_agency=f"第{k % AGENCIES}县教育局",
                 last_modified="Fri, 05 Jan 2024 01:00:00 GMT", report={"title": title, "year": year, "tables": {}},
                 parser_version="2", text=title, evidence=[("meta:PubDate", day), ("page:date", day), ("list:date", day)],
                 seen_at=seen)


def _one(url: str, files: Path) -> dict[str, float]:
    factory = open_db(url)
    store = FileStore(files)
    with factory() as s:
        sync_registry(s, parse_registry(_registry()))
        run_id = start_run(s).id
        s.commit()
    out: dict[str, float] = {}
    for phase, seen in (("new", datetime(2024, 2, 1, tzinfo=UTC)), ("again", datetime(2024, 3, 1, tzinfo=UTC))):
        batches = []  # ms per report of each batch of BATCH reports: the least is the figure least disturbed
        for start in range(0, REPORTS, BATCH):
            t0 = time.process_time()
            for k in range(start, min(start + BATCH, REPORTS)):
                with factory() as s:
                    store_fetch(s, _fetch(k, seen + timedelta(seconds=k)), store, run_id)
                    s.commit()
            batches.append((time.process_time() - t0) * 1000 / BATCH)
        out[phase], out[f"{phase}_median"] = min(batches), sorted(batches)[len(batches) // 2]
    return out


def run() -> dict:
    print(f"store — {REPORTS} reports stored as the crawl stores them (a session and a commit each), "
          "CPU of this process:")
    results = {}
    with tempfile.TemporaryDirectory() as tmp, pg.server("store_bench") as base:
        for name, url in (("postgresql", base), ("sqlite", f"sqlite:///{Path(tmp) / 's.db'}")):
            r = results[name] = _one(url, Path(tmp) / f"files-{name}")
            print(f"  {name}: {r['new']:.2f} ms per new report (median batch {r['new_median']:.2f}), "
                  f"{r['again']:.2f} ms per report seen again (median {r['again_median']:.2f})")
    return results


if __name__ == "__main__":
    run()
