"""The year_folders adapter on its saved pages (tests/fixtures/sites/year_folders/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("year_folders"), ids=lambda c: c["name"][:60])
def test_year_folders(case: dict) -> None:
    check("year_folders", case)
