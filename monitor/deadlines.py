"""Publication deadlines per agency and year, with the rule applied (spec/annual-report.md §1).

The only place deadlines are computed (COMMON.md contract 5): every command (check, audit,
digest) calls :func:`deadline_for` or
:func:`deadline_for_agency`.  Order of precedence: the agency's own ``deadline`` in the
registry, then a regional rule (``defaults.regions``, longest region-code prefix first),
then the registry default for its kind, which itself defaults to the statute (部门
1月31日, 政府 3月31日, 乡镇 3月31日).  Report years up to 2018 fall under the 2007 条例:
3月31日 for everyone.  A deadline is the end of that day, Beijing time
(:data:`BEIJING`, defined once in :mod:`db.dates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from db.dates import BEIJING
from db.models import Setting
from db.registry import DEFAULT_DEADLINES

__all__ = ["BEIJING", "Deadline", "deadline_for", "deadline_for_agency", "deadline_settings"]

STATUTE = DEFAULT_DEADLINES  # the 条例's dates per kind: one home, the registry's defaults (db cannot import monitor)
KIND_NAMES = {"department": "县级以上人民政府部门", "government": "县级以上地方人民政府", "township": "乡镇/街道"}


@dataclass(frozen=True, slots=True)
class Deadline:
    day: date
    rule: str  # which rule decided, in words an auditor can check
    iso: str = field(init=False, compare=False, repr=False)  # ``day`` as ISO text, made once
    end: datetime = field(init=False, compare=False, repr=False)  # the last moment of the day, Beijing time

    def __post_init__(self) -> None:
        object.__setattr__(self, "iso", self.day.isoformat())
        object.__setattr__(self, "end", datetime.combine(self.day, time(23, 59, 59), BEIJING))


def _on(year: int, mmdd: str) -> date:
    month, day = (int(x) for x in mmdd.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return date(year, month, 28)


def _cn(mmdd: str) -> str:
    month, day = (int(x) for x in mmdd.split("-"))
    return f"{month}月{day}日"


def deadline_for(kind: str, year: int, *, region: str | None = None, agency_deadline: str | None = None,
                 kinds: dict[str, str] | None = None, regions: dict[str, dict[str, str]] | None = None) -> Deadline:
    """The deadline for the report of ``year`` and the rule that set it (in Chinese)."""
    nxt = year + 1
    if agency_deadline:
        return Deadline(_on(nxt, agency_deadline), f"依据登记表中本机关的期限：次年{_cn(agency_deadline)}前")
    if year <= 2018:
        return Deadline(date(nxt, 3, 31), "依据2007年《条例》第三十一条：各级行政机关于每年3月31日前公布上一年度报告"
                                          "（2018年及以前的报告年度）")
    local = regions or {}
    for prefix in sorted(local, key=len, reverse=True):
        if region and region.startswith(prefix) and kind in local[prefix]:
            mmdd = local[prefix][kind]
            return Deadline(_on(nxt, mmdd), f"依据地方规定（区划代码{prefix}）：{KIND_NAMES.get(kind, kind)}于次年{_cn(mmdd)}前")
    configured = (kinds or {}).get(kind)
    statute = STATUTE.get(kind, "03-31")
    if configured and configured != statute:
        return Deadline(_on(nxt, configured), f"依据登记表的默认期限：{KIND_NAMES.get(kind, kind)}于次年{_cn(configured)}前")
    if kind == "department":
        return Deadline(_on(nxt, statute), "依据《条例》第四十九条：县级以上人民政府部门于每年1月31日前公布上一年度报告")
    if kind == "government":
        return Deadline(_on(nxt, statute), "依据《条例》第四十九条：县级以上地方人民政府于每年3月31日前公布上一年度报告")
    return Deadline(_on(nxt, statute), "《条例》未规定乡镇/街道的期限：按县级以上地方人民政府的3月31日")


def deadline_settings(session: Session) -> dict[str, Any]:
    """The registry's deadline settings as synced (``{"kinds": …, "regions": …}``; {} if none)."""
    row = session.get(Setting, "deadlines")
    return dict(row.value or {}) if row is not None else {}


def deadline_for_agency(agency: Any, year: int, settings: dict[str, Any] | None,
                        cache: dict[tuple[Any, ...], Deadline] | None = None) -> Deadline:
    """:func:`deadline_for` for a registry agency (a ``db.models.Agency`` or ``AgencySpec``)
    with the registry's settings (:func:`deadline_settings`): kind defaults and regional rules.

    ``cache``: a dict kept by a caller that asks for many agencies under the same settings
    (the national check asks 800,000 times): one Deadline per kind, region, own deadline and
    year, so its texts are made once and sent between processes once."""
    key = (agency.kind, agency.region, agency.deadline, year)
    if cache is not None and (found := cache.get(key)) is not None:
        return found
    settings = settings or {}
    dl = deadline_for(agency.kind, year, region=agency.region, agency_deadline=agency.deadline,
                      kinds=settings.get("kinds"), regions=settings.get("regions"))
    if cache is not None:
        cache[key] = dl
    return dl
