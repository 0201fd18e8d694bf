"""Epoint 新点 WebBuilder: pages load ``/js/webBuilderCommon.js`` and set
``siteInfo.projectName``; the list is ``POST {project}/rest/lightfrontaction/getgovinfolist``
with JSON ``{deptcode, categorynum, siteGuid, pageIndex, pageSize}`` answering
``custom.data[]`` (``infourl``, ``realtitle``).  Pages are probed from ``pageIndex`` 0 until
one is empty (0- and 1-based servers alike); a server refusing a JSON body is asked again
with the form field ``params=``.  Articles ``showinfo.html?infoGuid=`` are shells read
through ``getGovInfoDetail`` (see :mod:`spiders.articles`)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import json_entries, load_json

NAME = "epoint"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
PAGE_SIZE = 20
ATTEMPTS = ((False, 0), (True, 0), (False, 1), (True, 1))  # (form params=, pageIndex) for the first page
_VAR_RES = {k: re.compile(rf"\b{k}\s*[:=]\s*['\"]([^'\"]*)['\"]", re.I)
            for k in ("projectName", "siteGuid", "categorynum", "deptcode")}


def fingerprint(page: Page) -> bool:
    t = page.text
    return "webBuilderCommon.js" in t or "siteInfo.projectName" in t or "getgovinfolist" in t


def _request(state: dict, index: int, form: bool = False) -> Next:
    payload = {"deptcode": state["deptcode"], "categorynum": state["categorynum"], "siteGuid": state["siteGuid"],
               "pageIndex": index, "pageSize": PAGE_SIZE}
    st = {**state, "pageIndex": index, "form": form}
    if form:
        return Next(state["api"], method="POST", formdata={"params": json.dumps(payload)}, state=st, sequential=True)
    return Next(state["api"], method="POST", body=json.dumps(payload), headers={"Content-Type": "application/json"},
                state=st, sequential=True)


def read(page: Page) -> Listing:
    st = page.state
    if "api" not in st:
        scripts = " ".join(re.findall(r"<script\b[^>]*>(.*?)</script>", page.text, re.S | re.I))
        v = {k: (m.group(1) if (m := r.search(scripts) or r.search(page.text)) else "") for k, r in _VAR_RES.items()}
        project = "/" + v["projectName"].strip("/") if v["projectName"].strip("/") else ""
        state = {"api": urljoin(page.url, f"{project}/rest/lightfrontaction/getgovinfolist"), "siteGuid": v["siteGuid"],
                 "categorynum": v["categorynum"], "deptcode": v["deptcode"], "seen": 0}
        return Listing(next=[_request(state, 0)])
    data = load_json(page.text)
    custom = (data.get("custom") if isinstance(data.get("custom"), dict) else data) if isinstance(data, dict) else None
    entries = json_entries(page.url, custom.get("data") if isinstance(custom, dict) else custom, page.org) if custom else []
    if st.get("probing", True) and not entries:
        # the first page is where a server shows what it accepts: JSON body or form params=,
        # pageIndex from 0 or from 1
        here = ATTEMPTS.index((st["form"], st["pageIndex"])) if (st["form"], st["pageIndex"]) in ATTEMPTS else len(ATTEMPTS)
        if here + 1 < len(ATTEMPTS):
            form, index = ATTEMPTS[here + 1]
            return Listing(next=[_request(st, index, form)])
        if page.status != 200:
            return Listing(error=f"HTTP {page.status}")
        return Listing()  # every way asked, an empty column
    if page.status != 200 or custom is None:
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "新点接口返回的不是 JSON")
    listing = Listing(entries=entries)
    total: Any = custom.get("total") or custom.get("count") or custom.get("totalCount") if isinstance(custom, dict) else None
    if str(total or "").isdigit():
        listing.listed_total = int(total)
    if listing.entries:
        listing.next = [_request({**st, "probing": False}, st["pageIndex"] + 1, st["form"])]
    return listing
