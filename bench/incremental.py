"""Incremental-check benchmark: how each step grows with the number of agencies.

``python -m bench.incremental``: for each size in ``NIANBAO_BENCH_INCREMENTAL_SIZES``
(default ``5000,20000``; agencies x 7 years, PostgreSQL) the national benchmark's database
is built once and checked once (the first incremental run: a full check plus every
report's sketch) and kept as a template; each measurement copies it, simulates a crawl of
``NIANBAO_BENCH_CRAWLED_AGENCIES`` agencies (default 1,000; one in ten a changed report,
``NIANBAO_BENCH_COPIES`` of those a copy of an untouched agency's report) and times the
incremental check in a fresh process: its CPU and its PostgreSQL backend's (what a loaded
machine does not distort), wall seconds per step (touched, sketches,
partners, check, crawl-only years, and the upserts inside both), the agencies judged.
The growth between the smallest and the largest size gives the figure at 100,000 agencies
by linear extrapolation (CPU, and wall).

``NIANBAO_BENCH_PG_DIR=DIR`` keeps the server's data directory (and the built templates)
between runs: building 20,000 agencies and checking them takes minutes; 100,000 about 20.
``NIANBAO_BENCH_PG_URL`` uses a server already running (its base URL).
``NIANBAO_BENCH_INCREMENTAL_VERIFY=1`` also runs a full check on the crawled copy and
compares its findings with the stored open ones (key, message, evidence): they must be
equal.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import pg
from bench.monitor import NATIONAL_YEARS, build, simulate_crawl

SIZES = [int(x) for x in os.environ.get("NIANBAO_BENCH_INCREMENTAL_SIZES", "5000,20000").split(",")]
CRAWLED = int(os.environ.get("NIANBAO_BENCH_CRAWLED_AGENCIES", "1000"))
COPIES = int(os.environ.get("NIANBAO_BENCH_COPIES", "0"))
STEPS = ("touched", "sketches", "partners", "check", "crawled", "upsert")

_TIMED = r"""
import functools, json, sys, time
from datetime import datetime
from db.dates import BEIJING
from db.schema import open_db
import monitor.upsert
upsert = [0.0, 0.0]
store = monitor.upsert.store
@functools.wraps(store)
def timed_store(*args, **kwargs):
    w, c = time.perf_counter(), time.process_time()
    try:
        return store(*args, **kwargs)
    finally:
        upsert[0] += time.perf_counter() - w
        upsert[1] += time.process_time() - c
monitor.upsert.store = timed_store
from monitor.incremental import run_incremental_check
import os
from sqlalchemy import text
def server_cpu(pid):  # CPU seconds of the PostgreSQL backend serving this session (a local server), or 0
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
factory = open_db(sys.argv[1])
with factory() as s:
    pid = s.execute(text("SELECT pg_backend_pid()")).scalar()
    s0 = server_cpu(pid)
    w0, c0 = time.perf_counter(), time.process_time()
    r = run_incremental_check(s, datetime.now(BEIJING).date())
    s.commit()
    r["wall"], r["cpu"] = time.perf_counter() - w0, time.process_time() - c0
    r["server_cpu"] = server_cpu(pid) - s0
r["upsert_wall"], r["upsert_cpu"] = upsert
print(json.dumps(r))
"""

_VERIFY = r"""
import json, sys
from datetime import datetime
from sqlalchemy import select
from db.dates import BEIJING
from db.models import Finding
from db.schema import open_db
from monitor.check import assess_all
from monitor.findings import finding_key
def norm(message, evidence):
    return message, json.dumps(evidence, sort_keys=True, default=str)
with open_db(sys.argv[1])() as s:
    stored = {f.key: norm(f.message, f.evidence) for f in s.scalars(select(Finding).where(Finding.status == "open"))}
    full = {}
    for r in assess_all(s, datetime.now(BEIJING).date()):
        for d in r.drafts:
            full.setdefault(finding_key(r.agency.id, r.year, d.code, d.detail), norm(d.message, d.evidence))
print(json.dumps({"open": len(stored), "full": len(full), "equal": stored == full,
                  "only_stored": sorted(set(stored) - set(full))[:5], "only_full": sorted(set(full) - set(stored))[:5]}))
"""

_FIRST = r"""
import sys
from datetime import datetime
from db.dates import BEIJING
from db.schema import open_db
from monitor.incremental import run_incremental_check
with open_db(sys.argv[1])() as s:
    run_incremental_check(s, datetime.now(BEIJING).date(), full=True)
    s.commit()
