"""Publication deadlines per agency and year, with the rule applied (spec/annual-report.md §1).

Order of precedence: the agency's own ``deadline`` in the registry, then a regional rule
(``defaults.regions``, longest region-code prefix first), then the registry default for
its kind, which itself defaults to the statute (部门 1月31日, 政府 3月31日, 乡镇 3月31日).
Report years up to 2018 fall under the 2007 条例: 3月31日 for everyone.  A deadline is
the end of that day, Beijing time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
STATUTE = {"department": "01-31", "government": "03-31", "township": "03-31"}
KIND_NAMES = {"department": "县级以上人民政府部门", "government": "县级以上地方人民政府", "township": "乡镇/街道"}


@dataclass(frozen=True, slots=True)
class Deadline:
    day: date
    rule: str  # which rule decided, in words an auditor can check

    @property
    def end(self) -> datetime:
        """The last moment of the deadline day, Beijing time."""
        return datetime.combine(self.day, time(23, 59, 59), BEIJING)


def _on(year: int, mmdd: str) -> date:
    month, day = (int(x) for x in mmdd.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 02-29 in a common year
        return date(year, month, 28)


def deadline_for(kind: str, year: int, *, region: str | None = None, agency_deadline: str | None = None,
                 kinds: dict[str, str] | None = None, regions: dict[str, dict[str, str]] | None = None) -> Deadline:
    """The deadline for the report of ``year`` and the rule that set it."""
    nxt = year + 1
    if agency_deadline:
        return Deadline(_on(nxt, agency_deadline), f"registry: this agency's deadline {agency_deadline}")
    if year <= 2018:
        return Deadline(date(nxt, 3, 31), "2007 条例 第31条: every 行政机关 by 3月31日 (report years <= 2018)")
    for prefix in sorted(regions or {}, key=len, reverse=True):
        if region and region.startswith(prefix) and kind in regions[prefix]:  # type: ignore[index]
            mmdd = regions[prefix][kind]  # type: ignore[index]
            return Deadline(_on(nxt, mmdd), f"regional rule for {prefix}: {KIND_NAMES.get(kind, kind)} by {mmdd}")
    configured = (kinds or {}).get(kind)
    statute = STATUTE.get(kind, "03-31")
    if configured and configured != statute:
        return Deadline(_on(nxt, configured), f"registry default for {kind}: {configured}")
    if kind == "department":
        return Deadline(_on(nxt, statute), "条例 第49条: 县级以上人民政府部门 by 1月31日")
    if kind == "government":
        return Deadline(_on(nxt, statute), "条例 第49条: 县级以上地方人民政府 by 3月31日")
    return Deadline(_on(nxt, statute), "no statutory date for 乡镇/街道: default 3月31日")
