"""Attribution (contract 2): a report belongs to the agency its title names, else the
organ its ``orgCode``-style parameter or its sub-column names, else the agency whose own
column lists it — never merely the agency whose crawl happened to reach it.

Names are compared after normalising the forms titles use (``人民政府`` dropped,
``管委会`` dropped) and, failing equality, as abbreviations: one name's characters in
order within the other's, ending alike (``县教体局`` ~ ``某某县教育和体育局``).  A title
naming an organ that is not in the registry is nobody's here (it is listed in the proof
as another agency's report), so it is never pinned on the site owner.
"""

from __future__ import annotations

import re
from typing import Any

from parsing.meta import agency_from_title
from parsing.normalize import nfkc
from spiders.adapters.querystring import org_code

_GENERIC = {"本机关", "本局", "我局", "本委", "我委", "本单位", "我单位", "本级", "本级政府", "本部门", "我办", "本办"}
_STRIP_RE = re.compile(r"中华人民共和国|人民政府|政府(?=办公室|办)|[\s（）()·、]")
_TAIL_RE = re.compile(r"(?:管委会|管理委员会)$")


def norm(name: str) -> str:
    n = _STRIP_RE.sub("", nfkc(name or ""))
    n = _TAIL_RE.sub("", n)
    return n.removesuffix("政府") if len(n) > 3 else n


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


class Attributor:
    def __init__(self, agencies: dict[str, dict[str, Any]]) -> None:
        self.names = {aid: norm(a.get("name") or "") for aid, a in agencies.items()}
        self.org_codes: dict[str, str] = {}  # orgCode value -> organ name (from the anchor that carried it)

    def learn_code(self, url: str, label: str | None) -> None:
        code = org_code(url)
        if code and label and code not in self.org_codes:
            self.org_codes[code] = label

    def resolve(self, organ: str, context: list[str]) -> str | None:
        """The registry agency an organ's name denotes (context agencies win ties)."""
        n = norm(organ)
        if len(n) < 2:
            return None
        exact = [aid for aid, name in self.names.items() if name == n]
        if not exact:
            exact = [aid for aid, name in self.names.items() if len(name) >= 2 and name[-1] == n[-1]
                     and (_subsequence(n, name) or _subsequence(name, n))]
        if len(exact) == 1:
            return exact[0]
        preferred = [aid for aid in context if aid in exact]
        if preferred:
            return preferred[0]
        if exact:  # ambiguous abbreviation: the closest in length
            best = sorted(exact, key=lambda aid: abs(len(self.names[aid]) - len(n)))
            if len(best) == 1 or abs(len(self.names[best[0]]) - len(n)) < abs(len(self.names[best[1]]) - len(n)):
                return best[0]
        return None

    def attribute(self, title: str, url: str, hint: str | None, context: list[str]) -> tuple[str | None, str | None]:
        """(agency id or None, the organ named) for one report entry."""
        organ = agency_from_title(title)
        if organ and norm(organ) not in {norm(g) for g in _GENERIC}:
            return self.resolve(organ, context), organ
        code = org_code(url)
        named = self.org_codes.get(code) if code else None
        for candidate in (named, hint):
            if candidate:
                return self.resolve(candidate, context), candidate
        return (context[0] if context else None), None
