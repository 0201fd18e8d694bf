"""What the check reads from the database, as plain data: agencies, crawl outcomes with
their proofs, documents with their versions, evidence and attachments, the settings.

Core rows, no ORM objects (the national check reads millions), in chunks, and only what
was known at the cutoff (as of D means as of D).  A stored report JSON is read into a
typed :class:`parsing.model.Report` once, here (:func:`main_report`), and the rules work
on that.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, any_, cast, func, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from db import jsonio
from db.models import (
    Agency,
    AgencyCrawl,
    CrawlRun,
    Document,
    DocumentLink,
    DocumentOwner,
    DocumentVersion,
    Evidence,
    Setting,
)
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
    # (sha256, fetched_at, report, text, version id, report digest, text digest): report and
    # text are None until read (:func:`fill`), the digests None unless asked for (``lean``)
    versions: list[tuple[str, Any, dict[str, Any] | None, str | None, int, Any, Any]] = field(default_factory=list)
    attachments: list[LoadedDoc] = field(default_factory=list)
    observed: list[tuple[str, str, Any]] = field(default_factory=list)  # with observed_at, for replays


_json = decode_json = jsonio.loads


def _py_digest(value: str | bytes | None) -> int | None:
    if value is None:
        return None
    data = value.encode() if isinstance(value, str) else value
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


_SEP = "\x1f"  # the ASCII unit separator: no id, key or code contains it


def among(session: Session, column: Any, values: list[Any]) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(string_to_array(:text, sep))``: one
    parameter, so that thousands of ids are neither rendered into the SQL nor parsed as
    thousands of parameters (that was a fifth of the national check's loading), and joined
    by ``str.join`` rather than dumped as an array value by value (psycopg dumps a list in
    Python, which cost the national check's workers more than the query)."""
    if session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    texts = [str(v) for v in values]
    if any(_SEP in t or not t for t in texts):  # (never, for ids; '' would split to no value): value by value
        return column == any_(literal(list(values), postgresql.ARRAY(column.type)))
    array = func.string_to_array(literal(_SEP.join(texts), Text), literal(_SEP, Text))
    return column == any_(cast(array, postgresql.ARRAY(column.type)))


def digest_columns(session: Session) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """Two values that change whenever a version's report or text does, read without reading
    them, so that a check whose results are memoized (:mod:`monitor.memo`) need not read the
    content.  PostgreSQL: the row version's ``xmin`` and ``cmin`` (any UPDATE, a re-parse or a
    correction, writes a new row version with another transaction or command id; hashing the
    JSON instead cost the server 16 µs a version, 10 s at national scale).  SQLite: 64-bit
    digests of the report JSON and the text, by a function registered on the connection."""
    v = DocumentVersion.__table__
    if session.get_bind().dialect.name == "postgresql":
        return (literal_column("document_versions.xmin::text::bigint"),
                literal_column("document_versions.cmin::text::bigint"))
    session.connection().connection.driver_connection.create_function(  # type: ignore[union-attr]
        "nb_digest", 1, _py_digest, deterministic=True)
    return func.nb_digest(cast(v.c.report, Text)), func.nb_digest(v.c.text)


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
    # plain loops, not all(<generator>): the national check asks this of 600,000 documents
    if not doc.versions or doc.first_seen > cutoff or doc.last_seen > cutoff:
        return False
    if doc.removed_at is not None and doc.removed_at > cutoff:
        return False
    for v in doc.versions:
        if v[1] > cutoff:
            return False
    for o in doc.observed:
        if o[2] > cutoff:
            return False
    for a in doc.attachments:
        if not _known_whole(a, cutoff):
            return False
    return True


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


