"""Where the crawl may send a request: http(s) only, and only to the agency's own hosts.

Every request — page, list page, API call, redirect hop, attachment, robots.txt — is
checked here (the downloader middleware :class:`crawler.middlewares.ScopeMiddleware`
asks :meth:`Scope.refusal` before anything is sent), issue 16 items 1 and 2:

- only ``http`` and ``https``: a ``file:///proc/self/environ#.pdf`` link is never read;
- an agency's requests go to its hosts (registry ``site``, ``hosts``, ``start_urls`` and
  their subdomains), to the host of a column that lists its reports (a shared portal),
  and — attachments only — to the hosts the registry allows for attachments
  (``defaults.attachment_hosts`` or the agency's ``attachment_hosts``);
- a site that moved (its registered home page or start URL answers a redirect to another
  host) is followed to its new host, the one exception, recorded in the tried URLs;
- never to a private, loopback, link-local or otherwise internal address unless the
  registry names that very host.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from spiders.adapters.common import canonical
from spiders.pagekinds import hosts_of

HTTP_SCHEMES = ("http", "https")
_INTERNAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


class OutOfScope(IgnoreRequest):
    """A request the scope refused; its message (Chinese) is the agency's recorded error."""


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in HTTP_SCHEMES and bool(parts.hostname)


def is_internal(host: str) -> bool:
    """A literal address that is not on the public internet (or a name for the loopback)."""
    if host in _INTERNAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _within(host: str, hosts: set[str]) -> bool:
    """The host, or a subdomain of a registered host with at least three labels."""
    if host in hosts:
        return True
    if is_internal(host) or _is_ip(host):
        return False
    return any(host.endswith("." + h) for h in hosts if h.count(".") >= 2 and not _is_ip(h))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _strip_port(host: str) -> str:
    return host.rsplit(":", 1)[0].lower() if host.count(":") == 1 else host.lower()


class Scope:
    """The hosts each agency's requests may go to (the agencies' dicts are shared with the
    spider: a site's move is recorded in its ``hosts``)."""

    def __init__(self, agencies: dict[str, dict[str, Any]]) -> None:
        self.agencies = agencies
        self.column_hosts: dict[str, set[str]] = {aid: set() for aid in agencies}
        self.named: set[str] = set()  # every host the registry names: the only internal ones allowed
        self.entries: dict[str, set[str]] = {}  # agency -> its registered entry URLs (a move starts there)
        self.resolved_internal: dict[str, str] = {}  # name -> internal address the resolver refused
        for aid, agency in agencies.items():
            self.named |= hosts_of(agency) | self.attachment_hosts(aid)
            self.entries[aid] = {canonical(u) for u in [agency.get("site") or "", *(agency.get("start_urls") or [])] if u}

    def attachment_hosts(self, aid: str) -> set[str]:
        return {_strip_port(h) for h in self.agencies[aid].get("attachment_hosts") or []}

    def hosts(self, aid: str) -> set[str]:
        return hosts_of(self.agencies[aid]) | self.column_hosts.get(aid, set())

    def lists_reports_of(self, aid: str, column_url: str) -> None:
        """A column on another host lists this agency's reports: its host is the agency's too."""
        host = host_of(column_url)
        if host:
            self.column_hosts.setdefault(aid, set()).add(host)

    def dns_refusal(self, url: str) -> str | None:
        """Why the resolver refused this URL's host (it resolved to an internal address)."""
        host = host_of(url)
        address = self.resolved_internal.get(host)
        return f"不访问内部地址：{host}（解析为 {address}）" if address else None

    def refusal(self, url: str, meta: dict[str, Any]) -> str | None:
        """Why this request must not be sent (Chinese), or None when it may go."""
        if not is_http(url):
            return f"不抓取非 http(s) 地址：{url[:80]}"
        host = host_of(url)
        if is_internal(host) and host not in self.named:
            return f"不访问内部地址：{host}"
        aid = meta.get("agency")
        if aid not in self.agencies:  # robots.txt and other requests of no agency: some agency's host
            if any(_within(host, self.hosts(a) | self.attachment_hosts(a)) for a in self.agencies):
                return None
            return f"不在任何机关的站点内：{host}"
        hosts = self.hosts(aid)
        if _within(host, hosts):
            return None
        if meta.get("role") in ("attachment", "picture") or meta.get("attachment"):
            if _within(host, self.attachment_hosts(aid)):
                return None
            return f"附件不在本机关站点内（可在登记册 attachment_hosts 中登记）：{host}"
        if self._moved(aid, url, meta):
            return None
        return f"不在本机关站点内：{host}"

    def _moved(self, aid: str, url: str, meta: dict[str, Any]) -> bool:
        """The registered home page or start URL redirects to another (public) host: the
        site moved; its new host becomes the agency's."""
        chain = meta.get("redirect_urls") or []
        if not chain or canonical(chain[0]) not in self.entries.get(aid, set()):
            return False
        if any(not _within(host_of(u), hosts_of(self.agencies[aid])) for u in chain):
            return False  # every earlier hop on the agency's own hosts
        host = host_of(url)
        agency = self.agencies[aid]
        agency["hosts"] = [*(agency.get("hosts") or []), host]
        return True
