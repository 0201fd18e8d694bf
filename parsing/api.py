"""The parser's entry points: bytes in, :class:`~parsing.model.Report` out.

:func:`parse_bytes` never raises for bad input: the report carries a one-line ``error``.
:func:`parse_guarded` runs it in a child process with a time limit and an address-space
limit, so a pathological document can neither hang the caller nor eat its memory.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import resource
import traceback

from parsing.errors import ParseError
from parsing.interpret import interpret
from parsing.layout import Layout
from parsing.model import Report
from parsing.readers import ocr, office
from parsing.readers.docx import read_docx
from parsing.readers.html import decode_html, read_html
from parsing.readers.pdf import read_pdf
from parsing.readers.sheet import read_xls, read_xlsx
from parsing.readers.text import read_text
from parsing.sniff import IMAGE_TYPES, sniff

MAX_BYTES = 100 * 1024 * 1024
DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 4096
_REPORT_TITLE_RE = re.compile(r"年度报告|年报")


def read_layout(data: bytes, kind: str, use_ocr: bool = True) -> Layout:
    """Dispatch to the reader for ``kind`` (from :func:`parsing.sniff.sniff`)."""
    if kind == "pdf":
        return read_pdf(data, use_ocr=use_ocr)
    if kind == "html":
        return read_html(data)
    if kind == "text":
        text, _ = decode_html(data)
        return read_text(text)
    if kind == "docx":
        return read_docx(data)
    if kind == "xlsx":
        return read_xlsx(data)
    if kind in ("xls", "et"):
        try:
            return read_xls(data, kind)
        except ParseError:
            if kind == "xls":
                raise
            layout = read_xlsx(office.convert(data, kind, "xlsx"))
            layout.source_type = kind
            return layout
    if kind in ("doc", "wps", "rtf"):
        layout = read_docx(office.convert(data, kind, "docx"))
        layout.source_type = kind
        return layout
    if kind in IMAGE_TYPES:
        if not use_ocr:
            layout = Layout(rows=[], source_type="image", pages=1, unreadable=True)
            layout.warnings.append("OCR disabled; the image was not read")
            return layout
        return ocr.read_image(data)
    if kind == "empty":
        raise ParseError("empty document")
    if kind == "zip":
        raise ParseError("a zip archive, not a report document (unpack it first)")
    raise ParseError(f"unsupported document type ({kind})")


def _looks_like_report(report: Report) -> bool:
    if any(t.found or t.status == "unreadable" for t in report.tables.values()):
        return True
    if report.title and _REPORT_TITLE_RE.search(report.title) and len(report.sections) >= 2:
        return True
    return len(report.sections) >= 4


def parse_bytes(data: bytes, *, use_ocr: bool = True, article_text: bool = False) -> Report:
    """Parse one report document; the result has ``error`` set instead of raising.

    ``article_text``: also extract an HTML page's article text with trafilatura into
    ``main_text`` (the crawler keeps it for comparing versions).  It costs 2-4 times the
    parse itself, so only the crawler's entry points (:func:`parse_guarded`,
    :class:`ParserPool`) ask for it.
    """
    if len(data) > MAX_BYTES:
        return Report(source_type="unknown", error=f"document too large ({len(data) // 2**20} MB > {MAX_BYTES // 2**20} MB)")
    kind = sniff(data)
    try:
        layout = read_layout(data, kind, use_ocr=use_ocr)
        report = interpret(layout)
    except ParseError as exc:
        return Report(source_type=kind, error=str(exc))
    except MemoryError:
        return Report(source_type=kind, error="out of memory while parsing")
    except Exception as exc:  # noqa: BLE001 - a parser bug must not take the caller down
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Report(source_type=kind, error=f"internal parser error on {kind}: {last}")
    if kind == "html" and article_text:
        report.main_text = main_text(data)
    if not _looks_like_report(report):
        what = "an HTML page" if kind == "html" else f"a {kind} document"
        report.error = f"not an annual report: {what} without the report's title, sections or tables"
    return report


def main_text(data: bytes) -> str | None:
    """The article text of an HTML page (trafilatura, fast mode), or None."""
    import trafilatura

    try:
        return trafilatura.extract(decode_html(data[:2_000_000])[0], include_tables=True, fast=True)
    except Exception:  # noqa: BLE001 - the text is a bonus; the parse result stands
        return None


def _child(conn, data: bytes, use_ocr: bool, memory_mb: int) -> None:
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass
    try:
        conn.send(parse_bytes(data, use_ocr=use_ocr, article_text=True))
    except MemoryError:
        conn.send(Report(source_type="unknown", error=f"out of memory (limit {memory_mb} MB)"))
    finally:
        conn.close()


def parse_guarded(
    data: bytes,
    *,
    use_ocr: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> Report:
    """:func:`parse_bytes` in a child process with a time and memory limit."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, data, use_ocr, memory_mb), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            try:
                return parent.recv()
            except EOFError:
                pass
            proc.join(5)
            code = proc.exitcode
            return Report(source_type=sniff(data), error=f"parser process died (exit code {code}); likely out of memory (limit {memory_mb} MB)")
        return Report(source_type=sniff(data), error=f"parsing timed out after {timeout:g} s")
    finally:
        parent.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)


def _pool_init(memory_mb: int) -> None:
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _pool_parse(data: bytes, use_ocr: bool) -> Report:
    try:
        return parse_bytes(data, use_ocr=use_ocr, article_text=True)
    except MemoryError:
        return Report(source_type="unknown", error="out of memory while parsing")


class ParserPool:
    """Long-lived parser processes with the guards of :func:`parse_guarded`.

    For the crawler: forking a large crawler process per document costs more than the
    parse itself, so documents go to ``processes`` spawned workers (address-space limit
    set once); a document that exceeds ``timeout`` gets an error and the pool is
    replaced, so one bad file never blocks the others.  Thread-safe.
    """

    def __init__(self, processes: int = 2, *, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, use_ocr: bool = True) -> None:
        import threading

        self.processes = processes
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.use_ocr = use_ocr
        self._lock = threading.Lock()
        self._pool = self._start()

    def _start(self):
        ctx = mp.get_context("spawn")
        return ctx.Pool(self.processes, initializer=_pool_init, initargs=(self.memory_mb,), maxtasksperchild=500)

    def parse(self, data: bytes) -> Report:
        if len(data) > MAX_BYTES:
            return Report(source_type="unknown", error=f"document too large ({len(data) // 2**20} MB > {MAX_BYTES // 2**20} MB)")
        with self._lock:
            pool = self._pool
        result = pool.apply_async(_pool_parse, (data, self.use_ocr))
        try:
            return result.get(self.timeout)
        except mp.TimeoutError:
            with self._lock:
                if self._pool is pool:
                    pool.terminate()
                    self._pool = self._start()
            return Report(source_type=sniff(data), error=f"parsing timed out after {self.timeout:g} s")
        except Exception as exc:  # noqa: BLE001 - a dead worker (e.g. killed) must not stop the crawl
            return Report(source_type=sniff(data), error=f"parser process failed: {type(exc).__name__}")

    def close(self) -> None:
        with self._lock:
            self._pool.terminate()
            self._pool.join()
