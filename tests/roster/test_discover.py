"""registry discover on the sample county portal, and accept into a registry."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from crawler.roster_discover import PoliteFetcher, discover
from db.registry import parse_registry
from sampleweb.portal import HOST, PORTAL_TRUTH

URL = f"http://{HOST}/"


def test_discover_proposes_every_agency_with_kind_and_parent(sample_server) -> None:
    fetcher = PoliteFetcher(delay=0, proxy=sample_server.url)
    found = discover(URL, fetcher=fetcher)
    got = {(p.name, p.kind, p.site, p.parent or "") for p in found}
    want = {(t["name"], t["kind"], t["site"], t["parent"]) for t in PORTAL_TRUTH}
    assert got == want
    # 友情链接 to other governments and the menu are not agencies of this portal
    assert not {p.name for p in found} & {"江苏省人民政府", "宿迁市人民政府", "泗阳县人民政府", "中国政府网"}
    towns = {p.name: p for p in found if p.kind == "township"}
    assert towns["沭阳县钱集镇人民政府"].region == "321322103"  # from the 乡镇 table
    dept = next(p for p in found if p.name == "沭阳县教育局")
    assert len(dept.found) == 3 and dept.confidence > 0.9  # dropdown, 部门导航, the 机构 list
    assert "下拉框“县级部门网站”" in dept.found[0] and "部门导航" in dept.found[1] and "县政府部门" in dept.found[2]
    assert next(p for p in found if p.name == "沭阳县信访局").found == [
        f"首页 {URL} 下拉框“县级部门网站”选项“县信访局”"]  # only in the dropdown
    # polite: robots.txt first, each page once, nothing disallowed
    paths = [e.path for e in sample_server.web.log if e.host == HOST]
    assert paths[0] == "/robots.txt" and len(paths) == len(set(paths))
    assert not any(p.startswith("/hdjl/") for p in paths)


def test_discover_with_a_parent_id(sample_server) -> None:
    found = discover(URL, parent="shuyang-rmzf", fetcher=PoliteFetcher(delay=0, proxy=sample_server.url))
    assert {p.parent for p in found} == {"shuyang-rmzf"}
    assert all(p.kind != "government" for p in found)


def test_robots_txt_is_obeyed(sample_server) -> None:
    fetcher = PoliteFetcher(delay=0, proxy=sample_server.url)
    assert fetcher.get(f"http://{HOST}/hdjl/") is None
    assert not any(e.path.startswith("/hdjl/") for e in sample_server.web.log)


def test_cli_discover_then_accept_through_http_proxy(sample_server, tmp_path: Path) -> None:
    env = {**os.environ, "http_proxy": sample_server.url}  # the standard variable, no --proxy
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    out = tmp_path / "proposals.yaml"
    run = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "discover", URL, "--delay", "0", "-o", str(out)],
                         capture_output=True, text=True, env=env, check=False)
    assert run.returncode == 0, run.stderr
    assert f"建议 {len(PORTAL_TRUTH)} 个单位" in run.stdout
    assert "钱集镇（321322103）" in run.stdout  # region names beside codes
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert doc["kind"] == "agencies" and all("found" in a and "confidence" in a for a in doc["agencies"])
    # a person declines one row, then accepts the rest into an empty registry
    doc["agencies"][-1]["accept"] = False
    out.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    reg_path = tmp_path / "registry.yaml"
    acc = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "accept", str(out), "--registry", str(reg_path)],
                         capture_output=True, text=True, check=False)
    assert acc.returncode == 0, acc.stderr
    reg = parse_registry(reg_path.read_text(encoding="utf-8"))
    assert len(reg.agencies) == len(PORTAL_TRUTH) - 1
    gov = reg.get("shuyang-rmzf")
    assert gov is not None and gov.kind == "government" and gov.region == "321322"
    assert {a.parent for a in reg.agencies if a.id != gov.id} == {"shuyang-rmzf"}
    # accepting the same file again adds nothing (names already there)
    again = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "accept", str(out), "--registry", str(reg_path)],
                           capture_output=True, text=True, check=False)
    assert "增加 0 个单位" in again.stdout
