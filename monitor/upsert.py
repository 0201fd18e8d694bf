"""Store a check's drafts as findings, keyed and stable (spec/findings.md).

A draft found again updates its finding (and reopens it if it was resolved; a dismissed
one stays dismissed); a finding in scope not found again is resolved.  Only the findings
of the agencies in scope are read, as Core rows, and written with bulk statements: the
national check stores hundreds of thousands of findings, and ORM objects for each cost
more than judging them.  Only rows whose content changed are rewritten; ``last_seen`` of
the rest is set in one statement per chunk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from db.models import Finding
from monitor.findings import Draft, finding_key
from monitor.load import among
from monitor.registry import SEVERITY

CHUNK = 5000


def _existing(session: Session, agencies: list[str] | None) -> dict[str, Any]:
    f = Finding.__table__
    q = select(f.c.id, f.c.key, f.c.agency_id, f.c.year, f.c.code, f.c.status, f.c.severity, f.c.message, f.c.evidence,
               f.c.resolved_at)
    if agencies is None:
        return {r.key: r for r in session.execute(q)}
    out: dict[str, Any] = {}
    for k in range(0, len(agencies), CHUNK):
        out.update((r.key, r) for r in session.execute(q.where(among(session, f.c.agency_id, agencies[k:k + CHUNK]))))
    return out


def store(session: Session, drafts: Iterable[tuple[str, int, Draft]], scope: set[tuple[str, int]],
          agencies: list[str] | None, keep_codes: tuple[str, ...], now: datetime) -> None:
    """Upsert ``drafts`` ((agency, year, draft)); resolve the open findings of ``scope`` not
    found again, except those with a code in ``keep_codes`` (rules this run could not judge).
    ``agencies``: the agencies in scope, None for all of them."""
    session.flush()  # pending ORM changes (a dismissal) first: the statements below go around the ORM
    f = cast(Table, Finding.__table__)
    existing = _existing(session, agencies)
    seen: set[str] = set()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    touched: list[int] = []
    for agency, year, d in drafts:
        key = finding_key(agency, year, d.code, d.detail)
        if key in seen:
            continue
        seen.add(key)
        row = existing.get(key)
        severity = SEVERITY[d.code]
        if row is None:
            new.append({"key": key, "agency_id": agency, "year": year, "code": d.code, "severity": severity,
                        "message": d.message, "evidence": d.evidence, "status": "open", "first_seen": now,
                        "last_seen": now, "resolved_at": None, "dismissed_reason": None})
        elif row.status == "resolved" or (row.message, row.severity, row.evidence) != (d.message, severity, d.evidence):
            status = "open" if row.status == "resolved" else row.status
            changed.append({"b_id": row.id, "b_message": d.message, "b_evidence": d.evidence, "b_severity": severity,
                            "b_last_seen": now, "b_status": status,
                            "b_resolved_at": None if row.status == "resolved" else row.resolved_at})
        else:
            touched.append(row.id)
    resolve = [r.id for key, r in existing.items() if key not in seen and r.status == "open"
               and (r.agency_id, r.year) in scope and r.code not in keep_codes]
    for k in range(0, len(new), CHUNK):
        session.execute(insert(f), new[k:k + CHUNK])
    if changed:
        stmt = (update(f).where(f.c.id == bindparam("b_id"))
                .values(message=bindparam("b_message"), evidence=bindparam("b_evidence"),
                        severity=bindparam("b_severity"), last_seen=bindparam("b_last_seen"),
                        status=bindparam("b_status"), resolved_at=bindparam("b_resolved_at")))
        for k in range(0, len(changed), CHUNK):
            session.connection().execute(stmt, changed[k:k + CHUNK])
    for ids, values in ((touched, {"last_seen": now}), (resolve, {"status": "resolved", "resolved_at": now})):
        for k in range(0, len(ids), CHUNK):
            session.execute(update(f).where(among(session, f.c.id, ids[k:k + CHUNK])).values(**values))
    for obj in list(session.identity_map.values()):  # ORM objects loaded before now are stale
        if isinstance(obj, Finding):
            session.expire(obj)


@dataclass(frozen=True, slots=True)
class FindingRow:
    """A stored finding as plain data, with the attribute names of ``db.models.Finding``: what
    a check returns (the national check returns 190,000 open findings, and ORM objects for
    them cost seconds of its serial part)."""

    id: int
    key: str
    agency_id: str
    year: int
    code: str
    severity: str
    message: str
    evidence: dict[str, Any]
    status: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    dismissed_reason: str | None


Found = Finding | FindingRow  # what a check returns: stored rows, or a replay's unstored drafts


def open_in_scope(session: Session, scope: set[tuple[str, int]], agencies: list[str] | None) -> list[Found]:
    """The open findings of the agency-years in scope, sorted."""
    f = Finding.__table__
    q = select(*(f.c[c] for c in FindingRow.__slots__)).where(f.c.status == "open")
    if agencies is None:
        rows = list(session.execute(q))
    else:
        rows = [x for k in range(0, len(agencies), CHUNK)
                for x in session.execute(q.where(among(session, f.c.agency_id, agencies[k:k + CHUNK])))]
    found: list[Found] = [FindingRow(*r) for r in rows if (r.agency_id, r.year) in scope]
    return sorted(found, key=lambda x: (x.agency_id, x.year, x.code, x.key))
