"""Small page tests the spider needs: soft 404s, JS/meta shell redirects, same-site."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

SOFT_404_RE = re.compile(r"页面不存在|找不到该页面|已被删除|404 Not Found|您访问的页面不存在")
JS_REDIRECT_RE = re.compile(r"""(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*=\s*['"]([^'"]+)['"]|location\.replace\(\s*['"]([^'"]+)['"]""")


def js_redirect(text: str) -> str | None:
    """The target of a small shell page that only sends the browser elsewhere."""
    if len(text) > 3000:
        return None
    m = JS_REDIRECT_RE.search(text)
    return next((g for g in m.groups() if g), None) if m else None


def hosts_of(agency: dict[str, Any]) -> set[str]:
    hosts = {h.split(":")[0].lower() for h in agency.get("hosts") or []}
    hosts.add((urlsplit(agency["site"]).hostname or "").lower())
    for u in agency.get("start_urls") or []:
        hosts.add((urlsplit(u).hostname or "").lower())
    return hosts - {""}


def same_site(url: str, agency: dict[str, Any], column_url: str | None = None) -> bool:
    """On the agency's hosts (or the host of the column that lists it)."""
    hosts = hosts_of(agency)
    if column_url:
        hosts.add((urlsplit(column_url).hostname or "").lower())
    return on_hosts(url, hosts)


def on_hosts(url: str, hosts: set[str]) -> bool:
    """``same_site`` for a host set computed once (a page's many links)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in hosts or any(host.endswith("." + h) for h in hosts if h.count(".") >= 2)
