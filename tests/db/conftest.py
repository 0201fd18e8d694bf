"""Database fixtures: every db test runs on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started for the test session from the binaries on PATH or, where
Debian's ``postgresql`` package keeps them off PATH, from /usr/lib/postgresql/<major>/bin
(as user ``postgres`` when running as root, since initdb refuses root), on 127.0.0.1 with
a free port, and stopped afterwards.  Without the binaries the PostgreSQL cases are
skipped with that reason, visibly — except under CI (``CI`` set), where a missing server
is an error, so CI cannot pass by silently skipping them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import pg


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real server for the session (bench/pg.py: the one throw-away server of the project)."""
    why = pg.unavailable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI: {why} (scripts/system-packages.sh installs it)")
        pytest.skip(why)
    with pg.cluster() as base:
        yield base


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nianbao.db'}"
        return
    base = request.getfixturevalue("postgres_server")
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
