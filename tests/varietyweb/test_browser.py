"""The SPA shells with no API do show their reports once a browser runs their JS (Debian's
chromium, headless, through the variety web's proxy)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from varietyweb import VarietyServer, truth

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")


def test_needs_browser_shells_render_their_report_links():
    reps = [r for r in truth()["reports"] if "needs-browser" in r["tags"]]
    assert {r["class"] for r in reps} == {"spa/spa-inline", "spa/spa-docwrite"}
    with VarietyServer() as web:
        for host in sorted({r["url"].split("/")[2] for r in reps}):
            url = f"http://{host}/zwgk/ndbg/"
            raw = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--proxy-server={web.proxy_url}",
                                  "--dump-dom", url], capture_output=True, text=True, timeout=90).stdout
            links = {f"http://{host}{p}" for p in re.findall(r'href="(/zwgk/detail/\d+\.html)"', raw)}
            assert {r["url"] for r in reps if host in r["url"]} <= links, host
