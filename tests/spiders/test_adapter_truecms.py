"""The truecms adapter on its saved pages (tests/fixtures/sites/truecms/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("truecms"), ids=lambda c: c["name"][:60])
def test_truecms(case: dict) -> None:
    check("truecms", case)
