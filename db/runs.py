"""Crawl runs: started, finished, their agencies' outcomes, and those left 'running' by a
process that died (issue 16 item 11).

A crawl killed by the service's time limit, the OOM killer or a reboot never reaches its
end, so its run stays ``running``.  Each run records which process runs it (host, pid and
the process's start time, so a reused pid is not mistaken for it) and which agencies it
crawls; the next crawl marks such a run ``killed``.  The agencies that finished before the
process died keep their outcomes (written as each finished); the others have none, so
nothing is concluded from them, and the run names them (``stats.unfinished``).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AgencyCrawl, CrawlRun, utcnow


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/PID/stat`` field 22), or
    None when no such process is alive (a zombie counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # after "pid (comm)": state is field 3
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19] if len(fields) > 19 else None


def _boot_id() -> str | None:
    """This boot of the machine: after a reboot every earlier process is gone, whatever its pid."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


def process_identity() -> dict[str, Any]:
    """This process, as :func:`mark_dead_runs` recognises it later."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "boot": _boot_id(), "pid": pid, "pid_started": _start_time(pid)}


def is_dead(stats: dict[str, Any]) -> bool:
    """Whether the process a run's stats name is certainly gone: same host, and no process
    with that pid and start time.  A run of another host, or one without the record, is
    never judged dead here (the job queue watches its own workers)."""
    if stats.get("host") != socket.gethostname() or not isinstance(stats.get("pid"), int):
        return False
    if stats.get("boot") and _boot_id() and stats["boot"] != _boot_id():
        return True  # the machine restarted since
    started = _start_time(stats["pid"])
    return started is None or (stats.get("pid_started") is not None and started != stats["pid_started"])


def mark_dead_runs(session: Session) -> list[int]:
    """Mark the runs whose process died as ``killed`` (see module docstring); their ids.
    Does not commit."""
    marked = []
    for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
        stats = dict(run.stats or {})
        if not is_dead(stats):
            continue
        done = set(session.scalars(select(AgencyCrawl.agency_id).where(AgencyCrawl.run_id == run.id)))
        planned = stats.get("agency_ids") or []
        stats["killed"] = "抓取进程在结束前终止（下次启动时发现）"
        stats["finished_agencies"] = len(done)
        stats["unfinished"] = sorted(set(planned) - done)
        run.status, run.finished_at, run.stats = "killed", utcnow(), stats
        marked.append(run.id)
    return marked


def start_run(session: Session, stats: dict[str, Any] | None = None) -> CrawlRun:
    run = CrawlRun(started_at=utcnow(), status="running", stats=stats or {})
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: str, stats: dict[str, Any]) -> None:
    """End a run; its stats are added to those it started with (a distributed job's id and
    attempt stay on the run, so a re-run of the job can tell that this crawl finished)."""
    run.finished_at = utcnow()
    run.status = status
    run.stats = {**(run.stats or {}), **stats}


CRAWL_FIELDS = ("outcome", "reason", "urls_tried", "columns", "pages", "reports_found", "proof", "started_at")


def record_agency_crawl(session: Session, run_id: int, agency_id: str, *, proof: dict[str, Any] | None = None,
                        **values: Any) -> AgencyCrawl:
    """One agency's outcome of a run, with the spider's proof of absence (COMMON.md contract 1);
    recording it again for the same run replaces the values.

    Keys of the spider's outcome that are not columns (e.g. the outcome's reason kind) are
    kept inside ``proof`` rather than dropped, so nothing the crawl recorded is lost.
    """
    # written as each agency finishes, and again when the run ends (issue 16 item 11): one row
    row = session.scalar(select(AgencyCrawl).where(AgencyCrawl.run_id == run_id, AgencyCrawl.agency_id == agency_id))
    return _record(session, run_id, agency_id, row, proof, values)


def record_agency_crawls(session: Session, run_id: int, outcomes: dict[str, dict[str, Any]]) -> None:
    """Several agencies' outcomes of a run (each as :func:`record_agency_crawl` records it),
    their existing rows found by one query per thousand agencies instead of one each: the
    crawl writes a batch of outcomes every second and all of them at its end, the latter on
    the reactor thread."""
    have: dict[str, AgencyCrawl] = {}
    ids = list(outcomes)
    for k in range(0, len(ids), 1000):
        have.update((r.agency_id, r) for r in session.scalars(select(AgencyCrawl).where(
            AgencyCrawl.run_id == run_id, AgencyCrawl.agency_id.in_(ids[k:k + 1000]))))
    for agency_id, values in outcomes.items():
        values = dict(values)
        proof = values.pop("proof", None)
        have[agency_id] = _record(session, run_id, agency_id, have.get(agency_id), proof, values)


def _record(session: Session, run_id: int, agency_id: str, row: AgencyCrawl | None, proof: dict[str, Any] | None,
            values: dict[str, Any]) -> AgencyCrawl:
    extra = {k: values.pop(k) for k in list(values) if k not in CRAWL_FIELDS}
    if extra and proof is not None:
        proof = {**proof, "outcome_extra": extra}
    if row is None:
        row = AgencyCrawl(run_id=run_id, agency_id=agency_id, finished_at=utcnow(), proof=proof, **values)
        session.add(row)
        return row
    row.finished_at, row.proof = utcnow(), proof
    for key, value in values.items():
        setattr(row, key, value)
    return row
