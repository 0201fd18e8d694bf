"""DOC, WPS, RTF (and ET that xlrd cannot open) through LibreOffice headless.

Each process uses its own LibreOffice profile (``-env:UserInstallation``) so parallel
workers never share one, and the converted file must exist before it is read:
soffice exits 0 even when it converted nothing.

LibreOffice is started in a session of its own: on a timeout the whole process group is
killed (``soffice`` is a launcher; ``soffice.bin`` would otherwise keep running at full
CPU) and its profile is removed; the profile is also removed when the process exits.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from parsing.errors import ParseError
from parsing.groups import GROUPS_ENV

CONVERT_TIMEOUT = 120
_lock = threading.Lock()
_SUFFIX = {"doc": "doc", "wps": "wps", "rtf": "rtf", "et": "et", "xls": "xls"}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"nianbao-lo-profile-{os.getpid()}"
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True)
        atexit.register(shutil.rmtree, path, True)
    return path



def _note_group(pgid: int | None) -> None:
    """Tell the parser pool (which kills a worker that overran) about the running
    LibreOffice's process group; ``None`` once it ended (a stale id could be reused)."""
    path = os.environ.get(GROUPS_ENV)
    if path:
        try:
            with open(path, "w", encoding="ascii") as f:
                f.write(f"{pgid}\n" if pgid else "")
        except OSError:
            pass


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def convert(data: bytes, kind: str, target: str, timeout: float | None = None) -> bytes:
    """Convert ``data`` of type ``kind`` to ``target`` (docx/xlsx) and return the bytes."""
    exe = soffice_path()
    if exe is None:
        raise ParseError(f"{kind.upper()} needs LibreOffice (soffice) to be read; install libreoffice-writer-nogui",
                         transient=True)
    limit = CONVERT_TIMEOUT if timeout is None else timeout
    with _lock, tempfile.TemporaryDirectory(prefix="nianbao-lo-", ignore_cleanup_errors=True) as tmp:
        src = Path(tmp) / f"input.{_SUFFIX.get(kind, kind)}"
        src.write_bytes(data)
        profile = _profile_dir()
        cmd = [exe, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", target, "--outdir", tmp, str(src)]
        # its own temporary files (lu*.tmp) go into the conversion's directory, removed with it
        env = {**os.environ, "TMPDIR": tmp}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
        _note_group(proc.pid)
        try:
            stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired as exc:
            _kill_group(proc)
            shutil.rmtree(profile, ignore_errors=True)  # a killed LibreOffice may leave it locked
            raise ParseError(f"LibreOffice timed out converting {kind.upper()} after {limit:g} s",
                             transient=True) from exc
        except BaseException:
            _kill_group(proc)
            raise
        finally:  # soffice.bin children still alive after the launcher exited
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            _note_group(None)
        out = Path(tmp) / f"input.{target}"
        if not out.exists() or out.stat().st_size == 0:
            detail = (stderr or stdout).decode("utf-8", "replace").strip().splitlines()
            why = detail[-1] if detail else f"exit code {proc.returncode}"
            # a crashed or busy LibreOffice (exit code != 0) may convert another time
            raise ParseError(f"LibreOffice could not convert this {kind.upper()} file ({why})",
                             transient=proc.returncode != 0)
        return out.read_bytes()
