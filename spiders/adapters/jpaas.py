"""Hanweb JPaaS: the column page holds ``<script … unitbuild.js url="…" queryData="{…}">``;
the list comes from ``GET …/api-gateway/jpaas-publish-server/front/page/build/unit?
parseType=bulidstatic&webId=&tplSetId=&pageType=column&tagId=&editType=null&pageId=&
paramJson={"pageNo":N,"pageSize":M}`` answering ``{success, data:{html}}``.  Paging works
only inside ``paramJson``; pages are probed until one lists nothing new."""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any
from urllib.parse import urlencode, urljoin

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import html_entries, link_entries, load_json

NAME = "jpaas"
LIST_INTERFACE = True  # its column is a list interface: the explorer reads it where it stands
API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_KEYS = ("webId", "tplSetId", "pageType", "tagId", "pageId")


def fingerprint(page: Page) -> bool:
    return "unitbuild" in page.text or "jpaas-publish-server" in page.text


def _query_data(raw: str) -> dict:
    raw = htmllib.unescape(raw or "").strip()
    for candidate in (raw, raw.replace("'", '"')):
        try:
            value = json.loads(candidate)
            return value if isinstance(value, dict) else {}
        except ValueError:
            continue
    return dict(re.findall(r"['\"]?(\w+)['\"]?\s*:\s*['\"]?([^,'\"}]*)", raw))


def _request(state: dict, page_no: int) -> Next:
    params = {"parseType": "bulidstatic", **{k: state.get(k, "") for k in _KEYS}, "editType": "null",
              "paramJson": json.dumps({**state.get("paramJson", {}), "pageNo": page_no,
                                       "pageSize": state.get("pageSize", 20)}, separators=(",", ":"))}
    params["pageType"] = params["pageType"] or "column"
    return Next(f"{state['api']}?{urlencode(params)}", state={**state, "pageNo": page_no}, sequential=True)


def read(page: Page) -> Listing:
    st = page.state
    if "api" not in st:
        script = page.sel.css("script[src*=unitbuild], script[url]")
        if not script:
            return Listing(entries=link_entries(page.url, page.sel, page.org))
        attrs = script[0].attrib
        q = _query_data(attrs.get("querydata") or attrs.get("queryData") or "")
        pj = p if isinstance(p := q.get("paramJson"), dict) else _query_data(str(q.get("paramJson") or ""))
        state: dict[str, Any] = {k: str(q.get(k, "")) for k in _KEYS}
        state["api"] = urljoin(page.url, attrs.get("url") or API)
        state["paramJson"] = {k: v for k, v in pj.items() if k not in ("pageNo", "pageSize")}
        state["pageSize"] = int(pj.get("pageSize") or q.get("pageSize") or 20)
        return Listing(next=[_request(state, 1)])
    data = load_json(page.text)
    if page.status != 200 or not isinstance(data, dict):
        return Listing(error=f"HTTP {page.status}" if page.status != 200 else "JPaaS 接口返回的不是 JSON")
    body = data.get("data")
    fragment = body.get("html") if isinstance(body, dict) else body if isinstance(body, str) else ""
    listing = Listing(entries=html_entries(page.url.split("?")[0], fragment or "", page.org))
    if isinstance(body, dict) and str(body.get("total") or "").isdigit():
        listing.listed_total = int(body["total"])
    if listing.entries:
        listing.next = [_request(st, st["pageNo"] + 1)]
    return listing
