"""开普云 UCAP: lists ``/{site}/{channel}/pc/list.html``, articles
``…/pc/content/content_<19 digits>.html``, attachments ``/doc/ucap/…``.  The list is
``POST /queryList`` (form ``current, pageSize, webSiteCode, channelCode``) answering JSON
``data.results[].source{title, pubDate, urls:'{"pc":…}', articleFiles}`` with
``data.total``.  A county portal keeps each agency in its own channel: those channels
are sub-columns (see :mod:`spiders.adapters.year_folders`)."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import json_entries, link_entries, load_json

NAME = "ucap"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
PAGE_SIZE = 20
_SITE_RE = re.compile(r"\bwebSiteCode['\"]?\s*[:=]\s*['\"]([\w-]+)", re.I)
_CHANNEL_RE = re.compile(r"\bchannelCode['\"]?\s*[:=]\s*['\"]([\w-]+)", re.I)
_LIST_RE = re.compile(r"/([\w-]+)/([\w-]+)/pc/list\.html")


def fingerprint(page: Page) -> bool:
    t = page.text
    return "/pc/list.html" in page.url or "/doc/ucap/" in t or "queryList" in t or bool(re.search(r"content_\d{19}\.html", t))


def _request(state: dict, current: int) -> Next:
    form = {"current": str(current), "pageSize": str(PAGE_SIZE), "webSiteCode": state["site"],
            "channelCode": state["channel"]}
    return Next(state["api"], method="POST", formdata=form, state={**state, "current": current})


def read(page: Page) -> Listing:
    st = page.state
    if "api" not in st:
        site = (m.group(1) if (m := _SITE_RE.search(page.text)) else None)
        channel = (m.group(1) if (m := _CHANNEL_RE.search(page.text)) else None)
        if (not site or not channel) and (m := _LIST_RE.search(urlsplit(page.url).path)):
            site, channel = site or m.group(1), channel or m.group(2)
        listing = Listing(entries=link_entries(page.url, page.sel, page.org))
        if site and channel:
            listing.next = [_request({"api": urljoin(page.url, "/queryList"), "site": site, "channel": channel,
                                      "referer": page.url}, 1)]
        return listing
    data = load_json(page.text)
    if page.status != 200 or not isinstance(data, dict):
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "UCAP 接口返回的不是 JSON")
    body = d if isinstance(d := data.get("data"), dict) else data
    listing = Listing(entries=json_entries(st["referer"], body.get("results") or body.get("list") or [], page.org))
    total: Any = body.get("total")
    results = body.get("results") or body.get("list") or []
    per = len(results) if 0 < len(results) < PAGE_SIZE else PAGE_SIZE  # a server capping pageSize
    if str(total or "").isdigit():
        listing.listed_total = int(total)
        listing.pages_total = max(1, math.ceil(int(total) / per))
    if st["current"] == 1:
        if listing.pages_total:
            listing.next = [_request(st, n) for n in range(2, listing.pages_total + 1)]
        elif listing.entries:
            listing.next = [_seq(_request(st, 2))]
    elif listing.pages_total is None and listing.entries:
        listing.next = [_seq(_request(st, st["current"] + 1))]
    return listing


def _seq(n: Next) -> Next:
    n.sequential = True
    return n
