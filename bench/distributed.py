"""Distributed crawl benchmark: throughput with 1, 2 and 4 workers on a politeness-bound web.

A generated fleet of ``HOSTS`` hosts (``PER_HOST`` agencies each, reports of four years) is served
on loopback with a ``DELAY`` s politeness delay per host; a sweep of every agency is
queued as host batches on a fresh PostgreSQL, then N ``nianbao worker`` processes run it.
Reported per N: the sweep's wall time (the workers already up; first job started to last
job done, from procrastinate's events), pages per
second, the speed-up over one worker (aim ≥ 0.9 × N) and CPU per page two ways:

- *sweep*: the CPU the workers, their crawl processes and parser processes spent from the
  moment the workers were up to the end of the sweep (/proc, by kind of process): the cost
  per crawled page;
- *lifetime* (the figure of earlier rounds): the kernel's rusage of the waited workers and
  of ``nianbao enqueue``, start-up and shutdown included, so it grows with the number of
  workers whatever a page costs.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import pg
from sampleweb.fleet import Fleet
from sampleweb.server import SampleServer, SampleWeb

HOSTS = int(os.environ.get("NIANBAO_BENCH_DIST_HOSTS", "200"))
DELAY = float(os.environ.get("NIANBAO_BENCH_DIST_DELAY", "1.0"))
BUCKETS = int(os.environ.get("NIANBAO_BENCH_DIST_BUCKETS", "8"))
PER_HOST = int(os.environ.get("NIANBAO_BENCH_DIST_PER_HOST", "3"))  # agencies per host (4 reports each)
WORKERS = [int(x) for x in os.environ.get("NIANBAO_BENCH_DIST_WORKERS", "1,2,4").split(",")]


def _procs() -> dict[int, tuple[int, float, str]]:
    """Every process: pid -> (parent, CPU seconds, command line).  The CPU is its own and that
    of its children that ended and were waited for (a recycled parser process, a backend),
    so every process of a tree, live or ended, is counted once."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[int, float, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        procs[int(entry.name)] = (int(stat[1]), sum(int(x) for x in stat[11:15]) / tick, cmd)
    return procs


def _tree_cpu(roots: list[int]) -> dict[str, float]:
    """CPU seconds so far of the worker processes and their descendants, by kind
    (``worker``, ``crawl``: the long-lived crawl processes, ``parser``: their parser pool),
    from /proc; the breakdown of the sweep's CPU per page."""
    procs = _procs()
    out = {"worker": 0.0, "crawl": 0.0, "parser": 0.0, "other": 0.0}
    for pid, (_, cpu, cmd) in procs.items():
        chain, p = [pid], pid
        while p in procs and p not in roots and p > 1:
            p = procs[p][0]
            chain.append(p)
        if p not in roots:
            continue
        kind = ("worker" if pid in roots else "crawl" if "crawler.jobs.child" in cmd
                else "parser" if "multiprocessing" in cmd else "other")
        out[kind] += cpu
    return out


def _postgres_cpu(base: str) -> float:
    """CPU seconds so far of the benchmark's PostgreSQL (its postmaster, found by the port in
    its command line, and every backend under it): the database's share of a sweep."""
    port = base.rsplit(":", 1)[1].split("/", 1)[0]
    procs = _procs()
    roots = {pid for pid, (_, _, cmd) in procs.items() if f"-p {port} " in cmd and "postgres" in cmd}
    return sum(cpu for pid, (parent, cpu, _) in procs.items() if pid in roots or parent in roots)


