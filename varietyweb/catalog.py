"""The variety web's sites and agencies, part 1: Hanweb jpage, TRS, gkmlpt, VSB, year
folders, a query-string platform, UCAP, a home-grown ?page= site and the blocked sites.

Each block builds one site from the platform modules and declares the agencies it serves
with their registry rows (most with only a ``site``, as an office's roster gives them).
"""

from __future__ import annotations

from datetime import date

from varietyweb.columns import Entry, place
from varietyweb.content import make_noise, make_reports
from varietyweb.platforms import folders, gkmlpt, hanweb, qs, trs, ucap, vsb
from varietyweb.web import TLD, Resource, Site, li, page
from varietyweb.world import World, furnish, min_number_regex


def h(name: str) -> str:
    return f"{name}.{TLD}"


def dept_site(world: World, host: str, name: str, column_url: str, column_title: str = "政府信息公开年报") -> Site:
    """A department's own small site whose 年报 link leads to the portal carrying its reports."""
    s = world.site(host, name, "dept-site")
    furnish(world, s, [(column_title, column_url)])
    return s


def build_part1(w: World) -> None:
    _nantong(w)
    _yancheng(w)
    _deqing(w)
    _huzhou(w)
    _gkmlpt(w)
    _vsb(w)
    _anyuan(w)
    _ganzhou(w)
    _nanchang(w)
    _liuyang(w)
    _zhuzhou(w)
    _generic(w)
    _blocked(w)
    _moved(w)


# -- Hanweb jpage --------------------------------------------------------------------------------
def _nantong(w: World) -> None:
    """A Hanweb city portal whose 年报 column carries the government's and departments' reports."""
    host = h("www.nantong")
    s = w.site(host, "南通市人民政府", "hanweb-jpage", site_code="3206000001",
               robots="User-agent: *\nDisallow: /search/\nDisallow: /module/xxgk/search.jsp\n")
    col = 5001
    col_url = f"http://{host}/col/col{col}/index.html"
    gov = w.agency("nantong-szf", "南通市人民政府", "government", "320600", f"http://{host}/")
    reps = make_reports(gov, "hanweb-jpage/startrecord", fmt={2023: "docx"}, title_form=0)
    for slug, name, years in (("jyj", "南通市教育局", (2022, 2023, 2024)), ("czj", "南通市财政局", (2023, 2024)),
                              ("sthjj", "南通市生态环境局", (2022, 2023, 2024))):
        dhost = h(f"{slug}.nantong")
        dept_site(w, dhost, name, col_url)
        a = w.agency(f"nantong-{slug}", name, "department", "320600", f"http://{dhost}/", hosts=[dhost, host], parent=gov.id)
        reps += make_reports(a, "hanweb-jpage/startrecord", years=years, tags=("shared-portal",))
        if len(years) < 3:
            w.mark_absent(a, 2022, "未发布")
    noise = make_noise("南通市人民政府", 26, "nantong")
    entries = place(w, s, reps, noise, hanweb.art_path(col), style="hanweb", attach=hanweb.downfile)
    for r in reps:
        if r.attachments:
            r.tags.append("downfile-302")
    path = hanweb.jpage_column(s, col, entries, variant="startrecord", per=15)
    furnish(w, s, [("政府信息公开年报", path)], jsessionid=True)


def _yancheng(w: World) -> None:
    host = h("jtj.yancheng")
    s = w.site(host, "盐城市交通运输局", "hanweb-jpage", site_code="3209000012")
    a = w.agency("yancheng-jtj", "盐城市交通运输局", "department", "320900", f"http://{host}/")
    reps = make_reports(a, "hanweb-jpage/page-only", fmt={2022: "docx"})
    entries = place(w, s, reps, make_noise(a.name, 24, a.id), hanweb.art_path(3301), style="hanweb", attach=hanweb.downfile)
    path = hanweb.jpage_column(s, 3301, entries, variant="page", per=10, webid=12, unitid=52110)
    for r in reps:
        r.tags.append("meta-refresh-home")
    furnish(w, s, [("信息公开年报", path)], calendar=True, home="/col/col1/index.html")


