"""The sample web's agencies as an office's roster workbook (what ``make demo`` starts from).

The demo imports this sheet with ``nianbao registry import`` instead of reading a registry
written by hand, the way a new office starts from its Excel list.  The 标识 column keeps the
sample web's ids so the demo can compare with its ground truth.
"""

from __future__ import annotations

import io

from sampleweb.sites import REGIONAL_RULES, SampleSite

KINDS = {"government": "政府", "department": "部门", "township": "乡镇（街道）"}


def roster_xlsx(sites: list[SampleSite]) -> bytes:
    """A workbook: a merged title row, then 序号 标识 单位名称 类型 行政区划代码 上级单位 网站 起报年度."""
    from openpyxl import Workbook

    names = {s.agency_id: s.name for s in sites}
    wb = Workbook()
    ws = wb.active
    ws.title = "年报发布主体名单"
    ws.append(["样例政府网站 政府信息公开工作年度报告发布主体名单"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "标识", "单位名称", "类型", "行政区划代码", "上级单位", "网站", "起报年度"])
    for n, s in enumerate(sites, start=1):
        since = min((r.year for r in s.reports), default=None)
        ws.append([n, s.agency_id, s.name, KINDS[s.kind], s.region or "", names.get(s.parent or "", ""), s.base, since])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def registry_defaults_yaml() -> str:
    """The registry the roster is imported into: the office's settings, no agencies yet."""
    lines = ["# 样例名录：defaults by hand, agencies imported from roster.xlsx (nianbao registry import)",
             "defaults:", "  regions:"]
    lines += [f'    "{code}": {{{", ".join(f"{k}: {v!r}" for k, v in rules.items())}}}'
              for code, rules in REGIONAL_RULES.items()]
    return "\n".join(lines) + "\nagencies: []\n"
