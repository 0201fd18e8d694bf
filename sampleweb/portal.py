"""A county portal of the sample web: 沭阳县人民政府 at ``www.shuyang.gov.cn.test``.

What ``nianbao registry discover`` reads on real portals: a 部门导航 page (short names such as
"县教育局", some departments on their own host, some as sub-sites of the portal), a
乡镇（街道）list as a table, and the 政府信息公开 platform's 机构 list (full names, grouped
under 县政府部门 / 乡镇（街道）, one ``?orgCode=`` list per organ).  Every page also carries
the noise of real portals: a top menu, 友情链接 to other governments, a 更多 link.
``PORTAL_TRUTH`` is what a discover run must propose.
"""

from __future__ import annotations

import html

from sampleweb.render import Resource

HOST = "www.shuyang.gov.cn.test"
GOV = "沭阳县人民政府"
REGION = "321322"
# (short name on the 部门导航, full name, own host or None: a sub-site of the portal)
DEPARTMENTS = [("县发展和改革委员会", "沭阳县发展和改革委员会", "fgw.shuyang.gov.cn.test"),
               ("县教育局", "沭阳县教育局", "jyj.shuyang.gov.cn.test"),
               ("县公安局", "沭阳县公安局", None), ("县民政局", "沭阳县民政局", None),
               ("县财政局", "沭阳县财政局", "czj.shuyang.gov.cn.test"),
               ("县人力资源和社会保障局", "沭阳县人力资源和社会保障局", None),
               ("县自然资源局", "沭阳县自然资源局", None), ("县住房和城乡建设局", "沭阳县住房和城乡建设局", None),
               ("县交通运输局", "沭阳县交通运输局", None), ("县农业农村局", "沭阳县农业农村局", None),
               ("县卫生健康委员会", "沭阳县卫生健康委员会", "wjw.shuyang.gov.cn.test"),
               ("县市场监督管理局", "沭阳县市场监督管理局", None), ("县统计局", "沭阳县统计局", None),
               ("县行政审批局", "沭阳县行政审批局", None)]
TOWNSHIPS = [("001", "沭城街道"), ("002", "南湖街道"), ("101", "陇集镇"), ("102", "胡集镇"), ("103", "钱集镇"),
             ("104", "塘沟镇"), ("110", "桑墟镇"), ("118", "龙庙镇"), ("128", "青伊湖镇"), ("205", "西圩乡")]
_SLUGS = {"县发展和改革委员会": "fgw", "县教育局": "jyj", "县公安局": "gaj", "县民政局": "mzj", "县财政局": "czj",
          "县人力资源和社会保障局": "rsj", "县自然资源局": "zrzyj", "县住房和城乡建设局": "zjj",
          "县交通运输局": "jtysj", "县农业农村局": "nyncj", "县卫生健康委员会": "wjw",
          "县市场监督管理局": "scjgj", "县统计局": "tjj", "县行政审批局": "xzspj"}


SELECT_ONLY = ("县信访局", "沭阳县信访局", "xfj.shuyang.gov.cn.test")


def _dept_site(short: str, host: str | None) -> str:
    return f"http://{host}/" if host else f"http://{HOST}/{_SLUGS[short]}/"


def _town_full(town: str) -> str:
    return f"沭阳县{town}" + ("办事处" if town.endswith("街道") else "人民政府")


PORTAL_TRUTH: list[dict[str, str]] = (
    [{"name": GOV, "kind": "government", "site": f"http://{HOST}/", "parent": ""}]
    + [{"name": full, "kind": "department", "site": _dept_site(short, host), "parent": GOV}
       for short, full, host in DEPARTMENTS]
    + [{"name": _town_full(t), "kind": "township", "site": f"http://{HOST}/xzjd/{code}/", "parent": GOV,
        "region": REGION + code} for code, t in TOWNSHIPS]
    + [{"name": SELECT_ONLY[1], "kind": "department", "site": f"http://{SELECT_ONLY[2]}/", "parent": GOV}]
    + [{"name": f"{GOV}办公室", "kind": "department", "site": f"http://{HOST}/xxgk/list.html?orgCode=xzfb", "parent": GOV}])

_MENU = ('<div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/bmdh/index.html">部门导航</a>'
         '<a href="/xzjd/index.html">乡镇（街道）</a><a href="/xxgk/index.html">政府信息公开</a>'
         '<a href="/hdjl/">互动交流</a></div>')
