"""Every input type parses to the values of the real report it was rebuilt from.

Fixtures in ``tests/fixtures/formats`` were made by ``build.py`` there from hand-checked
reports (DOCX with merged cells, LibreOffice DOC/WPS/XLS/ET/PDF, HTML pages in GBK with a
wrong charset and as a Word export, Markdown with a split table, a scanned PDF and a PNG
for OCR).  Each has ``<file>.expected.json``; every cell is compared.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parsing.readers import ocr, office
from tests.conftest import FIXTURES, parsed

FORMATS = FIXTURES / "formats"
CASES = sorted(p.name for p in FORMATS.iterdir() if (FORMATS / f"{p.name}.expected.json").exists())
NEEDS_SOFFICE = {".doc", ".wps"}
NEEDS_OCR = {"xinzhou-2020-scan.pdf", "hongze-2023-tables.png"}


def _skip_reason(name: str) -> str | None:
    path = FORMATS / name
    if path.suffix in NEEDS_SOFFICE and path.read_bytes()[:4] != b"<htm" and office.soffice_path() is None:
        return "LibreOffice (soffice) is not installed: run `make test`, which installs it"
    if name in NEEDS_OCR and not ocr.available():
        return "the OCR extra is not installed: run `make test`, which installs it"
    return None


@pytest.fixture(params=CASES)
def case(request: pytest.FixtureRequest) -> tuple[dict, dict]:
    reason = _skip_reason(request.param)
    if reason:
        pytest.skip(reason)
    expected = json.loads((FORMATS / f"{request.param}.expected.json").read_text(encoding="utf-8"))
    report = parsed(str(FORMATS / request.param))
    assert report.ok, report.error
    return expected, report.to_json()


def test_all_input_types_are_covered() -> None:
    reasons = {r for n in CASES if (r := _skip_reason(n))}
    if reasons:
        pytest.skip("; ".join(sorted(reasons)))
    kinds = {parsed(str(FORMATS / n)).source_type for n in CASES}
    assert kinds >= {"html", "text", "pdf", "docx", "doc", "wps", "xlsx", "xls", "et", "image"}


@pytest.mark.parametrize("field", ["title", "agency", "year", "format", "signed_date", "sections"])
def test_report_fields(case: tuple[dict, dict], field: str) -> None:
    expected, got = case
    assert got[field] == expected[field]


@pytest.mark.parametrize("table", ["active", "requests", "appeals"])
def test_every_cell(case: tuple[dict, dict], table: str) -> None:
    expected, got = case
    exp, tab = expected["tables"][table], got["tables"][table]
    if exp is None:
        assert tab is None
        return
    assert tab is not None
    if table == "appeals":
        assert tab == exp
    else:
        assert tab["layout"] == exp["layout"]
        assert tab["rows"] == exp["rows"]


def test_blank_cells_in_a_pdf_are_placed_by_position() -> None:
    got = parsed(str(FORMATS / "huaian-2024-blank-cells.pdf")).to_json()
    row = got["tables"]["requests"]["rows"]["new_received"]
    assert (row["research"], row["social_welfare"], row["legal_services"]) == (None, None, 61)
    assert got["tables"]["appeals"]["review"]["corrected"] is None


def test_wrapped_numbers_are_misaligned_not_shifted() -> None:
    """Table 四 whose numbers wrap inside narrow cells: reported, values null, raw kept."""
    report = parsed(str(FORMATS / "huaian-2024-wrapped-digits.pdf"))
    appeals = report.tables["appeals"]
    assert appeals.status == "partial"
    assert all(v is None for cells in appeals.rows.values() for v in cells.values())
    assert "178" not in appeals.misaligned[0]["cells"]  # the wrapped "17" + "8" were not joined
    assert any("misaligned" in w and "appeals" in w for w in report.warnings)
    # table 三 of the same file is still read exactly
    assert report.tables["requests"].rows["new_received"]["total"] == 3119


def test_gbk_page_declaring_utf8_is_decoded() -> None:
    report = parsed(str(FORMATS / "hongze-2023-gbk-wrong-charset.html"))
    assert report.title == "淮安市洪泽区人民政府2023年政府信息公开工作年度报告"
    assert "网站标识码" not in report.text and "打印本页" not in report.text  # chrome left out


@pytest.mark.parametrize("name", sorted(NEEDS_OCR))
def test_ocr_results_are_flagged(name: str) -> None:
    if _skip_reason(name):
        pytest.skip(_skip_reason(name))
    warnings = parsed(str(FORMATS / name)).warnings
    assert any("read by OCR" in w for w in warnings)


def test_without_ocr_tables_are_unreadable_not_empty() -> None:
    from parsing.api import parse_bytes

    for name in ("xinzhou-2020-scan.pdf", "hongze-2023-tables.png"):
        report = parse_bytes((FORMATS / name).read_bytes(), use_ocr=False)
        assert report.ok, report.error
        statuses = {t.status for t in report.tables.values()}
        assert statuses == {"unreadable"}, name
        assert report.format is None
        assert any("OCR" in w for w in report.warnings)
        assert report.to_json()["tables"] == {"active": None, "requests": None, "appeals": None}


def test_missing_ocr_extra_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    from parsing.api import parse_bytes

    monkeypatch.setattr(ocr, "available", lambda: False)
    report = parse_bytes((FORMATS / "xinzhou-2020-scan.pdf").read_bytes())
    assert report.tables["requests"].status == "unreadable"
    assert any("pip install" in w for w in report.warnings)


def test_fixture_inputs_are_what_their_names_say() -> None:
    from parsing.sniff import sniff

    assert sniff((FORMATS / "huaian-2024-html-named.doc").read_bytes()) == "html"
    assert sniff((FORMATS / "huaian-2024.wps").read_bytes()) == "wps"
    assert sniff((FORMATS / "huaian-2024.et").read_bytes()) == "et"
    assert sniff((FORMATS / "huaian-2024.doc").read_bytes()) == "doc"
    assert sniff(Path(FIXTURES / "bad" / "error-page-named.pdf").read_bytes()) == "html"
