"""The hanweb_jpage adapter on its saved pages (tests/fixtures/sites/hanweb_jpage/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("hanweb_jpage"), ids=lambda c: c["name"][:60])
def test_hanweb_jpage(case: dict) -> None:
    check("hanweb_jpage", case)