# dropdowns above the footer, as many portals have: one adds an agency the 部门导航 lacks
_SELECTS = ('<div class="zdlj"><select onchange="window.open(this.value)"><option value="">县级部门网站</option>'
            f'<option value="http://{SELECT_ONLY[2]}/">{SELECT_ONLY[0]}</option>'
            '<option value="http://jyj.shuyang.gov.cn.test/">县教育局</option></select>'
            '<select onchange="window.open(this.value)"><option value="">县区政府网站</option>'
            '<option value="http://www.siyang.gov.cn.test/">泗阳县</option>'
            '<option value="http://www.sihong.gov.cn.test/">泗洪县</option></select></div>')
_FOOTER = _SELECTS + ('<div class="yqlj"><h3>友情链接</h3><a href="http://www.gov.cn/">中国政府网</a>'
           '<a href="http://www.jiangsu.gov.cn.test/">江苏省人民政府</a>'
           '<a href="http://www.suqian.gov.cn.test/">宿迁市人民政府</a>'
           '<a href="http://www.siyang.gov.cn.test/">泗阳县人民政府</a></div>'
           '<div class="footer">主办：沭阳县人民政府办公室 网站标识码3213220001 苏ICP备00000000号</div>')


def _page(title: str, body: str) -> Resource:
    doc = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
           f'<meta name="SiteName" content="{GOV}"><meta name="SiteIDCode" content="3213220001"></head>'
           f'<body><div class="header"><h1>{GOV}</h1></div>{_MENU}<div class="main">{body}</div>{_FOOTER}</body></html>')
    return Resource(doc.encode("utf-8"))


def _home() -> Resource:
    news = "".join(f'<li><a href="/zwgk/202503/t2025031{i}_{i}.html">沭阳县召开第{i}次常务会议</a></li>' for i in range(1, 5))
    return _page(f"{GOV}", f'<div class="news"><h2>沭阳要闻</h2><ul>{news}</ul>'
                 f'<a href="/zwgk/index.html">更多</a></div>')


def _departments() -> Resource:
    items = "".join(f'<li><a href="{_dept_site(short, host)}" target="_blank" title="{short}">{short}</a></li>'
                    for short, _, host in DEPARTMENTS)
    return _page(f"部门导航_{GOV}", f'<div class="bmdh"><h2>部门导航</h2><ul class="list">{items}</ul></div>')


def _townships() -> Resource:
    cells = "".join(f'<tr><td>{n + 1}</td><td><a href="/xzjd/{code}/">{town}</a></td>'
                    f'<td>{REGION}{code}</td></tr>' for n, (code, town) in enumerate(TOWNSHIPS))
    return _page(f"乡镇（街道）_{GOV}", '<div class="xzjd"><h2>乡镇（街道）</h2><table><tr><th>序号</th>'
                 f'<th>名称</th><th>区划代码</th></tr>{cells}</table></div>')


def _platform() -> Resource:
    depts = "".join(f'<li><a href="/xxgk/list.html?orgCode={_SLUGS[short]}">{full}</a></li>'
                    for short, full, _ in DEPARTMENTS)
    towns = "".join(f'<li><a href="/xxgk/list.html?orgCode=xz{code}">{_town_full(t)}</a></li>' for code, t in TOWNSHIPS)
    return _page(f"政府信息公开_{GOV}",
                 '<div class="jglist"><h2>机构列表</h2>'
                 f'<h3>县政府</h3><ul><li><a href="/xxgk/list.html?orgCode=xzf">{GOV}</a></li>'
                 f'<li><a href="/xxgk/list.html?orgCode=xzfb">{GOV}办公室</a></li></ul>'
                 f'<h3>县政府部门</h3><ul>{depts}</ul><h3>乡镇（街道）</h3><ul>{towns}</ul></div>')


_PAGES = {"/": _home, "/index.html": _home, "/bmdh/index.html": _departments, "/xzjd/index.html": _townships,
          "/xxgk/index.html": _platform}


def serve(host: str, path: str) -> Resource | None:
    """The portal's resource for a request, or None when the host is not the portal."""
    if host != HOST:
        return None
    if path == "/robots.txt":
        return Resource(b"User-agent: *\nDisallow: /hdjl/\n", "text/plain")
    page = _PAGES.get(path.split("#")[0])
    if page is None:
        return Resource(b"<html><head><title>404</title></head><body>404</body></html>", "text/html", 404)
    return page()
