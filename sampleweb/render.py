"""Render sample sites into resources (path -> bytes), imitating each CMS family.

URL shapes, list markup and pagination follow spec/sites.md: TRS ``createPageHTML`` and
``index_N.html``; Hanweb ``<datastore>`` XML and ``dataproxy.jsp`` POST paging with
``downfile.jsp`` 302 downloads; VSB ``/info/<col>/<id>.htm`` lists counting down; the
``gkmlpt`` JSON API; generic ``?page=N`` with 下一页 and ``sitemap.xml``.  Sites also carry
noise documents, traps (calendar, search, session ids), robots.txt, shell pages.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sampleweb.reports import report_body, report_docx, report_xlsx
from sampleweb.sites import SampleReport, SampleSite

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
_REAL = {"huaian-szf-2024-pdf": FIXTURES / "real" / "huaian-szf-2024-pdf" / "source.pdf",
         "hongze-qzf-2023-pdf": FIXTURES / "real" / "hongze-qzf-2023-pdf" / "source.pdf",
         "hongze-qzf-2024-pdf": FIXTURES / "real" / "hongze-qzf-2024-pdf" / "source.pdf"}
_CTYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "doc": "application/msword",
           "wps": "application/vnd.ms-works", "xls": "application/vnd.ms-excel", "et": "application/octet-stream",
           "png": "image/png"}


@dataclass(slots=True)
class Resource:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None
    modified: datetime | None = None
    post_only: bool = False


@dataclass(slots=True)
class Item:
    """One entry of a column list."""

    title: str
    day: date
    href: str  # path of the article (or shell) page
    is_report: bool
    report: SampleReport | None = None


@dataclass
class RenderedSite:
    site: SampleSite
    resources: dict[str, Resource] = field(default_factory=dict)
    truth_reports: list[dict[str, Any]] = field(default_factory=list)
    non_reports: list[str] = field(default_factory=list)
    foreign_reports: list[str] = field(default_factory=list)  # another agency's reports listed here
    column_url: str = ""


def _page(site: SampleSite, title: str, body: str, meta: dict[str, str] | None = None, extra_head: str = "") -> Resource:
    metas = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in (meta or {}).items())
    declared = {"gbk": "gb2312", "gbk-declared-utf8": "utf-8"}.get(site.charset, "utf-8")
    doc = f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">
<meta name="SiteName" content="{html.escape(site.name)}">{metas}{extra_head}<title>{html.escape(title)}</title></head>
<body><div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/xwzx/">新闻中心</a> | <a href="/hdjl/">互动交流</a>
| <a href="/search?q=%E5%B9%B4%E6%8A%A5">站内搜索</a> | <a href="/calendar?date=2024-01-01">日历</a></div>
{body}
<div class="footer">主办：{html.escape(site.name)} 网站标识码：1409000001</div></body></html>"""
    return Resource(doc.encode("gb18030" if site.charset.startswith("gbk") else "utf-8"),
                    f"text/html; charset={declared}" if site.family != "vsb" else "text/html")


def _hex(report: SampleReport, salt: str = "") -> str:
    return hashlib.md5(f"{report.agency_id}-{report.year}-{salt}".encode()).hexdigest()


def _article_path(site: SampleSite, r: SampleReport, day: date, ident: int) -> str:
    f = site.family
    if f == "trs":
        return f"/zfxxgk/ndbg/{day:%Y%m}/t{day:%Y%m%d}_{ident}.html"
    if f == "hanweb":
        return f"/art/{day.year}/{day.month}/{day.day}/art_{site.column_id}_{ident}.html"
    if f == "vsb":
        return f"/info/{site.column_id}/{ident}.htm"
    if f == "gkmlpt":
        return f"/gkmlpt/content/0/{ident}/post_{ident}.html"
    return f"/xxgk/ndbg/{day.year}/{ident}.html"


def _attachment_paths(site: SampleSite, r: SampleReport, day: date, ext: str) -> tuple[str, str | None]:
    """(link path, redirect target path or None)."""
    h = _hex(r)
    f = site.family
    if f == "trs":
        return f"/zfxxgk/ndbg/{day:%Y%m}/P0{day:%Y%m%d}{r.ident}.{ext}", None
    if f == "hanweb":
        return f"/module/download/downfile.jsp?classid=0&filename={h}.{ext}", f"/picture/0/{h}.{ext}"
    if f == "vsb":
        return f"/__local/{h[:1]}/{h[1:3]}/{h}.{ext}", None
    if f == "gkmlpt":
        return f"/attachment/0/{r.ident}/{h}.{ext}", None
    return f"/uploads/{day.year}/{h}.{ext}", None


