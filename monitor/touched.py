"""What changed since the last check, per agency, from timestamps alone (the incremental check).

Two kinds of touch, because they need different work:

* ``documents``: a document first seen, removed, given a new version, new date evidence,
  a new owner or link, or seen again with something the check reads changed (its digest,
  :mod:`monitor.states`: a report merely seen again by a crawl is no change) — mapped to
  every agency whose report it is: the first owner, the ``document_owners``, and for an
  attachment the pages that carry it; or the agency's registry entry changed.  Everything about such an agency is judged again, and its
  reports may have become (or stopped being) someone else's duplicate.
* ``crawled``: only a crawl outcome was recorded.  A crawl outcome is evidence for the
  publication rules alone (``registry.RULES``: only they need ``crawls``), and for a year
  that has a report it only counts if it finished *before* the report was first seen
  (``compliance.assess``: the proof of absence behind BACKDATED).  The new outcome
  finished after the last check began, so it can only change the years without a
  report — unless one of the agency's documents was first seen after the run that wrote
  it had started (an outcome re-recorded at the run's end moves its ``finished_at``), in
  which case the agency counts as ``documents``.

Every query here is a range on an indexed timestamp (migration 0011) or a lookup by id,
so the cost follows what changed, not the size of the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, select, union
from sqlalchemy.orm import Session

from db.models import (
    Agency,
    AgencyCrawl,
    CrawlRun,
    Document,
    DocumentLink,
    DocumentOwner,
    DocumentVersion,
    Evidence,
)
from monitor import states

CHUNK = 5000  # ids per IN (...)


@dataclass(slots=True)
class Touched:
    """Agencies touched since a moment, by kind of touch (see the module docstring)."""

    documents: set[str] = field(default_factory=set)
    crawled: set[str] = field(default_factory=set)  # crawl outcomes only (disjoint from ``documents``)
    digests: dict[int, int] = field(default_factory=dict)  # of the documents that changed, read before judging

    def __len__(self) -> int:
        return len(self.documents) + len(self.crawled)


def _chunks(ids: Iterable[Any]) -> list[list[Any]]:
    items = list(ids)
    return [items[k:k + CHUNK] for k in range(0, len(items), CHUNK)]


def changed_documents(session: Session, since: datetime) -> set[int]:
    """Ids of the documents with a new version, date evidence, owner, link, first sighting
    or removal after ``since`` (each an indexed range)."""
    d, v, e = Document.__table__, DocumentVersion.__table__, Evidence.__table__
    o, link = DocumentOwner.__table__, DocumentLink.__table__
    q = union(select(d.c.id).where(d.c.first_seen > since), select(d.c.id).where(d.c.removed_at > since),
              select(v.c.document_id).where(v.c.fetched_at > since),
              select(e.c.document_id).where(e.c.observed_at > since),
              select(o.c.document_id).where(o.c.first_seen > since),
              select(link.c.attachment_id).where(link.c.first_seen > since))
    return set(session.scalars(q))


def agencies_of_documents(session: Session, doc_ids: set[int]) -> set[str]:
    """Every agency whose report one of these documents is or carries: a page's first owner
    and owners; an attachment's page (its parent, and every page linking it), likewise."""
    d, o, link = Document.__table__, DocumentOwner.__table__, DocumentLink.__table__
    pages: set[int] = set()
    out: set[str] = set()
    for chunk in _chunks(doc_ids):
        for r in session.execute(select(d.c.id, d.c.agency_id, d.c.kind, d.c.parent_id).where(d.c.id.in_(chunk))):
            out.add(r.agency_id)
            pages.add(r.id if r.kind == "page" or r.parent_id is None else r.parent_id)
        pages |= set(session.scalars(select(link.c.page_id).where(link.c.attachment_id.in_(chunk))))
    for chunk in _chunks(pages):
        out |= set(session.scalars(select(d.c.agency_id).where(d.c.id.in_(chunk))))
        out |= set(session.scalars(select(o.c.agency_id).where(o.c.document_id.in_(chunk))))
    return out


def touched_since(session: Session, since: datetime) -> Touched:
    """The agencies touched after ``since``, split into document and crawl-only touches."""
    ac, run = AgencyCrawl.__table__, CrawlRun.__table__
    changed = changed_documents(session, since)
    # seen again (last_seen), most of what a crawl stores: a change only if the digest differs
    again = Document.last_seen > since
    seen_again = states.current(session, where=again)
    quiet = states.unchanged(session, {i: h for i, h in seen_again.items() if i not in changed}, where=again)
    digests = {**{i: h for i, h in seen_again.items() if i not in quiet}, **states.current(session, changed - quiet)}
    documents = agencies_of_documents(session, changed | (set(seen_again) - quiet))
    documents |= set(session.scalars(select(Agency.id).where(Agency.updated_at > since)))
    runs_started: dict[str, datetime] = {}
    for aid, started in session.execute(select(ac.c.agency_id, run.c.started_at).join(run, run.c.id == ac.c.run_id)
                                        .where(ac.c.finished_at > since)):
        if aid not in documents:
            runs_started[aid] = min(started, runs_started.get(aid, started))
    documents |= _found_during_run(session, runs_started)
    return Touched(documents, set(runs_started) - documents, digests)


def _found_during_run(session: Session, started: dict[str, datetime]) -> set[str]:
    """Agencies one of whose reports was first seen after the start of the run that wrote
    their new outcome (that outcome may have replaced one written before the report was
    found: the proof of absence behind BACKDATED could change, so judge the agency whole)."""
    if not started:
        return set()
    d, o = Document.__table__, DocumentOwner.__table__
    earliest = min(started.values())
    out: set[str] = set()
    for chunk in _chunks(started):
        rows = session.execute(union(
            select(d.c.agency_id, d.c.first_seen).where(d.c.agency_id.in_(chunk), d.c.first_seen >= earliest),
            select(o.c.agency_id, d.c.first_seen).join(d, d.c.id == o.c.document_id)
            .where(o.c.agency_id.in_(chunk), d.c.first_seen >= earliest)))
        out |= {aid for aid, first in rows if first >= started[aid]}
    return out


def report_years(session: Session, agency_ids: list[str], cutoff: datetime) -> set[tuple[str, int]]:
    """The (agency, year) pairs that have a report page known at ``cutoff`` — exactly the keys
    of :func:`monitor.load.documents` for these agencies, without reading any report: a
    page with a year, first seen by the cutoff, with a version fetched by then, counted for
    its first owner and for every owner recorded by then (tests pin the equality)."""
    d, v, o = Document.__table__, DocumentVersion.__table__, DocumentOwner.__table__
    known = and_(d.c.kind == "page", d.c.year.is_not(None), d.c.year != 0, d.c.first_seen <= cutoff,
                 exists().where(v.c.document_id == d.c.id, v.c.fetched_at <= cutoff))
    out: set[tuple[str, int]] = set()
    for chunk in _chunks(agency_ids):
        q = union(select(d.c.agency_id, d.c.year).where(d.c.agency_id.in_(chunk), known),
                  select(o.c.agency_id, d.c.year).join(d, d.c.id == o.c.document_id)
                  .where(o.c.agency_id.in_(chunk), o.c.first_seen <= cutoff, known))
        out |= {(aid, year) for aid, year in session.execute(q)}
    return out

