"""The national check on every core: the agencies split over worker processes (issue 14).

A full check on PostgreSQL splits the agencies, in id order, into contiguous tasks of a
few thousand agencies, which the worker processes take in turn.  Each worker opens one
connection, reads in the snapshot the parent exported (``pg_export_snapshot``: every
process sees the same database, as one transaction would), and for each task loads and
assesses its agencies with :func:`monitor.assess.assess_agencies` and returns plain data:
the agency-years' statuses and drafts and the reports' fingerprints.  The parent joins
them in task order (the order one process gives) as they come, judges the duplicates
across all of them and upserts, so the results are those of one process.

New judgements are stored by the workers, batch by batch, on a connection of their own
that commits at once: they are a cache (:mod:`monitor.memo`), so a check killed part-way
keeps them, which only spares the next check that work; the findings are written by the
parent's one transaction, all or nothing.

SQLite keeps one process (one writer, and its checks are small); so does a run limited by
year, agency or region (the incremental check), whose meaning must not change, and a check
inside a transaction that has written already (workers would not see its writes).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from datetime import date
from operator import attrgetter
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from db.schema import make_engine
from monitor import across, compliance, load, memo
from monitor.assess import AgencyYear, Prints, as_of_cutoff, assess_agencies
from monitor.findings import Draft
from monitor.load import AgencyInfo

_SNAPSHOT_RE = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")
MIN_PER_PROCESS = 2000  # agencies: fewer are not worth a process's start-up (about a second)


def processes_for(session: Session, asked: int | None, agencies: int) -> int:
    """How many processes a full check uses: ``asked`` (None: the cores), on PostgreSQL only,
    and no more than the agencies fill."""
    if session.get_bind().dialect.name != "postgresql" or multiprocessing.current_process().daemon:
        return 1  # (a daemonic process may not start children)
    session.flush()
    if session.execute(text("SELECT txid_current_if_assigned() IS NOT NULL")).scalar():
        return 1  # the caller's transaction wrote: an exported snapshot would not show the workers its writes
    n = asked if asked is not None else (os.cpu_count() or 1)
    return max(1, min(n, agencies // MIN_PER_PROCESS))


TASK = 2000  # agencies per task: small enough that the parent reads results while the workers judge


def task_size(agencies: int, workers: int) -> int:
    """Agencies per task: at most :data:`TASK`, and at least four tasks per process."""
    return max(1, min(TASK, -(-agencies // (workers * 4))))


def assess_partitioned(session: Session, agency_rows: list[AgencyInfo], as_of: date, workers: int, fp: str,
                       memoize: bool, on_task: Callable[[list[AgencyYear]], None] | None = None
                       ) -> tuple[list[AgencyYear], Prints]:
    """:func:`assess_agencies` over ``workers`` processes, in one snapshot of the database.

    The agencies go out as many small tasks of contiguous ids, not one partition per
    process: the parent unpickles and collects each task's results while the workers judge
    the next ones (in one partition per process, that was 12 s of the 100,000-agency check
    spent after the workers, on one core), and no process waits for a slower one at the end.
    ``on_task`` is given each task's agency-years as they come, in order (the check stores
    their findings meanwhile, :class:`monitor.upsert.Upsert`)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)  # to the workers by pipe, not argv
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    ids = [a.id for a in agency_rows]
    size = task_size(len(ids), workers)
    tasks = [ids[k:k + size] for k in range(0, len(ids), size)]
    by_id = {a.id: a for a in agency_rows}
    results: list[AgencyYear] = []
    prints: Prints = []
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                             initargs=(url, snapshot, as_of, fp, memoize)) as pool:
        futures = [pool.submit(assess_task, task) for task in tasks]
        for future in futures:  # in id order: the order of one process
            rows, part_prints = future.result()
            part = [AgencyYear(by_id[aid], year, compliance.Status(*status), [Draft(*d) for d in drafts], deadline, rule)
                    for aid, year, status, drafts, deadline, rule in rows]
            results += part
            prints += [(at, across.Fingerprint(*f)) for at, f in part_prints]
            if on_task is not None:
                on_task(part)
    return results, prints


# The results travel as tuples of the dataclasses' fields, in their order: a slotted
# dataclass pickles as its class and a dict of its slots, which made the pickling (and the
# parent's unpickling) two to three times slower and the messages larger.
_STATUS = attrgetter(*(f.name for f in fields(compliance.Status)))
_DRAFT = attrgetter(*(f.name for f in fields(Draft)))
_PRINT = attrgetter(*(f.name for f in fields(across.Fingerprint)))


class _Worker:
    """What a worker process keeps from task to task: its connection, in the parent's snapshot."""

    def __init__(self, url: str, snapshot: str, as_of: date, fp: str, memoize: bool) -> None:
        gc.disable()  # as the one-process check: millions of objects kept, no cycles worth collecting
        if not _SNAPSHOT_RE.fullmatch(snapshot):  # a utility statement takes no parameters
            raise ValueError(f"not a snapshot id: {snapshot!r}")
        self.engine = make_engine(url)
        factory = sessionmaker(bind=self.engine)
        self.session, self.cache = factory(), factory()
        self.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        self.session.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))  # it only reads, and never commits
        self.as_of, self.fp, self.memoize = as_of, fp, memoize

    def save(self, _s: Session, fp: str, new: dict[str, tuple[str, str]]) -> None:
        memo.save(self.cache, fp, new)
        self.cache.commit()


_worker: _Worker | None = None


def _start(url: str, snapshot: str, as_of: date, fp: str, memoize: bool) -> None:
    global _worker
    _worker = _Worker(url, snapshot, as_of, fp, memoize)


def assess_task(ids: list[str]) -> tuple[list[tuple[Any, ...]], list[tuple[tuple[str, int], tuple[Any, ...]]]]:
    """In a worker: these agencies (contiguous ids) assessed in the parent's snapshot, as plain tuples."""
    w = _worker
    assert w is not None, "assess_task runs in a process started by assess_partitioned"
    wanted = set(ids)  # (a task is every active agency from its first id to its last)
    agency_rows = [a for a in load.agencies(w.session, between=(ids[0], ids[-1])) if a.id in wanted]
    crawls = load.crawls(w.session, as_of_cutoff(w.as_of), ids)
    results, prints = assess_agencies(w.session, agency_rows, w.as_of, None, crawls, w.fp,
                                      w.save if w.memoize else None)
    return ([(r.agency.id, r.year, _STATUS(r.status), [_DRAFT(d) for d in r.drafts], r.deadline, r.rule)
             for r in results], [(at, _PRINT(f)) for at, f in prints])
