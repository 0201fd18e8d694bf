"""Verdicts an auditor can sign (spec/findings.md, "No accusation without proof"): one test per rule.

The crawl rows carry the proof JSON of COMMON.md contract 1 directly, as the pipeline
stores it from the spider's outcomes.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db.models import AgencyCrawl, CrawlRun, Document, DocumentVersion, Evidence, Finding
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from db.store import reports
from monitor import audit
from monitor.check import run_check
from monitor.deadlines import BEIJING

REGISTRY = """agencies:
  - {id: x, name: 某某县科技局, kind: department, site: 'http://x.gov.cn/', since: 2024}
"""
COLUMN = "http://x.gov.cn/ndbg/"


def _at(d: str) -> datetime:
    return datetime.fromisoformat(d).replace(tzinfo=BEIJING)


def _column(**over: Any) -> dict[str, Any]:
    col = {"url": COLUMN, "why": "lists_other_years", "why_detail": "列有2022、2023年报告", "adapter": "generic",
           "pages_read": 4, "pages_total": 4, "exhausted": True, "listed_total": None, "entries": 11,
           "failed": [], "years": [2022, 2023], "other_agencies": []}
    col.update(over)
    return col


def _proof(*columns: dict[str, Any], stopped: str = "done") -> dict[str, Any]:
    return {"columns": list(columns), "explored": {"pages": 40, "budget": 300, "stopped": stopped}, "blocked": []}


@pytest.fixture
def db(tmp_path: Path):
    factory = open_db(f"sqlite:///{tmp_path / 'v.db'}")
    with factory() as s:
        sync_registry(s, parse_registry(REGISTRY))
        s.commit()
        yield s


def _crawl(s, day: str, proof: dict[str, Any] | None, outcome: str = "ok", agency: str = "x") -> None:
    run = CrawlRun(started_at=_at(day), finished_at=_at(day), status="done", stats={})
    s.add(run)
    s.flush()
    s.add(AgencyCrawl(run_id=run.id, agency_id=agency, outcome=outcome, started_at=_at(day), finished_at=_at(day),
                      columns=[COLUMN] if outcome == "ok" else [], pages=40 if outcome == "ok" else 0, proof=proof,
                      reason=None if outcome == "ok" else "HTTP 502"))
    s.flush()


def _doc(s, url: str, year: int, seen: str, report: dict[str, Any], evidence: list[tuple[str, str]],
         agency: str = "x", text: str = "正文") -> Document:
    doc = Document(agency_id=agency, kind="page", url=url, year=year, title=f"{year}年政府信息公开工作年度报告",
                   first_seen=_at(seen), last_seen=_at(seen))
    s.add(doc)
    s.flush()
    s.add(DocumentVersion(document_id=doc.id, sha256=url.encode().hex()[:64].ljust(64, "0"), size=1, detected_type="html",
                          parse_status="ok", fetched_at=_at(seen), report=report, text=text))
    for source, value in [("first_seen", _at(seen).isoformat()), *evidence]:
        s.add(Evidence(document_id=doc.id, source=source, value=value, observed_at=_at(seen)))
    s.flush()
    return doc


REPORT = {"format": "2021", "sections": list("一二三四五六"), "tables": {}, "table_status": {}}


def _row(s, day: str = "2025-06-30", year: int = 2024) -> dict[str, Any]:
    _, results = run_check(s, date.fromisoformat(day), years=[year], replay=True)
    [row] = audit.audit_rows(results)
    return row


def _codes(s, day: str = "2025-06-30", year: int = 2024) -> set[str]:
    found, _ = run_check(s, date.fromisoformat(day), years=[year], replay=True)
    return {f.code for f in found}


# ---------------------------------------------------------------- proof of absence
def test_column_read_to_its_end_without_the_report_is_missing(db) -> None:
    _crawl(db, "2025-03-10T10:00", _proof(_column()))
    row = _row(db)
    assert row["status"] == "missing" and row["status_cn"] == "未发布"
    assert row["evidence"]["column"]["url"] == COLUMN and row["evidence"]["column"]["years"] == [2022, 2023]
    assert "已读完本机关年报栏目" in row["evidence"]["proof"] and "没有2024年报告" in row["evidence"]["proof"]
    assert _codes(db) == {"MISSING"}


def test_listed_total_reached_is_a_complete_proof_too(db) -> None:
    _crawl(db, "2025-03-10T10:00", _proof(_column(exhausted=False, pages_total=None, listed_total=11, entries=11)))
    assert _row(db)["status"] == "missing"


def test_the_same_column_with_page_3_failing_is_not_found(db) -> None:
    page3 = COLUMN + "?page=3"
    _crawl(db, "2025-03-10T10:00", _proof(_column(failed=[{"url": page3, "error": "HTTP 500"}], exhausted=False, pages_read=2)))
    row = _row(db)
    assert row["status"] == "not_found" and row["status_cn"] == "未找到，待核实"
    assert page3 in row["reason"] and "HTTP 500" in row["reason"] and "读取失败" in row["reason"]
    assert "翻页未读完" in row["reason"]
    assert _codes(db) == {"NOT_FOUND"}


def test_no_column_found_is_not_found(db) -> None:
    _crawl(db, "2025-03-10T10:00", _proof(stopped="budget"))
    row = _row(db)
    assert row["status"] == "not_found"
    assert row["reason"].startswith("未找到本机关的年报栏目") and "共浏览40个页面" in row["reason"]


def test_only_another_agencys_column_is_not_found(db) -> None:
    other = _column(url="http://x.gov.cn/xzf/ndbg/", why=None, years=[], other_agencies=["某某县人民政府"])
    _crawl(db, "2025-03-10T10:00", _proof(other))
    row = _row(db)
    assert row["status"] == "not_found"
    assert "只列出其他机关的年报（某某县人民政府）" in row["reason"]


def test_a_column_not_shown_to_be_the_agencys_is_not_proof(db) -> None:
    _crawl(db, "2025-03-10T10:00", _proof(_column(why=None, years=[])))
    row = _row(db)
    assert row["status"] == "not_found" and "未能证明是本机关的年报栏目" in row["reason"]


def test_a_crawl_without_proof_is_not_proof(db) -> None:
    _crawl(db, "2025-03-10T10:00", None)  # an older crawl row, from before proofs were recorded
    row = _row(db)
    assert row["status"] == "not_found" and "未记录栏目证明" in row["reason"]


def test_an_unreachable_site_stays_unreachable(db) -> None:
    blocked = {"columns": [], "explored": {"pages": 0, "budget": 300, "stopped": "done"},
               "blocked": [{"url": "http://x.gov.cn/", "status": 412, "evidence": "JS challenge (HTTP 412)"}]}
    _crawl(db, "2025-03-10T10:00", blocked, outcome="unreachable")
    row = _row(db)
    assert row["status"] == "unreachable" and row["evidence"]["blocked"][0]["status"] == 412


def test_a_late_first_seen_needs_the_earlier_crawl_to_have_proved_absence(db) -> None:
    _crawl(db, "2025-02-10T10:00", _proof(_column(failed=[{"url": COLUMN + "?page=2", "error": "timeout"}])))
    _doc(db, "http://x.gov.cn/ndbg/2024.html", 2024, "2025-03-01T10:00", REPORT, [("page:date", "2025-01-20")])
    assert _row(db)["status"] == "published"  # the crawl that missed it had not read the column: no proof of lateness
    _crawl(db, "2025-02-20T10:00", _proof(_column()))
    row = _row(db)
    assert row["status"] == "late" and row["source"] == "first_seen" and row["published"] == "2025-03-01"
    assert {"LATE", "BACKDATED"} <= _codes(db)


# ---------------------------------------------------------------- dates that disagree
def test_a_migration_reset_pubdate_is_on_time_with_date_conflict(db) -> None:
    evidence = [("url", "2024-01-22"), ("page:date", "2024-01-22"), ("list:date", "2024-01-22"), ("signed", "2024-01-22"),
                ("meta:PubDate", "2025-05-10")]
    _doc(db, "http://x.gov.cn/ndbg/202401/t20240122_1.html", 2023, "2025-06-01T10:00", REPORT, evidence)
    db.commit()
    row = _row(db, year=2023)
    assert row["status"] == "published" and row["published"] == "2024-01-22" and row["days_late"] == 0
    found, _ = run_check(db, date(2025, 6, 30), years=[2023], replay=True)
    [conflict] = [f for f in found if f.code == "DATE_CONFLICT"]
    assert conflict.severity == "warning" and "LATE" not in {f.code for f in found}
    assert conflict.evidence["dates"]["meta:PubDate"] == "2025-05-10" and conflict.evidence["taken"] == "2024-01-22"
    assert set(conflict.evidence["supported_by"]) == {"url", "page:date", "list:date", "signed"}
    assert "网页发布时间标记2025-05-10" in conflict.message and "未予采用" in conflict.message
    # `nianbao reports` shows the date the verdict judged: one rule for both
    [stored] = reports(db, "x", 2023)
    assert stored["published"]["date"] == row["published"] and stored["published"]["source"] == row["source"]


def test_dates_that_agree_raise_nothing(db) -> None:
    _doc(db, "http://x.gov.cn/ndbg/a.html", 2023, "2025-06-01T10:00", REPORT,
         [("meta:PubDate", "2024-01-25"), ("page:date", "2024-01-22"), ("http:last-modified", "2025-05-01")])
    row = _row(db, year=2023)
    assert row["status"] == "published" and row["source"] == "meta:PubDate"
    assert "DATE_CONFLICT" not in _codes(db, year=2023)


def test_lateness_follows_what_the_remaining_evidence_says(db) -> None:
    _doc(db, "http://x.gov.cn/ndbg/b.html", 2023, "2025-06-01T10:00", REPORT,
         [("meta:PubDate", "2024-03-02"), ("page:date", "2024-03-02"), ("url", "2024-03-01"), ("signed", "2023-12-30")])
    row = _row(db, year=2023)
    assert row["status"] == "late" and row["published"] == "2024-03-02"
    assert {"LATE", "DATE_CONFLICT"} <= _codes(db, year=2023)


# ---------------------------------------------------------------- a page is not a report until it parses as one
def test_wrong_document_makes_the_year_not_found(db) -> None:
    letter = {"format": "none", "sections": [], "tables": {}, "table_status": {}}
    _doc(db, "http://x.gov.cn/ndbg/2024.html", 2024, "2025-01-20T10:00", letter, [("page:date", "2025-01-20")],
         text="关于印发年度报告的通知")
    _crawl(db, "2025-03-10T10:00", _proof(_column(years=[2022, 2023, 2024])))
    row = _row(db)
    assert row["status"] == "not_found" and row["status_cn"] != "按时发布"
    assert "实为其他文件" in row["reason"] and row["evidence"]["linked_finding"] == "x|2024|WRONG_DOCUMENT|"
    assert {"WRONG_DOCUMENT", "NOT_FOUND"} <= _codes(db) and not {"MISSING", "LATE"} & _codes(db)
    assert "WRONG_DOCUMENT" in {c["code"] for c in row["content"]}


def test_content_findings_are_on_the_audit_row(db) -> None:
    partial = {**REPORT, "sections": list("一二四五六")}
    _doc(db, "http://x.gov.cn/ndbg/2024.html", 2024, "2025-01-20T10:00", partial, [("page:date", "2025-01-20")])
    row = _row(db)
    assert row["status"] == "published"
    assert {"code": "SECTION_MISSING", "severity": "error"} == {k: row["content"][0][k] for k in ("code", "severity")}
    assert "缺少第三部分" in row["content"][0]["message"]


# ---------------------------------------------------------------- as of D means as of D
def test_as_of_excludes_later_crawls_and_documents(db, tmp_path: Path) -> None:
    _crawl(db, "2025-02-05T10:00", _proof(_column(failed=[{"url": COLUMN + "?page=3", "error": "HTTP 500"}])))
    _crawl(db, "2025-03-10T10:00", _proof(_column()))
    _doc(db, "http://x.gov.cn/ndbg/2024.html", 2024, "2026-02-01T10:00", REPORT, [("page:date", "2026-01-30")])
    db.commit()
    assert _row(db, "2025-02-20")["status"] == "not_found"  # the crawl of 2025-03-10 was not known yet
    assert _row(db, "2025-03-15")["status"] == "missing"
    assert _row(db, "2026-06-30")["status"] == "late"
    url = str(db.get_bind().url)
    out = CliRunner().invoke(_cli(), ["check", "--as-of", "2025-02-20", "--db", url, "--json"])
    assert out.exit_code == 0, out.output
    assert "NOT_FOUND" in out.output and "MISSING" not in out.output and "LATE" not in out.output
    assert db.scalar(select(Finding)) is None  # a past as-of is a replay: it stores nothing
    out = CliRunner().invoke(_cli(), ["audit", "--year", "2024", "--as-of", "2025-03-15", "--db", url])
    assert out.exit_code == 0 and '"status": "missing"' in out.output and "2026" not in out.output.split('"evidence"')[0]


def _cli():
    from crawler.cli import main

    return main


# ---------------------------------------------------------------- limited runs change only what they looked at
TWO = """agencies:
  - {id: a, name: 甲县科技局, kind: department, site: 'http://a.gov.cn/', since: 2022}
  - {id: b, name: 乙县科技局, kind: department, site: 'http://b.gov.cn/', since: 2023}
