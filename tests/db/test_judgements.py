"""The memoized check (monitor/memo.py, issue 14) on SQLite and PostgreSQL: the same findings
and statuses as a check that judges everything, only new content judged again, a changed
rules fingerprint judging everything again, and a check killed part-way changing nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from db.models import Document, DocumentVersion, Judgement
from db.schema import open_db
from monitor import memo
from monitor.check import run_check
from tests.monitor.memo_cases import AS_OF, generated, outcome, reparse_in_place, stored_findings

ROOT = Path(__file__).resolve().parents[2]


def _count(s) -> int:
    return s.scalar(select(func.count()).select_from(Judgement)) or 0


def _refuse(*_a, **_k):
    raise AssertionError("judged again although the memo holds the result")


@contextlib.contextmanager
def _judging_nothing(monkeypatch) -> Iterator[None]:
    """Within the block, judging a report or a pair fails the test: all must come from the memo."""
    with monkeypatch.context() as m:
        m.setattr(memo, "judge", _refuse)
        m.setattr(memo, "judge_pair", _refuse)
        yield


def test_a_memoized_check_equals_a_cold_one_and_judges_nothing_again(db_url: str, monkeypatch) -> None:
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:
        cold = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        rows = _count(s)
        assert rows > 100
    with factory() as s, _judging_nothing(monkeypatch):
        warm = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        assert _count(s) == rows
    assert warm == cold
    codes = {d[0] for r in cold[0] for d in r[-1]}
    assert {"EDITED", "WRONG_DOCUMENT", "DUPLICATE_CONTENT", "BALANCE", "LATE", "NOT_FOUND"} <= codes


def test_new_or_reparsed_content_is_judged_again(db_url: str) -> None:
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:
        run_check(s, AS_OF)
        s.commit()
        # a version re-parsed in place (nianbao reparse): same version, other report
        reparse_in_place(s, "a00002", 2022)
        s.commit()
    judged: list[tuple[str, int]] = []
    real = memo.judge

    def counting(name, year, doc):
        judged.append((doc.agency_id, year))
        return real(name, year, doc)

    with factory() as s:
        memo.judge = counting
        try:
            found, _ = run_check(s, AS_OF)
        finally:
            memo.judge = real
        s.commit()
    assert judged == [("a00002", 2022)]
    assert "a00002|2022|APPEAL_TOTAL|review" in {f.key for f in found}
    with factory() as s:  # changed again within the transaction of the check that judged it
        run_check(s, AS_OF)
        reparse_in_place(s, "a00002", 2022, review_total=998)
        found, _ = run_check(s, AS_OF)
        s.commit()
    review = next(f for f in found if f.key == "a00002|2022|APPEAL_TOTAL|review")
    assert review.evidence["total"] == 998


def test_a_changed_rules_fingerprint_judges_everything_again(db_url: str, monkeypatch) -> None:
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:
        before = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        rows = _count(s)
    calls = []
    real = memo.judge
    monkeypatch.setattr(memo, "rules_fingerprint", lambda: "f" * 16)
    monkeypatch.setattr(memo, "judge", lambda *a: calls.append(a) or real(*a))
    with factory() as s:
        after = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        assert set(s.scalars(select(Judgement.rules))) == {"f" * 16}  # the old rules' results are gone
        assert _count(s) == rows
    assert len(calls) > 100  # every page judged again (30 agencies x 4 years, some missing)
    assert after == before


def test_the_fingerprint_follows_the_rules_source(tmp_path: Path) -> None:
    closure = memo.source_closure(["monitor.memo"])
    assert {"monitor.rules", "monitor.across", "monitor.registry", "monitor.load", "monitor.findings",
            "monitor.exports.labels", "parsing.model", "parsing.labels"} <= set(closure)
    changed = tmp_path / "rules.py"
    changed.write_bytes(closure["monitor.rules"].read_bytes() + b"\n# one more line\n")
    assert memo.fingerprint_of({**closure, "monitor.rules": changed}) != memo.fingerprint_of(closure)
    assert memo.fingerprint_of(closure) == memo.rules_fingerprint()
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def f():\n    from monitor import rules\n    import parsing.model\n")
    assert memo._imported("x.lazy", lazy) >= {"monitor.rules", "parsing.model"}


_KILLED = """
import os, signal, sys
from monitor import check, upsert
from db.schema import open_db
from tests.monitor.memo_cases import AS_OF
real = upsert.store
def store(session, *a, **k):
    real(session, *a, **k)
    session.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # findings and judgements written, not committed
