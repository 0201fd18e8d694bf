"""Fixtures for the distributed tests: the test session's PostgreSQL server (started from
Debian's binaries by tests/db/conftest.py), a fresh database per use, and the fleet web."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from sampleweb.fleet import Fleet
from sampleweb.server import SampleServer, SampleWeb
from tests.db.conftest import postgres_server  # noqa: F401 - the session's PostgreSQL server


@pytest.fixture
def new_pg_db(postgres_server: str) -> Iterator[Callable[[], str]]:  # noqa: F811
    """A factory of fresh, empty PostgreSQL databases (dropped afterwards)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    made: list[str] = []

    def make() -> str:
        name = f"d_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return f"{postgres_server}/{name}"

    yield make
    from db.schema import _factories

    for url in list(_factories):
        if any(url.endswith("/" + n) for n in made):
            _factories.pop(url).kw["bind"].dispose()
    with admin.connect() as conn:
        for name in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fleet_server() -> Iterator[tuple[Fleet, SampleServer]]:
    """300 agencies on 60 county hosts, served on loopback (the crawlers' proxy)."""
    fleet = Fleet(hosts_count=60, per_host=5)
    web = SampleWeb([])
    web.fleet = fleet
    server = SampleServer(web).start()
    yield fleet, server
    server.stop()
