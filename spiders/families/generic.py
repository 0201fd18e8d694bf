"""Generic sites: lists paged by ``?page=N``, ``list_2.html`` or a 下一页 link."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from spiders.families.common import Entry, link_entries

NAME = "generic"
_NEXT_RE = re.compile(r"^(下一页|下页|后页|next|Next|›|»|>)$")


def matches(url: str, text: str) -> bool:
    return True


def entries(url: str, text: str) -> list[Entry]:
    return link_entries(url, Selector(text=text))


def more_requests(url: str, text: str, meta: dict) -> list[dict]:
    sel = Selector(text=text)
    for a in sel.css("a[href]"):
        label = " ".join(a.css("::text").getall()).strip()
        if _NEXT_RE.match(label):
            return [{"url": urljoin(url, a.attrib["href"])}]
    return []
