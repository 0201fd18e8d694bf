"""开普云 UCAP: lists ``/{site}/{channel}/pc/list.html`` filled by ``POST /queryList``
(form ``current, pageSize, webSiteCode, channelCode``) answering JSON
``data.results[].source{title, pubDate, urls:'{"pc":…}', articleFiles:'[…]'}``, ``data.total``;
articles ``…/pc/content/content_<19 digits>.html``; attachments
``/doc/ucap/<siteId>/document/YYYYMMDD/<id>.<ext>``.

Variants:
- ``shell``: the list page is an empty shell; everything comes from /queryList;
- ``ssr``: the first page is rendered in the HTML as well; pageSize is capped at 20 and the
  report is the attachment listed in ``articleFiles``.
"""

from __future__ import annotations

import html
import json
from datetime import date

from varietyweb.columns import Entry, chunks
from varietyweb.content import Report, hexname
from varietyweb.web import Request, Resource, Site, page


def content_path(sitecode: str, channel: str):
    return lambda day, ident: f"/{sitecode}/{channel}/pc/content/content_{1_700_000_000_000_000_000 + ident * 1000 + day.day:019d}.html"


def ucap_attach(siteid: str):
    def attach(rep: Report) -> tuple[str, None, str]:
        return f"/doc/ucap/{siteid}/document/{rep.published:%Y%m%d}/{hexname(rep)[:16]}.{rep.fmt}", None, rep.fmt
    return attach


def list_path(sitecode: str, channel: str) -> str:
    return f"/{sitecode}/{channel}/pc/list.html"


def ucap_channels(site: Site, sitecode: str, channels: dict[str, tuple[str, list[Entry]]], *, variant: str = "shell",
                  parent: tuple[str, str] | None = None) -> dict[str, str]:
    """Serve the channel lists (channel -> (name, entries)) and /queryList; a ``parent``
    (channel, name) page links every channel as a sub-column.  Returns channel -> list path."""
    cap = 20 if variant == "ssr" else 100
    store = site.stores.get("ucap")
    if store is None:
        store = {}
        site.stores["ucap"] = store
        site.route("/queryList", lambda req: _query(site, req))
    out = {}
    for ch, (name, entries) in channels.items():
        store[(sitecode, ch)] = (entries, cap)
        first = ""
        if variant == "ssr":
            first = "".join(f'<li><a href="{html.escape(e.href)}" target="_blank">{html.escape(e.title)}</a><span>{e.day}</span></li>'
                            for e in chunks(entries, 15)[0])
        script = (f"<script>var webSiteCode='{sitecode}', channelCode='{ch}';$(function(){{$.post('/queryList',"
                  f"{{current:1,pageSize:15,webSiteCode:webSiteCode,channelCode:channelCode}},render);}});</script>")
        path = list_path(sitecode, ch)
        crumb = f"<a href='{list_path(sitecode, parent[0])}'>{html.escape(parent[1])}</a> &gt; " if parent else ""
        site.add(path, page(site, name, f"<div class='crumb'>{crumb}{html.escape(name)}</div><ul id='list' class='list'>{first}</ul>"
                                        f"<div id='pager'></div>{script}", {"ColumnName": name}))
        out[ch] = path
    if parent:
        subs = "".join(f'<li><a href="{list_path(sitecode, ch)}">{html.escape(name)}</a></li>' for ch, (name, _e) in channels.items())
        site.add(list_path(sitecode, parent[0]), page(site, parent[1], f"<h2>{html.escape(parent[1])}</h2><ul class='subcol'>{subs}</ul>"))
    return out


def _query(site: Site, req: Request) -> Resource:
    if req.method != "POST":
        return Resource.json({"code": 405, "msg": "Request method 'GET' not supported"}, 405)
    key = (req.arg("webSiteCode") or "", req.arg("channelCode") or "")
    store = site.stores["ucap"]
    if key not in store:
        return Resource.json({"code": 200, "data": {"results": [], "total": 0}})
    entries, cap = store[key]
    size = min(max(1, req.int_arg("pageSize", 15)), cap)
    cur = max(1, req.int_arg("current", 1))
    chosen = entries[(cur - 1) * size:cur * size]
    results = []
    for e in chosen:
        files = [{"fileName": f"{e.title}.{u.rsplit('.', 1)[-1]}", "filePath": u.split(site.host, 1)[-1]}
                 for u in (e.report.attachments if e.report else [])]
        results.append({"source": {"title": e.title, "pubDate": _ms(e.day), "urls": json.dumps({"pc": e.href}),
                                   "articleFiles": json.dumps(files, ensure_ascii=False), "channelCode": key[1]}})
    return Resource.json({"code": 200, "msg": "success", "data": {"results": results, "total": len(entries),
                                                                  "current": cur, "size": size}})


def _ms(d: date) -> int:
    from datetime import datetime, time, timedelta, timezone

    return int(datetime.combine(d, time(10), timezone(timedelta(hours=8))).timestamp() * 1000)
