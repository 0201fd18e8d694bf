"""A query-string platform: one 年报 system serving many organs, the organ and the year in
parameters — ``list.html?orgCode=…`` and ``artview/<col>/<id>.html?nbYear=…&orgCode=…``.

Variants:
- ``all``: ``list.html?orgCode=X`` lists every year of the organ;
- ``by-year``: it lists only the latest year; the others behind year tabs
  ``list.html?orgCode=X&nbYear=Y``.
``artview`` without its parameters answers a soft error page (status 200).
Titles may omit the organ (only ``orgCode`` attributes them).
"""

from __future__ import annotations

import html

from varietyweb.columns import Entry
from varietyweb.content import Report, article_page
from varietyweb.web import Request, Resource, Site, page


def qs_platform(world, site: Site, base: str, col: int, orgs: dict[str, tuple[str, list[Report]]], *,
                variant: str = "all") -> dict[str, str]:
    """``orgs`` maps orgCode -> (organ name, reports).  Returns orgCode -> list URL."""
    arts: dict[tuple[str, str, str], Report] = {}
    lists: dict[str, list[Entry]] = {}
    for code, (_name, reps) in orgs.items():
        lists[code] = []
        for r in reps:
            href = f"{base}artview/{col}/{r.ident}.html?nbYear={r.year}&orgCode={code}"
            r.url = site.url(href)
            arts[(str(r.ident), str(r.year), code)] = r
            lists[code].append(Entry(r.title, href, r.published, r))
        lists[code].sort(key=lambda e: e.day, reverse=True)
        world.add_reports(reps)
    directory = "".join(f'<li><a href="list.html?orgCode={c}">{html.escape(n)}</a></li>' for c, (n, _r) in orgs.items())
    site.add(base, page(site, "政府信息公开年度报告", f"<h2>各单位政府信息公开年度报告</h2><ul class='orgs'>{directory}</ul>"))
    site.add(base + "index.html", site.resources[base])

    def listing(req: Request) -> Resource | None:
        if req.path != base + "list.html":
            return None
        code = req.arg("orgCode") or ""
        if code not in lists:
            return page(site, "政府信息公开年度报告", "<p>暂无数据</p>")
        entries = lists[code]
        years = sorted({e.report.year for e in entries if e.report}, reverse=True)
        tabs = ""
        if variant == "by-year":
            want = req.int_arg("nbYear", years[0])
            entries = [e for e in entries if e.report and e.report.year == want]
            tabs = "".join(f'<a href="list.html?orgCode={code}&amp;nbYear={y}" class="{"on" if y == want else ""}">{y}年度</a> '
                           for y in years)
        lis = "".join(f'<li><a href="{html.escape(e.href)}" target="_blank">{html.escape(e.title)}</a><span>{e.day:%Y-%m-%d}</span></li>'
                      for e in entries)
        return page(site, orgs[code][0] + "政府信息公开年度报告",
                    f"<h2>{html.escape(orgs[code][0])}</h2><div class='tabs'>{tabs}</div><ul class='list'>{lis}</ul>")

    def artview(req: Request) -> Resource | None:
        if not req.path.startswith(f"{base}artview/"):
            return None
        ident = req.path.rsplit("/", 1)[-1].removesuffix(".html")
        rep = arts.get((ident, req.arg("nbYear") or "", req.arg("orgCode") or ""))
        if rep is None:
            return page(site, "提示", "<div class='err'>参数错误：请选择单位和年度。</div>")
        return article_page(site, rep)

    site.route(base + "list.html", listing)
    site.route(base + "artview/", artview)
    return {c: site.url(f"{base}list.html?orgCode={c}") for c in orgs}