upsert.store = store
with open_db(sys.argv[1])() as s:
    check.run_check(s, AS_OF)
    s.commit()
"""


def test_a_killed_check_leaves_the_database_as_it_was(db_url: str) -> None:
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:
        run_check(s, AS_OF)
        s.commit()
        s.execute(delete(Judgement).where(Judgement.key.in_(select(Judgement.key).limit(40))))
        doc = s.scalar(select(Document).where(Document.agency_id == "a00004", Document.year == 2024))
        s.execute(update(DocumentVersion).where(DocumentVersion.document_id == doc.id).values(report=None))
        s.commit()
        findings, rows = stored_findings(s), _count(s)
    proc = subprocess.run([sys.executable, "-c", _KILLED, db_url], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with factory() as s:
        assert stored_findings(s) == findings and _count(s) == rows
        resumed = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        s.execute(delete(Judgement))
        s.commit()
    with factory() as s:
        assert outcome(*reversed(run_check(s, AS_OF))) == resumed  # the same as judging everything
        assert any(f[1] == "WRONG_DOCUMENT" and f[0].startswith("a00004|2024") for f in resumed[1])


@pytest.fixture(autouse=True)
def _fresh_fingerprint():
    memo.rules_fingerprint.cache_clear()
    yield
    memo.rules_fingerprint.cache_clear()


def test_a_partitioned_check_equals_one_process(db_url: str, monkeypatch) -> None:
    """Worker processes (monitor/partition.py), cold and warm, give exactly what one process gives."""
    from monitor import partition

    generated(db_url)
    monkeypatch.setattr(partition, "MIN_PER_PROCESS", 1)
    factory = open_db(db_url)
    with factory() as s:
        one = outcome(*reversed(run_check(s, AS_OF, processes=1)))
        s.commit()
        s.execute(delete(Judgement))
        s.commit()
    for n in (3, 2):  # cold (the memo emptied above), then warm
        with factory() as s:
            assert partition.processes_for(s, n, 30) == (n if db_url.startswith("postgresql") else 1)
            assert outcome(*reversed(run_check(s, AS_OF, processes=n))) == one
            s.commit()
    with factory() as s:
        assert _count(s) > 100


def test_a_check_in_a_transaction_that_wrote_sees_its_writes(db_url: str, monkeypatch) -> None:
    """Workers read a snapshot without the caller's uncommitted writes: such a check keeps one process."""
    from monitor import partition

    generated(db_url)
    monkeypatch.setattr(partition, "MIN_PER_PROCESS", 1)
    with open_db(db_url)() as s:
        assert partition.processes_for(s, 3, 30) == (3 if db_url.startswith("postgresql") else 1)
        doc = s.scalar(select(Document).where(Document.agency_id == "a00006", Document.year == 2024))
        s.execute(update(DocumentVersion).where(DocumentVersion.document_id == doc.id).values(report=None))
        assert partition.processes_for(s, 3, 30) == 1
        found, _ = run_check(s, AS_OF, processes=3)
        assert "a00006|2024|WRONG_DOCUMENT|" in {f.key for f in found}


def test_judgements_are_read_by_agency_and_old_rows_by_key(db_url: str, monkeypatch) -> None:
    """Each judgement is stored with the agency whose check made it and read back by agency
    (migration 0012); a row stored before that (no agency) is still found, by its key."""
    generated(db_url)
    factory = open_db(db_url)
    with factory() as s:
        cold = outcome(*reversed(run_check(s, AS_OF)))
        s.commit()
        assert s.scalar(select(func.count()).select_from(Judgement).where(Judgement.agency_id.is_(None))) == 0
        by_key = []
        real = memo.lookup
        monkeypatch.setattr(memo, "lookup", lambda session, keys: by_key.append(list(keys)) or real(session, by_key[-1]))
        with _judging_nothing(monkeypatch):
            assert outcome(*reversed(run_check(s, AS_OF))) == cold
        s.commit()
        assert not any(by_key), "a warm check probed keys one by one although it had read them by agency"
        s.execute(update(Judgement).values(agency_id=None))  # as stored before migration 0012
        s.commit()
        with _judging_nothing(monkeypatch):
            assert outcome(*reversed(run_check(s, AS_OF))) == cold
        assert sum(len(k) for k in by_key) == _count(s)  # every one found by its key
