"""Issue 16 in the database: one document owned by several agencies (migration 0008, on
SQLite and PostgreSQL), one outcome row per run and agency, and runs whose process died
marked killed on the next start."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, func, select, text

from db.models import AgencyCrawl, CrawlRun, DocumentLink, DocumentOwner
from db.registry import parse_registry, sync_registry
from db.runs import mark_dead_runs, process_identity, record_agency_crawl, start_run
from db.schema import alembic_config, open_db
from db.store import Fetch, FileStore, claim_document, reports, store_fetch

REGISTRY = """
agencies:
  - id: xz
    name: 忻州市人民政府
    kind: government
    site: http://www.sxxz.gov.cn/
  - id: xz-kjj
    name: 忻州市科学技术局
    kind: government
    site: http://kjj.sxxz.gov.cn/
"""
URL = "http://www.sxxz.gov.cn/zfxxgk/ndbg/2021/t20210205_1.html"


def test_migration_0008_gives_every_stored_document_its_owner(db_url: str) -> None:
    engine = create_engine(db_url)
    cfg = alembic_config(db_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO agencies (id, name, kind, site, start_urls, hosts, active, updated_at) "
                          "VALUES ('xz', '忻州市人民政府', 'government', 'http://www.sxxz.gov.cn/', '[]', '[]', true, "
                          ":t)"), {"t": datetime(2021, 2, 6, tzinfo=UTC)})
        conn.execute(text("INSERT INTO documents (agency_id, kind, url, first_seen, last_seen) "
                          "VALUES ('xz', 'page', :u, :t, :t)"), {"u": URL, "t": datetime(2021, 2, 6, tzinfo=UTC)})
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT d.url, o.agency_id FROM document_owners o JOIN documents d "
                                 "ON d.id = o.document_id")).all()
    assert [tuple(r) for r in rows] == [(URL, "xz")]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM document_links")).scalar() == 0
    with engine.begin() as conn:  # and back down (batch mode on SQLite)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0007"
    engine.dispose()


def test_one_document_two_owners_stored_once(db_url: str, tmp_path) -> None:
    factory = open_db(db_url)
    files = FileStore(tmp_path / "files")
    seen = datetime(2021, 2, 6, 2, 0, tzinfo=UTC)
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        store_fetch(s, Fetch("xz", URL, b"<html>report</html>", title="2020年政府信息公开工作年度报告", year=2020,
                             seen_at=seen), files, None)
        again = store_fetch(s, Fetch("xz-kjj", URL, b"<html>report</html>", seen_at=seen), files, None)
        assert not again.new_document and not again.new_version
        assert claim_document(s, URL, "xz-kjj", seen) is False  # owned already: one row
        assert claim_document(s, "http://www.sxxz.gov.cn/other.html", "xz-kjj", seen) is None
        s.commit()
        assert sorted(o.agency_id for o in s.scalars(select(DocumentOwner))) == ["xz", "xz-kjj"]
        rows = reports(s)
        assert [(r["agency"], r["year"], r["url"]) for r in rows] == [("xz", 2020, URL), ("xz-kjj", 2020, URL)]
        assert [r["agency"] for r in reports(s, agency="xz-kjj")] == ["xz-kjj"]
    assert len(list((tmp_path / "files").rglob("*.html"))) == 1  # the file once


def test_an_attachment_linked_from_a_second_page_is_its_attachment_too(db_url: str, tmp_path) -> None:
    factory = open_db(db_url)
    files = FileStore(tmp_path / "files")
    seen = datetime(2021, 2, 6, 2, 0, tzinfo=UTC)
    gov, dept, pdf = URL, "http://www.sxxz.gov.cn/kjj/2021/t20210206_2.html", "http://www.sxxz.gov.cn/P0202102.pdf"
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        for aid, page in (("xz", gov), ("xz-kjj", dept)):
            store_fetch(s, Fetch(aid, page, f"<html>{page}</html>".encode(), year=2020, seen_at=seen), files, None)
            store_fetch(s, Fetch(aid, pdf, b"%PDF-1.4 the report", kind="attachment", detected_type="pdf",
                                 parent_url=page, seen_at=seen), files, None)
        store_fetch(s, Fetch("xz-kjj", pdf, b"%PDF-1.4 the report", kind="attachment", detected_type="pdf",
                             parent_url=dept, seen_at=seen), files, None)  # again: one link
        s.commit()
        assert s.scalar(select(func.count()).select_from(DocumentLink)) == 1
        rows = {r["agency"]: r for r in reports(s)}
        assert [a["url"] for a in rows["xz"]["attachments"]] == [a["url"] for a in rows["xz-kjj"]["attachments"]] == [pdf]
    assert len(list((tmp_path / "files").rglob("*.pdf"))) == 1


def test_outcome_recorded_twice_is_one_row(db_url: str) -> None:
    factory = open_db(db_url)
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        run = start_run(s, {})
        record_agency_crawl(s, run.id, "xz", outcome="ok", pages=1, proof={"columns": []})
        s.flush()
        record_agency_crawl(s, run.id, "xz", outcome="store_failed", pages=3, proof={"columns": [], "x": 1})
        s.commit()
        rows = s.scalars(select(AgencyCrawl)).all()
        assert [(r.outcome, r.pages, r.proof["x"]) for r in rows] == [("store_failed", 3, 1)]


def test_a_run_whose_process_died_is_marked_killed(db_url: str) -> None:
    factory = open_db(db_url)
    dead = subprocess.Popen([sys.executable, "-c", "import os; print(os.getpid())"], stdout=subprocess.PIPE, text=True)
    dead_pid = int(dead.communicate()[0])
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        me = process_identity()
        gone = start_run(s, {**me, "pid": dead_pid, "agency_ids": ["xz", "xz-kjj"]})
        reused = start_run(s, {**me, "pid": os.getpid(), "pid_started": "1", "agency_ids": ["xz"]})  # pid reused
        alive = start_run(s, {**me, "agency_ids": ["xz"]})
        elsewhere = start_run(s, {**me, "host": "another-host", "pid": dead_pid})
        rebooted = start_run(s, {**me, "boot": "an-earlier-boot"})  # this pid, before a restart of the machine
        record_agency_crawl(s, gone.id, "xz", outcome="ok")
        s.commit()
        assert sorted(mark_dead_runs(s)) == sorted([gone.id, reused.id, rebooted.id])
        s.commit()
        runs = {r.id: r for r in s.scalars(select(CrawlRun))}
        assert runs[gone.id].status == "killed" and runs[gone.id].finished_at is not None
        assert runs[gone.id].stats["unfinished"] == ["xz-kjj"] and runs[gone.id].stats["finished_agencies"] == 1
        assert runs[alive.id].status == runs[elsewhere.id].status == "running"
        assert s.scalars(select(AgencyCrawl.agency_id).where(AgencyCrawl.run_id == gone.id)).all() == ["xz"]