def _attachment_body(r: SampleReport, phase: int) -> tuple[bytes, str]:
    name = r.title.removesuffix(f"{r.year}年政府信息公开工作年度报告")
    signed = f"{r.published:%Y年%-m月%-d日}" if r.published else ""
    if r.fmt == "docx":
        return report_docx(name, r.year, r.tables or {}, signed), "docx"
    if r.fmt == "xlsx":
        return report_xlsx(name, r.year, r.tables or {}, signed), "xlsx"
    if r.real_file in _REAL:
        return _REAL[r.real_file].read_bytes(), "pdf"
    path = FIXTURES / "formats" / (r.real_file or "")
    ext = "png" if r.fmt == "image" else r.fmt
    return path.read_bytes(), ext


def render_site(site: SampleSite, phase: int = 1) -> RenderedSite:
    """All resources of one site in ``phase`` (1: first crawl; 2: weeks later)."""
    out = RenderedSite(site)
    res = out.resources
    items: list[Item] = []
    for r in [*site.reports, *site.foreign]:
        if r.published is None or r.appears_in_phase > phase:
            continue
        day = r.displayed or r.published
        path = _article_path(site, r, day, r.ident)
        truth: dict[str, Any] = {"agency": site.agency_id, "year": r.year, "title": r.title, "published": r.published.isoformat(),
                                 "displayed": day.isoformat(), "format": r.fmt, "attachments": [], "edited": False,
                                 "removed": False, "appears_in_phase": r.appears_in_phase,
                                 # what a crawler can see: not on a failing list page, not in a column nobody links
                                 "discoverable": not (r.on_failed_page or site.column_hidden),
                                 "pubdate_reset": site.pubdate_reset.isoformat() if site.pubdate_reset else None}
        removed = r.removed_in_phase2 and phase >= 2
        name = r.title.removesuffix(f"{r.year}年政府信息公开工作年度报告") if "foreign" in r.flags else site.name
        signed = f"{r.published:%Y年%-m月%-d日}"
        if r.fmt == "html":
            tables = r.tables or {}
            if r.edited_in_phase2 and phase >= 2:
                tables = json.loads(json.dumps(tables))
                tables["appeals"]["review"]["upheld"] += 1
                tables["appeals"]["review"]["total"] += 1
                truth["edited"] = True
            if "coverletter" in r.flags:  # the wrong document posted under the report's title
                body = (f"<p>关于印发《{html.escape(r.title)}》的通知</p><p>各乡镇（街道）、县直各部门：</p>"
                        "<p>现将年度报告印发给你们，请认真贯彻落实。</p><p>特此通知。</p>")
            else:
                body = report_body(name, r.year, tables, signed, ("五",) if "nosection5" in r.flags else ())
                truth["tables"] = tables
        else:
            body_bytes, ext = _attachment_body(r, phase)
            link, target = _attachment_paths(site, r, day, ext)
            ctype = _CTYPES.get(ext, "application/octet-stream")
            if target:
                res[link] = Resource(b"", status=302, location=f"http://{site.host}{target}")
                res[target] = Resource(body_bytes, ctype, modified=_dt(r.published))
            else:
                res[link] = Resource(body_bytes, ctype, modified=_dt(r.published))
            truth["attachments"].append(f"http://{site.host}{link}")
            body = (f"<p>{html.escape(r.title)}</p><p>附件：<a href=\"{html.escape(link)}\">{html.escape(r.title)}.{ext}</a></p>")
            if r.tables:
                truth["tables"] = r.tables
        container = {"trs": '<div class="TRS_Editor">', "vsb": '<div id="vsb_content"><div class="v_news_content">',
                     "hanweb": '<div id="zoom">', "gkmlpt": '<div class="article-content">', "generic": '<div class="content">'}[site.family]
        closer = "</div></div>" if site.family == "vsb" else "</div>"
        page_body = (f'<h1 class="title">{html.escape(r.title)}</h1><div class="info">发布时间：{day:%Y-%m-%d} 来源：{html.escape(name)}</div>'
                     f"{container}{body}{closer}")
        if removed:
            # soft 404: status 200, "page does not exist", and the link leaves the column
            res[path] = _page(site, "页面不存在", "<div class='err'>对不起，您访问的页面不存在或已被删除！</div>")
            truth["removed"] = True
        else:
            pub = site.pubdate_reset or day
            res[path] = _page(site, r.title, page_body, {"ArticleTitle": r.title, "PubDate": f"{pub:%Y-%m-%d} 09:30",
                                                          "ColumnName": "政府信息公开年报"})
            res[path].modified = _dt(r.published)
            items.append(Item(r.title, day, path, True, r))
        truth["url"] = f"http://{site.host}{path}"
        if "foreign" in r.flags:
            out.foreign_reports.append(truth["url"])
        else:
            out.truth_reports.append(truth)
    for k, (title, day) in enumerate(site.noise):
        path = _article_path(site, SampleReport(site.agency_id, day.year, title, day), day, 900 + k)
        res[path] = _page(site, title, f'<h1 class="title">{html.escape(title)}</h1><div class="content"><p>{html.escape(title)}。</p></div>',
                          {"ArticleTitle": title, "PubDate": f"{site.pubdate_reset or day:%Y-%m-%d}"})
        items.append(Item(title, day, path, False))
        out.non_reports.append(f"http://{site.host}{path}")
    if site.family == "trs":
        # one list entry goes through a <meta http-equiv="refresh"> shell page
        for it in items[:1]:
            shell = it.href.replace(".html", "_shell.html")
            res[shell] = Resource(f'<html><head><meta http-equiv="refresh" content="0;url={it.href}"></head><body></body></html>'.encode())
            it.href = shell
    if site.family == "generic":
        # one list entry goes through a JS location.href shell, as some portals do
        for it in items[:1]:
            shell = it.href.replace(".html", "_redirect.html")
            res[shell] = Resource(f"<html><head><script>window.location.href='{it.href}';</script></head><body></body></html>".encode())
            it.href = shell
    items.sort(key=lambda i: (i.day, i.title), reverse=True)
    if not site.column_hidden:
        _render_column(out, items)
        _fail_pages(out)
    _render_common(out)
    return out


