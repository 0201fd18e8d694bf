"""``nianbao serve``: scheduled crawls that follow the reporting season, checks after each
crawl, and the weekly digest — unattended.

APScheduler 3 keeps its jobs in the project database (SQLAlchemy job store), so schedules
and their next runs survive restarts; every job has ``coalesce``, ``max_instances=1`` and a
misfire grace of hours, so a run missed while the service was down runs once when it is
back.  Each crawl is a child ``nianbao crawl`` (Scrapy's reactor cannot restart in one
process) with a time limit; a crawl that hangs is killed and recorded.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from crawler.cadence import interval_days
from crawler.config import Config, load_config
from db.models import Agency, AgencyCrawl, CrawlRun, Document, Setting, utcnow
from db.schema import open_db
from monitor.deadlines import BEIJING

log = logging.getLogger("nianbao.service")
TIMEZONE = "Asia/Shanghai"
MISFIRE_GRACE = 6 * 3600


def now() -> datetime:
    """The service's clock (tests replace it with a fake one)."""
    return datetime.now(UTC)


# ---------------------------------------------------------------- cadence
def due_agencies(session: Any, at: datetime, cfg: Config) -> list[str]:
    """Agencies whose next crawl is due at ``at``."""
    last = dict(session.execute(select(AgencyCrawl.agency_id, func.max(AgencyCrawl.finished_at))
                                .group_by(AgencyCrawl.agency_id)).all())
    last_year = at.astimezone(BEIJING).year - 1
    found = set(session.scalars(select(Document.agency_id).where(Document.kind == "page", Document.year == last_year,
                                                                 Document.removed_at.is_(None))))
    due = []
    for a in session.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)):
        previous = last.get(a.id)
        if previous is not None and previous.tzinfo is None:
            previous = previous.replace(tzinfo=UTC)
        days = interval_days(a, a.id in found, at, cfg)
        if previous is None:
            due.append(a.id)
        elif days >= 1 and float(days).is_integer():
            # whole days: once per calendar day (Beijing), so hourly ticks do not drift
            if (at.astimezone(BEIJING).date() - previous.astimezone(BEIJING).date()).days >= days:
                due.append(a.id)
        elif at - previous >= timedelta(days=days):
            due.append(a.id)
    return due


# ---------------------------------------------------------------- jobs (referenced by name in the job store)
def _record(db_url: str, job: str, started: datetime, status: str, detail: dict[str, Any]) -> None:
    with open_db(db_url)() as session:
        key = f"job:{job}"
        row = session.get(Setting, key)
        value = {"last_start": started.isoformat(timespec="seconds"), "last_end": now().isoformat(timespec="seconds"),
                 "status": status, **detail}
        if row is None:
            session.add(Setting(key=key, value=value))
        else:
            row.value = value
        session.commit()


def run_child_crawl(db_url: str, cfg: Config, agencies: list[str]) -> dict[str, Any]:
    """``nianbao crawl`` for these agencies in a child process, killed at the time limit."""
    # the database URL (its password) goes through the environment: a command line is
    # readable by every user of the machine (/proc/<pid>/cmdline, ps)
    cmd = [sys.executable, "-m", "crawler.cli", "crawl"]
    if cfg.registry:
        cmd += ["--registry", cfg.registry]
    for aid in agencies:
        cmd += ["--agency", aid]
    timeout = cfg.crawl_timeout_minutes * 60
    started = utcnow()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "NIANBAO_DB_URL": db_url})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        _mark_killed(db_url, started, timeout)
        return {"status": "killed", "why": f"crawl exceeded {timeout:.0f} s and was killed"}
    return {"status": "ok" if proc.returncode == 0 else "failed", "exit": proc.returncode,
            "summary": (out.strip().splitlines() or [""])[-1], "error": err.strip().splitlines()[-1] if err.strip() else None}


def _mark_killed(db_url: str, since: datetime, timeout: float) -> None:
    with open_db(db_url)() as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running", CrawlRun.started_at >= since)):
            run.status, run.finished_at = "killed", utcnow()
            run.stats = {**(run.stats or {}), "killed": f"exceeded the time limit of {timeout:.0f} s"}
        session.commit()


