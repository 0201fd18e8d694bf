"""The iframe adapter on its saved pages (tests/fixtures/sites/iframe/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("iframe"), ids=lambda c: c["name"][:60])
def test_iframe(case: dict) -> None:
    check("iframe", case)
