"""The parser pool times each document from its own start and kills only the worker that
overran (issue 16, item 9); nothing LibreOffice started outlives a timeout (item 10)."""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest

import parsing.api as api
import parsing.pool as pool_mod
from parsing.readers import office
from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"
SLOW = (FORMATS / "xinzhou-2020-scan.pdf").read_bytes()  # OCR of every page: many seconds
FAST = (FORMATS / "huaian-2024.docx").read_bytes()  # a fraction of a second
DOC = (FORMATS / "huaian-2024.doc").read_bytes()  # through LibreOffice


MARK = "NIANBAO_TEST_MARK"


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[str, Path]:
    """Every process started from here on carries a marker in its environment, and every
    temporary file goes under ``tmp_path`` (TMPDIR is inherited by spawned workers)."""
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK, mark)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return mark, tmp_path


def _ours(mark: str) -> list[str]:
    """Command lines of live (non-zombie) processes carrying ``mark`` other than this one."""
    found = []
    needle = f"{MARK}={mark}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if needle not in Path(f"/proc/{pid}/environ").read_bytes():
                continue
            status = Path(f"/proc/{pid}/status").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "State:\tZ" not in status:
            found.append(cmdline)
    return found


def _soffice_gone(mark: str, within: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within
    while (left := [c for c in _ours(mark) if "soffice" in c or "oosplash" in c]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _in_threads(pool: pool_mod.ParserPool, jobs: list[tuple[str, bytes]]) -> dict[str, tuple[object, float]]:
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
    pool = pool_mod.ParserPool(processes=2, timeout=3)
    try:
        assert pool.parse(FAST).ok
        results = _in_threads(pool, [("slow1", SLOW), ("slow2", SLOW), ("fast", FAST)])
        for name in ("slow1", "slow2"):
            assert results[name][0].error == "parsing timed out after 3 s"
        fast, waited = results["fast"]
        assert fast.ok, fast.error
        assert waited > 2.5  # it did wait for a worker, and that wait was not its time
    finally:
        pool.close()


def test_a_timeout_kills_only_the_worker_that_overran() -> None:
    """Pool of 2: two threads stream fast documents through the second worker (so one is
    always in flight and one waiting) while the slow one times out on the first; none of
    them is killed or lost with it."""
    pool = pool_mod.ParserPool(processes=2, timeout=3)
    fast: list[object] = []
    stop = time.monotonic() + 6

    def stream() -> None:
        while time.monotonic() < stop:
            fast.append(pool.parse(FAST))

    try:
        assert pool.parse(FAST).ok
        streamers = [threading.Thread(target=stream) for _ in range(2)]
        slow = threading.Thread(target=lambda: fast.append(("slow", pool.parse(SLOW))))
        slow.start()
        time.sleep(0.2)
        for t in streamers:
            t.start()
        slow.join(60)
        for t in streamers:
            t.join(60)
        slow_result = next(r for r in fast if isinstance(r, tuple))[1]
        assert slow_result.error == "parsing timed out after 3 s"
        reports = [r for r in fast if not isinstance(r, tuple)]
        assert len(reports) > 10
        assert [r.error for r in reports if not r.ok] == []
        assert pool.parse(FAST).ok
    finally:
        pool.close()


def test_pool_timeout_kills_libreoffice_and_leaves_no_directory(marked: tuple[str, Path]) -> None:
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    mark, tmp = marked
    pool = pool_mod.ParserPool(processes=1, timeout=1)
    try:
        report = pool.parse(DOC)
        assert report.error == "parsing timed out after 1 s"
        assert _soffice_gone(mark) == []
        assert list(tmp.iterdir()) == []
        assert report.failure == "transient"
        pool.timeout = 120
        assert pool.parse(FAST).ok
    finally:
        pool.close()
    assert list(tmp.iterdir()) == []


def test_conversion_timeout_kills_the_process_group(marked: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process (``nianbao parse`` without a pool): the launcher and soffice.bin both die,
    the profile and the conversion directory are removed."""
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    mark, tmp = marked
    monkeypatch.setattr(office, "CONVERT_TIMEOUT", 0.5)
    with pytest.raises(api.ParseError) as err:
        office.convert(DOC, "doc", "docx")
    assert "timed out" in str(err.value)
    assert _soffice_gone(mark) == []
    assert list(tmp.iterdir()) == []


def test_guarded_parse_timeout_kills_libreoffice(marked: tuple[str, Path]) -> None:
    if office.soffice_path() is None:
        pytest.skip("LibreOffice not installed")
    mark, tmp = marked
    report = api.parse_guarded(DOC, timeout=1)
    assert report.error == "parsing timed out after 1 s"
    assert _soffice_gone(mark) == []
    assert list(tmp.iterdir()) == []
