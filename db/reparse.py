"""Parsing a stored version again: which versions, and how the new result is kept.

A parse that failed for a transient reason (timeout, busy LibreOffice, killed worker;
``parse_failure == "transient"``) is renewed by the next crawl that fetches the same
bytes (:func:`refresh_version`, called by :func:`db.store.store_fetch`) and by
``nianbao reparse``; a parser upgrade renews results with ``nianbao reparse
--since-version`` (:func:`versions_to_reparse`).  The version row is updated in place:
its bytes are the same, only what the parser made of them changes.
"""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.fetch import Fetch
from db.models import Document, DocumentVersion

TRANSIENT = "transient"


def version_key(version: str | None) -> tuple[int, ...]:
    """``"2.10"`` → ``(2, 10)``; no version (parsed before versions were kept) sorts first."""
    if not version:
        return ()
    return tuple(int(n) for n in re.findall(r"\d+", version))


def needs_reparse(version: DocumentVersion) -> bool:
    """True for a version whose last parse failed transiently."""
    return version.parse_status == "error" and version.parse_failure == TRANSIENT


def refresh_version(version: DocumentVersion, fetch: Fetch) -> bool:
    """Keep ``fetch``'s parse result (same bytes, parsed again) on ``version``.

    Only what the parser made changes; where the bytes are stored, when they were first
    fetched and the version's identity stay.  Returns True when the result was kept: a
    transient failure after a success never replaces that success.
    """
    if fetch.parser_version is None:  # not parsed this time
        return False
    if fetch.parse_error and fetch.parse_failure == TRANSIENT and version.parse_status == "ok":
        return False
    version.parse_status = "error" if fetch.parse_error else ("ok" if fetch.report else "skipped")
    version.parse_error = fetch.parse_error
    version.parse_failure = fetch.parse_failure if fetch.parse_error else None
    version.report = fetch.report
    version.text = fetch.text
    version.parser_version = fetch.parser_version
    version.parse_attempts = (version.parse_attempts or 1) + 1
    return True


def versions_to_reparse(session: Session, agency: str | None = None,
                        since_version: str | None = None) -> list[int]:
    """Ids of the stored versions to parse again, oldest first: every transient failure,
    and with ``since_version`` every parsed version whose parser is older than it (or kept
    no version: parsed before versions were recorded)."""
    q = (select(DocumentVersion.id, DocumentVersion.parse_status, DocumentVersion.parse_failure,
                DocumentVersion.parser_version)
         .join(Document, DocumentVersion.document_id == Document.id).order_by(DocumentVersion.id))
    if agency:
        q = q.where(Document.agency_id == agency)
    transient = (DocumentVersion.parse_status == "error") & (DocumentVersion.parse_failure == TRANSIENT)
    q = q.where(transient if since_version is None else or_(transient, DocumentVersion.parse_status != "skipped"))
    floor = version_key(since_version) if since_version is not None else None
    return [vid for vid, status, failure, parsed_by in session.execute(q)
            if (status == "error" and failure == TRANSIENT) or (floor is not None and version_key(parsed_by) < floor)]
