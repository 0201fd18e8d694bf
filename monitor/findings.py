"""Finding codes, severities and the draft a rule produces (spec/findings.md).

A draft becomes a stored finding keyed ``agency|year|code|detail``: the same problem found
again by a later run is the same row, so findings are stable, resolvable and dismissable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITY = {
    "MISSING": "error", "NOT_FOUND": "warning", "DATE_CONFLICT": "warning", "UNREACHABLE": "warning", "LATE": "error", "BACKDATED": "warning", "EDITED": "warning",
    "REMOVED": "warning", "FORMAT_OUTDATED": "error", "SECTION_MISSING": "error", "TABLE_MISSING": "error",
    "TABLE_INCOMPLETE": "warning", "BALANCE": "error", "OUTCOME_TOTAL": "error", "APPLICANT_TOTAL": "error",
    "APPEAL_TOTAL": "error", "BAD_VALUE": "error", "CARRYOVER_MISMATCH": "warning", "IN_FORCE_DRIFT": "info",
    "PROSE_MISMATCH": "warning", "YEAR_MISMATCH": "warning", "DUPLICATE_CONTENT": "warning",
    "WRONG_DOCUMENT": "warning", "NON_GOV_HOST": "info",
}
# findings about a report's content (the audit row's 内容问题), as opposed to publication
PUBLICATION_CODES = ("MISSING", "NOT_FOUND", "UNREACHABLE", "LATE", "BACKDATED", "DATE_CONFLICT", "EDITED", "REMOVED")
CONTENT_CODES = tuple(c for c in SEVERITY if c not in PUBLICATION_CODES)
# rules that compare a report with every other agency's reports: a run limited by year,
# agency or region cannot evaluate them, so it leaves their findings as they are
ACROSS_ALL_CODES = ("DUPLICATE_CONTENT",)
COLUMN_NAMES = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构", "social_welfare": "社会公益组织",
                "legal_services": "法律服务机构", "other_org": "其他", "total": "总计"}
GROUP_NAMES = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）",
               "litigation_after_review": "行政诉讼（复议后起诉）"}
TABLE_NAMES = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "appeals": "表四（行政复议、行政诉讼）"}


@dataclass(slots=True)
class Draft:
    """A finding as a rule produces it; ``detail`` distinguishes several of one code."""

    code: str
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    detail: str = ""

    @property
    def severity(self) -> str:
        return SEVERITY[self.code]


def finding_key(agency: str, year: int, code: str, detail: str) -> str:
    return f"{agency}|{year}|{code}|{detail}"
