"""Scrapy's own convention (issue 15 item 8): ``scrapy crawl reports -a registry=FILE`` in
the project crawls like ``nianbao crawl`` (here one agency of the sample web), and without
what it needs fails with one line saying what to run (it exited 1 with no message)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sampleweb.server import SampleServer, SampleWeb
from sampleweb.sites import demo_sites, registry_yaml

ROOT = Path(__file__).parents[2]


def _run(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIANBAO_DB_URL": f"sqlite:///{tmp / 'nianbao.db'}", "NIANBAO_FILES": str(tmp / "files")}
    env.pop("NIANBAO_REGISTRY", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=600,
                          check=False)


def test_scrapy_crawl_reports_crawls_like_nianbao_crawl(tmp_path: Path) -> None:
    sites = demo_sites()
    (tmp_path / "registry.yaml").write_text(registry_yaml(sites), encoding="utf-8")
    web = SampleWeb(sites)
    server = SampleServer(web).start()
    try:
        out = _run(tmp_path, "-m", "scrapy", "crawl", "reports", "-a", f"registry={tmp_path / 'registry.yaml'}",
                   "-a", "agency=xinzhou-kjj", "-a", f"proxy={server.url}", "-a", "delay=0", "-a", "timeout=5")
        truth = sorted(r["url"] for r in web.truth()["reports"] if r["agency"] == "xinzhou-kjj" and r["discoverable"])
    finally:
        server.stop()
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-3000:]
    assert "第1次抓取" in out.stdout and "xinzhou-kjj" in out.stdout  # nianbao crawl's own summary
    listed = _run(tmp_path, "-m", "crawler.cli", "reports", "--json", "--agency", "xinzhou-kjj")
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert sorted(r["url"] for r in json.loads(listed.stdout)) == truth and len(truth) == 5


def test_without_a_registry_it_says_what_to_run_in_one_line(tmp_path: Path) -> None:
    for args, words in ((("-a", "agency=x"), "需要机关登记册"), (("-a", "regsitry=r.yaml"), "未知参数 -a regsitry"),
                        (("-a", "registry=r.yaml", "-o", "out.json"), "不支持 -o")):
        out = _run(tmp_path, "-m", "scrapy", "crawl", "reports", *args)
        lines = out.stderr.strip().splitlines()
        assert out.returncode == 2 and len(lines) == 1, out.stderr
        assert words in lines[0] and "scrapy crawl reports -a registry=" in lines[0]
