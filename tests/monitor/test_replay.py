"""Replaying the monitor at past dates: only what was known then counts (``--replay``)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from db.models import AgencyCrawl, CrawlRun, Document, DocumentVersion, Evidence, Finding
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from monitor.check import run_check
from monitor.deadlines import BEIJING

# the column read to its end (contract 1): what makes the crawl of 2025-02-05 prove absence
PROOF = {"columns": [{"url": "http://x.gov.cn/ndbg/", "why": "pinned", "why_detail": "start_urls", "adapter": "generic",
                      "pages_read": 1, "pages_total": 1, "exhausted": True, "listed_total": None, "entries": 3,
                      "failed": [], "years": [2022, 2023], "other_agencies": []}],
         "explored": {"pages": 5, "budget": 200, "stopped": "done"}, "blocked": []}


def _at(d: str) -> datetime:
    return datetime.fromisoformat(d).replace(tzinfo=BEIJING)


def test_a_history_replayed(tmp_path: Path) -> None:
    factory = open_db(f"sqlite:///{tmp_path / 'r.db'}")
    with factory() as s:
        sync_registry(s, parse_registry("agencies:\n  - {id: x, name: 某某局, kind: department, site: 'http://x.gov.cn/'}\n"))
        for day in ("2025-02-05T10:00", "2025-02-10T10:00", "2025-03-01T10:00", "2025-04-01T10:00"):
            run = CrawlRun(started_at=_at(day), finished_at=_at(day), status="done", stats={})
            s.add(run)
            s.flush()
            s.add(AgencyCrawl(run_id=run.id, agency_id="x", outcome="ok", started_at=_at(day), finished_at=_at(day),
                              columns=["http://x.gov.cn/ndbg/"], pages=5, proof=PROOF))
        doc = Document(agency_id="x", kind="page", url="http://x.gov.cn/ndbg/2024.html", year=2024,
                       title="某某局2024年政府信息公开工作年度报告", first_seen=_at("2025-02-10T10:00"),
                       last_seen=_at("2025-03-01T10:00"), removed_at=_at("2025-04-01T10:00"), removed_reason="HTTP 404")
        s.add(doc)
        s.flush()
        report = {"format": "2021", "sections": list("一二三四五六"), "tables": {}, "table_status": {}}
        s.add_all([
            DocumentVersion(document_id=doc.id, sha256="a" * 64, size=1, detected_type="html", parse_status="ok",
                            fetched_at=_at("2025-02-10T10:00"), report=report, text="第一版"),
            DocumentVersion(document_id=doc.id, sha256="b" * 64, size=1, detected_type="html", parse_status="ok",
                            fetched_at=_at("2025-03-01T10:00"), report=report, text="第二版"),
            Evidence(document_id=doc.id, source="first_seen", value="2025-02-10T02:00:00+00:00",
                     observed_at=_at("2025-02-10T10:00")),
            Evidence(document_id=doc.id, source="meta:PubDate", value="2025-01-20", observed_at=_at("2025-02-10T10:00")),
        ])
        s.commit()

        def codes(day: str, replay: bool = True) -> set[str]:
            found, _ = run_check(s, date.fromisoformat(day), years=[2024], replay=replay)
            return {f.code for f in found if f.code in ("MISSING", "LATE", "BACKDATED", "EDITED", "REMOVED")}

        assert codes("2025-02-07") == {"MISSING"}
        assert codes("2025-02-15") == {"LATE", "BACKDATED"}
        assert codes("2025-03-15") == {"LATE", "BACKDATED", "EDITED"}
        assert s.scalar(select(Finding)) is None  # replays store nothing
        assert codes("2025-06-30", replay=False) == {"LATE", "BACKDATED", "EDITED", "REMOVED"}
        late = s.scalar(select(Finding).where(Finding.code == "LATE"))
        assert late.evidence["source"] == "first_seen" and late.evidence["published"] == "2025-02-10"


def test_non_gov_host_and_the_trusted_list(tmp_path: Path) -> None:
    factory = open_db(f"sqlite:///{tmp_path / 'h.db'}")
    base = "agencies:\n  - {id: x, name: 某某局, kind: department, site: 'http://x.gov.cn/'}\n"
    with factory() as s:
        sync_registry(s, parse_registry(base))
        seen = _at("2025-01-20T10:00")
        doc = Document(agency_id="x", kind="page", url="http://mirror.example.com/x-2024.html", year=2024,
                       title="某某局2024年政府信息公开工作年度报告", first_seen=seen, last_seen=seen)
        s.add(doc)
        s.flush()
        s.add(DocumentVersion(document_id=doc.id, sha256="c" * 64, size=1, detected_type="html", parse_status="ok",
                              fetched_at=seen, report={"sections": list("一二三四五六"), "tables": {}}, text=""))
        s.commit()
        found, _ = run_check(s, date(2025, 6, 30), years=[2024], replay=True)
        hosts = [f.evidence for f in found if f.code == "NON_GOV_HOST"]
        assert hosts == [{"hosts": ["mirror.example.com"]}]
        sync_registry(s, parse_registry("defaults:\n  trusted_hosts: [example.com]\n" + base))
        s.commit()
        found, _ = run_check(s, date(2025, 6, 30), years=[2024], replay=True)
        assert not [f for f in found if f.code == "NON_GOV_HOST"]


def test_the_tests_domain_is_trusted_only_by_the_tests_configuration(tmp_path: Path) -> None:
    """``.gov.cn.test`` (the test webs' domain) is not a government domain to the product:
    a registry trusts it through ``defaults.trusted_hosts``, as the test webs' registries do."""
    from sampleweb.sites import demo_sites, registry_yaml

    factory = open_db(f"sqlite:///{tmp_path / 't.db'}")
    base = "agencies:\n  - {id: x, name: 某某局, kind: department, site: 'http://x.gov.cn.test/'}\n"
    with factory() as s:
        sync_registry(s, parse_registry(base))
        seen = _at("2025-01-20T10:00")
        doc = Document(agency_id="x", kind="page", url="http://portal.gov.cn.test/x-2024.html", year=2024,
                       title="某某局2024年政府信息公开工作年度报告", first_seen=seen, last_seen=seen)
        s.add(doc)
        s.flush()
        s.add(DocumentVersion(document_id=doc.id, sha256="d" * 64, size=1, detected_type="html", parse_status="ok",
                              fetched_at=seen, report={"sections": list("一二三四五六"), "tables": {}}, text=""))
        s.commit()
        found, _ = run_check(s, date(2025, 6, 30), years=[2024], replay=True)
        assert [f.evidence for f in found if f.code == "NON_GOV_HOST"] == [{"hosts": ["portal.gov.cn.test"]}]
        sync_registry(s, parse_registry("defaults:\n  trusted_hosts: [gov.cn.test]\n" + base))
        s.commit()
        found, _ = run_check(s, date(2025, 6, 30), years=[2024], replay=True)
        assert not [f for f in found if f.code == "NON_GOV_HOST"]
    assert parse_registry(registry_yaml(demo_sites())).trusted_hosts == ["gov.cn.test"]