def _fail_pages(out: RenderedSite) -> None:
    """The column's list pages in ``failing_pages`` always answer HTTP 500 (a broken CMS page)."""
    site = out.site
    for n in site.failing_pages:
        i = n - 1
        path = {"trs": f"/zfxxgk/ndbg/index_{i}.html", "vsb": None, "generic": f"/xxgk/ndbg/?page={n}"}.get(site.family)
        if site.family not in ("trs", "generic"):
            raise ValueError(f"failing list pages are rendered for trs and generic sites only, not {site.family}")
        if path:
            out.resources[path] = Resource(b"<html><body><h1>500 Internal Server Error</h1></body></html>",
                                           "text/html", 500)


def _dt(d: date | None) -> datetime | None:
    return datetime.combine(d, time(9, 30)) if d else None


def _li(it: Item) -> str:
    return f'<li><a href="{html.escape(it.href)}" title="{html.escape(it.title)}" target="_blank">{html.escape(it.title)}</a><span>{it.day:%Y-%m-%d}</span></li>'


def _render_column(out: RenderedSite, items: list[Item]) -> None:
    site, res = out.site, out.resources
    per = site.per_page
    pages = [items[i:i + per] for i in range(0, len(items), per)] or [[]]
    total = len(pages)
    f = site.family
    if f == "trs":
        out.column_url = "/zfxxgk/ndbg/index.html"
        for i, chunk in enumerate(pages):
            lis = "".join(_li(it).replace('href="/zfxxgk/ndbg/', 'href="./') for it in chunk)
            script = f'<script>createPageHTML({total}, {i}, "index", "html");</script>'
            name = "index.html" if i == 0 else f"index_{i}.html"
            res[f"/zfxxgk/ndbg/{name}"] = _page(site, "政府信息公开年报", f'<div class="list"><ul>{lis}</ul></div><div class="page">{script}</div>')
        res["/zfxxgk/ndbg/"] = res["/zfxxgk/ndbg/index.html"]
    elif f == "hanweb":
        out.column_url = f"/col/col{site.column_id}/index.html"
        records = "".join(f"<record><![CDATA[{_li(it)}]]></record>" for it in pages[0])
        store = (f'<script type="text/xml"><datastore><totalrecord>{len(items)}</totalrecord><totalpage>{total}</totalpage>'
                 f"<recordset>{records}</recordset></datastore></script>")
        pager = ("<script type='text/javascript'>$(document).ready(function(){new Pager({url:'/module/web/jpage/dataproxy.jsp',"
                 f"params:{{col:1,appid:1,webid:1,path:'/',columnid:{site.column_id},sourceContentType:1,unitid:8,"
                 f"webname:'',permissiontype:0}},perPage:{per},totalRecord:{len(items)}}})}});</script>")
        res[out.column_url] = _page(site, "政府信息公开年报", f"<div class='list' id='8'>{store}{pager}</div>")
        # dataproxy.jsp answers every page of records for the POSTed columnid (startrecord/endrecord)
        all_records = [f"<record><![CDATA[{_li(it)}]]></record>" for it in items]
        res[f"/module/web/jpage/dataproxy.jsp#{site.column_id}"] = Resource(
            json.dumps(all_records).encode(), "application/json", post_only=True)
    elif f == "vsb":
        out.column_url = "/xxgk/ndbg.htm"
        for i, chunk in enumerate(pages):
            name = "/xxgk/ndbg.htm" if i == 0 else f"/xxgk/ndbg/{total - i}.htm"
            nxt = f"/xxgk/ndbg/{total - i - 1}.htm" if i + 1 < total else None
            nav = f'<a href="{nxt}" class="Next">下页</a>' if nxt else ""
            lis = "".join(_li(it) for it in chunk)
            res[name] = _page(site, "政府信息公开年报", f'<div class="list"><ul>{lis}</ul></div><div class="pb_sys_common">共{len(items)}条 {i + 1}/{total} {nav}</div>')
    elif f == "gkmlpt":
        out.column_url = f"/gkmlpt/index#{site.column_id}"
        res["/gkmlpt/index"] = _page(site, "政府信息公开", f'<div id="app"></div><script>var SID = "sid-{site.column_id}"; var COLUMNS = [{site.column_id}];</script>'
                                                              '<script src="/gkmlpt/static/app.js"></script>')
        for i, chunk in enumerate(pages):
            arts = [{"id": it.href.rsplit("_", 1)[-1].split(".")[0], "title": it.title, "url": f"http://{site.host}{it.href}",
                     "first_publish_time": int(datetime.combine(it.day, time(9)).timestamp()), "publisher": site.name}
                    for it in chunk]
            res[f"/gkmlpt/api/all/{site.column_id}?page={i + 1}&sid=sid-{site.column_id}"] = Resource(
                json.dumps({"articles": arts, "total": len(items), "page": i + 1}, ensure_ascii=False).encode(),
                "application/json; charset=utf-8")
    else:
        out.column_url = "/xxgk/ndbg/"
        for i, chunk in enumerate(pages):
            lis = "".join(_li(it) for it in chunk)
            # the last page still links 下一页: an endless run of empty pages (a trap)
            nxt = f'<a href="/xxgk/ndbg/?page={i + 2}">下一页</a>'
            name = "/xxgk/ndbg/" if i == 0 else f"/xxgk/ndbg/?page={i + 1}"
            res[name] = _page(site, "政府信息公开年报", f'<div class="list"><ul>{lis}</ul></div><div class="pages">{nxt}</div>')
        for i in range(total, total + 30):
            res[f"/xxgk/ndbg/?page={i + 1}"] = _page(site, "政府信息公开年报",
                                                     f'<div class="list"><ul></ul></div><a href="/xxgk/ndbg/?page={i + 2}">下一页</a>')
        urls = "".join(f"<url><loc>http://{site.host}{it.href}</loc><lastmod>{it.day}</lastmod></url>" for it in items)
        res["/sitemap.xml"] = Resource(f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                                       f"<url><loc>http://{site.host}/xxgk/ndbg/</loc></url>{urls}</urlset>".encode(), "application/xml")


