"""The variety web's sites and agencies, part 2: Hanweb 信息公开 module, JPaaS, TRUECMS,
Epoint, Shanghai front/api, iframe/frameset and SPA shells, a migration-reset column,
picture tables with PDF downloads, a GB18030 site with direct PDF links."""

from __future__ import annotations

from varietyweb.catalog import dept_site, h
from varietyweb.columns import Entry, place
from varietyweb.content import add_attachment, make_noise, make_reports
from varietyweb.platforms import epoint, hanweb, jsapis, shells, trs
from varietyweb.web import Resource, li, page
from varietyweb.world import World, furnish


def build_part2(w: World) -> None:
    _xxgk(w)
    _jpaas(w)
    _truecms(w)
    _epoint(w)
    _shanghai(w)
    _frames(w)
    _spa(w)
    _migration(w)
    _pictures(w)
    _bengbu(w)


def _xxgk(w: World) -> None:
    """Hanweb 信息公开 module: search.jsp returns the whole area; departments share the area."""
    host = h("www.sucheng")
    s = w.site(host, "宿迁市宿城区人民政府", "hanweb-xxgk", site_code="3213020001")
    gov = w.agency("sucheng-qzf", "宿迁市宿城区人民政府", "government", "321302", f"http://{host}/")
    gov_reps = make_reports(gov, "hanweb-xxgk/post-area")
    dept_reps = []
    for slug, name in (("jyj", "宿迁市宿城区教育局"), ("wjw", "宿迁市宿城区卫生健康委员会")):
        a = w.agency(f"sucheng-{slug}", name, "department", "321302", f"http://{host}/", parent=gov.id)
        dept_reps += make_reports(a, "hanweb-xxgk/post-area", tags=("shared-portal",))
    cols = {"A0507": (3007, "政府信息公开年报", place(w, s, gov_reps, make_noise(gov.name, 4, "sc1"), hanweb.art_path(3007), style="hanweb")),
            "A0508": (3008, "部门信息公开年报", place(w, s, dept_reps, [], hanweb.art_path(3008), style="hanweb")),
            "A0201": (3101, "政策文件", place(w, s, [], make_noise(gov.name, 22, "sc2"), hanweb.art_path(3101), style="hanweb")),
            "A0301": (3102, "工作动态", place(w, s, [], make_noise(gov.name, 18, "sc3"), hanweb.art_path(3102), style="hanweb"))}
    tree = hanweb.xxgk_module(s, "11321302MB1525412X", cols, per=15, post_only=True)
    furnish(w, s, [("政府信息公开目录", tree)])
    # B: GET accepted, relative links, one organ in its area
    host = h("www.lyghz")
    s = w.site(host, "连云港市海州区人民政府", "hanweb-xxgk", site_code="3207060001")
    gov = w.agency("haizhou-qzf", "连云港市海州区人民政府", "government", "320706", f"http://{host}/")
    cols = {"B0901": (4410, "年度报告", place(w, s, make_reports(gov, "hanweb-xxgk/get-relative"), make_noise(gov.name, 6, "hz1"),
                                             hanweb.art_path(4410), style="hanweb")),
            "B0101": (4401, "机构信息", place(w, s, [], make_noise(gov.name, 12, "hz2"), hanweb.art_path(4401), style="hanweb"))}
    tree = hanweb.xxgk_module(s, "11320706014012345A", cols, per=10, post_only=False, relative=True)
    furnish(w, s, [("信息公开", tree)], calendar=True)


def _jpaas(w: World) -> None:
    for slug, name, kind, region, variant, web_id, page_id in (
            ("www.kecheng", "衢州市柯城区人民政府", "government", "330802", "capped", "b8e2a1c4", "1229360712"),
            ("jyj.liandu", "丽水市莲都区教育局", "department", "331102", "protocol-relative", "c93f0d11", "1229488201")):
        host = h(slug)
        s = w.site(host, name, "hanweb-jpaas", site_code=region + "0051")
        a = w.agency(slug.replace(".", "-").replace("www-", "") + ("-qzf" if kind == "government" else ""), name, kind, region,
                     f"http://{host}/")
        col = int(page_id[-4:])
        entries = place(w, s, make_reports(a, f"hanweb-jpaas/{variant}"), make_noise(name, 27, a.id), hanweb.art_path(col),
                        style="hanweb")
        path = jsapis.jpaas_column(s, f"/col/col{page_id}/index.html", web_id, page_id, entries, variant=variant)
        furnish(w, s, [("政府信息公开年报", path)])