# -- TRS -----------------------------------------------------------------------------------------
def _deqing(w: World) -> None:
    """A TRS county portal carrying its departments' and a township's reports in one column."""
    host = h("www.deqing")
    s = w.site(host, "德清县人民政府", "trs", site_code="3305210001")
    base = "/zfxxgk/xxgknb/"
    col_url = f"http://{host}{base}index.html"
    gov = w.agency("deqing-xzf", "德清县人民政府", "government", "330521", f"http://{host}/")
    reps = make_reports(gov, "trs/createPageHTML")
    for slug, name, kind, region in (("jyj", "德清县教育局", "department", "330521"), ("wjj", "德清县卫生健康局", "department", "330521"),
                                     ("wkz", "德清县武康街道办事处", "township", "330521")):
        dhost = h(f"{slug}.deqing")
        dept_site(w, dhost, name, col_url)
        a = w.agency(f"deqing-{slug}", name, kind, region, f"http://{dhost}/", hosts=[dhost, host], parent=gov.id)
        reps += make_reports(a, "trs/createPageHTML", fmt={2024: "docx"} if slug == "wjj" else "html", tags=("shared-portal",))
    entries = place(w, s, reps, make_noise(gov.name, 14, "deqing"), trs.art_path(base), style="trs")
    _repost(w, h("jyj.deqing"), next(r for r in reps if r.agency is gov and r.year == 2023), col_url)
    gone = base + "202201/t20220120_100001.html"  # listed, but the page is a soft 404 (status 200)
    s.add(gone, page(s, "页面不存在", "<div class='err'>对不起，您访问的页面不存在或已被删除！</div>"))
    w.noise_urls.append(s.url(gone))
    entries.append(Entry("德清县教育局2021年政府信息公开工作年度报告", gone, date(2022, 1, 20)))
    entries.sort(key=lambda e: (e.day, e.title), reverse=True)
    trs.trs_column(s, base, entries, per=8)
    furnish(w, s, [("政府信息公开年度报告", base + "index.html")])


def _repost(w: World, host: str, rep, col_url: str) -> None:
    """A department reposts its government's report in its own 通知公告 (转载): the copy belongs
    to the government, not to the department whose site carries it."""
    from varietyweb.content import article_page

    s = w.sites[host]
    path = f"/tzgg/{rep.published:%Y%m}/t{rep.published:%Y%m%d}_9{rep.ident}.html"
    s.add(path, article_page(s, rep))
    rep.also.append(s.url(path))
    rep.tags.append("reposted-by-department")
    s.add("/tzgg/index.html", page(s, "通知公告", f"<ul>{li(path, '转载：' + rep.title, rep.published)}</ul>"))
    s.add("/zwgk/", page(s, "政务公开", f"<ul><li><a href='{col_url}'>政府信息公开年报</a></li>"
                                      "<li><a href='/tzgg/index.html'>通知公告</a></li></ul>"))


def _huzhou(w: World) -> None:
    """TRS ``createPage`` with .shtml pages in GBK declared as UTF-8."""
    host = h("sthjj.huzhou")
    s = w.site(host, "湖州市生态环境局", "trs", charset="gbk-declared-utf8", site_code="3305000021")
    base = "/xxgk/ndbg/"
    a = w.agency("huzhou-sthjj", "湖州市生态环境局", "department", "330500", f"http://{host}/")
    reps = make_reports(a, "trs/createPage-shtml", tags=("gbk-declared-utf8",))
    entries = place(w, s, reps, make_noise(a.name, 12, a.id), trs.art_path(base, "shtml"), style="view")
    trs.trs_column(s, base, entries, per=5, variant="createPage", ext="shtml")
    furnish(w, s, [("政府信息公开年报", base + "index.shtml")])


