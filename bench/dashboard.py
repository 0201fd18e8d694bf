"""Dashboard benchmark: page loads over 10,000 agencies x 5 years (the monitor benchmark's
generated SQLite database), served on loopback by the real server.

The snapshot (the monitor's assessment of every agency-year) is computed once and timed
separately; then each page is loaded N times over HTTP and the median and worst times
are reported (target: every page under 200 ms).
"""

from __future__ import annotations

import http.client
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.monitor import build

AGENCIES = int(os.environ.get("NIANBAO_BENCH_DASHBOARD_AGENCIES", "10000"))
LOADS = 15
PAGES = {
    "overview": "/?year=2024",
    "matrix": "/matrix",
    "matrix_filtered": "/matrix?region=140005",
    "audit": "/audit?year=2024",
    "audit_filtered_sorted": "/audit?year=2024&status=late&sort=days_late&desc=1",
    "audit_last_page": "/audit?year=2024&page=200",
    "findings": "/findings",
    "findings_filtered": "/findings?code=LATE&year=2024",
    "agency": "/agency/a04321",
    "report": "/report/a04321/2023",
}


def _get(port: int, path: str) -> tuple[int, float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1200)
    t0 = time.perf_counter()
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    dt = time.perf_counter() - t0
    conn.close()
    return resp.status, dt, len(body)


def run() -> dict:
    import logging

    from crawler.dashboard import start_in_thread

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request

    print(f"dashboard — page loads over {AGENCIES} agencies x 5 years (SQLite, loopback HTTP):")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build(url, AGENCIES)
        from sqlalchemy import create_engine, text

        with create_engine(url).connect() as conn:  # an agency with a 2023 report, for its pages
            aid = conn.execute(text("SELECT agency_id FROM documents WHERE year = 2023 AND agency_id >= 'a04321' "
                                    "ORDER BY agency_id LIMIT 1")).scalar()
        pages = {k: v.replace("a04321", aid) for k, v in PAGES.items()}
        running = start_in_thread(url, "127.0.0.1", 0, as_of=date(2025, 6, 30), warm=False)
        port = running.server.server_port
        try:
            status, snapshot, _ = _get(port, "/?year=2024")  # computes the snapshot
            assert status == 200, status
            out: dict = {"agencies": AGENCIES, "snapshot_seconds": round(snapshot, 1), "pages_ms": {}}
            print(f"  snapshot (first load, the monitor's assessment of every agency-year): {snapshot:.1f} s")
            for name, path in pages.items():
                times = []
                for _ in range(LOADS):
                    status, dt, size = _get(port, path)
                    assert status == 200, (path, status)
                    times.append(dt * 1000)
                med, worst = statistics.median(times), max(times)
                out["pages_ms"][name] = {"first": round(times[0], 1), "median": round(med, 1), "max": round(worst, 1),
                                         "bytes": size}
                print(f"  {name:<22} first {times[0]:6.1f} ms  median {med:6.1f} ms  max {worst:6.1f} ms  ({size // 1024} KB)")
            status, dt, size = _get(port, "/audit?year=2024&export=csv")
            out["export_csv_ms"] = round(dt * 1000, 1)
            print(f"  export csv of the whole year: {dt * 1000:.0f} ms ({size // 1024} KB)")
            worst_median = max(v["median"] for v in out["pages_ms"].values())
            print(f"  slowest page median {worst_median:.0f} ms (target < 200 ms)")
        finally:
            running.stop()
    return out