def _truecms(w: World) -> None:
    for slug, name, kind, region, variant, colid in (
            ("www.lixia", "济南市历下区人民政府", "government", "370102", "perpage-20", "15633"),
            ("sjj.shibei", "青岛市市北区审计局", "department", "370203", "referer", "20871")):
        host = h(slug)
        s = w.site(host, name, "truecms", site_code=region + "0061")
        a = w.agency(("lixia-qzf" if kind == "government" else "shibei-sjj"), name, kind, region, f"http://{host}/")
        entries = place(w, s, make_reports(a, f"truecms/{variant}"), make_noise(name, 33, a.id),
                        lambda d, i: f"/content/{d:%Y-%m}/{d:%d}/content_{i}.html", style="plain")
        path = jsapis.truecms_column(s, "/xxgk/ndbg/index.html", colid, entries, variant=variant)
        furnish(w, s, [("政府信息公开年度报告", path)])


def _epoint(w: World) -> None:
    # A: one organ, pageIndex from 0, content in the detail API
    host = h("www.wujiang")
    s = w.site(host, "苏州市吴江区人民政府", "epoint", site_code="3205090001")
    gov = w.agency("wujiang-qzf", "苏州市吴江区人民政府", "government", "320509", f"http://{host}/")
    reps = w.add_reports(make_reports(gov, "epoint/zero-based"))
    noise = [(n.title, n.day, f"noise-{n.ident}") for n in make_noise(gov.name, 25, gov.id)]
    epoint.epoint_platform(s, "/EWB-FRONT", "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a",
                           {"/xxgk/ndbg/index.html": ("", "003001009", reps + noise)}, variant="zero-based")
    furnish(w, s, [("政府信息公开年报", "/xxgk/ndbg/index.html")])
    # B: one platform for several departments (deptcode), pageIndex from 1, reports as PDF
    host = h("xxgk.wuxi")
    s = w.site(host, "无锡市人民政府办公室", "epoint", site_code="3202000002")
    columns = {}
    for slug, name, dept in (("tjj", "无锡市统计局", "013201"), ("sjj", "无锡市审计局", "013224")):
        own = h(f"{slug}.wuxi")
        a = w.agency(f"wuxi-{slug}", name, "department", "320200", f"http://{own}/", hosts=[own, host])
        reps = w.add_reports(make_reports(a, "epoint/dept-pdflist", fmt="pdf", tags=("shared-portal",)))
        for r in reps:
            add_attachment(s, r, f"/EWB-FRONT/frontfile/{r.published:%Y%m%d}/{epoint.guid(r)[:8]}.pdf", ext="pdf")
        noise = [(n.title, n.day, f"noise-{n.ident}") for n in make_noise(name, 9, a.id)]
        path = f"/xxgk/bm/{slug}/ndbg.html"
        columns[path] = (dept, "004002", reps + noise)
        dept_site(w, own, name, f"http://{host}{path}")
    epoint.epoint_platform(s, "/EWB-FRONT", "0f6e3b9a-55b1-4c0e-9c1a-2d3e4f5a6b7c", columns, variant="dept-pdflist")
    furnish(w, s, [(f"部门年报（{k}）", p) for k, p in zip(("统计局", "审计局"), columns, strict=True)])


