"""Long-lived parser worker processes, each document timed from its own start.

The crawler parses many documents from several threads.  Forking the (large) crawler
per document costs more than most parses, so ``processes`` spawned workers are kept and
reused.  Each worker serves one document at a time over its own pipe:

- a document's time limit starts when a worker *starts* it, not when it is queued, so a
  fast document waiting behind a slow one is never reported as timed out;
- a document that overruns kills only *its* worker (and that worker's whole process
  group: a LibreOffice it started dies with it), which is then replaced; the other
  workers' documents go on;
- every worker gets a private temporary directory (``TMPDIR``; LibreOffice profiles and
  conversions live there), removed by the pool when the worker ends or is killed, so
  nothing piles up in ``/tmp``.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

from parsing.errors import PERMANENT, TRANSIENT
from parsing.groups import become_child, kill_group, kill_tree
from parsing.model import Report

STOP = None
STARTUP_TIMEOUT = 120.0  # a spawned worker imports the parser (a few seconds on a loaded machine)


def _worker_main(conn: Any, memory_mb: int, use_ocr: bool, tmpdir: str) -> None:  # pragma: no cover - child
    """A worker: own process group, own temp dir, address-space limit; parse until told to stop."""
    become_child(tmpdir, memory_mb)
    from parsing.api import parse_bytes

    conn.send("ready")  # imports done: the first document's clock starts with it, not with them
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is STOP:
            return
        try:
            report = parse_bytes(job, use_ocr=use_ocr, article_text=True)
        except MemoryError:
            report = Report(source_type="unknown", error=f"out of memory while parsing (limit {memory_mb} MB)",
                            failure=PERMANENT)
        try:
            conn.send(report)
        except (OSError, ValueError):
            return


@dataclass(slots=True)
class _Worker:
    process: Any
    conn: Any
    tmpdir: str
    jobs: int = 0


class ParserPool:
    """``processes`` parser workers with a per-document time limit and memory limit.

    Thread-safe: :meth:`parse` may be called from many threads; a call waits for an idle
    worker (that wait is not counted), then gives its document ``timeout`` seconds.
    """

    def __init__(self, processes: int = 2, *, timeout: float | None = None,
                 memory_mb: int | None = None, use_ocr: bool = True, max_jobs: int = 500) -> None:
        from parsing.api import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

        self.processes = max(1, processes)
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self.memory_mb = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
        self.use_ocr = use_ocr
        self.max_jobs = max_jobs
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._closed = False
        for _ in range(self.processes):
            self._idle.put(None)  # a slot; the worker is started when first needed

    def _start(self) -> _Worker:
        tmpdir = tempfile.mkdtemp(prefix="nianbao-parser-")
        parent, child = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=_worker_main, args=(child, self.memory_mb, self.use_ocr, tmpdir), daemon=True)
        proc.start()
        child.close()
        worker = _Worker(proc, parent, tmpdir)
        with self._lock:
            self._all.append(worker)
        try:
            ready = parent.poll(STARTUP_TIMEOUT) and parent.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._end(worker, kill=True)
            raise OSError("parser worker did not start")
        return worker

    def _end(self, worker: _Worker, *, kill: bool) -> None:
        """Stop a worker (kill its process group when ``kill``) and remove its temp dir."""
        if kill:
            kill_tree(worker.process.pid, worker.tmpdir)
        else:
            try:
                worker.conn.send(STOP)
            except (OSError, ValueError):
                pass
        worker.process.join(5)
        if worker.process.is_alive():
            kill_group(worker.process.pid)
            worker.process.join(5)
        kill_tree(worker.process.pid, worker.tmpdir)  # whatever it left running, and its temp dir
        worker.conn.close()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def warm(self, sample: bytes | None = None) -> int:
        """Start every worker now (and have each parse ``sample``, so that the readers it
        imports on first use are loaded), instead of at the first documents a crawl sends:
        a long-lived crawl process pays this once, before it takes a job.  Returns how many
        workers are up."""
        slots = [self._idle.get() for _ in range(self.processes)]
        up = 0
        try:
            for k, slot in enumerate(slots):
                if slot is not None and not slot.process.is_alive():
                    self._end(slot, kill=True)
                    slot = None
                if slot is None:
                    try:
                        slot = self._start()
                    except OSError:
                        slots[k] = None
                        continue
                slots[k] = slot
                if sample is not None:
                    try:
                        slot.conn.send(sample)
                        if slot.conn.poll(self.timeout):
                            slot.conn.recv()
                            slot.jobs += 1
                        else:
                            raise OSError("warm-up parse timed out")
                    except (EOFError, OSError):
                        self._end(slot, kill=True)
                        slots[k] = None
                        continue
                up += 1
        finally:
            for slot in slots:
                self._idle.put(slot)
        return up

    def parse(self, data: bytes) -> Report:
        """Parse one document; the report's ``error`` says why when it could not be."""
        from parsing.api import MAX_BYTES, too_large
        from parsing.sniff import sniff

        if len(data) > MAX_BYTES:
            return too_large(len(data))
        slot = self._idle.get()
        if self._closed:
            self._idle.put(slot)
            return Report(source_type=sniff(data), error="parser pool closed", failure=TRANSIENT)
        worker = slot if slot is not None and slot.process.is_alive() else None
        if slot is not None and worker is None:
            self._end(slot, kill=True)
        keep: _Worker | None = None
        try:
            if worker is None:
                try:
                    worker = self._start()
                except OSError:
                    return Report(source_type=sniff(data), error="parser worker did not start", failure=TRANSIENT)
            try:
                worker.conn.send(data)
                ready = worker.conn.poll(self.timeout)
                report = worker.conn.recv() if ready else None
            except (EOFError, OSError, BrokenPipeError):
                worker.process.join(5)
                code = worker.process.exitcode
                self._end(worker, kill=True)
                worker = None
                return Report(source_type=sniff(data), failure=TRANSIENT,
                              error=f"parser process died (exit code {code}); likely out of memory "
                                    f"(limit {self.memory_mb} MB)")
            if report is None:  # this document overran: only its worker dies
                self._end(worker, kill=True)
                worker = None
                return Report(source_type=sniff(data), failure=TRANSIENT,
                              error=f"parsing timed out after {self.timeout:g} s")
            worker.jobs += 1
            if worker.jobs >= self.max_jobs:  # bound slow leaks of a long-lived worker
                self._end(worker, kill=False)
                worker = None
            keep = worker
            return report
        finally:
            self._idle.put(keep)

    def close(self) -> None:
        """Stop every worker and remove their temporary directories."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._end(worker, kill=False)
