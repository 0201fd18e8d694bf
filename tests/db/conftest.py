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
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def pg_binaries() -> tuple[str, str] | None:
    """(initdb, pg_ctl): from PATH, else the newest /usr/lib/postgresql/<major>/bin (Debian)."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    for found in reversed(versions):
        if (found.parent / "pg_ctl").exists():
            return str(found), str(found.parent / "pg_ctl")
    return None


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {why} (scripts/system-packages.sh installs it)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    found = pg_binaries()
    if found is None:
        _unavailable("PostgreSQL binaries (initdb, pg_ctl) are neither on PATH nor in /usr/lib/postgresql/*/bin")
    initdb, pg_ctl = found  # type: ignore[misc]
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        _unavailable("running as root and there is no 'postgres' user to run initdb as")
    root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    port = _free_port()
    subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                 "--no-locale"]), check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


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
