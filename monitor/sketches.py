"""Which untouched agencies the duplicate rule ties to the touched ones (the incremental check).

The duplicate rule (:func:`monitor.across.duplicates`) compares every report with every
other; the incremental check judges only some agencies, so it adds the agencies a
duplicate may join them to:

* the other side of every existing DUPLICATE_CONTENT finding of a touched agency, on
  either side (a duplicate that no longer holds is resolved on both sides);
* agencies whose reports share a *sketch* with a touched agency's report: the k smallest
  sentence hashes of every report and its tables' signature, kept in ``report_sketches``
  (a new copy of an untouched agency's report is found without reading every report);
* and, closing the set, the other side of every standing DUPLICATE_CONTENT finding of an
  agency so added (a limited run judges duplicates within its scope only, so a partner's
  own duplicate of a third agency would otherwise be resolved for want of the third).

Each is a lookup by an indexed column (migration 0011): the cost follows the touched
agencies and their partners, not the number of findings or reports.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from db.models import Agency, Finding, ReportSketch
from monitor import across, load

SKETCH_K = 8  # sentence hashes kept per report
SHARED_MIN = 4  # sketch hashes two reports must share to be compared again
BATCH = 2000
CHUNK = 5000
DUPLICATE = "DUPLICATE_CONTENT"


def _signed(h: int) -> int:
    return h - (1 << 63)


def other_agency() -> ColumnElement[str]:
    """The finding's ``evidence.other_agency``, as the expression ``ix_findings_other_agency`` indexes."""
    return Finding.evidence["other_agency"].as_string()


def update_sketches(session: Session, agencies: list[str]) -> None:
    """Recompute the sketches of these agencies' reports (the same text the check reads);
    an agency that left the registry keeps none (the check no longer reads its reports)."""
    for k in range(0, len(agencies), BATCH):
        chunk = agencies[k:k + BATCH]
        session.execute(delete(ReportSketch).where(ReportSketch.agency_id.in_(chunk)))
        active = [a.id for a in load.agencies(session, chunk)]
        rows = []
        for (aid, year), docs in (load.documents(session, active).items() if active else ()):
            live = [d for d in docs if d.removed_at is None] or docs
            report, text = load.main_report(live[0])
            if not report:
                continue
            sentences = sorted(across._sentences(text))[:SKETCH_K]
            rows += [{"agency_id": aid, "year": year, "hash": _signed(h), "kind": "s"} for h in sentences]
            tables = across._table_signature(report)
            if tables:
                rows.append({"agency_id": aid, "year": year, "hash": _signed(int(tables[:16], 16)), "kind": "t"})
        for j in range(0, len(rows), 5000):
            session.execute(insert(ReportSketch), rows[j:j + 5000])


def departed_with_sketches(session: Session) -> set[str]:
    """Agencies no longer active that still have sketches: they left the registry since the
    last check (leaving does not stamp ``updated_at``), so their partners must be judged
    again without them."""
    a, rs = Agency.__table__, ReportSketch.__table__
    return set(session.scalars(select(a.c.id).where(a.c.active == False,  # noqa: E712 - "= false" is what ix_agencies_active answers
                                                    select(rs.c.id).where(rs.c.agency_id == a.c.id).exists())))


def sketch_partners(session: Session, agencies: set[str]) -> set[str]:
    """Agencies whose reports share enough sketch hashes (or the tables) with these agencies'."""
    if not agencies:
        return set()
    mine = select(ReportSketch.hash, ReportSketch.kind).where(ReportSketch.agency_id.in_(agencies)).subquery()
    common = (select(ReportSketch.hash).where(ReportSketch.hash.in_(select(mine.c.hash)))
              .group_by(ReportSketch.hash).having(func.count() <= across.MAX_DF).subquery())
    q = (select(ReportSketch.agency_id, ReportSketch.year, ReportSketch.kind, func.count())
         .where(ReportSketch.hash.in_(select(common.c.hash)), ReportSketch.agency_id.notin_(agencies))
         .group_by(ReportSketch.agency_id, ReportSketch.year, ReportSketch.kind))
    return {aid for aid, _year, kind, n in session.execute(q) if kind == "t" or n >= SHARED_MIN}


def duplicate_partners(session: Session, agencies: set[str]) -> set[str]:
    """Agencies tied to these by an existing DUPLICATE_CONTENT finding, either side, any status
    (a resolved one may hold again when a touched report changes back)."""
    other = other_agency()
    out: set[str] = set()
    ids = sorted(agencies)
    for k in range(0, len(ids), CHUNK):
        chunk = ids[k:k + CHUNK]
        out |= {o for o in session.scalars(select(other).where(Finding.agency_id.in_(chunk), Finding.code == DUPLICATE))
                if o}
        out |= set(session.scalars(select(Finding.agency_id).where(other.in_(chunk), Finding.code == DUPLICATE)))
    return out - agencies


def standing_partners(session: Session, agencies: set[str]) -> set[str]:
    """The other agencies of these agencies' own open or dismissed DUPLICATE_CONTENT findings."""
    other = other_agency()
    ids = sorted(agencies)
    out: set[str] = set()
    for k in range(0, len(ids), CHUNK):
        out |= {o for o in session.scalars(select(other).where(Finding.agency_id.in_(ids[k:k + CHUNK]),
                                                               Finding.code == DUPLICATE, Finding.status != "resolved"))
                if o}
    return out - agencies


def partners(session: Session, touched: set[str]) -> set[str]:
    """Every agency a limited run over ``touched`` must judge too for the duplicate rule to
    end where a full check would (see the module docstring); not including ``touched``."""
    found = duplicate_partners(session, touched) | sketch_partners(session, touched)
    frontier = set(found)
    while frontier:
        frontier = standing_partners(session, frontier) - found - touched
        found |= frontier
    return found
