"""Part 2 of the variety web: each JS-list platform answers as sites.md describes it, shells
hide their lists, migration and charset artefacts are there, pictures and PDFs are readable."""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest

from varietyweb import VarietyServer, truth


@pytest.fixture(scope="module")
def get():
    with VarietyServer() as web:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))

        def fetch(url, data=None, headers=None):
            if isinstance(data, str):
                data = data.encode()
            req = urllib.request.Request(url, data=data, headers=headers or {})
            try:
                with opener.open(req, timeout=10) as r:
                    return r.status, r.read(), dict(r.headers)
            except urllib.error.HTTPError as e:
                return e.code, e.read(), dict(e.headers)

        yield fetch


def reports_of(cls: str) -> list[dict]:
    return [r for r in truth()["reports"] if r["class"] == cls]


def test_xxgk_search_returns_the_whole_area(get):
    url = "http://www.sucheng.gov.cn.test/module/xxgk/search.jsp"
    assert get(url + "?infotypeId=A0508&area=11321302MB1525412X")[0] == 405
    s, body, _ = get(url, "infotypeId=A0508&area=11321302MB1525412X&vc_title=&vc_number=&currpage=1")
    text = body.decode()
    assert s == 200 and ("art_3101_" in text or "art_3102_" in text)  # other columns too
    links = set()
    for p in range(1, 8):
        links |= set(re.findall(r"art_3008_\d+", get(url, f"infotypeId=A0508&area=11321302MB1525412X&currpage={p}")[1].decode()))
    assert len(links) == 6  # the departments' six reports, spread over the area's pages
    s, body, _ = get("http://www.lyghz.gov.cn.test/module/xxgk/search.jsp?area=11320706014012345A&currpage=1")
    assert s == 200 and 'href="../../art/' in body.decode()


def test_jpaas_pages_only_inside_param_json(get):
    base = ("http://www.kecheng.gov.cn.test/api-gateway/jpaas-publish-server/front/page/build/unit?parseType=bulidstatic"
            "&webId=b8e2a1c4&tplSetId=5f8c4a1b2c3d&pageType=column&tagId=x&editType=null&pageId=1229360712")
    one = json.loads(get(base + "&paramJson=" + quote('{"pageNo":1,"pageSize":10}'))[1])
    top = json.loads(get(base + "&pageNo=2&paramJson=" + quote('{"pageNo":1,"pageSize":10}'))[1])
    two = json.loads(get(base + "&paramJson=" + quote('{"pageNo":2,"pageSize":10}'))[1])
    big = json.loads(get(base + "&paramJson=" + quote('{"pageNo":1,"pageSize":100}'))[1])
    assert one["success"] and one == top != two
    assert big["data"]["html"].count("<li>") == 20
    _s, col, _ = get("http://www.kecheng.gov.cn.test/col/col1229360712/index.html")
    assert "unitbuild.js" in col.decode() and "queryData" in col.decode()
    base_b = base.replace("kecheng", "liandu").replace("www.", "jyj.").replace("b8e2a1c4", "c93f0d11").replace("1229360712", "1229488201")
    b = json.loads(get(base_b + "&paramJson=" + quote('{"pageNo":1,"pageSize":50}'))[1])
    assert 'href="//jyj.liandu.gov.cn.test/art/' in b["data"]["html"] and "data-total" in b["data"]["html"]


def test_truecms_jsonp_xml_perpage_and_referer(get):
    base = "http://www.lixia.gov.cn.test/common/messageController/getMessage.do?columnId=15633&callback=cb"
    s, body, _ = get(base + "&startrecord=1&endrecord=20&perpage=20")
    text = body.decode()
    assert s == 200 and text.startswith("cb(") and "<datastore>" in json.loads(text[3:-2])
    assert get(base + "&startrecord=1&endrecord=50&perpage=50")[0] == 404
    base = "http://sjj.shibei.gov.cn.test/common/messageController/getMessage.do?columnId=20871&callback=cb"
    assert get(base + "&startrecord=1&endrecord=50&perpage=50")[0] == 403
    s, body, _ = get(base + "&startrecord=1&endrecord=50&perpage=50", headers={"Referer": "http://sjj.shibei.gov.cn.test/xxgk/ndbg/index.html"})
    assert s == 200 and json.loads(body.decode()[3:-2]).count("<record>") >= 30


