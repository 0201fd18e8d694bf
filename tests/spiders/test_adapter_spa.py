"""The spa adapter on its saved pages (tests/fixtures/sites/spa/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("spa"), ids=lambda c: c["name"][:60])
def test_spa(case: dict) -> None:
    check("spa", case)
