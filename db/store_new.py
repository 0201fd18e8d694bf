"""A document new to the database, stored by Core inserts: :func:`db.store.store_fetch`'s
common case in a crawl (round 5: its CPU per page, issue 14).

Through the ORM a new report cost about 6.5 ms of the crawl process's CPU (the unit of
work flushing a document, its owner, its version and its evidence, a savepoint around the
document), the largest part of a crawled page's cost.  Here the same rows are inserted
with plain ``INSERT``s: the document with ``ON CONFLICT (url) DO NOTHING`` (PostgreSQL,
SQLite) instead of a savepoint — another worker inserting the same URL at the same moment
makes it insert nothing, and the caller then stores the fetch as a document seen again,
as the savepoint's ``IntegrityError`` did — then its owner, version and evidence, which
no other transaction can see or race on before this one commits.

The document and version handed back are ORM objects made persistent without a query
(:func:`sqlalchemy.orm.make_transient_to_detached`): every column set as inserted, their
collections loaded from the database when first read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from db.fetch import Fetch
from db.models import Document, DocumentOwner, DocumentVersion, Evidence

_TABLES = Document.metadata.tables
_DOCUMENTS, _VERSIONS = _TABLES["documents"], _TABLES["document_versions"]
# built once and executed with their parameters on the session's connection: no statement
# built per row, no ORM execution context (both were a good part of the per-row cost)
_NEW_DOCUMENT = {name: dml.insert(_DOCUMENTS).on_conflict_do_nothing(index_elements=["url"]).returning(_DOCUMENTS.c.id)
                 for name, dml in (("postgresql", postgresql), ("sqlite", sqlite))}
_NEW_OWNER = insert(_TABLES[DocumentOwner.__tablename__])
_NEW_VERSION = insert(_VERSIONS).returning(_VERSIONS.c.id)
_NEW_EVIDENCE = insert(_TABLES[Evidence.__tablename__])
_PARENT = select(_DOCUMENTS.c.id).where(_DOCUMENTS.c.url == bindparam("url"))


def insert_new(session: Session, fetch: Fetch, sha: str, evidence: list[tuple[str, str]], run_id: int | None,
               stored_path: Callable[[], str | None]) -> tuple[Document, DocumentVersion] | None:
    """Insert ``fetch`` as a new document with its owner (a page), version and evidence;
    None, with nothing inserted, when the URL exists after all (another worker's row, or
    a backend without ``ON CONFLICT``: the caller's savepoint path handles both)."""
    conn = session.connection()
    new_document = _NEW_DOCUMENT.get(conn.dialect.name)
    if new_document is None:
        return None
    parent_id = conn.execute(_PARENT, {"url": fetch.parent_url}).scalar() if fetch.parent_url else None
    values: dict[str, Any] = {
        "agency_id": fetch.agency_id, "url": fetch.url, "kind": fetch.kind, "first_seen": fetch.seen_at,
        "last_seen": fetch.seen_at, "host": urlsplit(fetch.url).hostname, "parent_id": parent_id,
        "last_status": fetch.status, "title": fetch.title or None, "year": fetch.year or None,
        "report_agency": fetch.report_agency or None, "etag": fetch.etag or None,
        "last_modified": fetch.last_modified or None, "removed_at": None, "removed_reason": None}
    doc_id = conn.execute(new_document, values).scalar()
    if doc_id is None:
        return None
    if fetch.kind == "page":
        conn.execute(_NEW_OWNER, {"document_id": doc_id, "agency_id": fetch.agency_id, "first_seen": fetch.seen_at,
                                  "run_id": run_id})
    version_values: dict[str, Any] = {
        "document_id": doc_id, "sha256": sha, "size": len(fetch.body), "detected_type": fetch.detected_type,
        "stored_path": stored_path(), "fetched_at": fetch.seen_at,
        "parse_status": "error" if fetch.parse_error else ("ok" if fetch.report else "skipped"),
        "parse_error": fetch.parse_error, "parse_failure": fetch.parse_failure if fetch.parse_error else None,
        "parser_version": fetch.parser_version, "parse_attempts": 1, "report": fetch.report, "text": fetch.text}
    version_id = conn.execute(_NEW_VERSION, version_values).scalar_one()
    rows = [{"document_id": doc_id, "source": source, "value": value, "run_id": run_id,
             "observed_at": fetch.seen_at, "detail": None} for source, value in dict.fromkeys(evidence)]
    if rows:
        conn.execute(_NEW_EVIDENCE, rows)
    doc = Document(id=doc_id, **values)
    version = DocumentVersion(id=version_id, **version_values)
    for obj in (doc, version):  # persistent as inserted: no flush, no query
        make_transient_to_detached(obj)
        session.add(obj)
    return doc, version
