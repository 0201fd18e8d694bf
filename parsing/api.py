"""The parser's entry points: bytes in, :class:`~parsing.model.Report` out.

:func:`parse_bytes` never raises for bad input: the report carries a one-line ``error``.
:func:`parse_guarded` runs it in a child process with a time limit and an address-space
limit, so a pathological document can neither hang the caller nor eat its memory.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import tempfile
import traceback

from parsing.errors import PERMANENT, TRANSIENT, ParseError
from parsing.groups import become_child, kill_tree
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

# The parser's version, stored with every parse result: when it changes, ``nianbao reparse
# --since-version`` parses the stored documents again.  Raise it when parsing changes results.
PARSER_VERSION = "2"
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
        return too_large(len(data))
    kind = sniff(data)
    try:
        layout = read_layout(data, kind, use_ocr=use_ocr)
        report = interpret(layout)
    except ParseError as exc:
        return Report(source_type=kind, error=str(exc), failure=exc.failure)
    except MemoryError:
        return Report(source_type=kind, error="out of memory while parsing", failure=PERMANENT)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not take the caller down
        last = traceback.format_exception_only(type(exc), exc)[-1].strip().splitlines()[0]
        return Report(source_type=kind, error=f"internal parser error on {kind}: {last}", failure=PERMANENT)
    if kind == "html" and article_text:
        report.main_text = main_text(data)
    if not _looks_like_report(report):
        what = "an HTML page" if kind == "html" else f"a {kind} document"
        report.error = f"not an annual report: {what} without the report's title, sections or tables"
        report.failure = PERMANENT
    return report


def too_large(size: int) -> Report:
    """The report of a document over :data:`MAX_BYTES` (refused unread)."""
    return Report(source_type="unknown", failure=PERMANENT,
                  error=f"document too large ({size // 2**20} MB > {MAX_BYTES // 2**20} MB)")


def main_text(data: bytes) -> str | None:
    """The article text of an HTML page (trafilatura, fast mode), or None."""
    import trafilatura

    try:
        return trafilatura.extract(decode_html(data[:2_000_000])[0], include_tables=True, fast=True)
    except Exception:  # noqa: BLE001 - the text is a bonus; the parse result stands
        return None


def _child(conn, data: bytes, use_ocr: bool, memory_mb: int, tmpdir: str) -> None:
    become_child(tmpdir, memory_mb)
    try:
        conn.send(parse_bytes(data, use_ocr=use_ocr, article_text=True))
    except MemoryError:
        conn.send(Report(source_type="unknown", error=f"out of memory (limit {memory_mb} MB)", failure=PERMANENT))
    finally:
        conn.close()


def parse_guarded(
    data: bytes,
    *,
    use_ocr: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> Report:
    """:func:`parse_bytes` in a child process with a time and memory limit.

    The child leads its own process group and works in its own temporary directory: on a
    timeout the whole group (a LibreOffice it started included) is killed and the
    directory removed, so nothing outlives the call.
    """
    if len(data) > MAX_BYTES:
        return too_large(len(data))
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    tmpdir = tempfile.mkdtemp(prefix="nianbao-parser-")
    proc = ctx.Process(target=_child, args=(child, data, use_ocr, memory_mb, tmpdir), daemon=True)
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
            return Report(source_type=sniff(data), failure=TRANSIENT,
                          error=f"parser process died (exit code {code}); likely out of memory (limit {memory_mb} MB)")
        return Report(source_type=sniff(data), error=f"parsing timed out after {timeout:g} s", failure=TRANSIENT)
    finally:
        parent.close()
        if proc.pid is not None:
            kill_tree(proc.pid, tmpdir)  # the child, any LibreOffice it started, its temp dir
        proc.join(5)

