"""A check returns the open findings it leaves (monitor/upsert.py builds them from its own
reads and writes, not by reading them back): they must equal, field by field, the open
findings of its scope in the database, after every kind of change — new findings, changed
ones, ones found again, resolved ones, a dismissed one, a limited run that keeps the codes
it cannot judge — on SQLite and PostgreSQL, in one process and in worker processes (whose
findings are stored task by task as they come, monitor/partition.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from db.models import Finding
from db.schema import open_db
from monitor.check import run_check
from monitor.dismissal import dismiss_findings
from tests.monitor.memo_cases import AS_OF, generated, reparse_in_place

FIELDS = ("id", "key", "agency_id", "year", "code", "severity", "message", "evidence", "status", "first_seen",
          "last_seen", "resolved_at", "dismissed_reason")


def _rows(found: list[Any]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(f, k) for k in FIELDS) for f in found]


def _open_in_db(s, agencies: list[str] | None = None, years: list[int] | None = None) -> list[tuple[Any, ...]]:
    q = select(Finding).where(Finding.status == "open")
    if agencies:
        q = q.where(Finding.agency_id.in_(agencies))
    if years:
        q = q.where(Finding.year.in_(years))
    return _rows(sorted(s.scalars(q), key=lambda x: (x.agency_id, x.year, x.code, x.key)))


@pytest.mark.parametrize("processes", [1, 3])
def test_the_returned_findings_are_the_stored_ones(db_url: str, processes: int, monkeypatch) -> None:
    from monitor import partition

    monkeypatch.setattr(partition, "MIN_PER_PROCESS", 1)
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:  # every finding new
        assert partition.processes_for(s, processes, 30) == (processes if db_url.startswith("postgresql") else 1)
        found, _ = run_check(s, AS_OF, processes=processes)
        s.commit()
        assert len(found) > 20
        assert _rows(found) == _open_in_db(s)
    with factory() as s:  # found again: last_seen moves, nothing else
        again, _ = run_check(s, AS_OF, processes=processes)
        s.commit()
        assert _rows(again) == _open_in_db(s)
        assert [r[:10] for r in _rows(again)] == [r[:10] for r in _rows(found)]
        assert all(a.last_seen > b.last_seen for a, b in zip(again, found, strict=True))
    with factory() as s:  # one dismissed, one report changed (a finding changes, one resolves, one is new)
        first = again[0]
        dismiss_findings(s, "测试", key=first.key)
        s.commit()
        reparse_in_place(s, "a00003", 2023)
        stale = Finding(key="a00005|2022|BALANCE|stale", agency_id="a00005", year=2022, code="BALANCE", severity="error",
                        message="不再成立的问题", evidence={}, status="open")  # no rule makes it again: resolved
        s.add(stale)
        s.commit()
    with factory() as s:
        changed, _ = run_check(s, AS_OF, processes=processes)
        s.commit()
        assert _rows(changed) == _open_in_db(s)
        assert first.key not in {f.key for f in changed}
        assert {f.key for f in changed} != {f.key for f in again}  # the change made or resolved something
        assert s.scalar(select(Finding.status).where(Finding.key == stale.key)) == "resolved"
        assert s.scalar(select(Finding.status).where(Finding.key == first.key)) == "dismissed"
        assert stale.key not in {f.key for f in changed}
    with factory() as s:  # a limited run: its agencies and years only, the cross-agency codes kept
        limited, _ = run_check(s, AS_OF, years=[2023], agencies=["a00003", "a00004"])
        s.commit()
        assert limited and _rows(limited) == _open_in_db(s, ["a00003", "a00004"], [2023])
