"""The compliance picture the pages read: one snapshot of every agency-year, computed with
the monitor's own functions (``monitor.check.assess_all`` + ``monitor.audit.audit_rows``),
so the dashboard's numbers are those of ``nianbao audit --format json``.

Assessing 10,000 agencies takes tens of seconds, so a snapshot is computed once and kept in
memory; pages filter and paginate it.  A cheap fingerprint of the database (the newest id
of each table the monitor reads) tells when it is stale: the old snapshot keeps being
served while a new one is computed in the background.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    Agency,
    AgencyCrawl,
    CrawlRun,
    Document,
    DocumentVersion,
    Evidence,
    Setting,
    utcnow,
)
from monitor import audit
from monitor.check import assess_all
from monitor.findings import finding_key
from monitor.registry import SEVERITY

log = logging.getLogger("nianbao.dashboard")
KEEP = 3  # snapshots kept in memory (one per as-of date)


@dataclass(slots=True)
class Snapshot:
    as_of: date
    built_at: datetime
    seconds: float
    fingerprint: tuple[Any, ...]
    rows: list[dict[str, Any]]  # audit rows of every year, as audit_rows made them
    by_year: dict[int, list[dict[str, Any]]]
    row_index: dict[tuple[str, int], dict[str, Any]]
    findings: list[dict[str, Any]]  # every draft: key, agency, year, code, severity, message, evidence
    findings_by_ay: dict[tuple[str, int], list[dict[str, Any]]]
    codes_by_ay: dict[tuple[str, int], set[str]]
    agencies: dict[str, dict[str, Any]]  # id -> name, kind, region, parent, site
    crawls: dict[str, dict[str, Any]]  # id -> the agency's latest crawl (plain data)
    years: list[int] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    memo: dict[Any, Any] = field(default_factory=dict)  # derived views per filter (the snapshot never changes)

    def derived(self, key: Any, compute: Any) -> Any:
        """``compute()`` once per snapshot and key: aggregates of a page for one filter."""
        if key not in self.memo:
            if len(self.memo) > 500:
                self.memo.clear()
            self.memo[key] = compute()
        return self.memo[key]

    def parent_name(self, pid: str | None) -> str:
        if not pid:
            return "（无上级）"
        a = self.agencies.get(pid)
        return a["name"] if a else pid


def fingerprint(session: Session) -> tuple[Any, ...]:
    """Newest ids and times of what the monitor reads: changes whenever the data does."""
    parts: list[Any] = []
    for col in (CrawlRun.id, AgencyCrawl.id, Document.id, DocumentVersion.id, Evidence.id):
        parts.append(session.scalar(select(func.max(col))))
    parts.append(session.scalar(select(func.max(AgencyCrawl.finished_at))))
    parts.append(session.scalar(select(func.max(Document.last_seen))))
    parts.append(session.scalar(select(func.max(Agency.updated_at))))
    parts.append(session.scalar(select(func.count()).select_from(Setting)))
    return tuple(str(p) for p in parts)


def _latest_crawls(session: Session) -> dict[str, dict[str, Any]]:
    t = AgencyCrawl.__table__
    newest = select(t.c.agency_id, func.max(t.c.id).label("id")).group_by(t.c.agency_id).subquery()
    q = select(t).join(newest, t.c.id == newest.c.id)
    out: dict[str, dict[str, Any]] = {}
    for r in session.execute(q):
        m = dict(r._mapping)
        out[m["agency_id"]] = {"outcome": m["outcome"], "reason": m["reason"], "columns": m["columns"] or [],
                               "pages": m["pages"], "finished_at": m["finished_at"], "run_id": m["run_id"],
                               "proof": m.get("proof"), "reports_found": m["reports_found"]}
    return out


def build(session: Session, as_of: date) -> Snapshot:
    """Assess every agency-year as of ``as_of`` (nothing stored) and index the result."""
    t0 = time.perf_counter()
    fp = fingerprint(session)
    results = assess_all(session, as_of)
    rows = audit.audit_rows(results)
    by_year: dict[int, list[dict[str, Any]]] = defaultdict(list)
    row_index: dict[tuple[str, int], dict[str, Any]] = {}
    for r in rows:
        by_year[r["year"]].append(r)
        row_index[(r["agency"], r["year"])] = r
    findings: list[dict[str, Any]] = []
    by_ay: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    codes: dict[tuple[str, int], set[str]] = defaultdict(set)
    seen: set[str] = set()
    for ay in results:
        for d in ay.drafts:
            key = finding_key(ay.agency.id, ay.year, d.code, d.detail)
            if key in seen:  # as run_check: one finding per key
                continue
            seen.add(key)
            f = {"key": key, "agency": ay.agency.id, "year": ay.year, "code": d.code, "severity": SEVERITY[d.code],
                 "message": d.message, "evidence": d.evidence}
            findings.append(f)
            by_ay[(ay.agency.id, ay.year)].append(f)
            codes[(ay.agency.id, ay.year)].add(d.code)
    agencies = {a.id: {"id": a.id, "name": a.name, "kind": a.kind, "region": a.region, "parent": a.parent_id,
                       "site": a.site}
                for a in session.scalars(select(Agency).where(Agency.active.is_(True)))}
    snap = Snapshot(as_of=as_of, built_at=utcnow(), seconds=0.0, fingerprint=fp, rows=rows, by_year=dict(by_year),
                    row_index=row_index, findings=findings, findings_by_ay=dict(by_ay), codes_by_ay=dict(codes),
                    agencies=agencies, crawls=_latest_crawls(session))
    snap.years = sorted(by_year)
    snap.regions = sorted({a["region"] for a in agencies.values() if a["region"]})
    snap.parents = sorted({a["parent"] for a in agencies.values() if a["parent"]})
    snap.codes = sorted({f["code"] for f in findings})
    snap.seconds = time.perf_counter() - t0
    return snap


class SnapshotCache:
    """One snapshot per as-of date; refreshed in the background when the data changes."""

    def __init__(self, factory: sessionmaker[Session], check_every: float = 2.0) -> None:
        self.factory = factory
        self.check_every = check_every
        self._snaps: dict[date, Snapshot] = {}
        self._checked: dict[date, float] = {}
        self._building: set[date] = set()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self.last_error: str | None = None
        self.warm: Any = None  # called with each new snapshot (the pages' default views)

    def refreshing(self, as_of: date) -> bool:
        return as_of in self._building

    def get(self, as_of: date) -> Snapshot:
        snap = self._snaps.get(as_of)
        if snap is None:
            with self._build_lock:  # the first request waits for the first snapshot
                snap = self._snaps.get(as_of)
                if snap is None:
                    snap = self._build(as_of)
            return snap
        now = time.monotonic()
        if now - self._checked.get(as_of, 0.0) >= self.check_every:
            self._checked[as_of] = now
            with self.factory() as s:
                fp = fingerprint(s)
            if fp != snap.fingerprint:
                self.refresh_in_background(as_of)
        return snap

    def refresh_in_background(self, as_of: date) -> None:
        with self._lock:
            if as_of in self._building:
                return
            self._building.add(as_of)

        def work() -> None:
            try:
                with self._build_lock:
                    self._build(as_of)
            except Exception as exc:  # noqa: BLE001 - keep serving the old snapshot, say why
                self.last_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                log.exception("dashboard snapshot failed")
            finally:
                self._building.discard(as_of)

        threading.Thread(target=work, name="dashboard-snapshot", daemon=True).start()

    def invalidate(self) -> None:
        """Forget the time of the last freshness check (after a write by the dashboard)."""
        self._checked.clear()

    def _build(self, as_of: date) -> Snapshot:
        with self.factory() as s:
            snap = build(s, as_of)
        if self.warm is not None:
            self.warm(snap)
        self._snaps[as_of] = snap
        self._checked[as_of] = time.monotonic()
        while len(self._snaps) > KEEP:  # other as-of dates (replays) are dropped, oldest first
            oldest = min((d for d in self._snaps if d != as_of), key=lambda d: self._checked.get(d, 0.0))
            self._snaps.pop(oldest, None)
        log.info("dashboard snapshot as of %s: %d agency-years in %.1f s", as_of, len(snap.rows), snap.seconds)
        return snap


def status_counts(rows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(r["status"] for r in rows)
