"""The incremental check re-evaluates only what was touched, and ends where a full check
would: a copy of an untouched agency's report is found, and resolved on both sides when
the copy is replaced — on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bench.monitor import _report_json
from db.dates import BEIJING
from db.models import Agency, AgencyCrawl, CrawlRun, Finding
from db.schema import open_db
from db.store import Fetch, store_fetch
from monitor.check import assess_all
from monitor.findings import finding_key
from monitor.incremental import run_incremental_check
from sampleweb.reports import make_tables
from tests.db.conftest import db_url, postgres_server  # noqa: F401 - SQLite and a real PostgreSQL

AS_OF = datetime.now(BEIJING).date()  # as of D counts only what was known by D: the copies are stored today
YEARS = (2022, 2023, 2024)


def _text(name: str, year: int, n: int) -> str:
    return "".join(f"{name}{year}年第{k}项政务公开工作取得进展，编号{n * 100 + k}，按期完成。" for k in range(12))


def _fetch(aid: str, name: str, year: int, tables: dict, text: str, day: int | None) -> Fetch:
    return Fetch(agency_id=aid, url=f"http://{aid}.gov.cn/ndbg/{year}.html", body=text.encode(), year=year,
                 title=f"{name}{year}年政府信息公开工作年度报告", report=_report_json(tables, year, name), text=text,
                 evidence=[("meta:PubDate", f"{year + 1}-01-20")], seen_at=datetime(2025, 2, day, tzinfo=UTC) if day else datetime.now(UTC))


def _build(factory, n: int = 12) -> dict:
    rng = random.Random(3)
    kept = {}
    with factory() as s:
        run = CrawlRun(started_at=datetime(2025, 2, 1, tzinfo=UTC), finished_at=datetime(2025, 2, 1, tzinfo=UTC),
                       status="done")
        s.add(run)
        s.flush()
        for i in range(n):
            aid, name = f"a{i:03d}", f"第{i}号县某某局"
            s.add(Agency(id=aid, name=name, kind="department", site=f"http://{aid}.gov.cn/", hosts=[], start_urls=[],
                         since=YEARS[0], active=True, updated_at=datetime(2025, 1, 1, tzinfo=UTC)))
            s.flush()
            s.add(AgencyCrawl(run_id=run.id, agency_id=aid, outcome="ok", pages=5, reports_found=3,
                              columns=[f"http://{aid}.gov.cn/ndbg/"], finished_at=datetime(2025, 2, 1, tzinfo=UTC)))
            prev = None
            for year in YEARS:
                tables = make_tables(rng, year, prev)
                prev = tables
                kept[(aid, year)] = (name, tables, _text(name, year, i))
                store_fetch(s, _fetch(aid, name, year, tables, kept[(aid, year)][2], 1), None, run.id)
        s.commit()
    return kept


def _open(factory) -> set[str]:
    with factory() as s:
        return {f.key for f in s.scalars(select(Finding).where(Finding.status == "open"))}


def _full(factory) -> set[str]:
    with factory() as s:
        return {finding_key(r.agency.id, r.year, d.code, d.detail) for r in assess_all(s, AS_OF) for d in r.drafts}


def test_incremental_check_matches_a_full_one(db_url: str, monkeypatch) -> None:  # noqa: F811
    import monitor.incremental

    # the look-back for late commits would re-touch everything just built: count exactly here
    monkeypatch.setattr(monitor.incremental, "MARGIN", timedelta(0))
    factory = open_db(db_url)
    kept = _build(factory)
    with factory() as s:
        first = run_incremental_check(s, AS_OF)
        s.commit()
    assert first["mode"] == "full" and first["agencies"] == 12
    assert _open(factory) == _full(factory)
    assert not any("DUPLICATE_CONTENT" in k for k in _open(factory))

    with factory() as s:
        assert run_incremental_check(s, AS_OF)["mode"] == "nothing"
        s.commit()

    # a005 publishes a copy of a002's 2023 report (text and tables): a002 is not touched
    name2, tables2, text2 = kept[("a002", 2023)]
    with factory() as s:
        store_fetch(s, _fetch("a005", "第5号县某某局", 2023, tables2, text2.replace(name2, "第5号县某某局"), None), None)
        s.commit()
    with factory() as s:
        r = run_incremental_check(s, AS_OF)
        s.commit()
    assert r["mode"] == "incremental" and r["touched"] == 1 and r["partners"] >= 1 and r["agencies"] < 12
    found = _open(factory)
    assert any(k.startswith("a005|2023|DUPLICATE_CONTENT|a002:2023") for k in found), found
    assert found == _full(factory)

    # the copy is replaced by a report of its own: the duplicate resolves
    name5, tables5, text5 = kept[("a005", 2023)]
    with factory() as s:
        store_fetch(s, _fetch("a005", name5, 2023, tables5, text5 + "另附说明一份，内容详见附件材料。", None), None)
        s.commit()
    with factory() as s:
        r = run_incremental_check(s, AS_OF)
        s.commit()
    assert r["mode"] == "incremental"
    assert not any("DUPLICATE_CONTENT" in k for k in _open(factory))
    assert _open(factory) == _full(factory)