"""


@contextlib.contextmanager
def _server() -> Iterator[str]:
    """The base URL of a bench server: throw-away, or kept in ``NIANBAO_BENCH_PG_DIR``."""
    running = os.environ.get("NIANBAO_BENCH_PG_URL")
    if running:  # a server already up (its base URL, no database name)
        yield running
        return
    keep = os.environ.get("NIANBAO_BENCH_PG_DIR")
    if not keep:
        with pg.cluster(pg.BENCH_TUNING) as base:
            yield base
        return
    why = pg.unavailable()
    found = pg.find_binaries()
    if why or found is None:
        raise SystemExit(why or "no PostgreSQL")
    initdb, pg_ctl = found
    root = Path(keep)
    data, sock = root / "data", root / "sock"
    if not data.exists():
        sock.mkdir(parents=True, exist_ok=True)
        root.chmod(0o755)
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(sock, "postgres")
        subprocess.run(pg._as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                        "--no-locale"]), check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 {pg.BENCH_TUNING}"
    subprocess.run(pg._as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(pg._as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)


def _admin(base: str, *statements: str) -> list[tuple[Any, ...]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    rows: list[tuple[Any, ...]] = []
    with engine.connect() as conn:
        for st in statements:
            result = conn.execute(text(st))
            if result.returns_rows:
                rows += [tuple(r) for r in result]
    engine.dispose()
    return rows


def _child(script: str, url: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else {}


def _template(base: str, n: int) -> str:
    """The database of ``n`` agencies after its first incremental run, built once."""
    name = f"incremental_{n}"
    if _admin(base, f"SELECT 1 FROM pg_database WHERE datname = '{name}_ready'"):
        return f"{name}_ready"
    _admin(base, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    t0 = time.perf_counter()
    build(f"{base}/{name}", n, years=NATIONAL_YEARS)
    subprocess.run([sys.executable, "-c", _FIRST, f"{base}/{name}"], check=True)
    _admin(base, f'ALTER DATABASE "{name}" RENAME TO "{name}_ready"')
    print(f"  {n} agencies: built and checked once in {time.perf_counter() - t0:.0f} s (kept as a template)")
    return f"{name}_ready"


def measure(base: str, n: int, verify: bool = False) -> dict[str, Any]:
    """One measurement at ``n`` agencies: copy the template, crawl, time the incremental check."""
    template = _template(base, n)
    run = f"incremental_{n}_run"
    _admin(base, f'DROP DATABASE IF EXISTS "{run}" WITH (FORCE)', f'CREATE DATABASE "{run}" TEMPLATE "{template}"')
    url = f"{base}/{run}"
    simulate_crawl(url, CRAWLED, among=n, copies=COPIES)
    r = _child(_TIMED, url)
    steps = r.pop("steps", {})  # (none from the code before the steps were recorded)
    out = {"agencies": n, **{k: r.get(k, 0) for k in ("mode", "touched", "agencies", "partners", "crawled_only", "findings")},
           "wall": round(r["wall"], 2), "cpu": round(r["cpu"], 2), "server_cpu": round(r["server_cpu"], 2),
           "steps": steps,
           "upsert": round(r["upsert_wall"], 3), "upsert_cpu": round(r["upsert_cpu"], 3)}
    out["judged_whole"] = out.pop("agencies")
    out["agencies"] = n
    if verify:
        out["verify"] = _child(_VERIFY, url)
    return out


def run() -> dict[str, Any]:
    verify = os.environ.get("NIANBAO_BENCH_INCREMENTAL_VERIFY") == "1"
    print(f"incremental check after a crawl of {CRAWLED} agencies ({COPIES} copies of untouched reports), "
          f"{len(NATIONAL_YEARS)} years, PostgreSQL; sizes {SIZES}:")
    results = []
    with _server() as base:
        for n in SIZES:
            m = measure(base, n, verify)
            results.append(m)
            st = m["steps"]
            print(f"  {n:>7} agencies: {m['wall']:.2f} s wall, {m['cpu']:.2f} s CPU of the checking process "
                  f"+ {m['server_cpu']:.2f} s of its PostgreSQL backend; "
                  f"touched {m['touched']}, judged whole {m['judged_whole']} (partners {m['partners']}), "
                  f"crawl-only years of {m['crawled_only']}; steps (wall s): "
                  + ", ".join(f"{k} {st.get(k, 0):.2f}" for k in ("touched", "sketches", "partners", "check", "crawled"))
                  + f", of which upserts {m['upsert']:.2f}"
                  + (f"; equal to a full check: {m['verify']['equal']} ({m['verify']['open']} open findings)"
                     if verify else ""))
    if len(results) >= 2:
        a, b = results[0], results[-1]

        def at(key: str, x: float) -> float:
            """Linear in the number of agencies; a figure that did not grow is taken at the
            larger size's (noise on a shared machine can make the larger size faster)."""
            ya, yb = a[key], b[key]
            return max(yb, ya + (yb - ya) * (x - a["agencies"]) / (b["agencies"] - a["agencies"]))

        for m in (a, b):
            m["cpu_total"] = m["cpu"] + m["server_cpu"]
        print(f"  linear extrapolation to 100,000 agencies from {a['agencies']} and {b['agencies']}: CPU of the "
              f"process and its backend {at('cpu_total', 100_000):.2f} s (wall {at('wall', 100_000):.2f} s, "
              "which a loaded machine inflates)")
    return {"sizes": results}


if __name__ == "__main__":
    run()
