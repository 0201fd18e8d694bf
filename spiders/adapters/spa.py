"""SPA shells: ``<div id="app">``, ``chunk-vendors``, ``window.__INITIAL_STATE__`` on a
small page with no report words and no known interface.  Nothing to list over HTTP:
the spider renders such a page in the browser, as the last resort."""

from __future__ import annotations

import json
import re

from parsing.classify import classify_title
from spiders.adapters.base import Listing, Page
from spiders.adapters.common import json_entries

NAME = "spa"
_SHELL_RE = re.compile(r"<div[^>]+id=['\"](?:app|root)['\"][^>]*>\s*</div>|chunk-vendors|__INITIAL_STATE__|__NUXT__|ng-app=", re.I)
_STATE_RE = re.compile(r"window\.__INITIAL_STATE__\s*=\s*(\{.*?\})\s*;?\s*</script>", re.S)


def fingerprint(page: Page) -> bool:
    """A shell: the markers, a small page, and no report among its links (a heading may say 年报)."""
    if not _SHELL_RE.search(page.text) or len(page.text) > 30000:
        return False
    links = page.sel.css("a")
    return not any(classify_title(" ".join(a.css("::text").getall()) or a.attrib.get("title", "")).is_report for a in links)


def read(page: Page) -> Listing:
    """The list in ``window.__INITIAL_STATE__`` when the shell carries it; else render."""
    if (m := _STATE_RE.search(page.text)):
        try:
            state = json.loads(m.group(1))
            entries = json_entries(page.url, state, page.org)
        except ValueError:
            state, entries = None, []
        if any(classify_title(e.title).is_report for e in entries):
            return Listing(entries=entries, listed_total=_stated_total(state))
    return Listing(render=True)


_TOTAL_KEYS = ("total", "totalCount", "totalRecord", "totalRecords", "recordCount", "totalElements", "count")


def _stated_total(obj: object, depth: int = 0) -> int | None:
    """The number of records the state says the list has (shallowest key wins), so that a
    state carrying only its first page is never taken for the whole column."""
    if depth > 3 or not isinstance(obj, dict):
        return None
    for key in _TOTAL_KEYS:
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    for value in obj.values():
        found = _stated_total(value, depth + 1)
        if found is not None:
            return found
    return None
