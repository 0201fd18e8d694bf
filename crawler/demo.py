"""``nianbao demo``: the main job end to end on the bundled sample web, offline.

Starts the sample government web on loopback, writes its registry, crawls it (parsing and
storing into SQLite), and prints per agency what was found next to the ground truth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from crawler.sampleweb.server import SampleServer, SampleWeb
from crawler.sampleweb.sites import demo_sites, registry_yaml


def run_demo(out: Path, delay: float = 0.2, echo: Callable[[str], None] = print) -> bool:  # noqa: T202
    sites = demo_sites()
    web = SampleWeb(sites, slow_delay=3.0)
    server = SampleServer(web).start()
    db_url = f"sqlite:///{(out / 'nianbao.db').resolve()}"
    try:
        (out / "registry.yaml").write_text(registry_yaml(sites), encoding="utf-8")
        truth = web.truth()
        (out / "ground-truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
        echo(f"sample web: {len(sites)} agencies on {server.url} (hosts *.gov.cn.test, reached through it as proxy)")
        env = {**os.environ, "NIANBAO_DB_URL": db_url, "NIANBAO_FILES": str((out / "files").resolve())}
        # one crawl per process (Scrapy's reactor cannot restart): run it as the CLI would
        crawl = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(out / "registry.yaml"),
             "--proxy", server.url, "--delay", str(delay), "--timeout", "2", "--retries", "1"],
            env=env, text=True, capture_output=True, check=False)
        echo(crawl.stdout.rstrip())
        if crawl.returncode != 0:
            echo(crawl.stderr.strip().splitlines()[-1] if crawl.stderr.strip() else "crawl failed")
            return False
    finally:
        server.stop()
    from db.schema import open_db
    from db.store import reports

    with open_db(db_url)() as session:
        stored = reports(session)
    found = {r["url"]: r for r in stored}
    echo("\nper agency: reports found / published on the sample web (ground truth)")
    missed = 0
    by_agency: dict[str, list[dict]] = {}
    for t in truth["reports"]:
        by_agency.setdefault(t["agency"], []).append(t)
    for aid, items in by_agency.items():
        reachable = items[0]["site_state"] == "ok"
        hit = [t for t in items if t["url"] in found]
        flag = "(missed)" if reachable else "(not reachable)"
        years = " ".join(f"{t['year']}{'' if t['url'] in found else flag}" for t in items)
        state = "" if reachable else f"  [site {items[0]['site_state']}: recorded as unreachable]"
        echo(f"  {aid:<16} {len(hit)}/{len(items)}  {years}{state}")
        if reachable:
            missed += len(items) - len(hit)
    noise = [u for u in found if u in set(truth["non_reports"])]
    echo(f"\n{len(found)} reports stored in {db_url}; {missed} missed, {len(noise)} non-reports taken")
    echo(f"files: {out / 'files'}; registry: {out / 'registry.yaml'}; ground truth: {out / 'ground-truth.json'}")
    echo("next: nianbao reports --db " + db_url + "   (the monitor, audit list and digests are not built yet)")
    return missed == 0 and not noise
