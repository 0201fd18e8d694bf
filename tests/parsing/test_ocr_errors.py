"""An OCR failure, a huge picture among them, is one line (issue 16, item 18)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

import parsing.api as api
from parsing.readers import ocr
from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
PNG = FIXTURES / "formats" / "hongze-2023-tables.png"


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (width, height), 255).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(("size", "message"), [((10_000, 10_000), "image too large for OCR (10000×10000 pixels"),
                                                ((14_000, 14_000), "image too large to read")])
def test_a_huge_picture_is_refused_in_one_line_by_the_cli(tmp_path: Path, size: tuple[int, int],
                                                          message: str) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(_png(*size))
    out = subprocess.run([sys.executable, "-m", "crawler.cli", "parse", str(path)], capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert message in lines[0]


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_an_ocr_engine_failure_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        def run(arr: object) -> object:
            raise RuntimeError("[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Failed to allocate\nstack: ...\n")
        return run

    monkeypatch.setattr(ocr, "_engine", broken)
    report = api.parse_bytes(PNG.read_bytes())
    assert report.error is not None and report.error.startswith("OCR failed on a ")
    assert "\n" not in report.error and "Failed to allocate" in report.error


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_an_engine_message_holding_a_traceback_gives_its_last_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> object:
        def run(arr: object) -> object:
            raise RuntimeError('Traceback (most recent call last):\n  File "x.py", line 1\nMemoryError: bad alloc\n')
        return run

    monkeypatch.setattr(ocr, "_engine", broken)
    report = api.parse_bytes(PNG.read_bytes())
    assert report.error is not None and report.error.endswith("picture: MemoryError: bad alloc")
