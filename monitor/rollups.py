"""Status counts of audit rows per region and per parent government: the roll-ups every
audit format prints (kept apart so the renderers need not import :mod:`monitor.audit`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


def rollups(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Status counts per region and per parent government (e.g. a county's departments)."""
    by_region: dict[str, Counter[str]] = defaultdict(Counter)
    by_parent: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        by_region[r["region"] or "(none)"][r["status"]] += 1
        if r["parent"]:
            by_parent[r["parent"]][r["status"]] += 1
    return {"region": {k: dict(v) for k, v in sorted(by_region.items())},
            "parent": {k: dict(v) for k, v in sorted(by_parent.items())}}
