"""What the check reads from the database, as plain data: agencies, crawl outcomes with
their proofs, documents with their versions, evidence and attachments, the settings.

Core rows, no ORM objects (the national check reads millions), in chunks, and only what
was known at the cutoff (as of D means as of D).  A stored report JSON is read into a
typed :class:`parsing.model.Report` once, here (:func:`main_report`), and the rules work
on that.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from db.models import Agency, AgencyCrawl, CrawlRun, Document, DocumentVersion, Evidence, Setting
from monitor import compliance, rules
from parsing.model import Report

CHUNK = 5000  # ids per IN (...) query


@dataclass(slots=True)
class LoadedDoc:
    """A stored document as plain data (Core rows, no ORM objects: the check reads many)."""

    id: int
    agency_id: str
    year: int | None
    url: str
    title: str | None
    kind: str
    parent_id: int | None
    first_seen: Any
    last_seen: Any
    removed_at: Any
    removed_reason: str | None
    evidence: list[tuple[str, str]] = field(default_factory=list)
    versions: list[tuple[str, Any, dict[str, Any] | None, str | None]] = field(default_factory=list)
    attachments: list[LoadedDoc] = field(default_factory=list)
    observed: list[tuple[str, str, Any]] = field(default_factory=list)  # with observed_at, for replays


def _json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN or Infinity, which json.dumps writes and orjson refuses
        return json.loads(text)


def as_known_at(doc: LoadedDoc, cutoff: datetime) -> LoadedDoc | None:
    """The document as it was known at ``cutoff`` (None if not seen yet): a replay."""
    if doc.first_seen > cutoff:
        return None
    if _known_whole(doc, cutoff):
        return doc
    versions = [v for v in doc.versions if v[1] <= cutoff]
    if not versions:
        return None
    removed = doc.removed_at if doc.removed_at and doc.removed_at <= cutoff else None
    attachments = [a for a in (as_known_at(x, cutoff) for x in doc.attachments) if a is not None]
    return LoadedDoc(doc.id, doc.agency_id, doc.year, doc.url, doc.title, doc.kind, doc.parent_id, doc.first_seen,
                     min(doc.last_seen, cutoff), removed, doc.removed_reason if removed else None,
                     [(src, val) for src, val, seen in doc.observed if seen <= cutoff], versions, attachments)


def _known_whole(doc: LoadedDoc, cutoff: datetime) -> bool:
    """Everything about the document was known by ``cutoff`` (the common case: no copy needed)."""
    return (bool(doc.versions) and doc.first_seen <= cutoff and doc.last_seen <= cutoff and (doc.removed_at is None or doc.removed_at <= cutoff)
            and all(v[1] <= cutoff for v in doc.versions) and all(o[2] <= cutoff for o in doc.observed)
            and all(_known_whole(a, cutoff) for a in doc.attachments))


def main_report(doc: LoadedDoc) -> tuple[Report | None, str]:
    """The parse result holding the tables, typed: the page's, or an attachment's; and the
    text of the page and its attachments."""
    candidates = [doc] + [c for c in doc.attachments if c.kind == "attachment"]
    reports = [(Report.from_json(d.versions[-1][2]) if d.versions[-1][2] else None, d.versions[-1][3] or "")
               for d in candidates if d.versions]
    with_tables = [r for r in reports if r[0] and rules.has_tables(r[0])]
    unreadable = [r for r in reports if r[0] and rules.unreadable(r[0])]
    pick = (with_tables or unreadable or [r for r in reports if r[0]] or [(None, "")])[0]
    text = "\n".join(t for _, t in reports if t)
    return pick[0], text


def documents(session: Session, agency_ids: list[str],
              cutoff: datetime | None = None) -> dict[tuple[str, int], list[LoadedDoc]]:
    """The report pages per (agency, year), attachments hung on their pages, as known at ``cutoff``."""
    d, v, e = Document.__table__, DocumentVersion.__table__, Evidence.__table__
    rows = session.execute(select(d.c.id, d.c.agency_id, d.c.year, d.c.url, d.c.title, d.c.kind, d.c.parent_id,
                                  d.c.first_seen, d.c.last_seen, d.c.removed_at, d.c.removed_reason)
                           .where(d.c.agency_id.in_(agency_ids)))
    by_id = {r.id: LoadedDoc(*r) for r in rows}
    if by_id:
        ids = list(by_id)
        for k in range(0, len(ids), CHUNK):
            chunk = ids[k:k + CHUNK]
            # the report as its JSON text, decoded by orjson: the decoding is most of what loading costs
            for r in session.execute(select(v.c.document_id, v.c.sha256, v.c.fetched_at,
                                            cast(v.c.report, Text).label("report"), v.c.text)
                                     .where(v.c.document_id.in_(chunk)).order_by(v.c.id)):
                report = _json(r.report) if r.report is not None else None
                by_id[r.document_id].versions.append((r.sha256, r.fetched_at, report, r.text))
            for r in session.execute(select(e.c.document_id, e.c.source, e.c.value, e.c.observed_at)
                                     .where(e.c.document_id.in_(chunk))):
                by_id[r.document_id].evidence.append((r.source, r.value))
                if cutoff is not None:
                    by_id[r.document_id].observed.append((r.source, r.value, r.observed_at))
    out: dict[tuple[str, int], list[LoadedDoc]] = defaultdict(list)
    for doc in by_id.values():
        if doc.kind == "attachment" and doc.parent_id in by_id:
            by_id[doc.parent_id].attachments.append(doc)
    for doc in by_id.values():
        if doc.kind == "page" and doc.year:
            known = doc if cutoff is None else as_known_at(doc, cutoff)
            if known is not None:
                out[(doc.agency_id, doc.year)].append(known)
    return out


def crawls(session: Session, cutoff: datetime | None = None,
           agencies: list[str] | None = None) -> dict[str, list[compliance.Crawl]]:
    """Crawl outcomes per agency with their proofs, as Core rows (no ORM objects for millions of
    outcomes; only the agencies in scope when the run is limited, e.g. the incremental check)."""
    out: dict[str, list[compliance.Crawl]] = defaultdict(list)
    ac, run = AgencyCrawl.__table__, CrawlRun.__table__
    q = (select(ac.c.agency_id, ac.c.outcome, ac.c.finished_at, ac.c.reason, ac.c.pages, ac.c.columns, ac.c.urls_tried,
                ac.c.proof, run.c.id, run.c.finished_at.label("run_finished"), run.c.started_at)
         .join(run, run.c.id == ac.c.run_id).order_by(ac.c.id))
    chunks = [agencies[k:k + CHUNK] for k in range(0, len(agencies), CHUNK)] if agencies is not None else [None]
    for chunk in chunks:
        for r in session.execute(q if chunk is None else q.where(ac.c.agency_id.in_(chunk))):
            finished = r.finished_at or r.run_finished or r.started_at
            if cutoff is not None and finished > cutoff:
                continue
            out[r.agency_id].append(compliance.Crawl(r.id, r.outcome, finished, r.reason, r.pages, r.columns or [],
                                                     r.urls_tried or [], r.proof))
    return out


def agencies(session: Session, ids: list[str] | None = None, regions: list[str] | None = None) -> list[Agency]:
    """The active agencies in scope, by id (``regions``: region-code prefixes)."""
    q = select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)
    if ids:
        q = q.where(Agency.id.in_(ids))
    return [a for a in session.scalars(q) if not regions or any((a.region or "").startswith(r) for r in regions)]


def trusted_hosts(session: Session) -> tuple[str, ...]:
    """The host suffixes the registry trusts besides the agency's own and *.gov.cn."""
    row = session.get(Setting, "trusted_hosts")
    return tuple((row.value or {}).get("suffixes") or ()) if row else ()
