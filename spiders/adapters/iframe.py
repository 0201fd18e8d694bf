"""Iframe shells: a column page that is only a frame around a same-origin ``<iframe>``
holding the real list.  The frame is read as a sub-column (sniffed afresh)."""

from __future__ import annotations

from urllib.parse import urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import ATTACHMENT_RE, same_origin

NAME = "iframe"


def _frames(page: Page) -> list[str]:
    sel = page.sel
    out = []
    for f in sel.css("iframe[src], frame[src]"):
        src = urljoin(page.url, f.attrib["src"].strip())
        if src.startswith("http") and same_origin(src, page.url) and not ATTACHMENT_RE.search(src) and src not in out:
            out.append(src)
    return out


def fingerprint(page: Page) -> bool:
    if not _frames(page):
        return False
    sel = page.sel
    return len(sel.css("a[href]")) < 40 or len(" ".join(sel.css("body ::text").getall())) < 1500


def read(page: Page) -> Listing:
    return Listing(next=[Next(u, kind="subcolumn") for u in _frames(page)])
