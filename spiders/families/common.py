"""List-entry extraction shared by the families: links with a title and a nearby date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from parsel import Selector

from parsing.evidence import date_in

_SESSION_RE = re.compile(r";jsessionid=[^?#/]*|(?<=[?&])(?:sid|sessionid|jsessionid|PHPSESSID)=[^&#]*&?", re.I)
ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|rtf|zip|png|jpe?g|gif|tiff?|bmp)(?:$|\?)|downfile\.jsp|download\.jsp|/download/|getfile", re.I)


@dataclass(frozen=True, slots=True)
class Entry:
    url: str
    title: str
    date: str | None


def canonical(url: str) -> str:
    """Drop session ids (a crawler trap: every visit mints a new URL) and fragments."""
    url = _SESSION_RE.sub("", url.split("#", 1)[0])
    return url.rstrip("?&")


def link_entries(base: str, sel: Selector) -> list[Entry]:
    out: list[Entry] = []
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
        if not title:
            continue
        around = " ".join(a.xpath("../text()|../*[not(self::a)]//text()|following-sibling::*[1]//text()").getall())
        out.append(Entry(canonical(urljoin(base, href)), " ".join(title.split()), date_in(around)))
    return out
