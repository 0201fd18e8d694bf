"""The epoint adapter on its saved pages (tests/fixtures/sites/epoint/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("epoint"), ids=lambda c: c["name"][:60])
def test_epoint(case: dict) -> None:
    check("epoint", case)