def _render_common(out: RenderedSite) -> None:
    site, res = out.site, out.resources
    column_link = (f'<li><a href="{out.column_url}">政府信息公开年报</a></li>'
                   if site.column_in_nav and out.column_url else "")
    hub = ("<ul class='xxgk'><li><a href='/zwgk/zn/'>政府信息公开指南</a></li><li><a href='/zwgk/zd/'>政府信息公开制度</a></li>"
           f"<li><a href='/zwgk/fdzdgknr/'>法定主动公开内容</a></li>{column_link}</ul>")
    res["/zwgk/"] = _page(site, "政务公开", hub)
    res["/zwgk/;jsessionid=0A1B2C3D"] = res["/zwgk/"]
    for p, t in (("/zwgk/zn/", "政府信息公开指南"), ("/zwgk/zd/", "政府信息公开制度"), ("/zwgk/fdzdgknr/", "法定主动公开内容"),
                 ("/xwzx/", "新闻中心"), ("/hdjl/", "互动交流")):
        res[p] = _page(site, t, f"<h1>{t}</h1><p>{t}栏目。</p>")
    res["/"] = _page(site, site.name, f"<h1>{html.escape(site.name)}</h1><div class='nav'><a href='/zwgk/'>政务公开</a>"
                                      f"<a href='/zwgk/;jsessionid=0A1B2C3D'>信息公开</a><a href='/private/'>内部办公</a></div>")
    res["/index.html"] = res["/"]
    res["/private/"] = _page(site, "内部办公", f"<a href='{out.column_url or '/'}'>政府信息公开年报</a>")
    res["/robots.txt"] = Resource(b"User-agent: *\nDisallow: /private/\nDisallow: /search\nDisallow: /calendar\n",
                                  "text/plain")


def calendar_page(site: SampleSite, day: str) -> Resource:
    """A crawler trap: every day links the next one, forever."""
    d = date.fromisoformat(day) if len(day) == 10 else date(2024, 1, 1)
    nxt = date.fromordinal(d.toordinal() + 1)
    return _page(site, "日历", f"<a href='/calendar?date={nxt}'>{nxt}</a>")


def page_count(items: int, per: int) -> int:
    return max(1, math.ceil(items / per))
