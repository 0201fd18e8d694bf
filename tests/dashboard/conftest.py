"""The dashboard served on loopback over a copy of the sample web's crawl, and headless
Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from db.dates import BEIJING  # noqa: E402

# the crawl happens today, and as of D counts only what was known by the end of D
AS_OF = datetime.now(BEIJING).date()
TOKEN = "test-token-7f3a"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("NIANBAO_ARTIFACTS") or Path(__file__).resolve().parent.parent / "artifacts")


def copy_db(src: Path, dst: Path) -> str:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return f"sqlite:///{dst}"


def audit_json(db_url: str, year: int) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "audit", "--year", str(year), "--as-of", AS_OF.isoformat(),
                          "--format", "json", "--db", db_url], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def dash_db(crawled, tmp_path_factory) -> str:
    url = copy_db(crawled["dir"] / "nianbao.db", tmp_path_factory.mktemp("dash") / "nianbao.db")
    audit_json(url, 2024)  # as an office would: `nianbao audit` stores the findings too
    return url


@pytest.fixture(scope="session")
def dashboard(dash_db):
    from crawler.dashboard import start_in_thread

    running = start_in_thread(dash_db, "127.0.0.1", 0, token=TOKEN, as_of=AS_OF, warm=False)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-packages.sh (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"dashboard-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
