"""DOC, WPS, RTF (and ET that xlrd cannot open) through LibreOffice headless.

Each process uses its own LibreOffice profile (``-env:UserInstallation``) so parallel
workers never share one, and the converted file must exist before it is read:
soffice exits 0 even when it converted nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from parsing.errors import ParseError

CONVERT_TIMEOUT = 120
_lock = threading.Lock()
_SUFFIX = {"doc": "doc", "wps": "wps", "rtf": "rtf", "et": "et", "xls": "xls"}


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile_dir() -> Path:
    path = Path(tempfile.gettempdir()) / f"nianbao-lo-profile-{os.getpid()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def convert(data: bytes, kind: str, target: str) -> bytes:
    """Convert ``data`` of type ``kind`` to ``target`` (docx/xlsx) and return the bytes."""
    exe = soffice_path()
    if exe is None:
        raise ParseError(f"{kind.upper()} needs LibreOffice (soffice) to be read; install libreoffice-writer-nogui")
    with _lock, tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        src = Path(tmp) / f"input.{_SUFFIX.get(kind, kind)}"
        src.write_bytes(data)
        cmd = [exe, "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"-env:UserInstallation={_profile_dir().as_uri()}",
               "--convert-to", target, "--outdir", tmp, str(src)]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ParseError(f"LibreOffice timed out converting {kind.upper()} after {CONVERT_TIMEOUT} s") from exc
        out = Path(tmp) / f"input.{target}"
        if not out.exists() or out.stat().st_size == 0:
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip().splitlines()
            why = detail[-1] if detail else f"exit code {proc.returncode}"
            raise ParseError(f"LibreOffice could not convert this {kind.upper()} file ({why})")
        return out.read_bytes()