def queue_mode(db_url: str, cfg: Config) -> bool:
    """Whether crawls go to the distributed job queue (PostgreSQL + procrastinate installed)
    rather than a child process here (``[jobs] mode``: auto, queue or local)."""
    import importlib.util

    from crawler.jobs.queue import is_postgres

    if cfg.jobs_mode == "local":
        return False
    if cfg.jobs_mode == "queue":
        return True
    return is_postgres(db_url) and importlib.util.find_spec("procrastinate") is not None


def enqueue_due(db_url: str, cfg: Config, at: datetime) -> dict[str, Any]:
    """Sync the registry, then queue the due agencies as host batches (crawler.jobs)."""
    from crawler.jobs.queue import enqueue_batches
    from db.registry import load_registry, sync_registry

    with open_db(db_url)() as session:
        if cfg.registry:
            sync_registry(session, load_registry(cfg.registry))
            session.commit()
        due = set(due_agencies(session, at, cfg))
        agencies = [{"id": a.id, "site": a.site, "start_urls": a.start_urls, "hosts": a.hosts}
                    for a in session.scalars(select(Agency).where(Agency.id.in_(due)))] if due else []
    if not agencies:
        return {"jobs": 0, "already_queued": 0, "agencies": 0, "busy_agencies": 0}
    crawl = {"delay": cfg.crawl_delay, "timeout_minutes": cfg.crawl_timeout_minutes}
    return enqueue_batches(db_url, agencies, cfg.job_buckets, crawl)


def crawl_tick(db_url: str, config_path: str | None) -> None:
    """Crawl the agencies that are due, then run the monitor.

    In queue mode (PostgreSQL) the due agencies are queued as host batches for the
    workers instead, and the check is the incremental one over what they stored since
    the last check."""
    from monitor.check import run_check

    started = now()
    cfg = load_config(config_path)
    if queue_mode(db_url, cfg):
        from monitor.incremental import run_incremental_check

        queued = enqueue_due(db_url, cfg, started)
        with open_db(db_url)() as session:
            checked = run_incremental_check(session, started.astimezone(BEIJING).date())
            session.commit()
        log.info("queued %d host-batch job(s) for %d agencies; incremental check of %d agencies",
                 queued["jobs"], queued["agencies"], checked["agencies"])
        _record(db_url, "crawl", started, "queued", {**queued, "checked_agencies": checked["agencies"]})
        return
    with open_db(db_url)() as session:
        due = due_agencies(session, started, cfg)
    if not due:
        _record(db_url, "crawl", started, "nothing due", {"agencies": 0})
        return
    log.info("crawling %d agencies: %s", len(due), ", ".join(due[:10]) + (" …" if len(due) > 10 else ""))
    result = run_child_crawl(db_url, cfg, due)
    with open_db(db_url)() as session:
        found, _ = run_check(session, started.astimezone(BEIJING).date())
        session.commit()
    log.info("crawl %s; check: %d open findings", result.get("status"), len(found))
    _record(db_url, "crawl", started, result.get("status", "?"), {"agencies": len(due), "findings": len(found), **result})


def digest_tick(db_url: str, config_path: str | None) -> None:
    """Queue this week's digest for every recipient (once), then send what is due."""
    from crawler.digests import queue_digests

    started = now()
    cfg = load_config(config_path)
    queued = queue_digests(db_url, cfg, started.astimezone(BEIJING).date())
    sent = outbox_tick(db_url, config_path)
    _record(db_url, "digest", started, "ok", {"queued": queued, **(sent or {})})


def outbox_tick(db_url: str, config_path: str | None) -> dict[str, Any] | None:
    """Send queued digests and retry failed ones whose backoff has passed."""
    from crawler.mailer import SmtpConfigError, process_outbox, smtp_settings

    cfg = load_config(config_path)
    if not cfg.smtp_url:
        return None
    try:
        settings = smtp_settings(cfg)
    except SmtpConfigError as exc:  # one line in the log, the password masked; nothing is sent
        log.error("digest not sent: %s", exc)
        return {"sent": 0, "retrying": 0, "failed": 0, "error": str(exc)}
    with open_db(db_url)() as session:
        r = process_outbox(session, settings, cfg.mail_from, now())
    for e in r.errors or []:
        log.warning("digest not sent: %s", e)
    return {"sent": r.sent, "retrying": r.retrying, "failed": r.failed}


