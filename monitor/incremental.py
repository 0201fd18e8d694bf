"""The incremental check: re-evaluate only the agency-years touched since the last check.

Touched since the watermark (``settings['check:incremental']``): a crawl outcome recorded,
a document first seen, seen again, changed (new version), removed or given new evidence,
or the agency's registry entry changed.  A change of the registry-wide deadline settings
(or the first run) checks everything.  The findings are then computed by
:func:`monitor.check.run_check` for those agencies — plus the agencies a cross-agency rule
ties them to, so duplicates stay right in both directions:

* partners of existing DUPLICATE_CONTENT findings (so one that no longer holds resolves,
  on the side of either agency), and
* agencies whose reports share a sketch with a touched agency's report: the k smallest
  sentence hashes of every report and its tables' signature are kept in
  ``report_sketches``, so a new copy of an untouched agency's report is found without
  reading every report again.

Limit (documented for the lead): the duplicate rule ignores sentences found in more than
``across.MAX_DF`` reports; within a limited run those counts are taken over the agencies
in scope, not the whole corpus.  Sketch hashes found in more than MAX_DF reports are not
used to pick partners for the same reason.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from db.models import (
    Agency,
    AgencyCrawl,
    Document,
    DocumentVersion,
    Evidence,
    Finding,
    ReportSketch,
    Setting,
    utcnow,
)
from monitor import across, load
from monitor.check import run_check

WATERMARK = "check:incremental"
SKETCH_K = 8  # sentence hashes kept per report
SHARED_MIN = 4  # sketch hashes two reports must share to be compared again
BATCH = 2000
# Rows are stamped when made and committed a little later (a crawl's item, its outcome):
# look back this much before the last check's start, so a late commit is not missed.
MARGIN = timedelta(minutes=10)


def _signed(h: int) -> int:
    return h - (1 << 63)


def _settings_hash(session: Session) -> str:
    values: list[Any] = [(s.key, s.value) for s in session.scalars(select(Setting).where(
        Setting.key.in_(["deadlines", "trusted_hosts"])).order_by(Setting.key))]
    values.append(("table_signature", across.SIGNATURE_VERSION))  # a new form: every sketch is made again
    return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def touched_since(session: Session, since: datetime) -> set[str]:
    """Agencies with anything new since ``since`` (crawls, documents, versions, evidence, registry)."""
    d = Document.__table__
    out = set(session.scalars(select(AgencyCrawl.agency_id).where(AgencyCrawl.finished_at > since).distinct()))
    out |= set(session.scalars(select(d.c.agency_id).where(or_(d.c.first_seen > since, d.c.last_seen > since,
                                                                d.c.removed_at > since)).distinct()))
    out |= set(session.scalars(select(d.c.agency_id).join(DocumentVersion, DocumentVersion.document_id == d.c.id)
                               .where(DocumentVersion.fetched_at > since).distinct()))
    out |= set(session.scalars(select(d.c.agency_id).join(Evidence, Evidence.document_id == d.c.id)
                               .where(Evidence.observed_at > since).distinct()))
    out |= set(session.scalars(select(Agency.id).where(Agency.updated_at > since)))
    return out


def duplicate_partners(session: Session, agencies: set[str]) -> set[str]:
    """Agencies tied to these by an existing DUPLICATE_CONTENT finding (either side)."""
    out: set[str] = set()
    for f in session.scalars(select(Finding).where(Finding.code == "DUPLICATE_CONTENT")):
        other = (f.evidence or {}).get("other_agency")
        if f.agency_id in agencies and other:
            out.add(other)
        elif other in agencies:
            out.add(f.agency_id)
    return out - agencies


def update_sketches(session: Session, agencies: list[str]) -> None:
    """Recompute the sketches of these agencies' reports (the same text the check reads)."""
    for k in range(0, len(agencies), BATCH):
        chunk = agencies[k:k + BATCH]
        session.execute(delete(ReportSketch).where(ReportSketch.agency_id.in_(chunk)))
        rows = []
        for (aid, year), docs in load.documents(session, chunk).items():
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


def run_incremental_check(session: Session, as_of: date, full: bool = False) -> dict[str, Any]:
    """Check what changed since the last (incremental) check; the first run checks everything.

    Returns {"mode": "full"|"incremental"|"nothing", "agencies": n checked, "touched": n,
    "partners": n, "findings": open findings in scope}.  Does not commit.
    """
    started = utcnow()
    mark = session.get(Setting, WATERMARK)
    settings = _settings_hash(session)
    since = datetime.fromisoformat(mark.value["at"]) if mark and not full else None
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if since is None or mark is None or mark.value.get("settings") != settings:
        found, results = run_check(session, as_of)
        everyone = sorted({r.agency.id for r in results})
        update_sketches(session, everyone)
        out = {"mode": "full", "agencies": len(everyone), "touched": len(everyone), "partners": 0,
               "findings": len(found)}
    else:
        touched = touched_since(session, since - MARGIN)
        if not touched:
            out = {"mode": "nothing", "agencies": 0, "touched": 0, "partners": 0, "findings": 0}
        else:
            update_sketches(session, sorted(touched))
            session.flush()
            partners = duplicate_partners(session, touched) | sketch_partners(session, touched)
            scope = sorted(touched | partners)
            found, _ = run_check(session, as_of, agencies=scope, closed=True)
            out = {"mode": "incremental", "agencies": len(scope), "touched": len(touched), "partners": len(partners),
                   "findings": len(found)}
    value = {"at": started.isoformat(), "settings": settings, "last": out}
    if mark is None:
        session.add(Setting(key=WATERMARK, value=value))
    else:
        mark.value = value
    session.flush()
    return out
