"""Each CMS family on saved pages: detection from the page, list entries, pagination.

``trs-ordos-real.html`` is a real 信息公开年报 column (TRS script pagination, 10 items of
which 4 are annual reports); the others were saved from the sample web.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from parsing.classify import classify_title
from parsing.readers.html import decode_html
from spiders.families import detect, gkmlpt, hanweb, trs, vsb
from tests.conftest import FIXTURES

SITES = FIXTURES / "sites"
INDEX = json.loads((SITES / "index.json").read_text(encoding="utf-8"))


def _page(name: str) -> str:
    return decode_html((SITES / name).read_bytes())[0]


def test_real_trs_listing() -> None:
    meta = json.loads((SITES / "trs-ordos-real.meta.json").read_text(encoding="utf-8"))
    url = "http://www.ordos.gov.cn/xxgk/xxgknb/index.html"
    text = _page("trs-ordos-real.html")
    family = detect(url, text)
    assert family is trs
    entries = {e.title: e for e in family.entries(url, text)}
    for item in meta["items"]:
        entry = entries[item["title"]]
        assert entry.url == "http://www.ordos.gov.cn/xxgk/xxgknb/" + item["href"].removeprefix("./")
        assert classify_title(item["title"]).is_report is item["is_annual_report"], item["title"]
    assert [r["url"] for r in family.more_requests(url, text, {})] == ["http://www.ordos.gov.cn/xxgk/xxgknb/index_1.html"]


@pytest.mark.parametrize("family", ["trs", "hanweb", "vsb", "gkmlpt", "generic"])
def test_family_is_detected_and_lists_its_reports(family: str) -> None:
    info = INDEX[family]
    text = _page(info["file"])
    module = detect(info["url"], text)
    assert module.NAME == family
    titles = sorted(e.title for e in module.entries(info["url"], text) if classify_title(e.title).is_report)
    first_page = set(titles)
    assert first_page and first_page <= set(info["reports"])
    assert all(e.date for e in module.entries(info["url"], text) if classify_title(e.title).is_report)


def test_trs_script_pagination() -> None:
    text = _page("trs-column.html")
    url = INDEX["trs"]["url"]
    reqs = trs.more_requests(url, text, {})
    assert [r["url"] for r in reqs] == ["http://huaian-szf.gov.cn.test/zfxxgk/ndbg/index_1.html",
                                        "http://huaian-szf.gov.cn.test/zfxxgk/ndbg/index_2.html"]
    assert trs.more_requests(url, text.replace("createPageHTML(3, 0", "createPageHTML(3, 1"), {}) == []


def test_hanweb_datastore_and_dataproxy_post() -> None:
    text = _page("hanweb-column.html")
    url = INDEX["hanweb"]["url"]
    assert len(hanweb.entries(url, text)) == 3  # the inline <record>s only, not the site chrome
    reqs = hanweb.more_requests(url, text, {})
    assert len(reqs) == 1
    q = parse_qs(urlsplit(reqs[0]["url"]).query)
    assert reqs[0]["method"] == "POST" and urlsplit(reqs[0]["url"]).path == "/module/web/jpage/dataproxy.jsp"
    assert (q["startrecord"], q["endrecord"], q["perpage"]) == (["4"], ["7"], ["3"])  # <totalrecord>7
    assert reqs[0]["formdata"]["columnid"] == "101" and reqs[0]["formdata"]["unitid"] == "8"
    answer = _page("hanweb-dataproxy.xml")
    more = hanweb.entries(reqs[0]["url"], answer)
    assert len(more) == 4 and hanweb.more_requests(reqs[0]["url"], answer, reqs[0]["meta"]) == []


def test_vsb_counts_down() -> None:
    text = _page("vsb-column.html")
    assert [r["url"] for r in vsb.more_requests(INDEX["vsb"]["url"], text, {})] == \
        ["http://xinzhou-kjj.gov.cn.test/xxgk/ndbg/3.htm"]  # 4 pages: ndbg.htm, then 3, 2, 1


def test_gkmlpt_app_then_api() -> None:
    app = _page("gkmlpt-app.html")
    reqs = gkmlpt.more_requests("http://luoyang-kjj.gov.cn.test/gkmlpt/index", app, {"fragment": "103"})
    assert [r["url"] for r in reqs] == ["http://luoyang-kjj.gov.cn.test/gkmlpt/api/all/103?page=1&sid=sid-103"]
    api = _page("gkmlpt-column.json")
    entries = gkmlpt.entries(reqs[0]["url"], api)
    assert entries[0].date and entries[0].url.startswith("http://luoyang-kjj.gov.cn.test/gkmlpt/content/")
    pages = gkmlpt.more_requests(reqs[0]["url"], api, {})
    assert [p["url"] for p in pages] == [  # total 11, 3 per page
        f"http://luoyang-kjj.gov.cn.test/gkmlpt/api/all/103?page={n}&sid=sid-103" for n in (2, 3, 4)]


@pytest.mark.parametrize(
    ("title", "is_report"),
    [("鄂尔多斯市2018年政府信息公开年度报告", True), ("忻州市科学技术局2020年度政府信息公开年度报告", True),
     ("某局政府信息公开工作年报（2022年）", True), ("2023年政府工作报告", False),
     ("淄博市科学技术局2021年法治政府建设年度报告", False), ("关于做好2021年政府信息公开工作年度报告编制工作的通知", False),
     ("图解：某局2023年政府信息公开工作年度报告", False), ("某局2023年部门预算公开", False), ("政府信息公开年报", False)],
)
def test_report_classifier(title: str, is_report: bool) -> None:
    assert classify_title(title).is_report is is_report