def _self_cpu() -> float:
    """CPU seconds so far of this process (the fleet's server threads and the sweep's polling)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def polite_gaps(log: list) -> dict[str, float]:
    """The intervals between successive requests to one host within one crawl (start to
    start, from the fleet's log), in seconds: median, 90th percentile and the largest, and
    the mean excess over the configured delay.  A reactor thread busy with other work
    stretches these gaps past the delay, which is what makes a job longer under load."""
    by: dict[tuple[str, str], list[float]] = {}
    for s in log:
        by.setdefault((s.host, s.tag), []).append(s.start)
    series = [[b - a for a, b in zip(sorted(starts), sorted(starts)[1:], strict=False)] for starts in by.values()]
    gaps = sorted(g for one in series for g in one)
    if not gaps:
        return {"n": 0, "median": 0.0, "p90": 0.0, "max": 0.0, "mean_excess": 0.0, "stretched": 0, "after_stretched": 0.0}
    # a stretched gap (over 1.2 × the delay) right after another on the same host: AutoThrottle
    # raising the host's delay to a slow response's latency and halving it back, rather than
    # one late wake-up of the reactor
    long = 1.2 * DELAY
    stretched = sum(g > long for g in gaps)
    chained = sum(1 for one in series for x, y in zip(one, one[1:], strict=False) if x > long and y > long)
    return {"n": len(gaps), "median": round(gaps[len(gaps) // 2], 3), "p90": round(gaps[int(len(gaps) * 0.9)], 3),
            "max": round(gaps[-1], 3), "mean_excess": round(sum(gaps) / len(gaps) - DELAY, 3),
            "stretched": stretched, "after_stretched": round(chained / max(stretched, 1), 2)}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, check=True)


def _sweep(base: str, n: int, fleet: Fleet, server: SampleServer, tmp: Path) -> dict:
    name = f"sweep{n}"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db = base.rsplit("/", 1)[0] + "/" + name
    registry, config = tmp / "registry.yaml", tmp / f"{name}.toml"
    registry.write_text(fleet.registry_yaml(), encoding="utf-8")
    config.write_text(f'[schedule]\nregistry = "{registry}"\n[jobs]\nbuckets = {BUCKETS}\ndelay = {DELAY}\n', encoding="utf-8")
    engine = create_engine(db)
    logdir = os.environ.get("NIANBAO_BENCH_DIST_LOGS")  # the workers' logs, for a sweep that looks wrong
    logs = [open(Path(logdir) / f"{name}-w{k}.log", "wb") if logdir else subprocess.DEVNULL  # noqa: SIM115
            for k in range(n)]
    procs = [subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--db", db, "--files", str(tmp / "files"),
                               "--proxy", server.url, "--name", f"b{k}", "--poll", "0.5"],
                              stdout=logs[k], stderr=subprocess.STDOUT) for k in range(n)]

    def ready() -> int:
        with engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass('procrastinate_workers')")).scalar() is None:
                return 0
            return conn.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar() or 0

    while ready() < n:  # workers are long-running: their start-up is not part of the sweep
        if any(p.poll() is not None for p in procs):
            raise SystemExit(f"a worker exited at start-up (exit {[p.poll() for p in procs]})")
        time.sleep(0.5)
    fleet.log.clear()
    tree0 = _tree_cpu([p.pid for p in procs])
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    side0 = (_self_cpu(), _postgres_cpu(base))
    t0 = time.perf_counter()
    _cli("enqueue", "--all", "--config", str(config), "--db", db)
    with engine.connect() as conn:
        jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar()
    try:
        while True:
            with engine.connect() as conn:
                done = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status IN "
                                         "('succeeded', 'failed')")).scalar()
            if done >= jobs:
                break
            time.sleep(0.5)
        with engine.connect() as conn:  # first job started to last job done, by procrastinate's events
            wall = conn.execute(text("SELECT extract(epoch FROM max(at) FILTER (WHERE type = 'succeeded') "
                                     "- min(at) FILTER (WHERE type = 'started')) FROM procrastinate_events")).scalar()
            spans = conn.execute(text("SELECT j.id, min(e.at) FILTER (WHERE e.type = 'started'), "
                                      "max(e.at) FILTER (WHERE e.type = 'succeeded') FROM procrastinate_jobs j "
                                      "JOIN procrastinate_events e ON e.job_id = j.id GROUP BY j.id")).all()
        wall = float(wall or (time.perf_counter() - t0))
        # the most jobs that ran at the same moment (N workers should reach N)
        edges = sorted([(a, 1) for _, a, b in spans if a and b] + [(b, -1) for _, a, b in spans if a and b])
        running = parallel = 0
        for _, step in edges:
            running += step
            parallel = max(parallel, running)
        job_s = sorted((b - a).total_seconds() for _, a, b in spans if a and b)
        tree1 = _tree_cpu([p.pid for p in procs])  # before the workers exit: their processes still live
        side1 = (_self_cpu(), _postgres_cpu(base))
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(60)
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with engine.connect() as conn:
        failed = conn.execute(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")).scalar()
        reports = conn.execute(text("SELECT count(*) FROM documents")).scalar()
    engine.dispose()
    pages = len(fleet.log)
    cpu = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)
    return {"workers": n, "jobs": jobs, "failed": failed, "pages": pages, "reports": reports,
            "seconds": round(wall, 1), "pages_per_s": round(pages / wall, 2), "cpu_s_per_page": round(cpu / max(pages, 1), 4),
            "cpu_ms_per_page_by_process": {k: round((tree1[k] - tree0[k]) / max(pages, 1) * 1000, 1) for k in tree1},
            "cpu_ms_per_page_sweep": round((sum(tree1.values()) - sum(tree0.values())) * 1000 / max(pages, 1), 1),
            # outside the sweep's figure: the fleet's server (this process) and PostgreSQL
            "cpu_ms_per_page_servers": {"bench_and_fleet": round((side1[0] - side0[0]) * 1000 / max(pages, 1), 1),
                                        "postgres": round((side1[1] - side0[1]) * 1000 / max(pages, 1), 1)},
            "gaps": polite_gaps(fleet.log), "overlaps": len(fleet.overlaps()), "parallel_jobs": parallel,
            "job_seconds": [round(x, 1) for x in job_s]}


def run() -> dict:
    print(f"distributed — a sweep of {HOSTS} hosts ({PER_HOST} agencies with 4 reports each), {DELAY:g} s per host, "
          f"{BUCKETS} host buckets; workers {WORKERS}:")
    fleet = Fleet(hosts_count=HOSTS, per_host=PER_HOST, years=(2021, 2022, 2023, 2024), service_time=0.0)
    web = SampleWeb([])
    web.fleet = fleet
    server = SampleServer(web).start()
    out: dict = {"hosts": HOSTS, "delay": DELAY, "buckets": BUCKETS, "runs": []}
    try:
        with tempfile.TemporaryDirectory() as tmp, pg.server("postgres_bench") as base:
            for n in WORKERS:
                r = _sweep(base, n, fleet, server, Path(tmp))
                out["runs"].append(r)
                one = out["runs"][0]
                r["speedup"] = round(one["seconds"] / r["seconds"] * one["workers"], 2)
                print(f"  {n} worker(s): {r['jobs']} jobs ({r['failed']} failed), {r['pages']} pages, {r['reports']} "
                      f"documents in {r['seconds']:.1f} s = {r['pages_per_s']:.1f} pages/s, speed-up {r['speedup']:.2f} "
                      f"(aim ≥ {0.9 * n:.1f}), {r['cpu_ms_per_page_sweep']:.1f} ms CPU/page in the sweep "
                      f"({r['cpu_s_per_page'] * 1000:.0f} ms over the workers' lifetime), host overlaps {r['overlaps']}, "
                      f"at most {r['parallel_jobs']} jobs at once, job {min(r['job_seconds'], default=0):.0f}–"
                      f"{max(r['job_seconds'], default=0):.0f} s")
                print("    sweep CPU ms/page by process: " + ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_ms_per_page_by_process"].items()))
                print("    outside the sweep, ms/page: " + ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_ms_per_page_servers"].items()))
                g = r["gaps"]
                print(f"    gaps between requests to one host (s): median {g['median']:.3f}, p90 {g['p90']:.3f}, "
                      f"max {g['max']:.3f}, mean excess over the delay {g['mean_excess']:.3f} ({g['n']} gaps); "
                      f"{g['stretched']} over 1.2 × the delay, {g['after_stretched']:.0%} of them right after another")
    finally:
        server.stop()
    return out



def _crawl_count(registry: Path, proxy: str, tmp: Path, log: list) -> dict:
    """Crawl every agency of a registry once (no delay) and count the requests the web served."""
    import yaml

    agencies = yaml.safe_load(registry.read_text(encoding="utf-8"))["agencies"]
    db = f"sqlite:///{tmp / 'count.db'}"
    before = len(log)
    subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(registry), "--proxy", proxy,
                    "--delay", "0", "--db", db, "--files", str(tmp / "files")], capture_output=True, text=True, check=False)
    served = log[before:]
    files = sum(1 for e in served if e.path.split("?")[0].rsplit(".", 1)[-1].lower() in ("pdf", "doc", "docx", "xls", "xlsx", "wps"))
    hosts = {e.host for e in served}
    return {"agencies": len(agencies), "hosts": len(hosts), "requests": len(served), "attachments": files,
            "requests_per_agency": round(len(served) / max(len(agencies), 1), 1),
            "agencies_per_host": round(len(agencies) / max(len(hosts), 1), 2)}


def measure_requests() -> dict:
    """Requests per agency of one full crawl of the sample web and of the variety web (pages,
    attachments, robots.txt, everything the servers answered): the national sweep's estimate."""
    from sampleweb.sites import demo_sites, registry_yaml
    from varietyweb import VarietyServer
    from varietyweb import registry_yaml as variety_registry

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        sites = demo_sites()
        web = SampleWeb(sites)
        server = SampleServer(web).start()
        try:
            reg = Path(tmp) / "sample.yaml"
            reg.write_text(registry_yaml(sites), encoding="utf-8")
            (Path(tmp) / "s").mkdir()
            out["sample"] = _crawl_count(reg, server.url, Path(tmp) / "s", web.log)
        finally:
            server.stop()
        reg = Path(tmp) / "variety.yaml"
        variety_registry(reg)
        (Path(tmp) / "v").mkdir()
        with VarietyServer(latency=0.0) as vweb:
            out["variety"] = _crawl_count(reg, vweb.proxy_url, Path(tmp) / "v", vweb.log)
    for name, r in out.items():
        print(f"  {name} web: {r['agencies']} agencies on {r['hosts']} hosts, {r['requests']} requests "
              f"({r['attachments']} attachments) = {r['requests_per_agency']} requests per agency")
    return out


if __name__ == "__main__":  # python -m bench.distributed requests
    print(measure_requests() if sys.argv[1:] == ["requests"] else run())
