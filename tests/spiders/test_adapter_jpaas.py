"""The jpaas adapter on its saved pages (tests/fixtures/sites/jpaas/cases.json)."""

from __future__ import annotations

import pytest

from tests.spiders.adapter_cases import cases, check


@pytest.mark.parametrize("case", cases("jpaas"), ids=lambda c: c["name"][:60])
def test_jpaas(case: dict) -> None:
    check("jpaas", case)
