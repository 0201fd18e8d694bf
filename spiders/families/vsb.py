"""博达 VSB: articles ``/info/<colId>/<id>.htm`` with the body in ``#vsb_content``; list
pages ``/<colpath>.htm`` then ``/<colpath>/<n>.htm`` counting down, linked as 下页."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from spiders.families.common import Entry, link_entries

NAME = "vsb"
_NEXT_RE = re.compile(r"^(下页|下一页|>|›)$")


def matches(url: str, text: str) -> bool:
    return "vsb_content" in text or "_sitegray" in text or "pb_sys_common" in text or bool(re.search(r"/info/\d+/\d+\.htm", text))


def entries(url: str, text: str) -> list[Entry]:
    return link_entries(url, Selector(text=text))


def more_requests(url: str, text: str, meta: dict) -> list[dict]:
    sel = Selector(text=text)
    for a in sel.css("a[href]"):
        if _NEXT_RE.match(" ".join(a.css("::text").getall()).strip()):
            return [{"url": urljoin(url, a.attrib["href"])}]
    return []
