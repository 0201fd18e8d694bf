"""Storing what the crawler (or ``nianbao ingest``) found, and reading it back.

One entry point, :func:`store_fetch`, records a fetched page or attachment: the document
row, a new version when the content hash is new (old versions kept), the file in a
content-addressed store, the parse result and every publication-date evidence.  It is
the same path for crawled and ingested files, so both are versioned and evidenced alike.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.dates import BEIJING, publication_date
from db.models import Agency, AgencyCrawl, CrawlRun, Document, DocumentVersion, Evidence, utcnow

EXTENSIONS = {"pdf": "pdf", "docx": "docx", "doc": "doc", "wps": "wps", "xlsx": "xlsx", "xls": "xls", "et": "et",
        "html": "html", "text": "txt", "rtf": "rtf", "png": "png", "jpeg": "jpg"}


@dataclass(slots=True)
class Fetch:
    """One fetched document, as handed to :func:`store_fetch`."""

    agency_id: str
    url: str
    body: bytes
    kind: str = "page"  # page | attachment
    detected_type: str = "html"
    title: str | None = None
    year: int | None = None
    report_agency: str | None = None
    status: int | None = 200
    etag: str | None = None
    last_modified: str | None = None
    parent_url: str | None = None
    report: dict[str, Any] | None = None  # parse result JSON
    parse_error: str | None = None
    text: str | None = None
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (source, ISO date)
    seen_at: datetime = field(default_factory=utcnow)


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
    """Record one fetched document (see module docstring); flushes, does not commit."""
    sha = hashlib.sha256(fetch.body).hexdigest()
    doc = session.scalar(select(Document).where(Document.url == fetch.url))
    new_document = doc is None
    if doc is None:
        parent = None
        if fetch.parent_url:
            parent = session.scalar(select(Document).where(Document.url == fetch.parent_url))
        doc = Document(agency_id=fetch.agency_id, url=fetch.url, kind=fetch.kind, first_seen=fetch.seen_at,
                       last_seen=fetch.seen_at, host=urlsplit(fetch.url).hostname, parent_id=parent.id if parent else None)
        # Concurrency (crawler/jobs, H14): another worker may insert this URL at the same
        # moment; insert in a savepoint and, on the unique-constraint race, use its row.
        try:
            with session.begin_nested():
                session.add(doc)
        except IntegrityError:
            doc = session.scalar(select(Document).where(Document.url == fetch.url))
            new_document = False
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
    session.flush()
    version = session.scalar(
        select(DocumentVersion).where(DocumentVersion.document_id == doc.id, DocumentVersion.sha256 == sha)
    )
    new_version = version is None
    if version is None:
        version = DocumentVersion(
            document_id=doc.id, sha256=sha, size=len(fetch.body), detected_type=fetch.detected_type,
            stored_path=files.put(fetch.body, sha, fetch.detected_type) if files else None,
            fetched_at=fetch.seen_at, parse_status="error" if fetch.parse_error else ("ok" if fetch.report else "skipped"),
            parse_error=fetch.parse_error, report=fetch.report, text=fetch.text,
        )
        try:  # the same race for (document, sha256): keep the version the other worker stored
            with session.begin_nested():
                session.add(version)
        except IntegrityError:
            version = session.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id,
                                                                   DocumentVersion.sha256 == sha))
            new_version = False
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
    try:  # and for evidence (document, source, value): on the race, reload and add what is left
        with session.begin_nested():
            add_evidence(session, doc, evidence, run_id, fetch.seen_at)
    except IntegrityError:
        session.expire(doc, ["evidence"])
        add_evidence(session, doc, evidence, run_id, fetch.seen_at)
    session.flush()
    return Stored(doc, version, new_document, new_version)


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
    """One agency's outcome of a run, with the spider's proof of absence (COMMON.md contract 1).

    Keys of the spider's outcome that are not columns (e.g. the outcome's reason kind) are
    kept inside ``proof`` rather than dropped, so nothing the crawl recorded is lost.
    """
    extra = {k: values.pop(k) for k in list(values) if k not in CRAWL_FIELDS}
    if extra and proof is not None:
        proof = {**proof, "outcome_extra": extra}
    row = AgencyCrawl(run_id=run_id, agency_id=agency_id, finished_at=utcnow(), proof=proof, **values)
    session.add(row)
    return row


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
    if agency:
        q = q.where(Document.agency_id == agency)
    if year:
        q = q.where(Document.year == year)
    out: list[dict[str, Any]] = []
    for doc in session.scalars(q):
        version = _best_version(doc)
        children = [c for c in doc.attachments if c.kind == "attachment"]
        # the document holding the tables decides format and parse status
        candidates = [v for v in (version, *(_best_version(c) for c in children)) if v is not None]
        with_tables = [v for v in candidates if v.report and any(v.report.get("tables", {}).values())]
        main = (with_tables or candidates or [None])[0]
        ev = list(doc.evidence)
        first = next((e.value for e in ev if e.source == "first_seen"), None)
        out.append({
            "agency": doc.agency_id,
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
        })
    return out


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
