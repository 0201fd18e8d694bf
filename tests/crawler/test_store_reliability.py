"""Issue 16, the storing side, on loopback with real ``nianbao crawl`` child processes:

* item 6: a report that cannot be saved (the SQLite file really locked by another
  connection) is an error of the run, shown, exit 1, the agency's outcome not ``ok`` and
  its proof not complete;
* item 11: outcomes are written as each agency finishes, so a crawl killed by SIGKILL keeps
  them, and the next crawl marks the dead run killed, naming the unfinished agencies;
* item 12: a truncated HTTP-cache entry is not served on a 304: the page is fetched again;
* item 16: a report URL listed by two agencies is both agencies' report, stored once.
"""

from __future__ import annotations

import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from db.dates import BEIJING
from db.models import AgencyCrawl, CrawlRun, Document, DocumentVersion
from db.schema import open_db
from db.store import reports
from monitor.check import assess_all
from monitor.proof import judge
from tests.crawler.loopweb import Answer, LoopWeb, article, column

ROOT = Path(__file__).parents[2]
REPORT = (ROOT / "tests" / "fixtures" / "formats" / "xinzhou-2020-trs.shtml").read_bytes()
REPORT_2023 = REPORT.replace(b"2020", b"2023")  # a real report page (sections and tables), of 2023
TITLE = "2023年政府信息公开工作年度报告"


def _registry(tmp_path: Path, agencies: list[dict[str, Any]]) -> Path:
    lines = ["agencies:"]
    for a in agencies:
        lines += [f"  - id: {a['id']}", f"    name: {a['name']}", "    kind: government", f"    site: {a['site']}",
                  f"    start_urls: [{', '.join(a['start_urls'])}]"]
    reg = tmp_path / "registry.yaml"
    reg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return reg


def _cmd(tmp_path: Path, web: LoopWeb, *extra: str) -> list[str]:
    return [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(tmp_path / "registry.yaml"),
            "--proxy", web.url, "--delay", "0", "--timeout", "60", "--retries", "0", *extra]


def _env(tmp_path: Path, db_url: str | None = None) -> dict[str, str]:
    return {**os.environ, "NIANBAO_DB_URL": db_url or f"sqlite:///{tmp_path / 'nianbao.db'}",
            "NIANBAO_FILES": str(tmp_path / "files")}


def _crawl(tmp_path: Path, web: LoopWeb, *extra: str, db_url: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_cmd(tmp_path, web, *extra), capture_output=True, text=True, env=_env(tmp_path, db_url),
                          cwd=tmp_path, timeout=300, check=False)


def _statuses(db: str, year: int) -> dict[str, Any]:
    with open_db(db)() as s:
        # as of today in Beijing: after 16:00 UTC the UTC date is a day behind, and its cutoff
        # (the end of that day, Beijing) would come before what the crawl just stored
        return {r.agency.id: r for r in assess_all(s, datetime.now(BEIJING).date(), years=[year])}


