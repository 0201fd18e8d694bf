"""Cell-by-cell scoring of a parse against the truth: right, wrong (non-null and not the
truth) and null.  A wrong value is the failure that matters (a false finding, a number
someone quotes); a null is an honest "could not place it"."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.parsing.truth import expected_from_truth

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TABLES = ("active", "requests", "appeals")


def load_truth(ref: str) -> dict[str, dict[str, dict[str, Any]]]:
    """Table -> row -> column -> true value, from a truth.json or an expected.json."""
    data = json.loads((FIXTURES / ref).read_text(encoding="utf-8"))
    if "table3" in data:
        exp = expected_from_truth(data)
        return {"active": exp["active"]["rows"], "requests": exp["requests"]["rows"], "appeals": exp["appeals"] or {}}
    tables = data["tables"]
    return {"active": (tables["active"] or {}).get("rows", {}), "requests": (tables["requests"] or {}).get("rows", {}),
            "appeals": tables["appeals"] or {}}


def parsed_tables(report_json: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    t = report_json["tables"]
    return {"active": (t["active"] or {}).get("rows", {}), "requests": (t["requests"] or {}).get("rows", {}),
            "appeals": t["appeals"] or {}}


@dataclass
class Score:
    right: int = 0
    total: int = 0
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.right += other.right
        self.total += other.total
        self.wrong.extend(other.wrong)


def score(name: str, truth: dict[str, Any], got: dict[str, Any]) -> Score:
    s = Score()
    for table in TABLES:
        t_rows, g_rows = truth.get(table, {}), got.get(table, {})
        for row, cols in t_rows.items():
            for col, want in cols.items():
                have = (g_rows.get(row) or {}).get(col)
                s.total += 1
                if have == want:
                    s.right += 1
                elif have is not None:
                    s.wrong.append(f"{name}: {table}.{row}.{col} = {have!r}, truth {want!r}")
        for row, cols in g_rows.items():
            for col, have in (cols or {}).items():
                if have is not None and col not in t_rows.get(row, {}):
                    s.wrong.append(f"{name}: {table}.{row}.{col} = {have!r}, not in the truth")
    return s
