"""``nianbao check``: compute every finding from the database and keep them stable.

For each active agency and each year due (``since`` .. as-of year - 1, or ``--year``) it
assesses publication (:mod:`monitor.compliance`), the report's content and arithmetic
(:mod:`monitor.rules`) and the rules across documents (:mod:`monitor.across`).  Findings
are upserted by key: a finding that no longer holds is resolved, one that returns is
reopened, and one a person dismissed stays dismissed (and quiet).

As of D means as of D: only what was known by the end of D (Beijing) counts, always.
A run limited by year, agency or region changes nothing outside what it looked at: it
loads the previous year for the year-to-year rules, and leaves the findings of rules
that need every agency's reports (:data:`monitor.findings.ACROSS_ALL_CODES`) untouched.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Document, Finding, utcnow
from monitor import across, load, memo, partition, upsert
from monitor.assess import FIRST_YEAR, GOV_SUFFIXES, AgencyYear, as_of_cutoff, assess_agencies
from monitor.findings import finding_key
from monitor.registry import ACROSS_ALL_CODES, SEVERITY

__all__ = ["FIRST_YEAR", "GOV_SUFFIXES", "AgencyYear", "as_of_cutoff", "assess_all", "dismiss", "finding_json",
           "judges_all_reports", "run_check"]

def judges_all_reports(session: Session, years: list[int] | None, agencies: list[str] | None,
                       regions: list[str] | None) -> bool:
    """Whether a run sees every stored report, as the rules across all agencies need: a full
    run, or one limited only by years that (with the previous years) cover every report."""
    if agencies or regions:
        return False
    if not years:
        return True
    needed = set(years) | {y - 1 for y in years}
    stored = {y for (y,) in session.execute(select(Document.year).where(Document.kind == "page").distinct())}
    return {y for y in stored if y is not None} <= needed


def assess_all(session: Session, as_of: date, years: list[int] | None = None,
               agencies: list[str] | None = None, replay: bool = False,
               regions: list[str] | None = None, closed: bool = False,
               memoize: bool = False, processes: int | None = 1,
               on_task: Callable[[list[AgencyYear]], None] | None = None) -> list[AgencyYear]:
    """Every agency-year in scope with its status and drafts (nothing stored but, with
    ``memoize``, the judgements of reports not judged before, :mod:`monitor.memo`).

    ``processes``: worker processes for a full check on PostgreSQL (None: one per core;
    :mod:`monitor.partition`); a limited run and SQLite use one.  ``on_task``: given, in
    order, each worker task's agency-years before the duplicates are added (only when the
    check runs in worker processes).

    ``closed``: the caller vouches that ``agencies`` holds every agency whose reports may
    duplicate those of the others (the incremental check finds them from its sketches), so
    the rules across agencies are judged within that scope.

    Only what was known at the end of ``as_of`` (Beijing) counts: later crawls, documents,
    versions, evidence and removals are ignored (``replay`` is kept for callers; it no
    longer changes what is judged).  ``regions`` limits to agencies whose region code
    starts with one of the prefixes.
    """
    cutoff = as_of_cutoff(as_of)
    agency_rows = load.agencies(session, agencies, regions)
    limited = bool(years or agencies or regions)
    fp = memo.rules_fingerprint()
    workers = partition.processes_for(session, processes, len(agency_rows)) if not limited else 1
    if workers > 1:  # the national check: partitions of agencies assessed by worker processes
        results, prints = partition.assess_partitioned(session, agency_rows, as_of, workers, fp, memoize, on_task)
    else:
        crawls = load.crawls(session, cutoff, [a.id for a in agency_rows] if limited else None)
        results, prints = assess_agencies(session, agency_rows, as_of, years, crawls, fp,
                                          memo.save if memoize else None)
    if memoize:
        memo.prune(session, fp)  # after the workers: a transaction that wrote keeps one process
    if closed or judges_all_reports(session, years, agencies, regions):  # duplicates compare with every report
        by_key = {(r.agency.id, r.year): r for r in results}
        for i, drafts in across.duplicates([p for _, p in prints]).items():
            key = prints[i][0]
            if key in by_key:
                by_key[key].drafts += drafts
    return results


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while assessing: the check allocates millions of small
    objects and keeps most of them, so the collector's passes over the growing heap cost more
    than the judging (the drafts and rows make no reference cycles worth collecting early)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run_check(session: Session, as_of: date, years: list[int] | None = None,
              agencies: list[str] | None = None, replay: bool = False,
              regions: list[str] | None = None, closed: bool = False,
              processes: int | None = None) -> tuple[list[upsert.Found], list[AgencyYear]]:
    """Assess, then upsert findings; returns the open (not dismissed) findings in scope.

    ``processes``: for a full check on PostgreSQL, how many worker processes assess the
    agencies (None: one per core; :mod:`monitor.partition`); the results do not depend on it.

    A replay only reports: it stores nothing.  A limited run (``years``, ``agencies``,
    ``regions``) touches only the agency-years it assessed, and there not the findings of
    rules it cannot evaluate without every agency (:data:`ACROSS_ALL_CODES`).
    """
    with _no_gc():  # the whole run: a collection over the assessed heap costs more than storing it
        return _run(session, as_of, years, agencies, replay, regions, closed, processes)


def _run(session: Session, as_of: date, years: list[int] | None, agencies: list[str] | None, replay: bool,
         regions: list[str] | None, closed: bool, processes: int | None) -> tuple[list[upsert.Found], list[AgencyYear]]:
    streamed: list[upsert.Upsert] = []

    def on_task(part: list[AgencyYear]) -> None:
        """A worker task's findings stored while the workers judge on (a full check: every
        agency in scope, nothing kept); those judged across all agencies wait for the end."""
        if not streamed:  # stamped when the first findings are stored, as one store() stamps them
            streamed.append(upsert.Upsert(session, None, (), utcnow()))
        streamed[0].add(((r.agency.id, r.year, d) for r in part for d in r.drafts), {(r.agency.id, r.year) for r in part},
                        {r.agency.id for r in part}, codes=lambda code: code not in ACROSS_ALL_CODES)

    results = assess_all(session, as_of, years, agencies, replay, regions, closed, memoize=not replay,
                         processes=processes, on_task=None if replay else on_task)
    limited = not (closed or judges_all_reports(session, years, agencies, regions))
    if replay:
        drafts: list[upsert.Found] = [Finding(key=finding_key(r.agency.id, r.year, d.code, d.detail), agency_id=r.agency.id, year=r.year,
                          code=d.code, severity=SEVERITY[d.code], message=d.message, evidence=d.evidence, status="open")
                  for r in results for d in r.drafts]
        return sorted(drafts, key=lambda f: (f.agency_id, f.year, f.code, f.key)), results
    scope = {(r.agency.id, r.year) for r in results}
    every = ((r.agency.id, r.year, d) for r in results for d in r.drafts)
    if streamed:  # the rest: the findings judged across every task's reports
        streamed[0].add(every, scope, None, codes=lambda code: code in ACROSS_ALL_CODES)
        return streamed[0].finish(), results
    ids = sorted({r.agency.id for r in results}) if agencies or regions else None
    return upsert.store(session, every, scope, ids, ACROSS_ALL_CODES if limited else (), utcnow()), results


def finding_json(f: upsert.Found) -> dict[str, Any]:
    return {"agency": f.agency_id, "year": f.year, "code": f.code, "severity": f.severity, "message": f.message,
            "evidence": f.evidence, "key": f.key, "status": f.status,
            "first_seen": f.first_seen.isoformat(timespec="seconds") if f.first_seen else None}


def dismiss(session: Session, key: str, reason: str) -> Finding | None:
    from monitor.dismissal import dismiss_findings

    found = dismiss_findings(session, reason, key=key)
    return found[0] if found else None
