"""How far the audit list can be trusted on the sample web: truth × product, false accusations.

Truth is what really happened (:func:`sampleweb.sites.true_status`: published on
time, late, missing); product is the audit status the monitor gave.  A *false accusation*
is the one error the audit list must never make (spec/findings.md): an agency-year marked
missing that published, or late that published on time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sampleweb.sites import SampleSite, expected_status, true_status

TRUTHS = ("published", "late", "missing")
PRODUCTS = ("published", "late", "missing", "not_found", "unreachable", "unchecked", "not_due")


@dataclass(slots=True)
class Score:
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)  # (truth, product) -> agency-years
    false_accusations: list[dict[str, Any]] = field(default_factory=list)
    unexpected: list[tuple[str, int, str, str]] = field(default_factory=list)  # (agency, year, expected, product)
    total: int = 0

    @property
    def accuracy(self) -> float:
        """Share of agency-years whose audit status is the truth."""
        return sum(n for (t, p), n in self.matrix.items() if t == p) / self.total if self.total else 0.0

    def table(self) -> list[str]:
        """The matrix as aligned text lines (rows: truth; columns: audit status)."""
        cols = [p for p in PRODUCTS if any(self.matrix[(t, p)] for t in TRUTHS)]
        corner = "实际/审计结论"
        head = f"{corner:<14}" + "".join(f"{p:>12}" for p in cols)
        lines = [head]
        for t in TRUTHS:
            if any(self.matrix[(t, p)] for p in PRODUCTS):
                lines.append(f"{t:<14}" + "".join(f"{self.matrix[(t, p)]:>12}" for p in cols))
        return lines


def is_false_accusation(truth: str, product: str) -> bool:
    return (product == "missing" and truth in ("published", "late")) or (product == "late" and truth == "published")


def score(rows: list[dict[str, Any]], sites: list[SampleSite], phase: int) -> Score:
    """Compare audit rows (``monitor.audit.audit_rows``) with the sample web's truth."""
    by_id = {s.agency_id: s for s in sites}
    out = Score()
    for r in rows:
        site = by_id.get(r["agency"])
        if site is None:
            continue
        truth = true_status(site, r["year"], phase)
        out.matrix[(truth, r["status"])] += 1
        out.total += 1
        if is_false_accusation(truth, r["status"]):
            out.false_accusations.append(r)
        want = expected_status(site, r["year"], phase)
        if want != r["status"]:
            out.unexpected.append((r["agency"], r["year"], want, r["status"]))
    return out