def documents(session: Session, agency_ids: list[str], cutoff: datetime | None = None,
              lean: bool = False) -> dict[tuple[str, int], list[LoadedDoc]]:
    """The report pages per (agency, year), attachments hung on their pages, as known at ``cutoff``.

    ``lean``: the versions without their report and text (read later by :func:`fill`, for
    what the memo does not hold) but with the digests that name them (:mod:`monitor.memo`).

    A page is the report of the agency that first stored it and of every agency in
    ``document_owners`` (one URL listed by several agencies, issue 16); an attachment first
    stored under another page is hung on every page ``document_links`` links it to."""
    d, v, e = Document.__table__, DocumentVersion.__table__, Evidence.__table__
    cols = (d.c.id, d.c.agency_id, d.c.year, d.c.url, d.c.title, d.c.kind, d.c.parent_id,
            d.c.first_seen, d.c.last_seen, d.c.removed_at, d.c.removed_reason)
    by_id = {r.id: LoadedDoc(*r) for r in session.execute(select(*cols).where(among(session, d.c.agency_id, agency_ids))).all()}
    owners = _owners(session, agency_ids, cutoff)
    r: Any  # a row of one select, then of another
    shared = [i for i in owners if i not in by_id]  # another agency's documents these agencies share
    for k in range(0, len(shared), CHUNK):
        for r in session.execute(select(*cols).where(among(session, d.c.id, shared[k:k + CHUNK]))).all():
            by_id[r.id] = LoadedDoc(*r)
        for r in session.execute(select(*cols).where(among(session, d.c.parent_id, shared[k:k + CHUNK]))).all():
            by_id.setdefault(r.id, LoadedDoc(*r))  # their attachments
    links = _links(session, [i for i, doc in by_id.items() if doc.kind == "page"])
    linked = list({a for atts in links.values() for a in atts if a not in by_id})  # attached first elsewhere
    for k in range(0, len(linked), CHUNK):
        for r in session.execute(select(*cols).where(among(session, d.c.id, linked[k:k + CHUNK]))).all():
            by_id[r.id] = LoadedDoc(*r)
    if by_id:
        ids = list(by_id)
        digests = digest_columns(session) if lean else ()
        for k in range(0, len(ids), CHUNK):
            chunk = ids[k:k + CHUNK]
            if lean:
                for did, sha, fetched, vid, d1, d2 in session.execute(
                        select(v.c.document_id, v.c.sha256, v.c.fetched_at, v.c.id, *digests)
                        .where(among(session, v.c.document_id, chunk)).order_by(v.c.id)).all():
                    by_id[did].versions.append((sha, fetched, None, None, vid, d1, d2))
            else:
                # the report as its JSON text, decoded by orjson: the decoding is most of what loading costs
                for r in session.execute(select(v.c.document_id, v.c.sha256, v.c.fetched_at,
                                                cast(v.c.report, Text).label("report"), v.c.text, v.c.id)
                                         .where(among(session, v.c.document_id, chunk)).order_by(v.c.id)).all():
                    report = _json(r.report) if r.report is not None else None
                    by_id[r.document_id].versions.append((r.sha256, r.fetched_at, report, r.text, r.id, None, None))
            for did, source, value, observed_at in session.execute(
                    select(e.c.document_id, e.c.source, e.c.value, e.c.observed_at)
                    .where(among(session, e.c.document_id, chunk))).all():
                doc = by_id[did]
                doc.evidence.append((source, value))
                if cutoff is not None:
                    doc.observed.append((source, value, observed_at))
    for doc in by_id.values():
        if doc.kind == "attachment" and doc.parent_id in by_id:
            by_id[doc.parent_id].attachments.append(doc)
    for page, atts in links.items():
        by_id[page].attachments += [by_id[a] for a in atts if a in by_id and by_id[a] not in by_id[page].attachments]
    wanted = set(agency_ids)
    out: dict[tuple[str, int], list[LoadedDoc]] = defaultdict(list)
    for doc in by_id.values():
        if doc.kind == "page" and doc.year:
            known = doc if cutoff is None else as_known_at(doc, cutoff)
            if known is not None:
                first = [doc.agency_id] if doc.agency_id in wanted else []
                for aid in dict.fromkeys(first + owners.get(doc.id, [])):
                    out[(aid, doc.year)].append(known)
    return out


