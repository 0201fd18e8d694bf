"""The store path's cost per report, in statements: a new report is 5 statements.

Per page CPU of a crawl is mostly SQL statements through the ORM; a new report took 17
(look-ups and savepoints for rows that a document inserted in the same transaction cannot
have yet), 7 after round 4, and 5 since round 5 inserts it by Core with ``ON CONFLICT
DO NOTHING`` instead of a savepoint (db/store_new.py).  The rows stored must be exactly
the same, storing the same report again must still add nothing, and two workers storing
one URL at the same moment still make one document.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select

from db.models import Document, DocumentOwner, DocumentVersion, Evidence
from db.registry import parse_registry, sync_registry
from db.runs import start_run
from db.schema import open_db
from db.store import Fetch, FileStore, Stored, store_fetch

REGISTRY = """
agencies:
  - id: xz
    name: 忻州市人民政府
    kind: government
    site: http://www.sxxz.gov.cn/
"""
URL = "http://www.sxxz.gov.cn/zfxxgk/ndbg/2021/t20210205_1.html"


def _fetch(seen: datetime) -> Fetch:
    return Fetch("xz", URL, b"<html>report</html>", title="忻州市2020年政府信息公开工作年度报告", year=2020,
                 report_agency="忻州市", etag='"abc"', last_modified="Fri, 05 Feb 2021 01:00:00 GMT",
                 report={"signed_date": "2021-02-04"}, parser_version="2", text="正文",
                 evidence=[("meta:PubDate", "2021-02-05"), ("page:date", "2021-02-05")], seen_at=seen)


def test_a_new_report_is_five_statements_and_the_same_rows(db_url: str, tmp_path) -> None:
    factory = open_db(db_url)
    files = FileStore(tmp_path / "files")
    seen = datetime(2021, 2, 6, 2, 0, tzinfo=UTC)
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        run_id = start_run(s).id
        s.commit()
        statements: list[str] = []
        engine = factory.kw["bind"]

        def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
            statements.append(" ".join(statement.split()[:3]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            stored = store_fetch(s, _fetch(seen), files, run_id)
            s.commit()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        # look up the URL, insert the document unless another worker just did (ON CONFLICT: the only
        # row two workers can race on, no savepoint), then its owner, its version and its evidence
        # (one statement, sent once per row by the driver)
        grouped = list(dict.fromkeys(x for x in statements if x.startswith("INSERT INTO evidence")))
        grouped += [x for x in statements if not x.startswith(("INSERT INTO evidence", "BEGIN", "COMMIT"))]
        assert len(grouped) <= 5, statements
        assert not any(x.startswith(("SAVEPOINT", "RELEASE")) for x in statements), statements
        assert stored.new_document and stored.new_version

        doc = s.scalars(select(Document)).one()
        assert (doc.agency_id, doc.kind, doc.title, doc.year, doc.report_agency, doc.host, doc.etag, doc.last_modified,
                doc.last_status, doc.removed_at) == ("xz", "page", "忻州市2020年政府信息公开工作年度报告", 2020, "忻州市",
                                                     "www.sxxz.gov.cn", '"abc"', "Fri, 05 Feb 2021 01:00:00 GMT", 200, None)
        assert doc.first_seen == doc.last_seen == seen
        assert [(o.agency_id, o.first_seen, o.run_id) for o in s.scalars(select(DocumentOwner))] == [("xz", seen, run_id)]
        version = s.scalars(select(DocumentVersion)).one()
        assert (version.parse_status, version.parser_version, version.text, version.size) == ("ok", "2", "正文", 19)
        assert sorted((e.source, e.value, e.run_id, e.observed_at) for e in s.scalars(select(Evidence))) == sorted([
            ("meta:PubDate", "2021-02-05", run_id, seen), ("page:date", "2021-02-05", run_id, seen),
            ("first_seen", "2021-02-06T02:00:00+00:00", run_id, seen), ("http:last-modified", "2021-02-05", run_id, seen),
            ("signed", "2021-02-04", run_id, seen)])

        again = store_fetch(s, _fetch(datetime(2021, 3, 1, tzinfo=UTC)), files, run_id)  # an unchanged recrawl
        s.commit()
        assert not again.new_document and not again.new_version
        assert (s.query(DocumentOwner).count(), s.query(DocumentVersion).count(), s.query(Evidence).count()) == (1, 1, 5)
        assert s.scalars(select(Document)).one().last_seen == datetime(2021, 3, 1, tzinfo=UTC)


def test_two_workers_storing_one_new_url_at_once_make_one_document(db_url: str, tmp_path) -> None:
    """The race ``ON CONFLICT DO NOTHING`` replaces the savepoint for: a second transaction
    inserting the same new URL waits for the first, inserts nothing, and stores its fetch as
    the document seen again (its owner and evidence added, the same version kept)."""
    import threading

    if not db_url.startswith("postgresql"):
        import pytest

        pytest.skip("SQLite has one writer at a time: no two transactions insert at once")
    factory = open_db(db_url)
    files = FileStore(tmp_path / "files")
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY + """
  - id: xz-gov
    name: 忻州市人民政府办公室
    kind: department
    site: http://www.sxxz.gov.cn/
