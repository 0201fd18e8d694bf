"""The generic adapter on its saved pages (tests/fixtures/sites/generic/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("generic"), ids=lambda c: c["name"][:60])
def test_generic(case: dict) -> None:
    check("generic", case)
