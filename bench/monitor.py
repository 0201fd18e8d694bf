"""Monitor benchmark: ``nianbao check`` over a generated database of N agencies x 5 years.

The database is built directly (bulk inserts through the migrated schema, COPY on
PostgreSQL): every agency crawled once after the deadlines, about 5% of its reports
missing, some late, every report with distinct consistent tables (500 generated series,
shifted per agency).  The check runs in a fresh process; its wall time, its CPU time and
peak RSS (VmHWM) are reported.

``python -m bench national``: the same on PostgreSQL at national scale, then the first
incremental check and one after a simulated crawl.  Sizes: ``NIANBAO_BENCH_NATIONAL_AGENCIES``
(default 20,000 agencies x 7 years; the national figure needs ``=100000``, about 45 minutes
on the loaded 2-core machine, 13 of them building the database), ``NIANBAO_BENCH_CRAWLED_AGENCIES``
(default 1,000), ``NIANBAO_BENCH_NATIONAL_STEPS`` (default ``check,warm,full,crawl,incremental``:
the cold check, the warm one, then the incremental check's);
``NIANBAO_BENCH_MONITOR_AGENCIES`` for the SQLite one (default 10,000 x 5 years).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session

from db.models import Agency, AgencyCrawl, CrawlRun, Document, DocumentVersion, Evidence
from db.schema import open_db
from sampleweb.reports import make_tables

AGENCIES = int(os.environ.get("NIANBAO_BENCH_MONITOR_AGENCIES", "10000"))
YEARS = (2020, 2021, 2022, 2023, 2024)


def _report_json(tables: dict, year: int, name: str) -> dict:
    layout = tables["layout"]
    return {"title": f"{name}{year}年政府信息公开工作年度报告", "agency": name, "year": year, "format": layout,
            "signed_date": None, "sections": list("一二三四五六"), "title_year": year, "statistics_period": None,
            "tables": {"active": {"layout": layout, "rows": tables["active"], "extra": []},
                       "requests": {"layout": layout, "rows": tables["requests"]}, "appeals": tables["appeals"]},
            "table_status": {"active": "ok", "requests": "ok", "appeals": "ok"}, "table_details": {},
            "prose_numbers": [{"key": "requests.new_received.total", "value": tables["requests"]["new_received"]["total"],
                               "sentence": "共收到政府信息公开申请。"}]}


SERIES = 500  # distinct table series generated; agency i uses series i % SERIES, shifted by i // SERIES


def _shifted(tables: dict, k: int) -> dict:
    """The same consistent tables with ``k`` more requests carried over and forward (自然人 and
    总计): R1-R4 and H1 still hold, and every agency's tables differ from every other's."""
    req = dict(tables["requests"])
    for row in ("carried_over", "carried_forward"):
        req[row] = {**req[row], "natural_person": req[row]["natural_person"] + k, "total": req[row]["total"] + k}
    return {**tables, "requests": req}


def _series(seed: int, years: tuple[int, ...]) -> list[list[dict]]:
    """:data:`SERIES` consistent year-to-year table series (make_tables is slow: not one per report)."""
    rng = random.Random(seed)
    out = []
    for _ in range(SERIES):
        prev, chain = None, []
        for year in years:
            prev = make_tables(rng, year, prev)
            chain.append(prev)
        out.append(chain)
    return out


def _rows(series: list[list[dict]], seed: int, years: tuple[int, ...], run_id: int, seen: datetime,
          start: int, stop: int):
    """The rows of agencies ``start`` .. ``stop``: (agency, crawl, documents, versions, evidence).

    Deterministic per agency (its own random stream), so chunks are built independently."""
    for i in range(start, stop):
        rng = random.Random(seed * 1_000_003 + i)
        aid, name = f"a{i:05d}", f"第{i}号县某某局"
        host = f"{aid}.gov.cn"
        agency = {"id": aid, "name": name, "kind": "department", "region": f"{140000 + i % 97:06d}", "parent_id": None,
                  "site": f"http://{host}/", "start_urls": [], "hosts": [host], "deadline": None, "since": years[0],
                  "active": True, "updated_at": seen}
        crawl = {"run_id": run_id, "agency_id": aid, "outcome": "ok", "reason": None, "urls_tried": [],
                 "columns": [f"http://{host}/ndbg/"], "pages": 12, "reports_found": len(years), "started_at": seen,
                 "finished_at": seen}
        docs, versions, evidence = [], [], []
        for j, year in enumerate(years):
            if rng.random() < 0.05:
                continue  # missing report
            doc_id = i * len(years) + j + 1
            tables = _shifted(series[i % SERIES][j], i // SERIES)
            url_ = f"http://{host}/ndbg/{year + 1}/{doc_id}.html"
            docs.append({"id": doc_id, "agency_id": aid, "parent_id": None, "kind": "page", "url": url_,
                         "title": f"{name}{year}年政府信息公开工作年度报告", "year": year, "report_agency": name,
                         "host": host, "first_seen": seen, "last_seen": seen, "last_status": 200, "removed_at": None,
                         "removed_reason": None, "etag": None, "last_modified": None})
            body = f"{name}{year}年认真贯彻落实条例。全年收到申请{tables['requests']['new_received']['total']}件。编号{doc_id}。"
            versions.append({"document_id": doc_id, "sha256": f"{doc_id:064x}", "size": 1000, "detected_type": "html",
                             "stored_path": None, "fetched_at": seen, "parse_status": "ok", "parse_error": None,
                             "report": _report_json(tables, year, name), "text": body})
            pub = date(year + 1, 2, 1 + rng.randrange(27)) if rng.random() < 0.1 else date(year + 1, 1, 20)
            evidence += [{"document_id": doc_id, "source": "first_seen", "value": seen.isoformat(), "observed_at": seen,
                          "run_id": run_id, "detail": None},
                         {"document_id": doc_id, "source": "meta:PubDate", "value": pub.isoformat(), "observed_at": seen,
                          "run_id": run_id, "detail": None}]
        yield agency, crawl, docs, versions, evidence


_JSON_COLUMNS = {"start_urls", "hosts", "urls_tried", "columns", "report", "stats", "detail"}


def _copy(session: Session, model: type, rows: list[dict]) -> None:
    """PostgreSQL COPY of ``rows`` into ``model``'s table (JSON columns as text)."""
    if not rows:
        return
    cols = list(rows[0])
    cur = session.connection().connection.driver_connection.cursor()
    with cur.copy(f"COPY {model.__tablename__} ({', '.join(cols)}) FROM STDIN") as cp:
        for r in rows:
            cp.write_row([json.dumps(r[c], ensure_ascii=False) if c in _JSON_COLUMNS and r[c] is not None else r[c]
                          for c in cols])


