"""The national check on every core: the agencies split over worker processes (issue 14).

A full check on PostgreSQL splits the agencies, in id order, into contiguous partitions,
one per worker process.  Each worker opens its own connection, reads in the snapshot the
parent exported (``pg_export_snapshot``: every process sees the same database, as one
transaction would), loads and assesses its partition with
:func:`monitor.assess.assess_agencies` and returns plain data: the agency-years' statuses
and drafts and the reports' fingerprints.  The parent joins them in partition order (the
order one process gives), judges the duplicates across all of them and upserts, so the
results are those of one process.

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
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from db.schema import make_engine
from monitor import load, memo
from monitor.assess import AgencyYear, Prints, as_of_cutoff, assess_agencies
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


def assess_partitioned(session: Session, agency_rows: list[AgencyInfo], as_of: date, workers: int, fp: str,
                       memoize: bool) -> tuple[list[AgencyYear], Prints]:
    """:func:`assess_agencies` over ``workers`` processes, in one snapshot of the database."""
    url = session.get_bind().engine.url.render_as_string(hide_password=False)  # to the workers by pipe, not argv
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    ids = [a.id for a in agency_rows]
    size = -(-len(ids) // workers)
    parts = [ids[k:k + size] for k in range(0, len(ids), size)]
    by_id = {a.id: a for a in agency_rows}
    results: list[AgencyYear] = []
    prints: Prints = []
    with ProcessPoolExecutor(len(parts), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(assess_part, url, snapshot, part, as_of, fp, memoize) for part in parts]
        for future in futures:  # in partition order: the order of one process
            rows, part_prints = future.result()
            results += [AgencyYear(by_id[aid], year, status, drafts, deadline, rule)
                        for aid, year, status, drafts, deadline, rule in rows]
            prints += part_prints
    return results, prints


def assess_part(url: str, snapshot: str, ids: list[str], as_of: date, fp: str,
                memoize: bool) -> tuple[list[tuple[Any, ...]], Prints]:
    """A worker: these agencies assessed in the parent's snapshot, as plain tuples."""
    gc.disable()  # as the one-process check: millions of objects kept, no cycles worth collecting
    engine = make_engine(url)
    try:
        factory = sessionmaker(bind=engine)
        with factory() as session, factory() as cache:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            if not _SNAPSHOT_RE.fullmatch(snapshot):  # a utility statement takes no parameters
                raise ValueError(f"not a snapshot id: {snapshot!r}")
            session.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            wanted = set(ids)  # (the partition is every active agency from its first id to its last)
            agency_rows = [a for a in load.agencies(session, between=(ids[0], ids[-1])) if a.id in wanted]
            crawls = load.crawls(session, as_of_cutoff(as_of), ids)

            def save(_s: Session, fp: str, new: dict[str, str]) -> None:
                memo.save(cache, fp, new)
                cache.commit()

            results, prints = assess_agencies(session, agency_rows, as_of, None, crawls, fp,
                                              save if memoize else None)
            rows = [(r.agency.id, r.year, r.status, r.drafts, r.deadline, r.rule) for r in results]
            session.rollback()  # it only read
        return rows, prints
    finally:
        engine.dispose()
