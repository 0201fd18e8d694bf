"""Scheduling from the same place, on a real PostgreSQL: ``serve``'s hourly tick queues the
host batches the seasonal cadence says are due (once, however often it ticks), and
``nianbao jobs`` shows the queue per worker — queued, running, succeeded, failed, retried —
including the workers that have exited since."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import text

import crawler.service as service
from crawler.cli import main
from crawler.jobs.batches import agency_hosts
from db.models import AgencyCrawl, Document
from db.runs import finish_run, start_run
from db.schema import open_db
from monitor.deadlines import BEIJING
from sampleweb.fleet import Fleet


def _queued(db: str) -> list[dict[str, Any]]:
    with open_db(db).kw["bind"].connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(
            "SELECT id, status, lock, args FROM procrastinate_jobs WHERE status = 'todo' ORDER BY id"))]


def _crawled(db: str, agencies: list[str], at: datetime, found_2024: set[str] = frozenset()) -> None:
    """What the workers would have stored: a finished run with every agency's outcome."""
    with open_db(db)() as s:
        run = start_run(s, {"agencies": len(agencies)})
        for aid in agencies:
            s.add(AgencyCrawl(run_id=run.id, agency_id=aid, outcome="ok", started_at=at, finished_at=at))
        for aid in found_2024:
            s.add(Document(url=f"http://x.test/{aid}/2024.html", agency_id=aid, kind="page", year=2024,
                           first_seen=at, last_seen=at))
        finish_run(s, run, "done", {})
        s.commit()
    with open_db(db).kw["bind"].begin() as conn:
        conn.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE status = 'todo'"))


def test_serve_queues_the_due_host_batches_by_the_seasonal_cadence(tmp_path: Path, new_pg_db: Any,
                                                                   monkeypatch: Any) -> None:
    fleet = Fleet(hosts_count=6, per_host=3)
    registry = tmp_path / "registry.yaml"
    registry.write_text(fleet.registry_yaml(), encoding="utf-8")
    config = tmp_path / "nianbao.toml"
    config.write_text(f'[schedule]\nregistry = "{registry}"\n[jobs]\nbuckets = 4\n', encoding="utf-8")
    db = new_pg_db()
    clock = {"now": datetime(2025, 1, 10, 9, 5, tzinfo=BEIJING)}  # in season: daily while not found
    monkeypatch.setattr(service, "now", lambda: clock["now"])
    everyone = sorted(a.id for a in fleet.agencies)
    host_of = {a.id: a.host for a in fleet.agencies}

    assert service.queue_mode(db, service.load_config(str(config)))
    service.crawl_tick(db, str(config))
    jobs = _queued(db)
    assert sorted(a for j in jobs for a in j["args"]["agencies"]) == everyone  # each due agency once
    for j in jobs:  # a job holds whole hosts, under the lock of its bucket
        hosts = {host_of[a] for a in j["args"]["agencies"]}
        assert hosts == set(j["args"]["hosts"])
        assert j["lock"] == f"nianbao-hosts-{j['args']['bucket']}"
    assert len({h for j in jobs for h in j["args"]["hosts"]}) == 6
    with open_db(db)() as s:
        assert s.get(service.Setting, "job:crawl").value["status"] == "queued"

    service.crawl_tick(db, str(config))  # the next tick: all of it is still queued, nothing twice
    assert _queued(db) == jobs

    # the workers crawl everything today; one agency's 2024 report is found
    found = everyone[0]
    _crawled(db, everyone, clock["now"].astimezone(BEIJING) - timedelta(hours=1), {found})
    service.crawl_tick(db, str(config))  # same day: nobody is due
    assert _queued(db) == []

    clock["now"] += timedelta(days=1)  # next day: daily in season, except the agency whose report is in
    service.crawl_tick(db, str(config))
    due = sorted(a for j in _queued(db) for a in j["args"]["agencies"])
    assert due == [a for a in everyone if a != found]

    clock["now"] = datetime(2025, 6, 2, 9, 5, tzinfo=BEIJING)  # off season: weekly
    _crawled(db, everyone, datetime(2025, 5, 30, 9, 0, tzinfo=BEIJING))
    service.crawl_tick(db, str(config))
    assert _queued(db) == []


