"""Migrations create the schema (never create_all); storage versions documents and keeps
every piece of date evidence — on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, select

from db.models import Agency, Document, DocumentVersion
from db.registry import parse_registry, sync_registry
from db.schema import current_revision, head_revision, open_db
from db.store import Fetch, FileStore, mark_removed, reports, store_fetch

REGISTRY = """
agencies:
  - id: xinzhou-kjj
    name: 忻州市科学技术局
    kind: department
    region: "140900"
    parent: xinzhou
    site: http://kjj.sxxz.gov.cn/
  - id: xinzhou
    name: 忻州市人民政府
    kind: government
    site: http://www.sxxz.gov.cn/
"""


def _seen(day: int) -> datetime:
    return datetime(2021, 2, day, 2, 0, tzinfo=UTC)


def test_migrations_build_the_schema(db_url: str) -> None:
    factory = open_db(db_url)
    engine = factory.kw["bind"]
    assert current_revision(engine) == head_revision() == "0012"
    tables = set(inspect(engine).get_table_names())
    assert {"agencies", "crawl_runs", "agency_crawls", "documents", "document_versions", "evidence",
            "findings", "settings", "alembic_version"} <= tables
    open_db(db_url)  # idempotent
    assert current_revision(engine) == head_revision()


def test_registry_sync(db_url: str) -> None:
    factory = open_db(db_url)
    with factory() as s:
        counts = sync_registry(s, parse_registry(REGISTRY))
        s.commit()
        assert counts == {"added": 2, "updated": 0, "deactivated": 0}
        assert s.get(Agency, "xinzhou-kjj").hosts == ["kjj.sxxz.gov.cn"]
    smaller = REGISTRY.split("  - id: xinzhou\n")[0].replace("    parent: xinzhou\n", "")
    with factory() as s:
        counts = sync_registry(s, parse_registry(smaller))
        s.commit()
        assert counts == {"added": 0, "updated": 1, "deactivated": 1}
        assert s.get(Agency, "xinzhou").active is False


def test_versions_and_evidence(db_url: str, tmp_path: Path) -> None:
    factory = open_db(db_url)
    files = FileStore(tmp_path / "files")
    url = "http://kjj.sxxz.gov.cn/zfxxgk/ndbg/202102/t20210205_1.html"
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        first = store_fetch(s, Fetch("xinzhou-kjj", url, b"<html>v1</html>", title="忻州市科学技术局2020年度政府信息公开年度报告",
                                     year=2020, seen_at=_seen(6), last_modified="Fri, 05 Feb 2021 02:00:00 GMT",
                                     evidence=[("meta:PubDate", "2021-02-05"), ("url", "2021-02-05")],
                                     report={"signed_date": "2021-02-05", "format": "2019", "tables": {"requests": {}}}),
                           files, None)
        same = store_fetch(s, Fetch("xinzhou-kjj", url, b"<html>v1</html>", seen_at=_seen(8)), files, None)
        edited = store_fetch(s, Fetch("xinzhou-kjj", url, b"<html>v2</html>", seen_at=_seen(9),
                                      report={"format": "2019", "tables": {}}), files, None)
        s.commit()
        assert first.new_document and first.new_version
        assert not same.new_document and not same.new_version
        assert edited.new_version and not edited.new_document
        doc = s.scalar(select(Document).where(Document.url == url))
        assert [v.size for v in doc.versions] == [15, 15]  # both contents kept
        assert doc.first_seen == _seen(6)
        sources = {(e.source, e.value) for e in doc.evidence}
        assert ("first_seen", "2021-02-06T02:00:00+00:00") in sources
        assert {("meta:PubDate", "2021-02-05"), ("url", "2021-02-05"), ("signed", "2021-02-05"),
                ("http:last-modified", "2021-02-05")} <= sources
        assert (tmp_path / "files" / first.version.stored_path).read_bytes() == b"<html>v1</html>"
        out = reports(s)
        assert out[0]["published"] == {"date": "2021-02-05", "source": "meta:PubDate"}
        assert out[0]["first_seen"] == "2021-02-06T10:00:00+08:00"
        assert out[0]["versions"] == 2 and out[0]["format"] == "2019"
        mark_removed(s, doc, "404", _seen(20))
        s.commit()
        assert reports(s)[0]["removed"] == "2021-02-20T02:00:00+00:00"
        assert s.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id).limit(1)) is not None


def test_models_and_migrations_agree(db_url: str) -> None:
    """Every model change comes with its migration (what `alembic check` verifies)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from db.models import Base

    engine = open_db(db_url).kw["bind"]
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    assert diff == []
