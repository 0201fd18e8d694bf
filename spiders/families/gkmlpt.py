"""Guangdong/Shenzhen ``gkmlpt``: the 信息公开目录 is a JS app (``/gkmlpt/index#<col>``)
whose data comes from ``/gkmlpt/api/all/<col>?page=N&sid=<sid>`` as JSON
``{"articles": [...], "total": N}``; articles at ``…/content/…/post_<id>.html``."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

from spiders.families.common import Entry, canonical

NAME = "gkmlpt"
_SID_RE = re.compile(r"SID\s*=\s*['\"]([^'\"]+)['\"]|[?&]sid=([\w-]+)")
_COLS_RE = re.compile(r"COLUMNS\s*=\s*\[([\d,\s]+)\]")
_BEIJING = timezone(timedelta(hours=8))
PER_PAGE_GUESS = 20


def matches(url: str, text: str) -> bool:
    return "/gkmlpt/" in url or "/gkmlpt/" in text[:20000]


def _is_api(url: str) -> bool:
    return "/gkmlpt/api/" in url


def entries(url: str, text: str) -> list[Entry]:
    if not _is_api(url):
        return []
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out = []
    for art in data.get("articles") or []:
        ts = art.get("first_publish_time") or art.get("publish_time")
        day = datetime.fromtimestamp(int(ts), _BEIJING).date().isoformat() if ts else None
        if art.get("url") and art.get("title"):
            out.append(Entry(canonical(urljoin(url, art["url"])), art["title"].strip(), day))
    return out


def more_requests(url: str, text: str, meta: dict) -> list[dict]:
    if _is_api(url):
        if meta.get("gkmlpt_paged"):
            return []
        try:
            data = json.loads(text)
        except ValueError:
            return []
        per = len(data.get("articles") or []) or PER_PAGE_GUESS
        pages = min(math.ceil(int(data.get("total") or 0) / per), meta.get("max_pages", 50))
        base = url.split("?")[0]
        sid = (_SID_RE.search(url) or [None, None, None])[2] or ""
        return [{"url": f"{base}?page={n}&sid={sid}", "meta": {"gkmlpt_paged": True}} for n in range(2, pages + 1)]
    # the app page: the column id is in the fragment of the link that led here, or in the script
    cols = [meta["fragment"]] if meta.get("fragment", "").isdigit() else []
    if not cols and (m := _COLS_RE.search(text)):
        cols = [c.strip() for c in m.group(1).split(",") if c.strip()]
    m = _SID_RE.search(text)
    sid = next((g for g in m.groups() if g), "") if m else ""
    return [{"url": urljoin(url, f"/gkmlpt/api/all/{c}?page=1&sid={sid}")} for c in cols]
