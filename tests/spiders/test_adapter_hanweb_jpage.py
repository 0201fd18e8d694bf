"""The hanweb_jpage adapter on its saved pages (tests/fixtures/sites/hanweb_jpage/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("hanweb_jpage"), ids=lambda c: c["name"][:60])
def test_hanweb_jpage(case: dict) -> None:
    check("hanweb_jpage", case)


def test_the_fingerprint_reads_the_whole_page_not_the_url() -> None:
    """Issue 15 item 7: the old ``hanweb.matches`` searched ``url + text[:0]``, so half of its
    pattern never saw the page.  The page decides, wherever its markers are: a datastore after
    60 KB of site chrome is Hanweb; a Hanweb-shaped URL without a marker is not."""
    from spiders.adapters import Page, sniff

    chrome = "<div class='nav'>" + "".join(f"<span>栏目{i}</span>" for i in range(6000)) + "</div>"
    records = "<record><![CDATA[<li><a href='/art/2024/1/20/art_11_1.html' title='某县2023年政府信息公开工作年度报告'>" \
              "某县2023年政府信息公开工作年度报告</a><span>2024-01-20</span></li>]]></record>"
    late = f"<html><body>{chrome}<script type='text/xml'><datastore><totalrecord>1</totalrecord>" \
           f"<recordset>{records}</recordset></datastore></script></body></html>"
    assert len(late) > 60_000
    page = Page(url="http://www.a.gov.cn/xxgk/nb.html", text=late)
    adapter = sniff(page)
    assert adapter.NAME == "hanweb_jpage"
    assert [e.url for e in adapter.read(page).entries] == ["http://www.a.gov.cn/art/2024/1/20/art_11_1.html"]
    shaped = Page(url="http://www.a.gov.cn/col/col11/index.html", text="<html><body><a href='/x.html'>x</a></body></html>")
    assert sniff(shaped).NAME != "hanweb_jpage"
