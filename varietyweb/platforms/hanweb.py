"""Hanweb 大汉 jcms: the jpage column (inline ``<datastore>`` + ``dataproxy.jsp``) and the
信息公开 module (``module/xxgk/tree.jsp`` + ``search.jsp``), as sites.md describes them.

Variants:
- ``startrecord``: dataproxy.jsp pages by ``startrecord``/``endrecord`` (POST form with
  ``columnid``); more than 100 per page answers HTTP 500; a GET without the form answers
  an empty datastore, as the real servlet does;
- ``page``: the server honours only ``page`` (+ ``perpage``), ignoring startrecord; the
  inline datastore carries a ``<nextgroup>`` link with ``page=2``;
- xxgk module: ``search.jsp`` (POST, ``currpage``) returns the items of the whole area
  (every column) — a client must filter by ``art_<col>_``.
"""

from __future__ import annotations

import html
from datetime import date

from varietyweb.columns import Entry, chunks
from varietyweb.content import Report, hexname
from varietyweb.web import Request, Resource, Site, li, page


def art_path(col: int):
    return lambda day, ident: f"/art/{day.year}/{day.month}/{day.day}/art_{col}_{ident}.html"


def downfile(rep: Report) -> tuple[str, str, str]:
    ext = rep.fmt
    h = hexname(rep)
    return f"/module/download/downfile.jsp?classid=0&filename={h}.{ext}", f"/picture/0/{h[:6]}/{h}.{ext}", ext


def _record(e: Entry, rows: bool = False) -> str:
    if rows:  # templates that write each record as a table row, the date first
        return (f"<record><![CDATA[<tr><td class='date'>[{e.day:%Y-%m-%d}]</td><td><a href='{html.escape(e.href)}' "
                f"target='_blank'>{html.escape(e.title)}</a></td></tr>]]></record>")
    return f"<record><![CDATA[{li(e.href, e.title, e.day)}]]></record>"


def _store(records: list[str], total: int, totalpage: int, nextgroup: str = "") -> str:
    return (f"<datastore>{nextgroup}<totalrecord>{total}</totalrecord><totalpage>{totalpage}</totalpage>"
            f"<recordset>{''.join(records)}</recordset></datastore>")


