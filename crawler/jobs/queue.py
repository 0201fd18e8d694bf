"""The job queue: procrastinate on the project's PostgreSQL database.

One task, ``nianbao.crawl_batch``, crawls one host batch in one of the worker's long-lived
crawl processes (:mod:`crawler.jobs.pool`: Scrapy's start-up is paid once per worker slot,
not per job; the process dies with its worker).  Jobs carry the
batch's lock (:attr:`crawler.jobs.batches.Batch.lock`), so procrastinate never runs two jobs
that share a host at once, across the whole cluster, and a queueing lock, so a bucket is
queued at most once.  A job that fails is retried with a backoff; a job whose worker died
(SIGKILL, power loss: its heartbeat stops) is put back on the queue by the other workers'
reaper (:func:`retry_stalled`) and re-run from the start — storing is idempotent
(documents by URL, versions by hash, evidence by value), and the dead attempt's crawl run
is marked ``killed`` and holds no agency outcome, so every agency's outcome lands once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import make_url, select, text

from db.models import CrawlRun, utcnow
from db.schema import open_db

log = logging.getLogger("nianbao.jobs")
TASK = "nianbao.crawl_batch"
QUEUE = "crawl"
_SCHEMA_LOCK = 7_140_014  # pg_advisory_lock key: one process applies procrastinate's schema


def is_postgres(db_url: str) -> bool:
    return make_url(db_url).get_backend_name() == "postgresql"


def conninfo(db_url: str) -> str:
    """The libpq URL of a SQLAlchemy PostgreSQL URL (procrastinate talks psycopg directly)."""
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(db_url: str, local: dict[str, Any] | None = None) -> Any:
    """A procrastinate App on this database with the crawl task registered.

    ``local``: this worker's own crawl settings (``files``: its path to the shared file
    store; ``proxy``), merged over the job's (delay, timeout, retries: the cluster's policy).
    """
    import procrastinate

    if not is_postgres(db_url):
        raise ValueError("the job queue needs a PostgreSQL database (--db postgresql+psycopg://…); "
                         "with SQLite, `nianbao crawl` and `serve` run in one process")
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(db_url)))

    @app.task(name=TASK, queue=QUEUE, pass_context=True,
              retry=procrastinate.RetryStrategy(max_attempts=3, wait=10))
    def crawl_batch(context: Any, **batch: Any) -> dict[str, Any]:
        return run_batch_job(db_url, context.job.id, context.job.attempts, context.worker_name,
                             {**batch, **(local or {})})

    return app


def ensure_schema(db_url: str) -> None:
    """Apply procrastinate's tables once (an advisory lock keeps concurrent workers in line)."""
    from procrastinate.schema import SchemaManager

    from db.schema import make_engine

    engine = make_engine(db_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _SCHEMA_LOCK})
        try:
            open_db(db_url)  # the project's migrations first, under the same lock (workers start together)
            if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
                # through psycopg with no parameters: the schema's '%' must not be placeholders
                conn.connection.dbapi_connection.cursor().execute(SchemaManager.get_schema())  # type: ignore[union-attr]
                conn.commit()
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _SCHEMA_LOCK})
            conn.commit()
    engine.dispose()


# ---------------------------------------------------------------- running one job
def run_batch_job(db_url: str, job_id: int, attempts: int, worker: str | None, batch: dict[str, Any]) -> dict[str, Any]:
    """Crawl one batch in one of this worker's crawl processes; raise (procrastinate retries) when it failed."""
    from crawler.jobs.pool import CrawlFailed, pool_for

    done = finished_run(db_url, job_id)
    if done is not None:  # an earlier attempt finished its crawl but died before reporting it
        return {"run_id": done, "already_done": True}
    killed = mark_dead_attempts(db_url, job_id)
    spec = {"job": job_id, "attempt": attempts + 1, "worker": worker or "worker", **batch}
    timeout = float(batch.get("timeout_minutes") or 180) * 60
    log.info("job %s: bucket %s, %d hosts, %d agencies (attempt %d)", job_id, batch.get("bucket"),
             len(batch.get("hosts", [])), len(batch.get("agencies", [])), attempts + 1)
    with pool_for(db_url).take() as proc:
        try:
            result = proc.run(spec, timeout)
        except CrawlFailed as exc:
            mark_dead_attempts(db_url, job_id, why=str(exc))
            raise RuntimeError(f"job {job_id}: {exc}") from None
    return {**result, "earlier_attempts_killed": killed}


def _runs_of_job(session: Any, job_id: int, status: str) -> list[CrawlRun]:
    """The crawl runs a job's attempts started (``stats.job``; PostgreSQL's JSON operator)."""
    return list(session.scalars(select(CrawlRun).where(CrawlRun.status == status,
                                                       text("(crawl_runs.stats ->> 'job') = :job"))
                                .params(job=str(job_id)).order_by(CrawlRun.id)))


def finished_run(db_url: str, job_id: int) -> int | None:
    """The crawl run of this job that already finished (its outcomes are stored), if any."""
    with open_db(db_url)() as session:
        runs = _runs_of_job(session, job_id, "done")
    return runs[-1].id if runs else None


def mark_dead_attempts(db_url: str, job_id: int, why: str = "its worker died mid-job; the job was re-run") -> int:
    """Crawl runs of this job still 'running' belong to a dead attempt: mark them killed."""
    with open_db(db_url)() as session:
        runs = _runs_of_job(session, job_id, "running")
        for run in runs:
            run.status, run.finished_at = "killed", utcnow()
            run.stats = {**run.stats, "killed": why}
        session.commit()
    return len(runs)


