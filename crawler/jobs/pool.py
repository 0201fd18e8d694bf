"""The worker's crawl processes: one long-lived :mod:`crawler.jobs.child` per job slot.

A job takes an idle crawl process (or starts one), hands it the batch as a line of JSON
and waits for its answer; the process then waits for the next job, so the start-up of a
crawl (seconds of CPU) is paid once per worker slot, not once per job.  The database URL
goes to the process in its environment, never on its command line.

Every crawl process is started from one long-lived thread of the worker (the
*spawner*): PR_SET_PDEATHSIG fires when the thread that forked a child ends, so a process
started from a job's short-lived thread could be killed between two jobs; from the spawner
it dies exactly when the worker dies (SIGKILL included), and a killed worker leaves no
crawl behind.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from crawler.jobs.child import PREFIX

log = logging.getLogger("nianbao.jobs")


class CrawlFailed(RuntimeError):
    """The crawl process answered an error, died, or exceeded the job's time limit."""


def _die_with_parent() -> None:
    """In the child: SIGKILL when the worker dies, so a killed worker leaves no crawl behind."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class _Spawner:
    """One thread that lives as long as the worker and starts every crawl process."""

    def __init__(self) -> None:
        self.requests: queue.Queue[tuple[Callable[[], Any], queue.Queue[tuple[bool, Any]]]] = queue.Queue()
        threading.Thread(target=self._run, name="nianbao-spawner", daemon=True).start()

    def _run(self) -> None:
        while True:
            fn, box = self.requests.get()
            try:
                box.put((True, fn()))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                box.put((False, exc))

    def call(self, fn: Callable[[], Any]) -> Any:
        box: queue.Queue[tuple[bool, Any]] = queue.Queue(1)
        self.requests.put((fn, box))
        ok, value = box.get()
        if not ok:
            raise value
        return value


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def spawner() -> _Spawner:
    global _spawner
    with _spawner_lock:
        if _spawner is None:
            _spawner = _Spawner()
        return _spawner


class CrawlProcess:
    """One long-lived crawl process and the threads that read its output."""

    def __init__(self, db_url: str) -> None:
        env = {**os.environ, "NIANBAO_DB_URL": db_url, "PYTHONUNBUFFERED": "1"}
        self.proc: subprocess.Popen[str] = spawner().call(lambda: subprocess.Popen(
            [sys.executable, "-m", "crawler.jobs.child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_parent, env=env))
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.stderr: collections.deque[str] = collections.deque(maxlen=30)
        self.jobs = 0
        self.recycle = False
        self.ready = False
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.startswith(PREFIX):
                try:
                    self.answers.put(json.loads(line[len(PREFIX):]))
                except ValueError:
                    log.warning("crawl process %s: unreadable answer %r", self.proc.pid, line[:200])
        self.answers.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip())
            sys.stderr.write(line)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None and not self.recycle

    def _last_error(self) -> str:
        lines = [x for x in self.stderr if x.strip()]
        return lines[-1] if lines else f"exit {self.proc.poll()}"

    def wait_ready(self, timeout: float) -> bool:
        """Wait until the process has warmed up (False: it died or took longer)."""
        while not self.ready:
            try:
                msg = self.answers.get(timeout=timeout)
            except queue.Empty:
                return False
            if msg is None:
                self.answers.put(None)  # the job that takes this process sees it gone
                return False
            self.ready = bool(msg.get("ready"))
        return True

    def run(self, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Crawl one batch; raises :class:`CrawlFailed` (the process is then gone)."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(spec) + "\n")
            self.proc.stdin.flush()
        except OSError:
            self.kill()
            raise CrawlFailed(f"the crawl process had exited: {self._last_error()}") from None
        while True:
            try:
                msg = self.answers.get(timeout=timeout)
            except queue.Empty:
                self.kill()
                raise CrawlFailed(f"crawl exceeded {timeout:.0f} s and was killed") from None
            if msg is None:
                self.kill()
                raise CrawlFailed(f"crawl process exited with {self.proc.poll()}: {self._last_error()}")
            if msg.get("ready"):
                self.ready = True
                continue
            if "error" in msg:
                self.kill()
                raise CrawlFailed(f"crawl failed: {msg['error']}")
            self.jobs += 1
            self.recycle = bool(msg.pop("recycle", False))
            return msg

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def close(self, timeout: float = 30.0) -> None:
        """End of stdin: the process exits (after its running job, if any)."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


class CrawlPool:
    """Idle crawl processes of one worker, taken by one job at a time."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.idle: list[CrawlProcess] = []
        self.lock = threading.Lock()

    def warm(self, n: int, timeout: float = 300.0) -> int:
        """Start ``n`` processes and wait until they are warm (the worker takes no job before);
        returns how many are ready (one that is not is replaced when a job takes it)."""
        procs = [CrawlProcess(self.db_url) for _ in range(n)]
        ready = sum(p.wait_ready(timeout) for p in procs)
        with self.lock:
            self.idle.extend(procs)
        return ready

    @contextmanager
    def take(self) -> Iterator[CrawlProcess]:
        with self.lock:
            while self.idle and not self.idle[-1].alive:
                self.idle.pop().close(5)
            proc = self.idle.pop() if self.idle else None
        if proc is None:
            proc = CrawlProcess(self.db_url)
        try:
            yield proc
        finally:
            if proc.alive:
                with self.lock:
                    self.idle.append(proc)
            else:
                proc.close(5)

    def close(self) -> None:
        with self.lock:
            procs, self.idle = self.idle, []
        for p in procs:
            p.close()


_pools: dict[str, CrawlPool] = {}
_pools_lock = threading.Lock()


def pool_for(db_url: str) -> CrawlPool:
    """This worker process's crawl pool for the database (one per process)."""
    with _pools_lock:
        return _pools.setdefault(db_url, CrawlPool(db_url))
