"""The parser pool times each document from its own start and kills only the worker that
overran (issue 16, item 9); nothing LibreOffice started outlives a timeout (item 10)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest

import parsing.api as api
from parsing.readers import office
from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"
SLOW = (FORMATS / "xinzhou-2020-scan.pdf").read_bytes()  # OCR of every page: many seconds
FAST = (FORMATS / "huaian-2024.docx").read_bytes()  # a fraction of a second
DOC = (FORMATS / "huaian-2024.doc").read_bytes()  # through LibreOffice


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that mention ``text`` (our temp dir: our LibreOffice)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = next((line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                          if line.startswith("State:")), "")
        except OSError:
            continue
        if text in cmdline and "zombie" not in state:
            found.append(cmdline)
    return found


def _gone(text: str, within: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := _processes_mentioning(text)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _in_threads(pool: api.ParserPool, jobs: list[tuple[str, bytes]]) -> dict[str, tuple[object, float]]:
    results: dict[str, tuple[object, float]] = {}

    def run(name: str, data: bytes) -> None:
        t0 = time.monotonic()
        results[name] = (pool.parse(data), time.monotonic() - t0)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
        time.sleep(0.2)  # in this order
    for t in threads:
        t.join(120)
    return results


def test_queue_time_is_not_counted() -> None:
    """Pool of 2, both workers busy with slow documents (OCR): a fast DOCX queued behind
    them waits longer than the limit, then parses; only the slow ones time out."""
    pool = api.ParserPool(processes=2, timeout=3)
    try:
        assert pool.parse(FAST).ok
        results = _in_threads(pool, [("slow1", SLOW), ("slow2", SLOW), ("fast", FAST)])
        for name in ("slow1", "slow2"):
            report = results[name][0]
            assert report.error == "parsing timed out after 3 s" and report.failure == "transient"
        fast, waited = results["fast"]
        assert fast.ok, fast.error
        assert waited > 2.5  # it did wait for a worker, and that wait was not its time
    finally:
        pool.close()


def test_a_timeout_kills_only_the_worker_that_overran() -> None:
    """Pool of 2: fast documents parse one after another on the second worker while the
    slow one times out on the first; none of them is killed with it."""
    pool = api.ParserPool(processes=2, timeout=3)
    fast: list[object] = []
    stop = time.monotonic() + 6

    def stream() -> None:
        while time.monotonic() < stop:
            fast.append(pool.parse(FAST))

    try:
        assert pool.parse(FAST).ok
        streamer = threading.Thread(target=stream)
        slow = threading.Thread(target=lambda: fast.append(("slow", pool.parse(SLOW))))
        slow.start()
        time.sleep(0.2)
        streamer.start()
        slow.join(60)
        streamer.join(60)
        slow_result = next(r for r in fast if isinstance(r, tuple))[1]
        assert slow_result.error == "parsing timed out after 3 s"
        reports = [r for r in fast if not isinstance(r, tuple)]
        assert len(reports) > 10
        assert [r.error for r in reports if not r.ok] == []
        assert pool.parse(FAST).ok
    finally:
        pool.close()


def test_pool_timeout_kills_libreoffice_and_leaves_no_directory(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    pool = api.ParserPool(processes=1, timeout=0.5)
    try:
        report = pool.parse(DOC)
        assert report.error == "parsing timed out after 0.5 s"
        assert _gone(str(tmp_path)) == []
        assert list(tmp_path.iterdir()) == []
        pool.timeout = 60
        assert pool.parse(FAST).ok
    finally:
        pool.close()
    assert list(tmp_path.iterdir()) == []


def test_conversion_timeout_kills_the_process_group(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """In-process (``nianbao parse``): the launcher and soffice.bin both die, the profile and
    the conversion directory are removed."""
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(office, "CONVERT_TIMEOUT", 0.3)
    with pytest.raises(api.ParseError) as err:
        office.convert(DOC, "doc", "docx")
    assert "timed out" in str(err.value) and err.value.failure == "transient"
    assert _gone(str(tmp_path)) == []
    assert list(tmp_path.iterdir()) == []


def test_guarded_parse_timeout_kills_libreoffice(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    report = api.parse_guarded(DOC, timeout=0.5)
    assert report.error == "parsing timed out after 0.5 s" and report.failure == "transient"
    assert _gone(str(tmp_path)) == []
    assert list(tmp_path.iterdir()) == []
