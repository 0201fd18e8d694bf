"""博达 VSB: articles ``/info/<colId>/<id>.htm`` (body ``#vsb_content``/``.v_news_content``);
list pages ``/<colpath>.htm`` then ``/<colpath>/<n>.htm`` counting down.  The pager says
``共N条 1/T`` (or calls ``_simple_list_gotopage_fun(T, …)``), so every page is known from
the first; without it the 下页 link is followed."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import html_entries

NAME = "vsb"
_NEXT_RE = re.compile(r"^(下页|下一页|>|›|»)$")
_POS_RE = re.compile(r"(\d+)\s*/\s*(\d+)\s*(?:页|</|\s|&nbsp;|$)")
_GOTO_RE = re.compile(r"_simple_list_gotopage_fun\(\s*(\d+)")
_COUNT_RE = re.compile(r"共\s*(\d+)\s*条")


def fingerprint(page: Page) -> bool:
    t = page.text
    return "vsb_content" in t or "_sitegray" in t or "pb_sys_common" in t or "_simple_list_gotopage_fun" in t \
        or "v_news_content" in t or bool(re.search(r"/info/\d+/\d+\.htm", t))


def read(page: Page) -> Listing:
    listing = Listing(entries=html_entries(page.url, page.text, page.org))
    if (c := _COUNT_RE.search(page.text)):
        listing.listed_total = int(c.group(1))
    total = None
    if (g := _GOTO_RE.search(page.text)):
        total = int(g.group(1))
    elif (p := _POS_RE.search(re.sub(r"<[^>]+>", " ", page.text))) and int(p.group(1)) <= int(p.group(2)) <= 10000:
        total = int(p.group(2)) if int(p.group(1)) == 1 else None
    path = urlsplit(page.url).path
    first = path.endswith(".htm") and not re.search(r"/\d+\.htm$", path)
    if total and first:
        listing.pages_total = total
        stem = path[: -len(".htm")]
        listing.next = [Next(urljoin(page.url, f"{stem}/{n}.htm")) for n in range(total - 1, 0, -1)]
        return listing
    if first or total is None:
        for a in Selector(text=page.text).css("a[href]"):
            if _NEXT_RE.match(" ".join(a.css("::text").getall()).strip()):
                listing.next = [Next(urljoin(page.url, a.attrib["href"]), sequential=True)]
                break
    return listing
