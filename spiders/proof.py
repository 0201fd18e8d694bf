"""Proof of absence (contract 1): what each 年报 column showed, per agency.

A :class:`Column` is kept once per crawl whatever number of agencies reached it (a shared
portal is read once); each agency that reached it records why it took it (``pinned``: a
registry start URL; ``named_on_site``: a link named as the 年报 column on its own site;
``lists_other_years``: the column lists this agency's reports of other years).  A column
proves absence iff it has a ``why``, no failed page, and it was read to the end (exhausted)
or to the total the platform states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Column:
    url: str
    adapter: str = "generic"
    parent: str | None = None
    pages_read: int = 0
    pages_total: int | None = None
    listed_total: int | None = None
    outstanding: int = 0
    truncated: bool = False
    failed: list[dict[str, str]] = field(default_factory=list)
    entry_urls: set[str] = field(default_factory=set)
    reports: dict[str, tuple[str | None, str | None, int | None]] = field(default_factory=dict)  # url -> (aid, organ, year)
    reached_by: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # aid -> (why, detail)
    children: list[str] = field(default_factory=list)

    def reach(self, aid: str, why: str | None, detail: str) -> None:
        old = self.reached_by.get(aid)
        rank = {"pinned": 0, "named_on_site": 1, "lists_other_years": 2, None: 3}
        if old is None or rank[why] < rank[old[0]]:
            self.reached_by[aid] = (why, detail)

    @property
    def exhausted(self) -> bool:
        """Read to its end: no page outstanding, not cut by the page cap, and never fewer
        entries than the platform says the column holds (a list that stops early, e.g. an
        SPA state carrying only its first page, proves nothing about the rest)."""
        short = self.listed_total is not None and len(self.entry_urls) < self.listed_total
        return self.outstanding <= 0 and not self.truncated and not short

    def proof_for(self, aid: str) -> dict[str, Any]:
        why, detail = self.reached_by.get(aid, (None, ""))
        years = sorted({y for a, _, y in self.reports.values() if a == aid and y})
        others = sorted({o or "（未署名）" for a, o, _ in self.reports.values() if a != aid})
        if why is None and years:
            why, detail = "lists_other_years", "栏目列有本机关" + "、".join(str(y) for y in years) + "年度报告"
        return {"url": self.url, "why": why, "why_detail": detail, "adapter": self.adapter,
                "pages_read": self.pages_read, "pages_total": self.pages_total, "exhausted": self.exhausted,
                "listed_total": self.listed_total, "entries": len(self.entry_urls), "failed": list(self.failed),
                "years": years, "other_agencies": others}


def is_complete(col: dict[str, Any]) -> bool:
    """The contract's test of one column's proof."""
    reached_total = col["listed_total"] is not None and col["entries"] >= col["listed_total"]
    return col["why"] is not None and not col["failed"] and (col["exhausted"] or reached_total)


def agency_proof(aid: str, columns: dict[str, Column], explored: dict[str, Any],
                 blocked: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``proof`` of one agency: its columns (sub-columns included), exploration, blocks."""
    mine: list[dict[str, Any]] = []
    seen: set[str] = set()
    stack = [c.url for c in columns.values() if aid in c.reached_by]
    while stack:
        url = stack.pop(0)
        if url in seen or url not in columns:
            continue
        seen.add(url)
        col = columns[url]
        if aid not in col.reached_by and col.parent in seen:
            parent = columns[col.parent].reached_by.get(aid, (None, ""))
            col.reach(aid, parent[0], f"{parent[1]}（子栏目）" if parent[1] else "子栏目")
        mine.append(col.proof_for(aid))
        stack.extend(col.children)
    return {"columns": mine, "explored": dict(explored), "blocked": list(blocked)}
