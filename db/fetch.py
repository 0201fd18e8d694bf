"""What a crawler or ``nianbao ingest`` hands to :func:`db.store.store_fetch`: plain data.

Its own module so that :mod:`db.reparse` (which renews a version from a fetch) and
:mod:`db.store` (which calls it) both use it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from db.models import utcnow


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
    parse_failure: str | None = None  # with parse_error: transient | permanent (db/reparse.py)
    parser_version: str | None = None  # None: not parsed
    text: str | None = None
    evidence: list[tuple[str, str]] = field(default_factory=list)  # (source, ISO date)
    seen_at: datetime = field(default_factory=utcnow)
