"""The memoized check on the sample web (issue 14): a check that reads every judgement from
the memo gives exactly the findings and statuses of one that judges everything, and both
are the sample web's written-down truth (tests/monitor/sample_expected.py)."""

from __future__ import annotations

import shutil
from datetime import datetime

from sqlalchemy import delete

from db.models import Judgement
from db.schema import open_db
from monitor import audit, memo
from monitor.check import run_check
from monitor.deadlines import BEIJING
from sampleweb.sites import SAMPLE_YEARS
from tests.monitor.memo_cases import outcome
from tests.monitor.sample_expected import FROM_REAL_FILES, SEEDED, STATUS


def _refuse(*_a, **_k):
    raise AssertionError("judged again although the memo holds the result")


def test_the_sample_web_checked_from_the_memo_is_the_same(crawled, tmp_path, monkeypatch) -> None:
    shutil.copy(crawled["dir"] / "nianbao.db", tmp_path / "n.db")
    factory = open_db(f"sqlite:///{tmp_path / 'n.db'}")
    today = datetime.now(BEIJING).date()
    with factory() as s:
        s.execute(delete(Judgement))  # another test's check may have filled it
        found, results = run_check(s, today, years=list(SAMPLE_YEARS))
        s.commit()
        cold = outcome(results, found)
    with factory() as s, monkeypatch.context() as m:
        m.setattr(memo, "judge", _refuse)
        m.setattr(memo, "judge_pair", _refuse)
        found, results = run_check(s, today, years=list(SAMPLE_YEARS))
        s.commit()
    assert outcome(results, found) == cold
    assert {(f.agency_id, f.year, f.code) for f in found} == SEEDED | FROM_REAL_FILES
    assert {(r["agency"], r["year"]): r["status"] for r in audit.audit_rows(results)} == STATUS