# -- gkmlpt ----------------------------------------------------------------------------------------
def _gkmlpt(w: World) -> None:
    tree = [{"id": 2650, "name": "机构职能", "children": []}, {"id": 2652, "name": "政策文件", "children": []},
            {"id": 2655, "name": "政府信息公开", "children": [{"id": 2656, "name": "政府信息公开年报", "children": []},
                                                          {"id": 2657, "name": "政府信息公开指南", "children": []}]}]
    # A: the office pinned the app URL whose column id is only in the fragment
    host = h("www.szlhq")
    s = w.site(host, "深圳市龙华区人民政府", "gkmlpt", site_code="4403090001")
    a = w.agency("szlhq-qzf", "深圳市龙华区人民政府", "government", "440309", f"http://{host}/",
                 start_urls=[f"http://{host}/gkmlpt/index#2656"])
    reps = make_reports(a, "gkmlpt/paged-fragment")
    entries = place(w, s, reps, make_noise(a.name, 17, a.id), gkmlpt.art_path(2656), style="gkmlpt")
    other = place(w, s, [], make_noise(a.name, 5, a.id + "-2657"), gkmlpt.art_path(2657), style="gkmlpt")
    gkmlpt.gkmlpt_app(s, "755031", tree, {2656: entries, 2657: other}, variant="paged")
    furnish(w, s, [("政府信息公开目录", "/gkmlpt/index")])
    # B: everything on page 1 (page>=2 is 404), post_url/publish_time, reached through TREE
    host = h("edu.nanhai")
    s = w.site(host, "佛山市南海区教育局", "gkmlpt", site_code="4406050014")
    a = w.agency("nanhai-jyj", "佛山市南海区教育局", "department", "440605", f"http://{host}/")
    reps = make_reports(a, "gkmlpt/onepage-tree")
    tree_b = [{"id": 3100, "name": "信息公开", "children": [{"id": 3108, "name": "年度报告", "children": []}]}]
    entries = place(w, s, reps, make_noise(a.name, 14, a.id), gkmlpt.art_path(3108), style="gkmlpt")
    gkmlpt.gkmlpt_app(s, "757112", tree_b, {3108: entries}, variant="onepage")
    furnish(w, s, [("政府信息公开", "/gkmlpt/index")])


# -- VSB -----------------------------------------------------------------------------------------
def _vsb(w: World) -> None:
    for slug, name, region, variant, colid in (("kjj.baoji", "宝鸡市科学技术局", "610300", "countdown", 1021),
                                               ("tjj.xianyang", "咸阳市统计局", "610400", "a2p", 1185),
                                               ("sjj.hanzhong", "汉中市审计局", "610700", "gotopage", 1302)):
        host = h(slug)
        s = w.site(host, name, "vsb", site_code=region + "0031", delay=0.4 if variant == "gotopage" else 0.0)
        a = w.agency(slug.split(".")[1] + "-" + slug.split(".")[0], name, "department", region, f"http://{host}/")
        reps = make_reports(a, f"vsb/{variant}", fmt={2023: "docx"} if variant == "a2p" else "html",
                            tags=("slow-server",) if variant == "gotopage" else ())
        entries = place(w, s, reps, make_noise(name, 23, a.id), vsb.art_path(colid), style="vsb")
        first = vsb.vsb_column(s, "/xxgk/xxgknb", colid, entries, per=8, variant=variant)
        furnish(w, s, [("信息公开年报", first)], hub="/xxgk/")