def _shanghai(w: World) -> None:
    host = h("www.shcn")
    s = w.site(host, "上海市长宁区人民政府", "shanghai-front", site_code="3101050001")
    gov = w.agency("changning-qzf", "上海市长宁区人民政府", "government", "310105", f"http://{host}/")
    e1 = place(w, s, make_reports(gov, "shanghai-front/affair-get"), make_noise(gov.name, 20, gov.id),
               lambda d, i: f"/zwgk/ndbg/{d:%Y%m%d}/{i:x}.html")
    dept = []
    for slug, name in (("jyj", "上海市长宁区教育局"), ("wjw", "上海市长宁区卫生健康委员会")):
        a = w.agency(f"changning-{slug}", name, "department", "310105", f"http://{host}/", parent=gov.id)
        dept += make_reports(a, "shanghai-front/affair-get", tags=("shared-portal",))
    e2 = place(w, s, dept, make_noise("长宁区", 4, "cn-dept"), lambda d, i: f"/zwgk/bmndbg/{d:%Y%m%d}/{i:x}.html")
    p1 = jsapis.shanghai_column(s, "/zwgk/ndbg/index.html", "a8d1c27f", e1)
    p2 = jsapis.shanghai_column(s, "/zwgk/bmndbg/index.html", "b91e02c3", e2, title="区级部门政府信息公开年报")
    furnish(w, s, [("政府信息公开年报", p1), ("区级部门政府信息公开年报", p2)])
    host = h("scjgj.jingan")
    s = w.site(host, "上海市静安区市场监督管理局", "shanghai-front", site_code="3101060041")
    a = w.agency("jingan-scjgj", "上海市静安区市场监督管理局", "department", "310106", f"http://{host}/")
    e = place(w, s, make_reports(a, "shanghai-front/search-post", fmt={2024: "flipbook"}), make_noise(a.name, 31, a.id),
              lambda d, i: f"/xxgk/{d:%Y%m}/{i}.html")
    furnish(w, s, [("信息公开年报", jsapis.shanghai_column(s, "/xxgk/ndbg/", "c0ffee01", e, variant="search-post"))])


def _frames(w: World) -> None:
    host = h("www.kfgl")
    s = w.site(host, "开封市鼓楼区人民政府", "iframe", site_code="4102040001")
    a = w.agency("gulou-qzf", "开封市鼓楼区人民政府", "government", "410204", f"http://{host}/")
    e = place(w, s, make_reports(a, "shell/iframe"), make_noise(a.name, 16, a.id), lambda d, i: f"/xxgk/content/{d:%Y%m%d}/{i}.html")
    furnish(w, s, [("政府信息公开年报", shells.iframe_column(s, "/xxgk/ndbg/index.html", 12, e))])
    host = h("wjw.xinxiang")
    s = w.site(host, "新乡市卫生健康委员会", "frameset", site_code="4107000071")
    a = w.agency("xinxiang-wjw", "新乡市卫生健康委员会", "department", "410700", f"http://{host}/")
    e = place(w, s, make_reports(a, "shell/frameset", title_form=0), make_noise(a.name, 14, a.id),
              lambda d, i: f"/zwgk/ndbg/{d:%Y%m}/{i}.html")
    for x in e:  # list titles cut to 16 characters, no title attribute: the full title is on the page
        x.title = x.title[:16] + "…" if len(x.title) > 16 else x.title
    for r in (x.report for x in e if x.report):
        r.tags.append("truncated-title")
    furnish(w, s, [("年度报告", shells.frameset_column(s, "/zwgk/ndbg/", e))])


def _spa(w: World) -> None:
    for slug, name, kind, region, variant in (("www.wuhou", "成都市武侯区人民政府", "government", "510107", "spa-state"),
                                              ("jyj.youxian", "绵阳市游仙区教育局", "department", "510704", "spa-inline"),
                                              ("sjj.jingyang", "德阳市旌阳区审计局", "department", "510603", "spa-docwrite")):
        host = h(slug)
        s = w.site(host, name, "spa", site_code=region + "0081")
        aid = {"spa-state": "wuhou-qzf", "spa-inline": "youxian-jyj", "spa-docwrite": "jingyang-sjj"}[variant]
        a = w.agency(aid, name, kind, region, f"http://{host}/")
        tags = ("needs-browser",) if variant != "spa-state" else ()
        e = place(w, s, make_reports(a, f"spa/{variant}", tags=tags), make_noise(name, 13, a.id), shells.spa_path)
        route = shells.spa_column(s, "/zwgk/ndbg/", e, variant=variant)
        furnish(w, s, [("政府信息公开年报", route)])


