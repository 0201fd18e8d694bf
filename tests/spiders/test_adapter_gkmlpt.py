"""The gkmlpt adapter on its saved pages (tests/fixtures/sites/gkmlpt/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("gkmlpt"), ids=lambda c: c["name"][:60])
def test_gkmlpt(case: dict) -> None:
    check("gkmlpt", case)
