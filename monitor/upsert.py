"""Store a check's drafts as findings, keyed and stable (spec/findings.md).

A draft found again updates its finding (and reopens it if it was resolved; a dismissed
one stays dismissed); a finding in scope not found again is resolved.  Only the findings
of the agencies in scope are read, as Core rows, and written with bulk statements: the
national check stores hundreds of thousands of findings, and ORM objects for each cost
more than judging them.  Only rows whose content changed are rewritten; ``last_seen`` of
the rest is set in one statement per chunk.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from db import jsonio
from db.models import Finding
from monitor.findings import Draft, finding_key
from monitor.load import among
from monitor.registry import SEVERITY

CHUNK = 5000


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


def _existing(session: Session, agencies: list[str] | None) -> dict[str, Any]:
    f = Finding.__table__
    q = select(*(f.c[c] for c in FindingRow.__slots__))
    if agencies is None:
        return {r.key: r for r in session.execute(q).all()}
    out: dict[str, Any] = {}
    for k in range(0, len(agencies), CHUNK):
        out.update((r.key, r) for r in session.execute(q.where(among(session, f.c.agency_id, agencies[k:k + CHUNK]))).all())
    return out


def store(session: Session, drafts: Iterable[tuple[str, int, Draft]], scope: set[tuple[str, int]],
          agencies: list[str] | None, keep_codes: tuple[str, ...], now: datetime) -> list[Found]:
    """Upsert ``drafts`` ((agency, year, draft)); resolve the open findings of ``scope`` not
    found again, except those with a code in ``keep_codes`` (rules this run could not judge).
    ``agencies``: the agencies in scope, None for all of them.

    Returns the open findings of ``scope`` as they now are, sorted: known from what was read
    and written here, so a national check does not read its 190,000 findings back."""
    up = Upsert(session, agencies, keep_codes, now)
    up.add(drafts, scope)
    return up.finish()


class Upsert:
    """:func:`store` in parts, within the caller's transaction: the national check stores each
    task's findings as its results come in, while the workers judge the next tasks, and the
    duplicates (judged across every task) last.  Each :meth:`add` decides alone over what it
    is given: its ``scope`` and the codes ``codes`` admits; the parts must not overlap (the
    check gives each task its own agencies, and the duplicates a code of their own)."""

    def __init__(self, session: Session, agencies: list[str] | None, keep_codes: tuple[str, ...],
                 now: datetime) -> None:
        session.flush()  # pending ORM changes (a dismissal) first: the statements below go around the ORM
        self.session, self.agencies, self.keep_codes, self.now = session, agencies, keep_codes, now
        self._existing: dict[str, Any] | None = None
        self._by_agency: dict[str, list[Any]] = defaultdict(list)
        self.found: list[Found] = []

    def existing(self) -> dict[str, Any]:
        """The stored findings of the agencies in scope, read once, at the first part."""
        if self._existing is None:
            self._existing = _existing(self.session, self.agencies)
            for r in self._existing.values():
                self._by_agency[r.agency_id].append(r)
        return self._existing

    def add(self, drafts: Iterable[tuple[str, int, Draft]], scope: set[tuple[str, int]],
            agencies: Iterable[str] | None = None, codes: Callable[[str], bool] = lambda _code: True) -> None:
        """Upsert these drafts (those of ``codes``); resolve the open findings of ``scope`` with
        one of ``codes`` not found again.  ``agencies``: those of ``scope`` (None: look at all)."""
        existing, now = self.existing(), self.now
        seen: set[str] = set()
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        touched: list[int] = []
        for agency, year, d in drafts:
            if not codes(d.code):
                continue
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
        rows = (list(existing.values()) if agencies is None
                else [r for a in agencies for r in self._by_agency.get(a, ())])
        rows = [r for r in rows if (r.agency_id, r.year) in scope and codes(r.code)]
        resolve = [r.id for r in rows if r.key not in seen and r.status == "open" and r.code not in self.keep_codes]
        ids = self._write(new, changed, touched, resolve)
        self.found += _open_after(rows, new, ids, changed, set(touched), set(resolve), now)

    def _write(self, new: list[dict[str, Any]], changed: list[dict[str, Any]], touched: list[int],
               resolve: list[int]) -> dict[str, int]:
        session, now = self.session, self.now
        f = cast(Table, Finding.__table__)
        ids: dict[str, int] = {}
        for k in range(0, len(new), CHUNK):
            ids.update((r.key, r.id) for r in session.execute(insert(f).returning(f.c.id, f.c.key), new[k:k + CHUNK]).all())
        if changed:
            stmt = (update(f).where(f.c.id == bindparam("b_id"))
                    .values(message=bindparam("b_message"), evidence=bindparam("b_evidence"),
                            severity=bindparam("b_severity"), last_seen=bindparam("b_last_seen"),
                            status=bindparam("b_status"), resolved_at=bindparam("b_resolved_at")))
            for k in range(0, len(changed), CHUNK):
                session.connection().execute(stmt, changed[k:k + CHUNK])
        for done, values in ((touched, {"last_seen": now}), (resolve, {"status": "resolved", "resolved_at": now})):
            for k in range(0, len(done), CHUNK):
                session.execute(update(f).where(among(session, f.c.id, done[k:k + CHUNK])).values(**values))
        return ids

    def finish(self) -> list[Found]:
        """The open findings of every part's scope, sorted; ORM findings loaded before are expired."""
        for obj in list(self.session.identity_map.values()):  # ORM objects loaded before now are stale
            if isinstance(obj, Finding):
                self.session.expire(obj)
        self.found.sort(key=lambda x: (x.agency_id, x.year, x.code, x.key))
        return self.found


def _open_after(rows: list[Any], new: list[dict[str, Any]], ids: dict[str, int],
                changed: list[dict[str, Any]], touched: set[int], resolved: set[int],
                now: datetime) -> list[Found]:
    """The open findings after a part's statements, from its rows (the stored findings of its
    scope and codes) and what it wrote."""
    def stored(evidence: dict[str, Any]) -> dict[str, Any]:  # what reading the row back would give
        return cast(dict[str, Any], jsonio.loads(json.dumps(evidence)))

    edits = {c["b_id"]: c for c in changed}
    out: list[Found] = []
    for r in rows:
        c = edits.get(r.id)
        if c is not None:
            if c["b_status"] == "open":
                out.append(FindingRow(r.id, r.key, r.agency_id, r.year, r.code, c["b_severity"], c["b_message"],
                                      stored(c["b_evidence"]), "open", r.first_seen, now, c["b_resolved_at"],
                                      r.dismissed_reason))
        elif r.status == "open" and r.id not in resolved:  # found again (touched), or a code this run kept
            out.append(FindingRow(r.id, r.key, r.agency_id, r.year, r.code, r.severity, r.message, r.evidence, r.status,
                                  r.first_seen, now if r.id in touched else r.last_seen, r.resolved_at, r.dismissed_reason))
    for row in new:
        out.append(FindingRow(ids[row["key"]], row["key"], row["agency_id"], row["year"], row["code"], row["severity"],
                              row["message"], stored(row["evidence"]), "open", now, now, None, None))
    return out