# ---------------------------------------------------------------- enqueueing
def queued_agencies(db_url: str) -> set[str]:
    """Agencies already in a queued or running crawl job (not enqueued again)."""
    engine = open_db(db_url).kw["bind"]
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return set()
        rows = conn.execute(text("SELECT args FROM procrastinate_jobs WHERE task_name = :t "
                                 "AND status IN ('todo', 'doing')"), {"t": TASK}).scalars()
        return {a for args in rows for a in (args or {}).get("agencies", [])}


def enqueue_batches(db_url: str, agencies: list[dict[str, Any]], buckets: int,
                    crawl: dict[str, Any] | None = None) -> dict[str, int]:
    """Defer one job per host batch of these agencies (those not already queued)."""
    from procrastinate.exceptions import AlreadyEnqueued

    from crawler.jobs.batches import make_batches

    ensure_schema(db_url)
    busy = queued_agencies(db_url)
    todo = [a for a in agencies if a["id"] not in busy]
    batches = make_batches(todo, buckets)
    app = make_app(db_url)
    deferred = skipped = 0
    with app.open():
        task = app.tasks[TASK]
        for b in batches:
            try:
                task.configure(lock=b.lock, queueing_lock=b.lock).defer(
                    bucket=b.bucket, hosts=b.hosts, agencies=b.agencies, **(crawl or {}))
                deferred += 1
            except AlreadyEnqueued:
                skipped += 1
    return {"jobs": deferred, "already_queued": skipped, "agencies": sum(len(b.agencies) for b in batches),
            "busy_agencies": len(busy & {a["id"] for a in agencies})}


# ---------------------------------------------------------------- stalled jobs and the queue's state
async def retry_stalled(app: Any, after: float) -> list[int]:
    """Put back on the queue the running jobs whose worker stopped beating for ``after`` s."""
    retried = []
    for job in await app.job_manager.get_stalled_jobs(queue=QUEUE, seconds_since_heartbeat=after):
        try:
            await app.job_manager.retry_job(job)
            retried.append(job.id)
            log.warning("job %s: its worker %s stopped; put back on the queue", job.id, job.worker_id)
        except Exception as exc:  # another worker's reaper was first
            log.info("job %s: not retried here (%s)", job.id, exc)
    return retried


def queue_state(db_url: str) -> dict[str, Any]:
    """The queue per worker: queued, running, succeeded, failed, retried (more than one attempt).

    A job belongs to the worker running it or, once that worker has exited or been lost
    (procrastinate then forgets the job's worker), to the worker named by the job's last
    crawl run, so a finished sweep still shows who ran what.  Queued jobs belong to no
    worker yet (``unassigned``), nor does a running job whose worker was lost.
    """
    engine = open_db(db_url).kw["bind"]
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return {"jobs": [], "workers": [], "totals": {}}
        jobs: list[dict[str, Any]] = [dict(r._mapping) for r in conn.execute(text(
            "SELECT j.id, j.status, j.attempts, j.lock, j.worker_id, j.scheduled_at, j.args, "
            "(SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS last_event, "
            "(SELECT count(*) FROM procrastinate_events e WHERE e.job_id = j.id AND e.type IN ('deferred_for_retry', 'retried')) AS retries, "
            "(SELECT r.stats ->> 'worker' FROM crawl_runs r WHERE (r.stats ->> 'job') = j.id::text "
            " ORDER BY r.id DESC LIMIT 1) AS ran_by "
            "FROM procrastinate_jobs j WHERE j.task_name = :t ORDER BY j.id"), {"t": TASK})]
        workers: list[dict[str, Any]] = [dict(r._mapping) for r in conn.execute(text(
            "SELECT id, last_heartbeat FROM procrastinate_workers ORDER BY id"))]
        names = {int(k.split(":", 1)[1]): v for k, v in conn.execute(text(
            "SELECT key, value FROM settings WHERE key LIKE 'worker:%'")).all() if k.split(":", 1)[1].isdigit()}
    live = {w["id"] for w in workers}
    totals: dict[str, int] = {}
    per_worker: dict[Any, dict[str, int]] = {}
    for j in jobs:
        status = {"todo": "queued", "doing": "running"}.get(j["status"], j["status"])
        j["state"] = status
        j["agencies"] = len((j.pop("args") or {}).get("agencies", []))
        if j["worker_id"] in live:
            owner: Any = j["worker_id"]
            j["worker"] = (names.get(owner) or {}).get("name")
        elif status not in ("queued", "running") and j["ran_by"]:
            owner = j["worker"] = j["ran_by"]
        else:
            owner, j["worker"] = None, None
        totals[status] = totals.get(status, 0) + 1
        counts = per_worker.setdefault(owner, {})
        counts[status] = counts.get(status, 0) + 1
        if j["retries"]:
            totals["retried"] = totals.get("retried", 0) + 1
            counts["retried"] = counts.get("retried", 0) + 1
    now = datetime.now(UTC)
    out_workers = []
    for w in workers:
        beat = w["last_heartbeat"]
        info = names.get(w["id"]) or {}
        out_workers.append({"id": w["id"], "name": info.get("name"), "host": info.get("host"), "pid": info.get("pid"),
                            "concurrency": info.get("concurrency"),
                            "seconds_since_heartbeat": round((now - beat).total_seconds(), 1) if beat else None,
                            "jobs": per_worker.get(w["id"], {})})
    for owner in sorted(k for k in per_worker if isinstance(k, str)):
        out_workers.append({"id": None, "name": owner, "gone": True, "jobs": per_worker[owner]})
    return {"jobs": jobs, "workers": out_workers, "totals": totals, "unassigned": per_worker.get(None, {})}