# -- year folders --------------------------------------------------------------------------------
def _anyuan(w: World) -> None:
    """A county portal with one folder per year and per kind (本级 / 部门 / 乡镇街道)."""
    host = h("www.anyuan")
    s = w.site(host, "安远县人民政府", "year-folders", site_code="3607260001")
    root = "/zfxxgk/zfxxgknb/"
    gov = w.agency("anyuan-xzf", "安远县人民政府", "government", "360726", f"http://{host}/")
    members = [(gov, "bj")]
    for slug, name in (("fgw", "安远县发展和改革委员会"), ("jyj", "安远县教育局"), ("mzj", "安远县民政局")):
        members.append((w.agency(f"anyuan-{slug}", name, "department", "360726", f"http://{host}/", parent=gov.id), "bm"))
    for slug, name, code in (("xjz", "安远县欣山镇人民政府", "360726"), ("tcx", "安远县天心镇人民政府", "360726")):
        members.append((w.agency(f"anyuan-{slug}", name, "township", code, f"http://{host}/", parent=gov.id), "xzjd"))
    by_year: dict[int, dict[str, list[Entry]]] = {}
    for a, kind in members:
        years = (2022, 2024) if a.id == "anyuan-tcx" else (2022, 2023, 2024)
        if a.id == "anyuan-tcx":
            w.mark_absent(a, 2023, "未发布")
        for r in make_reports(a, "year-folders/per-kind", years=years, tags=("shared-portal",) if kind != "bj" else ()):
            base = folders.folder(root, r.year, "kind", 78) + kind + "/"
            e = place(w, s, [r], [], folders.folder_path(base), style="trs")
            by_year.setdefault(r.year, {}).setdefault(kind, []).extend(e)
    for y, kinds in by_year.items():
        base = folders.folder(root, y, "kind", 78) + "bj/"
        kinds["bj"] += place(w, s, [], make_noise(gov.name, 3, f"anyuan{y}"), folders.folder_path(base), style="trs")
        for es in kinds.values():
            es.sort(key=lambda e: e.day, reverse=True)
    folders.year_folders(s, root, by_year, variant="kind", per=6)
    w.noise_urls += [s.url(folders.folder(root, y, "kind", 78)) for y in by_year]  # folders titled like reports
    furnish(w, s, [("政府信息公开年报", root)])


def _ganzhou(w: World) -> None:
    """Plain year folders on a server with 5xx bursts; the 2024 report was posted in 通知公告."""
    host = h("sjj.ganzhou")
    s = w.site(host, "赣州市审计局", "year-folders", site_code="3607000041", flaky=True)
    root = "/xxgk/xxgknb/"
    a = w.agency("ganzhou-sjj", "赣州市审计局", "department", "360700", f"http://{host}/")
    by_year: dict[int, dict[str, list[Entry]]] = {}
    notices = place(w, s, [], make_noise(a.name, 9, f"{a.id}-tzgg"), folders.folder_path("/xxgk/tzgg/"))
    for r in make_reports(a, "year-folders/plain", tags=("5xx-burst",)):
        if r.year == 2024:
            r.tags.append("outside-column")
            notices += place(w, s, [r], [], folders.folder_path("/xxgk/tzgg/"))
            continue
        base = folders.folder(root, r.year, "plain", 0)
        es = place(w, s, [r], make_noise(a.name, 2, f"{a.id}{r.year}"), folders.folder_path(base))
        by_year[r.year] = {"all": es}
    folders.year_folders(s, root, by_year, variant="plain")
    notices.sort(key=lambda e: e.day, reverse=True)
    trs.trs_column(s, "/xxgk/tzgg/", notices, per=10, title="通知公告")
    furnish(w, s, [("信息公开年报", root), ("通知公告", "/xxgk/tzgg/index.html")])


# -- query-string platform -------------------------------------------------------------------------
def _nanchang(w: World) -> None:
    """One 年报 system for several organs: list.html?orgCode=…, artview/…?nbYear=…&orgCode=…"""
    host = h("xxgk.nc")
    s = w.site(host, "南昌市人民政府办公室", "query-string", site_code="3601000002")
    furnish(w, s, [("政府信息公开年度报告", "/xxgknb/")])
    orgs = {}
    spec = [("11360100014500101X", "nanchang-jyj", "南昌市教育局", "jyj.nc", False),
            ("11360100014500208K", "nanchang-mzj", "南昌市民政局", "mzj.nc", True),
            ("11360100014500315B", "nanchang-sfj", "南昌市司法局", None, True),
            ("11360100014500422P", "nanchang-tyj", "南昌市体育局", None, False)]
    agencies = []
    for code, aid, name, own, bare in spec:
        if own:
            site_url, hosts = f"http://{h(own)}/", [h(own), host]
        else:
            site_url, hosts = f"http://{host}/xxgknb/", [host]
        a = w.agency(aid, name, "department", "360100", site_url, hosts=hosts)
        agencies.append((code, a, own))
        orgs[code] = (name, make_reports(a, "query-string/by-year", bare_title=bare, tags=("shared-portal",)))
    urls = qs.qs_platform(w, s, "/xxgknb/", 12, orgs, variant="by-year")
    for code, a, own in agencies:
        if own:
            dept_site(w, h(own), a.name, urls[code])


