"""The audit list judged against the variety web's truth: the confusion matrix of audit
statuses (truth × product) and the false accusations (spec findings.md, "No accusation
without proof": an agency-year marked missing that published, or late that was on time).

The truth's status of an agency-year comes from its reports' real publication dates and
the statutory deadline of its kind; years the web holds no report for are ``missing``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from db.registry import DEFAULT_DEADLINES
from db.schema import open_db
from monitor import audit
from monitor.check import run_check
from monitor.deadlines import deadline_for
from sampleweb.scoring import is_false_accusation
from varietyweb import truth as web_truth

STATUSES = ("published", "late", "missing", "not_found", "unreachable", "not_due", "unchecked")


@dataclass(slots=True)
class Verdicts:
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    false_accusations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.matrix.values())

    @property
    def accuracy(self) -> float:
        return sum(n for (t, p), n in self.matrix.items() if t == p) / self.total if self.total else 0.0

    def table(self) -> list[str]:
        cols = [s for s in STATUSES if any(p == s for _, p in self.matrix)]
        lines = [f"{'实际/判定':<12}" + "".join(f"{c:>12}" for c in cols)]
        for t in ("published", "late", "missing"):
            lines.append(f"{t:<14}" + "".join(f"{self.matrix[(t, c)]:>12}" for c in cols))
        return lines


def true_statuses() -> dict[tuple[str, int], str]:
    t = web_truth()
    agencies = {a["id"]: a for a in t["agencies"]}
    real: dict[tuple[str, int], str] = {}
    for r in t["reports"] + t["unreachable_reports"]:
        a = agencies[r["agency"]]
        dl = deadline_for(a["kind"], r["year"], region=a.get("region"), kinds=DEFAULT_DEADLINES)
        late = r["published"] > dl.day.isoformat()
        if real.get((r["agency"], r["year"])) != "published":  # an on-time copy wins over a late one
            real[(r["agency"], r["year"])] = "late" if late else "published"
    for x in t["absent"]:
        real.setdefault((x["agency"], x["year"]), "missing")
    return real


def judge(db_url: str, as_of: date) -> Verdicts:
    """Run the monitor (storing nothing) on a crawl of the variety web and score its audit rows."""
    real = true_statuses()
    years = sorted({y for _, y in real})
    with open_db(db_url)() as session:
        _, results = run_check(session, as_of, years=years, replay=True)
    out = Verdicts()
    for row in audit.audit_rows(results):
        key = (row["agency"], row["year"])
        if key not in real:
            continue
        out.matrix[(real[key], row["status"])] += 1
        if is_false_accusation(real[key], row["status"]):
            out.false_accusations.append(row)
    return out