def build(url: str, n: int, seed: int = 5, years: tuple[int, ...] = YEARS) -> None:
    """The benchmark database: ``n`` agencies x ``years``, bulk-loaded (COPY on PostgreSQL)."""
    factory = open_db(url)
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    with factory() as s:
        run = CrawlRun(started_at=seen, finished_at=seen, status="done", stats={})
        s.add(run)
        s.flush()
        postgres = s.bind.dialect.name == "postgresql"
        chunk = 5000
        series = _series(seed, years)
        for start in range(0, n, chunk):
            tables: dict[type, list[dict]] = {Agency: [], AgencyCrawl: [], Document: [], DocumentVersion: [], Evidence: []}
            for agency, crawl, docs, versions, evidence in _rows(series, seed, years, run.id, seen, start, min(n, start + chunk)):
                tables[Agency].append(agency)
                tables[AgencyCrawl].append(crawl)
                tables[Document] += docs
                tables[DocumentVersion] += versions
                tables[Evidence] += evidence
            for model, rows in tables.items():
                if postgres:
                    _copy(s, model, rows)
                else:
                    for k in range(0, len(rows), 5000):
                        s.execute(insert(model), rows[k:k + 5000])
        if postgres:
            s.execute(text("SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents))"))
        s.commit()


_CHILD = """
import sys, time
from datetime import date
from db.schema import open_db
from monitor.check import run_check
t0 = time.perf_counter()
with open_db(sys.argv[1])() as s:
    found, results = run_check(s, date(2026, 11, 30))  # after the data was crawled: as of D counts what was known by D
    s.commit()
dt = time.perf_counter() - t0
hwm = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) // 1024
print(len(results), len(found), dt, hwm)
"""


