"""The CLI keeps the stable interface of spec/interfaces.md."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from crawler.cli import main
from tests.conftest import FIXTURES

PDF = FIXTURES / "real" / "hongze-qzf-2024-pdf" / "source.pdf"


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
    assert "new_received" in result.output and "table 三" in result.output


def test_bad_input_exits_nonzero_with_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", str(FIXTURES / "bad" / "encrypted.pdf")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert "encrypted PDF" in proc.stderr
    missing = CliRunner().invoke(main, ["parse", "/nonexistent.pdf"])
    assert missing.exit_code == 1


def test_commands_not_built_say_so() -> None:
    for cmd in (["crawl", "--registry", "x.yaml"], ["check"], ["audit", "--year", "2020"], ["digest", "--dry-run"], ["serve"]):
        result = CliRunner().invoke(main, cmd)
        assert result.exit_code == 2, cmd
        assert "not built yet" in result.output


def test_demo_parses_the_bundled_samples() -> None:
    result = CliRunner().invoke(main, ["demo", "--samples", str(FIXTURES / "real")])
    assert result.exit_code == 0, result.output
    assert "4 parsed, 0 refused, 0 unexpected" in result.output