def fill(session: Session, docs: list[LoadedDoc], every_version: bool = False) -> None:
    """Read what a lean load left out: the report JSON and text of the latest version of these
    pages and of their attachments (what :func:`main_report` reads), or (``every_version``)
    the text of each of the pages' versions (what EDITED compares)."""
    v = DocumentVersion.__table__
    where: dict[int, list[tuple[LoadedDoc, int]]] = defaultdict(list)
    for doc in docs:
        if every_version:
            for i, ver in enumerate(doc.versions):
                where[ver[4]].append((doc, i))
        else:
            for d in [doc] + [c for c in doc.attachments if c.kind == "attachment"]:
                if d.versions:
                    where[d.versions[-1][4]].append((d, len(d.versions) - 1))
    ids = list(where)
    cols = (v.c.id, v.c.text) if every_version else (v.c.id, v.c.text, cast(v.c.report, Text))
    for k in range(0, len(ids), CHUNK):
        for r in session.execute(select(*cols).where(among(session, v.c.id, ids[k:k + CHUNK]))).all():
            for d, i in where[r[0]]:
                old = d.versions[i]
                report = old[2] if every_version else (_json(r[2]) if r[2] is not None else None)
                d.versions[i] = (old[0], old[1], report, r[1], old[4], old[5], old[6])


def _links(session: Session, page_ids: list[int]) -> dict[int, list[int]]:
    """Per page, the attachments it shares with a page that linked them first (issue 16)."""
    link = DocumentLink.__table__
    out: dict[int, list[int]] = defaultdict(list)
    for k in range(0, len(page_ids), CHUNK):
        for r in session.execute(select(link.c.page_id, link.c.attachment_id)
                                 .where(among(session, link.c.page_id, page_ids[k:k + CHUNK])).order_by(link.c.id)).all():
            out[r.page_id].append(r.attachment_id)
    return out


def _owners(session: Session, agency_ids: list[str], cutoff: datetime | None) -> dict[int, list[str]]:
    """Per document, these agencies whose report it is (issue 16: one URL can be several
    agencies' report; ``documents.agency_id`` is only the first), as known at ``cutoff``."""
    o = DocumentOwner.__table__
    out: dict[int, list[str]] = defaultdict(list)
    for k in range(0, len(agency_ids), CHUNK):
        for r in session.execute(select(o.c.document_id, o.c.agency_id, o.c.first_seen)
                                 .where(among(session, o.c.agency_id, agency_ids[k:k + CHUNK]))).all():
            if cutoff is None or r.first_seen <= cutoff:
                out[r.document_id].append(r.agency_id)
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
        for r in session.execute(q if chunk is None else q.where(among(session, ac.c.agency_id, chunk))).all():
            finished = r.finished_at or r.run_finished or r.started_at
            if cutoff is not None and finished > cutoff:
                continue
            out[r.agency_id].append(compliance.Crawl(r.id, r.outcome, finished, r.reason, r.pages, r.columns or [],
                                                     r.urls_tried or [], r.proof))
    return out


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    """A registry agency as plain data, with the attribute names of ``db.models.Agency``: the
    national check reads 100,000 of them in each process, and ORM objects cost several
    times more to load (and to send between processes) than these."""

    id: str
    name: str
    kind: str
    region: str | None
    parent_id: str | None
    site: str
    start_urls: list[Any]
    hosts: list[Any]
    deadline: str | None
    since: int | None
    active: bool


def agencies(session: Session, ids: list[str] | None = None, regions: list[str] | None = None,
             between: tuple[str, str] | None = None) -> list[AgencyInfo]:
    """The active agencies in scope, by id (``regions``: region-code prefixes; ``between``:
    ids from .. to, inclusive, a partition of the national check)."""
    t = Agency.__table__
    q = select(*(t.c[f] for f in AgencyInfo.__slots__)).where(t.c.active.is_(True)).order_by(t.c.id)
    if ids:
        q = q.where(among(session, t.c.id, ids))
    if between:
        q = q.where(t.c.id >= between[0], t.c.id <= between[1])
    return [AgencyInfo(*r) for r in session.execute(q)
            if not regions or any((r.region or "").startswith(p) for p in regions)]


def trusted_hosts(session: Session) -> tuple[str, ...]:
    """The host suffixes the registry trusts besides the agency's own and *.gov.cn."""
    row = session.get(Setting, "trusted_hosts")
    return tuple((row.value or {}).get("suffixes") or ()) if row else ()
