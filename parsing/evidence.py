"""Publication-date evidence found in a page and its URL (spec/annual-report.md §1).

Displayed dates are reset by site migrations and can be back-dated, so every source is
kept with its name and the monitor weighs them: ``meta:PubDate``, ``page:date`` (the
"发布时间：" line), ``url`` (``/t20210128_…``, ``/art/2021/1/28/…``, ``/202101/``).
"""

from __future__ import annotations

import re
from datetime import date

_META_KEYS = ("PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime", "article:published_time")
_PAGE_DATE_RE = re.compile(
    r"(?:发布时间|发布日期|发文日期|公开日期|时间|日期)\s*[:：]\s*((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})"
)
_URL_PATTERNS = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),  # TRS t20210128_123.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb /art/2021/1/28/
    re.compile(r"/P0((?:19|20)\d{2})(\d{2})(\d{2})\d+"),  # TRS attachments P020210128…
    re.compile(r"/((?:19|20)\d{2})-(\d{2})-(\d{2})/"),
)
_ISO_RE = re.compile(r"((?:19|20)\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def _iso(y: str | int, m: str | int, d: str | int) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def date_in(text: str) -> str | None:
    """The first Y-M-D date in ``text`` as ISO, or None."""
    m = _ISO_RE.search(text or "")
    return _iso(*m.groups()) if m else None


def url_date(url: str) -> str | None:
    for pattern in _URL_PATTERNS:
        m = pattern.search(url)
        if m:
            iso = _iso(*m.groups())
            if iso:
                return iso
    return None


def page_evidence(url: str, meta: dict[str, str], text: str) -> list[tuple[str, str]]:
    """(source, ISO date) pairs from a page's meta tags, its visible date line and its URL."""
    found: list[tuple[str, str]] = []
    for key in _META_KEYS:
        if meta.get(key):
            iso = date_in(meta[key])
            if iso:
                found.append((f"meta:{key}" if key != "pubdate" else "meta:PubDate", iso))
                break
    m = _PAGE_DATE_RE.search(text[:20000])
    if m:
        iso = _iso(*m.groups())
        if iso:
            found.append(("page:date", iso))
    iso = url_date(url)
    if iso:
        found.append(("url", iso))
    return found
