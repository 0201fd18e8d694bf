"""Beijing time and the one rule for a report's displayed publication date.

Both ``nianbao reports`` (:mod:`db.store`) and the monitor's verdicts (``check``, ``audit``)
show the date chosen here, so they never disagree.  It lives in ``db/`` because ``db``
must not import ``monitor``; the monitor imports it.

The rule (spec/findings.md, "Dates that disagree"): every independent displayed source
votes with its earliest date — the URL's creation stamp, the page's 发布时间, the column
list's date, the signed date (落款) and the page's ``PubDate`` meta.  The date most sources
support (within :data:`AGREE_DAYS` of each other) is taken; a tie goes to the earliest
group (benefit of the doubt).  ``http:last-modified`` is weak: it decides only when no
displayed date exists.  When displayed dates differ by more than :data:`AGREE_DAYS`, the
choice is a *conflict*, listed with every date, the one taken and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
# independent displayed sources; the order only picks the representative of a group
DISPLAYED = ("meta:PubDate", "page:date", "url", "list:date", "signed")
WEAK = ("http:last-modified",)
# a source recorded under another name that is still that displayed source: ingestion marks
# a PubDate it suspects a CMS migration reset; it still votes here (and is outvoted), so
# DATE_CONFLICT lists it rather than hiding it
ALIASES = {"meta:PubDate-migrated": "meta:PubDate"}
AGREE_DAYS = 7
SOURCE_NAMES = {"first_seen": "首次发现时间", "meta:PubDate": "网页发布时间标记", "page:date": "页面显示的发布时间",
                "url": "网址中的日期", "list:date": "栏目列表日期", "signed": "落款日期", "http:last-modified": "服务器修改时间",
                "ingest": "人工导入日期"}


@dataclass(frozen=True, slots=True)
class DateChoice:
    """The publication date taken, its source, every date seen, and whether they conflict."""

    day: date
    source: str
    dates: dict[str, str] = field(default_factory=dict)  # source -> ISO date (earliest per source)
    supporters: tuple[str, ...] = ()
    conflict: bool = False
    why: str = ""

    def evidence(self) -> dict[str, object]:
        return {"dates": dict(self.dates), "taken": self.day.isoformat(), "taken_source": self.source,
                "supported_by": list(self.supporters), "why": self.why}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        return None


def publication_date(evidence: list[tuple[str, str]]) -> DateChoice | None:
    """The displayed publication date from (source, value) pairs; None without any date."""
    earliest: dict[str, date] = {}
    for source, value in evidence:
        source = ALIASES.get(source, source)
        if source in DISPLAYED or source in WEAK:
            d = _day(value)
            if d is not None and (source not in earliest or d < earliest[source]):
                earliest[source] = d
    shown = {s: earliest[s] for s in DISPLAYED if s in earliest}
    dates = {s: d.isoformat() for s, d in earliest.items()}
    if not shown:
        weak = next((s for s in WEAK if s in earliest), None)
        if weak is None:
            return None
        return DateChoice(earliest[weak], weak, dates, (weak,), False, f"仅有{SOURCE_NAMES[weak]}")
    groups = []
    for anchor in sorted(set(shown.values())):
        members = tuple(s for s in DISPLAYED if s in shown and abs((shown[s] - anchor).days) <= AGREE_DAYS)
        groups.append((len(members), -anchor.toordinal(), members))
    support, _, best = max(groups)
    tied = len({m for n, _, m in groups if n == support}) > 1
    source = best[0]
    conflict = (max(shown.values()) - min(shown.values())).days > AGREE_DAYS
    names = "、".join(SOURCE_NAMES[s] for s in best)
    if not conflict:
        why = f"各来源一致（{names}）"
    else:
        outliers = "、".join(f"{SOURCE_NAMES[s]}{shown[s]}" for s in shown if s not in best)
        why = (f"{len(best)}个独立来源（{names}）相互印证，取{shown[source]}；"
               f"与之不符的{outliers}未予采用")
        if tied:
            why += "（各方支持相当，取较早日期）"
    return DateChoice(shown[source], source, dates, best, conflict, why)
