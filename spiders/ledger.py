"""The spider's bookkeeping of one agency during a crawl, and the outcome it yields.

One :class:`Ledger` per agency holds what the crawl tried (URLs with their status or
error), what went wrong, the columns it rooted, the reports it found, what blocked it,
the explorer's pages and budget, and the requests still outstanding.  It is written on
the reactor thread only (the spider's callbacks and the signals it listens to), and
:meth:`Ledger.outcome` turns it, with the crawl's columns, into the per-agency record
(``outcome``, ``reason``, ``proof``) the store writes.

An agency is ``ok`` when a page of it was read and none of its report columns failed
outright: a column that answered nothing but errors (HTTP 503 on every retry, a
timeout) is a broken column, not an empty one, so the outcome is ``unreachable`` with
the column named, and nothing is concluded from it (issue 16 item 7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spiders.proof import Column, agency_proof

MAX_URLS_KEPT = 50


@dataclass(slots=True)
class Ledger:
    ok_pages: int = 0
    urls_tried: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    reports: set[str] = field(default_factory=set)
    blocked: list[dict[str, Any]] = field(default_factory=list)
    explored: int = 0
    budget_hit: bool = False
    roots: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    pending: int = 0
    done: bool = False

    def tried(self, url: str, status: int | None = None, error: str | None = None) -> None:
        self.urls_tried.append({"url": url, "status": status} if error is None else {"url": url, "error": error})

    def error(self, url: str, why: str) -> None:
        self.errors.append({"url": url, "error": why})

    def root(self, key: str) -> None:
        if key not in self.roots:
            self.roots.append(key)

    def started(self) -> None:
        self.pending += 1

    def finished(self) -> bool:
        """One request answered; True the first time nothing is outstanding any more."""
        self.pending -= 1
        if self.pending <= 0 and not self.done:
            self.done = True
            return True
        return False

    def my_columns(self, aid: str, columns: dict[str, Column]) -> list[Column]:
        """The columns this agency's proof covers: its roots and their sub-columns."""
        out: list[Column] = []
        seen: set[str] = set()
        stack = [k for k in self.roots] + [c.url for c in columns.values() if aid in c.reached_by]
        while stack:
            key = stack.pop()
            if key in seen or key not in columns:
                continue
            seen.add(key)
            out.append(columns[key])
            stack.extend(columns[key].children)
        return out

    def broken_columns(self, aid: str, columns: dict[str, Column]) -> list[Column]:
        """Columns that failed and showed nothing: broken, not empty."""
        return [c for c in self.my_columns(aid, columns) if c.failed and c.pages_read == 0 and c.outstanding <= 0]

    def reachable(self, columns: dict[str, Column]) -> bool:
        return self.ok_pages > 0 or any(columns[k].pages_read > 0 for k in self.roots if k in columns)

    def complete(self, aid: str, columns: dict[str, Column]) -> bool:
        """Reached, and no report column broken: only then may absence be concluded."""
        return self.reachable(columns) and not self.broken_columns(aid, columns)

    def outcome(self, aid: str, columns: dict[str, Column], budget: int) -> dict[str, Any]:
        """ok or unreachable (with reasons in Chinese), what was tried, and the proof."""
        reachable = self.reachable(columns)
        broken = self.broken_columns(aid, columns) if reachable else []
        reason = None
        if not reachable:
            reason = "；".join(sorted({e["error"] for e in self.errors})) or "没有取得任何页面"
        elif broken:
            reason = "年报栏目无法读取：" + "；".join(
                f"{c.url}（{'、'.join(sorted({f['error'] for f in c.failed}))}）" for c in broken[:5])
        explored = {"pages": self.explored, "budget": budget, "stopped": "budget" if self.budget_hit else "done"}
        return {"outcome": "ok" if reachable and not broken else "unreachable", "reason": reason,
                "blocked": bool(self.blocked) and not reachable,
                "urls_tried": self.urls_tried[:MAX_URLS_KEPT], "columns": list(self.roots),
                "pages": self.ok_pages, "reports_found": len(self.reports),
                "proof": agency_proof(aid, columns, explored, self.blocked)}
