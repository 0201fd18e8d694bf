"""Three worker processes on loopback, a real PostgreSQL, a fleet of 300 agencies on 60
hosts: every agency crawled once per sweep, no host served to two jobs at once (from the
server's log), a worker SIGKILLed mid-job whose job is re-run with nothing lost and no
duplicate, and the same stored results as a single-process crawl into SQLite."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from db.models import AgencyCrawl, CrawlRun, Document, DocumentVersion
from db.schema import open_db
from db.store import reports

DELAY = 0.1  # politeness delay per host: short, but a job lasts seconds (it can be killed mid-way)


def _cli(*args: str, env: dict[str, str] | None = None, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), timeout=300, **kw)


def _worker(db: str, files: Path, proxy: str, name: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--db", db, "--files", str(files),
                             "--proxy", proxy, "--name", name, "--heartbeat", "1", "--stalled-after", "4",
                             "--poll", "0.5"], stdout=log.open("wb"), stderr=subprocess.STDOUT)


def _comparable(rows: list[dict[str, Any]]) -> dict[str, tuple]:
    """What a crawl stored, without the moments it was stored at."""
    return {r["url"]: (r["agency"], r["report_agency"], r["year"], r["title"], r["format"], r["parse_status"],
                       r["versions"], r["removed"], (r["published"] or {}).get("date"),
                       tuple(sorted((e["source"], e["value"]) for e in r["evidence"] if e["source"] != "first_seen")))
            for r in rows}


def _job_states(db: str) -> Counter[str]:
    engine = open_db(db).kw["bind"]
    with engine.connect() as conn:
        return Counter(conn.execute(text("SELECT status FROM procrastinate_jobs")).scalars())


def _wait(pred: Any, timeout: float, what: str) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def test_three_workers_one_sweep(tmp_path: Path, new_pg_db: Any, fleet_server: Any) -> None:
    fleet, server = fleet_server
    registry = tmp_path / "registry.yaml"
    registry.write_text(fleet.registry_yaml(), encoding="utf-8")
    config = tmp_path / "nianbao.toml"
    config.write_text(f'[schedule]\nregistry = "{registry}"\n[jobs]\nbuckets = 6\ndelay = {DELAY}\n', encoding="utf-8")

    # the baseline: one process, SQLite (the embedded default)
    single = f"sqlite:///{tmp_path / 'single.db'}"
    r = _cli("crawl", "--db", single, "--registry", str(registry), "--proxy", server.url, "--delay", str(DELAY),
             "--files", str(tmp_path / "single-files"))
    assert r.returncode == 0, r.stderr[-2000:]
    with open_db(single)() as s:
        expected = _comparable(reports(s))
    assert len(expected) == 600  # 300 agencies x 2 reports
    fleet.log.clear()

    db = new_pg_db()
    r = _cli("enqueue", "--all", "--config", str(config), "--db", db)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "300 个机构" in r.stdout, r.stdout
    queued = _job_states(db)["todo"]
    assert queued >= 4  # 60 hosts in at most 6 buckets

    files = tmp_path / "shared-files"
    logs = [tmp_path / f"w{n}.log" for n in range(3)]
    workers = [_worker(db, files, server.url, f"w{n}", logs[n]) for n in range(3)]
    try:
        # kill worker w0 as soon as its crawl has been served a few pages (mid-job)
        _wait(lambda: sum(s.tag.startswith("w0/") for s in fleet.log) >= 5, 120, "w0's crawl to start")
        victim_tag = next(s.tag for s in fleet.log if s.tag.startswith("w0/"))
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(10)
        killed_at = time.time()
        _wait(lambda: _job_states(db).get("succeeded", 0) == queued, 240, "every job to succeed")
        # nothing of the killed attempt was served after its worker died (its child died with it)
        assert all(s.end <= killed_at + 0.5 for s in fleet.log if s.tag == victim_tag)
        out = _cli("jobs", "--db", db).stdout
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(30)
            except subprocess.TimeoutExpired:
                w.kill()

    # the queue as `nianbao jobs` shows it: all done, one job retried after its worker died
    assert f"成功 {queued}" in out and "失败 0" in out and "重试过 1" in out, out
    states = _job_states(db)
    assert states == Counter({"succeeded": queued}), states

    # no host was ever served to two crawls at the same moment
    assert fleet.overlaps() == []
    tags = {s.tag for s in fleet.log}
    assert {t.split("/")[0] for t in tags} == {"w0", "w1", "w2"}  # every worker took part
    job_of_tag = {t: t.split("/")[1] for t in tags}
    assert any(job_of_tag[t] == victim_tag.split("/")[1] and t != victim_tag for t in tags)  # the re-run

    with open_db(db)() as s:
        runs = s.scalars(select(CrawlRun)).all()
        assert Counter(r.status for r in runs) == Counter({"done": queued, "killed": 1})
        done_runs = [r.id for r in runs if r.status == "done"]
        # every agency crawled once in the sweep: one outcome, from a finished run
        per_agency = Counter(s.scalars(select(AgencyCrawl.agency_id).where(AgencyCrawl.run_id.in_(done_runs))))
        assert len(per_agency) == 300 and set(per_agency.values()) == {1}
        assert s.scalar(select(func.count()).select_from(AgencyCrawl).where(AgencyCrawl.run_id.notin_(done_runs))) == 0
        # no duplicate document or version, nothing lost
        assert s.scalar(select(func.count()).select_from(Document)) == 600
        assert s.scalar(select(func.count()).select_from(DocumentVersion)) == 600
        got = _comparable(reports(s))
    assert got == expected
