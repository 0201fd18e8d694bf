"""The distributed commands: ``worker`` and ``enqueue`` (``jobs`` shows their queue)."""

from __future__ import annotations

import json
import logging

import click

from crawler.cli_common import db_option, fail, files_option, main
from crawler.cli_service import _config, config_option


def _need_queue(db_url: str) -> None:
    from crawler.jobs.queue import is_postgres

    if not is_postgres(db_url):
        fail("the job queue needs PostgreSQL: pass --db postgresql+psycopg://… (or set NIANBAO_DB_URL); "
             "on SQLite use `nianbao crawl` or `nianbao serve`")
    try:
        import procrastinate  # noqa: F401
    except ImportError:
        fail("the job queue needs procrastinate: pip install 'nianbao[distributed]'")


@main.command()
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Host-batch jobs this worker runs at once (each a crawl process).")
@click.option("--name", default=None, help="Name shown by `nianbao jobs` (default: host-pid).")
@click.option("--heartbeat", default=10.0, show_default=True, help="Seconds between heartbeats.")
@click.option("--stalled-after", default=30.0, show_default=True,
              help="A worker silent this long is dead: its running jobs are put back on the queue.")
@click.option("--poll", default=5.0, show_default=True, help="Seconds between polls for new jobs (besides LISTEN).")
@click.option("--until-empty", is_flag=True, help="Stop once the queue is empty (default: run until SIGTERM).")
@click.option("--proxy", default=None, help="HTTP proxy for this worker's crawls.")
@files_option
@db_option
def worker(concurrency: int, name: str | None, heartbeat: float, stalled_after: float, poll: float,
           until_empty: bool, proxy: str | None, files_dir: str, db_url: str) -> None:
    """Run queued host-batch crawl jobs (any machine that reaches the PostgreSQL database)."""
    from crawler.jobs.worker import run_worker

    _need_queue(db_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(db_url, concurrency, name, heartbeat, stalled_after, wait=not until_empty, poll=poll,
               files=files_dir, proxy=proxy)


@main.command()
@click.option("--agency", "agency_ids", multiple=True, help="Queue these agencies (default: those due now).")
@click.option("--all", "everything", is_flag=True, help="Queue every active agency (a full sweep).")
@config_option
@db_option
def enqueue(agency_ids: tuple[str, ...], everything: bool, config_path: str | None, db_url: str) -> None:
    """Queue the due agencies as host-batch jobs for the workers (what `serve` does hourly)."""
    from sqlalchemy import select

    from crawler.jobs.queue import enqueue_batches
    from crawler.service import enqueue_due, now
    from db.models import Agency
    from db.schema import open_db

    _need_queue(db_url)
    cfg = _config(config_path)
    if agency_ids or everything:
        from db.registry import RegistryError, load_registry, sync_registry

        with open_db(db_url)() as session:
            if cfg.registry:
                try:
                    sync_registry(session, load_registry(cfg.registry))
                except (OSError, RegistryError) as exc:
                    fail(str(exc))
                session.commit()
            q = select(Agency).where(Agency.active.is_(True))
            if agency_ids:
                q = q.where(Agency.id.in_(agency_ids))
            agencies = [{"id": a.id, "site": a.site, "start_urls": a.start_urls, "hosts": a.hosts}
                        for a in session.scalars(q)]
        missing = sorted(set(agency_ids) - {a["id"] for a in agencies})
        if missing:
            fail(f"unknown or inactive agency id(s): {', '.join(missing)}")
        r = enqueue_batches(db_url, agencies, cfg.job_buckets,
                            {"delay": cfg.crawl_delay, "timeout_minutes": cfg.crawl_timeout_minutes})
    else:
        r = enqueue_due(db_url, cfg, now())
    click.echo(f"已排队 {r['jobs']} 个主机批次任务，共 {r['agencies']} 个机构"
               f"（{r['already_queued']} 个批次已在队列中，{r['busy_agencies']} 个机构正在抓取或排队）")


def show_queue(db_url: str, as_json: bool) -> bool:
    """``nianbao jobs``: the distributed queue, per worker (False when there is none)."""
    from crawler.jobs.queue import is_postgres, queue_state

    if not is_postgres(db_url):
        return False
    state = queue_state(db_url)
    if not state["jobs"] and not state["workers"]:
        return False
    if as_json:
        click.echo(json.dumps(state, ensure_ascii=False, indent=2, default=str))
        return True
    t = state["totals"]
    click.echo(f"任务队列：排队 {t.get('queued', 0)}，运行中 {t.get('running', 0)}，成功 {t.get('succeeded', 0)}，"
               f"失败 {t.get('failed', 0)}，重试过 {t.get('retried', 0)}")
    for w in state["workers"]:
        j = w["jobs"]
        click.echo(f"  工作进程 {w['id']} {w['name'] or '—'}（{w['host'] or '?'} pid {w['pid'] or '?'}，并发 "
                   f"{w['concurrency'] or '?'}，心跳 {w['seconds_since_heartbeat']} 秒前）：运行中 {j.get('running', 0)}，"
                   f"成功 {j.get('succeeded', 0)}，失败 {j.get('failed', 0)}")
    u = state.get("unassigned") or {}
    if u:
        click.echo(f"  未分配：排队 {u.get('queued', 0)}，运行中（工作进程已失联） {u.get('running', 0)}，"
                   f"成功（工作进程已退出） {u.get('succeeded', 0)}，失败 {u.get('failed', 0)}")
    return True
