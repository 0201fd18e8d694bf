"""Storing what the crawler (or ``nianbao ingest``) found, and reading it back.

One entry point, :func:`store_fetch`, records a fetched page or attachment: the document
row, a new version when the content hash is new (old versions kept), the file in a
content-addressed store, the parse result and every publication-date evidence.  It is
the same path for crawled and ingested files, so both are versioned and evidenced alike.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.dates import BEIJING, publication_date
from db.fetch import Fetch as Fetch  # re-exported: the crawler and ingest build one
from db.models import (
    Agency,
    Document,
    DocumentLink,
    DocumentOwner,
    DocumentVersion,
    Evidence,
    utcnow,
)
from db.reparse import needs_reparse, refresh_version
from db.store_new import insert_new

EXTENSIONS = {"pdf": "pdf", "docx": "docx", "doc": "doc", "wps": "wps", "xlsx": "xlsx", "xls": "xls", "et": "et",
        "html": "html", "text": "txt", "rtf": "rtf", "png": "png", "jpeg": "jpg"}


@dataclass(slots=True)
class Stored:
    document: Document
    version: DocumentVersion
    new_document: bool
    new_version: bool


class FileStore:
    """Content-addressed files under ``root`` (``ab/abcdef….pdf``)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @staticmethod
    def relative_path(sha: str, kind: str) -> str:
        """``ab/abcdef….pdf``: where content with this sha256 and type is stored."""
        return f"{sha[:2]}/{sha}.{EXTENSIONS.get(kind, 'bin')}"

    def put(self, data: bytes, sha: str, kind: str) -> str:
        rel = self.relative_path(sha, kind)
        path = self.root / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # a per-process temporary name: workers sharing the directory never write one file
            tmp = path.with_suffix(f"{path.suffix}.{os.getpid()}.part")
            tmp.write_bytes(data)
            tmp.replace(path)
        return str(rel)


def store_fetch(session: Session, fetch: Fetch, files: FileStore | None, run_id: int | None = None) -> Stored:
    """Record one fetched document (see module docstring); flushes, does not commit.

    A document this call inserts has, until the transaction commits, no owner, version or
    evidence any other transaction can see or add (their rows reference it): those rows are
    inserted without looking for existing ones and without savepoints.  Only the document
    row itself can race with another worker (the same URL at the same moment).
    """
    sha = hashlib.sha256(fetch.body).hexdigest()
    doc = session.scalar(select(Document).where(Document.url == fetch.url))
    new_document = doc is None
    if doc is None:  # the common case of a crawl: rows inserted by Core (db/store_new.py)
        rows = insert_new(session, fetch, sha, fetch_evidence(fetch, True), run_id,
                          lambda: files.put(fetch.body, sha, fetch.detected_type) if files else None)
        if rows is not None:
            return Stored(rows[0], rows[1], True, True)
    if doc is None:
        parent = None
        if fetch.parent_url:
            parent = session.scalar(select(Document).where(Document.url == fetch.parent_url))
        doc = Document(agency_id=fetch.agency_id, url=fetch.url, kind=fetch.kind, first_seen=fetch.seen_at,
                       last_seen=fetch.seen_at, host=urlsplit(fetch.url).hostname, parent_id=parent.id if parent else None,
                       last_status=fetch.status, title=fetch.title or None, year=fetch.year or None,
                       report_agency=fetch.report_agency or None, etag=fetch.etag or None,
                       last_modified=fetch.last_modified or None, evidence=[])
        # Concurrency (crawler/jobs, H14): another worker may insert this URL at the same
        # moment; insert in a savepoint and, on the unique-constraint race, use its row.
        try:
            with session.begin_nested():
                session.add(doc)
        except IntegrityError:
            doc = session.scalars(select(Document).where(Document.url == fetch.url)).one()
            new_document = False
    if not new_document:
        _refresh_document(doc, fetch)
        session.flush()
    if fetch.kind == "page":
        if new_document:
            session.add(DocumentOwner(document_id=doc.id, agency_id=fetch.agency_id, first_seen=fetch.seen_at,
                                      run_id=run_id))
        else:
            add_owner(session, doc, fetch.agency_id, fetch.seen_at, run_id)
    elif fetch.parent_url and not new_document:  # an attachment another page linked first: this one's too
        link_attachment(session, doc, fetch.parent_url, fetch.seen_at)
    version = None if new_document else session.scalar(
        select(DocumentVersion).where(DocumentVersion.document_id == doc.id, DocumentVersion.sha256 == sha)
    )
    new_version = version is None
    if version is None:
        version = DocumentVersion(
            document_id=doc.id, sha256=sha, size=len(fetch.body), detected_type=fetch.detected_type,
            stored_path=files.put(fetch.body, sha, fetch.detected_type) if files else None,
            fetched_at=fetch.seen_at, parse_status="error" if fetch.parse_error else ("ok" if fetch.report else "skipped"),
            parse_error=fetch.parse_error, report=fetch.report, text=fetch.text,
            parse_failure=fetch.parse_failure if fetch.parse_error else None, parser_version=fetch.parser_version,
        )
        if new_document:
            session.add(version)
        else:
            try:  # the same race for (document, sha256): keep the version the other worker stored
                with session.begin_nested():
                    session.add(version)
            except IntegrityError:
                version = session.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc.id,
                                                                        DocumentVersion.sha256 == sha)).one()
                new_version = False
    elif needs_reparse(version):  # same bytes, but the last parse failed for a passing reason
        refresh_version(version, fetch)
    evidence = fetch_evidence(fetch, new_document)
    if new_document:  # its evidence collection is known empty (no load, no race)
        add_evidence(session, doc, evidence, run_id, fetch.seen_at)
    else:
        try:  # and for evidence (document, source, value): on the race, reload and add what is left
            with session.begin_nested():
                add_evidence(session, doc, evidence, run_id, fetch.seen_at)
        except IntegrityError:
            session.expire(doc, ["evidence"])
            add_evidence(session, doc, evidence, run_id, fetch.seen_at)
    session.flush()
    return Stored(doc, version, new_document, new_version)


