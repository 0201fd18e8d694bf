"""Hanweb 信息公开 module (``/module/xxgk/``): the directory tree (``tree.jsp?area=``)
lists nothing itself; ``POST /module/xxgk/search.jsp`` with ``infotypeId, vc_title,
vc_number, area`` and ``currpage`` answers HTML with the whole area's items (the
classifier keeps the reports).  Pages: from ``共N页``/``totalpage``, else probed."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import link_entries

NAME = "hanweb_xxgk"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
_AREA_RE = re.compile(r"\barea\s*[=:]\s*['\"]?([\w-]+)", re.I)
_TYPE_RE = re.compile(r"\binfotypeid\s*[=:]\s*['\"]?([\w-]+)", re.I)
_PAGES_RE = re.compile(r"共\s*(\d+)\s*页|totalpage\s*[=:]\s*['\"]?(\d+)", re.I)
_TOTAL_RE = re.compile(r"共\s*(\d+)\s*条")
_COLID_RE = re.compile(r"\b(?:columnid|colid|col_id)\s*[=:]\s*['\"]?(\d+)", re.I)
_SEARCH_RE = re.compile(r"['\"]([^'\"]*module/xxgk/search\.jsp)")


def fingerprint(page: Page) -> bool:
    return "module/xxgk/" in page.text and "<datastore>" not in page.text


def _form(state: dict, currpage: int) -> dict[str, str]:
    return {"infotypeId": state.get("infotypeId", ""), "vc_title": "", "vc_number": "", "area": state.get("area", ""),
            "currpage": str(currpage)}


def read(page: Page) -> Listing:
    st = page.state
    if not st.get("search"):  # the module page: start the search
        area = (m.group(1) if (m := _AREA_RE.search(page.text)) else "")
        itype = (m.group(1) if (m := _TYPE_RE.search(page.text)) else "")
        url = urljoin(page.url, m.group(1)) if (m := _SEARCH_RE.search(page.text)) else urljoin(page.url, "/module/xxgk/search.jsp")
        col = (m.group(1) if (m := re.search(r"/col/col(\d+)/", page.url) or _COLID_RE.search(page.text)) else "")
        state = {"search": url, "area": area, "infotypeId": itype, "currpage": 1, "col": col}
        return Listing(entries=link_entries(page.url, page.sel, page.org),
                       next=[Next(url, method="POST", formdata=_form(state, 1), state=state)])
    if page.status != 200:
        return Listing(error=f"HTTP {page.status}")
    entries = link_entries(page.url, page.sel, page.org)
    col = st.get("col")
    mine = [e for e in entries if col and f"art_{col}_" in e.url]
    listing = Listing(entries=mine or entries)  # the whole area's items: this column's only, when marked
    m = _PAGES_RE.search(page.text)
    pages = int(next(g for g in m.groups() if g)) if m else None
    listing.pages_total = pages
    if (t := _TOTAL_RE.search(page.text)):
        listing.listed_total = int(t.group(1))
    cur = st["currpage"]
    if cur == 1 and pages:
        listing.next = [Next(st["search"], method="POST", formdata=_form(st, n), state={**st, "currpage": n})
                        for n in range(2, pages + 1)]
    elif pages is None:
        listing.next = [Next(st["search"], method="POST", formdata=_form(st, cur + 1), state={**st, "currpage": cur + 1},
                             sequential=True)]
    return listing
