"""make demo starts from a roster workbook: it must give the registry the sample web needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from db.registry import parse_registry
from db.roster import build_registry
from db.roster_sheet import SheetError, read_sheet
from sampleweb.roster_book import registry_defaults_yaml, roster_xlsx
from sampleweb.sites import demo_sites, registry_yaml


def test_the_demo_workbook_imports_to_the_sample_registry(tmp_path: Path) -> None:
    sites = demo_sites()
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_xlsx(sites))
    result = build_registry(read_sheet(path), yaml.safe_load(registry_defaults_yaml()))
    assert result.errors == []
    got, want = parse_registry(result.yaml()), parse_registry(registry_yaml(sites))
    assert got.agencies == want.agencies
    assert got.regions == want.regions and got.deadlines == want.deadlines


def test_sheet_option_and_stdout(workbooks: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(SheetError, match="没有名为“其他”的工作表"):
        read_sheet(workbooks["xlsx"], "其他")
    with pytest.raises(SheetError, match="找不到表头"):
        read_sheet(workbooks["xlsx"], "说明")
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_xlsx(demo_sites()))
    run = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "import", str(path), "--sheet", "年报发布主体名单"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert len(parse_registry(run.stdout).agencies) == len(demo_sites())  # the YAML on stdout
    assert f"{len(demo_sites())} 个单位" in run.stderr  # the summary on stderr
