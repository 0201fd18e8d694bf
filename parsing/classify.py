"""Is a title an annual 政府信息公开 report?  (Pure: titles in, decisions out.)

Accepts "<机关>YYYY年政府信息公开（工作）年度报告/年报" in its variants; rejects what lists
mix in: 政府工作报告, 法治政府建设年度报告, 预决算, notices about compiling reports,
解读/图解 of a report, meetings and news.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.meta import agency_from_title, title_year
from parsing.normalize import squash

_REPORT_RE = re.compile(r"(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:报告|年报)|政府信息公开工作年度报告|政务公开(?:工作)?年度报告"
                        r"|(?:政府|政务)?信息公开(?:工作)?\s*(?:19|20)\d{2}\s*年度?(?:工作)?(?:报告|报)")  # "…公开工作2024年度报告"
_REJECT_RE = re.compile(
    r"政府工作报告|法治政府|预算|决算|通知|关于(?:做好|印发|报送|编制|开展)|解读|图解|一图读懂|问答|会议|召开|培训|考核|"
    r"统计公报|工作总结|工作要点|实施方案|征求意见|公示|目录|指南|制度"
)


@dataclass(frozen=True, slots=True)
class Verdict:
    is_report: bool
    year: int | None
    agency: str | None
    why: str


def classify_title(title: str) -> Verdict:
    t = squash(title or "")
    if not t:
        return Verdict(False, None, None, "empty title")
    if not _REPORT_RE.search(t):
        return Verdict(False, None, None, "not a 政府信息公开年度报告 title")
    if m := _REJECT_RE.search(t):
        return Verdict(False, title_year(t), None, f"mentions {m.group(0)}")
    year = title_year(t)
    if year is None:
        return Verdict(False, None, None, "no report year in the title")
    return Verdict(True, year, agency_from_title(t), "report title")
