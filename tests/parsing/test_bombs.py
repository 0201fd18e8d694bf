"""Zip and XML bombs are refused fast and small (issue 16, item 14).

Each hostile file is built from a real fixture, then parsed in a fresh interpreter that
reports its wall time and peak resident memory (VmHWM of the whole process: interpreter
and imports included), so the figures are those of a parser worker.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import parsing.api as api
from tests.conftest import FIXTURES

FORMATS = FIXTURES / "formats"
ROOT = Path(__file__).resolve().parents[2]

_MEASURE = """
import json, sys, time
from pathlib import Path


def peak_mb():
    # VmHWM starts anew at exec; ru_maxrss would carry the (large) test process's peak over
    with open("/proc/self/status", encoding="ascii") as f:
        return int(next(x for x in f if x.startswith("VmHWM")).split()[1]) / 1024


t0 = time.monotonic()
from parsing.api import parse_bytes
data = Path(sys.argv[1]).read_bytes()
t1 = time.monotonic()
report = parse_bytes(data)
print(json.dumps({"seconds": time.monotonic() - t1, "total_seconds": time.monotonic() - t0,
                  "peak_mb": peak_mb(),
                  "error": report.error, "failure": report.failure}))
"""


def measure(path: Path, timeout: float = 120) -> dict:
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True,
                         timeout=timeout, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _rezip(source: Path, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, body in replace.items():
            if name not in src.namelist():
                dst.writestr(name, body)
    return out.getvalue()


def docx_bomb(megabytes: int = 190) -> bytes:
    """A DOCX of well under 1 MB whose body inflates to 190 MB of runs (the audit's bomb)."""
    head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w='
            b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
    para = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>"
    body = head + para * (megabytes * 2**20 // len(para)) + b"</w:body></w:document>"
    return _rezip(FORMATS / "huaian-2024.docx", {"word/document.xml": body})


@pytest.mark.parametrize(("megabytes", "why"), [(190, "inflates to 190 MB"), (30, "zip bomb")])
def test_docx_bomb_refused_under_5_s_and_500_mb(tmp_path: Path, megabytes: int, why: str) -> None:
    """190 MB: over the size of any part; 30 MB: under it, but inflating 1000 times."""
    data = docx_bomb(megabytes)
    assert len(data) < 1_000_000
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    got = measure(path)
    assert got["error"] and "DOCX refused" in got["error"] and why in got["error"], got
    assert got["failure"] == "permanent"
    assert got["seconds"] < 5, got
    assert got["peak_mb"] < 500, got


def test_core_xml_is_size_checked(tmp_path: Path) -> None:
    """docProps/core.xml was read whole, unchecked: a huge one (not compressible, so no
    ratio refuses it) is skipped with a warning and the report still parses."""
    import random

    rnd = random.Random(16)
    filler = "".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(400_000)).encode()
    core = (b'<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + filler
            + b"</dc:title></cp:coreProperties>")
    report = api.parse_bytes(_rezip(FORMATS / "huaian-2024.docx", {"docProps/core.xml": core}))
    assert report.ok, report.error
    assert any("core.xml" in w for w in report.warnings)
    assert report.tables["requests"].found


def xlsx_sparse_dimension() -> bytes:
    """The real XLSX whose first sheet claims ``A1:XFD1048576`` (17 billion cells) and holds
    one more cell far away."""
    with zipfile.ZipFile(FORMATS / "huaian-2024.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    sheet = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', sheet)
    sheet = sheet.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
    return _rezip(FORMATS / "huaian-2024.xlsx", {"xl/worksheets/sheet1.xml": sheet.encode()})


def test_xlsx_sparse_dimension_is_not_padded(tmp_path: Path) -> None:
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(xlsx_sparse_dimension())
    got = measure(path)
    assert got["error"] is None, got
    assert got["seconds"] < 5, got
    assert got["peak_mb"] < 500, got
    # and it reads like the original
    report = api.parse_bytes(path.read_bytes())
    original = api.parse_bytes((FORMATS / "huaian-2024.xlsx").read_bytes())
    assert report.tables["requests"].rows == original.tables["requests"].rows


def test_xlsx_bomb_refused(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>0</v></c></row>' for i in range(1, 2001))
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + rows * 1500 + "</sheetData></worksheet>").encode()
    data = _rezip(FORMATS / "huaian-2024.xlsx", {"xl/worksheets/sheet2.xml": sheet})
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data)
    got = measure(path)
    assert got["error"] and "XLSX refused" in got["error"], got
    assert got["seconds"] < 5 and got["peak_mb"] < 500, got
