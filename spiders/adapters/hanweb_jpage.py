"""Hanweb 大汉 jcms ``jpage``: the column's list is inline ``<datastore>`` XML; the rest
comes from ``/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=`` (POST
``col, appid, webid, path, columnid, sourceContentType, unitid, webname,
permissiontype``), answering the same ``<record>`` XML.  Some servers honour only a
``page`` parameter, so each request covers exactly one page of ``perpage`` records and
names its ``page`` too; ``perpage`` is kept ≤ 100."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import html_entries, link_entries

NAME = "hanweb_jpage"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*['\"]?(\d+)", re.I)
_PAGES_RE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_PROXY_RE = re.compile(r"(?:proxyUrl|url)\s*[:=]\s*['\"]([^'\"]*dataproxy\.jsp)['\"]")
_PARAMS = ("webid", "columnid", "unitid", "perPage", "appid", "sourceContentType", "permissiontype")
_PARAM_RES = {k: re.compile(rf"\b{k}\s*[:=]\s*['\"]?(\d+)", re.I) for k in _PARAMS}
_PATH_RE = re.compile(r"\bpath\s*[:=]\s*['\"]([^'\"]*)['\"]")
_WEBNAME_RE = re.compile(r"\bwebname\s*[:=]\s*['\"]([^'\"]*)['\"]")


def fingerprint(page: Page) -> bool:
    return "<datastore>" in page.text or "dataproxy.jsp" in page.text


def _int(regex: re.Pattern[str], text: str) -> int | None:
    m = regex.search(text)
    return int(next(g for g in m.groups() if g)) if m else None


def read(page: Page) -> Listing:
    records = _RECORD_RE.findall(page.text)
    entries = html_entries(page.url, "".join(records), page.org) if records else link_entries(page.url, page.sel, page.org)
    total = _int(_TOTAL_RE, page.text)
    listing = Listing(entries=entries, listed_total=total, pages_total=_int(_PAGES_RE, page.text))
    if page.state.get("proxy"):
        if page.status != 200:
            listing.error = f"HTTP {page.status}"
        return listing
    p = {k: (m.group(1) if (m := r.search(page.text)) else None) for k, r in _PARAM_RES.items()}
    if not total or total <= len(records) or not p["columnid"]:
        return listing
    per = min(int(p["perPage"] or 20), 100)
    proxy = (m.group(1) if (m := _PROXY_RE.search(page.text)) else "/module/web/jpage/dataproxy.jsp")
    form = {"col": "1", "appid": p["appid"] or "1", "webid": p["webid"] or "1",
            "path": (m.group(1) if (m := _PATH_RE.search(page.text)) else "/"), "columnid": p["columnid"],
            "sourceContentType": p["sourceContentType"] or "1", "unitid": p["unitid"] or "",
            "webname": (m.group(1) if (m := _WEBNAME_RE.search(page.text)) else ""),
            "permissiontype": p["permissiontype"] or "0"}
    for start in range(len(records) + 1, total + 1, per):
        end = min(start + per - 1, total)
        q = urlencode({"startrecord": start, "endrecord": end, "perpage": per, "page": (start - 1) // per + 1})
        listing.next.append(Next(urljoin(page.url, f"{proxy}?{q}"), method="POST", formdata=form,
                                 state={"proxy": True}))
    return listing