def test_epoint_list_and_detail(get):
    api = "http://www.wujiang.gov.cn.test/EWB-FRONT/rest/lightfrontaction/getgovinfolist"
    params = {"siteGuid": "7eb5f7f1-9041-43ad-8e13-8fcb82ea831a", "categorynum": "003001009", "deptcode": "",
              "pageIndex": 0, "pageSize": 10}
    first = json.loads(get(api, "params=" + quote(json.dumps(params)), {"Content-Type": "application/x-www-form-urlencoded"})[1])
    rows = first["custom"]["data"]
    assert len(rows) == 10 and first["custom"]["total"] == 28 and rows[0]["infourl"].startswith("/xxgk/showinfo.html?infoGuid=")
    rep = reports_of("epoint/zero-based")[0]
    info = rep["url"].split("infoGuid=")[1]
    d = json.loads(get("http://www.wujiang.gov.cn.test/EWB-FRONT/rest/govinfoaction/getGovInfoDetail",
                       "params=" + quote(json.dumps({"infoid": info})))[1])
    assert "政府信息公开" in d["custom"]["data"]["infocontent"]
    assert rep["title"] not in get(rep["url"])[1].decode()  # the shell has no content
    api = "http://xxgk.wuxi.gov.cn.test/EWB-FRONT/rest/lightfrontaction/getgovinfolist"
    body = json.dumps({"siteGuid": "0f6e3b9a-55b1-4c0e-9c1a-2d3e4f5a6b7c", "categorynum": "004002", "deptcode": "013201",
                       "pageIndex": 1, "pageSize": 20})
    rows = json.loads(get(api, body, {"Content-Type": "application/json"})[1])["custom"]["data"]
    assert any("统计局" in r["realtitle"] and "年度报告" in r["realtitle"] for r in rows)
    assert not any("审计局" in r["realtitle"] for r in rows)
    rep = reports_of("epoint/dept-pdflist")[0]
    d = json.loads(get("http://xxgk.wuxi.gov.cn.test/EWB-FRONT/rest/govinfoaction/getGovInfoDetail",
                       json.dumps({"params": {"infoid": rep["url"].split("infoGuid=")[1]}}), {"Content-Type": "application/json"})[1])
    assert d["custom"]["data"]["pdflist"][0]["attachurl"].endswith(".pdf")


def test_shanghai_totals_capped_probe_until_empty(get):
    api = "http://www.shcn.gov.cn.test/front/api/data/affair?channelId=b91e02c3&pageSize=15"
    p1 = json.loads(get(api + "&pageNo=1")[1])["data"]
    assert p1["total"] == 10000 and p1["list"]
    assert json.loads(get(api + "&pageNo=3")[1])["data"]["list"] == []
    api = "http://scjgj.jingan.gov.cn.test/front/api/data/search"
    assert get(api)[0] == 405
    d = json.loads(get(api, json.dumps({"channelId": "c0ffee01", "pageNo": 2, "pageSize": 100}), {"Content-Type": "application/json"})[1])
    assert len(d["data"]["list"]) == 15 and d["data"]["total"] == 10000


def test_frames_and_spa_shells(get):
    _s, body, _ = get("http://www.kfgl.gov.cn.test/xxgk/ndbg/index.html")
    assert "<iframe src='/xxgk/list.jsp?cid=12&amp;page=1'" in body.decode() and "年度报告" not in body.decode()
    _s, body, _ = get("http://wjw.xinxiang.gov.cn.test/zwgk/ndbg/")
    assert "<frameset" in body.decode()
    _s, body, _ = get("http://wjw.xinxiang.gov.cn.test/zwgk/ndbg/ndbg_list.html")
    assert "…</a>" in body.decode()
    _s, body, _ = get("http://www.wuhou.gov.cn.test/zwgk/ndbg/")
    state = json.loads(re.search(r"__INITIAL_STATE__=(\{.*?\});</script>", body.decode()).group(1))
    api = "http://www.wuhou.gov.cn.test" + state["list"]["api"] + "&page=2"
    assert json.loads(get(api)[1])["data"]["items"]
    for host in ("jyj.youxian", "sjj.jingyang"):
        _s, body, _ = get(f"http://{host}.gov.cn.test/zwgk/ndbg/")
        text = body.decode()
        assert "<div id='app'></div>" in text and "chunk-vendors" in text
        assert not re.search(r'href="/zwgk/detail/\d+\.html"', text)  # links exist only after JS runs


def test_migration_reset_pubdate(get):
    reps = [r for r in truth()["reports"] if "pubdate-reset" in r["tags"]]
    assert len(reps) == 3
    for r in reps:
        text = get(r["url"])[1].decode()
        assert '<meta name="PubDate" content="2025-06-18 16:42:07">' in text
        stamp = re.search(r"/t(\d{4})(\d{2})(\d{2})_", r["url"]).groups()
        assert "-".join(stamp) == r["published"] and f"发布时间：{r['published']}" in text


