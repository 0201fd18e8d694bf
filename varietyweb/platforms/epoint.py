"""Epoint 新点 WebBuilder: ``/js/webBuilderCommon.js``, ``siteInfo.projectName``; list
``POST {project}/rest/lightfrontaction/getgovinfolist`` with JSON ``{deptcode, categorynum,
siteGuid, pageIndex, pageSize}`` → ``custom.data[]`` (``infourl``, ``realtitle``); the
article page ``showinfo.html?infoGuid=…`` is a shell whose content comes from ``POST
{project}/rest/<action>/getGovInfoDetail`` with ``params={"infoid":…}`` → ``custom.data.
infocontent`` or ``pdflist``.

Variants:
- ``zero-based``: form ``params=<json>``, ``pageIndex`` from 0, detail as ``infocontent``;
- ``dept-pdflist``: raw JSON body, ``pageIndex`` from 1, one platform for several departments
  selected by ``deptcode``; detail gives only a ``pdflist`` (the report is the attachment).
"""

from __future__ import annotations

import html
import json
import uuid

from varietyweb.content import Report, body_html
from varietyweb.web import Request, Resource, Site, page


def guid(rep: Report) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{rep.agency.id}/{rep.year}"))


def epoint_platform(site: Site, project: str, site_guid: str, columns: dict[str, tuple[str, str, list]], *,
                    variant: str = "zero-based") -> dict[str, str]:
    """``columns`` maps a list path to (deptcode, categorynum, items) where items are Reports
    or (title, day, infoid) noise tuples.  Returns path -> column page path."""
    site.add("/js/webBuilderCommon.js", Resource(b"var Util={};/* webBuilder */", "application/javascript"))
    by_id: dict[str, tuple[str, object]] = {}
    lists: dict[tuple[str, str], list[dict]] = {}
    for path, (dept, cat, items) in columns.items():
        rows = []
        for it in items:
            if isinstance(it, Report):
                info = guid(it)
                title, day = it.title, it.published
                it.url = site.url(f"/xxgk/showinfo.html?infoGuid={info}")
            else:
                title, day, info = it
            by_id[info] = (title, it)
            rows.append({"infoid": info, "infourl": f"/xxgk/showinfo.html?infoGuid={info}", "realtitle": title,
                         "title": title[:18] + ("…" if len(title) > 18 else ""), "infodate": f"{day:%Y-%m-%d}",
                         "deptcode": dept})
        rows.sort(key=lambda r: r["infodate"], reverse=True)
        lists[(dept, cat)] = rows
        script = (f"<script src='/js/webBuilderCommon.js'></script><script>var siteInfo = {{projectName: '{project}', "
                  f"siteGuid: '{site_guid}', deptcode: '{dept}', categorynum: '{cat}'}};</script>"
                  "<script src='/js/govinfolist.js'></script>")
        site.add(path, page(site, "政府信息公开年报", f"<div class='bt'>政府信息公开年报</div><ul id='infolist'></ul>"
                                                     f"<div id='pager'></div>{script}"))
    shell = ("<div class='article'><h1 id='title'></h1><div id='infocontent'></div></div>"
             f"<script src='/js/webBuilderCommon.js'></script><script>var siteInfo = {{projectName: '{project}'}};"
             "$.post(siteInfo.projectName+'/rest/govinfoaction/getGovInfoDetail',{params:JSON.stringify({infoid:"
             "Util.getUrlParams('infoGuid')})},function(d){render(d.custom.data);});</script>")
    site.add("/xxgk/showinfo.html", page(site, "信息公开", shell))

    def params_of(req: Request) -> dict:
        raw = req.arg("params")
        data = json.loads(raw) if raw else req.json_body()
        if isinstance(data, dict) and isinstance(data.get("params"), dict):
            data = data["params"]
        return data if isinstance(data, dict) else {}

    def getlist(req: Request) -> Resource | None:
        if req.path != f"{project}/rest/lightfrontaction/getgovinfolist":
            return None
        if req.method != "POST":
            return Resource.json({"status": {"code": 405, "text": "请求方式错误"}}, 405)
        try:
            p = params_of(req)
        except ValueError:
            return Resource.json({"status": {"code": 400, "text": "参数格式错误"}, "custom": None})
        if p.get("siteGuid") != site_guid:
            return Resource.json({"status": {"code": 200}, "custom": {"data": [], "total": 0}})
        rows = lists.get((str(p.get("deptcode", "")), str(p.get("categorynum", ""))), [])
        size = max(1, min(int(p.get("pageSize", 10) or 10), 50))
        idx = int(p.get("pageIndex", 0) or 0)
        start = idx * size if variant == "zero-based" else (max(1, idx) - 1) * size
        return Resource.json({"status": {"code": 200, "text": ""}, "custom": {"data": rows[start:start + size], "total": len(rows)}})

    def detail(req: Request) -> Resource | None:
        if not (req.path.startswith(f"{project}/rest/") and req.path.endswith("/getGovInfoDetail")):
            return None
        try:
            info = str(params_of(req).get("infoid", ""))
        except ValueError:
            info = ""
        if info not in by_id:
            return Resource.json({"status": {"code": 200}, "custom": {"data": None}})
        title, it = by_id[info]
        data: dict[str, object] = {"infoid": info, "title": title, "infodate": ""}
        if isinstance(it, Report):
            data["infodate"] = f"{it.published:%Y-%m-%d}"
            if variant == "dept-pdflist":
                data["infocontent"] = ""
                data["pdflist"] = [{"attachname": f"{it.title}.pdf", "attachurl": a.split(site.host, 1)[-1]} for a in it.attachments]
            else:
                data["infocontent"] = body_html(it)
        else:
            data["infocontent"] = f"<p>{html.escape(title)}全文略。</p>"
        return Resource.json({"status": {"code": 200}, "custom": {"data": data}})

    site.route(f"{project}/rest/lightfrontaction/", getlist)
    site.route(f"{project}/rest/", detail)
    return {p: p for p in columns}
