"""The scheduler driven by a fake clock through a reporting season, with a restart.

APScheduler runs the real jobs (crawl_tick, digest_tick) from its SQLAlchemy job store in
the project database; only the child crawl and the digest queue are replaced by recorders,
and time comes from a fake clock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler

import crawler.service as service
from db.models import AgencyCrawl, CrawlRun, Document
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from monitor.deadlines import BEIJING

REGISTRY = """agencies:
  - {id: a, name: 甲局, kind: department, site: "http://a.gov.cn.test/"}
  - {id: b, name: 乙局, kind: department, site: "http://b.gov.cn.test/"}
  - {id: c, name: 丙局, kind: department, site: "http://c.gov.cn.test/", region: "320831"}
"""


class Clock:
    def __init__(self, start: datetime) -> None:
        self.value = start


class ManualScheduler(BaseScheduler):
    """Runs due jobs only when told to (``tick``), at the fake clock's time."""

    def wakeup(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def tick(self) -> float | None:
        """Run what is due now; returns the seconds until the next job is due."""
        return self._process_jobs()


@pytest.fixture
def season(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    url = f"sqlite:///{tmp_path / 's.db'}"
    factory = open_db(url)
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        s.commit()
    config = tmp_path / "nianbao.toml"
    config.write_text('[schedule]\noutbox_minutes = 720\n[cadence]\n[cadence.regions]\n"3208" = 3\n', encoding="utf-8")
    clock = Clock(datetime(2025, 1, 1, 0, 0, tzinfo=BEIJING))

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:
            return clock.value.astimezone(tz) if tz else clock.value.replace(tzinfo=None)

    import apscheduler.executors.base as executors_base
    import apscheduler.schedulers.base as schedulers_base

    monkeypatch.setattr(schedulers_base, "datetime", FakeDatetime)
    monkeypatch.setattr(executors_base, "datetime", FakeDatetime)
    monkeypatch.setattr(service, "now", lambda: clock.value.astimezone(UTC))
    crawls: list[tuple[datetime, list[str]]] = []
    digests: list[datetime] = []

    def fake_crawl(db_url: str, cfg: Any, agencies: list[str]) -> dict[str, Any]:
        at = clock.value.astimezone(UTC)
        crawls.append((clock.value, list(agencies)))
        with factory() as s:
            run = CrawlRun(started_at=at, finished_at=at, status="done", stats={})
            s.add(run)
            s.flush()
            for aid in agencies:
                s.add(AgencyCrawl(run_id=run.id, agency_id=aid, outcome="ok", started_at=at, finished_at=at))
            if "b" in agencies and clock.value >= datetime(2025, 1, 20, tzinfo=BEIJING):
                if not s.query(Document).filter_by(agency_id="b", year=2024).count():
                    s.add(Document(agency_id="b", kind="page", url="http://b.gov.cn.test/ndbg/2024.html", year=2024,
                                   first_seen=at, last_seen=at))
            s.commit()
        return {"status": "ok"}

    monkeypatch.setattr(service, "run_child_crawl", fake_crawl)
    import crawler.digests

    monkeypatch.setattr(crawler.digests, "queue_digests", lambda db_url, cfg, as_of: digests.append(clock.value) or 0)

    def start() -> ManualScheduler:
        sched = service.build_scheduler(url, str(config), scheduler_cls=ManualScheduler,
                                        executors={"default": DebugExecutor()})
        sched.start()
        return sched

    def run_until(sched: ManualScheduler, end: datetime) -> None:
        """Advance the clock from one due run to the next (as the real scheduler sleeps)."""
        while clock.value < end:
            wait = sched.tick()
            clock.value = min(clock.value + timedelta(seconds=max(wait or 3600, 1)), end)

    return {"clock": clock, "start": start, "run_until": run_until, "crawls": crawls, "digests": digests}


def _crawled(crawls: list[tuple[datetime, list[str]]], agency: str, lo: datetime, hi: datetime) -> list[datetime]:
    return [t for t, agencies in crawls if agency in agencies and lo <= t < hi]


def test_a_reporting_season(season) -> None:
    clock, crawls, digests = season["clock"], season["crawls"], season["digests"]
    sched = season["start"]()
    season["run_until"](sched, datetime(2025, 2, 3, 6, 0, tzinfo=BEIJING))
    sched.shutdown()  # the service goes down on Monday morning ...
    clock.value = datetime(2025, 2, 3, 11, 0, tzinfo=BEIJING)  # ... and is back after the 08:00 digest
    sched = season["start"]()
    sched.tick()
    assert digests[-1] == datetime(2025, 2, 3, 11, 0, tzinfo=BEIJING)  # the missed digest ran, once
    season["run_until"](sched, datetime(2025, 2, 28, tzinfo=BEIJING))
    sched.shutdown()
    clock.value = datetime(2025, 5, 1, tzinfo=BEIJING)  # down for two months: missed runs are not replayed
    sched = season["start"]()
    season["run_until"](sched, datetime(2025, 6, 1, tzinfo=BEIJING))
    sched.shutdown()

    jan = (datetime(2025, 1, 1, tzinfo=BEIJING), datetime(2025, 2, 1, tzinfo=BEIJING))
    may = (datetime(2025, 5, 1, tzinfo=BEIJING), datetime(2025, 6, 1, tzinfo=BEIJING))
    # in season, an agency without last year's report is crawled daily
    assert len(_crawled(crawls, "a", *jan)) == 31
    # b's report is found on 20 January: daily until then, weekly after
    b_jan = _crawled(crawls, "b", *jan)
    assert len([t for t in b_jan if t.day < 21]) == 20
    assert 1 <= len([t for t in b_jan if t.day >= 21]) <= 2
    # a regional override (every 3 days) beats the season
    assert 10 <= len(_crawled(crawls, "c", *jan)) <= 11
    # out of season: weekly for everyone
    assert 4 <= len(_crawled(crawls, "a", *may)) <= 5
    # digests: Monday 08:00 Beijing, plus the one made up after the restart
    expected = [datetime(2025, 1, d, 8, 0, tzinfo=BEIJING) for d in (6, 13, 20, 27)] + \
        [datetime(2025, 2, 3, 11, 0, tzinfo=BEIJING)] + \
        [datetime(2025, 2, d, 8, 0, tzinfo=BEIJING) for d in (10, 17, 24)] + \
        [datetime(2025, 5, d, 8, 0, tzinfo=BEIJING) for d in (5, 12, 19, 26)]
    assert [d.astimezone(BEIJING) for d in digests] == expected
    # two crawls never overlap and each day's crawl ran once
    assert len({(t.date(), tuple(a)) for t, a in crawls}) == len(crawls)


def test_jobs_survive_a_restart(season) -> None:
    sched = season["start"]()
    first = {j.id: j.next_run_time for j in sched.get_jobs()}
    sched.shutdown()
    again = season["start"]()
    assert {j.id: j.next_run_time for j in again.get_jobs()} == first
    assert set(first) == {"crawl", "digest", "outbox"}
    again.shutdown()


def test_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    db = f"sqlite:///{tmp_path / 'serve.db'}"
    env = {**os.environ, "NIANBAO_DB_URL": db}
    proc = subprocess.Popen([sys.executable, "-m", "crawler.cli", "serve"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = ""
    deadline = time.monotonic() + 60
    while not all(f"scheduled {j}" in log for j in ("crawl", "digest", "outbox")) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        log += line
    assert "scheduled crawl" in log and "scheduled digest" in log
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, log + rest
    assert "stopping after the running jobs finish" in rest and "stopped" in rest
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "jobs", "--json"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, check=True)
    jobs = {j["id"]: j for j in json.loads(out.stdout)}
    assert set(jobs) == {"crawl", "digest", "outbox"}
    assert jobs["digest"]["next_run"] and "mon" in jobs["digest"]["trigger"]


def test_a_hanging_crawl_is_killed_and_recorded(tmp_path: Path) -> None:
    from sqlalchemy import select

    from crawler.config import Config
    from sampleweb.server import SampleServer, SampleWeb
    from sampleweb.sites import demo_sites, registry_yaml

    slow = [s for s in demo_sites() if s.state == "slow"]
    server = SampleServer(SampleWeb(slow, slow_delay=60)).start()
    try:
        (tmp_path / "reg.yaml").write_text(registry_yaml(slow), encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'k.db'}"
        cfg = Config(registry=str(tmp_path / "reg.yaml"), crawl_timeout_minutes=0.1)
        import os

        os.environ["http_proxy"] = server.url
        try:
            result = service.run_child_crawl(db, cfg, [slow[0].agency_id])
        finally:
            os.environ.pop("http_proxy", None)
    finally:
        server.stop()
    assert result["status"] == "killed" and "killed" in result["why"]
    with open_db(db)() as s:
        run = s.scalar(select(CrawlRun))
        assert run is not None and run.status == "killed" and "time limit" in run.stats["killed"]


def test_the_database_password_is_neither_on_a_command_line_nor_in_the_job_store(tmp_path: Path) -> None:
    """The crawl child gets the URL through its environment (``/proc/<pid>/cmdline`` is
    readable by every user), and the scheduler's pickled jobs hold no URL at all."""
    import os
    import threading
    import time

    from crawler.config import Config

    secret = "s3cret-db-Pa55"
    url = f"postgresql+psycopg://nianbao:{secret}@127.0.0.1:1/nianbao"  # nothing listens: the child fails soon
    seen: list[bytes] = []
    done = threading.Event()

    def watch() -> None:
        me = str(os.getpid())
        while not done.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                    if stat.rsplit(")", 1)[1].split()[1] == me:
                        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                        if b"crawler.cli" in cmdline:
                            seen.append(cmdline)
                except OSError:
                    continue
            time.sleep(0.01)  # the child lives for seconds: no need to spin

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result = service.run_child_crawl(url, Config(crawl_timeout_minutes=2), ["a"])
    finally:
        done.set()
        watcher.join()
    assert result["status"] == "failed"
    assert seen, "the child crawl was never seen running"
    assert all(secret.encode() not in c and b"postgresql" not in c for c in seen), seen
    assert secret not in str(result)

    db = f"sqlite:///{tmp_path / 'jobs.db'}"
    open_db(db)
    sched = service.build_scheduler(db, None, scheduler_cls=ManualScheduler, executors={"default": DebugExecutor()})
    sched.start()
    sched.shutdown()
    from sqlalchemy import create_engine, text

    with create_engine(db).connect() as conn:
        states = [bytes(r[0]) for r in conn.execute(text("SELECT job_state FROM apscheduler_jobs"))]
    assert len(states) == 3 and not any(str(tmp_path).encode() in s for s in states)


def test_a_job_stored_with_the_url_by_an_older_version_is_replaced(tmp_path: Path) -> None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.triggers.cron import CronTrigger

    db = f"sqlite:///{tmp_path / 'old.db'}"
    open_db(db)
    old = ManualScheduler(jobstores={"default": SQLAlchemyJobStore(url=db, tablename="apscheduler_jobs")},
                          timezone=service.TIMEZONE)
    old.add_job("crawler.service:crawl_tick", CronTrigger(minute=5, timezone=service.TIMEZONE), args=[db, None],
                id="crawl", name="old")
    old.start()
    old.shutdown()
    sched = service.build_scheduler(db, None, scheduler_cls=ManualScheduler, executors={"default": DebugExecutor()})
    sched.start()
    job = sched.get_job("crawl")
    assert job.func_ref == "crawler.service:scheduled_crawl" and list(job.args) == [None]
    sched.shutdown()
