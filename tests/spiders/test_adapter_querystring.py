"""The querystring adapter on its saved pages (tests/fixtures/sites/querystring/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("querystring"), ids=lambda c: c["name"][:60])
def test_querystring(case: dict) -> None:
    check("querystring", case)
