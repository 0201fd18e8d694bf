"""The one home of the Chinese names a person reads: columns, statuses, codes, sources,
table cells, regions, and Beijing time.

Every human-readable output (CSV/XLSX/HTML audit lists, the 通报 draft, the digest, the
dataset's column notes) takes its words from here, so a translation is fixed once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from monitor.deadlines import BEIJING
from parsing.labels import ACTIVE_ROWS, REQUEST_ROWS

TIME_NOTE = "时间均为北京时间"

STATUS_LABELS = {"published": "按时发布", "late": "逾期发布", "missing": "未发布", "not_found": "未找到，待核实",
                 "unreachable": "网站无法访问", "not_due": "未到期限", "unchecked": "未检查"}
STATUS_ORDER = ["missing", "late", "not_found", "unreachable", "published", "not_due", "unchecked"]
KIND_LABELS = {"department": "部门", "government": "政府", "township": "乡镇（街道）"}
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
SOURCE_LABELS = {"first_seen": "首次发现时间", "meta:PubDate": "网页发布时间标记", "page:date": "页面显示的发布时间",
                 "url": "网址中的日期", "list:date": "栏目列表日期", "signed": "落款日期",
                 "http:last-modified": "服务器修改时间", "ingest": "人工导入日期"}
CODE_LABELS = {
    "MISSING": "未发布", "NOT_FOUND": "未找到，待核实", "UNREACHABLE": "网站无法访问", "LATE": "逾期发布",
    "DATE_CONFLICT": "发布日期相互矛盾", "BACKDATED": "发布日期倒签", "EDITED": "发布后被修改", "REMOVED": "报告被撤下", "FORMAT_OUTDATED": "未使用新版格式",
    "SECTION_MISSING": "缺少部分章节", "TABLE_MISSING": "缺少统计表", "TABLE_INCOMPLETE": "统计表不完整",
    "BALANCE": "表三收结不平衡", "OUTCOME_TOTAL": "表三办理结果合计不符", "APPLICANT_TOTAL": "表三申请人合计不符",
    "APPEAL_TOTAL": "表四复议诉讼合计不符", "BAD_VALUE": "数值异常", "CARRYOVER_MISMATCH": "上年结转与上年报告不符",
    "IN_FORCE_DRIFT": "现行有效件数与上年不衔接", "PROSE_MISMATCH": "正文与表格数字不符", "YEAR_MISMATCH": "年份不一致",
    "DUPLICATE_CONTENT": "内容高度雷同", "WRONG_DOCUMENT": "并非年度报告", "NON_GOV_HOST": "仅见于非政府网站",
}
# Findings about publication (the status columns say it); the rest are 内容问题.
PUBLICATION_CODES = {"MISSING", "NOT_FOUND", "UNREACHABLE", "LATE", "DATE_CONFLICT", "BACKDATED", "EDITED", "REMOVED", "NON_GOV_HOST"}

TABLE_LABELS = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "appeals": "表四（行政复议、行政诉讼）"}
ROW_LABELS: dict[str, str] = {r.key: r.label for r in REQUEST_ROWS} | {r.key: r.label for r in ACTIVE_ROWS} | {
    "review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）", "litigation_after_review": "行政诉讼（复议后起诉）"}
CELL_LABELS = {
    "natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_welfare": "社会公益组织",
    "legal_services": "法律服务机构", "other_org": "其他", "total": "总计",
    "upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结",
    "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数", "decisions": "行政决定数量",
    "new_made": "本年新制作数量", "new_published": "本年新公开数量", "total_published": "对外公开总数量",
    "previous_items": "上一年项目数量", "change": "本年增/减", "amount": "金额",
}


def region_label(code: str | None) -> str:
    """"沭阳县（321322）": every display of a region goes through here (names from db.regions)."""
    from db.regions import region_label as _label

    return _label(code)


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def counts_text(counts: dict[str, int]) -> str:
    """E.g. 未发布1个，逾期发布2个，未找到、待核实1个 (statuses in order of gravity)."""
    return "，".join(f"{STATUS_LABELS[s].replace('，', '、')}{counts[s]}个" for s in STATUS_ORDER if counts.get(s))


def code_label(code: str) -> str:
    return CODE_LABELS.get(code, code)


def cell_label(table: str, row: str, column: str | None = None) -> str:
    """E.g. 表三（依申请公开）“本年新收政府信息公开申请数量”行“自然人”列."""
    out = f"{TABLE_LABELS.get(table, table)}“{ROW_LABELS.get(row, row)}”"
    return out + (f"行“{CELL_LABELS.get(column, column)}”列" if column else "")


def beijing(value: Any) -> str:
    """An ISO date or datetime (any zone, or naive UTC) as Beijing time ``YYYY-MM-DD HH:MM``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        return value.isoformat()
    else:
        text = str(value)
        if len(text) == 10:
            return text
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if dt.tzinfo is None:
        from datetime import UTC

        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def as_date(value: Any) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