def jpage_column(site: Site, col: int, entries: list[Entry], *, variant: str = "startrecord", per: int = 15,
                 group_pages: int = 1, webid: int = 1, unitid: int = 8, title: str = "政府信息公开年报",
                 rows: bool = False) -> str:
    """Serve column ``col``; return the column page path."""
    path = f"/col/col{col}/index.html"
    total = len(entries)
    totalpage = max(1, -(-total // per))
    first = entries[:per * group_pages]
    nextgroup = ""
    if variant == "page" and totalpage > group_pages:
        nextgroup = (f"<nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?page={group_pages + 1}&webid={webid}"
                     f"&path=/&columnid={col}&unitid={unitid}&webname=&permissiontype=0\"></a>]]></nextgroup>")
    store = _store([_record(e, rows) for e in first], total, totalpage, nextgroup)
    pager = ("<script type='text/javascript' src='/module/web/jpage/jpage.js'></script><script type='text/javascript'>"
             f"$(document).ready(function(){{$('#{unitid}').jpage({{dataStore: dataStore, proxyUrl: '/module/web/jpage/dataproxy.jsp',"
             f"perPage: {per}, totalRecord: {total}, groupSize: {group_pages}, ajaxParam: {{col:1,appid:1,webid:{webid},path:'/',"
             f"columnid:{col},sourceContentType:1,unitid:{unitid},webname:'{html.escape(site.name)}',permissiontype:0}}}});}});</script>")
    body = (f"<div class='bt'>{html.escape(title)}</div><div id='{unitid}'><script type='text/xml'>{store}</script></div>"
            f"<script>var dataStore = document.getElementById('{unitid}');</script>{pager}")
    site.add(path, page(site, title, body))
    site.add(f"/col/col{col}/", site.resources[path])
    columns = site.stores.get("jpage_columns")
    if columns is None:
        columns = {}
        site.stores["jpage_columns"] = columns
        site.route("/module/web/jpage/dataproxy.jsp", lambda req: _dataproxy(site, req))
    columns[str(col)] = (variant, per, entries, rows)
    return path


def _dataproxy(site: Site, req: Request) -> Resource:
    col = req.arg("columnid")
    columns = site.stores["jpage_columns"]
    if col not in columns:
        return Resource(_store([], 0, 0).encode(), "text/xml;charset=UTF-8")
    variant, default_per, entries, rows = columns[col]
    if variant == "startrecord" and req.method != "POST":
        return Resource(_store([], 0, 0).encode(), "text/xml;charset=UTF-8")
    per = req.int_arg("perpage", default_per)
    if per > 100 or per < 1:
        return Resource(b"<html><body><h1>HTTP Status 500 - perpage out of range</h1></body></html>", "text/html", 500)
    total = len(entries)
    if variant == "page":
        p = max(1, req.int_arg("page", 1))
        chosen = entries[(p - 1) * per:p * per]
    else:
        start = max(1, req.int_arg("startrecord", 1))
        end = req.int_arg("endrecord", start + per - 1)
        if end - start + 1 > 300:
            return Resource(b"<html><body><h1>HTTP Status 500</h1></body></html>", "text/html", 500)
        chosen = entries[start - 1:end]
    return Resource(_store([_record(e, rows) for e in chosen], total, max(1, -(-total // per))).encode(), "text/xml;charset=UTF-8")


# -- 信息公开 module ---------------------------------------------------------------------------
def xxgk_module(site: Site, area: str, columns: dict[str, tuple[int, str, list[Entry]]], *, per: int = 15,
                post_only: bool = True, relative: bool = False) -> str:
    """The module's entry page (tree of categories) and search.jsp; ``columns`` maps an
    infotypeId to (colId, name, entries).  Returns the tree page target."""
    tree = f"/module/xxgk/tree.jsp?area={area}&divid=div1"
    items = "".join(f"<li><a href=\"javascript:void(0)\" onclick=\"searchByType('{tid}')\" id='{tid}'>{html.escape(name)}</a></li>"
                    for tid, (_c, name, _e) in columns.items())
    form = (f"<form name='searchform' id='searchform' action='/module/xxgk/search.jsp' method='post'>"
            f"<input type='hidden' name='infotypeId' value=''><input type='hidden' name='area' value='{area}'>"
            "<input type='text' name='vc_title' value=''><input type='text' name='vc_number' value=''>"
            "<input type='hidden' name='currpage' value='1'><input type='submit' value='检索'></form>")
    script = ("<script>function searchByType(t){document.searchform.infotypeId.value=t;document.searchform.submit();}</script>")
    site.add(tree, page(site, "政府信息公开目录", f"<div class='tree'><ul>{items}</ul></div>{form}{script}"))
    everything = sorted((e for _c, _n, es in columns.values() for e in es), key=lambda e: (e.day, e.title), reverse=True)

    def search(req: Request) -> Resource | None:
        if post_only and req.method != "POST":
            return Resource(b"<html><body>HTTP Status 405 - Request method 'GET' not supported</body></html>", "text/html", 405)
        if req.arg("area") != area:
            return page(site, "检索结果", "<table class='xxgk-list'></table><div>共0条记录</div>")
        p = max(1, req.int_arg("currpage", 1))
        pages = chunks(everything, per)
        chosen = pages[p - 1] if p <= len(pages) else []
        rows = "".join(f"<tr><td>{e.day:%Y%m%d}{k:03d}</td><td><a href=\"{html.escape(_rel(e.href) if relative else e.href)}\" "
                       f"target='_blank'>{html.escape(e.title)}</a></td><td>{e.day:%Y-%m-%d}</td></tr>" for k, e in enumerate(chosen))
        pager = (f"<div class='page'>共{len(everything)}条记录 当前第{p}/{len(pages)}页 "
                 f"<a href=\"javascript:gotoPage({min(p + 1, len(pages))})\">下一页</a></div>"
                 "<script>function gotoPage(n){document.searchform.currpage.value=n;document.searchform.submit();}</script>")
        return page(site, "检索结果", f"{form}<table class='xxgk-list'><tr><th>索引号</th><th>名称</th><th>发布日期</th></tr>{rows}</table>{pager}")

    site.route("/module/xxgk/search.jsp", search)
    return tree


def _rel(href: str) -> str:
    return "../.." + href


def day_of(d: date) -> str:
    return f"{d:%Y-%m-%d}"
