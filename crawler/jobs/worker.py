"""``nianbao worker``: run host-batch jobs from the shared queue, on any machine.

A worker runs up to ``concurrency`` jobs at once, each in one of its long-lived crawl
processes (:mod:`crawler.jobs.pool`, started and warmed when the worker starts), beats its
heartbeat into procrastinate's table, and every ``stalled_after / 2`` seconds puts back on
the queue the jobs of workers whose heartbeat stopped (:func:`crawler.jobs.queue.retry_stalled`).
SIGTERM/SIGINT stop it after its running jobs finish (procrastinate's graceful shutdown).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from sqlalchemy import delete

from crawler.jobs.pool import pool_for
from crawler.jobs.queue import QUEUE, ensure_schema, make_app, retry_stalled
from db.models import Setting
from db.schema import open_db

log = logging.getLogger("nianbao.worker")


def _register(db_url: str, worker_id: int, info: dict[str, Any]) -> None:
    """Who worker ``worker_id`` is (for ``nianbao jobs``): name, host, pid, concurrency."""
    with open_db(db_url)() as session:
        session.merge(Setting(key=f"worker:{worker_id}", value=info))
        session.commit()


def _forget(db_url: str, worker_id: int) -> None:
    with open_db(db_url)() as session:
        session.execute(delete(Setting).where(Setting.key == f"worker:{worker_id}"))
        session.commit()


def run_worker(db_url: str, concurrency: int = 1, name: str | None = None, heartbeat: float = 10.0,
               stalled_after: float = 30.0, wait: bool = True, poll: float = 5.0,
               files: str = "nianbao-files", proxy: str | None = None) -> None:
    """Run jobs until stopped (``wait=False``: until the queue is empty)."""
    from pathlib import Path

    ensure_schema(db_url)
    app = make_app(db_url, {"files": str(Path(files).resolve()), **({"proxy": proxy} if proxy else {})})
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    info = {"name": name, "host": socket.gethostname(), "pid": os.getpid(), "concurrency": concurrency}

    async def main() -> None:
        async with app.open_async():
            async def reaper() -> None:
                while True:
                    try:
                        await retry_stalled(app, stalled_after)
                    except Exception as exc:  # the database restarting: try again next round
                        log.warning("stalled-job check failed: %s", exc)
                    await asyncio.sleep(max(0.5, stalled_after / 2))

            seen: dict[str, int] = {}

            async def registrar() -> None:
                while True:  # the worker's id is known once procrastinate registered it
                    await asyncio.sleep(0.2)
                    worker_id = getattr(worker, "worker_id", None)
                    if worker_id:
                        seen["id"] = worker_id
                        await asyncio.to_thread(_register, db_url, worker_id, info)
                        return

            worker = app._worker(queues=[QUEUE], concurrency=concurrency, name=name, wait=wait,
                                 update_heartbeat_interval=heartbeat, stalled_worker_timeout=stalled_after,
                                 fetch_job_polling_interval=poll)
            tasks = [asyncio.create_task(reaper()), asyncio.create_task(registrar())]
            try:
                await worker.run()
            finally:
                for t in tasks:
                    t.cancel()
                if "id" in seen:
                    await asyncio.to_thread(_forget, db_url, seen["id"])

    log.info("worker %s: concurrency %d, queue %s", name, concurrency, QUEUE)
    pool = pool_for(db_url)
    ready = pool.warm(concurrency)  # the crawl processes warm up before the worker takes a job
    log.info("worker %s: %d of %d crawl process(es) ready", name, ready, concurrency)
    try:
        asyncio.run(main())
    finally:
        pool.close()
