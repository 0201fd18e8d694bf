"""Links of a fetched page, in time linear in the page and bounded per page.

A page is read only up to its ``cap``-th link (setting ``NIANBAO_MAX_LINKS_PER_PAGE``):
a page with 100,000 links (a hostile site, a runaway CMS) would otherwise hold the
reactor thread for minutes while every other agency waits (issue 16 item 11).  The cut
is made on the raw text, before any parsing, so every reader after it (adapters, the
explorer, attachments) sees a bounded page; a column page cut this way is marked
truncated, so it never proves an absence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from spiders.adapters.common import text_of

MAX_LINKS_PER_PAGE = 3000
_ANCHOR_RE = re.compile(r"<a\s", re.I)


def cap_links(text: str, cap: int = MAX_LINKS_PER_PAGE) -> tuple[str, int]:
    """(the page cut before its ``cap + 1``-th link, the number of links it had; at
    least ``cap + 1`` when it was cut — counting stops there)."""
    if cap <= 0:
        return text, 0
    n = 0
    for m in _ANCHOR_RE.finditer(text):
        n += 1
        if n > cap:
            return text[:m.start()], n
    return text, n


def nav_links(url: str, text: str, keep: Callable[[str], bool], sel: Any = None) -> list[tuple[str, str]]:
    """(absolute URL, label) of the page's navigation links that ``keep`` accepts."""
    pairs = []
    for a in (sel if sel is not None else Selector(text=text)).css("a[href]"):
        label = " ".join(text_of(a).split()) or (a.attrib.get("title") or "").strip()
        href = (a.attrib.get("href") or "").strip()
        if not label or not href or href.startswith(("javascript:", "mailto:")):
            continue
        target = urljoin(url, href)
        if keep(target):
            pairs.append((target, label))
    return pairs
