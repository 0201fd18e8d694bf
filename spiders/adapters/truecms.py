"""TRUECMS: the column page calls ``messageController/getMessage.do``; the list is
``{proxyUrl}?startrecord=&endrecord=&perpage=&columnId=&callback=cb`` answering JSONP
that wraps ``<record>`` XML.  The largest ``perpage`` a server accepts differs (50 on one,
404 on another): step down 50 → 20 → 10.  The ``Referer`` header is always sent."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import html_entries, link_entries, unwrap_jsonp

NAME = "truecms"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
STEPS = (50, 20, 10)
_PROXY_RE = re.compile(r"['\"]([^'\"\s]*messageController/getMessage\.do)")
_COL_RE = re.compile(r"\bcolumnId['\"]?\s*[:=]\s*['\"]?([\w-]+)", re.I)
_RECORD_RE = re.compile(r"<record>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</record>", re.S)
_TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)|totalrecord\W+(\d+)", re.I)


def fingerprint(page: Page) -> bool:
    return "getMessage.do" in page.text


def _request(state: dict, start: int, step: int) -> Next:
    per = STEPS[step]
    q = urlencode({"startrecord": start, "endrecord": start + per - 1, "perpage": per,
                   "columnId": state["columnId"], "callback": "cb"})
    return Next(f"{state['proxy']}?{q}", headers={"Referer": state["referer"]},
                state={**state, "start": start, "step": step})


def _xml(text: str) -> str:
    inner = unwrap_jsonp(text)
    try:
        value: Any = json.loads(inner)
    except ValueError:
        return inner.strip("'\"")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False).replace("\\/", "/").replace('\\"', '"')


def read(page: Page) -> Listing:
    st = page.state
    if "proxy" not in st:
        m, c = _PROXY_RE.search(page.text), _COL_RE.search(page.text)
        if not m or not c:
            return Listing(entries=link_entries(page.url, page.sel, page.org))
        state = {"proxy": urljoin(page.url, m.group(1)), "columnId": c.group(1), "referer": page.url, "first": True}
        return Listing(next=[_request(state, 1, 0)])
    xml = _xml(page.text) if page.status == 200 else ""
    records = _RECORD_RE.findall(xml)
    if page.status != 200 or ("<record" not in xml and "totalrecord" not in xml.lower()):
        if st["step"] + 1 < len(STEPS) and st.get("first"):  # this perpage is refused: a smaller one
            return Listing(next=[_request(st, st["start"], st["step"] + 1)])
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "TRUECMS 接口答复无法识别")
    listing = Listing(entries=html_entries(st["referer"], "".join(records), page.org))
    m = _TOTAL_RE.search(xml)
    total = int(next(g for g in m.groups() if g)) if m else None
    listing.listed_total = total
    if st.get("first"):
        per = STEPS[st["step"]]
        nxt = {**st, "first": False}
        if total is not None:
            listing.pages_total = -(-total // per)
            listing.next = [_request(nxt, s, st["step"]) for s in range(1 + per, total + 1, per)]
        elif records:
            listing.next = [replace(_request(nxt, 1 + per, st["step"]), sequential=True)]
    elif total is None and records:
        nxt_start = st["start"] + STEPS[st["step"]]
        listing.next = [replace(_request(st, nxt_start, st["step"]), sequential=True)]
    return listing
