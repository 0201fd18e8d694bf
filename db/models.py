"""SQLAlchemy 2 typed models: agencies, crawls, documents and their versions, evidence.

A *document* is one URL an agency published (an article page or an attachment); each
distinct content seen at that URL is a *version* (sha256), old ones kept.  Publication
dates are *evidence* rows, one per source, never a single field.  Findings have their
table here so the monitor can keep them stable across runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Agency(Base):
    """One agency of the registry (synced from YAML; ``active`` False once it left it)."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(20))
    parent_id: Mapped[str | None] = mapped_column(String(100))
    site: Mapped[str] = mapped_column(String(500))
    start_urls: Mapped[list[Any]] = mapped_column(default=list)
    hosts: Mapped[list[Any]] = mapped_column(default=list)
    deadline: Mapped[str | None] = mapped_column(String(5))
    since: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """Registry-wide settings kept for the monitor (e.g. deadline defaults and overrides)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CrawlRun(Base):
    """One ``nianbao crawl`` invocation."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # running | done | failed | killed (its process died: finished agencies keep their outcomes)
    status: Mapped[str] = mapped_column(String(20), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class AgencyCrawl(Base):
    """The outcome of one run for one agency: the evidence behind MISSING/UNREACHABLE."""

    __tablename__ = "agency_crawls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    # ok | unreachable | store_failed (found, but not all of it could be saved: not proof)
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    reason: Mapped[str | None] = mapped_column(Text)
    urls_tried: Mapped[list[Any]] = mapped_column(default=list)  # [{url, status|error, at}]
    columns: Mapped[list[Any]] = mapped_column(default=list)  # 年报 columns crawled
    pages: Mapped[int] = mapped_column(Integer, default=0)
    reports_found: Mapped[int] = mapped_column(Integer, default=0)
    # what the crawl proved about the agency's report column (COMMON.md contract 1); None: no proof
    proof: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Document(Base):
    """A URL holding a report page or an attachment of one; versions hold the content."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("url", name="uq_documents_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # page | attachment
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    report_agency: Mapped[str | None] = mapped_column(String(200))  # the organ named in the title
    host: Mapped[str | None] = mapped_column(String(300))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[int | None] = mapped_column(Integer)
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.id", cascade="all, delete-orphan"
    )
    evidence: Mapped[list[Evidence]] = relationship(back_populates="document", cascade="all, delete-orphan")
    attachments: Mapped[list[Document]] = relationship(order_by="Document.id")
    owners: Mapped[list[DocumentOwner]] = relationship(back_populates="document", order_by="DocumentOwner.id",
                                                       cascade="all, delete-orphan")
    # attachments this page links that another page linked first (their parent): shared files
    linked: Mapped[list[Document]] = relationship(
        secondary="document_links", primaryjoin="Document.id == DocumentLink.page_id",
        secondaryjoin="Document.id == DocumentLink.attachment_id", order_by="Document.id", viewonly=True)


class DocumentOwner(Base):
    """An agency whose report a document is (issue 16, migration 0008).

    One URL can be two agencies' report: a portal serving its departments, a department
    linking its government's report.  The document (its versions, file and evidence) is
    stored once; each agency that published it has a row here, with when the crawl first
    found it as that agency's.  ``documents.agency_id`` stays the first owner.
    """

    __tablename__ = "document_owners"
    __table_args__ = (UniqueConstraint("document_id", "agency_id", name="uq_document_owners"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))

    document: Mapped[Document] = relationship(back_populates="owners")


class DocumentLink(Base):
    """A page linking an attachment whose ``parent_id`` is another page (issue 16): a
    department's article attaching its government's PDF has the PDF as its attachment too,
    stored once (migration 0008)."""

    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("page_id", "attachment_id", name="uq_document_links"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentVersion(Base):
    """One content of a document (by sha256), with its parse result."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "sha256", name="uq_versions_document_sha"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    detected_type: Mapped[str] = mapped_column(String(20))
    stored_path: Mapped[str | None] = mapped_column(String(1000))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    parse_status: Mapped[str] = mapped_column(String(20))  # ok | error | skipped
    parse_error: Mapped[str | None] = mapped_column(Text)
    # with an error: transient (parsed again by the next crawl / `nianbao reparse`) | permanent
    parse_failure: Mapped[str | None] = mapped_column(String(20))  # migration 0009
    parser_version: Mapped[str | None] = mapped_column(String(20))  # parsing.api.PARSER_VERSION
    parse_attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="versions")


