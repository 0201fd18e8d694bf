"""Parse failures are not permanent (issue 16, item 8).

A version whose first parse failed for a transient reason (here a real timeout) keeps
its bytes; the next fetch of the same bytes (crawl or ingest: both store through
``db.store.store_fetch``) and ``nianbao reparse`` parse it again, so WRONG_DOCUMENT does
not stay for good.  ``reparse --since-version`` renews what an older parser made.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import crawler.ingestion as ingestion
from crawler.cli import main
from db.models import DocumentVersion
from db.schema import open_db
from parsing.api import PARSER_VERSION
from parsing.api import parse_guarded as real_parse_guarded
from tests.conftest import FIXTURES

PDF = FIXTURES / "real" / "hongze-qzf-2024-pdf" / "source.pdf"
URL = "http://www.hongze.gov.cn/P020250325123.pdf"


def _registry(tmp_path: Path) -> Path:
    reg = tmp_path / "reg.yaml"
    reg.write_text("agencies:\n  - id: hongze\n    name: 淮安市洪泽区人民政府\n    kind: government\n"
                   "    site: http://www.hongze.gov.cn/\n    since: 2024\n", encoding="utf-8")
    return reg


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"db": f"sqlite:///{tmp_path}/n.db", "files": str(tmp_path / "files"), "reg": str(_registry(tmp_path))}


def _ingest(env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, ["ingest", str(PDF), "--agency", "hongze", "--registry", env["reg"],
                                       "--url", URL, "--seen", "2025-03-26", "--db", env["db"],
                                       "--files", env["files"]])
    assert result.exit_code == 0, result.output
    return result.output


def _ingest_timing_out(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Ingest with a parse that really times out (a limit nothing meets)."""
    with monkeypatch.context() as m:
        m.setattr(ingestion, "parse_guarded", lambda body, timeout: real_parse_guarded(body, timeout=0.001))
        return _ingest(env)


def _versions(env: dict[str, str]) -> list[DocumentVersion]:
    with open_db(env["db"])() as s:
        return list(s.scalars(select(DocumentVersion)))


def _codes(env: dict[str, str]) -> list[str]:
    out = CliRunner().invoke(main, ["check", "--db", env["db"], "--json"])
    assert out.exit_code == 0, out.output
    return [f["code"] for f in json.loads(out.output)]


def _report(env: dict[str, str]) -> tuple[object, ...]:
    [r] = json.loads(CliRunner().invoke(main, ["reports", "--json", "--db", env["db"]]).output)
    return r["year"], r["format"], r["parse_status"]


UNREAD = (None, None, "error")  # the timed-out parse: no year, no format, nothing checked
READ = (2024, "2021", "ok")
CHECKED = ["PROSE_MISMATCH"]  # the report's content is checked once it is read


def test_the_next_fetch_of_the_same_bytes_parses_a_transient_failure_again(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = _ingest_timing_out(env, monkeypatch)
    assert "解析失败：parsing timed out" in first
    [v] = _versions(env)
    assert (v.parse_status, v.parse_failure, v.parser_version, v.parse_attempts) == ("error", "transient",
                                                                                      PARSER_VERSION, 1)
    assert _report(env) == UNREAD and _codes(env) == []
    again = _ingest(env)  # the same bytes: no new version, but the failure was a passing one
    assert "内容未变" in again
    [v] = _versions(env)
    assert (v.parse_status, v.parse_failure, v.parse_error, v.parse_attempts) == ("ok", None, None, 2)
    assert v.report["tables"]["requests"] is not None
    assert _report(env) == READ and _codes(env) == CHECKED


def test_a_success_is_never_replaced_by_a_passing_failure(env: dict[str, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest(env)
    _ingest_timing_out(env, monkeypatch)
    [v] = _versions(env)
    assert (v.parse_status, v.parse_attempts) == ("ok", 1)


def test_reparse_command(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest_timing_out(env, monkeypatch)
    base = ["--db", env["db"], "--files", env["files"], "--processes", "1"]
    out = CliRunner().invoke(main, ["reparse", *base])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("重新解析 1 个版本：1 个解析成功，0 个解析失败")
    [v] = _versions(env)
    assert (v.parse_status, v.parse_failure, v.parse_attempts) == ("ok", None, 2)
    assert _report(env) == READ and _codes(env) == CHECKED

    assert CliRunner().invoke(main, ["reparse", *base]).output.startswith("没有需要重新解析的版本")
    # a parser upgrade: what the older parser made is parsed again
    assert CliRunner().invoke(main, ["reparse", *base, "--since-version", PARSER_VERSION]).output.startswith(
        "没有需要重新解析的版本")
    newer = str(int(PARSER_VERSION) + 1)
    out = CliRunner().invoke(main, ["reparse", *base, "--since-version", newer, "--agency", "hongze"])
    assert out.output.startswith("重新解析 1 个版本：1 个解析成功"), out.output
    [v] = _versions(env)
    assert v.parse_attempts == 3

    # the stored file is gone: said, nothing changed
    for f in Path(env["files"]).rglob("*.pdf"):
        f.unlink()
    out = CliRunner().invoke(main, ["reparse", *base, "--since-version", newer])
    assert out.exit_code == 0 and "1 个文件在文件库中缺失" in out.output
    assert _versions(env)[0].parse_status == "ok"

    unknown = CliRunner().invoke(main, ["reparse", *base, "--agency", "nobody"])
    assert unknown.exit_code == 1 and "未知机关代码：nobody" in unknown.output
    bad = CliRunner().invoke(main, ["reparse", *base, "--since-version", "abc"])
    assert bad.exit_code == 1 and "不是版本号" in bad.output


def test_reparse_on_a_missing_database_is_one_line(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["reparse", "--db", f"sqlite:///{tmp_path}/none.db"])
    assert out.exit_code == 1 and "没有数据库" in out.output


def test_the_next_crawl_parses_a_transient_failure_again(env: dict[str, str]) -> None:
    """The crawl's own path: the store pipeline parses in its pool; the first crawl's parse
    overruns its limit, the next crawl's parse of the same bytes is kept."""
    import hashlib
    import shutil

    from crawler.pipelines import StorePipeline
    from db.registry import load_registry, sync_registry
    from parsing.pool import ParserPool
    from spiders.items import ReportPage

    factory = open_db(env["db"])
    with factory() as s:
        sync_registry(s, load_registry(env["reg"]))
        s.commit()
    body = PDF.read_bytes()
    rel = f"{hashlib.sha256(body).hexdigest()[:2]}/{hashlib.sha256(body).hexdigest()}.pdf"
    (Path(env["files"]) / rel).parent.mkdir(parents=True)
    shutil.copyfile(PDF, Path(env["files"]) / rel)

    def crawl(timeout: float) -> None:
        pipeline = StorePipeline(None, env["db"], env["files"], None)
        pipeline.parser = ParserPool(1, timeout=timeout)
        item = ReportPage(agency_id="hongze", url=URL, kind="file", file_urls=[URL],
                          files=[{"url": URL, "requested": URL, "path": rel, "status": 200}])
        try:
            pipeline._store(item, None)
        finally:
            pipeline.parser.close()

    crawl(0.001)
    [v] = _versions(env)
    assert (v.parse_status, v.parse_failure) == ("error", "transient")
    assert _report(env) == UNREAD
    crawl(120)
    [v] = _versions(env)
    assert (v.parse_status, v.parse_failure, v.parse_attempts) == ("ok", None, 2)
    assert _report(env) == READ and _codes(env) == CHECKED