"""))
        run_id = start_run(s).id
        s.commit()
    first, second = _fetch(datetime(2021, 2, 6, 2, 0, tzinfo=UTC)), _fetch(datetime(2021, 2, 6, 3, 0, tzinfo=UTC))
    second.agency_id = "xz-gov"
    second.evidence = [("list:date", "2021-02-05")]
    results: dict[str, Stored] = {}
    a = factory()
    stored_a = store_fetch(a, first, files, run_id)  # inserted, not committed: the second must wait for it

    def other() -> None:
        with factory() as b:
            results["b"] = store_fetch(b, second, files, run_id)
            b.commit()

    t = threading.Thread(target=other)
    t.start()
    t.join(1.0)
    assert t.is_alive()  # blocked on the first transaction's uncommitted row
    a.commit()
    a.close()
    t.join(30)
    stored_b = results["b"]
    assert stored_a.new_document and not stored_b.new_document and not stored_b.new_version
    with factory() as s:
        assert s.query(Document).count() == 1 and s.query(DocumentVersion).count() == 1
        assert sorted(o.agency_id for o in s.scalars(select(DocumentOwner))) == ["xz", "xz-gov"]
        assert ("list:date", "2021-02-05") in {(e.source, e.value) for e in s.scalars(select(Evidence))}
        assert s.scalars(select(Document)).one().last_seen == datetime(2021, 2, 6, 3, 0, tzinfo=UTC)


def test_a_runs_outcomes_are_recorded_with_one_look_up(db_url: str) -> None:
    """The crawl records its agencies' outcomes in batches (every second, and all at its end
    on the reactor thread): their rows are found by one query, not one per agency, and the
    rows are those that recording them one by one gives (a second write replaces the values)."""
    from db.models import AgencyCrawl
    from db.runs import record_agency_crawl, record_agency_crawls

    registry = "agencies:\n" + "".join(f"  - id: a{k}\n    name: 第{k}县教育局\n    kind: department\n"
                                       f"    site: http://a{k}.gov.cn/\n" for k in range(12))
    factory = open_db(db_url)
    with factory() as s:
        sync_registry(s, parse_registry(registry))
        one, batch = start_run(s).id, start_run(s).id
        s.commit()
    first = {f"a{k}": {"outcome": "ok", "pages": k, "proof": {"columns": [k]}, "reports_found": 1} for k in range(6)}
    final = {f"a{k}": {"outcome": "unreachable" if k % 3 else "ok", "pages": k + 1, "proof": {"columns": []},
                       "reason": "超时" if k % 3 else None, "kind_of_reason": "timeout"} for k in range(12)}
    with factory() as s:
        for outcomes in (first, final):
            for aid, values in outcomes.items():
                record_agency_crawl(s, one, aid, **dict(values))
            s.commit()
        statements: list[str] = []
        engine = factory.kw["bind"]

        def count(conn, cursor, statement, *args) -> None:  # noqa: ANN001 - SQLAlchemy's event signature
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            for outcomes in (first, final):
                record_agency_crawls(s, batch, outcomes)
                s.commit()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert sum(x.lstrip().upper().startswith("SELECT") for x in statements) == 2, statements

        def rows(run_id: int) -> list[tuple]:
            return sorted((r.agency_id, r.outcome, r.pages, r.reason, r.reports_found, r.proof)
                          for r in s.scalars(select(AgencyCrawl).where(AgencyCrawl.run_id == run_id)))

        assert rows(batch) == rows(one) and len(rows(one)) == 12
