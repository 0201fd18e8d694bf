"""The trs adapter on its saved pages (tests/fixtures/sites/trs/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("trs"), ids=lambda c: c["name"][:60])
def test_trs(case: dict) -> None:
    check("trs", case)
