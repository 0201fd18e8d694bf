"""Every question the incremental check asks the database is an index lookup: EXPLAINed on
a real PostgreSQL with sequential scans priced out, a table still read whole has no index
for it.  At 100,000 agencies such whole-table reads were what made the check grow with N."""

from __future__ import annotations

from datetime import timedelta

import pytest

import monitor.incremental
from db.schema import open_db
from db.store import store_fetch
from tests.db.conftest import postgres_server  # noqa: F401 - a real PostgreSQL
from tests.distributed.test_incremental import _build, _fetch
from tests.monitor.test_incremental_check import _crawl, _inc


@pytest.fixture(autouse=True)
def _exact_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor.incremental, "MARGIN", timedelta(0))


def _whole_reads(url: str, change) -> dict[str, set[str]]:
    """Run an incremental check after ``change``; EXPLAIN every SELECT it sent, with
    sequential scans priced out: a table still read whole (a sequential scan, or an index
    scan with no index condition) has no index for that question."""
    from sqlalchemy import event

    factory = open_db(url)
    engine = factory.kw["bind"]
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            sent.append((statement, parameters))

    change(factory)
    event.listen(engine, "before_cursor_execute", record)
    try:
        r = _inc(factory)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert r["mode"] == "incremental"

    def whole(node: dict) -> list[str]:
        kind = node["Node Type"]
        found = [node["Relation Name"]] if kind == "Seq Scan" or (
            kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node) else []
        if kind == "Bitmap Index Scan" and "Index Cond" not in node:
            found.append(node["Index Name"])
        return found + [t for child in node.get("Plans", []) for t in whole(child)]

    out: dict[str, set[str]] = {}
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("SET enable_seqscan = off")
        for statement, parameters in sent:
            cur.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            for table in whole(cur.fetchone()[0][0]["Plan"]):
                out.setdefault(table, set()).add(" ".join(statement.split())[:160])
    finally:
        raw.close()
    return out


def test_the_incremental_checks_questions_use_indexes(postgres_server: str) -> None:  # noqa: F811
    """At 100,000 agencies a whole-table read is what made the check grow with N: every
    SELECT it sends must have an index path (a missing index makes this fail: see the end)."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{postgres_server}/{name}"
    try:
        kept = _build(open_db(url), n=6)

        def setup(factory) -> None:
            name1, tables1, text1 = kept[("a001", 2023)]
            with factory() as s:  # a duplicate, so that partners are looked up by both sides
                store_fetch(s, _fetch("a003", "第3号县某某局", 2023, tables1, text1, 1), None)
                s.commit()
            assert _inc(factory)["mode"] == "full"
            _crawl(factory, ["a002", "a004"])  # crawl-only touches
            name3, tables3, text3 = kept[("a003", 2023)]
            with factory() as s:  # a document touch: a003 has its own report again
                store_fetch(s, _fetch("a003", name3, 2023, tables3, text3 + "另附说明。", None), None)
                s.commit()

        assert _whole_reads(url, setup) == {}

        def drop_index(factory) -> None:  # the control: without the other side's index it is a scan
            with factory() as s:
                s.execute(text("DROP INDEX ix_findings_other_agency"))
                s.commit()
            _crawl(factory, ["a001"])
            with factory() as s:
                store_fetch(s, _fetch("a001", "第1号县某某局", 2023, kept[("a001", 2023)][1],
                                      kept[("a001", 2023)][2] + "又及。", None), None)
                s.commit()

        assert "findings" in _whole_reads(url, drop_index)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
