"""The sample web's ground truth is written down, not computed by the code the tests check
(issue 15 item 9): its deadlines are literals, and its truth imports nothing of the monitor."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from monitor.deadlines import deadline_for
from sampleweb.sites import REGIONAL_RULES, SampleSite, statutory_deadline


def test_the_truth_of_the_sample_web_uses_no_monitor_code() -> None:
    code = ("import sys\n"
            "from sampleweb.sites import SAMPLE_YEARS, demo_sites, expected_findings, expected_status\n"
            "sites = demo_sites()\n"
            "[expected_status(s, y, p) for s in sites for y in SAMPLE_YEARS for p in (1, 2)]\n"
            "expected_findings(sites, 2)\n"
            "print(sorted(m for m in sys.modules if m == 'monitor' or m.startswith('monitor.')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("kind", "region", "year", "day"), [
    ("department", None, 2023, date(2024, 1, 31)),
    ("department", "320831", 2019, date(2020, 1, 31)),
    ("government", None, 2024, date(2025, 3, 31)),
    ("township", None, 2022, date(2023, 3, 31)),
    ("township", "320831", 2024, date(2025, 2, 20)),  # the sample city's own rule
    ("township", "321000", 2024, date(2025, 3, 31)),
    ("department", None, 2018, date(2019, 3, 31)),  # the 2007 条例
])
def test_the_written_deadlines_agree_with_the_monitors(kind: str, region: str | None, year: int, day: date) -> None:
    site = SampleSite("x", "某机关", kind, "x.gov.cn.test", "generic", region=region)
    assert statutory_deadline(site, year) == day
    assert deadline_for(kind, year, region=region, regions=dict(REGIONAL_RULES)).day == day