"""


def _tables(carried_over: int, carried_forward: int) -> dict[str, Any]:
    return {"requests": {"layout": "2021", "rows": {"carried_over": {"total": carried_over},
                                                   "carried_forward": {"total": carried_forward}}}}


def _snapshot(s) -> dict[str, tuple[Any, ...]]:
    s.expire_all()
    return {f.key: (f.status, f.resolved_at, f.message, f.severity, copy.deepcopy(f.evidence), f.first_seen)
            for f in s.scalars(select(Finding))}


def test_limited_runs_leave_every_other_finding_as_it_was(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    factory = open_db(url)
    copied = "。".join(f"本机关第{i}项政务公开工作稳步推进并取得成效" for i in range(12))
    with factory() as s:
        sync_registry(s, parse_registry(TWO))
        for aid, year, co, cf, text in (("a", 2022, 0, 5, "。".join(f"甲县{i}年度工作" for i in range(12))),
                                        ("a", 2023, 3, 1, copied), ("b", 2023, 1, 1, copied)):
            report = {**REPORT, "tables": _tables(co, cf)}
            _doc(s, f"http://{aid}.gov.cn/ndbg/{year}.html", year, f"{year + 1}-01-10T10:00", report,
                 [("page:date", f"{year + 1}-01-10")], agency=aid, text=text)
        s.commit()
        run_check(s, datetime.now(BEIJING).date())  # a full check, as of today as the commands below
        s.commit()
        before = _snapshot(s)
        codes = {k.split("|", 1)[1] for k in before}
        # the rules a limited run cannot judge alone are really there
        assert {"2023|CARRYOVER_MISMATCH|", "2023|DUPLICATE_CONTENT|a:2023"} <= codes, codes
        assert all(v[0] == "open" for v in before.values())
    for args in (["audit", "--year", "2023"], ["check", "--agency", "b"], ["check", "--agency", "a", "--year", "2023"],
                 ["check", "--year", "2023"], ["check", "--region", "3201"]):
        out = CliRunner().invoke(_cli(), [*args, "--db", url])
        assert out.exit_code == 0, (args, out.output)
        with factory() as s:
            assert _snapshot(s) == before, args


# ---------------------------------------------------------------- one home for each fact
def test_the_digest_uses_the_registrys_regional_deadlines(tmp_path: Path) -> None:
    from monitor.digest import Scope, digest_data

    factory = open_db(f"sqlite:///{tmp_path / 'd.db'}")
    with factory() as s:
        sync_registry(s, parse_registry('defaults:\n  regions:\n    "3208": {township: "02-20"}\nagencies:\n'
                                        '  - {id: t, name: 某某镇人民政府, kind: township, region: "320831", site: "http://t.gov.cn/"}\n'))
        s.commit()
        data = digest_data(s, Scope(), date(2025, 1, 20), date(2025, 1, 27))
        _, results = run_check(s, date(2025, 1, 27), years=[2024], replay=True)
    [upcoming] = data["upcoming"]
    assert upcoming["deadline"] == "2025-02-20" == results[0].deadline  # the audit list and the digest agree
    assert upcoming["rule"].startswith("依据地方规定")


@pytest.mark.parametrize(("kind", "year", "day", "rule"), [
    ("department", 2024, "2025-01-31", "依据《条例》第四十九条"), ("government", 2024, "2025-03-31", "依据《条例》第四十九条"),
    ("township", 2024, "2025-03-31", "《条例》未规定乡镇/街道的期限"), ("department", 2017, "2018-03-31", "依据2007年《条例》第三十一条"),
])
def test_statutory_deadlines_in_chinese(kind: str, year: int, day: str, rule: str) -> None:
    from monitor.deadlines import deadline_for

    dl = deadline_for(kind, year)
    assert (dl.day.isoformat(), dl.rule.startswith(rule)) == (day, True)
    assert deadline_for(kind, year, agency_deadline="02-15").rule.startswith("依据登记表中本机关的期限")


def test_a_column_named_on_the_site_listing_only_another_agency_is_not_proof(db) -> None:
    # a township's site links the county's 年报 column as its own: read to its end, still not proof
    county = _column(why="named_on_site", years=[], other_agencies=["某某县人民政府"])
    _crawl(db, "2025-03-10T10:00", _proof(county))
    row = _row(db)
    assert row["status"] == "not_found" and "只列出其他机关的年报（某某县人民政府）" in row["reason"]


def test_a_pinned_column_is_taken_on_the_registrys_word(db) -> None:
    _crawl(db, "2025-03-10T10:00", _proof(_column(why="pinned", years=[], entries=0)))
    assert _row(db)["status"] == "missing"
    db.rollback()
    _crawl(db, "2025-03-10T10:00", _proof(_column(why="named_on_site", years=[], entries=0)))
    assert _row(db)["status"] == "not_found"
