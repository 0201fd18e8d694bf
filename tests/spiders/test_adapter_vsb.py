"""The vsb adapter on its saved pages (tests/fixtures/sites/vsb/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("vsb"), ids=lambda c: c["name"][:60])
def test_vsb(case: dict) -> None:
    check("vsb", case)