def test_picture_tables_are_images(get):
    from PIL import Image

    r = next(r for r in truth()["reports"] if "picture-tables" in r["tags"])
    text = get(r["url"])[1].decode()
    imgs = re.findall(r'<img src="([^"]+\.png)"', text)
    assert len(imgs) == 3 and "<table border" not in text
    s, png, headers = get("http://www.hanjiang.gov.cn.test" + imgs[1])
    assert s == 200 and headers["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png)).size[0] > 600


def test_pdf_attachments_hold_text():
    import pypdfium2 as pdfium

    from varietyweb import build
    from varietyweb.content import attachment_bytes

    rep = next(r for r in build().reports if r.fmt == "pdf")
    body, ctype = attachment_bytes(rep, "pdf")
    assert ctype == "application/pdf"
    text = pdfium.PdfDocument(body)[0].get_textpage().get_text_range()
    assert rep.agency.name in text and f"{rep.year}年" in text
    assert "一、本年新收政府信息公开申请数量" in pdfium.PdfDocument(body)[1].get_textpage().get_text_range() + text


def test_gb18030_declared_gb2312(get):
    _s, body, headers = get("http://tjj.bengbu.gov.cn.test/news/list.html")
    assert "gb2312" in headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert "𬉼" in body.decode("gb18030")



def test_plausible_extras(get):
    """Moved domain (301), meta-refresh home, 5xx burst, a report outside its column, a soft 404
    listed under a report title."""
    from varietyweb import build

    old = build().sites["www.yixing.gov.cn.test"]
    res = old.serve(_req("www.yixing.gov.cn.test", "/zwgk/"))
    assert res.status == 301 and res.headers["Location"] == "http://www.yixing-new.gov.cn.test/zwgk/"
    assert get("http://www.yixing.gov.cn.test/zwgk/zfxxgknb/index.html")[0] == 200  # urllib follows the 301
    s, body, _ = get("http://jtj.yancheng.gov.cn.test/")
    assert b"http-equiv='refresh'" in body and b"/col/col1/index.html" in body
    assert get("http://sjj.ganzhou.gov.cn.test/xxgk/xxgknb/")[0] == 503
    assert get("http://sjj.ganzhou.gov.cn.test/xxgk/xxgknb/")[0] == 200
    r = next(r for r in truth()["reports"] if "outside-column" in r["tags"])
    assert "/xxgk/tzgg/" in r["url"]
    get("http://sjj.ganzhou.gov.cn.test/xxgk/tzgg/index.html")
    assert r["url"].split(".test", 1)[1] in get("http://sjj.ganzhou.gov.cn.test/xxgk/tzgg/index.html")[1].decode().replace("./", "/xxgk/tzgg/")
    r = next(r for r in truth()["reports"] if "reposted-by-department" in r["tags"])
    copy = next(u for u in r["urls"] if "jyj.deqing" in u)
    assert r["agency"] == "deqing-xzf" and r["title"] in get(copy)[1].decode()
    assert copy.split(".test", 1)[1] in get("http://jyj.deqing.gov.cn.test/tzgg/index.html")[1].decode()
    soft = next(u for u in truth()["noise"] if u.endswith("t20220120_100001.html"))
    s, body, _ = get(soft)
    assert s == 200 and "页面不存在" in body.decode()


def _req(host: str, target: str):
    from varietyweb.web import Request

    path, _, query = target.partition("?")
    return Request("GET", host, path, query, b"", {})


def test_flipbook_onclick_and_grouped_table_records(get):
    r = next(r for r in truth()["reports"] if r["format"] == "flipbook")
    text = get(r["url"])[1].decode()
    m = re.search(r"<iframe src='(/flipbook/\d+/)index.html'", text)
    assert m and "<table border" not in text
    page1 = get("http://scjgj.jingan.gov.cn.test" + m.group(1) + "files/basic-html/page1.html")[1].decode()
    assert "政府信息公开" in page1 and "page2.html" in page1
    r = next(r for r in truth()["reports"] if "onclick-link" in r["tags"])
    path = r["url"].split(".test", 1)[1]
    listed = "".join(get(f"http://www.dongzhi.gov.cn.test/xxgk/list.aspx?cid=45&page={p}")[1].decode("gb18030") for p in (1, 2, 3))
    assert f"window.open('{path}')" in listed and f'href="{path}"' not in listed
    col = get("http://www.hanjiang.gov.cn.test/col/col6021/index.html")[1].decode()
    assert col.count("<record>") == 18 and "<tr><td class='date'>" in col
    more = get("http://www.hanjiang.gov.cn.test/module/web/jpage/dataproxy.jsp?startrecord=19&endrecord=36&perpage=6",
               "col=1&appid=1&webid=31&columnid=6021&unitid=410")[1].decode()
    assert 0 < more.count("<record>") <= 18
