"""The real published reports parse to their hand-checked values, every cell."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, parsed
from tests.parsing.truth import expected_from_truth

CASES = sorted(p.name for p in (FIXTURES / "real").iterdir())


def _load(case: str):
    folder = FIXTURES / "real" / case
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    report = parsed(str(folder / meta["source_file"]))
    return truth, meta, report


@pytest.mark.parametrize("case", CASES)
def test_every_cell_of_table_3(case: str) -> None:
    truth, _, report = _load(case)
    exp = expected_from_truth(truth)["requests"]
    t = report.tables["requests"]
    assert report.ok, report.error
    assert t.layout == exp["layout"]
    assert t.rows == exp["rows"]  # absent rows stay absent, never zero


@pytest.mark.parametrize("case", CASES)
def test_every_cell_of_table_4(case: str) -> None:
    truth, _, report = _load(case)
    exp = expected_from_truth(truth)["appeals"]
    t = report.tables["appeals"]
    if exp is None:
        assert not t.found
    else:
        assert t.status == "ok"
        assert t.rows == exp


@pytest.mark.parametrize("case", CASES)
def test_every_cell_of_table_2(case: str) -> None:
    truth, _, report = _load(case)
    exp = expected_from_truth(truth)["active"]
    t = report.tables["active"]
    assert t.layout == exp["layout"]
    assert t.rows == exp["rows"]


@pytest.mark.parametrize("case", CASES)
def test_report_fields(case: str) -> None:
    truth, meta, report = _load(case)
    assert report.format == meta["format"]
    if not meta.get("complete"):
        # the fragment never states its year: unknown, and said so, rather than guessed
        assert report.year is None
        assert "report year not found" in report.warnings
    else:
        assert report.year == meta["year"]
        assert report.sections == ["一", "二", "三", "四", "五", "六"]
        assert report.agency and report.agency in meta["agency"]
        assert report.title and str(meta["year"]) in report.title


def test_hongze_2023_keeps_table_4_as_printed() -> None:
    _, _, report = _load("hongze-qzf-2023-pdf")
    review = report.tables["appeals"].rows["review"]
    assert (review["upheld"], review["corrected"], review["total"]) == (10, 1, 0)


def test_hongze_2024_prose_states_17_applications() -> None:
    _, _, report = _load("hongze-qzf-2024-pdf")
    stated = {(p.key, p.value) for p in report.prose_numbers}
    assert ("requests.new_received.total", 17) in stated
    assert report.tables["requests"].rows["new_received"]["total"] == 95


def test_huaian_prose_numbers_agree_with_tables() -> None:
    _, _, report = _load("huaian-szf-2024-pdf")
    stated = {p.key: p.value for p in report.prose_numbers}
    assert stated["requests.new_received.total"] == 3119
    assert stated["appeals.review.total"] == 351
    assert stated["appeals.litigation.total"] == 46
