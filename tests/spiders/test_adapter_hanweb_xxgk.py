"""The hanweb_xxgk adapter on its saved pages (tests/fixtures/sites/hanweb_xxgk/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("hanweb_xxgk"), ids=lambda c: c["name"][:60])
def test_hanweb_xxgk(case: dict) -> None:
    check("hanweb_xxgk", case)
