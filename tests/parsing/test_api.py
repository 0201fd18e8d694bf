"""Bad input gets one clear line and never hangs or eats memory."""

from __future__ import annotations

import time

import pytest

import parsing.api as api
import parsing.pool as pool_mod
from parsing.model import Report
from tests.conftest import FIXTURES

REAL_PDF = FIXTURES / "real" / "hongze-qzf-2023-pdf" / "source.pdf"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty document"),
        (b"   \n\t ", "empty document"),
        ((FIXTURES / "bad" / "encrypted.pdf").read_bytes(), "encrypted PDF: a password is required"),
        (REAL_PDF.read_bytes()[:60000], "broken PDF"),
        (b"%PDF-1.7\n%garbage", "broken PDF"),
        ((FIXTURES / "bad" / "error-page-named.pdf").read_bytes(), "not an annual report: an HTML page"),
        ((FIXTURES / "bad" / "waf-challenge.docx").read_bytes(), "not an annual report"),
        (b"PK\x03\x04" + b"\x00" * 100, "unsupported document type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "unsupported document type (ole)"),
    ],
)
def test_bad_input_one_line_error(data: bytes, message: str) -> None:
    report = api.parse_bytes(data)
    assert not report.ok
    assert message in report.error
    assert "\n" not in report.error


def test_huge_input_is_refused_without_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "MAX_BYTES", 1000)
    report = api.parse_bytes(b"x" * 2000)
    assert report.error and report.error.startswith("document too large")


def test_guarded_parse_returns_the_report() -> None:
    report = api.parse_guarded(REAL_PDF.read_bytes(), timeout=60)
    assert report.ok
    assert report.tables["requests"].rows["new_received"]["total"] == 21


def test_guarded_parse_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(data: bytes, *, use_ocr: bool = True, article_text: bool = False) -> Report:
        time.sleep(30)
        return Report(source_type="pdf")

    monkeypatch.setattr(api, "parse_bytes", slow)  # inherited by the forked child
    t0 = time.monotonic()
    report = api.parse_guarded(b"%PDF-1.4", timeout=1)
    assert time.monotonic() - t0 < 10
    assert report.error == "parsing timed out after 1 s"


def test_guarded_parse_bounds_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    def greedy(data: bytes, *, use_ocr: bool = True) -> Report:
        hog = [bytearray(50 * 2**20) for _ in range(100)]  # 5 GB
        return Report(source_type=str(len(hog)))

    monkeypatch.setattr(api, "parse_bytes", greedy)
    report = api.parse_guarded(b"%PDF-1.4", memory_mb=400, timeout=60)
    assert report.error is not None and "out of memory" in report.error


def test_parser_bug_becomes_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(layout):
        raise KeyError("oops")

    monkeypatch.setattr(api, "interpret", boom)
    report = api.parse_bytes(REAL_PDF.read_bytes())
    assert report.error == "internal parser error on pdf: KeyError: 'oops'"


def test_parser_pool_parses_and_survives_a_timeout() -> None:
    pool = pool_mod.ParserPool(processes=1, timeout=60)
    try:
        assert pool.parse(REAL_PDF.read_bytes()).tables["requests"].rows["new_received"]["total"] == 21
        pool.timeout = 0.001  # nothing parses that fast: the worker is abandoned and replaced
        assert pool.parse(REAL_PDF.read_bytes()).error == "parsing timed out after 0.001 s"
        pool.timeout = 60
        assert pool.parse(REAL_PDF.read_bytes()).ok
        assert pool.parse(b"").error == "empty document"
    finally:
        pool.close()


def test_article_text_only_for_the_crawler() -> None:
    """parse_bytes leaves trafilatura out (it costs more than the parse); the crawler's
    guarded entry point keeps the article text."""
    data = (FIXTURES / "formats" / "hongze-2023-gbk-wrong-charset.html").read_bytes()
    assert api.parse_bytes(data).main_text is None
    text = api.parse_guarded(data).main_text
    assert text and "总体情况" in text
