"""The distributed commands: ``worker`` and ``enqueue`` (``jobs`` shows their queue)."""

from __future__ import annotations

import json
import logging

import click

from crawler.cli_common import _config, config_option, db_option, fail, files_option, main


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
              help="本工作进程同时运行的站点批次任务数（每个任务一个抓取进程）。")
@click.option("--name", default=None, help="在 `nianbao jobs` 中显示的名称（默认 主机名-pid）。")
@click.option("--heartbeat", default=10.0, show_default=True, help="两次心跳之间的间隔秒数。")
@click.option("--stalled-after", default=30.0, show_default=True,
              help="工作进程超过此秒数无心跳即视为失联，其运行中的任务重新放回队列。")
@click.option("--poll", default=5.0, show_default=True, help="查询新任务的间隔秒数（LISTEN 通知之外）。")
@click.option("--until-empty", is_flag=True, help="队列清空后即退出（默认一直运行，直到收到 SIGTERM）。")
@click.option("--proxy", default=None, help="本工作进程抓取时使用的 HTTP 代理。")
@files_option
@db_option
def worker(concurrency: int, name: str | None, heartbeat: float, stalled_after: float, poll: float,
           until_empty: bool, proxy: str | None, files_dir: str, db_url: str) -> None:
    """工作进程：运行队列中的站点批次抓取任务（任何能连上 PostgreSQL 数据库的机器均可）。"""
    from crawler.jobs.worker import run_worker

    _need_queue(db_url)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_worker(db_url, concurrency, name, heartbeat, stalled_after, wait=not until_empty, poll=poll,
               files=files_dir, proxy=proxy)


@main.command()
@click.option("--agency", "agency_ids", multiple=True, help="把这些机关排入队列（默认为当前到期应抓取的机关）。")
@click.option("--all", "everything", is_flag=True, help="把所有在用机关排入队列（全面抓取一遍）。")
@config_option
@db_option
def enqueue(agency_ids: tuple[str, ...], everything: bool, config_path: str | None, db_url: str) -> None:
    """排队：把到期应抓取的机关按站点分批排入队列，交工作进程执行（即 `serve` 每小时所做）。"""
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
        counts = (f"运行中 {j.get('running', 0)}，成功 {j.get('succeeded', 0)}，失败 {j.get('failed', 0)}，"
                  f"重试过 {j.get('retried', 0)}")
        if w.get("gone"):
            click.echo(f"  工作进程 {w['name']}（已退出或失联）：{counts}")
            continue
        click.echo(f"  工作进程 {w['id']} {w['name'] or '—'}（{w['host'] or '?'} pid {w['pid'] or '?'}，并发 "
                   f"{w['concurrency'] or '?'}，心跳 {w['seconds_since_heartbeat']} 秒前）：{counts}")
    u = state.get("unassigned") or {}
    if u:
        click.echo(f"  未分配：排队 {u.get('queued', 0)}，运行中（工作进程已失联） {u.get('running', 0)}，"
                   f"成功 {u.get('succeeded', 0)}，失败 {u.get('failed', 0)}，重试过 {u.get('retried', 0)}")
    return True
