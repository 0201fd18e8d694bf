"""Chinese labels for the dashboard: statuses (with a symbol, so no page relies on colour
alone), kinds, severities, evidence sources, dates in Beijing time, region names.

Every display of a region code goes through :func:`region_label` (contract 4: the
region-name helper of ``db/regions.py`` is used when it exists).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from monitor.deadlines import BEIJING, KIND_NAMES

# status -> (Chinese name, symbol, CSS class); order = display order everywhere
STATUSES: dict[str, tuple[str, str, str]] = {
    "published": ("按时发布", "✓", "st-published"),
    "late": ("逾期发布", "迟", "st-late"),
    "missing": ("未发布", "✗", "st-missing"),
    "not_found": ("未找到，待核实", "?", "st-not_found"),
    "unreachable": ("网站无法访问", "⚠", "st-unreachable"),
    "not_due": ("未到期限", "–", "st-not_due"),
    "unchecked": ("未检查", "·", "st-unchecked"),
}
PROBLEM_STATUSES = ("late", "missing", "not_found", "unreachable")
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_STATES = {"open": "待处理", "dismissed": "已忽略", "resolved": "已解决"}
CODE_NAMES = {
    "MISSING": "未发布", "NOT_FOUND": "未找到，待核实", "UNREACHABLE": "网站无法访问", "LATE": "逾期发布",
    "DATE_CONFLICT": "日期矛盾", "BACKDATED": "倒签日期", "EDITED": "发布后修改", "REMOVED": "已被删除",
    "FORMAT_OUTDATED": "格式过时", "SECTION_MISSING": "缺少部分", "TABLE_MISSING": "缺少表格",
    "TABLE_INCOMPLETE": "表格不完整", "BALANCE": "表三收支不平衡", "OUTCOME_TOTAL": "办理结果合计不符",
    "APPLICANT_TOTAL": "申请人合计不符", "APPEAL_TOTAL": "复议诉讼合计不符", "BAD_VALUE": "数值异常",
    "CARRYOVER_MISMATCH": "结转与上年不符", "IN_FORCE_DRIFT": "现行有效件数偏差", "PROSE_MISMATCH": "正文与表格不符",
    "YEAR_MISMATCH": "年份不一致", "DUPLICATE_CONTENT": "内容雷同", "WRONG_DOCUMENT": "错发文件",
    "NON_GOV_HOST": "非政府网站",
}
SOURCE_NAMES = {"first_seen": "首次发现时间", "meta:PubDate": "网页发布时间标记", "page:date": "页面显示的发布时间",
                "url": "网址中的日期", "list:date": "栏目列表日期", "signed": "落款日期",
                "http:last-modified": "服务器修改时间", "ingest": "人工导入日期"}
OUTCOMES = {"ok": "成功", "unreachable": "无法访问"}
PARSE_STATUS = {"ok": "解析成功", "error": "解析失败", "skipped": "未解析", "missing": "无文件"}


def today_beijing() -> date:
    """Today's date in Beijing, the date the dashboard judges as of unless told otherwise."""
    return datetime.now(BEIJING).date()


def status_name(status: str) -> str:
    return STATUSES.get(status, (status, "", ""))[0]


def status_symbol(status: str) -> str:
    return STATUSES.get(status, ("", "?", ""))[1]


def status_class(status: str) -> str:
    return STATUSES.get(status, ("", "", "st-other"))[2]


def kind_name(kind: str | None) -> str:
    return KIND_NAMES.get(kind or "", kind or "—")


def region_label(code: str | None) -> str:
    """The region's name and code ("淮安市（320800）"), or the code alone when no name is known."""
    if not code:
        return "（未填区划）"
    name = None
    try:  # contract 4: db/regions.py (H11) names the codes when it is there
        from db.regions import region_name

        name = region_name(code)
    except (ImportError, AttributeError):
        name = None
    return f"{name}（{code}）" if name else code


def cn_date(value: Any) -> str:
    """``2025年1月31日`` from a date, a datetime (Beijing) or an ISO string; ``—`` for none."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BEIJING)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def cn_day(value: Any) -> str:
    """Like :func:`cn_date` but the day only."""
    text = cn_date(value)
    return text.split(" ")[0]
