"""Each seed (a real report as a text extraction) parses to the values hand-checked from
its text, kept in ``tests/fixtures/seeds/*.expected.json``: every cell, and the rows that
the extraction misaligned are reported as such (null values), never shifted."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, parsed

SEEDS = sorted(p.stem for p in (FIXTURES / "seeds").glob("*.txt"))


def _case(seed: str):
    expected = json.loads((FIXTURES / "seeds" / f"{seed}.expected.json").read_text(encoding="utf-8"))
    report = parsed(str(FIXTURES / "seeds" / f"{seed}.txt"))
    return expected, report.to_json()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("field", ["title", "agency", "year", "format", "signed_date", "sections"])
def test_report_fields(seed: str, field: str) -> None:
    expected, got = _case(seed)
    assert got[field] == expected[field]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("table", ["active", "requests", "appeals"])
def test_every_cell(seed: str, table: str) -> None:
    expected, got = _case(seed)
    assert got["tables"][table] == expected["tables"][table]


@pytest.mark.parametrize("seed", SEEDS)
def test_misaligned_rows_are_reported_not_shifted(seed: str) -> None:
    expected, got = _case(seed)
    for table, rows in expected["misaligned"].items():
        assert [m["row"] for m in got["table_details"][table]["misaligned"]] == rows
        for row in rows:
            assert all(v is None for v in got["tables"][table]["rows"][row].values())
            assert any(f"row {row} misaligned" in w for w in got["warnings"])


def test_seed_003_signed_date_and_2019_format() -> None:
    _, got = _case("003_1552932f4d23b490")
    assert got["signed_date"] == "2021-02-05"
    assert got["format"] == "2019"
    assert got["tables"]["requests"]["layout"] == "2019"


def test_seed_000_truncated_tables_are_partial() -> None:
    _, got = _case("000_a5795eddd62d7b93")
    assert got["table_status"] == {"active": "partial", "requests": "partial", "appeals": "ok"}
    assert "三" not in got["sections"]
    assert "new_received" not in got["tables"]["requests"]["rows"]  # absent, not zero
    assert got["tables"]["appeals"]["review"]["total"] is None  # blank, not zero


@pytest.mark.parametrize("seed", ["001_a164060509a28f52", "004_f7eca01ac3f71973"])
def test_blank_total_cells_are_null(seed: str) -> None:
    _, got = _case(seed)
    row = got["tables"]["requests"]["rows"]["new_received"]
    assert row["total"] is None
    assert row["natural_person"] == 0
    assert got["cells_raw"]["requests"]["new_received"]["natural_person"] == "0"