# ---------------------------------------------------------------- item 6
def test_a_report_that_cannot_be_saved_is_an_error_of_the_run(tmp_path: Path) -> None:
    db_file = tmp_path / "nianbao.db"
    held = threading.Event()

    def lock_the_database() -> None:  # another connection takes the write lock while the report is stored
        def hold() -> None:
            conn = sqlite3.connect(db_file, timeout=10, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(8.0)
            conn.execute("ROLLBACK")
            conn.close()
        threading.Thread(target=hold, daemon=True).start()
        held.wait(10)

    a, b = "a.lock.gov.cn", "b.lock.gov.cn"
    routes = {
        (a, "/nb/"): Answer(column(("/art/2024/1/20/art_9.html", TITLE))),
        (a, "/art/2024/1/20/art_9.html"): Answer(article(TITLE), on_request=lock_the_database),
        (b, "/nb/"): Answer(column(("/art/2024/1/20/art_9.html", TITLE)), delay=14.0),  # keeps the crawl open past the lock
        (b, "/art/2024/1/20/art_9.html"): Answer(REPORT_2023),
    }
    _registry(tmp_path, [{"id": "lock-a", "name": "甲县人民政府", "site": f"http://{a}/", "start_urls": [f"http://{a}/nb/"]},
                         {"id": "lock-b", "name": "乙县人民政府", "site": f"http://{b}/", "start_urls": [f"http://{b}/nb/"]}])
    with LoopWeb(routes) as web:
        run = _crawl(tmp_path, web, db_url=f"sqlite:///{db_file}?timeout=0.5")
    assert held.is_set()
    assert run.returncode == 1, run.stdout + run.stderr[-2000:]
    assert "未能保存入数据库" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "保存失败" in run.stdout and "出错0次" not in run.stdout, run.stdout
    with open_db(f"sqlite:///{db_file}")() as s:
        rows = {r.agency_id: r for r in s.scalars(select(AgencyCrawl))}
        assert rows["lock-b"].outcome == "ok"
        failed = rows["lock-a"]
        assert failed.outcome == "store_failed" and "database is locked" in failed.reason, failed.reason
        assert failed.proof["columns"] and all(c["failed"] for c in failed.proof["columns"])
        assert not judge(failed.proof, 2023).proved and not judge(failed.proof, 2019).proved
        assert s.scalar(select(CrawlRun)).stats["store_errors"] == 1
        assert s.scalar(select(Document).where(Document.agency_id == "lock-a")) is None  # really lost
    status = _statuses(f"sqlite:///{db_file}", 2023)
    assert status["lock-a"].status.status not in ("missing", "published", "late")  # not judged from that run
    assert not [d for d in status["lock-a"].drafts if d.code == "MISSING"]
    assert status["lock-b"].status.status in ("published", "late")


# ---------------------------------------------------------------- item 11
def _rows(db_file: Path, sql: str) -> list[tuple[Any, ...]]:
    try:
        conn = sqlite3.connect(db_file, timeout=5)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet
        return []


def test_a_killed_crawl_keeps_the_outcomes_of_the_agencies_it_finished(tmp_path: Path) -> None:
    db_file = tmp_path / "nianbao.db"
    a, b = "a.kill.gov.cn", "b.kill.gov.cn"
    routes = {
        (a, "/nb/"): Answer(column(("/art/2024/1/20/art_9.html", TITLE))),
        (a, "/art/2024/1/20/art_9.html"): Answer(REPORT_2023),
        (b, "/nb/"): Answer(column(("/art/2024/1/20/art_9.html", TITLE)), delay=120.0),  # never answers before the kill
    }
    _registry(tmp_path, [{"id": "kill-a", "name": "甲县人民政府", "site": f"http://{a}/", "start_urls": [f"http://{a}/nb/"]},
                         {"id": "kill-b", "name": "乙县人民政府", "site": f"http://{b}/", "start_urls": [f"http://{b}/nb/"]}])
    with LoopWeb(routes) as web:
        proc = subprocess.Popen(_cmd(tmp_path, web), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=_env(tmp_path), cwd=tmp_path, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _rows(db_file, "SELECT agency_id FROM agency_crawls"):
                assert proc.poll() is None, proc.communicate()
                time.sleep(0.3)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # as the service does at its time limit
            proc.communicate()
        assert web.hits(b, "/nb/"), "the slow agency was still being crawled"
        assert _rows(db_file, "SELECT agency_id, outcome FROM agency_crawls") == [("kill-a", "ok")]
        assert _rows(db_file, "SELECT status FROM crawl_runs") == [("running",)]
        again = _crawl(tmp_path, web, "--agency", "kill-a")  # the next start
    assert again.returncode == 0, again.stderr[-2000:]
    with open_db(f"sqlite:///{db_file}")() as s:
        first, second = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert (first.status, second.status) == ("killed", "done")
        assert first.stats["unfinished"] == ["kill-b"] and first.stats["finished_agencies"] == 1
        kept = s.scalar(select(AgencyCrawl).where(AgencyCrawl.run_id == first.id))
        assert (kept.agency_id, kept.outcome, kept.reports_found) == ("kill-a", "ok", 1)
        assert kept.proof["columns"][0]["exhausted"] and kept.proof["columns"][0]["years"] == [2023]
        assert s.scalar(select(func.count()).select_from(AgencyCrawl).where(AgencyCrawl.agency_id == "kill-b")) == 0
    status = _statuses(f"sqlite:///{db_file}", 2023)
    assert status["kill-b"].status.status == "unchecked"  # the unfinished agency: nothing concluded
    assert status["kill-a"].status.status in ("published", "late")


# ---------------------------------------------------------------- item 12
def _cache_entry(files: Path, url: str) -> Path:
    """The cache file of ``url`` (crawler/httpcache.py: one ``.entry`` file per response)."""
    for entry in (files / ".httpcache").rglob("*.entry"):
        if pickle.loads(entry.read_bytes())["url"] == url:
            return entry
    raise AssertionError(f"no cache entry for {url}")


def test_a_truncated_cache_entry_is_fetched_again_not_served_on_304(tmp_path: Path) -> None:
    h = "www.cache.gov.cn"
    other = "2022年政府信息公开工作年度报告"
    routes = {
        (h, "/nb/"): Answer(column(("/art/2024/1/20/art_9.html", TITLE), ("/art/2023/1/20/art_8.html", other))),
        (h, "/art/2024/1/20/art_9.html"): Answer(REPORT_2023, etag='"r2023"'),
        (h, "/art/2023/1/20/art_8.html"): Answer(article(other), etag='"r2022"'),
    }
    _registry(tmp_path, [{"id": "cache", "name": "丙县人民政府", "site": f"http://{h}/", "start_urls": [f"http://{h}/nb/"]}])
    with LoopWeb(routes) as web:
        first = _crawl(tmp_path, web)
        assert first.returncode == 0, first.stderr[-2000:]
        cached = [p for p in (tmp_path / "files" / ".httpcache").rglob("*") if p.is_file()]
        assert cached and all(p.name.endswith(".entry") for p in cached)  # one file per response
        entry = _cache_entry(tmp_path / "files", f"http://{h}/art/2024/1/20/art_9.html")
        entry.write_bytes(entry.read_bytes()[: len(REPORT) // 3])  # a write cut short
        second = _crawl(tmp_path, web)
        assert second.returncode == 0, second.stderr[-2000:]
        truncated, intact = web.hits(h, "/art/2024/1/20/art_9.html"), web.hits(h, "/art/2023/1/20/art_8.html")
    assert "if-none-match" not in truncated[-1].headers and truncated[-1].status == 200  # fetched in full
    assert intact[-1].headers.get("if-none-match") == '"r2022"' and intact[-1].status == 304  # the cache still works
    with open_db(f"sqlite:///{tmp_path / 'nianbao.db'}")() as s:
        versions = s.scalar(select(func.count()).select_from(DocumentVersion).join(Document)
                            .where(Document.url == f"http://{h}/art/2024/1/20/art_9.html"))
    assert versions == 1  # no false new version (EDITED), no truncated text (SECTION/TABLE_MISSING)
    third = _cache_entry(tmp_path / "files", f"http://{h}/art/2024/1/20/art_9.html")
    assert pickle.loads(third.read_bytes())["body"] == REPORT_2023  # stored anew, whole


# ---------------------------------------------------------------- item 16
def test_one_report_url_listed_by_two_agencies_is_both_agencies_report(tmp_path: Path) -> None:
    portal, dept = "www.share.gov.cn", "kjj.share.gov.cn"
    title = "2020年度政府信息公开年度报告"
    routes = {
        (portal, "/nb/"): Answer(column(("/art/2021/2/5/art_1.shtml", title))),
        (portal, "/kjj/nb/"): Answer(column(("/art/2021/2/5/art_1.shtml", title))),  # the department's column on the portal
        (portal, "/art/2021/2/5/art_1.shtml"): Answer(REPORT),
    }
    _registry(tmp_path, [
        {"id": "share-zf", "name": "丁市人民政府", "site": f"http://{portal}/", "start_urls": [f"http://{portal}/nb/"]},
        {"id": "share-kjj", "name": "丁市科学技术局", "site": f"http://{dept}/", "start_urls": [f"http://{portal}/kjj/nb/"]},
    ])
    with LoopWeb(routes) as web:
        run = _crawl(tmp_path, web)
        assert run.returncode == 0, run.stderr[-2000:]
        assert len(web.hits(portal, "/art/2021/2/5/art_1.shtml")) == 1  # fetched once
    url = f"http://{portal}/art/2021/2/5/art_1.shtml"
    db = f"sqlite:///{tmp_path / 'nianbao.db'}"
    with open_db(db)() as s:
        rows = [(r["agency"], r["year"], r["url"]) for r in reports(s)]
        assert sorted(rows) == [("share-kjj", 2020, url), ("share-zf", 2020, url)]
        stored = s.scalars(select(DocumentVersion.stored_path).join(Document).where(Document.url == url)).all()
        found = {r.agency_id: r.reports_found for r in s.scalars(select(AgencyCrawl))}
    assert len(stored) == 1 and len(list((tmp_path / "files").rglob("*.html"))) == 1  # the file once
    assert found == {"share-zf": 1, "share-kjj": 1}
    status = _statuses(db, 2020)
    for aid in ("share-zf", "share-kjj"):
        assert status[aid].status.status in ("published", "late"), (aid, status[aid].status.status, status[aid].status.evidence)
        assert not [d for d in status[aid].drafts if d.code == "DUPLICATE_CONTENT"]  # one document, not two
    listed = subprocess.run([sys.executable, "-m", "crawler.cli", "reports", "--json", "--agency", "share-kjj"],
                            capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, check=True)
    assert url in listed.stdout


def test_one_attachment_linked_from_two_agencies_pages_is_both_reports_file(tmp_path: Path) -> None:
    portal = "www.attach.gov.cn"
    title = "2024年政府信息公开工作年度报告"
    docx = (ROOT / "tests" / "fixtures" / "formats" / "huaian-2024.docx").read_bytes()
    link = "<p>附件：<a href='/files/2024-report.docx'>2024年政府信息公开工作年度报告.docx</a></p>"
    routes = {
        (portal, "/nb/"): Answer(column(("/art/2025/1/20/art_1.html", title))),
        (portal, "/kjj/nb/"): Answer(column(("/art/2025/1/22/art_2.html", title))),
        (portal, "/art/2025/1/20/art_1.html"): Answer(article(title, link)),
        (portal, "/art/2025/1/22/art_2.html"): Answer(article(title, link)),  # the department attaches the same file
        (portal, "/files/2024-report.docx"): Answer(docx, ctype="application/octet-stream"),
    }
    _registry(tmp_path, [
        {"id": "att-zf", "name": "戊市人民政府", "site": f"http://{portal}/", "start_urls": [f"http://{portal}/nb/"]},
        {"id": "att-kjj", "name": "戊市科学技术局", "site": "http://kjj.attach.gov.cn/",
         "start_urls": [f"http://{portal}/kjj/nb/"]},
    ])
    with LoopWeb(routes) as web:
        run = _crawl(tmp_path, web)
        assert run.returncode == 0, run.stderr[-2000:]
    db = f"sqlite:///{tmp_path / 'nianbao.db'}"
    with open_db(db)() as s:
        rows = {r["agency"]: r for r in reports(s, year=2024)}
    assert set(rows) == {"att-zf", "att-kjj"}
    for r in rows.values():
        assert [a["url"] for a in r["attachments"]] == [f"http://{portal}/files/2024-report.docx"], r
        assert r["parse_status"] == "ok" and r["format"] == "2021"
    assert rows["att-zf"]["attachments"] == rows["att-kjj"]["attachments"]
    assert len(list((tmp_path / "files").rglob("*.docx"))) == 1  # stored once
    status = _statuses(db, 2024)
    for aid in rows:
        assert status[aid].status.status in ("published", "late"), (aid, status[aid].status)
        assert not [d for d in status[aid].drafts if d.code in ("TABLE_MISSING", "SECTION_MISSING", "WRONG_DOCUMENT")]
