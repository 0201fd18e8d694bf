"""registry columns (the crawler's real discovery) and registry export (the sheet back)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from db.registry import parse_registry
from sampleweb.render import render_site
from sampleweb.sites import demo_sites, registry_yaml

AGENCIES = ["shanggao-kjj", "xinzhou-kjj", "dead-daj"]


def _cli(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIANBAO_DB_URL": f"sqlite:///{workdir / 'nianbao.db'}", "NIANBAO_FILES": str(workdir / "files")}
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], capture_output=True, text=True, env=env,
                          cwd=workdir, timeout=300, check=False)


@pytest.fixture(scope="module")
def columns_run(tmp_path_factory: pytest.TempPathFactory):
    from sampleweb.server import SampleServer, SampleWeb

    workdir = tmp_path_factory.mktemp("columns")
    (workdir / "registry.yaml").write_text(registry_yaml(demo_sites()), encoding="utf-8")
    server = SampleServer(SampleWeb(demo_sites())).start()
    try:
        agencies = [a for aid in AGENCIES for a in ("--agency", aid)]
        first = _cli(workdir, "registry", "columns", "--registry", "registry.yaml", *agencies, "--proxy", server.url,
                     "--delay", "0.05", "--timeout", "2", "-o", "columns.yaml")
        proposals = yaml.safe_load((workdir / "columns.yaml").read_text(encoding="utf-8")) if first.returncode == 0 else None
        accepted = _cli(workdir, "registry", "accept", "columns.yaml", "--registry", "registry.yaml")
        second = _cli(workdir, "registry", "columns", "--registry", "registry.yaml", "--agency", "shanggao-kjj",
                      "--proxy", server.url, "--delay", "0.05", "--timeout", "2", "-o", "columns2.yaml")
        exported = _cli(workdir, "registry", "export", "--registry", "registry.yaml", "-o", "roster.xlsx")
        from_db = _cli(workdir, "registry", "export", "-o", "from-db.xlsx")  # no registry: the database's agencies
    finally:
        server.stop()
    return {"dir": workdir, "first": first, "proposals": proposals, "accepted": accepted, "second": second,
            "exported": exported, "from_db": from_db}


def test_columns_are_those_of_the_sample_web_with_evidence(columns_run) -> None:
    assert columns_run["first"].returncode == 0, columns_run["first"].stderr
    sites = {s.agency_id: s for s in demo_sites()}
    entries = {e["agency"]: e for e in columns_run["proposals"]["agencies"]}
    assert set(entries) == set(AGENCIES)
    for aid in ("shanggao-kjj", "xinzhou-kjj"):
        site = sites[aid]
        truth = render_site(site, 1)
        [col] = entries[aid]["columns"]
        assert col["url"] == site.base.rstrip("/") + truth.column_url
        assert col["title"] == "政府信息公开年报"
        assert col["years"] == sorted(r.year for r in site.reports)
        assert {r["url"] for r in col["reports"]} == {t["url"] for t in truth.truth_reports}
        assert col["accept"] is True and col["pinned"] is False
    assert entries["dead-daj"]["outcome"] == "unreachable" and entries["dead-daj"]["columns"] == []
    out = columns_run["first"].stdout
    assert "上高县科技局（shanggao-kjj）" in out and "建议采用" in out and "无法访问" in out


def test_accepted_columns_are_pinned_in_the_registry(columns_run) -> None:
    assert columns_run["accepted"].returncode == 0, columns_run["accepted"].stderr
    reg = parse_registry((columns_run["dir"] / "registry.yaml").read_text(encoding="utf-8"))
    site = next(s for s in demo_sites() if s.agency_id == "shanggao-kjj")
    expected = site.base.rstrip("/") + render_site(site, 1).column_url
    assert reg.get("shanggao-kjj").start_urls == (expected,)
    assert reg.get("huaian-szf").start_urls == ()  # not in this run: untouched
    # the next crawl reads the column as a start_url: shown as already pinned
    assert columns_run["second"].returncode == 0, columns_run["second"].stderr
    assert "已在 start_urls" in columns_run["second"].stdout


def test_export_is_the_sheet_with_the_last_crawl(columns_run) -> None:
    assert columns_run["exported"].returncode == 0, columns_run["exported"].stderr
    ws = load_workbook(columns_run["dir"] / "roster.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = rows[0]
    by_id = {r[head.index("标识")]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    assert len(by_id) == len(demo_sites())
    sg = by_id["shanggao-kjj"]
    assert sg["抓取结果"] == "正常" and sg["本次找到年报"] == 3 and "xxgk/ndbg" in sg["找到的年报栏目"]
    assert sg["已存年报年度"] == "2020、2023、2024" and sg["起报年度"] == 2020
    assert by_id["dead-daj"]["抓取结果"].startswith("无法访问")
    assert by_id["huaian-szf"]["抓取结果"] == "未抓取"
    assert by_id["huaian-szf"]["区划名称"] == "淮安市" and by_id["huaian-szf"]["行政区划代码"] == "320800"
    assert by_id["hongze-qzf"]["上级单位"] == "淮安市人民政府"
    assert "1 个无法访问" in columns_run["exported"].stdout
    # without --registry: the agencies last synced into the database, with the same crawl status
    assert columns_run["from_db"].returncode == 0, columns_run["from_db"].stderr
    db_rows = {r[1]: r for r in load_workbook(columns_run["dir"] / "from-db.xlsx").active.iter_rows(values_only=True)}
    assert db_rows["shanggao-kjj"][head.index("本次找到年报")] == 3
    assert db_rows["shanggao-kjj"][head.index("年报栏目")] == sg["年报栏目"]
    # the exported sheet imports again into the same registry: same ids, nothing new
    again = _cli(columns_run["dir"], "registry", "import", "roster.xlsx", "-o", "registry.yaml")
    assert again.returncode == 0, again.stderr
    assert "新增 0" in again.stdout and f"保留原标识 {len(demo_sites())}" in again.stdout
