"""The store path's cost per report, in statements (round 4): a new report is 7 statements.

Per page CPU of a crawl is mostly SQL statements through the ORM; before, a new report
took 17 (look-ups and savepoints for rows that a document inserted in the same
transaction cannot have yet).  The rows stored must be exactly the same, and storing the
same report again must still add nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event, select

from db.models import Document, DocumentOwner, DocumentVersion, Evidence
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from db.store import Fetch, FileStore, start_run, store_fetch

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


def test_a_new_report_is_seven_statements_and_the_same_rows(db_url: str, tmp_path) -> None:
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
        # look up the URL, insert the document in a savepoint (the only row two workers can race on),
        # then its owner, its version and its evidence (one multi-row insert on PostgreSQL; SQLite's
        # driver sends a row at a time)
        grouped = list(dict.fromkeys(x for x in statements if x.startswith("INSERT INTO evidence")))
        grouped += [x for x in statements if not x.startswith(("INSERT INTO evidence", "BEGIN", "COMMIT"))]
        assert len(grouped) <= 7, statements
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
