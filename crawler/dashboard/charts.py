"""Chart geometry for the inline SVG charts (the templates draw them; no JavaScript).

Each segment carries its status, count and a fill pattern as well as a colour, and is
labelled with its symbol and count when wide enough, so the charts read without colour.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from crawler.dashboard.labels import STATUSES

BAR_W = 420  # px of the bar area
ROW_H = 22


def _segments(counts: Counter[str], scale: float, horizontal: bool = True) -> list[dict[str, Any]]:
    out, pos = [], 0.0
    for status in STATUSES:
        n = counts.get(status, 0)
        if not n:
            continue
        size = n * scale
        out.append({"status": status, "count": n, "pos": round(pos, 1), "size": round(size, 1),
                    "label": f"{STATUSES[status][1]}{n}" if size >= 26 else ""})
        pos += size
    return out


def hbars(groups: list[tuple[str, Counter[str]]]) -> dict[str, Any]:
    """Stacked horizontal bars, one per group, on a common scale."""
    biggest = max((sum(c.values()) for _, c in groups), default=0) or 1
    scale = BAR_W / biggest
    bars = [{"label": label, "total": sum(c.values()), "y": i * ROW_H, "segments": _segments(c, scale)}
            for i, (label, c) in enumerate(groups)]
    return {"bars": bars, "height": max(1, len(bars)) * ROW_H + 4, "width": BAR_W}


def trend(years: list[tuple[int, Counter[str]]], height: int = 180) -> dict[str, Any]:
    """One 100 % stacked column per report year, with the on-time share printed above it."""
    cols = []
    for i, (year, c) in enumerate(years):
        total = sum(c.values()) or 1
        segs = _segments(c, height / total, horizontal=False)
        due = total - c.get("not_due", 0) - c.get("unchecked", 0)
        share = round(100 * c.get("published", 0) / due) if due > 0 else None
        cols.append({"year": year, "x": 10 + i * 74, "segments": segs, "share": share, "total": sum(c.values())})
    return {"cols": cols, "height": height, "width": max(1, len(cols)) * 74 + 20}
