"""Filtering, sorting, paginating and rolling up the snapshot's rows (pure functions).

The same filter drives a page and its export, so "export the current view" is exactly
what the page shows (all pages of it).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from crawler.dashboard.labels import PROBLEM_STATUSES, STATUSES
from crawler.dashboard.snapshot import Snapshot

PAGE_SIZE = 50


@dataclass(slots=True)
class Filter:
    year: int | None = None
    region: str = ""  # region-code prefix
    parent: str = ""
    kind: str = ""
    status: str = ""
    code: str = ""
    severity: str = ""
    state: str = ""  # findings: open | dismissed
    q: str = ""  # agency name or id contains

    @classmethod
    def from_args(cls, args: Any, default_year: int | None = None) -> Filter:
        year = args.get("year", "")
        try:
            y = int(year) if year else default_year
        except ValueError:
            y = default_year
        return cls(year=y, **{k: (args.get(k) or "").strip() for k in
                              ("region", "parent", "kind", "status", "code", "severity", "state", "q")})

    def agency_ok(self, a: dict[str, Any]) -> bool:
        if self.region and not (a.get("region") or "").startswith(self.region):
            return False
        if self.parent and a.get("parent") != self.parent and a.get("id") != self.parent:
            return False
        if self.kind and a.get("kind") != self.kind:
            return False
        return not (self.q and self.q not in a.get("name", "") and self.q not in a.get("id", ""))


def audit_view(snap: Snapshot, f: Filter) -> list[dict[str, Any]]:
    """The audit rows of ``f.year`` that pass the filter (unsorted)."""
    out = []
    for r in snap.by_year.get(f.year or 0, []):
        a = snap.agencies.get(r["agency"]) or {"id": r["agency"], "name": r["name"], "kind": r["kind"],
                                               "region": r["region"], "parent": r["parent"]}
        if not f.agency_ok(a):
            continue
        if f.status and (r["status"] not in PROBLEM_STATUSES if f.status == "problems" else r["status"] != f.status):
            continue
        if f.code and f.code not in snap.codes_by_ay.get((r["agency"], r["year"]), ()):
            continue
        out.append(r)
    return out


_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
SORTS: dict[str, Any] = {
    "agency": lambda r: r["agency"],
    "name": lambda r: r["name"],
    "region": lambda r: (r["region"] or "", r["agency"]),
    "parent": lambda r: (r["parent"] or "", r["agency"]),
    "status": lambda r: (_STATUS_ORDER.get(r["status"], 99), r["agency"]),
    "deadline": lambda r: (r["deadline"] or "", r["agency"]),
    "published": lambda r: (r["published"] or "9999", r["agency"]),
    "days_late": lambda r: (r["days_late"] if r["days_late"] is not None else -1, r["agency"]),
}


def sort_rows(rows: list[dict[str, Any]], key: str, desc: bool) -> list[dict[str, Any]]:
    return sorted(rows, key=SORTS.get(key, SORTS["agency"]), reverse=desc)


@dataclass(slots=True)
class Page:
    items: list[Any]
    number: int
    pages: int
    total: int


def paginate(items: list[Any], page: int, size: int = PAGE_SIZE) -> Page:
    pages = max(1, math.ceil(len(items) / size))
    page = min(max(1, page), pages)
    return Page(items[(page - 1) * size:page * size], page, pages, len(items))


def findings_view(snap: Snapshot, f: Filter, dismissed: set[str]) -> list[dict[str, Any]]:
    out = []
    for d in snap.findings:
        if f.year and d["year"] != f.year:
            continue
        if f.code and d["code"] != f.code:
            continue
        if f.severity and d["severity"] != f.severity:
            continue
        if f.state == "dismissed" and d["key"] not in dismissed:
            continue
        if f.state == "open" and d["key"] in dismissed:
            continue
        a = snap.agencies.get(d["agency"])
        if a is None or not f.agency_ok(a):
            continue
        out.append(d)
    return out


def count_by(rows: list[dict[str, Any]], snap: Snapshot, by: str) -> list[tuple[str, Counter[str]]]:
    """Status counts per region or per parent government, most problems first."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        k = (r["region"] or "") if by == "region" else (r["parent"] or "")
        if by == "parent" and not k:
            continue
        groups[k][r["status"]] += 1
    return sorted(groups.items(), key=lambda kv: (-sum(kv[1][s] for s in PROBLEM_STATUSES), kv[0]))


def matrix_groups(snap: Snapshot, f: Filter) -> list[dict[str, Any]]:
    """Agencies grouped under their parent government (the government first), for the matrix."""
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in snap.agencies.values():
        if f.agency_ok(a):
            children[a["parent"] or ""].append(a)
    groups = []
    leaders = sorted(k for k in children if k)
    for pid in leaders:
        members = sorted(children[pid], key=lambda a: a["id"])
        head = snap.agencies.get(pid)
        if head is not None and f.agency_ok(head):
            members = [head] + members
        groups.append({"parent": pid, "name": snap.parent_name(pid), "agencies": members})
    alone = [a for a in sorted(children.get("", []), key=lambda a: a["id"]) if a["id"] not in children]
    if alone:
        groups.append({"parent": "", "name": "（无上级）", "agencies": alone})
    return groups


def rollup(snap: Snapshot, agencies: list[dict[str, Any]], year: int) -> Counter[str]:
    c: Counter[str] = Counter()
    for a in agencies:
        r = snap.row_index.get((a["id"], year))
        if r is not None:
            c[r["status"]] += 1
    return c


def status_counts_of(rows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(r["status"] for r in rows)
