"""Guangdong/Shenzhen ``gkmlpt``: the 信息公开目录 is a JS app ``/gkmlpt/index#<col>``
whose data is ``/gkmlpt/api/all/<col>?page=N&sid=<sid>`` (JSON ``{"articles":[…],
"total":…}``).  The column id is often only in the URL's fragment (never sent over HTTP:
the spider carries it); else the app's ``window._CONFIG`` names ``SID`` and the category
``TREE``, where the 年报 category is found by name.  Articles list as ``url`` or
``post_url`` with ``created_at``/``publish_time`` (epoch s).  Some sites serve everything
on one page and answer 404 for ``page>=2``: that ends the column, it is not a failure."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import json_entries, load_json

NAME = "gkmlpt"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
_SID_RE = re.compile(r"\bSID['\"]?\s*[:=]\s*['\"]([^'\"]+)['\"]|[?&]sid=([\w-]+)")
_COLS_RE = re.compile(r"COLUMNS\s*[:=]\s*\[([\d,\s]+)\]")
_NODE_RE = re.compile(r"""\{[^{}\[\]]*?['"]?id['"]?\s*:\s*['"]?(\d+)['"]?[^{}\[\]]*?['"]?name['"]?\s*:\s*['"]([^'"]+)['"]"""
                      r"""|\{[^{}\[\]]*?['"]?name['"]?\s*:\s*['"]([^'"]+)['"][^{}\[\]]*?['"]?id['"]?\s*:\s*['"]?(\d+)""")
_COLUMN_NAME_RE = re.compile(r"年报|年度报告")


def fingerprint(page: Page) -> bool:
    return "/gkmlpt/" in page.url or "/gkmlpt/" in page.text[:30000] or ("_CONFIG" in page.text and "SID" in page.text)


def column_ids(page: Page) -> list[str]:
    """The fragment we were given, else COLUMNS, else the 年报 node of TREE."""
    if page.fragment.strip("/").isdigit():
        return [page.fragment.strip("/")]
    if (m := _COLS_RE.search(page.text)):
        return [c.strip() for c in m.group(1).split(",") if c.strip()]
    named = []
    for m in _NODE_RE.finditer(page.text):
        cid, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if _COLUMN_NAME_RE.search(name) and cid not in named:
            named.append(cid)
    return named


def read(page: Page) -> Listing:
    st = page.state
    if "api" not in st:
        m = _SID_RE.search(page.text)
        sid = next((g for g in m.groups() if g), "") if m else ""
        nxt = []
        for col in column_ids(page):
            api = urljoin(page.url, f"/gkmlpt/api/all/{col}")
            nxt.append(Next(f"{api}?page=1&sid={sid}", state={"api": api, "sid": sid, "page": 1}))
        return Listing(next=nxt)
    n = st["page"]
    if page.status == 404 and n >= 2:
        return Listing()  # a one-page site: nothing beyond page 1
    data = load_json(page.text)
    if page.status != 200 or not isinstance(data, dict):
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "gkmlpt 接口返回的不是 JSON")
    origin = f"{urlsplit(page.url).scheme}://{urlsplit(page.url).netloc}/"
    listing = Listing(entries=json_entries(origin, data.get("articles") or [], page.org))
    total: Any = data.get("total")
    if str(total or "").isdigit():
        listing.listed_total = int(total)
    if n == 1 and listing.entries:
        per = len(data.get("articles") or [])
        if listing.listed_total is not None:
            listing.pages_total = max(1, math.ceil(listing.listed_total / per))
            listing.next = [Next(f"{st['api']}?page={p}&sid={st['sid']}", state={**st, "page": p})
                            for p in range(2, listing.pages_total + 1)]
        else:
            listing.next = [Next(f"{st['api']}?page=2&sid={st['sid']}", state={**st, "page": 2}, sequential=True)]
    elif listing.listed_total is None and listing.entries:
        listing.next = [Next(f"{st['api']}?page={n + 1}&sid={st['sid']}", state={**st, "page": n + 1}, sequential=True)]
    return listing