def run() -> dict:
    print(f"monitor — nianbao check over {AGENCIES} agencies x {len(YEARS)} years (SQLite):")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        build(url, AGENCIES)
        built = time.perf_counter() - t0
        size = (Path(tmp) / "bench.db").stat().st_size / 2**20
        proc = subprocess.run([sys.executable, "-c", _CHILD, url], capture_output=True, text=True, check=True)
    years, findings, secs, hwm = proc.stdout.split()
    out = {"agencies": AGENCIES, "agency_years": int(years), "findings": int(findings), "check_seconds": float(secs),
           "peak_rss_mb": int(hwm), "db_mb": round(size), "build_seconds": round(built, 1)}
    print(f"  database: {size:.0f} MB built in {built:.0f} s; check: {out['agency_years']} agency-years, "
          f"{out['findings']} findings in {out['check_seconds']:.1f} s, peak RSS {out['peak_rss_mb']} MB "
          f"(target < 30 s, < 1 GB)")
    return out


# ---------------------------------------------------------------- national scale, on PostgreSQL
# 100,000 x 7 takes longer than a benchmark run should (build 13 min, the check 4.5 min of CPU
# on the 2-core machine): run it with NIANBAO_BENCH_NATIONAL_AGENCIES=100000
NATIONAL = int(os.environ.get("NIANBAO_BENCH_NATIONAL_AGENCIES", "20000"))
NATIONAL_YEARS = (2018, 2019, 2020, 2021, 2022, 2023, 2024)
CRAWLED = int(os.environ.get("NIANBAO_BENCH_CRAWLED_AGENCIES", "1000"))

_TIMED = """
import sys, time
from datetime import datetime
from db.dates import BEIJING
from db.schema import open_db
today = datetime.now(BEIJING).date()  # as of D counts only what was known by D: the data is stored before today
t0 = time.perf_counter()
with open_db(sys.argv[1])() as s:
    if sys.argv[2] in ("check", "warm"):
        from monitor.check import run_check
        found, results = run_check(s, today)
        n, k = len(results), len(found)
    else:
        from monitor.incremental import run_incremental_check
        r = run_incremental_check(s, today, full=sys.argv[2] == "full")
        n, k = r["agencies"], r["findings"]
    s.commit()
dt = time.perf_counter() - t0
hwm = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) // 1024
import resource
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the check's worker processes (monitor/partition.py)
print(n, k, dt, hwm, time.process_time(), kids.ru_utime + kids.ru_stime, kids.ru_maxrss // 1024)
"""


