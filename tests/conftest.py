"""Shared test helpers: fixture paths and a parse-once cache."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@functools.cache
def parsed(path: str):  # type: ignore[no-untyped-def]
    """Parse a fixture once per session (parsing happens inside tests, not at import)."""
    from parsing.api import parse_bytes

    return parse_bytes(Path(path).read_bytes())


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
