"""The spider end to end on small loopback webs: shared portals and attribution, the proof
of absence, blocks versus noscript notices, the gkmlpt fragment, the TRUECMS step-down,
GBK pages declaring UTF-8, table pictures, the explorer's budget and per-host politeness."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tests.spiders.miniweb import MiniWeb

ROOT = Path(__file__).parents[2]
SITES = ROOT / "tests" / "fixtures" / "sites"
HTML = "text/html; charset=utf-8"


def _crawl(tmp_path: Path, web: MiniWeb, agencies: list[dict[str, Any]], **cfg: Any) -> dict[str, Any]:
    conf = tmp_path / "cfg.json"
    conf.write_text(json.dumps({"agencies": agencies, "proxy": web.url, **cfg}), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "tests.spiders.run_spider", str(conf)], capture_output=True, text=True,
                         cwd=ROOT, timeout=300, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout)


def _article(title: str, extra: str = "") -> tuple[int, str, str]:
    return 200, (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                 f"<div id='zoom'><p>{title}。一、总体情况……</p>{extra}</div></body></html>"), HTML


def _list(*items: tuple[str, str]) -> tuple[int, str, str]:
    lis = "".join(f"<li><a href='{h}'>{t}</a><span>2024-01-20</span></li>" for h, t in items)
    return 200, f"<html><head><meta charset='utf-8'></head><body><ul class='list'>{lis}</ul></body></html>", HTML


def test_shared_portal_is_read_once_and_attributed_by_organ(tmp_path: Path) -> None:
    h = "www.mmx.gov.cn"
    qs = "/xxgk/nb/artview/31/{}.html?nbYear={}&orgCode={}"
    routes = {
        (h, "/"): (200, "<html><body><a href='/xxgk/'>政府信息公开</a><a href='/xwzx/'>新闻中心</a></body></html>", HTML),
        (h, "/xxgk/"): (200, "<html><body><a href='/xxgk/nb/index.html'>政府信息公开年报</a></body></html>", HTML),
        (h, "/xxgk/nb/index.html"): (200, (SITES / "querystring" / "portal.html").read_bytes(), HTML),
        (h, "/xxgk/nb/list.html?orgCode=MB1581235"): (200, (SITES / "querystring" / "org-list.html").read_bytes(), HTML),
        (h, "/xxgk/nb/list.html?orgCode=MB1581235&page=2"): _list(),
        (h, "/xxgk/nb/list.html?orgCode=MB1581234"): _list((qs.format(10070, 2023, "MB1581234"), "某某县发展和改革局2023年政府信息公开工作年度报告")),
        (h, "/xxgk/nb/list.html?orgCode=MB1581236"): _list((qs.format(10090, 2023, "MB1581236"), "某某县自然资源局2023年政府信息公开工作年度报告")),
        (h, qs.format(10021, 2023, "MB1581200")): _article("某某县人民政府2023年政府信息公开工作年度报告"),
        (h, qs.format(10055, 2023, "MB1581235")): _article("2023年政府信息公开工作年度报告"),
        (h, qs.format(9012, 2022, "MB1581235")): _article("2022年政府信息公开工作年度报告"),
        (h, qs.format(10070, 2023, "MB1581234")): _article("某某县发展和改革局2023年政府信息公开工作年度报告"),
        ("czj.mmx.gov.cn", "/"): (200, "<html><body><p>某某县财政局</p></body></html>", HTML),
    }
    portal = f"http://{h}/xxgk/nb/index.html"
    agencies = [
        {"id": "mmx-zf", "name": "某某县人民政府", "site": f"http://{h}/", "start_urls": [portal], "hosts": []},
        {"id": "mmx-czj", "name": "某某县财政局", "site": "http://czj.mmx.gov.cn/", "start_urls": [portal], "hosts": []},
        {"id": "mmx-fgj", "name": "某某县发展和改革局", "site": f"http://{h}/", "start_urls": [], "hosts": []},
    ]
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies)
    owners = {i["url"].split("/artview/31/")[1]: i["agency_id"] for i in got["items"]}
    assert owners == {"10021.html?nbYear=2023&orgCode=MB1581200": "mmx-zf",
                      "10055.html?nbYear=2023&orgCode=MB1581235": "mmx-czj",
                      "9012.html?nbYear=2022&orgCode=MB1581235": "mmx-czj",
                      "10070.html?nbYear=2023&orgCode=MB1581234": "mmx-fgj"}  # 自然资源局 is not in the registry
    fetched = [x.path for x in web.log if x.host == h]
    assert fetched.count("/xxgk/nb/index.html") == 1  # one fetch for three agencies
    assert len(fetched) == len(set(fetched))
    proof = {aid: got["outcomes"][aid]["proof"] for aid in ("mmx-zf", "mmx-czj", "mmx-fgj")}
    by_url = {aid: {c["url"]: c for c in p["columns"]} for aid, p in proof.items()}
    assert by_url["mmx-czj"][portal]["why"] == "pinned"
    assert by_url["mmx-fgj"][portal]["why"] == "named_on_site"
    sub = by_url["mmx-czj"][f"http://{h}/xxgk/nb/list.html?orgCode=MB1581235"]
    assert sub["years"] == [2022, 2023] and sub["exhausted"] and not sub["failed"] and sub["pages_read"] == 2
    assert sub["adapter"] == "querystring"
    assert "某某县自然资源局" in by_url["mmx-zf"][f"http://{h}/xxgk/nb/list.html?orgCode=MB1581236"]["other_agencies"]
    assert proof["mmx-fgj"]["explored"]["stopped"] == "done" and proof["mmx-fgj"]["explored"]["pages"] >= 2
    assert got["outcomes"]["mmx-czj"]["outcome"] == "ok"


def _gbk_hanweb() -> bytes:
    page = (SITES / "hanweb_jpage" / "proxyurl-variant.html").read_text(encoding="utf-8")
    page = page.replace("totalRecord: '5'", "totalRecord: '2'")
    return page.encode("gbk")  # the page still declares utf-8


def test_platforms_blocks_and_politeness(tmp_path: Path) -> None:
    gk, waf, tc, hw, ns = "gk.mms.gov.cn", "waf.mms.gov.cn", "tc.mms.gov.cn", "www.mms.gov.cn", "ns.mms.gov.cn"
    app = (SITES / "gkmlpt" / "app-config-tree.html").read_text(encoding="utf-8").replace(
        '"id": 2656, "name": "政府信息公开年报"', '"id": 2657, "name": "年报"') + "<noscript>请开启JavaScript</noscript>"
    api = json.dumps({"articles": [{"title": "某某区人民政府2023年政府信息公开工作年度报告", "post_url": f"http://{gk}/gkmlpt/content/1/1/post_1.html",
                                    "created_at": 1706572800}], "total": 1})

    def truecms(method: str, body: bytes) -> tuple[int, str, str]:
        return (404, "not found", HTML)

    def tc_answer(per: int) -> Any:
        def answer(method: str, body: bytes) -> tuple[int, str, str]:
            return (200, (SITES / "truecms" / "answer-object.txt").read_text(encoding="utf-8"), "application/javascript")
        return answer

    routes = {
        (gk, "/gkmlpt/index"): (200, app, HTML),
        (gk, "/gkmlpt/api/all/2656?page=1&sid=755029"): (200, api, "application/json"),
        (gk, "/gkmlpt/content/1/1/post_1.html"): _article("某某区人民政府2023年政府信息公开工作年度报告"),
        (waf, "/"): (412, "<html><head><script>var $_ts={};$_ts.cd='qE7';document.cookie='FSSBBIl1UgzbN7N80S=1';location.reload();</script></head><body></body></html>", HTML),
        (tc, "/zwgk/xxgknb/index.html"): (200, (SITES / "truecms" / "column.html").read_bytes(), HTML),
        (tc, "/common/messageController/getMessage.do?startrecord=1&endrecord=50&perpage=50&columnId=4032&callback=cb"): truecms,
        (tc, "/common/messageController/getMessage.do?startrecord=1&endrecord=20&perpage=20&columnId=4032&callback=cb"): tc_answer(20),
        (tc, "/zwgk/xxgknb/202301/t20230128_1.html"): _article("某某市2022年政府信息公开工作年度报告"),
        (hw, "/col/col10086/index.html"): (200, _gbk_hanweb(), HTML),
        (hw, "/art/2024/1/25/art_10086_901.html"): _article("某某市人民政府2023年政府信息公开工作年度报告",
                                                            "<p><img src='/picture/0/table1.png' width='600'></p><img src='/images/logo.png'>"),
        (ns, "/"): (200, "<html><body><noscript>请开启JavaScript，以获得更好的浏览体验</noscript>"
                         "<a href='/xxgk/ndbg/'>年度报告</a></body></html>", HTML),
        (ns, "/xxgk/ndbg/"): _list(("/xxgk/ndbg/1.html", "某某镇人民政府2023年政府信息公开工作年度报告")),
        (ns, "/xxgk/ndbg/1.html"): _article("某某镇人民政府2023年政府信息公开工作年度报告"),
    }
    agencies = [
        {"id": "gk", "name": "某某区人民政府", "site": f"http://{gk}/", "start_urls": [f"http://{gk}/gkmlpt/index#2656"], "hosts": []},
        {"id": "waf", "name": "某某区司法局", "site": f"http://{waf}/", "start_urls": [], "hosts": []},
        {"id": "tc", "name": "某某市人民政府", "site": f"http://{tc}/", "start_urls": [f"http://{tc}/zwgk/xxgknb/index.html"], "hosts": []},
        {"id": "hw", "name": "某某市人民政府办公室", "site": f"http://{hw}/", "start_urls": [f"http://{hw}/col/col10086/index.html"], "hosts": []},
        {"id": "ns", "name": "某某镇人民政府", "site": f"http://{ns}/", "start_urls": [], "hosts": []},
    ]
    # 某某市人民政府 is both tc's and the title on hw's column: hw's page lists it, tc owns it
    agencies[3]["name"] = "某某市发展和改革委员会"
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies)
    items = {i["url"]: i for i in got["items"]}
    assert items[f"http://{gk}/gkmlpt/content/1/1/post_1.html"]["agency_id"] == "gk"  # column id from the fragment
    assert items[f"http://{tc}/zwgk/xxgknb/202301/t20230128_1.html"]["agency_id"] == "tc"  # perpage 50 refused, 20 taken
    gbk = items[f"http://{hw}/art/2024/1/25/art_10086_901.html"]
    assert gbk["agency_id"] == "tc"  # the title names 某某市人民政府, whichever crawl listed it
    assert gbk["file_urls"] == gbk["image_urls"] == [f"http://{hw}/picture/0/table1.png"]  # the table picture, not the logo
    assert items[f"http://{ns}/xxgk/ndbg/1.html"]["agency_id"] == "ns"  # a noscript notice is not a block
    o = got["outcomes"]
    assert o["waf"]["outcome"] == "unreachable" and o["waf"]["reason"].startswith("被拦截（HTTP 412")
    assert o["waf"]["proof"]["blocked"][0]["status"] == 412 and o["ns"]["outcome"] == "ok" and not o["ns"]["proof"]["blocked"]
    tc_col = o["tc"]["proof"]["columns"][0]
    assert tc_col["adapter"] == "truecms" and tc_col["listed_total"] == 2 and not tc_col["failed"]
    # the answer states 2 records and carries 1: read without error, but not to its end (no proof)
    assert tc_col["entries"] == 1 and not tc_col["exhausted"]
    assert o["gk"]["proof"]["columns"][0]["adapter"] == "gkmlpt" and o["gk"]["proof"]["columns"][0]["years"] == [2023]
    assert o["hw"]["proof"]["columns"][0]["other_agencies"] == ["某某市人民政府"]
    posts = [parse_qs(x.body.decode()) for x in web.log if x.method == "POST"]
    assert posts == [] or all("columnid" in p for p in posts)
    assert web.max_parallel_per_host() == 1


def test_explorer_stops_on_budget(tmp_path: Path) -> None:
    h = "www.mmz.gov.cn"
    hubs = "".join(f"<a href='/xxgk/{i}/'>信息公开{i}</a>" for i in range(30))
    routes = {(h, "/"): (200, f"<html><body>{hubs}</body></html>", HTML)}
    for i in range(30):
        routes[(h, f"/xxgk/{i}/")] = (200, "<html><body><p>无内容</p></body></html>", HTML)
    agencies = [{"id": "z", "name": "某某镇人民政府", "site": f"http://{h}/", "start_urls": [], "hosts": []}]
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies, budget=5)
    explored = got["outcomes"]["z"]["proof"]["explored"]
    assert explored == {"pages": 5, "budget": 5, "stopped": "budget"}
    assert len([x for x in web.log if x.host == h and x.path not in ("/robots.txt", "/sitemap.xml")]) == 5
    assert got["outcomes"]["z"]["proof"]["columns"] == []


def test_spa_shell_is_rendered_by_chromium(tmp_path: Path) -> None:
    """The one test that starts the browser (Debian's chromium through scrapy-playwright)."""
    import pytest

    from crawler.browser import available

    if not available():
        pytest.skip("chromium or scrapy-playwright missing (scripts/system-packages.sh, pip install -e .)")
    h = "spa.mms.gov.cn"
    shell = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>信息公开</title></head><body>"
             "<noscript>请开启JavaScript</noscript><div id=\"app\"></div><script src='/static/js/chunk-vendors.js'></script>"
             "<script src='/static/js/app.js'></script>"
             "<script>fetch('/api/list.json').then(r => r.json()).then(d => { document.getElementById('app').innerHTML ="
             " '<ul>' + d.map(x => `<li><a href=\"${x.u}\">${x.t}</a><span>${x.d}</span></li>`).join('') + '</ul>'; });</script>"
             "</body></html>")
    data = json.dumps([{"u": "/xxgk/nb/2024/1.html", "t": "某某市统计局2023年政府信息公开工作年度报告", "d": "2024-01-22"}])
    routes = {(h, "/xxgk/nb/"): (200, shell, HTML), (h, "/static/js/chunk-vendors.js"): (200, "/* vendors */", "text/javascript"),
              (h, "/static/js/app.js"): (200, "/* app */", "text/javascript"),
              (h, "/api/list.json"): (200, data, "application/json"),
              (h, "/xxgk/nb/2024/1.html"): _article("某某市统计局2023年政府信息公开工作年度报告")}
    agencies = [{"id": "tj", "name": "某某市统计局", "site": f"http://{h}/", "start_urls": [f"http://{h}/xxgk/nb/"], "hosts": []}]
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies, browser=True)
    assert [i["url"] for i in got["items"]] == [f"http://{h}/xxgk/nb/2024/1.html"]
    assert got["counters"]["rendered_pages"] == 1
    assert got["browser_launches"] == 1
    assert any(x.path == "/api/list.json" for x in web.log)  # the page's own script ran
    assert web.max_parallel_per_host() == 1  # the browser's own requests too, one at a time


def test_the_browser_starts_only_for_a_page_that_needs_it(tmp_path: Path) -> None:
    """With the browser installed, a crawl that renders nothing starts no Playwright: a
    worker runs a new crawl per host batch, and starting Playwright's driver at every
    engine start was most of a batch's fixed CPU (issue 14)."""
    import pytest

    from crawler.browser import available

    if not available():
        pytest.skip("chromium or scrapy-playwright missing (scripts/system-packages.sh, pip install -e .)")
    h = "plain.mms.gov.cn"
    title = "某某市民政局2023年政府信息公开工作年度报告"
    routes = {(h, "/xxgk/nb/"): _list(("/xxgk/nb/2024/1.html", title)), (h, "/xxgk/nb/2024/1.html"): _article(title)}
    agencies = [{"id": "mz", "name": "某某市民政局", "site": f"http://{h}/", "start_urls": [f"http://{h}/xxgk/nb/"], "hosts": []}]
    with MiniWeb(routes) as web:
        got = _crawl(tmp_path, web, agencies, browser=True)
    assert [i["url"] for i in got["items"]] == [f"http://{h}/xxgk/nb/2024/1.html"]
    assert got["counters"].get("rendered_pages", 0) == 0
    assert got["browser_launches"] == 0
