"""A scan with a thin text layer is still a scan (issue 16, item 15).

Scanner apps stamp a line of real text on every page ("Scanned by CamScanner"); with a
character count that made every page a text page, nothing was OCR'd and the report came
out "not an annual report".  The fixture is the bundled scan with such a line added to
each page (built here with PDFium, so it always matches the scan it comes from).
"""

from __future__ import annotations

import ctypes
import json
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from parsing.api import parse_bytes
from parsing.readers import ocr
from parsing.readers.pdf import _page_boxes, is_scanned
from tests.conftest import FIXTURES

SCAN = FIXTURES / "formats" / "xinzhou-2020-scan.pdf"
TEXT_PDF = FIXTURES / "formats" / "xinzhou-2020.pdf"
STAMP = "Scanned by CamScanner"


def with_thin_text_layer(source: Path, text: str = STAMP) -> bytes:
    """``source`` with ``text`` in 9 pt Helvetica at the foot of every page."""
    pdf = pdfium.PdfDocument(source)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            obj = pdfium_c.FPDFPageObj_NewTextObj(pdf.raw, b"Helvetica", ctypes.c_float(9))
            encoded = (text + "\0").encode("utf-16-le")
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(encoded), ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, page.get_width() - 130, 12)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
            page.gen_content()
            page.close()
        import io

        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def _page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return ["".join(b.text for b in _page_boxes(pdf[i])) for i in range(len(pdf))]
    finally:
        pdf.close()


def test_the_fixture_has_the_stamp_on_every_page() -> None:
    texts = _page_texts(with_thin_text_layer(SCAN))
    assert len(texts) == 4
    assert all(t == STAMP.replace(" ", "") for t in texts)  # more characters than a count allowed


def test_pages_are_judged_by_the_share_the_text_covers() -> None:
    def verdicts(data: bytes) -> list[bool]:
        pdf = pdfium.PdfDocument(data)
        try:
            return [is_scanned(_page_boxes(pdf[i]), pdf[i]) for i in range(len(pdf))]
        finally:
            pdf.close()

    assert verdicts(with_thin_text_layer(SCAN)) == [True] * 4
    assert not any(verdicts(TEXT_PDF.read_bytes()))  # a real text layer is read, never OCR'd


@pytest.mark.skipif(not ocr.available(), reason="OCR extra not installed")
def test_a_scan_with_a_thin_text_layer_parses_like_the_scan() -> None:
    report = parse_bytes(with_thin_text_layer(SCAN))
    assert report.ok, report.error
    assert any("read by OCR" in w for w in report.warnings)
    expected = json.loads((SCAN.parent / (SCAN.name + ".expected.json")).read_text(encoding="utf-8"))
    got = report.to_json()
    for key in ("title", "year", "format", "sections"):
        assert got[key] == expected[key], key
    assert got["tables"] == expected["tables"]
