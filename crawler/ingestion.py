"""From fetched bytes to a :class:`db.store.Fetch`: parse (guarded) and collect evidence.

Shared by the crawl pipeline and ``nianbao ingest`` so that a file obtained elsewhere is
parsed, versioned and evidenced exactly like a crawled one.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from db.store import Fetch, FileStore, Stored, store_fetch
from parsing.api import PARSER_VERSION, parse_guarded
from parsing.errors import PERMANENT
from parsing.evidence import page_evidence, url_date
from parsing.meta import agency_from_title, title_year
from parsing.pool import ParserPool
from parsing.readers.html import decode_html
from parsing.sniff import sniff

PARSE_TIMEOUT = 120.0
_TAG_RE = re.compile(r"<[^>]+>")


def build_fetch(
    agency_id: str,
    url: str,
    body: bytes,
    *,
    kind: str = "page",
    seen_at: datetime,
    status: int | None = 200,
    etag: str | None = None,
    last_modified: str | None = None,
    list_title: str | None = None,
    list_date: str | None = None,
    parent_url: str | None = None,
    parse: bool = True,
    timeout: float = PARSE_TIMEOUT,
    parser: ParserPool | None = None,
) -> Fetch:
    """Parse ``body`` (a report page or attachment) and gather its date evidence."""
    detected = sniff(body)
    fetch = Fetch(agency_id=agency_id, url=url, body=body, kind=kind, detected_type=detected, status=status,
                  etag=etag, last_modified=last_modified, parent_url=parent_url, seen_at=seen_at)
    title = list_title
    if parse:
        report = parser.parse(body) if parser is not None else parse_guarded(body, timeout=timeout)
        data = report.to_json()
        fetch.parser_version = PARSER_VERSION
        if report.error:
            fetch.parse_error = report.error
            fetch.parse_failure = report.failure or PERMANENT
            # an article page that only links its attachment is still a report page
            fetch.report = data if report.title else None
        else:
            fetch.report = data
        fetch.text = report.text[:200_000] if report.text else None
        if report.main_text:  # extracted in the parser's process, off the crawler's thread
            fetch.text = report.main_text
        title = list_title or report.title
        if detected == "html":
            # the date line often sits outside the article body: search the whole page
            whole = _TAG_RE.sub(" ", decode_html(body[:400_000])[0])
            fetch.evidence.extend(page_evidence(url, report.page_meta, whole))
    if not any(source == "url" for source, _ in fetch.evidence) and (iso := url_date(url)):
        fetch.evidence.append(("url", iso))
    if list_date:
        fetch.evidence.append(("list:date", list_date))
    fetch.evidence = distrust_migrated_pubdate(fetch.evidence)
    fetch.title = title
    fetch.year = title_year(title) or ((fetch.report or {}).get("year") if fetch.report else None)
    fetch.report_agency = agency_from_title(title)
    return fetch


def ingest_file(session: Session, agency_id: str, body: bytes, url: str, seen_at: datetime,
                files: FileStore) -> tuple[Fetch, Stored]:
    """Store a report file obtained elsewhere (``nianbao ingest``) exactly as a crawled one:
    parsed, versioned, with the given first-seen date recorded as ``ingest`` evidence (the
    only date the monitor has for it besides what the document says)."""
    fetch = build_fetch(agency_id, url, body, seen_at=seen_at)
    fetch.evidence.append(("ingest", seen_at.date().isoformat()))
    return fetch, store_fetch(session, fetch, files)


def stack_images(bodies: list[bytes]) -> bytes | None:
    """An article's pictures stacked top to bottom into one PNG, so that tables split over
    several pictures are read by OCR as one (None when Pillow cannot read them)."""
    import io

    try:
        from PIL import Image
    except ImportError:
        return None
    import warnings

    from parsing.readers.ocr import MAX_PIXELS

    images = []
    for body in bodies:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Pillow's bomb warning: the size is checked here
                img: Image.Image = Image.open(io.BytesIO(body))
                if img.width * img.height > MAX_PIXELS:
                    continue  # a huge picture is not stacked (the parser refuses it in one line)
                img.load()
            images.append(img.convert("RGB"))
        except Exception:  # noqa: BLE001 - not a picture Pillow reads: skipped
            continue
    if not images:
        return None
    width = max(i.width for i in images)
    sheet = Image.new("RGB", (width, sum(i.height for i in images)), "white")
    y = 0
    for img in images:
        sheet.paste(img, (0, y))
        y += img.height
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()


MIGRATED = "meta:PubDate-migrated"


def distrust_migrated_pubdate(evidence: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A CMS migration resets a whole column's ``PubDate`` to the migration day while the
    page's 发布时间, the URL stamp and the list date keep the original.  When two of those
    agree with each other and ``PubDate`` is more than a week later than both, the
    ``PubDate`` is kept under ``meta:PubDate-migrated`` (evidence, not a publication date)."""
    from datetime import date

    def day(value: str) -> date | None:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None

    meta = [day(v) for s, v in evidence if s == "meta:PubDate"]
    others = [d for s, v in evidence if s in ("page:date", "url", "list:date") and (d := day(v))]
    if not meta or meta[0] is None or len(others) < 2:
        return evidence
    agreeing = [a for a in others if sum(1 for b in others if abs((a - b).days) <= 3) >= 2]
    if agreeing and all((meta[0] - a).days > 7 for a in agreeing):
        return [(MIGRATED if s == "meta:PubDate" else s, v) for s, v in evidence]
    return evidence
