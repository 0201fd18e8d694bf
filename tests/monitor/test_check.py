"""The monitor on the seeds, the real samples and the sample web (spec/findings.md).

Seeds and samples are stored as their agencies' reports (as ``nianbao ingest`` does) and
checked as of a fixed date; the sample web is checked after its two crawls.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.ingestion import build_fetch
from db.models import Finding
from db.registry import parse_registry, sync_registry
from db.schema import open_db
from db.store import FileStore, store_fetch
from monitor import audit
from monitor.check import dismiss, run_check
from monitor.deadlines import BEIJING
from sampleweb.scoring import score
from sampleweb.sites import SAMPLE_YEARS, demo_sites, expected_findings, expected_status
from tests.conftest import FIXTURES
from tests.monitor.sample_expected import FROM_REAL_FILES, SEEDED, STATUS

AS_OF = date(2026, 11, 22)
CASES = {
    "seed000": ("seeds/000_a5795eddd62d7b93.txt", "department"),
    "seed001": ("seeds/001_a164060509a28f52.txt", "department"),
    "seed002": ("seeds/002_ee5b3705f92e7afe.txt", "department"),
    "seed003": ("seeds/003_1552932f4d23b490.txt", "department"),
    "seed004": ("seeds/004_f7eca01ac3f71973.txt", "department"),
    "hongze2023": ("real/hongze-qzf-2023-pdf/source.pdf", "government"),
    "hongze2024": ("real/hongze-qzf-2024-pdf/source.pdf", "government"),
    "huaian2024": ("real/huaian-szf-2024-pdf/source.pdf", "government"),
}
NAMES = {"seed003": "忻州市科学技术局"}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("monitor")
    factory = open_db(f"sqlite:///{d / 'm.db'}")
    reg = "agencies:\n" + "".join(f"  - id: {k}\n    name: {NAMES.get(k, '某某' + k)}\n    kind: {kind}\n"
                                  f"    site: http://{k}.gov.cn/\n" for k, (_, kind) in CASES.items())
    with factory() as s:
        sync_registry(s, parse_registry(reg))
        for aid, (path, _) in CASES.items():
            fetch = build_fetch(aid, f"file:///{path}", (FIXTURES / path).read_bytes(), seen_at=datetime(2026, 11, 1, tzinfo=UTC))
            store_fetch(s, fetch, FileStore(d / "files"))
        s.commit()
        found, results = run_check(s, AS_OF)
        s.commit()
    return factory, found, results


def _codes(found: list[Finding], agency: str) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in found:
        if f.agency_id == agency:
            out.setdefault(f.code, []).append(f)
    return out


def test_seed_003_is_late_by_its_signed_date(stored) -> None:
    codes = _codes(stored[1], "seed003")
    assert set(codes) == {"LATE"}
    late = codes["LATE"][0]
    assert late.message == "忻州市科学技术局2020年年度报告于2021-02-05发布，晚于法定期限（2021-01-31）5天（依据：落款日期）"
    assert late.evidence["source"] == "signed" and late.evidence["days_late"] == 5
    assert late.evidence["rule"].startswith("依据《条例》第四十九条")


def test_seed_000_truncated_tables(stored) -> None:
    codes = _codes(stored[1], "seed000")
    assert set(codes) == {"SECTION_MISSING", "TABLE_INCOMPLETE"}
    assert codes["SECTION_MISSING"][0].evidence["missing"] == ["三"]


@pytest.mark.parametrize("agency", ["seed001", "seed004"])
def test_blank_totals_are_incomplete_not_arithmetic_failures(stored, agency: str) -> None:
    codes = _codes(stored[1], agency)
    assert set(codes) == {"TABLE_INCOMPLETE"}
    ev = codes["TABLE_INCOMPLETE"][0].evidence
    assert "requests" in ev["tables"] and any(r.startswith("R3") for r in ev["rules_not_assessable"])


def test_seed_002_has_no_finding(stored) -> None:
    assert _codes(stored[1], "seed002") == {}


def test_hongze_2023_appeal_totals(stored) -> None:
    codes = _codes(stored[1], "hongze2023")
    assert set(codes) == {"APPEAL_TOTAL"}
    groups = {f.evidence["group"]: (f.evidence["sum"], f.evidence["total"]) for f in codes["APPEAL_TOTAL"]}
    assert groups == {"review": (11, 0), "litigation_after_review": (5, 0)}


def test_hongze_2024_prose_mismatch(stored) -> None:
    codes = _codes(stored[1], "hongze2024")
    assert set(codes) == {"PROSE_MISMATCH"}
    ev = codes["PROSE_MISMATCH"][0].evidence
    assert (ev["stated"], ev["table"]) == (17, 95) and "17件" in ev["sentence"]


def test_huaian_2024_is_clean(stored) -> None:
    assert _codes(stored[1], "huaian2024") == {}


def test_findings_are_stable_resolvable_and_dismissable(stored) -> None:
    factory, first, _ = stored
    with factory() as s:
        again, _ = run_check(s, AS_OF)
        s.commit()
        assert [f.key for f in again] == [f.key for f in first]
        key = next(f.key for f in again if f.code == "PROSE_MISMATCH")
        dismiss(s, key, "prose counts only the 区政府办")
        s.commit()
        after, _ = run_check(s, AS_OF)
        s.commit()
        assert key not in {f.key for f in after}
        assert s.scalar(select(Finding).where(Finding.key == key)).status == "dismissed"
        # a finding that stops holding is resolved (not deleted), and reopened when it returns
        from sqlalchemy.orm.attributes import flag_modified

        from db.models import Document

        version = s.scalar(select(Document).where(Document.agency_id == "hongze2023")).versions[-1]
        review = version.report["tables"]["appeals"]["review"]
        key = "hongze2023|2023|APPEAL_TOTAL|review"
        review["total"] = 11  # the printed total corrected: 10 + 1 + 0 + 0
        flag_modified(version, "report")
        s.commit()
        run_check(s, AS_OF, agencies=["hongze2023"])
        s.commit()
        row = s.scalar(select(Finding).where(Finding.key == key))
        assert row.status == "resolved" and row.resolved_at is not None
        review["total"] = 0
        flag_modified(version, "report")
        s.commit()
        run_check(s, AS_OF, agencies=["hongze2023"])
        s.commit()
        assert s.get(Finding, row.id).status == "open" and s.get(Finding, row.id).resolved_at is None


def test_messages_are_one_line_chinese(stored) -> None:
    for f in stored[1]:
        assert "\n" not in f.message and any("\u4e00" <= ch <= "\u9fff" for ch in f.message)


# ---------------------------------------------------------------- the sample web
@pytest.fixture(scope="module")
def sample_checked(crawled):
    factory = open_db(f"sqlite:///{crawled['dir'] / 'nianbao.db'}")
    with factory() as s:
        # as of today: the crawls just made are what is known; the sample web is about 2019-2024
        found, results = run_check(s, datetime.now(BEIJING).date(), years=list(SAMPLE_YEARS))
        s.commit()
    return found, results


def test_sample_web_cases_are_all_found(sample_checked) -> None:
    found, _ = sample_checked
    got = {(f.agency_id, f.year, f.code) for f in found}
    assert got == SEEDED | FROM_REAL_FILES  # the complete set: a finding too many fails as one too few
    assert expected_findings(demo_sites(), phase=2) == SEEDED  # the sample web's own model agrees


def test_sample_web_audit_matches_ground_truth(sample_checked) -> None:
    _, results = sample_checked
    rows = audit.audit_rows(results)
    sites = {s.agency_id: s for s in demo_sites()}
    assert {(r["agency"], r["year"]): r["status"] for r in rows} == STATUS
    assert {(r["agency"], r["year"]): expected_status(sites[r["agency"]], r["year"], 2) for r in rows} == STATUS
    anfeng = next(r for r in rows if r["agency"] == "anfeng-zhen" and r["year"] == 2024)
    assert anfeng["deadline"] == "2025-02-20" and "依据地方规定（区划代码3208）" in anfeng["evidence"]["rule"]
    assert anfeng["days_late"] == 5
    result = score(rows, list(sites.values()), phase=2)
    assert result.false_accusations == [] and result.unexpected == []
    for r in rows:
        if r["status"] == "not_found":
            assert r["reason"] and any("\u4e00" <= ch <= "\u9fff" for ch in r["reason"]), r


def test_sample_web_not_found_reasons(sample_checked) -> None:
    rows = {(r["agency"], r["year"]): r for r in audit.audit_rows(sample_checked[1])}
    assert "读取失败" in rows[("gaoyou-kjj", 2023)]["reason"]  # its page 3 always answers HTTP 500
    assert "未找到本机关的年报栏目" in rows[("suining-kjj", 2024)]["reason"]
    assert "其他机关" in rows[("chengguan-zhen", 2024)]["reason"]
    assert "实为其他文件" in rows[("anfeng-zhen", 2022)]["reason"]
    siyang = rows[("siyang-kjj", 2023)]
    assert (siyang["status"], siyang["published"]) == ("published", "2024-01-22")  # PubDate reset to 2025-04-16


def test_audit_formats(sample_checked, tmp_path: Path) -> None:
    _, results = sample_checked
    rows = audit.audit_rows([r for r in results if r.year == 2024])
    raw = audit.to_csv(rows)
    assert raw.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(parsed) == len(rows) and parsed[0]["发布情况"]  # Chinese headers (issue 13)
    import openpyxl

    (tmp_path / "a.xlsx").write_bytes(audit.to_xlsx(rows))
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    ws = wb["2024年"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref and ws["A2"].value == "机关代码"  # row 1: title
    assert "汇总" in wb.sheetnames
    page = audit.to_html(rows, "2024年")
    assert "<table id=\"audit\"" in page and "onclick" in page and "@media print" in page
    assert json.loads(audit.to_json(rows))[0]["year"] == 2024
    roll = audit.rollups(rows)
    assert roll["parent"]["huaian-szf"] == {"published": 1}  # 洪泽区 reports to 淮安市
