"""End to end through a real loopback server: crawl the bundled sample web twice.

The sample web runs in this process (a thread on 127.0.0.1, used by the crawler as its
HTTP proxy); each crawl is a real ``nianbao crawl`` child process, as in production.
Everything is checked against the sample web's own ground truth and request log.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from db.models import AgencyCrawl
from db.schema import open_db
from tests.conftest import DELAY

UNREACHABLE = {"dead-daj": "HTTP 502", "slow-tjj": "超时", "waf-sfj": "被拦截"}


def test_crawls_succeed_with_a_summary(crawled) -> None:
    for run in (crawled["first"], crawled["second"]):
        assert run.returncode == 0, run.stderr[-2000:]
        assert "共抓取12个机关，3个无法访问" in run.stdout


def test_every_report_found_and_nothing_else(crawled) -> None:
    # what a crawler can see: not behind a failing list page, not in a column nobody links
    expected = {r["url"] for r in crawled["truth1"]["reports"] if r["site_state"] == "ok" and r["discoverable"]}
    foreign = set(crawled["truth1"]["foreign_reports"])  # another agency's reports: attributed elsewhere
    found = {r["url"] for r in crawled["reports1"]} - foreign
    assert found == expected  # recall 100%, precision 100%
    assert not found & set(crawled["truth1"]["non_reports"])
    by_url = {r["url"]: r for r in crawled["reports1"]}
    for t in crawled["truth1"]["reports"]:
        if t["site_state"] != "ok" or not t["discoverable"]:
            continue
        got = by_url[t["url"]]
        assert (got["agency"], got["year"], got["title"]) == (t["agency"], t["year"], t["title"])
        if t["pubdate_reset"]:  # a migration reset PubDate: the other sources outvote it, and say so
            assert got["published"]["date"] == t["displayed"] and got["published"]["source"] != "meta:PubDate"
            assert got["published"]["conflict"]["dates"]["meta:PubDate"] == t["pubdate_reset"]
        else:
            assert got["published"] == {"date": t["displayed"], "source": "meta:PubDate"}
        assert got["first_seen"]
        sources = {e["source"].removesuffix("-migrated") for e in got["evidence"]}  # ingestion may mark a reset PubDate
        assert {"meta:PubDate", "page:date", "first_seen"} <= sources


def test_attachments_are_stored_and_parsed(crawled) -> None:
    by_url = {r["url"]: r for r in crawled["reports1"]}
    checked = 0
    for t in crawled["truth1"]["reports"]:
        if t["site_state"] != "ok" or not t["attachments"] or not t["discoverable"]:
            continue
        got = by_url[t["url"]]
        assert [a["url"] for a in got["attachments"]] == t["attachments"]
        for a in got["attachments"]:
            assert (crawled["dir"] / "files" / a["stored_path"]).is_file()
            assert a["type"] == {"image": "png"}.get(t["format"], t["format"])
        if t["format"] != "image":
            assert got["parse_status"] == "ok" and got["format"] in ("2019", "2021"), t
        checked += 1
    assert checked == 10  # pdf x3, docx, xlsx, doc, wps, xls, et, png


def test_generated_tables_are_parsed_exactly(crawled) -> None:
    factory = open_db(f"sqlite:///{crawled['dir'] / 'nianbao.db'}")
    from db.models import Document

    with factory() as s:
        for t in crawled["truth1"]["reports"]:
            if t["site_state"] != "ok" or not t["discoverable"] or t["format"] not in ("html", "docx", "xlsx") or "tables" not in t:
                continue
            doc = s.scalar(select(Document).where(Document.url == t["url"]))
            holder = doc if t["format"] == "html" else doc.attachments[0]
            tables = holder.versions[0].report["tables"]
            assert tables["requests"]["rows"] == t["tables"]["requests"], t["url"]
            assert tables["appeals"] == t["tables"]["appeals"]


def test_dead_sites_are_recorded_with_reasons(crawled) -> None:
    factory = open_db(f"sqlite:///{crawled['dir'] / 'nianbao.db'}")
    with factory() as s:
        rows = {r.agency_id: r for r in s.scalars(select(AgencyCrawl).where(AgencyCrawl.run_id == 1))}
    assert {a for a, r in rows.items() if r.outcome == "unreachable"} == set(UNREACHABLE)
    for aid, reason in UNREACHABLE.items():
        assert reason in rows[aid].reason
        assert rows[aid].urls_tried
    assert rows["shanggao-kjj"].columns == ["http://shanggao-kjj.gov.cn.test/xxgk/ndbg/"]  # found via sitemap.xml


def test_polite_robots_and_traps(crawled) -> None:
    log = crawled["log1"]
    assert not [e for e in log if e.path.startswith(("/private", "/calendar", "/search"))]
    assert all(e.path == "/robots.txt" for e in [next(x for x in log if x.host == h) for h in {e.host for e in log}])
    per_host: dict[str, list[float]] = defaultdict(list)
    for e in log:
        per_host[e.host].append(e.at)
    worst = 0
    for times in per_host.values():
        times.sort()
        for i in range(len(times)):
            window = [t for t in times[i:] if t - times[i] < 1.0]
            worst = max(worst, len(window))
    assert worst <= 1 / DELAY + 1  # requests per second per host, measured at the server


def test_second_crawl_downloads_nothing_unchanged(crawled) -> None:
    b1, b2 = crawled["bodies1"], crawled["bodies2"]
    # the slow site's answers arrive after the crawler gave up: not downloads
    refetched = [(e.host, e.path) for e in crawled["log2"]
                 if e.status == 200 and not e.host.startswith("slow-") and e.size and e.method == "GET" and (e.host, e.path) in b1
                 and b1.get((e.host, e.path)) == b2.get((e.host, e.path))]
    assert refetched == []
    assert sum(1 for e in crawled["log2"] if e.status == 304) > 50


def test_edit_removal_and_new_report_recorded(crawled) -> None:
    by_url = {r["url"]: r for r in crawled["reports2"]}
    edited = next(t for t in crawled["truth2"]["reports"] if t["edited"])
    removed = next(t for t in crawled["truth2"]["reports"] if t["removed"])
    new = next(t for t in crawled["truth2"]["reports"] if t["appears_in_phase"] == 2)
    assert by_url[edited["url"]]["versions"] == 2
    assert by_url[removed["url"]]["removed"]
    assert by_url[new["url"]]["published"]["date"] < by_url[new["url"]]["first_seen"][:10]  # back-dated page
    unchanged = [r for r in crawled["reports2"] if r["url"] not in (edited["url"], removed["url"])]
    assert all(r["versions"] == 1 and not r["removed"] for r in unchanged)


def test_endless_paging_and_shell_pages(crawled) -> None:
    log = crawled["log1"]
    for host in {e.host for e in log if e.host.startswith(("zibo-", "shanggao-"))}:
        pages = sorted(int(e.path.split("page=")[1]) for e in log if e.host == host and "?page=" in e.path)
        real = max(p for p in pages) - 1  # the crawler stops after the first empty page
        assert pages == list(range(2, real + 2)), (host, pages)
        assert len(pages) <= 4
    assert any(e.path.endswith("_shell.html") for e in log)  # meta refresh shell (TRS site)
    assert any(e.path.endswith("_redirect.html") for e in log)  # JS location.href shell (generic site)
