"""What the spider yields: one report page (or a report file linked directly) per item."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReportPage:
    """A report found on an agency's site.

    ``kind``: ``page`` (article page, maybe with attachments), ``file`` (the list links the
    file itself), ``gone`` (a report URL answering 404/soft 404), ``unlisted`` (a stored
    report still online but no longer linked from its column), ``owner`` (a report already
    fetched in this crawl, listed by this agency too: stored once, owned by both).
    """

    agency_id: str
    url: str
    kind: str = "page"
    body: bytes | None = None
    status: int | None = 200
    etag: str | None = None
    last_modified: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    file_urls: list[str] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)  # of file_urls: the body's pictures (tables as images)
    files: list[dict] = field(default_factory=list)  # filled by the files pipeline
    gone_reason: str | None = None
