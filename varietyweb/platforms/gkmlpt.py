"""Guangdong/Shenzhen ``gkmlpt``: a JS app at ``/gkmlpt/index`` whose column is in the URL
fragment (``#<id>``), ``SID`` and the category ``TREE`` in ``window._CONFIG``, data from
``/gkmlpt/api/all/<id>?page=N&sid=<sid>``.

Variants:
- ``paged``: ``window._CONFIG`` as a JS literal (``SID: '…'``); 10 articles a page, each with
  ``url`` and ``created_at``; a missing or wrong ``sid`` answers 403;
- ``onepage``: ``window._CONFIG`` as JSON; everything on page 1, ``page>=2`` answers 404; articles carry ``post_url``
  and ``publish_time`` instead.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone

from varietyweb.columns import Entry
from varietyweb.web import Request, Resource, Site, page

BEIJING = timezone(timedelta(hours=8))


def art_path(col: int):
    return lambda day, ident: f"/gkmlpt/content/{ident % 10}/{ident}/post_{ident}.html"


def gkmlpt_app(site: Site, sid: str, tree: list[dict], columns: dict[int, list[Entry]], *, variant: str = "paged",
               per: int = 10) -> str:
    """The app page and the API for ``columns`` (id -> entries); returns the app path."""
    if variant == "paged":  # a JS object literal, as the app template writes it
        cfg = (f"{{\n  SID: '{sid}',\n  API_ROOT: '/gkmlpt/api',\n  SITE_NAME: '{site.name}',\n"
               f"  TREE: {json.dumps(tree, ensure_ascii=False)},\n  IS_MOBILE: false\n}}")
    else:  # serialised JSON
        cfg = json.dumps({"SID": sid, "TREE": tree, "API_ROOT": "/gkmlpt/api", "SITE_NAME": site.name, "IS_MOBILE": False},
                         ensure_ascii=False)
    body = (f"<div id='app'><div class='loading'>加载中…</div></div><script>window._CONFIG = {cfg};"
            "</script><script src='/gkmlpt/static/js/chunk-vendors.js'></script><script src='/gkmlpt/static/js/app.js'></script>")
    site.add("/gkmlpt/index", page(site, "政府信息公开", body))
    site.add("/gkmlpt/static/js/app.js", Resource(b"!function(){var c=window._CONFIG;/* app */}();", "application/javascript"))
    site.add("/gkmlpt/static/js/chunk-vendors.js", Resource(b"/* vendors */", "application/javascript"))

    def api(req: Request) -> Resource | None:
        tail = req.path[len("/gkmlpt/api/all/"):]
        if not tail.isdigit() or int(tail) not in columns:
            return Resource.json({"articles": [], "total": 0})
        if req.arg("sid") != sid:
            return Resource.json({"code": 403, "msg": "非法请求"}, 403)
        entries = columns[int(tail)]
        p = max(1, req.int_arg("page", 1))
        if variant == "onepage":
            if p >= 2:
                return Resource(b"<html><body><h1>404 Not Found</h1></body></html>", "text/html", 404)
            chosen = entries
        else:
            chosen = entries[(p - 1) * per:p * per]
        return Resource.json({"articles": [_article(site, e, variant) for e in chosen], "total": len(entries),
                              "page": p, "page_size": len(entries) if variant == "onepage" else per})

    site.route("/gkmlpt/api/all/", api)
    return "/gkmlpt/index"


def _article(site: Site, e: Entry, variant: str) -> dict:
    stamp = int(datetime.combine(e.day, time(9, 30), BEIJING).timestamp())
    ident = int(e.href.rsplit("_", 1)[-1].split(".")[0])
    a = {"id": ident, "title": e.title, "publisher": site.name, "identifier": f"{ident % 100000:05d}"}
    if variant == "onepage":
        a.update({"post_url": site.url(e.href), "publish_time": stamp})
    else:
        a.update({"url": site.url(e.href), "created_at": stamp, "first_publish_time": stamp})
    return a


def detail_head(title: str, day) -> str:
    return f"<script>window._CONFIG = {{DETAIL: {json.dumps({'title': title, 'date': str(day)}, ensure_ascii=False)}}};</script>"
