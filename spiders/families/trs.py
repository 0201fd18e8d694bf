"""TRS WCM: lists paged by script, ``createPageHTML(total, current, "index", "html")``
(page 0 is index.html, page i index_i.html); variants ``createPage`` and
``var countPage = N``.  Articles ``./YYYYMM/tYYYYMMDD_<id>.html``."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from spiders.families.common import Entry, link_entries

NAME = "trs"
_PAGER_RE = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_CURRENT_RE = re.compile(r"var\s+currentPage\s*=\s*(\d+)")


def matches(url: str, text: str) -> bool:
    return bool(_PAGER_RE.search(text) or _COUNT_RE.search(text) or "TRS_Editor" in text
                or re.search(r"/t20\d{6}_\d+\.s?html", text))


def entries(url: str, text: str) -> list[Entry]:
    return link_entries(url, Selector(text=text))


def more_requests(url: str, text: str, meta: dict) -> list[dict]:
    """The other list pages, computed from the pager script (only from page 0)."""
    m = _PAGER_RE.search(text)
    if m:
        total, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    else:
        c = _COUNT_RE.search(text)
        if not c:
            return []
        total, current, prefix, ext = int(c.group(1)), int((_CURRENT_RE.search(text) or [0, 0])[1]), "index", "html"
    if current != 0:
        return []
    return [{"url": urljoin(url, f"{prefix}_{i}.{ext}")} for i in range(1, min(total, meta.get("max_pages", 50)))]
