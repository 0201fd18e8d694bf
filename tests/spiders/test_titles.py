"""List titles: which are 政府信息公开年度报告 (the classifier of parsing/, as the spider uses it)."""

from __future__ import annotations

import pytest

from parsing.classify import classify_title


@pytest.mark.parametrize(
    ("title", "is_report"),
    [("鄂尔多斯市2018年政府信息公开年度报告", True), ("忻州市科学技术局2020年度政府信息公开年度报告", True),
     ("某局政府信息公开工作年报（2022年）", True), ("浏阳市公安局政府信息公开工作2024年度报告", True),
     ("某局政府信息公开2023年报", True), ("2023年度政府信息公开工作年度报告", True),
     ("2023年政府工作报告", False), ("淄博市科学技术局2021年法治政府建设年度报告", False),
     ("关于做好2021年政府信息公开工作年度报告编制工作的通知", False),
     ("关于做好政府信息公开工作2024年度报告编制的通知", False),
     ("图解：某局2023年政府信息公开工作年度报告", False), ("某局2023年部门预算公开", False), ("政府信息公开年报", False)],
)
def test_report_classifier(title: str, is_report: bool) -> None:
    assert classify_title(title).is_report is is_report
