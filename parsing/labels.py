"""Canonical keys of the national tables and the label patterns that find them.

Data, not logic: every pattern is matched against :func:`parsing.normalize.norm_label`
output (NFKC, ``（`` -> ``(``, ``、``/``．`` -> ``.``, no whitespace).  Patterns are
distinctive fragments rather than whole labels because real reports split, abbreviate
and misspell labels (seen: 其他法律行政止公开, 结果维护).  See spec/annual-report.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One data row: canonical key, the official label and the pattern that matches it."""

    key: str
    label: str
    pattern: re.Pattern[str]
    layouts: tuple[str, ...] = ("2019", "2021")


def _p(expr: str) -> re.Pattern[str]:
    return re.compile(expr)


# ---------------------------------------------------------------- table 三 (requests)
REQUEST_COLUMNS: tuple[str, ...] = (
    "natural_person",  # 自然人
    "commercial",  # 商业企业
    "research",  # 科研机构
    "social_welfare",  # 社会公益组织
    "legal_services",  # 法律服务机构
    "other_org",  # 其他
    "total",  # 总计
)

REQUEST_ROWS: tuple[RowSpec, ...] = (
    RowSpec("new_received", "一、本年新收政府信息公开申请数量", _p(r"本年新收|本年度新收|新收.{0,6}申请")),
    RowSpec("carried_over", "二、上年结转政府信息公开申请数量", _p(r"上年结转|上年度结转")),
    RowSpec("granted", "（一）予以公开", _p(r"予以公开|予以全部公开")),
    RowSpec("partially_granted", "（二）部分公开", _p(r"部分公开")),
    RowSpec("denied.state_secret", "1.属于国家秘密", _p(r"国家秘密")),
    RowSpec("denied.prohibited_by_law", "2.其他法律行政法规禁止公开",
            _p(r"禁止公开|法律行政止公开|其他法律行政法规|其他法律法规")),
    RowSpec("denied.security_stability", "3.危及“三安全一稳定”", _p(r"三安全一稳定|危及")),
    RowSpec("denied.third_party_rights", "4.保护第三方合法权益", _p(r"第三方")),
    RowSpec("denied.internal_affairs", "5.属于三类内部事务信息", _p(r"内部事务")),
    RowSpec("denied.process_information", "6.属于四类过程性信息", _p(r"过程性")),
    RowSpec("denied.enforcement_files", "7.属于行政执法案卷", _p(r"执法案卷")),
    RowSpec("denied.administrative_query", "8.属于行政查询事项", _p(r"行政查询")),
    RowSpec("unavailable.not_held", "1.本机关不掌握相关政府信息", _p(r"不掌握")),
    RowSpec("unavailable.needs_creation", "2.没有现成信息需要另行制作", _p(r"没有现成|另行制作")),
    RowSpec("unavailable.still_unclear", "3.补正后申请内容仍不明确", _p(r"仍不明确|补正后申请")),
    RowSpec("not_processed.petition", "1.信访举报投诉类申请", _p(r"信访|举报投诉")),
    RowSpec("not_processed.repeated", "2.重复申请", _p(r"重复申请")),
    RowSpec("not_processed.publication", "3.要求提供公开出版物", _p(r"出版物")),
    RowSpec("not_processed.excessive", "4.无正当理由大量反复申请", _p(r"大量反复")),
    RowSpec("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息",
            _p(r"重新出具|确认或重新|已获取信息")),
    RowSpec("other", "（六）其他处理", _p(r"其他处理"), layouts=("2019",)),
    RowSpec("other.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            _p(r"逾期不补正|不补正"), layouts=("2021",)),
    RowSpec("other.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            _p(r"收费通知|缴纳费用"), layouts=("2021",)),
    RowSpec("other.other", "3.其他", _p(r"(?:^|\))3\.?其他$|^其他$|3\.其他(?!处理|法律|结果|对外)"),
            layouts=("2021",)),
    RowSpec("total", "（七）总计", _p(r"\(七\)总计|^总计$|^\(七\)|七\)?总计")),
    RowSpec("carried_forward", "四、结转下年度继续办理", _p(r"结转下年|转下年度|继续办理")),
)

# Leaf rows of R2 (sum of outcomes = total), layout-dependent tail.
OUTCOME_KEYS_COMMON: tuple[str, ...] = tuple(
    r.key for r in REQUEST_ROWS
    if r.key.split(".")[0] in {"granted", "partially_granted", "denied", "unavailable", "not_processed"}
)
OUTCOME_KEYS = {
    "2019": OUTCOME_KEYS_COMMON + ("other",),
    "2021": OUTCOME_KEYS_COMMON + ("other.no_correction", "other.unpaid_fee", "other.other"),
}

# Header words of table 三 (used for column positions in PDFs and for the 法人 subtotal).
REQUEST_HEADER_WORDS: tuple[tuple[str, str], ...] = (
    ("natural_person", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("social_welfare", "社会公益组织"),
    ("legal_services", "法律服务机构"),
    ("other_org", "其他"),
    ("total", "总计"),
)

# ---------------------------------------------------------------- table 二 (active)


@dataclass(frozen=True, slots=True)
class ActiveRowSpec:
    key: str
    label: str
    pattern: re.Pattern[str]
    columns: dict[str, tuple[str, ...]]  # layout -> column keys


_DOC_COLS: dict[str, tuple[str, ...]] = {"2019": ("new_made", "new_published", "total_published"),
             "2021": ("issued", "repealed", "in_force")}
_ITEM_COLS = {"2019": ("previous_items", "change", "decisions"), "2021": ("decisions",)}

ACTIVE_ROWS: tuple[ActiveRowSpec, ...] = (
    ActiveRowSpec("regulations", "规章", _p(r"规章"), _DOC_COLS),
    ActiveRowSpec("normative_documents", "规范性文件", _p(r"规范性文件"), _DOC_COLS),
    ActiveRowSpec("licensing", "行政许可", _p(r"行政许可"), _ITEM_COLS),
    ActiveRowSpec("other_services", "其他对外管理服务事项", _p(r"其他对外管理服务|对外管理服务事项"),
                  {"2019": ("previous_items", "change", "decisions")}),
    ActiveRowSpec("penalty", "行政处罚", _p(r"行政处罚"), _ITEM_COLS),
    ActiveRowSpec("coercion", "行政强制", _p(r"行政强制"), _ITEM_COLS),
    ActiveRowSpec("fees", "行政事业性收费", _p(r"行政事业性收费|事业性收费"),
                  {"2019": ("previous_items", "change"), "2021": ("amount",)}),
    ActiveRowSpec("procurement", "政府集中采购", _p(r"政府集中采购|集中采购"),
                  {"2019": ("projects", "amount")}),
)

# Header fragments that decide the layout of table 二 (and the report format).
ACTIVE_LAYOUT_MARKERS: dict[str, re.Pattern[str]] = {
    "2019": _p(r"本年新制作|本年新公开|对外公开总数量|上一年项目数量|本年增/?减|第二十条第\(九\)项|采购项目数量"),
    "2021": _p(r"本年制发|本年废止|现行有效|本年处理决定数量|本年收费金额"),
}

# Block headers ("第二十条第（一）项") and column-header rows carry no data.
ACTIVE_HEADER_RE = _p(r"第二十条|信息内容")

# ---------------------------------------------------------------- table 四 (appeals)
APPEAL_GROUPS: tuple[str, ...] = ("review", "litigation_direct", "litigation_after_review")
APPEAL_CELLS: tuple[str, ...] = ("upheld", "corrected", "other", "pending", "total")

# ---------------------------------------------------------------- sections
SECTION_NUMERALS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六")
SECTION_PATTERNS: dict[str, re.Pattern[str]] = {
    "一": _p(r"^(?:第?一[.、:]?|\(一\))\s*(?:总体情况|概述|基本情况)"),
    "二": _p(r"^(?:第?二[.、:]?|\(二\))\s*主动公开政府信息(?:的)?情况"),
    "三": _p(r"^(?:第?三[.、:]?|\(三\))\s*收到和处理政府信息公开申请(?:的)?情况"),
    "四": _p(r"^(?:第?四[.、:]?|\(四\))\s*(?:政府信息公开行政复议|因政府信息公开(?:工作)?被申请行政复议|政府信息公开.{0,4}行政复议)"),
    "五": _p(r"^(?:第?五[.、:]?|\(五\))\s*(?:政府信息公开工作)?存在的主要问题"),
    "六": _p(r"^(?:第?六[.、:]?|\(六\))\s*其他需要报告的事项"),
}

# ---------------------------------------------------------------- compound prose statements
# A prose key that names a sum of cells: "予以公开及部分公开258件" is granted + partially_granted,
# not partially_granted.  key -> (table, rows, columns); the statement equals the sum.
_DENIED = tuple(r.key for r in REQUEST_ROWS if r.key.startswith("denied."))
_UNAVAILABLE = tuple(r.key for r in REQUEST_ROWS if r.key.startswith("unavailable."))
_NOT_PROCESSED = tuple(r.key for r in REQUEST_ROWS if r.key.startswith("not_processed."))
PROSE_SUMS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "requests.granted_and_partial.total": ("requests", ("granted", "partially_granted"), ("total",)),
    "requests.denied_all.total": ("requests", _DENIED, ("total",)),
    "requests.unavailable_all.total": ("requests", _UNAVAILABLE, ("total",)),
    "requests.not_processed_all.total": ("requests", _NOT_PROCESSED, ("total",)),
    # "均获维持": no case corrected, otherwise concluded or still pending (the statement is 0)
    "appeals.review.not_upheld": ("appeals", ("review",), ("corrected", "other", "pending")),
    "appeals.litigation.not_upheld": ("appeals", ("litigation_direct", "litigation_after_review"),
                                      ("corrected", "other", "pending")),
}
