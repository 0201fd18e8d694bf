"""Zip bombs: check every member of an OOXML package before anything inflates it.

A DOCX or XLSX is a zip archive; the sizes its central directory declares bound what
:mod:`zipfile` will inflate (it stops at the declared size and checks the CRC), so they
can be checked first.  A package is refused, with one line, when a member inflates to
more than :data:`MAX_MEMBER_BYTES`, when all members together exceed
:data:`MAX_TOTAL_BYTES`, or when a member larger than :data:`RATIO_FLOOR_BYTES`
inflates more than :data:`MAX_RATIO` times (real reports compress 3-30 times; a
600 KB bomb inflating to 190 MB does so about 300 times).  Members read afterwards go
through :func:`read_member`, which never returns more than it was allowed.
"""

from __future__ import annotations

import io
import zipfile

from parsing.errors import ParseError

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_MEMBERS = 5000


def open_package(data: bytes, kind: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip archive after checking every member's size and ratio."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"broken {kind.upper()}: not a valid zip archive") from exc
    try:
        check_members(zf, kind)
    except ParseError:
        zf.close()
        raise
    return zf


def check_members(zf: zipfile.ZipFile, kind: str) -> None:
    """Raise :class:`ParseError` for a package that would inflate beyond the limits."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ParseError(f"{kind.upper()} refused: {len(infos)} parts in the archive (limit {MAX_MEMBERS})")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > MAX_MEMBER_BYTES:
            raise ParseError(f"{kind.upper()} refused: part {info.filename} inflates to {size // 2**20} MB "
                             f"(limit {MAX_MEMBER_BYTES // 2**20} MB)")
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise ParseError(f"{kind.upper()} refused: part {info.filename} inflates {ratio} times "
                             f"(a zip bomb; limit {MAX_RATIO})")
    if total > MAX_TOTAL_BYTES:
        raise ParseError(f"{kind.upper()} refused: the archive inflates to {total // 2**20} MB "
                         f"(limit {MAX_TOTAL_BYTES // 2**20} MB)")


def read_member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, refused (:class:`ParseError`) when larger than ``limit``."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise ParseError(f"part {name} too large ({info.file_size // 1024} KB > {limit // 1024} KB)")
    with zf.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ParseError(f"part {name} too large (more than {limit // 1024} KB)")
    return data
