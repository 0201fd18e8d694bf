"""List APIs behind "JavaScript-only" columns (sites.md's table): Hanweb JPaaS, TRUECMS,
Shanghai district front/api.  Epoint WebBuilder is in :mod:`epoint`.

JPaaS: ``<script … unitbuild.js url="…" queryData="{…}">``; ``GET …/front/page/build/unit?
parseType=bulidstatic&webId=&tplSetId=&pageType=column&tagId=&editType=null&pageId=&
paramJson={"pageNo":N,"pageSize":M}`` → ``{success, data:{html}}``; paging works only inside
``paramJson`` (a top-level ``pageNo`` is ignored).  Variants: ``capped`` (pageSize at most 20,
site-relative links), ``protocol-relative`` (links ``//host/…``, the total only as
``data-total`` in the HTML).

TRUECMS: ``{proxyUrl}?startrecord=&endrecord=&perpage=&columnId=&callback=cb`` → JSONP
wrapping the ``<datastore>`` XML.  Variants: ``perpage-20`` (perpage above 20 → 404),
``referer`` (requests without the site's Referer → 403).

Shanghai front/api: ``/front/api/data/affair`` (GET, ``channelId, pageNo, pageSize``) or
``/front/api/data/search`` (POST JSON, page size fixed at 15); ``total`` is always the cap
10000, so a client must probe pages until one is empty.
"""

from __future__ import annotations

import html
import json

from varietyweb.columns import Entry
from varietyweb.web import Request, Resource, Site, li, page

JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def jpaas_column(site: Site, path: str, web_id: str, page_id: str, entries: list[Entry], *, variant: str = "capped",
                 title: str = "政府信息公开年报") -> str:
    query = {"webId": web_id, "tplSetId": "5f8c4a1b2c3d", "pageType": "column", "tagId": "当前栏目list",
             "editType": "null", "pageId": page_id}
    qd = json.dumps(query, ensure_ascii=False).replace('"', "'")
    body = (f"<div class='bt'>{html.escape(title)}</div><div id='unit_{page_id}'></div>"
            f"<script type='text/javascript' src='/jpaas-jpaas-web-server/front/js/unitbuild.js' url='{JPAAS_API}' "
            f"queryData=\"{html.escape(qd)}\" elementId='unit_{page_id}'></script>")
    site.add(path, page(site, title, body, {"ColumnName": title}))
    store = site.stores.get("jpaas")
    if store is None:
        store = {}
        site.stores["jpaas"] = store
        site.route(JPAAS_API, lambda req: _jpaas(site, req))
    store[(web_id, page_id)] = (entries, variant)
    return path


def _jpaas(site: Site, req: Request) -> Resource:
    if req.arg("parseType") != "bulidstatic" or req.arg("pageType") != "column":
        return Resource.json({"success": False, "message": "parseType参数错误", "data": None})
    key = (req.arg("webId") or "", req.arg("pageId") or "")
    store = site.stores["jpaas"]
    if key not in store:
        return Resource.json({"success": False, "message": "页面不存在", "data": None})
    entries, variant = store[key]
    try:
        params = json.loads(req.arg("paramJson") or "{}")
    except ValueError:
        return Resource.json({"success": False, "message": "paramJson格式错误", "data": None})
    no = max(1, int(params.get("pageNo", 1)))
    size = max(1, int(params.get("pageSize", 10)))
    if variant == "capped":
        size = min(size, 20)
    chosen = entries[(no - 1) * size:no * size]
    if variant == "protocol-relative":
        lis = "".join(li(f"//{site.host}{e.href}", e.title, e.day) for e in chosen)
        tail = f"<div class='pages' data-total='{len(entries)}' data-page='{no}'></div>"
    else:
        lis = "".join(li(e.href, e.title, e.day) for e in chosen)
        tail = f"<div class='pages'>共{len(entries)}条 第{no}/{-(-len(entries) // size)}页</div>"
    return Resource.json({"success": True, "message": "", "data": {"html": f"<ul class='list'>{lis}</ul>{tail}"}})


# -- TRUECMS -------------------------------------------------------------------------------------------
TRUECMS_PROXY = "/common/messageController/getMessage.do"


