"""The variety web itself: its server, its truth and each platform's interface as sites.md
describes it.  (The spider is measured elsewhere; nothing here imports it.)"""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from varietyweb import VarietyServer, build, registry_yaml, truth


@pytest.fixture(scope="module")
def web():
    with VarietyServer() as server:
        yield server


@pytest.fixture(scope="module")
def get(web):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))

    def fetch(url: str, data: bytes | str | None = None, headers: dict | None = None) -> tuple[int, bytes, dict]:
        if isinstance(data, str):
            data = data.encode()
        req = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with opener.open(req, timeout=10) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    return fetch


def test_server_listens_on_loopback_only(web):
    host, port = web.http.server_address[:2]
    assert host == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert web.proxy_url == f"http://127.0.0.1:{port}"


def test_truth_is_consistent():
    t = truth()
    ids = [a["id"] for a in t["agencies"]]
    assert len(ids) == len(set(ids))
    assert len(t["reports"]) >= 100 and len(ids) >= 40
    urls = [r["url"] for r in t["reports"]]
    assert len(urls) == len(set(urls)), "two reports share a URL"
    known = set(ids)
    for r in t["reports"]:
        assert r["agency"] in known and r["year"] in (2022, 2023, 2024)
        assert r["published"] > f"{r['year']}-12-31"
        assert str(r["year"]) in r["title"]
    seen = {(r["agency"], r["year"]) for r in t["reports"]}
    for a in t["absent"]:
        assert (a["agency"], a["year"]) not in seen
    blocked = {a["id"] for a in t["agencies"] if a["expected"] != "ok"}
    assert blocked and not blocked & {r["agency"] for r in t["reports"]}
    for a in t["agencies"]:
        assert a["hosts"] and all(h in t["hosts"] for h in a["hosts"])
    for tr in t["traps"]:
        re.compile(tr["pattern"])


def test_registry_is_valid_and_rarely_pins_start_urls():
    from db.registry import parse_registry

    reg = parse_registry(registry_yaml())
    assert len(reg.agencies) == len(truth()["agencies"])
    pinned = [a for a in truth()["agencies"] if a.get("start_urls")]
    assert 0 < len(pinned) <= len(reg.agencies) // 5


def test_every_report_url_serves_its_title(web, get):
    for r in truth()["reports"]:
        if r["class"].startswith("epoint"):
            continue  # showinfo shells: the title is in the API answer, checked in test_platforms2
        status, body, _h = get(r["url"])
        assert status == 200, r["url"]
        if "direct-pdf" in r["tags"]:
            assert body.startswith(b"%PDF-")
            continue
        text = body.decode("gb18030" if "gb" in " ".join(r["tags"]) else "utf-8")
        assert r["title"] in text, r["url"]
        for a in r["attachments"]:
            status, body, headers = get(a)
            assert status in (200, 302), a


def test_every_class_has_reports():
    classes = {r["class"] for r in truth()["reports"]}
    platforms = {c.split("/")[0] for c in classes}
    for p in ("hanweb-jpage", "trs", "gkmlpt", "vsb", "year-folders", "query-string", "ucap"):
        assert p in platforms
        assert sum(c.startswith(p + "/") for c in classes) >= 2 or p in ("query-string",), p


# -- Hanweb jpage ---------------------------------------------------------------------------------
def test_hanweb_jpage_inline_datastore_and_startrecord_paging(get):
    status, body, _ = get("http://www.nantong.gov.cn.test/col/col5001/index.html")
    html = body.decode()
    assert "<datastore>" in html and "dataproxy.jsp" in html
    total = int(re.search(r"<totalrecord>(\d+)</totalrecord>", html).group(1))
    assert html.count("<record>") == 15 < total
    url = "http://www.nantong.gov.cn.test/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=15"
    status, body, _ = get(url, "col=1&appid=1&webid=1&path=/&columnid=5001&sourceContentType=1&unitid=8")
    page2 = body.decode()
    assert status == 200 and page2.count("<record>") == 15
    assert not set(re.findall(r"art_5001_\d+", page2)) & set(re.findall(r"art_5001_\d+", html))
    status, _b, _ = get(url.replace("perpage=15", "perpage=200"), "columnid=5001")
    assert status == 500
    status, body, _ = get(url)  # GET without the form: an empty datastore
    assert status == 200 and b"<record>" not in body


def test_hanweb_jpage_page_only_variant_ignores_startrecord(get):
    base = "http://jtj.yancheng.gov.cn.test/module/web/jpage/dataproxy.jsp"
    _s, p1, _ = get(f"{base}?startrecord=1&endrecord=10&perpage=10", "columnid=3301")
    _s, p1b, _ = get(f"{base}?startrecord=11&endrecord=20&perpage=10", "columnid=3301")
    _s, p2, _ = get(f"{base}?page=2&perpage=10", "columnid=3301")
    assert p1 == p1b != p2 and p2.count(b"<record>") == 10
    _s, col, _ = get("http://jtj.yancheng.gov.cn.test/col/col3301/index.html")
    assert b"<nextgroup>" in col and b"page=2" in col


