"""TRS WCM: lists paged by script, ``createPageHTML(total, current, "index", "html")``
(page 0 is ``index.html``, page i ``index_i.html``); variants ``createPage(…)`` (also with the
pager element's id first and a 1-based current page) and ``var countPage = N``.  Articles ``./YYYYMM/tYYYYMMDD_<id>.html``."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import link_entries

NAME = "trs"
_PAGER_RE = re.compile(r"createPage(?:HTML)?\(\s*(?:['\"][^'\"]*['\"]\s*,\s*)?['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*"
                       r"[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_RE = re.compile(r"var\s+currentPage\s*=\s*['\"]?(\d+)")


def fingerprint(page: Page) -> bool:
    t = page.text
    return bool(_PAGER_RE.search(t) or _COUNT_RE.search(t) or "TRS_Editor" in t or re.search(r"/t20\d{6}_\d+\.s?html", t))


def read(page: Page) -> Listing:
    listing = Listing(entries=link_entries(page.url, page.sel, page.org))
    m = _PAGER_RE.search(page.text)
    if m:
        total, current, prefix, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    elif (c := _COUNT_RE.search(page.text)):
        total, current, prefix, ext = int(c.group(1)), int((_CURRENT_RE.search(page.text) or [0, 0])[1]), "index", "html"
    else:
        return listing
    listing.pages_total = total
    # the first page (index.html, not index_N.html) asks for the others; 0- and 1-based pagers alike
    if current == 0 or not re.search(r"_\d+\.\w+$", urlsplit(page.url).path):
        listing.next = [Next(urljoin(page.url, f"{prefix}_{i}.{ext}")) for i in range(1, total)]
    return listing
