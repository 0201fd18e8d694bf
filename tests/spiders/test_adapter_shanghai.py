"""The shanghai adapter on its saved pages (tests/fixtures/sites/shanghai/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("shanghai"), ids=lambda c: c["name"][:60])
def test_shanghai(case: dict) -> None:
    check("shanghai", case)