def simulate_crawl(url: str, agencies: int, seed: int = 9, among: int | None = None, copies: int = 0) -> None:
    """A crawl of ``agencies`` of the first ``among`` agencies (default: the national bench's)
    now: an outcome each, every report of theirs seen again, and one in ten a changed 2024 report.  ``copies`` of those changed
    reports take the tables of an agency not crawled (a new duplicate of an untouched
    agency's report, which the incremental check must find through the sketches)."""
    from sqlalchemy import select

    from db.store import Fetch, store_fetch

    rng = random.Random(seed)
    now = datetime.now(UTC)
    factory = open_db(url)
    with factory() as s:
        run = CrawlRun(started_at=now, finished_at=now, status="done", stats={"bench": "crawl"})
        s.add(run)
        s.flush()
        picked = rng.sample(range(among or NATIONAL), agencies)
        ids = [f"a{i:05d}" for i in picked]
        s.execute(insert(AgencyCrawl), [{"run_id": run.id, "agency_id": aid, "outcome": "ok", "reason": None,
                                         "urls_tried": [], "columns": [f"http://{aid}.gov.cn/ndbg/"], "pages": 12,
                                         "reports_found": 7, "started_at": now, "finished_at": now} for aid in ids])
        # the crawl sees every report of these agencies again, as store_fetch does an unchanged page
        s.execute(update(Document).where(Document.agency_id.in_(ids)).values(last_seen=now, last_status=200))
        crawled = set(picked)
        untouched = [i for i in range(among or NATIONAL) if i not in crawled]
        for k, aid in enumerate(ids[: agencies // 10]):
            doc = s.scalar(select(Document).where(Document.agency_id == aid, Document.year == 2024))
            if doc is None:
                continue
            source = doc.id
            if k < copies:
                other = s.scalar(select(Document).where(Document.agency_id == f"a{rng.choice(untouched):05d}",
                                                        Document.year == 2024))
                source = other.id if other is not None else doc.id
            report = dict(s.scalars(select(DocumentVersion.report).where(DocumentVersion.document_id == source)).first())
            store_fetch(s, Fetch(agency_id=aid, url=doc.url, body=f"{doc.url} v2".encode(), year=2024, title=doc.title,
                                 report=report, text=f"{doc.title}（更正版）。", seen_at=now), None, run.id)
        s.commit()


def run_national() -> dict:
    from bench import pg

    print(f"monitor — nianbao check over {NATIONAL} agencies x {len(NATIONAL_YEARS)} years (PostgreSQL), "
          f"then the incremental check after a crawl of {CRAWLED} agencies:")
    out: dict = {"agencies": NATIONAL, "years": len(NATIONAL_YEARS), "crawled": CRAWLED}
    with pg.server("national") as url:
        t0 = time.perf_counter()
        build(url, NATIONAL, years=NATIONAL_YEARS)
        out["build_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"  database built in {out['build_seconds']:.0f} s")
        steps = os.environ.get("NIANBAO_BENCH_NATIONAL_STEPS", "check,warm,full,crawl,incremental").split(",")
        for step in steps:
            if step == "crawl":
                simulate_crawl(url, CRAWLED)
                continue
            proc = subprocess.run([sys.executable, "-c", _TIMED, url, step], capture_output=True, text=True, check=True)
            n, k, secs, hwm, cpu, kids_cpu, kids_hwm = proc.stdout.split()
            out[step] = {"agencies_or_years": int(n), "findings": int(k), "seconds": round(float(secs), 1),
                         "cpu_seconds": round(float(cpu), 1), "peak_rss_mb": int(hwm),
                         "workers_cpu_seconds": round(float(kids_cpu), 1), "workers_peak_rss_mb": int(kids_hwm)}
            label = {"check": "full check (run_check), cold: nothing judged before",
                     "warm": "full check again, warm: every report's judgement in the memo",
                     "full": "first incremental run = full check + sketches",
                     "incremental": f"incremental check after a crawl of {CRAWLED} agencies"}[step]
            aim = {"check": " (aim ≤ 60 s)", "warm": " (aim ≤ 60 s)", "incremental": " (aim ≤ 5 s)"}.get(step, "")
            print(f"  {label}: {n} {'agency-years' if step in ('check', 'warm') else 'agencies'}, {k} open findings in "
                  f"{float(secs):.1f} s{aim} (CPU: checking process {float(cpu):.1f} s + its worker processes "
                  f"{float(kids_cpu):.1f} s), peak RSS {hwm} MB (largest worker {kids_hwm} MB)")
    return out