def _sql(db: str, sql: str, **params: Any) -> Any:
    with open_db(db).kw["bind"].begin() as conn:
        result = conn.execute(text(sql), params)
        return result.scalar() if result.returns_rows else None


def test_jobs_shows_the_queue_per_worker(tmp_path: Path, new_pg_db: Any) -> None:
    from crawler.jobs.queue import enqueue_batches

    fleet = Fleet(hosts_count=12, per_host=1)
    db = new_pg_db()
    agencies = [{"id": a.id, "site": f"http://{a.host}/", "start_urls": [], "hosts": []} for a in fleet.agencies]
    assert all(agency_hosts(a) for a in agencies)
    with open_db(db)() as s:
        from db.registry import parse_registry, sync_registry

        sync_registry(s, parse_registry(fleet.registry_yaml()))
        s.commit()
    assert enqueue_batches(db, agencies, 64)["jobs"] >= 5

    def fetch(worker: int) -> int:
        return _sql(db, "SELECT id FROM procrastinate_fetch_job_v2(ARRAY['crawl'], :w)", w=worker)

    def ran(job: int, worker_name: str, status: str = "done") -> None:
        with open_db(db)() as s:
            run = start_run(s, {"job": job, "attempt": 1, "worker": worker_name})
            finish_run(s, run, status, {})
            s.commit()

    gone = _sql(db, "SELECT procrastinate_register_worker_v1()")
    live = _sql(db, "SELECT procrastinate_register_worker_v1()")
    _sql(db, "INSERT INTO settings (key, value) VALUES (:k, :v)", k=f"worker:{live}",
         v='{"name": "w-live", "host": "node2", "pid": 77, "concurrency": 2}')
    # w-gone ran two jobs (one succeeded, one failed) and then exited
    a, b = fetch(gone), fetch(gone)
    ran(a, "w-gone")
    ran(b, "w-gone", "failed")
    _sql(db, "SELECT procrastinate_finish_job_v1(:j, 'succeeded', false)", j=a)
    _sql(db, "SELECT procrastinate_finish_job_v1(:j, 'failed', false)", j=b)
    # w-live: one job failed once and was retried, now running again on w-live; one succeeded
    c = fetch(live)
    _sql(db, "SELECT procrastinate_retry_job_v2(:j, now(), 0, 'crawl', NULL)", j=c)
    assert fetch(live) == c
    d = fetch(live)
    ran(d, "w-live")
    _sql(db, "SELECT procrastinate_finish_job_v1(:j, 'succeeded', false)", j=d)
    # a job whose worker was lost, put back on the queue: queued, retried, nobody's
    e = fetch(gone)
    _sql(db, "SELECT procrastinate_retry_job_v2(:j, now(), 0, 'crawl', NULL)", j=e)
    _sql(db, "SELECT procrastinate_unregister_worker_v1(:w)", w=gone)
    queued = _sql(db, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")

    out = CliRunner().invoke(main, ["jobs", "--db", db])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert f"任务队列：排队 {queued}，运行中 1，成功 2，失败 1，重试过 2" in lines, out.output
    live_line = next(x for x in lines if "w-live" in x)
    assert "node2 pid 77，并发 2" in live_line and live_line.endswith("运行中 1，成功 1，失败 0，重试过 1"), live_line
    assert "  工作进程 w-gone（已退出或失联）：运行中 0，成功 1，失败 1，重试过 0" in lines, out.output
    assert f"  未分配：排队 {queued}，运行中（工作进程已失联） 0，成功 0，失败 0，重试过 1" in lines, out.output