# -- UCAP ------------------------------------------------------------------------------------------
def _liuyang(w: World) -> None:
    """A UCAP county portal hosting the reports of 11 agencies in sub-columns."""
    host = h("www.liuyang")
    s = w.site(host, "浏阳市人民政府", "ucap", site_code="4301810001")
    gov = w.agency("liuyang-szf", "浏阳市人民政府", "government", "430181", f"http://{host}/")
    members = [(gov, "c100771", "市政府")]
    depts = [("fgj", "浏阳市发展和改革局"), ("jyj", "浏阳市教育局"), ("gaj", "浏阳市公安局"), ("czj", "浏阳市财政局"),
             ("rsj", "浏阳市人力资源和社会保障局"), ("zjj", "浏阳市住房和城乡建设局"), ("nyj", "浏阳市农业农村局"),
             ("wjj", "浏阳市卫生健康局")]
    for k, (slug, name) in enumerate(depts):
        members.append((w.agency(f"liuyang-{slug}", name, "department", "430181", f"http://{host}/", parent=gov.id),
                        f"c1007{80 + k}", name))
    for k, (slug, name, code) in enumerate((("hhj", "浏阳市淮川街道办事处", "430181"), ("jsz", "浏阳市集里街道办事处", "430181"))):
        members.append((w.agency(f"liuyang-{slug}", name, "township", code, f"http://{host}/", parent=gov.id),
                        f"c1007{90 + k}", name))
    channels = {}
    for a, ch, label in members:
        years = (2022, 2024) if a.id == "liuyang-gaj" else (2022, 2023, 2024)
        if a.id == "liuyang-gaj":
            w.mark_absent(a, 2023, "未发布")
        reps = make_reports(a, "ucap/shell-subcolumns", years=years, tags=("shared-portal",) if a is not gov else ())
        noise = make_noise(a.name, 2 if a is not gov else 18, a.id)
        channels[ch] = (label, place(w, s, reps, noise, ucap.content_path("lysrmzf", ch), style="ucap"))
    ucap.ucap_channels(s, "lysrmzf", channels, variant="shell", parent=("c100770", "政府信息公开年报"))
    furnish(w, s, [("政府信息公开年报", ucap.list_path("lysrmzf", "c100770"))])


def _zhuzhou(w: World) -> None:
    host = h("tjj.zhuzhou")
    s = w.site(host, "株洲市统计局", "ucap", site_code="4302000033")
    a = w.agency("zhuzhou-tjj", "株洲市统计局", "department", "430200", f"http://{host}/")
    reps = make_reports(a, "ucap/ssr-attachments", fmt="pdf")
    entries = place(w, s, reps, make_noise(a.name, 30, a.id), ucap.content_path("zztjj", "c106012"), style="ucap",
                    attach=ucap.ucap_attach("zztjj"))
    ucap.ucap_channels(s, "zztjj", {"c106012": ("政府信息公开年报", entries)}, variant="ssr")
    furnish(w, s, [("政府信息公开年报", ucap.list_path("zztjj", "c106012"))])


