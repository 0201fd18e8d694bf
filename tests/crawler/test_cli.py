"""The CLI keeps the stable interface of spec/interfaces.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import FIXTURES

PDF = FIXTURES / "real" / "hongze-qzf-2024-pdf" / "source.pdf"


def _hongze_registry(tmp_path) -> Path:
    reg = tmp_path / "reg.yaml"
    reg.write_text("agencies:\n  - id: hongze\n    name: 淮安市洪泽区人民政府\n    kind: government\n"
                   "    site: http://www.hongze.gov.cn/\n    since: 2024\n", encoding="utf-8")
    return reg


def test_parse_json_has_the_stable_shape() -> None:
    result = CliRunner().invoke(main, ["parse", str(PDF), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {"title", "agency", "year", "format", "signed_date", "sections", "tables", "warnings"} <= set(out)
    assert set(out["tables"]) == {"active", "requests", "appeals"}
    assert set(out["tables"]["requests"]) == {"layout", "rows"}
    assert set(out["tables"]["active"]) == {"layout", "rows", "extra"}
    assert set(out["tables"]["appeals"]) == {"review", "litigation_direct", "litigation_after_review"}
    assert out["tables"]["requests"]["rows"]["new_received"]["total"] == 95


def test_parse_reads_stdin() -> None:
    result = CliRunner().invoke(main, ["parse", "-", "--json"], input=PDF.read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.output)["year"] == 2024


def test_parse_summary_for_people() -> None:
    result = CliRunner().invoke(main, ["parse", str(PDF)])
    assert result.exit_code == 0
    assert "new_received" in result.output and "表三 依申请" in result.output


def test_bad_input_exits_nonzero_with_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", str(FIXTURES / "bad" / "encrypted.pdf")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "encrypted PDF" in proc.stderr
    missing = CliRunner().invoke(main, ["parse", "/nonexistent.pdf"])
    assert missing.exit_code == 1


def test_demo_crawls_the_sample_web(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "demo", "--out", str(tmp_path / "demo"), "--delay", "0"],
                          capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "漏抓0份，误收非年报0份" in proc.stdout
    assert "逾期发布：" in proc.stdout and "未发布：" in proc.stdout and "未找到，待核实  " in proc.stdout
    assert "错误指认（已发布却判未发布、按时却判逾期）：0个" in proc.stdout
    assert proc.stdout.rstrip().endswith("digest-preview.html")
    for name in ("audit-2024.html", "audit-2024.csv", "audit-2024.xlsx", "findings.json", "digest-preview.html"):
        assert (tmp_path / "demo" / name).is_file(), name
    assert "dead-daj" in proc.stdout and "记为无法访问" in proc.stdout
    assert (tmp_path / "demo" / "nianbao.db").exists()


def test_crawl_rejects_a_bad_registry_with_every_error(tmp_path) -> None:
    bad = tmp_path / "reg.yaml"
    bad.write_text("agencies:\n  - id: A\n    kind: bureau\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["crawl", "--registry", str(bad), "--db", f"sqlite:///{tmp_path}/n.db"])
    assert result.exit_code == 1
    assert "4 error(s) in the registry" in result.output
    assert "line 2: agencies[0].id" in result.output and "line 3: agencies[0].kind" in result.output
    missing = CliRunner().invoke(main, ["crawl", "--registry", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_ingest_then_reports(tmp_path) -> None:
    reg = _hongze_registry(tmp_path)
    db = f"sqlite:///{tmp_path}/n.db"
    url = "http://www.hongze.gov.cn/P020250325123.pdf"
    args = ["ingest", str(PDF), "--agency", "hongze", "--registry", str(reg), "--url", url, "--seen", "2025-03-26",
            "--db", db, "--files", str(tmp_path / "files")]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "新文件" in first.output and "（2024年）；解析成功" in first.output
    again = CliRunner().invoke(main, args)
    assert "内容未变" in again.output
    out = json.loads(CliRunner().invoke(main, ["reports", "--json", "--db", db]).output)
    assert len(out) == 1
    r = out[0]
    assert (r["agency"], r["year"], r["format"], r["parse_status"]) == ("hongze", 2024, "2021", "ok")
    assert r["first_seen"] == "2025-03-26T00:00:00+08:00"
    assert r["published"] == {"date": "2025-03-25", "source": "url"}
    from sqlalchemy import select

    from db.models import Evidence
    from db.schema import open_db

    with open_db(db)() as s:  # crawler.ingestion adds the first-seen date as ingest evidence, once
        assert [(e.source, e.value) for e in s.scalars(select(Evidence)) if e.source == "ingest"] == \
            [("ingest", "2025-03-26")]
    unknown = CliRunner().invoke(main, ["ingest", str(PDF), "--agency", "nobody", "--db", db])
    assert unknown.exit_code == 1 and "未知机关代码：nobody" in unknown.output


def test_check_audit_and_dismiss(tmp_path) -> None:
    reg = _hongze_registry(tmp_path)
    db = f"sqlite:///{tmp_path}/n.db"
    CliRunner().invoke(main, ["ingest", str(PDF), "--agency", "hongze", "--registry", str(reg), "--db", db,
                              "--url", "http://www.hongze.gov.cn/P020250325123.pdf", "--files", str(tmp_path / "f"),
                              "--seen", "2025-03-26"])  # as of D counts only what was known by D
    out = CliRunner().invoke(main, ["check", "--db", db, "--json"])  # today: stored (a past --as-of stores nothing)
    assert out.exit_code == 0, out.output
    findings = json.loads(out.output)
    assert [(f["agency"], f["year"], f["code"], f["severity"]) for f in findings] == \
        [("hongze", 2024, "PROSE_MISMATCH", "warning")]
    assert set(findings[0]) >= {"agency", "year", "code", "severity", "message", "evidence"}
    audit = CliRunner().invoke(main, ["audit", "--year", "2024", "--as-of", "2025-06-30", "--db", db])
    rows = json.loads(audit.output)
    assert rows[0]["status"] == "published" and rows[0]["published"] == "2025-03-25" and rows[0]["source"] == "url"
    assert rows[0]["deadline"] == "2025-03-31"
    for fmt in ("csv", "xlsx", "html"):
        r = CliRunner().invoke(main, ["audit", "--year", "2024", "--as-of", "2025-06-30", "--db", db, "--format", fmt,
                                      "-o", str(tmp_path / f"a.{fmt}")])
        assert r.exit_code == 0 and (tmp_path / f"a.{fmt}").stat().st_size > 100
    d = CliRunner().invoke(main, ["dismiss", findings[0]["key"], "--reason", "区政府办口径", "--db", db])
    assert "已忽略1项问题" in d.output
    from sqlalchemy import select

    from db.models import FindingEvent
    from db.schema import open_db

    with open_db(db)() as s:  # the monitor's dismissal, recorded as the dashboard's are
        [event] = s.scalars(select(FindingEvent)).all()
        assert (event.action, event.reason, event.via, event.previous_status) == \
            ("dismiss", "区政府办口径", "nianbao dismiss", "open")
    after = json.loads(CliRunner().invoke(main, ["check", "--db", db, "--json"]).output)
    assert after == []
    bad = CliRunner().invoke(main, ["check", "--db", db, "--as-of", "30/06/2025"])
    assert bad.exit_code == 1 and "不是日期" in bad.output


# ---------------------------------------------------------------- one behaviour for every command


def _world(tmp_path) -> str:
    from tests.monitor.outputs_data import build_world

    return build_world(tmp_path)


def test_audit_infers_the_format_from_the_suffix(tmp_path) -> None:
    import openpyxl

    db = _world(tmp_path)
    base = ["audit", "--year", "2024", "--as-of", "2025-06-30", "--db", db]
    r = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "a.xlsx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").sheetnames == ["2024年", "汇总"]
    r = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "a.htm")])
    assert (tmp_path / "a.htm").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    r = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "a.csv")])
    assert (tmp_path / "a.csv").read_bytes().startswith("\ufeff机关代码".encode())
    r = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "a.json")])
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))[0]["agency"] == "hongze"
    unknown = CliRunner().invoke(main, [*base, "-o", str(tmp_path / "a.txt")])
    assert unknown.exit_code == 1 and "无法从" in unknown.output and not (tmp_path / "a.txt").exists()
    clash = CliRunner().invoke(main, [*base, "--format", "json", "-o", str(tmp_path / "b.xlsx")])
    assert clash.exit_code == 1 and "扩展名不符" in clash.output and not (tmp_path / "b.xlsx").exists()
    stdout = CliRunner().invoke(main, base)
    assert json.loads(stdout.output)  # default without -o: JSON on stdout


def test_audit_repeated_years_and_scope_filters(tmp_path) -> None:
    db = _world(tmp_path)
    base = ["audit", "--as-of", "2025-06-30", "--db", db]

    def rows(*args: str) -> list[dict]:
        r = CliRunner().invoke(main, [*base, *args])
        assert r.exit_code == 0, r.output
        return json.loads(r.output)

    both = rows("--year", "2024", "--year", "2025", "--as-of", "2026-06-30")  # the last --as-of wins
    assert {r["year"] for r in both} == {2024, 2025} and len(both) == 10
    assert {r["agency"] for r in rows("--year", "2024", "--region", "320800")} == {"huaian"}
    assert {r["agency"] for r in rows("--year", "2024", "--region", "320813", "--region", "320800")} == \
        {"hongze", "huaian", "hongze-jyj", "hongze-dead", "hongze-fresh"}
    assert {r["agency"] for r in rows("--year", "2024", "--parent", "hongze")} == \
        {"hongze", "hongze-jyj", "hongze-dead", "hongze-fresh"}
    assert {r["agency"] for r in rows("--year", "2024", "--kind", "department")} == {"hongze-jyj", "hongze-dead"}
    assert {r["agency"] for r in rows("--year", "2024", "--kind", "township", "--kind", "government")} == \
        {"hongze", "huaian", "hongze-fresh"}
    unknown = CliRunner().invoke(main, [*base, "--year", "2024", "--parent", "nobody"])
    assert unknown.exit_code == 1 and "未知机关代码：nobody" in unknown.output


def test_an_unknown_agency_is_an_error_for_every_command(tmp_path) -> None:
    db = _world(tmp_path)
    for args in (["reports", "--agency", "nobody"], ["check", "--agency", "nobody"], ["check", "--agency", "hongze", "--agency", "nobody"],
                 ["dismiss", "--agency", "nobody", "--year", "2024", "--code", "LATE", "--reason", "x"],
                 ["audit", "--year", "2024", "--parent", "nobody"], ["notice", "--year", "2024", "--parent", "nobody",
                                                                     "-o", str(tmp_path / "n.docx")],
                 ["crawl", "--agency", "nobody"]):
        r = CliRunner().invoke(main, [*args, "--db", db])
        assert r.exit_code == 1, args
        assert "未知机关代码：nobody" in r.output, (args, r.output)
        assert r.output.count("\n") == 1, args
    reg = _hongze_registry(tmp_path)
    r = CliRunner().invoke(main, ["crawl", "--registry", str(reg), "--agency", "nobody", "--db", db])
    assert r.exit_code == 1 and "未知机关代码：nobody" in r.output and "reg.yaml" in r.output


def test_crawl_without_a_registry_says_so(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_REGISTRY", raising=False)
    monkeypatch.delenv("NIANBAO_DB_URL", raising=False)
    r = CliRunner().invoke(main, ["crawl"])
    assert r.exit_code == 1 and "没有机关登记册" in r.output and "--registry" in r.output
    assert not (tmp_path / "nianbao.db").exists()
    from db.schema import open_db

    open_db(f"sqlite:///{tmp_path / 'empty.db'}")  # a database with no agencies: the same
    r = CliRunner().invoke(main, ["crawl", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert r.exit_code == 1 and "没有机关登记册" in r.output


def test_read_only_commands_never_create_a_database(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_DB_URL", raising=False)
    for args in (["reports"], ["reports", "--json"], ["check"], ["audit", "--year", "2024"],
                 ["dismiss", "k", "--reason", "x"], ["notice", "--year", "2024"], ["export"],
                 ["digest", "--dry-run"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 1, (args, r.output)
        assert "没有数据库" in r.output and "nianbao crawl" in r.output, (args, r.output)
        assert not (tmp_path / "nianbao.db").exists(), args
    assert list(tmp_path.iterdir()) == []  # no notice, no dataset folder written either