def fetch_evidence(fetch: Fetch, new_document: bool) -> list[tuple[str, str]]:
    """The date evidence a fetch brings: what was read from it, its first sighting (for a
    new document), the HTTP Last-Modified date and the date the report is signed."""
    evidence = list(fetch.evidence)
    if new_document:
        evidence.append(("first_seen", fetch.seen_at.isoformat(timespec="seconds")))
    if fetch.last_modified:
        lm = _http_date(fetch.last_modified)
        if lm:
            evidence.append(("http:last-modified", lm))
    signed = (fetch.report or {}).get("signed_date")
    if signed:
        evidence.append(("signed", signed))
    return evidence


def _refresh_document(doc: Document, fetch: Fetch) -> None:
    """A document seen again: last seen, status and what the new fetch knows."""
    doc.last_seen = max(doc.last_seen, fetch.seen_at)
    doc.last_status = fetch.status
    doc.removed_at = None
    doc.removed_reason = None
    if fetch.title:
        doc.title = fetch.title
    if fetch.year:
        doc.year = fetch.year
    if fetch.report_agency:
        doc.report_agency = fetch.report_agency
    doc.etag = fetch.etag or doc.etag
    doc.last_modified = fetch.last_modified or doc.last_modified


def add_owner(session: Session, doc: Document, agency_id: str, seen_at: datetime | None = None,
              run_id: int | None = None) -> bool:
    """Record that ``doc`` is ``agency_id``'s report too (issue 16: one URL, several agencies);
    True when the agency is a new owner.  Flushes, does not commit."""
    have = session.scalar(select(DocumentOwner.id).where(DocumentOwner.document_id == doc.id,
                                                         DocumentOwner.agency_id == agency_id))
    if have is not None:
        return False
    try:  # the race of two workers storing the same report for the same agency: one row
        with session.begin_nested():
            session.add(DocumentOwner(document_id=doc.id, agency_id=agency_id, first_seen=seen_at or utcnow(),
                                      run_id=run_id))
    except IntegrityError:
        return False
    return True


def link_attachment(session: Session, attachment: Document, page_url: str, seen_at: datetime | None = None) -> bool:
    """Record that the page at ``page_url`` attaches ``attachment`` too (its parent is another
    page): True when the link is new.  Flushes, does not commit."""
    page = session.scalar(select(Document).where(Document.url == page_url))
    if page is None or page.id in (attachment.parent_id, attachment.id):
        return False
    have = session.scalar(select(DocumentLink.id).where(DocumentLink.page_id == page.id,
                                                        DocumentLink.attachment_id == attachment.id))
    if have is not None:
        return False
    try:
        with session.begin_nested():
            session.add(DocumentLink(page_id=page.id, attachment_id=attachment.id, first_seen=seen_at or utcnow()))
    except IntegrityError:
        return False
    session.expire(page, ["linked"])
    return True


