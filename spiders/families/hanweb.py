"""Hanweb 大汉 jcms: the list is inline ``<datastore>`` XML; further records come from a
POST to ``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` with
``col=1&appid=1&webid=…&columnid=…&unitid=…``, answering the same ``<record>`` XML.
Attachments are ``downfile.jsp`` links that 302 to the file."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from parsel import Selector

from spiders.families.common import Entry, link_entries

NAME = "hanweb"
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_TOTAL_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*(\d+)")
_PARAM_RES = {k: re.compile(rf"\b{k}\s*[:=]\s*['\"]?(\d+)") for k in ("webid", "columnid", "unitid", "perPage")}
CHUNK = 60


def matches(url: str, text: str) -> bool:
    return "<datastore>" in text or "dataproxy.jsp" in text or "/module/download/downfile.jsp" in text \
        or bool(re.search(r"/col/col\d+/index\.html|/art/\d{4}/\d{1,2}/\d{1,2}/art_", url + text[:0]))


def entries(url: str, text: str) -> list[Entry]:
    records = _RECORD_RE.findall(text)
    if records:
        return link_entries(url, Selector(text="".join(records)))
    return link_entries(url, Selector(text=text))


def more_requests(url: str, text: str, meta: dict) -> list[dict]:
    """POSTs to dataproxy.jsp for the records not inline (only from the column page)."""
    if meta.get("hanweb_proxy") or "<datastore>" not in text:
        return []
    m = _TOTAL_RE.search(text)
    total = int(next(g for g in m.groups() if g)) if m else 0
    have = len(_RECORD_RE.findall(text))
    params = {k: (p.search(text).group(1) if p.search(text) else None) for k, p in _PARAM_RES.items()}
    if total <= have or not params["columnid"]:
        return []
    perpage = int(params["perPage"] or 20)
    form = {"col": "1", "appid": "1", "webid": params["webid"] or "1", "path": "/", "columnid": params["columnid"],
            "sourceContentType": "1", "unitid": params["unitid"] or "", "webname": "", "permissiontype": "0"}
    out = []
    for start in range(have + 1, total + 1, CHUNK):
        end = min(start + CHUNK - 1, total)
        q = urlencode({"startrecord": start, "endrecord": end, "perpage": perpage})
        out.append({"url": urljoin(url, f"/module/web/jpage/dataproxy.jsp?{q}"), "method": "POST",
                    "formdata": form, "meta": {"hanweb_proxy": True}})
    return out