def test_hanweb_downfile_redirects(get):
    t = truth()
    rep = next(r for r in t["reports"] if "downfile-302" in r["tags"])
    # urllib follows redirects: check the raw answer in the site's table, then the download
    web_site = build().sites["www.nantong.gov.cn.test"]
    target = rep["attachments"][0].split(".test", 1)[1]
    res = web_site.resources[target]
    assert res.status == 302 and res.headers["Location"].endswith(".docx")
    status, body, _ = get(rep["attachments"][0])
    assert status == 200 and body[:2] == b"PK"


# -- TRS ------------------------------------------------------------------------------------------
def test_trs_create_page_html_and_create_page_shtml(get):
    _s, body, _ = get("http://www.deqing.gov.cn.test/zfxxgk/xxgknb/index.html")
    m = re.search(r'countPage = (\d+);createPageHTML\(countPage, currentPage, "index", "html"\)', body.decode())
    assert m and int(m.group(1)) >= 3
    status, _b, _ = get("http://www.deqing.gov.cn.test/zfxxgk/xxgknb/index_2.html")
    assert status == 200
    status, body, headers = get("http://sthjj.huzhou.gov.cn.test/xxgk/ndbg/index_1.shtml")
    assert status == 200 and "createPage('pagenav'" in body.decode("gb18030")
    assert "utf-8" in headers["Content-Type"]  # declared UTF-8 …
    with pytest.raises(UnicodeDecodeError):  # … but GBK bytes
        body.decode("utf-8")


# -- gkmlpt ---------------------------------------------------------------------------------------
def test_gkmlpt_config_paging_and_onepage_variant(get):
    _s, body, _ = get("http://www.szlhq.gov.cn.test/gkmlpt/index")
    text = body.decode()
    assert "SID: '755031'" in text
    tree = json.loads(re.search(r"TREE: (\[.*\]),\n", text).group(1))
    assert any(c["id"] == 2656 for n in tree for c in n["children"])
    _s, body, _ = get("http://edu.nanhai.gov.cn.test/gkmlpt/index")
    cfg = json.loads(re.search(r"window\._CONFIG = (\{.*?\});</script>", body.decode()).group(1))
    assert cfg["SID"] == "757112" and cfg["TREE"][0]["children"][0]["name"] == "年度报告"
    api = "http://www.szlhq.gov.cn.test/gkmlpt/api/all/2656"
    s1, b1, _ = get(f"{api}?page=1&sid=755031")
    s2, b2, _ = get(f"{api}?page=2&sid=755031")
    a1, a2 = json.loads(b1), json.loads(b2)
    assert s1 == s2 == 200 and a1["total"] > 10 and len(a1["articles"]) == 10 and a2["articles"]
    assert "url" in a1["articles"][0] and "created_at" in a1["articles"][0]
    assert get(f"{api}?page=1")[0] == 403
    api = "http://edu.nanhai.gov.cn.test/gkmlpt/api/all/3108"
    one = json.loads(get(f"{api}?page=1&sid=757112")[1])
    assert len(one["articles"]) == one["total"] > 10
    assert "post_url" in one["articles"][0] and "publish_time" in one["articles"][0] and "url" not in one["articles"][0]
    assert get(f"{api}?page=2&sid=757112")[0] == 404


# -- VSB ------------------------------------------------------------------------------------------
def test_vsb_variants(get):
    _s, body, _ = get("http://kjj.baoji.gov.cn.test/xxgk/xxgknb.htm")
    nxt = re.search(r'href="([^"]+)" class="Next"', body.decode()).group(1)
    assert re.fullmatch(r"xxgknb/\d+\.htm", nxt)
    assert get("http://kjj.baoji.gov.cn.test/xxgk/" + nxt)[0] == 200
    _s, body, _ = get("http://tjj.xianyang.gov.cn.test/xxgk/xxgknb.htm")
    assert "a2p=2" in body.decode() and get("http://tjj.xianyang.gov.cn.test/xxgk/xxgknb/1.htm")[0] == 404
    _s, body, _ = get("http://sjj.hanzhong.gov.cn.test/xxgk/xxgknb.htm")
    text = body.decode()
    assert "_simple_list_gotopage_fun" in text and 'class="Next"' not in text
    pages = int(re.search(r"1/(\d+)", text).group(1))
    assert pages >= 3 and get(f"http://sjj.hanzhong.gov.cn.test/xxgk/xxgknb/{pages - 1}.htm")[0] == 200