def claim_document(session: Session, url: str, agency_id: str, seen_at: datetime | None = None,
                   run_id: int | None = None) -> bool | None:
    """A report already fetched (for another agency) listed by ``agency_id`` too: its owner
    from now on.  None when no document has that URL (yet), else whether the owner is new."""
    doc = session.scalar(select(Document).where(Document.url == url))
    if doc is None:
        return None
    doc.last_seen = max(doc.last_seen, seen_at or utcnow())
    return add_owner(session, doc, agency_id, seen_at, run_id)


def owners_of(doc: Document) -> list[str]:
    """The agencies whose report ``doc`` is: the first owner, then the others as found."""
    return list(dict.fromkeys([doc.agency_id, *(o.agency_id for o in doc.owners)]))


def add_evidence(session: Session, doc: Document, items: list[tuple[str, str]], run_id: int | None,
                 at: datetime | None = None) -> None:
    """New date evidence, observed when the fetch was made (``at``; default now): an
    ingested file's evidence is known from its first-seen time, as ``--as-of`` expects."""
    have = {(e.source, e.value) for e in doc.evidence}
    for source, value in items:
        if (source, value) not in have:
            doc.evidence.append(Evidence(source=source, value=value, run_id=run_id, observed_at=at or utcnow()))
            have.add((source, value))


def _http_date(value: str) -> str | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).astimezone(BEIJING).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def mark_removed(session: Session, doc: Document, reason: str, when: datetime | None = None) -> None:
    if doc.removed_at is None:
        doc.removed_at = when or utcnow()
        doc.removed_reason = reason


def published(evidence: list[Evidence]) -> dict[str, Any] | None:
    """The displayed publication date with its source: :func:`db.dates.publication_date`."""
    choice = publication_date([(e.source, e.value) for e in evidence])
    if choice is None:
        return None
    out: dict[str, Any] = {"date": choice.day.isoformat(), "source": choice.source}
    if choice.conflict:
        out["conflict"] = choice.evidence()
    return out


def _best_version(doc: Document) -> DocumentVersion | None:
    return doc.versions[-1] if doc.versions else None


def reports(session: Session, agency: str | None = None, year: int | None = None) -> list[dict[str, Any]]:
    """The stored reports as the JSON of ``nianbao reports --json`` (spec/interfaces.md)."""
    q = select(Document).where(Document.kind == "page").order_by(Document.agency_id, Document.year, Document.url)
    if agency:  # the agency's own documents and those it shares with another (issue 16)
        q = q.where(or_(Document.agency_id == agency, Document.id.in_(
            select(DocumentOwner.document_id).where(DocumentOwner.agency_id == agency))))
    if year:
        q = q.where(Document.year == year)
    out: list[dict[str, Any]] = []
    for doc in session.scalars(q):
        for owner in owners_of(doc):
            if agency is None or owner == agency:
                out.append(_report_row(doc, owner))
    out.sort(key=lambda r: r["agency"])  # stable: year and URL order kept within an agency
    return out


def _report_row(doc: Document, owner: str) -> dict[str, Any]:
    """One stored report of one agency as in ``nianbao reports --json``."""
    version = _best_version(doc)
    children = [c for c in dict.fromkeys([*doc.attachments, *doc.linked]) if c.kind == "attachment"]
    # the document holding the tables decides format and parse status
    candidates = [v for v in (version, *(_best_version(c) for c in children)) if v is not None]
    with_tables = [v for v in candidates if v.report and any(v.report.get("tables", {}).values())]
    main = next(iter(with_tables or candidates), None)
    ev = list(doc.evidence)
    first = next((e.value for e in ev if e.source == "first_seen"), None)
    return {
        "agency": owner,
        "report_agency": doc.report_agency,
        "year": doc.year,
        "title": doc.title,
        "url": doc.url,
        "attachments": [
            {"url": c.url, "sha256": v.sha256, "type": v.detected_type,
             "stored_path": v.stored_path, "parse_status": v.parse_status}
            for c in children if (v := _best_version(c)) is not None
        ],
        "first_seen": _beijing(first),
        "published": published(ev),
        "format": (main.report or {}).get("format") if main else None,
        "parse_status": main.parse_status if main else "missing",
        "versions": len(doc.versions),
        "removed": doc.removed_at.isoformat(timespec="seconds") if doc.removed_at else None,
        "evidence": [{"source": e.source, "value": e.value} for e in sorted(ev, key=lambda e: e.source)],
    }


def _beijing(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BEIJING).isoformat(timespec="seconds")


def agency_exists(session: Session, agency_id: str) -> bool:
    return session.get(Agency, agency_id) is not None
