"""The spider and the monitor on the variety web, a web written from sites.md alone by a
hand that never read the spider (varietyweb/): discovery is measured against its
truth, and the audit list built from that crawl must name no agency that complied."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from db.dates import BEIJING
from varietyweb.verdicts import judge


@pytest.fixture(scope="module")
def variety(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict]:
    d: Path = tmp_path_factory.mktemp("variety")
    db_url = f"sqlite:///{d / 'v.db'}"
    proc = subprocess.run([sys.executable, "-m", "varietyweb", "run", "--db", db_url, "--json"],
                          capture_output=True, text=True, check=False, timeout=900)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # the crawl's own summary shares stdout; the measurement is also written to measure.json
    where = next(line for line in proc.stderr.splitlines() if line.startswith("结果："))[len("结果："):]
    return db_url, json.loads(Path(where).read_text(encoding="utf-8"))


def test_discovery_on_a_web_it_was_not_written_against(variety) -> None:
    _, m = variety
    assert m["recall"] >= 0.98, m["missed"]
    assert m["precision"] == 1.0 and m["false_reports"] == []
    assert m["attribution"]["accuracy"] == 1.0, m["attribution"]["wrong"]
    assert m["trap_requests"] == 0 and m["robots_violations"] == 0
    assert m["max_concurrent_per_host"] == 1


def test_the_audit_list_accuses_nobody_who_complied(variety) -> None:
    db_url, _ = variety
    v = judge(db_url, datetime.now(BEIJING).date())
    assert v.false_accusations == [], [(r["agency"], r["year"], r["status"]) for r in v.false_accusations]
    assert v.accuracy >= 0.95, v.table()
