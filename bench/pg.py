"""A throw-away PostgreSQL server on loopback, for the tests and the benchmarks alike.

Debian's ``postgresql`` package keeps its binaries off PATH, in
/usr/lib/postgresql/<major>/bin; initdb refuses root, so as root the server runs as user
``postgres``.  The data directory, socket and port are fresh, and the server is stopped
and removed when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BENCH_TUNING = "-c shared_buffers=512MB -c work_mem=64MB -c synchronous_commit=off"


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def find_binaries() -> tuple[str, str] | None:
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


def unavailable() -> str | None:
    """Why no server can be started here, or None."""
    if find_binaries() is None:
        return "PostgreSQL binaries (initdb, pg_ctl) are neither on PATH nor in /usr/lib/postgresql/*/bin"
    if os.geteuid() == 0 and subprocess.run(["id", "postgres"], capture_output=True).returncode != 0:
        return "running as root and there is no 'postgres' user to run initdb as"
    return None


@contextlib.contextmanager
def cluster(tuning: str = "") -> Iterator[str]:
    """The base SQLAlchemy URL (no database name) of a server that lives for the block."""
    found = find_binaries()
    if found is None:
        raise RuntimeError(unavailable() or "no PostgreSQL")
    initdb, pg_ctl = found
    root = Path(tempfile.mkdtemp(prefix="nianbao-pg-"))
    root.chmod(0o755)
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale"]),
                   check=True, capture_output=True)
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 {tuning}".strip()
    subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def server(database: str = "bench") -> Iterator[str]:
    """The benchmarks' server: a SQLAlchemy URL of a fresh database, tuned for bulk work."""
    why = unavailable()
    if why:
        raise SystemExit(f"{why} (scripts/system-packages.sh installs PostgreSQL)")
    with cluster(BENCH_TUNING) as base:
        from sqlalchemy import create_engine, text

        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        yield f"{base}/{database}"
