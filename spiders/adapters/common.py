"""Helpers the adapters share: link lists with dates, canonical URLs, JSON and JSONP
answers, epoch dates."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from parsing.evidence import date_in
from spiders.adapters.base import Entry

_SESSION_RE = re.compile(r";jsessionid=[^?#/]*|(?<=[?&])(?:sid|sessionid|jsessionid|PHPSESSID)=[^&#]*&?", re.I)
ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|rtf|zip|png|jpe?g|gif|tiff?|bmp)(?:$|\?)|downfile\.jsp|download\.jsp|/download/|getfile", re.I)
BEIJING = timezone(timedelta(hours=8))
MAX_SIBLINGS_READ = 40  # a list item or a small table row: its siblings' text holds the date
_ONCLICK_RE = re.compile(r"""(?:window\.open|location\.href\s*=|location\.assign|openUrl|openWin\w*)\s*\(?\s*['"]([^'"]+)['"]""")
_TITLE_KEYS = ("title", "realtitle", "realTitle", "articleTitle", "name", "vc_title", "infotitle")
_URL_KEYS = ("url", "post_url", "infourl", "infoUrl", "link", "href", "linkurl", "art_url", "urls", "pcUrl")
_DATE_KEYS = ("publish_time", "first_publish_time", "created_at", "pubDate", "publishTime", "publishDate",
              "infodate", "infoDate", "releaseTime", "date", "time", "createTime", "pubdate")


def canonical(url: str) -> str:
    """Drop session ids (a crawler trap: every visit mints a new URL) and fragments."""
    url = _SESSION_RE.sub("", url.split("#", 1)[0])
    return url.rstrip("?&")


def text_of(sel: Selector) -> str:
    """The element's text nodes joined by spaces (as ``::text`` gives them, read straight
    from lxml: the CSS route costs a query per link)."""
    root = sel.root
    return " ".join(root.itertext()) if hasattr(root, "itertext") else " ".join(sel.css("::text").getall())


def link_entries(base: str, sel: Selector, org: str | None = None) -> list[Entry]:
    """Every titled link of a list with the date printed next to it.

    Linear in the page: the date is looked for in the link's parent (its siblings' text)
    only when the parent is a small list item; in a flat parent holding many links (a
    hostile or a badly built page: every link a child of ``<body>``) it is the text right
    after the link, so no link reads the whole page again (issue 16 item 11)."""
    out: list[Entry] = []
    small: dict[int, bool] = {}  # parent element -> few enough children to read its text per link
    after_parent: dict[int, str | None] = {}  # parent element -> date in the element after it
    for a in sel.css("a[href], a[onclick]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):  # the target may be in onclick
            m = _ONCLICK_RE.search(a.attrib.get("onclick", "") + " " + href)
            href = m.group(1) if m else ""
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        title = (a.attrib.get("title") or text_of(a)).strip()
        if not title:
            continue
        parent = a.root.getparent()
        key = id(parent)
        if key not in small:
            small[key] = parent is None or len(parent) <= MAX_SIBLINGS_READ
        if small[key]:
            around = " ".join(a.xpath("../text()|../*[not(self::a)]//text()|following-sibling::*[1]//text()").getall())
        else:
            nxt = _next_element(a.root)
            around = (a.root.tail or "") + " " + ("".join(nxt.itertext()) if nxt is not None else "")
        day = date_in(around)
        if day is None:
            if key not in after_parent:
                nxt = _next_element(parent) if parent is not None else None
                after_parent[key] = date_in("".join(nxt.itertext())) if nxt is not None else None
            day = after_parent[key]
        out.append(Entry(canonical(urljoin(base, href)), " ".join(title.split()), day, org))
    return out


def _next_element(el: Any) -> Any:
    """The next sibling element (comments and processing instructions skipped)."""
    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return nxt


def html_entries(base: str, html: str, org: str | None = None) -> list[Entry]:
    return link_entries(base, Selector(text=html or "<html></html>"), org)


def unwrap_jsonp(text: str) -> str:
    """``cb({...})`` or ``cb('<xml>')`` → the inner text."""
    s = text.strip().rstrip(";").strip()
    m = re.match(r"^[\w$.]+\s*\((.*)\)$", s, re.S)
    return m.group(1) if m else s


def load_json(text: str) -> Any:
    try:
        return json.loads(unwrap_jsonp(text))
    except ValueError:
        return None


def day_of(value: Any) -> str | None:
    """An epoch (s or ms) or a date string → ISO date (Beijing time)."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit() and len(value) >= 9):
        n = int(value)
        if n > 10**11:
            n //= 1000
        return datetime.fromtimestamp(n, BEIJING).date().isoformat()
    return date_in(str(value))


def _url_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("pc") or next((v for v in value.values() if isinstance(v, str)), None)
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return _url_of(json.loads(value))
        except ValueError:
            return None
    return value if isinstance(value, str) and value else None


def json_entries(base: str, data: Any, org: str | None = None) -> list[Entry]:
    """Entries from any JSON answer: every object with a title and a URL, however nested."""
    out: list[Entry] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            src = s if isinstance(s := node.get("source"), dict) else node
            titles = [src[k] for k in _TITLE_KEYS if isinstance(src.get(k), str) and src[k].strip()]
            title = max(titles, key=len) if titles else None  # "title" is often cut short, "realtitle" is whole
            url = next((u for k in _URL_KEYS if (u := _url_of(src.get(k)))), None)
            if title and url and not url.startswith("javascript:"):
                day = next((d for k in _DATE_KEYS if (d := day_of(src.get(k)))), None)
                title = re.sub(r"<[^>]+>", "", title)
                out.append(Entry(canonical(urljoin(base, url.strip())), " ".join(title.split()), day, org))
                return
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    return out


def same_origin(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


def under(url: str, prefix_url: str) -> bool:
    """``url`` lies under the column's own path (a folder, or the column's stem)."""
    if not same_origin(url, prefix_url):
        return False
    base = urlsplit(prefix_url).path
    folder = base.rsplit("/", 1)[0] + "/"
    stem = re.sub(r"(?:/index)?(?:_\d+)?\.s?html?$", "", base)
    path = urlsplit(url).path
    return path.startswith(folder) or (bool(stem) and path.startswith(stem))
