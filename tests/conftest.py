"""Shared test helpers: fixture paths and a parse-once cache."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sampleweb.server import SampleServer, SampleWeb
from sampleweb.sites import demo_sites, registry_yaml

FIXTURES = Path(__file__).parent / "fixtures"


@functools.cache
def parsed(path: str):
    """Parse a fixture once per session (parsing happens inside tests, not at import)."""
    from parsing.api import parse_bytes

    return parse_bytes(Path(path).read_bytes())


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


# ---------------------------------------------------------------- the sample web, crawled twice
# Shared by the crawler's end-to-end test and the monitor's: phase 1, then phase 2 weeks later.
DELAY = 0.25


def _crawl(workdir: Path, server: SampleServer) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NIANBAO_DB_URL": f"sqlite:///{workdir / 'nianbao.db'}", "NIANBAO_FILES": str(workdir / "files")}
    return subprocess.run(
        [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(workdir / "registry.yaml"),
         "--proxy", server.url, "--delay", str(DELAY), "--timeout", "2", "--retries", "1"],
        capture_output=True, text=True, env=env, cwd=workdir, timeout=600, check=False)


def _reports(workdir: Path) -> list[dict]:
    env = {**os.environ, "NIANBAO_DB_URL": f"sqlite:///{workdir / 'nianbao.db'}"}
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "reports", "--json"], capture_output=True,
                         text=True, env=env, cwd=workdir, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    workdir = tmp_path_factory.mktemp("e2e")
    sites = demo_sites()
    (workdir / "registry.yaml").write_text(registry_yaml(sites), encoding="utf-8")
    web = SampleWeb(sites, slow_delay=3.0)
    server = SampleServer(web).start()
    try:
        truth1 = web.truth()
        first = _crawl(workdir, server)
        reports1 = _reports(workdir)
        log1 = list(web.log)
        bodies1 = {(h, p): r.body for h in web.sites for p, r in web.rendered(h).resources.items()}
        web.set_phase(2)
        truth2 = web.truth()
        second = _crawl(workdir, server)
        reports2 = _reports(workdir)
        log2 = web.log[len(log1):]
        bodies2 = {(h, p): r.body for h in web.sites for p, r in web.rendered(h).resources.items()}
        yield {"dir": workdir, "first": first, "second": second, "truth1": truth1, "truth2": truth2,
               "reports1": reports1, "reports2": reports2, "log1": log1, "log2": log2,
               "bodies1": bodies1, "bodies2": bodies2}
    finally:
        server.stop()


