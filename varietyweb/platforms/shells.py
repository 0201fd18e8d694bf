"""Shell pages around the real list.

- ``iframe``: the column page is only an ``<iframe>`` on a same-origin ``list.jsp?cid=&page=``
  (paged with 下一页, ending on the last page);
- ``frameset``: a ``<frameset>`` whose main frame is a static list ``ndbg_list.html``,
  ``ndbg_list_2.html`` … (the ``{stem}_{p}`` template);
- ``spa-state``: an SPA shell (``div#app``, chunk-vendors) with ``window.__INITIAL_STATE__``
  holding the first page and the API's address (``/api/cms/articles``);
- ``spa-inline``: an SPA shell whose list is built by inline JS from an encoded array — no API
  to find; only a browser sees the links;
- ``spa-docwrite``: a small shell that writes the list with ``document.write`` from string
  pieces (again only a browser).
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any

from varietyweb.columns import Entry, chunks
from varietyweb.web import Request, Resource, Site, li, page


def iframe_column(site: Site, path: str, cid: int, entries: list[Entry], *, per: int = 10) -> str:
    inner = f"/xxgk/list.jsp?cid={cid}"
    site.add(path, page(site, "政府信息公开年报", f"<div class='main'><iframe src='{inner}&amp;page=1' id='listFrame' "
                                               "width='100%' height='800' frameborder='0' scrolling='no'></iframe></div>"))
    pages = chunks(entries, per)

    def listing(req: Request) -> Resource | None:
        if req.path != "/xxgk/list.jsp" or req.arg("cid") != str(cid):
            return None
        p = max(1, req.int_arg("page", 1))
        chunk = pages[p - 1] if p <= len(pages) else []
        nav = f"<a href='list.jsp?cid={cid}&amp;page={p + 1}'>下一页</a>" if p < len(pages) else ""
        body = f"<ul class='list'>{''.join(li(e.href, e.title, e.day) for e in chunk)}</ul><div class='page'>第{p}/{len(pages)}页 {nav}</div>"
        return page(site, "列表", body, nav=False, noscript=False)

    site.route("/xxgk/list.jsp", listing)
    return path


def frameset_column(site: Site, folder: str, entries: list[Entry], *, per: int = 8) -> str:
    pages = chunks(entries, per)
    for i, chunk in enumerate(pages):
        name = "ndbg_list.html" if i == 0 else f"ndbg_list_{i + 1}.html"
        nav = f"<a href='ndbg_list_{i + 2}.html'>下一页</a>" if i + 1 < len(pages) else ""
        site.add(folder + name, page(site, "年度报告", f"<ul>{''.join(li(e.href, e.title, e.day) for e in chunk)}</ul>{nav}",
                                     nav=False, noscript=False))
    site.add(folder + "top.html", page(site, "头部", "<div class='banner'></div>", nav=False))
    shell = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'><title>政府信息公开年度报告</title></head>"
             "<frameset rows='120,*' frameborder='no'><frame src='top.html' name='top' scrolling='no'>"
             "<frame src='ndbg_list.html' name='main'></frameset><noframes><body>您的浏览器不支持框架。</body></noframes></html>")
    site.add(folder + "index.html", Resource(shell.encode()))
    site.add(folder, site.resources[folder + "index.html"])
    return folder + "index.html"


def _shell(site: Site, title: str, inner: str, head: str = "") -> Resource:
    doc = (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
           f"<title>{html.escape(title)}</title><link href='/static/css/app.4b1c.css' rel='stylesheet'>{head}</head>"
           f"<body><noscript><strong>本网站需要启用JavaScript才能正常访问，请开启JavaScript。</strong></noscript>"
           f"<div id='app'></div>{inner}<script src='/static/js/chunk-vendors.7d2e9a.js'></script>"
           f"<script src='/static/js/app.4b1c.js'></script></body></html>")
    return Resource(doc.encode())


def spa_column(site: Site, route: str, entries: list[Entry], *, variant: str = "spa-state", per: int = 10) -> str:
    """Serve the shell at ``route`` (and its assets); return the route."""
    site.add("/static/js/chunk-vendors.7d2e9a.js", Resource(b"/*! vue.runtime v2.6 */(window.webpackJsonp=[]);", "application/javascript"))
    site.add("/static/css/app.4b1c.css", Resource(b"#app{min-height:600px}", "text/css"))
    items: list[dict[str, Any]] = [{"id": int(e.href.rsplit("/", 1)[-1].split(".")[0]), "title": e.title, "date": f"{e.day:%Y-%m-%d}",
              "link": e.href} for e in entries]
    if variant == "spa-state":
        state = {"column": {"name": "政府信息公开年报", "code": "ndbg"}, "list": {"items": items[:per], "total": len(items),
                 "page": 1, "size": per, "api": "/api/cms/articles?column=ndbg"}}
        head = f"<script>window.__INITIAL_STATE__={json.dumps(state, ensure_ascii=False)};</script>"
        site.add(route, _shell(site, "政府信息公开年报", "", head))
        site.add("/static/js/app.4b1c.js", Resource(b"!function(){var s=window.__INITIAL_STATE__;fetch(s.list.api+'&page='+p)}();",
                                                    "application/javascript"))

        def api(req: Request) -> Resource | None:
            if req.arg("column") != "ndbg":
                return Resource.json({"code": 404, "data": None})
            p, size = max(1, req.int_arg("page", 1)), min(req.int_arg("size", per), 50)
            return Resource.json({"code": 200, "data": {"items": items[(p - 1) * size:p * size], "total": len(items)}})
        site.route("/api/cms/articles", api)
    elif variant == "spa-inline":
        packed = base64.b64encode(json.dumps([[i["id"], i["title"], i["date"]] for i in items], ensure_ascii=False).encode()).decode()
        js = ("<script>(function(){var d=JSON.parse(decodeURIComponent(escape(atob('" + packed + "'))));"
              "var h='<ul class=\"list\">';for(var i=0;i<d.length;i++){h+='<li><a href=\"/zwgk/detail/'+d[i][0]+'.html\">'+"
              "d[i][1]+'</a><span>'+d[i][2]+'</span></li>';}document.getElementById('app').innerHTML=h+'</ul>';})();</script>")
        site.add(route, _shell(site, "政务公开", js))
        site.add("/static/js/app.4b1c.js", Resource(b"/* app */", "application/javascript"))
    else:  # spa-docwrite
        parts = "".join("document.write('<li><a href=\"/zwgk/' + 'detail/' + '" + str(i["id"]) + "' + '.html\">' + '"
                        + i["title"].replace("'", "\\'") + "' + '</a> " + i["date"] + "</li>');" for i in items)
        site.add(route, _shell(site, "信息公开", f"<ul id='lst'><script>{parts}</script></ul>"))
        site.add("/static/js/app.4b1c.js", Resource(b"/* app */", "application/javascript"))
    return route


def spa_path(day, ident: int) -> str:
    return f"/zwgk/detail/{ident}.html"
