"""博达 VSB: articles ``/info/<colId>/<id>.htm`` (body ``#vsb_content``/``.v_news_content``);
list pages ``/<colpath>.htm`` then ``/<colpath>/<n>.htm`` counting down.  The pager says
``共N条 1/T`` (or calls ``_simple_list_gotopage_fun(T, …)``), so every page is known from
the first; without it the 下页 link is followed."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import link_entries

NAME = "vsb"
_NEXT_RE = re.compile(r"^(下页|下一页|>|›|»|后页)$")
_POS_RE = re.compile(r"(\d+)\s*/\s*(\d+)\s*(?:页|</|\s|&nbsp;|$)")
_GOTO_RE = re.compile(r"_simple_list_gotopage_fun\(\s*(\d+)")
_COUNT_RE = re.compile(r"共\s*(\d+)\s*条")


def fingerprint(page: Page) -> bool:
    t = page.text
    return "vsb_content" in t or "_sitegray" in t or "pb_sys_common" in t or "_simple_list_gotopage_fun" in t \
        or "v_news_content" in t or bool(re.search(r"/info/\d+/\d+\.htm", t))


def _next_link(page: Page) -> str | None:
    for a in page.sel.css("a[href]"):
        if _NEXT_RE.match(" ".join(a.css("::text").getall()).strip()):
            return urljoin(page.url, a.attrib["href"])
    return None


def _last_page(page: Page, stem: str) -> int | None:
    """A pager with only 尾页 (→ ``<stem>/1.htm``) and 下页 (→ ``<stem>/N.htm``): N + 1 pages."""
    for a in page.sel.css("a[href]"):
        if " ".join(a.css("::text").getall()).strip() == "下页":
            m = re.search(rf"{re.escape(stem.rsplit('/', 1)[-1])}/(\d+)\.htm$", urljoin(page.url, a.attrib["href"]))
            if m:
                return int(m.group(1)) + 1
    return None


def read(page: Page) -> Listing:
    listing = Listing(entries=link_entries(page.url, page.sel, page.org))
    if (c := _COUNT_RE.search(page.text)):
        listing.listed_total = int(c.group(1))
    total = None
    if (g := _GOTO_RE.search(page.text)):
        total = int(g.group(1))
    elif (p := _POS_RE.search(re.sub(r"<[^>]+>", " ", page.text))) and int(p.group(1)) <= int(p.group(2)) <= 10000:
        total = int(p.group(2)) if int(p.group(1)) == 1 else None
    path = urlsplit(page.url).path
    first = path.endswith(".htm") and not re.search(r"/\d+\.htm$", path) and not urlsplit(page.url).query
    stem = path[: -len(".htm")] if path.endswith(".htm") else path
    if first and total is None:
        total = _last_page(page, stem)
    nxt = _next_link(page)
    static = nxt is None or bool(re.search(rf"{re.escape(stem)}/\d+\.htm$", urlsplit(nxt).path))
    if total and first and static:  # the static countdown: <stem>.htm, then <stem>/N-1.htm … <stem>/1.htm
        listing.pages_total = total
        listing.next = [Next(urljoin(page.url, f"{stem}/{n}.htm")) for n in range(total - 1, 0, -1)]
        return listing
    query = parse_qs(urlsplit(page.url).query)
    if nxt and "a2p=" in nxt:  # the dynamic list: …?a2t=<pages>&a2p=<page>&…
        m = re.search(r"a2t=(\d+)", nxt) or re.search(r"a2t=(\d+)", page.text)
        cur = int(query.get("a2p", ["1"])[0])
        pages = int(m.group(1)) if m else total
        if pages and cur == 1:
            listing.pages_total = pages
            listing.next = [Next(re.sub(r"a2p=\d+", f"a2p={n}", nxt)) for n in range(2, pages + 1)]
            return listing
    if nxt:
        listing.next = [Next(nxt, sequential=True)]
    return listing