def truecms_column(site: Site, path: str, column_id: str, entries: list[Entry], *, variant: str = "perpage-20",
                   title: str = "政府信息公开年报") -> str:
    script = (f"<script type='text/javascript'>var proxyUrl = '{TRUECMS_PROXY}';var columnId = '{column_id}';"
              "$(function(){$.ajax({url: proxyUrl, dataType: 'jsonp', jsonpCallback: 'cb', data: {startrecord: 1,"
              " endrecord: 20, perpage: 20, columnId: columnId}, success: function(xml){renderList(xml);}});});</script>")
    site.add(path, page(site, title, f"<div class='bt'>{html.escape(title)}</div><ul id='messageList'></ul>"
                                     f"<div id='pageBar'></div>{script}", {"ColumnName": title}))

    def proxy(req: Request) -> Resource | None:
        if req.arg("columnId") != column_id:
            return None
        if variant == "referer" and site.host not in (req.headers.get("Referer") or ""):
            return Resource(b"<html><body><h1>403 Forbidden</h1></body></html>", "text/html", 403)
        per = req.int_arg("perpage", 20)
        if variant == "perpage-20" and per > 20:
            return Resource(b"<html><head><title>404</title></head><body>404 Not Found</body></html>", "text/html", 404)
        start = max(1, req.int_arg("startrecord", 1))
        end = req.int_arg("endrecord", start + per - 1)
        chosen = entries[start - 1:end]
        records = "".join(f"<record><![CDATA[{li(e.href, e.title, e.day)}]]></record>" for e in chosen)
        xml = (f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{len(entries)}</totalrecord>"
               f"<totalpage>{-(-len(entries) // per)}</totalpage><recordset>{records}</recordset></datastore>")
        cb = req.arg("callback") or "cb"
        return Resource(f"{cb}({json.dumps(xml, ensure_ascii=False)});".encode(), "application/javascript;charset=UTF-8")

    site.route(TRUECMS_PROXY, proxy)
    return path


# -- Shanghai district front/api ------------------------------------------------------------------
def shanghai_column(site: Site, path: str, channel: str, entries: list[Entry], *, variant: str = "affair-get",
                    title: str = "政府信息公开年报") -> str:
    api = "/front/api/data/affair" if variant == "affair-get" else "/front/api/data/search"
    script = (f"<script src='/resources/js/cms.js'></script><script>var cms = new CMS({{el: '#list', api: '{api}', "
              f"channelId: '{channel}', pageSize: 15, method: '{'GET' if variant == 'affair-get' else 'POST'}'}});</script>")
    site.add(path, page(site, title, f"<div class='bt'>{html.escape(title)}</div><div id='list'></div>{script}",
                        {"ColumnName": title}))
    store = site.stores.get("shfront")
    if store is None:
        store = {}
        site.stores["shfront"] = store
        site.route("/front/api/data/", lambda req: _shanghai(site, req))
    store[channel] = (entries, variant)
    return path


def _shanghai(site: Site, req: Request) -> Resource | None:
    store = site.stores["shfront"]
    if req.path == "/front/api/data/search":
        if req.method != "POST":
            return Resource.json({"code": 405, "msg": "method not allowed"}, 405)
        body = req.json_body()
        params = body if isinstance(body, dict) else {}
        channel, no, size = str(params.get("channelId", "")), int(params.get("pageNo", 1) or 1), 15
    elif req.path == "/front/api/data/affair":
        channel, no, size = req.arg("channelId") or "", req.int_arg("pageNo", 1), min(req.int_arg("pageSize", 15), 50)
    else:
        return None
    if channel not in store:
        return Resource.json({"code": 0, "data": {"list": [], "total": 0}})
    entries, _variant = store[channel]
    chosen = entries[(max(1, no) - 1) * size:max(1, no) * size]
    items = [{"title": e.title, "url": e.href, "publishDate": f"{e.day:%Y-%m-%d}", "channelId": channel} for e in chosen]
    return Resource.json({"code": 0, "msg": "ok", "data": {"list": items, "total": 10000, "pageNo": no, "pageSize": size}})