# -- year folders, query-string platform, UCAP ---------------------------------------------------
def test_year_folders_per_kind(get):
    _s, body, _ = get("http://www.anyuan.gov.cn.test/zfxxgk/zfxxgknb/")
    assert "2024n78/" in body.decode() and "2022n76/" in body.decode()
    _s, body, _ = get("http://www.anyuan.gov.cn.test/zfxxgk/zfxxgknb/2023n77/")
    assert all(k in body.decode() for k in ("bj/", "bm/", "xzjd/"))
    _s, body, _ = get("http://www.anyuan.gov.cn.test/zfxxgk/zfxxgknb/2023n77/xzjd/")
    assert "安远县欣山镇人民政府2023" in body.decode()


def test_query_string_platform(get):
    base = "http://xxgk.nc.gov.cn.test/xxgknb/"
    code = "11360100014500208K"
    _s, body, _ = get(f"{base}list.html?orgCode={code}")
    text = body.decode()
    assert "nbYear=2024" in text and "artview/12/" in text and "nbYear=2023" in text  # tab to 2023
    assert text.count("artview/12/") == 1
    href = re.search(r'href="(/xxgknb/artview/12/\d+\.html\?nbYear=2024&amp;orgCode=\w+)"', text)
    art = "http://xxgk.nc.gov.cn.test" + href.group(1).replace("&amp;", "&")
    assert "政府信息公开" in get(art)[1].decode()
    assert "参数错误" in get(art.split("?")[0])[1].decode()


def test_ucap_query_list(get):
    s, body, _ = get("http://www.liuyang.gov.cn.test/queryList",
                     "current=1&pageSize=5&webSiteCode=lysrmzf&channelCode=c100781")
    data = json.loads(body)["data"]
    assert s == 200 and data["total"] >= 3
    src = data["results"][0]["source"]
    assert json.loads(src["urls"])["pc"].startswith("/lysrmzf/c100781/pc/content/content_")
    assert get("http://www.liuyang.gov.cn.test/queryList")[0] == 405
    _s, body, _ = get("http://www.liuyang.gov.cn.test/lysrmzf/c100770/pc/list.html")
    assert body.decode().count("/pc/list.html") >= 11
    s, body, _ = get("http://tjj.zhuzhou.gov.cn.test/queryList",
                     "current=1&pageSize=50&webSiteCode=zztjj&channelCode=c106012")
    data = json.loads(body)["data"]
    assert data["size"] == 20 and len(data["results"]) == 20
    files = [json.loads(r["source"]["articleFiles"]) for r in data["results"]]
    assert any(f and f[0]["filePath"].startswith("/doc/ucap/zztjj/document/") for f in files)


# -- blocks and traps ------------------------------------------------------------------------------
def test_blocks_look_like_real_blocks(get):
    s, body, headers = get("http://www.jzs.gov.cn.test/")
    assert s == 412 and b"$_ts" in body and "Set-Cookie" in headers
    again = get("http://www.jzs.gov.cn.test/", headers={"Cookie": headers["Set-Cookie"].split(";")[0]})
    assert again[0] == 412  # the header cookie alone does not pass the challenge
    s, body, _ = get("http://scjgj.xiangyang.gov.cn.test/xxgk/")
    assert s == 200 and "滑块" in body.decode()
    assert get("http://www.shiyan-old.gov.cn.test/")[0] == 502


def test_noscript_notice_is_on_ordinary_pages(get):
    _s, body, _ = get("http://www.nantong.gov.cn.test/")
    assert "<noscript>请开启JavaScript" in body.decode()


def test_traps_are_endless_and_listed(get):
    t = truth()
    pats = [(tr["host"], re.compile(tr["pattern"])) for tr in t["traps"]]

    def is_trap(host: str, path: str) -> bool:
        return any(h == host and rx.search(path) for h, rx in pats)

    assert is_trap("www.dongzhi.gov.cn.test", "/xxgk/list.aspx?cid=45&page=40")
    assert not is_trap("www.dongzhi.gov.cn.test", "/xxgk/list.aspx?cid=45&page=2")
    s, body, _ = get("http://www.dongzhi.gov.cn.test/xxgk/list.aspx?cid=45&page=40")
    assert s == 200 and "page=41" in body.decode("gb18030")
    _s, body, _ = get("http://www.nantong.gov.cn.test/search/?keyword=" + quote("年报") + "&page=7")
    assert "page=8" in body.decode() and is_trap("www.nantong.gov.cn.test", "/search/?keyword=x&page=8")
    for r in t["reports"]:
        host = r["url"].split("/")[2]
        assert not is_trap(host, r["url"].split(host, 1)[1]), r["url"]
