"""Process groups of parser children, and killing them with what they left behind.

A parser child (a pool worker or a guarded one-off parse) leads its own process group and
notes in ``$NIANBAO_CHILD_GROUPS`` the groups of any LibreOffice it starts, so a timeout
kills the child, its LibreOffice and removes its private temporary directory.  One home
for this, used by :mod:`parsing.api`, :mod:`parsing.pool` and :mod:`parsing.readers.office`.
"""

from __future__ import annotations

import os
import shutil
import signal
import time

GROUPS_ENV = "NIANBAO_CHILD_GROUPS"  # parsing.readers.office notes LibreOffice's process groups here
GROUPS_FILE = "child-groups"


def become_child(tmpdir: str, memory_mb: int) -> None:
    """Set up a parser child: its own process group (a timeout kills whatever it started,
    LibreOffice included), ``tmpdir`` as its temporary directory (removed by the parent),
    the file where LibreOffice notes its groups, and an address-space limit."""
    import resource
    import tempfile

    try:
        os.setsid()
    except OSError:
        pass
    os.environ["TMPDIR"] = tmpdir
    os.environ[GROUPS_ENV] = os.path.join(tmpdir, GROUPS_FILE)
    tempfile.tempdir = tmpdir
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (and ``pid`` itself if it has none)."""
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass


def kill_tree(pid: int, tmpdir: str) -> None:
    """Kill a worker's group and the LibreOffice groups it noted, then remove ``tmpdir``."""
    kill_group(pid)
    try:
        with open(os.path.join(tmpdir, GROUPS_FILE), encoding="ascii") as f:
            groups = [int(line) for line in f if line.strip().isdigit()]
    except OSError:
        groups = []
    for pgid in groups:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
    for _ in range(20):  # a dying LibreOffice may still be writing into it
        shutil.rmtree(tmpdir, ignore_errors=True)
        if not os.path.exists(tmpdir):
            break
        time.sleep(0.05)