def _migration(w: World) -> None:
    """A TRS column migrated to a new CMS: every meta PubDate is the migration day."""
    host = h("www.lucheng")
    s = w.site(host, "温州市鹿城区人民政府", "trs", site_code="3303020001")
    a = w.agency("lucheng-qzf", "温州市鹿城区人民政府", "government", "330302", f"http://{host}/")
    base = "/art/xxgk/ndbg/"
    e = place(w, s, make_reports(a, "trs/createPageHTML", tags=("pubdate-reset",)), make_noise(a.name, 8, a.id),
              trs.art_path(base), style="trs", pubdate="2025-06-18 16:42:07")
    furnish(w, s, [("政府信息公开年报", trs.trs_column(s, base, e, per=6))])


def _pictures(w: World) -> None:
    """A Hanweb site whose 2023 and 2024 reports carry their tables as pictures; 2022 as a PDF
    behind downfile.jsp."""
    host = h("www.hanjiang")
    s = w.site(host, "扬州市邗江区人民政府", "hanweb-jpage", site_code="3210030001")
    a = w.agency("hanjiang-qzf", "扬州市邗江区人民政府", "government", "321003", f"http://{host}/")
    reps = make_reports(a, "hanweb-jpage/startrecord", fmt={2022: "pdf", 2023: "imgtables", 2024: "imgtables"})
    for r in reps:
        r.tags.append("picture-tables" if r.fmt == "imgtables" else "downfile-302")
    e = place(w, s, reps, make_noise(a.name, 30, a.id), hanweb.art_path(6021), style="hanweb", attach=hanweb.downfile)
    furnish(w, s, [("政府信息公开年报", hanweb.jpage_column(s, 6021, e, per=6, webid=31, unitid=410, group_pages=3,
                                                                       rows=True))])


def _bengbu(w: World) -> None:
    """A home-grown site declared GB2312 with GB18030-only characters, list_N.html paging, a
    report linked straight to its PDF and one through a JS location.href shell."""
    host = h("tjj.bengbu")
    s = w.site(host, "蚌埠市统计局", "generic", charset="gb18030-declared-gb2312", site_code="3403000091",
               footer="地址：蚌埠市龙子湖区𬉼山路 皖ICP备05001234号")
    a = w.agency("bengbu-tjj", "蚌埠市统计局", "department", "340300", f"http://{host}/")
    reps = make_reports(a, "generic/list-n", fmt={2023: "pdf"}, tags=("gb18030-declared-gb2312",))
    entries: list[Entry] = []
    for r in reps:
        if r.fmt == "pdf":  # the list links the PDF itself
            link = f"/UploadFiles/{r.published:%Y%m}/{r.ident}.pdf"
            add_attachment(s, r, link, ext="pdf")
            r.url = s.url(link)
            r.tags.append("direct-pdf")
            w.add_reports([r])
            entries.append(Entry(r.title, link, r.published, r))
        else:
            entries += place(w, s, [r], [], lambda d, i: f"/news/show_{i}.html")
    entries += place(w, s, [], make_noise(a.name, 15, a.id), lambda d, i: f"/news/show_{i}.html")
    entries.sort(key=lambda x: x.day, reverse=True)
    shell_for, shell_report = next((x, x.report) for x in entries if x.report and x.report.fmt == "html")
    shell = f"/news/go_{shell_report.ident}.html"
    s.add(shell, Resource(f"<html><head><script>window.location.href='{shell_for.href}';</script></head><body></body></html>".encode()))
    shell_report.also.append(s.url(shell))
    shell_report.tags.append("js-redirect-shell")
    shell_for.href = shell
    per = 8
    pages = [entries[i:i + per] for i in range(0, len(entries), per)]
    for i, chunk in enumerate(pages):
        nav = (f"<a href='list_{i + 2}.html'>下一页</a>" if i + 1 < len(pages) else "") + f" 共{len(pages)}页"
        s.add("/news/list.html" if i == 0 else f"/news/list_{i + 1}.html",
              page(s, "政府信息公开年报", f"<ul>{''.join(li(x.href, x.title, x.day) for x in chunk)}</ul>{nav}"))
    furnish(w, s, [("政府信息公开年报", "/news/list.html")], jsessionid=True)
