"""A worker's long-lived crawl process: batch after batch in one process (the start-up paid
once), results stored as by a one-shot crawl, the database URL never on a command line, a
failing batch reported and the process replaced, and a finished attempt never crawled again."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from crawler.jobs.batches import make_batches
from crawler.jobs.pool import CrawlFailed, CrawlPool
from db.models import AgencyCrawl, CrawlRun, Document
from db.registry import parse_registry, sync_registry
from db.runs import finish_run, start_run
from db.schema import open_db
from sampleweb.fleet import Fleet
from sampleweb.server import SampleServer, SampleWeb


@pytest.fixture
def small_fleet() -> Any:
    fleet = Fleet(hosts_count=4, per_host=2)
    web = SampleWeb([])
    web.fleet = fleet
    server = SampleServer(web).start()
    yield fleet, server
    server.stop()


def _agencies(fleet: Fleet) -> list[dict[str, Any]]:
    return [{"id": a.id, "site": f"http://{a.host}/", "start_urls": [f"http://{a.host}{a.column}"], "hosts": []}
            for a in fleet.agencies]


def test_batches_run_one_after_another_in_one_process(tmp_path: Path, small_fleet: Any) -> None:
    fleet, server = small_fleet
    db = f"sqlite:///{tmp_path / 'n.db'}"
    with open_db(db)() as s:
        sync_registry(s, parse_registry(fleet.registry_yaml()))
        s.commit()
    batches = make_batches(_agencies(fleet), 2)
    assert len(batches) == 2
    pool = CrawlPool(db)
    pool.warm(1)
    pids, results = set(), []
    try:
        for k, b in enumerate(batches):
            spec = {"files": str(tmp_path / "files"), "agencies": b.agencies, "hosts": b.hosts, "delay": 0.05,
                    "job": 100 + k, "attempt": 1, "worker": "t", "proxy": server.url}
            with pool.take() as proc:
                results.append(proc.run(spec, 120))
                pids.add(proc.proc.pid)
                cmdline = Path(f"/proc/{proc.proc.pid}/cmdline").read_bytes()
        # one process ran both batches; the database URL is in its environment, not its command line
        assert len(pids) == 1 and results[1]["jobs_in_process"] == 2
        assert db.encode() not in cmdline
        # an unknown agency: the crawl fails, is reported, and the process is replaced
        with pool.take() as proc, pytest.raises(CrawlFailed, match="unknown or inactive agency"):
            proc.run({"files": str(tmp_path / "files"), "agencies": ["nobody"], "hosts": [], "job": 9,
                      "attempt": 1, "worker": "t"}, 60)
        with pool.take() as proc:
            assert proc.proc.pid not in pids
    finally:
        pool.close()

    with open_db(db)() as s:
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.status for r in runs] == ["done", "done"]
        assert [r.stats["job"] for r in runs] == [100, 101]  # the job stays on the finished run
        assert {r.stats["crawl_pid"] for r in runs} == pids
        assert s.scalar(select(func.count()).select_from(AgencyCrawl)) == len(fleet.agencies)
        stored = set(s.scalars(select(Document.url).where(Document.kind == "page")))
    assert stored == {u for urls in fleet.report_urls().values() for u in urls}
    assert sum(r["agencies"] for r in results) == len(fleet.agencies)


def test_a_finished_attempt_is_not_crawled_again(new_pg_db: Any) -> None:
    """A job whose crawl finished but whose worker died before reporting it is not re-crawled
    (the finished run kept its job id: it used to lose it when the run's stats were replaced)."""
    from crawler.jobs.queue import finished_run, run_batch_job

    db = new_pg_db()
    with open_db(db)() as s:
        run = start_run(s, {"agencies": 3, "job": 41, "attempt": 1, "worker": "w"})
        finish_run(s, run, "done", {"pages": 12})  # what the store pipeline does at the end of a crawl
        s.commit()
        run_id = run.id
    assert finished_run(db, 41) == run_id
    assert run_batch_job(db, 41, 1, "w2", {"agencies": ["x"], "hosts": []}) == {"run_id": run_id, "already_done": True}


def test_no_crawl_process_outlives_its_worker(tmp_path: Path) -> None:
    """The crawl process dies with the worker that started it (PR_SET_PDEATHSIG), even though
    it was started from a job's thread that has since ended."""
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "w.py"
    script.write_text(
        "import sys, threading, time\n"
        "from crawler.jobs.pool import CrawlProcess\n"
        "box = []\n"
        "t = threading.Thread(target=lambda: box.append(CrawlProcess(sys.argv[1])))\n"
        "t.start(); t.join()\n"  # the thread that asked for the process is gone
        "print(box[0].proc.pid, flush=True)\n"
        "time.sleep(60)\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    w = subprocess.Popen([sys.executable, str(script), f"sqlite:///{tmp_path / 'n.db'}"], stdout=subprocess.PIPE,
                         text=True, env=env)
    assert w.stdout is not None
    pid = int(w.stdout.readline())
    time.sleep(1.0)
    assert Path(f"/proc/{pid}").exists()  # alive after its requesting thread ended
    w.send_signal(signal.SIGKILL)
    w.wait(10)
    end = time.time() + 10
    while time.time() < end and Path(f"/proc/{pid}").exists() and "Z" not in _state(pid):
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists() or "Z" in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (OSError, IndexError):
        return "Z"


def test_a_warm_crawl_process_imports_nothing_in_its_first_job(tmp_path: Path, small_fleet: Any) -> None:
    """Everything a crawl loads is imported, and every parser process started, before the
    process says it is ready: the first job of a process no longer pays for importing
    Scrapy's components (Playwright's handler most of all) on its reactor thread, nor for
    starting a parser process in the middle of its crawl."""
    fleet, server = small_fleet
    db = f"sqlite:///{tmp_path / 'n.db'}"
    with open_db(db)() as s:
        sync_registry(s, parse_registry(fleet.registry_yaml()))
        s.commit()
    pool = CrawlPool(db)
    assert pool.warm(1) == 1
    try:
        with pool.take() as proc:
            parsers = _parser_processes(proc.proc.pid)
            assert parsers == max(1, os.cpu_count() or 2)  # all of them, not one
            spec = {"files": str(tmp_path / "files"), "agencies": [a.id for a in fleet.agencies[:2]], "hosts": [],
                    "delay": 0.05, "job": 1, "attempt": 1, "worker": "t", "proxy": server.url}
            result = proc.run(spec, 120)
            assert result["pages"] > 0
            # (a codec on first use is the standard library's business)
            ours = [m for m in result["modules_imported"] if m.split(".")[0] not in sys.stdlib_module_names]
            assert ours == [], result["modules_imported"]
            assert _parser_processes(proc.proc.pid) == parsers
    finally:
        pool.close()


def _parser_processes(pid: int) -> int:
    """The parser pool's processes under a crawl process (spawned: ``spawn_main`` in their command line)."""
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        count += parent == pid and b"spawn_main" in cmd
    return count
