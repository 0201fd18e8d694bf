"""The incremental check ends where a full check on the same data would — same open
findings, same messages and evidence — while judging only what was touched: a crawl-only
touch judges only the years without a report; a shared report's change reaches every
owner; a partner's own duplicate of a third agency stays; a deadline passing, an agency
leaving the registry.  On SQLite and on a real PostgreSQL (tests/db/conftest.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

import monitor.incremental
from bench.monitor import _report_json
from db.models import Agency, AgencyCrawl, CrawlRun, Document, DocumentVersion, Finding, Setting
from db.runs import record_agency_crawl
from db.schema import open_db
from db.store import Fetch, add_owner, store_fetch
from monitor.check import assess_all
from monitor.findings import finding_key
from monitor.incremental import WATERMARK, run_incremental_check
from tests.db.conftest import db_url, postgres_server  # noqa: F401 - SQLite and a real PostgreSQL
from tests.distributed.test_incremental import AS_OF, _build, _fetch, _text


@pytest.fixture(autouse=True)
def _exact_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    # the look-back for late commits would re-touch everything just built: count exactly here
    monkeypatch.setattr(monitor.incremental, "MARGIN", timedelta(0))


def _stored(factory) -> dict[str, tuple[str, str]]:
    with factory() as s:
        return {f.key: (f.message, json.dumps(f.evidence, sort_keys=True, default=str))
                for f in s.scalars(select(Finding).where(Finding.status == "open"))}


def _full(factory, as_of: date = AS_OF) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    with factory() as s:
        for r in assess_all(s, as_of):
            for d in r.drafts:
                out.setdefault(finding_key(r.agency.id, r.year, d.code, d.detail),
                               (d.message, json.dumps(d.evidence, sort_keys=True, default=str)))
    return out


def _inc(factory, as_of: date = AS_OF) -> dict:
    with factory() as s:
        out = run_incremental_check(s, as_of)
        s.commit()
    return out


def _crawl(factory, agencies: list[str], proof: dict | None = None) -> None:
    now = datetime.now(UTC)
    with factory() as s:
        run = CrawlRun(started_at=now, finished_at=now, status="done")
        s.add(run)
        s.flush()
        for aid in agencies:
            s.add(AgencyCrawl(run_id=run.id, agency_id=aid, outcome="ok", pages=5, reports_found=3, proof=proof,
                              columns=[f"http://{aid}.gov.cn/ndbg/"], finished_at=now))
        s.commit()


def test_a_crawl_only_touch_judges_only_the_years_without_a_report(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    _build(factory, n=6)  # reports 2022-2024; 2025 is due and has none (crawled before its deadline: unchecked)
    assert _inc(factory)["mode"] == "full"
    assert not any("|2025|" in k for k in _stored(factory))
    proof = {"columns": [{"url": "http://a001.gov.cn/ndbg/", "why": "pinned", "years": [2022, 2023, 2024],
                          "exhausted": True, "entries": 3, "failed": []}]}
    _crawl(factory, ["a001"], proof)  # read the column to its end: 2025 is proved absent
    _crawl(factory, ["a002", "a003"])  # no proof: 2025 is not found, never missing
    r = _inc(factory)
    assert (r["mode"], r["agencies"], r["crawled_only"], r["touched"]) == ("incremental", 0, 3, 3)
    found = _stored(factory)
    assert {k.rsplit("|", 1)[0] for k in found if "|2025|" in k} == {
        "a001|2025|MISSING", "a002|2025|NOT_FOUND", "a003|2025|NOT_FOUND"}
    assert found == _full(factory)


def test_an_outcome_rewritten_after_a_report_was_found_judges_the_agency_whole(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    kept = _build(factory, n=3)
    assert _inc(factory)["mode"] == "full"
    proof = {"columns": [{"url": "http://a001.gov.cn/ndbg/", "why": "pinned", "years": [2022, 2023], "exhausted": True,
                          "entries": 2, "failed": []}]}
    with factory() as s:  # a run records a001's outcome (2024 proved absent), then the report turns up
        run = CrawlRun(started_at=datetime.now(UTC), status="running")
        s.add(run)
        s.flush()
        record_agency_crawl(s, run.id, "a001", proof=proof, outcome="ok", pages=5)
        s.commit()
    name, tables, text = kept[("a001", 2024)]
    with factory() as s:
        doc = s.scalar(select(Document).where(Document.agency_id == "a001", Document.year == 2024))
        s.delete(doc)  # as if it had never been stored: found only now, after the proof of its absence
        s.commit()
    with factory() as s:
        store_fetch(s, _fetch("a001", name, 2024, tables, text, None), None, run.id)
        s.commit()
    _inc(factory)
    assert any(k.startswith("a001|2024|BACKDATED") for k in _stored(factory))
    with factory() as s:  # the run ends and writes the outcome again: it now finished after the report was seen
        record_agency_crawl(s, run.id, "a001", proof=proof, outcome="ok", pages=5)
        s.commit()
    r = _inc(factory)
    assert r["agencies"] == 1 and r["crawled_only"] == 0
    found = _stored(factory)
    assert not any(k.startswith("a001|2024|BACKDATED") for k in found)
    assert found == _full(factory)


def test_a_shared_report_that_changes_is_judged_again_for_every_owner(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    kept = _build(factory, n=4)
    with factory() as s:  # a003 lists a001's 2024 report as its own too (one URL, two agencies)
        doc = s.scalar(select(Document).where(Document.agency_id == "a001", Document.year == 2024))
        add_owner(s, doc, "a003", datetime(2025, 2, 1, tzinfo=UTC))
        s.commit()
    assert _inc(factory)["mode"] == "full"
    name, tables, text = kept[("a001", 2024)]
    broken = json.loads(json.dumps(tables))
    broken["requests"]["new_received"]["total"] += 7  # the corrected version no longer adds up
    with factory() as s:
        # rewritten throughout: a003's old sketch shares nothing with it, only the ownership ties them
        store_fetch(s, _fetch("a001", name, 2024, broken, _text(name, 2024, 99), None), None)
        s.commit()
    r = _inc(factory)
    assert r["touched"] == 2  # a001 and a003: before, only the first owner was re-judged
    found = _stored(factory)
    assert {k.split("|")[0] for k in found if k.split("|")[1] == "2024" and "|EDITED|" in k} == {"a001", "a003"}
    assert found == _full(factory)


def test_a_partners_own_duplicate_of_a_third_agency_stays(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    kept = _build(factory, n=6)
    name2, tables2, text2 = kept[("a002", 2023)]
    name4, tables4, text4 = kept[("a004", 2023)]
    with factory() as s:
        # a004 copies a002's text (its own tables); a005 copies a004's tables (its own text)
        store_fetch(s, _fetch("a004", name4, 2023, tables4, text2, 1), None)  # word for word
        name5, _, text5 = kept[("a005", 2023)]
        store_fetch(s, _fetch("a005", name5, 2023, tables4, text5 + "附表已更新。", 1), None)
        s.commit()
    assert _inc(factory)["mode"] == "full"
    found = _stored(factory)
    assert any(k.startswith("a004|2023|DUPLICATE_CONTENT|a002:2023") for k in found), found
    assert any(k.startswith("a005|2023|DUPLICATE_CONTENT|a004:2023") for k in found), found
    # a005 gets tables of its own: its duplicate of a004 resolves; a004's of a002 must stay
    _, own5, _ = kept[("a005", 2023)]
    with factory() as s:
        store_fetch(s, _fetch("a005", name5, 2023, own5, text5 + "另附说明一份。", None), None)
        s.commit()
    r = _inc(factory)
    assert r["touched"] == 1 and r["partners"] == 2  # a004 by its finding, a002 by a004's own
    found = _stored(factory)
    assert not any(k.startswith("a005|2023|DUPLICATE_CONTENT") for k in found)
    assert any(k.startswith("a004|2023|DUPLICATE_CONTENT|a002:2023") for k in found), found
    assert found == _full(factory)


def test_a_deadline_passing_between_two_checks_checks_everything(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    kept = _build(factory, n=3)
    name, tables, text = kept[("a002", 2024)]
    jan = [datetime(2026, 1, d, tzinfo=UTC) for d in (10, 15)]
    with factory() as s:  # a002's 2025 report, published in January and edited before the deadline (01-31)
        for k, at in enumerate(jan):
            store_fetch(s, Fetch(agency_id="a002", url="http://a002.gov.cn/ndbg/2025.html", body=f"v{k}".encode(),
                                 year=2025, title=f"{name}2025年政府信息公开工作年度报告", text=f"{text}第{k}版。",
                                 report=_report_json(tables, 2025, name), seen_at=at), None)
        s.commit()
    before, after = date(2026, 1, 20), date(2026, 2, 5)
    assert _inc(factory, before)["mode"] == "full"
    assert not any(k.startswith("a002|2025|EDITED") for k in _stored(factory))  # not due: nothing said yet
    r = _inc(factory, after)
    assert r["mode"] == "full" and r["why"] == "a deadline passed"
    assert any(k.startswith("a002|2025|EDITED") for k in _stored(factory))
    assert _stored(factory) == _full(factory, after)
    assert _inc(factory, date(2026, 2, 6))["mode"] == "nothing"  # no deadline between: nothing to do


def test_an_agency_leaving_the_registry_is_no_ones_original_any_more(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    kept = _build(factory, n=4)
    name1, tables1, text1 = kept[("a001", 2023)]
    name3, _, _ = kept[("a003", 2023)]
    with factory() as s:
        store_fetch(s, _fetch("a003", name3, 2023, tables1, text1.replace(name1, name3), 1), None)
        s.commit()
    assert _inc(factory)["mode"] == "full"
    assert any(k.startswith("a003|2023|DUPLICATE_CONTENT|a001:2023") for k in _stored(factory))
    with factory() as s:  # sync_registry deactivates an agency no longer listed; updated_at stays
        s.get(Agency, "a001").active = False
        s.commit()
    r = _inc(factory)
    assert r["mode"] == "incremental" and r["partners"] == 1  # a003, judged again without a001
    found = _stored(factory)
    assert not any(k.startswith("a003|2023|DUPLICATE_CONTENT") for k in found)
    assert found == _full(factory)
    assert _inc(factory)["mode"] == "nothing"  # a001's sketches went with it


def test_rows_stamped_after_the_last_as_of_cutoff_count_as_new(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    _build(factory, n=3)
    proof = {"columns": [{"url": "http://a002.gov.cn/ndbg/", "why": "pinned", "years": [2022, 2023, 2024],
                          "exhausted": True, "entries": 3, "failed": []}]}
    _crawl(factory, ["a002"], proof)  # today
    yesterday = AS_OF - timedelta(days=1)
    assert _inc(factory, yesterday)["mode"] == "full"  # as of yesterday today's crawl does not count
    assert not any(k.startswith("a002|2025|MISSING") for k in _stored(factory))
    r = _inc(factory, AS_OF)  # stamped before that check ran, but after its cutoff
    assert r["crawled_only"] == 1
    assert any(k.startswith("a002|2025|MISSING") for k in _stored(factory))
    assert _stored(factory) == _full(factory)


def test_report_years_are_the_keys_the_check_loads(db_url: str) -> None:  # noqa: F811
    """monitor.touched.report_years answers from the tables what load.documents answers by
    reading every report: a year without a report is judged on that, so they must agree."""
    from monitor import load
    from monitor.check import as_of_cutoff
    from monitor.touched import report_years

    factory = open_db(db_url)
    _build(factory, n=5)
    late = datetime(2030, 1, 1, tzinfo=UTC)
    with factory() as s:
        docs = {(d.agency_id, d.year): d for d in s.scalars(select(Document))}
        s.add(Agency(id="a005", name="第5号县某某局", kind="department", site="http://a005.gov.cn/", hosts=[],
                     start_urls=[], since=2022, active=True))
        s.flush()
        add_owner(s, docs[("a000", 2022)], "a005", datetime(2025, 2, 1, tzinfo=UTC))  # shared, known
        add_owner(s, docs[("a000", 2023)], "a005", late)  # shared only after the cutoff
        docs[("a003", 2022)].first_seen = late  # first seen after the cutoff
        for v in s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == docs[("a003", 2023)].id)):
            v.fetched_at = late  # no version known by the cutoff
        docs[("a004", 2022)].year = None  # a page without a year
        s.add(Document(agency_id="a004", kind="attachment", url="http://a004.gov.cn/x.pdf", year=2021,
                       parent_id=docs[("a004", 2023)].id))
        s.commit()
    with factory() as s:
        ids = [a.id for a in s.scalars(select(Agency))]
        cutoff = as_of_cutoff(AS_OF)
        years = report_years(s, ids, cutoff)
        assert years == set(load.documents(s, ids, cutoff))
        assert {(a, y) for a, y in years if a in ("a003", "a004", "a005")} == {
            ("a003", 2024), ("a004", 2023), ("a004", 2024), ("a005", 2022)}


def test_the_watermark_records_the_as_of_date(db_url: str) -> None:  # noqa: F811
    factory = open_db(db_url)
    _build(factory, n=2)
    _inc(factory)
    with factory() as s:
        mark = s.get(Setting, WATERMARK).value
    assert mark["as_of"] == AS_OF.isoformat() and mark["last"]["mode"] == "full"
    with factory() as s:  # a watermark written before the as-of date was recorded: check everything once
        row = s.get(Setting, WATERMARK)
        row.value = {k: v for k, v in row.value.items() if k != "as_of"}
        s.commit()
    assert _inc(factory)["why"] == "no as-of date recorded"
    assert _inc(factory)["mode"] == "nothing"



# ---------------------------------------------------------------- the sample web, crawled twice
def _copy(crawled, tmp_path) -> str:
    import sqlite3

    target = tmp_path / "copy.db"
    src, dst = sqlite3.connect(crawled["dir"] / "nianbao.db"), sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return f"sqlite:///{target}"


def test_the_sample_web_incremental_check_keeps_every_expected_finding(crawled, tmp_path) -> None:
    from sampleweb.sites import SAMPLE_YEARS
    from tests.monitor.sample_expected import FROM_REAL_FILES, SEEDED

    factory = open_db(_copy(crawled, tmp_path))

    def codes() -> set[tuple[str, int, str]]:
        with factory() as s:
            return {(f.agency_id, f.year, f.code) for f in s.scalars(select(Finding).where(Finding.status == "open"))
                    if f.year in SAMPLE_YEARS}

    assert _inc(factory)["mode"] == "full"
    assert codes() == SEEDED | FROM_REAL_FILES
    with factory() as s:  # every agency crawled again, with the outcome and proof of its last crawl
        now = datetime.now(UTC)
        run = CrawlRun(started_at=now, finished_at=now, status="done")
        s.add(run)
        s.flush()
        last: dict[str, AgencyCrawl] = {}
        for c in s.scalars(select(AgencyCrawl).order_by(AgencyCrawl.id)):
            last[c.agency_id] = c
        for aid, c in last.items():
            s.add(AgencyCrawl(run_id=run.id, agency_id=aid, outcome=c.outcome, reason=c.reason, urls_tried=c.urls_tried,
                              columns=c.columns, pages=c.pages, reports_found=c.reports_found, proof=c.proof,
                              started_at=now, finished_at=now))
        s.commit()
    r = _inc(factory)
    assert r["mode"] == "incremental" and r["agencies"] == 0 and r["crawled_only"] > 0
    assert codes() == SEEDED | FROM_REAL_FILES
    assert _stored(factory) == _full(factory)
    with factory() as s:  # one report changes: judged whole, with its partners
        doc = s.scalars(select(Document).where(Document.kind == "page", Document.year.in_(list(SAMPLE_YEARS)))
                        .order_by(Document.id)).first()
        v = s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)
                      .order_by(DocumentVersion.id.desc())).first()
        store_fetch(s, Fetch(agency_id=doc.agency_id, url=doc.url, body=b"v2" + (v.text or "").encode(), year=doc.year,
                             title=doc.title, report=v.report, text=(v.text or "") + "（更正）"), None, run.id)
        s.commit()
    r = _inc(factory)
    assert r["mode"] == "incremental" and r["agencies"] >= 1
    assert _stored(factory) == _full(factory)


def test_reports_merely_seen_again_change_nothing_but_a_changed_title_or_an_undone_removal_does(
        db_url: str) -> None:  # noqa: F811
    from db.store import mark_removed

    factory = open_db(db_url)
    kept = _build(factory, n=4)
    with factory() as s:  # a003's 2022 report went away before the first check
        doc = s.scalar(select(Document).where(Document.agency_id == "a003", Document.year == 2022))
        mark_removed(s, doc, "404", datetime(2025, 3, 1, tzinfo=UTC))
        s.commit()
    assert _inc(factory)["mode"] == "full"
    assert any(k.startswith("a003|2022|REMOVED") for k in _stored(factory))

    def see_again(aid: str, title: str | None = None) -> None:  # what a crawl stores for an unchanged page
        with factory() as s:
            for year in (2022, 2023, 2024):
                name, tables, text = kept[(aid, year)]
                fetch = _fetch(aid, name, year, tables, text, None)
                fetch.title = title if (title and year == 2023) else fetch.title
                store_fetch(s, fetch, None)
            s.commit()
        _crawl(factory, [aid])

    see_again("a001")
    r = _inc(factory)
    assert (r["agencies"], r["crawled_only"]) == (0, 1)  # last_seen stamped on three reports: nothing to judge
    assert _stored(factory) == _full(factory)
    see_again("a002", title="第2号县某某局关于召开工作会议的通知")  # the listing's title changed
    see_again("a003")  # the removed report answers again
    r = _inc(factory)
    assert r["agencies"] == 2
    found = _stored(factory)
    assert not any(k.startswith("a003|2022|REMOVED") for k in found)
    assert found == _full(factory)
