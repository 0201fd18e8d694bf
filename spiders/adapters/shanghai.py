"""Shanghai district ``front/api``: pages built by ``new CMS(…)`` read
``/front/api/data/affair`` (or ``…/search``), about 15 items a page.  Totals are capped
(10,000 on big columns), so the total is never trusted: pages are probed until one lists
nothing new.  The page's ``new CMS({…})`` options are passed on as parameters."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode, urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import json_entries, load_json

NAME = "shanghai"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
PAGE_SIZE = 15
_API_RE = re.compile(r"['\"]?((?:https?://[^'\"\s]+)?/front/api/data/(?:affair|search)[^'\"\s?]*)")
_CMS_RE = re.compile(r"new\s+CMS\s*\((.*?)\)\s*[;.]", re.S)
_OPT_RE = re.compile(r"['\"]?(\w+)['\"]?\s*:\s*['\"]?([\w-]+)['\"]?")
_POST_RE = re.compile(r"\$\.post\s*\(|type\s*:\s*['\"]post['\"]|method\s*:\s*['\"]post['\"]", re.I)
_SKIP = {"el", "url", "api", "template", "tpl", "container", "pageSize", "pageNo", "pageNum", "page", "current"}


def fingerprint(page: Page) -> bool:
    return "new CMS(" in page.text or "/front/api/data/" in page.text


def _request(state: dict, n: int) -> Next:
    q = {**state["params"], "pageNo": n, "pageNum": n, "page": n, "current": n, "pageSize": PAGE_SIZE}
    if state.get("post"):  # the POST JSON variant of the interface
        return Next(state["api"], method="POST", body=json.dumps(q, ensure_ascii=False),
                    headers={"Content-Type": "application/json"}, state={**state, "n": n}, sequential=True)
    return Next(f"{state['api']}?{urlencode(q)}", state={**state, "n": n}, sequential=True)


def read(page: Page) -> Listing:
    st = page.state
    if "api" not in st:
        m = _API_RE.search(page.text)
        api = urljoin(page.url, m.group(1) if m else "/front/api/data/affair")
        params: dict[str, str] = {}
        if (c := _CMS_RE.search(page.text)):
            params = {k: v for k, v in _OPT_RE.findall(c.group(1)) if k not in _SKIP}
        post = bool(_POST_RE.search(page.text))
        return Listing(next=[_request({"api": api, "params": params, "referer": page.url, "post": post}, 1)])
    data = load_json(page.text)
    entries = json_entries(st["referer"], data, page.org) if data is not None else []
    if st["n"] == 1 and not entries and not st.get("switched"):  # GET refused or empty: ask by POST (or GET)
        return Listing(next=[_request({**st, "post": not st.get("post"), "switched": True}, 1)])
    if page.status != 200 or data is None:
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "front/api 返回的不是 JSON")
    listing = Listing(entries=entries)
    if listing.entries:
        listing.next = [_request(st, st["n"] + 1)]
    return listing