# -- home-grown ?page= ---------------------------------------------------------------------------
def _generic(w: World) -> None:
    """An ASP.NET county site in GB18030 with no charset declaration, ?page=N and 下一页 forever."""
    host = h("www.dongzhi")
    s = w.site(host, "东至县人民政府", "generic", charset="gb18030-undeclared", site_code="3417210001",
               robots="User-agent: *\nDisallow: /admin/\n")
    gov = w.agency("dongzhi-xzf", "东至县人民政府", "government", "341721", f"http://{host}/")
    reps = make_reports(gov, "generic/page-param", tags=("gb18030-undeclared",))
    reps[1].tags.append("onclick-link")  # opened by window.open(...) in an onclick, no href
    entries = place(w, s, reps, make_noise(gov.name, 21, gov.id), lambda d, i: f"/xxgk/show.aspx?id={i}")
    chunks_ = [entries[i:i + 10] for i in range(0, len(entries), 10)]
    last = len(chunks_)

    def listing(req):
        if req.path != "/xxgk/list.aspx" or req.arg("cid") != "45":
            return None
        p = max(1, req.int_arg("page", 1))
        chunk = chunks_[p - 1] if p <= last else []
        lis = "".join(li(e.href, e.title, e.day) if not (e.report and "onclick-link" in e.report.tags) else
                      f"<li><a href=\"javascript:void(0)\" onclick=\"window.open('{e.href}')\">{e.title}</a><span>{e.day}</span></li>"
                      for e in chunk)
        return page(s, "政府信息公开年报", f"<ul class='list'>{lis}</ul><a href='/xxgk/list.aspx?cid=45&amp;page={p + 1}'>下一页</a>")
    s.route("/xxgk/list.aspx", listing)
    w.trap(host, r"^/xxgk/list\.aspx\?cid=45&page=" + min_number_regex(last + 3) + "$", "无尽的下一页：空页仍链接下一页")
    furnish(w, s, [("政府信息公开年报", "/xxgk/list.aspx?cid=45")])


# -- blocked and dead ------------------------------------------------------------------------------
def _blocked(w: World) -> None:
    s = w.site(h("www.jzs"), "荆州市人民政府", "blocked", state="js-challenge")
    w.agency("jingzhou-szf", "荆州市人民政府", "government", "421000", f"http://{s.host}/", expected="blocked",
             reason="HTTP 412，JS Cookie 挑战（瑞数类）")
    s = w.site(h("scjgj.xiangyang"), "襄阳市市场监督管理局", "blocked", state="slider")
    w.agency("xiangyang-scjgj", "襄阳市市场监督管理局", "department", "420600", f"http://{s.host}/", expected="blocked",
             reason="滑块验证码页面替换了全部内容")
    # a site whose robots.txt forbids everything: a polite crawler stays out
    s = w.site(h("tjj.xiaogan"), "孝感市统计局", "trs", robots="User-agent: *\nDisallow: /\n", site_code="4209000021")
    a = w.agency("xiaogan-tjj", "孝感市统计局", "department", "420900", f"http://{s.host}/", expected="unreachable",
                 reason="robots.txt 禁止抓取全部路径（Disallow: /）")
    base = "/xxgk/ndbg/"
    e = place(w, s, make_reports(a, "trs/createPageHTML", tags=("robots-disallowed",)), make_noise(a.name, 6, a.id),
              trs.art_path(base), style="trs", reachable=False)
    furnish(w, s, [("政府信息公开年报", trs.trs_column(s, base, e))])
    s = w.site(h("www.shiyan-old"), "十堰市郧阳区人民政府（旧站）", "dead", state="dead")
    w.agency("yunyang-qzf", "十堰市郧阳区人民政府", "government", "420304", f"http://{s.host}/", expected="unreachable",
             reason="连接被拒绝（站点已关闭）")


def _moved(w: World) -> None:
    """The roster still has the old domain; it answers 301 to the new one for every path."""
    old = w.site(h("www.yixing"), "宜兴市人民政府（旧域名）", "moved")
    new_host = h("www.yixing-new")
    old.route("/", lambda req: Resource.redirect(f"http://{new_host}{req.target}", 301))
    s = w.site(new_host, "宜兴市人民政府", "trs", site_code="3202820001")
    a = w.agency("yixing-szf", "宜兴市人民政府", "government", "320282", f"http://{old.host}/")
    base = "/zwgk/zfxxgknb/"
    e = place(w, s, make_reports(a, "trs/createPageHTML", tags=("moved-host",)), make_noise(a.name, 11, a.id),
              trs.art_path(base), style="trs")
    furnish(w, s, [("政府信息公开年报", trs.trs_column(s, base, e, per=10))])
    for x in e:  # the old domain's URL of a report redirects to it: the same report
        if x.report:
            x.report.also.append(f"http://{old.host}{x.href}")