class Evidence(Base):
    """A publication date from one source: first_seen, meta:PubDate, page:date, signed, url,
    http:last-modified, list:date, ingest."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("document_id", "source", "value", name="uq_evidence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    source: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(40))  # ISO date or datetime
    observed_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    detail: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="evidence")


class OutboxMessage(Base):
    """A digest email waiting to be sent, sent, or given up on; one per recipient and period."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("recipient", "period", name="uq_outbox_recipient_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(40))  # e.g. 2026-W47
    subject: Mapped[str] = mapped_column(Text)
    message: Mapped[bytes] = mapped_column(LargeBinary)  # the .eml
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Finding(Base):
    """A monitor finding, stable by ``key`` across runs (filled by the monitor)."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("key", name="uq_findings_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved | dismissed
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    dismissed_reason: Mapped[str | None] = mapped_column(Text)


class SchedulerJob(Base):
    """APScheduler 3's job store table, created by our migrations (never by create_all)."""

    __tablename__ = "apscheduler_jobs"

    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)


# ---------------------------------------------------------------- dashboard (issue 12, migration 0006)
Index("ix_findings_status", Finding.status)


class FindingEvent(Base):
    """A person's dismissal of a finding, or the undoing of one: who, when, why (the dashboard's writes)."""

    __tablename__ = "finding_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # dismiss | undo
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    via: Mapped[str | None] = mapped_column(String(100))  # e.g. "dashboard 127.0.0.1"
    previous_status: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSketch(Base):
    """A few hashes of a report's sentences (bottom-k) and its tables' signature, kept by the
    incremental check (monitor/incremental.py, H14) to find which untouched agencies' reports
    a new or changed report may duplicate, without reading every report again."""

    __tablename__ = "report_sketches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[str] = mapped_column(String(100), index=True)
    year: Mapped[int] = mapped_column(Integer)
    hash: Mapped[int] = mapped_column(BigInteger, index=True)  # signed 64-bit; kind 't' = tables signature
    kind: Mapped[str] = mapped_column(String(1))  # s: sentence | t: tables


class Judgement(Base):
    """What the content rules decided about one report, memoized (monitor/memo.py, issue 14).

    The rules on a report, the wrong-document test and the duplicate fingerprint are pure
    functions of the stored content, the agency's name, the year and the rules' code; ``key``
    hashes all of them (the rules as a fingerprint of their source, ``rules``), so a changed
    rule or a re-parsed version is a new key and never a stale result.  A cache: deleting
    any row only makes the next check judge that report again."""

    __tablename__ = "judgements"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the inputs
    rules: Mapped[str] = mapped_column(String(16), index=True)  # the rules fingerprint it was made with
    result: Mapped[str] = mapped_column(Text)  # JSON: drafts, whether a report, fingerprint
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    agency_id: Mapped[str | None] = mapped_column(String(100), index=True)  # whose check judged it: read by agency


# ---------------------------------------------------------------- the incremental check (issue 14, migration 0011)
# what changed since the last check is a range on these timestamps (monitor/touched.py)
Index("ix_documents_first_seen", Document.first_seen)
Index("ix_documents_last_seen", Document.last_seen)
Index("ix_documents_removed_at", Document.removed_at)
Index("ix_document_versions_fetched_at", DocumentVersion.fetched_at)
Index("ix_evidence_observed_at", Evidence.observed_at)
Index("ix_agency_crawls_finished_at", AgencyCrawl.finished_at)
Index("ix_agencies_updated_at", Agency.updated_at)
Index("ix_agencies_active", Agency.active)  # the few that left the registry (monitor/sketches.py)
Index("ix_document_owners_first_seen", DocumentOwner.first_seen)
Index("ix_document_links_first_seen", DocumentLink.first_seen)
# the other side of a DUPLICATE_CONTENT finding (monitor/sketches.py)
Index("ix_findings_other_agency", Finding.evidence["other_agency"].as_string())


class DocumentState(Base):
    """A digest of what the check reads of a document besides its timestamps (year, title,
    URL, removal, versions and how often each was parsed), as the last incremental check
    judged it (monitor/states.py, migration 0011).  A crawl sees most reports again and
    stamps ``last_seen``: when the digest is unchanged, nothing the check reads changed."""

    __tablename__ = "document_states"

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    digest: Mapped[int] = mapped_column(BigInteger)  # signed 64-bit
