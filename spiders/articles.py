"""Reading a report's article page: its attachments, the pictures that hold its tables,
and the article shells of platforms whose detail comes from an interface (Epoint
``getGovInfoDetail``, gkmlpt ``window._CONFIG.DETAIL``)."""

from __future__ import annotations

import html as htmllib
import json
import re
from urllib.parse import parse_qs, urljoin, urlsplit

from parsel import Selector

from spiders.adapters.common import ATTACHMENT_RE

BODY_SELECTORS = ("#zoom", ".TRS_Editor", ".view", "#vsb_content", ".v_news_content", ".article-content", ".article",
                  "#content", ".content", ".con", ".main-txt", ".detail", "#UCAP-CONTENT", ".wzcon", "article")
_IMG_SKIP_RE = re.compile(r"logo|icon|banner|qrcode|erweima|share|weixin|wechat|weibo|print|close|arrow|btn|button|jiucuo|"
                          r"blank\.gif|spacer|head|foot|nav|/images/|/img/common|dzjg|conac|pic_", re.I)
_IMG_EXT_RE = re.compile(r"\.(?:png|jpe?g|gif|bmp|tiff?|webp)(?:$|\?)", re.I)
MAX_TABLE_IMAGES = 12
_IMG_TAG_RE = re.compile(r"<img", re.IGNORECASE)
_DETAIL_RE = re.compile(r"DETAIL\s*[:=]\s*(\{.*?\})\s*[,;]?\s*(?:\n|</script>|[A-Z_]+\s*[:=])", re.S)
_EPOINT_ACTION_RE = re.compile(r"rest/(\w+)/getGovInfoDetail")
_PROJECT_RE = re.compile(r"projectName\s*[:=]\s*['\"]([^'\"]*)['\"]")


def attachments(url: str, text: str) -> list[str]:
    out: list[str] = []
    for a in Selector(text=text).css("a[href], iframe[src], embed[src], object[data], [onclick]"):
        href = a.attrib.get("href") or a.attrib.get("src") or a.attrib.get("data") or ""
        if not href or href.startswith("javascript"):
            m = re.search(r"""(?:window\.open|location\.href\s*=)\s*\(?\s*['"]([^'"]+)['"]""", a.attrib.get("onclick", "") + href)
            href = m.group(1) if m else ""
        if href and ATTACHMENT_RE.search(href):
            u = urljoin(url, href.strip())
            if u not in out:
                out.append(u)
    return out


def table_images(url: str, text: str) -> list[str]:
    """The article body's pictures (tables published as images), not the site chrome.

    A page without an ``<img`` tag has no picture to find: answered without parsing it and
    trying every body selector (on the reactor thread, for every article page)."""
    if not _IMG_TAG_RE.search(text):
        return []
    sel = Selector(text=text)
    body = next((b for s in BODY_SELECTORS if (b := sel.css(s))), None)
    if body is None:
        return []
    out: list[str] = []
    for img in body.css("img"):
        src = (img.attrib.get("src") or img.attrib.get("data-src") or "").strip()
        if not src or src.startswith("data:") or _IMG_SKIP_RE.search(src):
            continue
        w = img.attrib.get("width", "").rstrip("px")
        if w.isdigit() and int(w) < 200:
            continue
        u = urljoin(url, src)
        if u not in out:
            out.append(u)
    return out[:MAX_TABLE_IMAGES]


def gkmlpt_detail(text: str) -> str | None:
    """A gkmlpt detail page's ``window._CONFIG.DETAIL`` as a plain article (title, date, body)."""
    m = _DETAIL_RE.search(text)
    if not m:
        return None
    try:
        d = json.loads(m.group(1))
    except ValueError:
        return None
    content = d.get("content") or d.get("body") or ""
    if not content:
        return None
    title = htmllib.escape(str(d.get("title") or ""))
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1><div id='zoom'>{content}</div></body></html>"


def epoint_detail_request(url: str, text: str) -> tuple[str, dict[str, str]] | None:
    """An Epoint ``showinfo.html?infoGuid=`` shell → (detail API URL, form) or None."""
    q = parse_qs(urlsplit(url).query)
    guid = next(iter(q.get("infoGuid") or q.get("infoid") or q.get("infoGUID") or []), None)
    if not guid or ("webBuilderCommon" not in text and "getGovInfoDetail" not in text and "projectName" not in text):
        return None
    action = (m.group(1) if (m := _EPOINT_ACTION_RE.search(text)) else "lightfrontaction")
    project = (m.group(1).strip("/") if (m := _PROJECT_RE.search(text)) else "")
    api = urljoin(url, f"{'/' + project if project else ''}/rest/{action}/getGovInfoDetail")
    return api, {"params": json.dumps({"infoid": guid})}


def epoint_detail_page(answer: str) -> tuple[str, list[str]] | None:
    """The detail answer → (an HTML page, the PDF links of ``pdflist``)."""
    try:
        d = json.loads(answer)
    except ValueError:
        return None
    data = (d.get("custom") or {}).get("data") if isinstance(d.get("custom"), dict) else d.get("data")
    if not isinstance(data, dict):
        return None
    title = htmllib.escape(str(data.get("realtitle") or data.get("title") or ""))
    files = []
    for f in data.get("pdflist") or data.get("attachlist") or []:
        link = f.get("url") or f.get("attachurl") or f.get("path") if isinstance(f, dict) else f
        if isinstance(link, str):
            files.append(link)
    day = htmllib.escape(str(data.get("infodate") or data.get("infoDate") or ""))
    page = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<p>发布时间：{day}</p><div id='zoom'>{data.get('infocontent') or ''}</div></body></html>")
    return page, files


def page_title(text: str) -> str | None:
    """The article's own title: ``ArticleTitle`` meta, then the first heading, then <title>."""
    sel = Selector(text=text)
    heading = next((" ".join(" ".join(h.css("::text").getall()).split()) for h in sel.css("h1, .title, h2")
                    if "".join(h.css("::text").getall()).strip()), None)
    for value in (sel.css("meta[name=ArticleTitle]::attr(content), meta[name=articletitle]::attr(content)").get(),
                  heading, " ".join(" ".join(sel.css("title::text").getall()).split())):
        if value and value.strip():
            return value.strip()
    return None
