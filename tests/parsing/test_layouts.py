"""Format and layout decisions: 2019/2021/none, mixed layouts, extra rows and columns."""

from __future__ import annotations

from parsing.api import parse_bytes
from tests.conftest import FIXTURES

SEED_2019 = FIXTURES / "seeds" / "003_1552932f4d23b490.txt"


def _html(rows_active: str, header_extra: str = "", extra_cell: str = "") -> bytes:
    req_rows = "".join(
        f"<tr><td>{label}</td>" + "<td>1</td>" * 6 + extra_cell + "<td>6</td></tr>"
        for label in ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    )
    return f"""<html><head><meta charset="utf-8"></head><body><div id="zoom">
<p>某某市某某局2022年政府信息公开工作年度报告</p><p>一、总体情况</p><p>略。</p>
<p>二、主动公开政府信息情况</p><table>
<tr><td colspan=4>第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td>行政规范性文件</td><td>2</td><td>1</td><td>30</td></tr>{rows_active}</table>
<p>三、收到和处理政府信息公开申请情况</p><table>
<tr><td></td><td>自然人</td><td colspan=5>法人或其他组织</td>{header_extra}<td>总计</td></tr>
<tr><td></td><td></td><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
{req_rows}</table><p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p>
<p>六、其他需要报告的事项</p></div></body></html>""".encode()


def test_extra_rows_of_table_2_are_kept() -> None:
    report = parse_bytes(_html("<tr><td>其他主动公开文件</td><td>12</td><td>0</td><td>40</td></tr>"))
    active = report.tables["active"]
    assert active.layout == "2021"
    assert active.extra == [{"label": "其他主动公开文件", "cells": ["12", "0", "40"]}]
    assert report.to_json()["tables"]["active"]["extra"] == active.extra


def test_added_subtotal_column_goes_to_extra() -> None:
    report = parse_bytes(_html("", header_extra="<td>小计</td>", extra_cell="<td>5</td>"))
    rows = report.tables["requests"].rows
    assert rows["new_received"] == {"natural_person": 1, "commercial": 1, "research": 1, "social_welfare": 1,
                                    "legal_services": 1, "other_org": 1, "total": 6}
    assert {"row": "new_received", "column": "legal_person_subtotal", "label": "法人或其他组织小计",
            "cells": ["5"]} in report.tables["requests"].extra


def test_narrative_report_before_2019_has_format_none() -> None:
    text = ("某某县人民政府办公室2017年政府信息公开工作年度报告\n一、概述\n2017年，我县认真贯彻落实《条例》。\n"
            "二、主动公开政府信息的情况\n全年主动公开政府信息1234条。\n三、依申请公开政府信息情况\n共收到申请5件。\n"
            "四、政府信息公开的收费及减免情况\n无。\n五、因政府信息公开申请行政复议、提起行政诉讼的情况\n无。\n"
            "六、政府信息公开工作存在的主要问题及改进情况\n加强培训。\n")
    report = parse_bytes(text.encode())
    assert report.ok, report.error
    assert report.year == 2017
    assert report.format == "none"
    assert report.to_json()["tables"] == {"active": None, "requests": None, "appeals": None}
    assert not any("table" in w and "not found" in w for w in report.warnings)  # none are due before 2019


def test_format_not_matching_year_is_warned() -> None:
    text = SEED_2019.read_text(encoding="utf-8").replace("2020年度", "2021年度", 1)
    report = parse_bytes(text.encode())
    assert report.year == 2021
    assert report.format == "2019"
    assert "format 2019 does not match report year 2021 (expects 2021)" in report.warnings


def test_gbk_text_dump_is_decoded() -> None:
    report = parse_bytes(SEED_2019.read_text(encoding="utf-8").encode("gb18030"))
    assert report.title == "忻州市科学技术局2020年度政府信息公开年度报告"
    assert report.tables["requests"].status == "ok"
