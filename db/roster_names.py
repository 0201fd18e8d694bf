"""What an agency's name tells: its places, its kind, and a stable ASCII id.

``淮安市洪泽区人民政府`` splits into the places 淮安市 / 洪泽区 and the organ 人民政府; it is a
government; its id is ``huaian-hongze-rmzf``: full pinyin for each place (without its 市/县/区
suffix), initials for the organ.  Places are recognised from the names of the 行政区划 data
(db/regions.py) so that 城市管理局 or 城乡建设局 are never taken for places; a leading place
the data does not know (某某县) is still taken when it ends in 省/市/县/区/旗.  Pinyin comes from
pypinyin, so the same name always gives the same id.
"""

from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

from db.regions import known_names

_PLACE_SUFFIXES = ("特别行政区", "自治州", "自治县", "自治旗", "街道", "地区", "林区", "新区", "省", "市", "县", "区",
                   "旗", "盟", "镇", "乡")
_TOWNSHIP_SUFFIXES = ("镇", "乡", "街道", "苏木")
_TOWNSHIP_ORGANS = ("", "人民政府", "办事处", "街道办事处", "政府")
_GOVERNMENT_ORGANS = ("人民政府", "政府", "行政公署")
_DEPARTMENT_ENDINGS = ("局", "委", "办", "厅", "中心", "委员会", "办公室", "署", "院", "会", "所", "处", "站", "队",
                       "馆", "社", "部", "公司", "集团")
_FALLBACK_PLACE = re.compile(r"^(.{2,6}?(?:省|市|县|区|旗))(?=.)")
_FALLBACK_TOWNSHIP = re.compile(r"^(.{1,8}?(?:镇|乡|街道))(人民政府|办事处|街道办事处|政府)?$")
_ASCII_RUN = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """The name as compared: NFKC (full-width letters, digits and brackets), no blanks."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(name)))


def split_places(name: str) -> tuple[list[str], str]:
    """(places from the largest down, the organ that remains)."""
    places: list[str]
    rest, places = normalize_name(name), []
    names = known_names()
    while rest:
        # longest known place name at the start, leaving something or exactly the whole name
        hit = next((rest[:n] for n in range(min(len(rest), 12), 1, -1)
                    if rest[:n] in names and rest[:n].endswith(_PLACE_SUFFIXES)), None)
        if hit is None and not places:
            m = _FALLBACK_PLACE.match(rest)
            hit = m.group(1) if m else None
        if hit is None:
            m = _FALLBACK_TOWNSHIP.match(rest)
            hit = m.group(1) if m else None
        if hit is None:
            break
        places.append(hit)
        rest = rest[len(hit):]
    return places, rest


def infer_kind(name: str) -> str | None:
    """government | township | department from the name alone; None when it does not say."""
    places, organ = split_places(name)
    if places and places[-1].endswith(_TOWNSHIP_SUFFIXES) and organ in _TOWNSHIP_ORGANS:
        return "township"
    if places and organ in _GOVERNMENT_ORGANS:
        return "government"
    if organ.endswith(_DEPARTMENT_ENDINGS) or (not places and normalize_name(name).endswith(_DEPARTMENT_ENDINGS)):
        return "department"
    return None


def _strip_suffix(place: str) -> str:
    for suffix in _PLACE_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix) + 1:
            return place[: -len(suffix)]
    return place


def _ascii(parts: list[str]) -> str:
    return _ASCII_RUN.sub("", "".join(parts).lower())


def base_id(name: str) -> str:
    """``淮安市科学技术局`` -> ``huaian-kxjsj``; ``沭阳县钱集镇人民政府`` -> ``shuyang-qianji-rmzf``."""
    places, organ = split_places(name)
    words = [_ascii(lazy_pinyin(_strip_suffix(p))) for p in places]
    if organ:
        words.append(_ascii(lazy_pinyin(organ, style=Style.FIRST_LETTER)))
    ident = "-".join(w for w in words if w)
    return ident[:90] or "agency"


def assign_ids(names: list[str], taken: set[str] | None = None) -> list[str]:
    """Ids for the names in order; a collision gets -2, -3… in that order (deterministic)."""
    used = set(taken or ())
    out = []
    for name in names:
        base = base_id(name)
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}-{n}"
        used.add(ident)
        out.append(ident)
    return out


def place_stem(place_name: str) -> str:
    """沭阳县 -> 沭阳, 沭城街道 -> 沭城: how an agency's name usually carries its region."""
    return _strip_suffix(place_name)
