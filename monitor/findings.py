"""The draft a rule produces, its stable key, and the names messages use (spec/findings.md);
the codes, severities and rules are in :mod:`monitor.registry`.

A draft becomes a stored finding keyed ``agency|year|code|detail``: the same problem found
again by a later run is the same row, so findings are stable, resolvable and dismissable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


def finding_key(agency: str, year: int, code: str, detail: str) -> str:
    return f"{agency}|{year}|{code}|{detail}"
