"""The ucap adapter on its saved pages (tests/fixtures/sites/ucap/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("ucap"), ids=lambda c: c["name"][:60])
def test_ucap(case: dict) -> None:
    check("ucap", case)
