"""Generic sites (home-grown PHP/ASP.NET/JSP): lists paged by ``?page=N``,
``list_2.html`` or a 下一页 link.  The next page is followed only under the column's own
path prefix (or the column page itself with another query), and only while pages bring
new entries, so an endless 下一页 stops at the first empty page."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import canonical, link_entries, text_of, under

NAME = "generic"
_NEXT_RE = re.compile(r"^(下一页|下页|后页|next|Next|›|»|>)$")


def fingerprint(page: Page) -> bool:
    return True


def read(page: Page) -> Listing:
    listing = Listing(entries=link_entries(page.url, page.sel, page.org))
    for a in page.sel.css("a[href]"):
        label = text_of(a).strip()
        if _NEXT_RE.match(label):
            url = canonical(urljoin(page.url, a.attrib["href"].strip()))
            same_page = urlsplit(url).path == urlsplit(page.url).path
            if under(url, page.url) or same_page:
                listing.next = [Next(url, sequential=True)]
            break
    return listing