# ---------------------------------------------------------------- the scheduler
# The jobs' arguments are pickled into the job store's table, so they never hold the
# database URL (nor its password): the service's own URL is kept in this process only.
_SERVICE: dict[str, str] = {}


def _service_db() -> str:
    return _SERVICE["db_url"]


def scheduled_crawl(config_path: str | None) -> None:
    crawl_tick(_service_db(), config_path)


def scheduled_digest(config_path: str | None) -> None:
    digest_tick(_service_db(), config_path)


def scheduled_outbox(config_path: str | None) -> None:
    outbox_tick(_service_db(), config_path)


def build_scheduler(db_url: str, config_path: str | None, scheduler_cls: Any = None, **kw: Any) -> Any:
    """A scheduler with the three jobs, its job store in the project database.

    A job already stored with the same trigger and arguments is kept as it is, with its
    next run time, so a run missed while the service was down still happens (once) when
    it comes back; a changed schedule replaces it.
    """
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    cfg = load_config(config_path)
    cls = scheduler_cls or BlockingScheduler
    store = SQLAlchemyJobStore(url=db_url, tablename="apscheduler_jobs")
    scheduler = cls(jobstores={"default": store},
                    job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
                    timezone=TIMEZONE, **kw)
    hour, minute = (int(x) for x in cfg.digest_time.split(":"))
    _SERVICE["db_url"] = db_url
    args = [config_path]
    specs = [
        ("crawl", "crawler.service:scheduled_crawl", CronTrigger(minute=5, timezone=TIMEZONE),
         "crawl the agencies that are due (seasonal cadence), then check"),
        ("digest", "crawler.service:scheduled_digest",
         CronTrigger(day_of_week=cfg.digest_day, hour=hour, minute=minute, timezone=TIMEZONE), "weekly compliance digest"),
        ("outbox", "crawler.service:scheduled_outbox", IntervalTrigger(minutes=cfg.outbox_minutes, timezone=TIMEZONE),
         "send and retry queued digests"),
    ]
    for job_id, func_ref, trigger, name in specs:
        existing = store.lookup_job(job_id)
        if (existing is not None and str(existing.trigger) == str(trigger) and list(existing.args) == args
                and existing.func_ref == func_ref):
            continue  # a job stored by an older version (the URL in its arguments) is replaced
        scheduler.add_job(func_ref, trigger, args=args, id=job_id, name=name, replace_existing=True)
    return scheduler


def serve(db_url: str, config_path: str | None) -> None:
    """Run until SIGTERM/SIGINT; running jobs finish first (no half-written rows)."""
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    open_db(db_url)
    scheduler = build_scheduler(db_url, config_path)
    from crawler.dashboard import (
        start_dashboard_if_enabled,  # [dashboard] enabled / NIANBAO_DASHBOARD=off
    )

    start_dashboard_if_enabled(db_url, config_path)

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping after the running jobs finish", signum)
        if scheduler.running:
            scheduler.shutdown(wait=True)
        else:  # before the scheduler started: nothing is running
            log.info("stopped")
            raise SystemExit(0)

    def started(_event: Any) -> None:
        for job in scheduler.get_jobs():
            log.info("scheduled %s (%s): %s, next run %s", job.id, job.name, job.trigger, job.next_run_time)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()
    log.info("stopped")


def jobs(db_url: str) -> list[dict[str, Any]]:
    """Schedules with their next runs (job store) and last runs (recorded by the jobs)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    open_db(db_url)
    store = SQLAlchemyJobStore(url=db_url, tablename="apscheduler_jobs")
    store.start(None, "default")
    out = []
    with open_db(db_url)() as session:
        for job in store.get_all_jobs():
            last = session.get(Setting, f"job:{job.id}")
            out.append({"id": job.id, "name": job.name, "trigger": str(job.trigger),
                        "next_run": job.next_run_time.isoformat() if job.next_run_time else None,
                        "last_run": (last.value if last else None)})
    store.shutdown()
    return out
