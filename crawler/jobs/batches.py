"""Host batches: the unit of distributed work.

Politeness is owed to a host, and many agencies share one (a county portal carries its
departments and townships).  Agencies are joined into *host groups* — the connected
components of "these agencies share a host" — and every group falls, by a stable hash of
its smallest host, into one of ``buckets`` buckets.  A job crawls the due agencies of one
bucket, and its procrastinate lock is the bucket: since a host always hashes to the same
bucket, no two jobs that touch one host ever run at the same moment, anywhere in the
cluster, while one Scrapy process per job still pays its start-up once for many hosts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(slots=True)
class Batch:
    """The due agencies of one bucket: ``lock`` serialises every job touching its hosts."""

    bucket: int
    hosts: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    @property
    def lock(self) -> str:
        return f"nianbao-hosts-{self.bucket}"


def agency_hosts(agency: dict[str, Any]) -> set[str]:
    """Every host an agency's crawl may request: its site, its start URLs, its extra hosts."""
    hosts = {(urlsplit(agency.get("site") or "").hostname or "").lower()}
    hosts |= {(urlsplit(u).hostname or "").lower() for u in agency.get("start_urls") or []}
    hosts |= {h.split(":")[0].lower() for h in agency.get("hosts") or []}
    return {h for h in hosts if h}


def host_groups(agencies: Iterable[dict[str, Any]]) -> list[tuple[list[str], list[str]]]:
    """(hosts, agency ids) per connected component of shared hosts, sorted."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: dict[str, list[str]] = {}
    for a in agencies:
        hosts = sorted(agency_hosts(a)) or [f"agency:{a['id']}"]
        find(hosts[0])
        for h in hosts[1:]:
            ra, rb = find(hosts[0]), find(h)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
        members.setdefault(hosts[0], []).append(a["id"])
    groups: dict[str, tuple[set[str], list[str]]] = {}
    for h in list(parent):
        groups.setdefault(find(h), (set(), []))[0].add(h)
    for first, ids in members.items():
        groups[find(first)][1].extend(ids)
    return sorted((sorted(hs), sorted(ids)) for hs, ids in groups.values())


def bucket_of(host: str, buckets: int) -> int:
    """A stable bucket for a host (the same on every machine and every run)."""
    return int.from_bytes(hashlib.sha1(host.encode()).digest()[:8], "big") % max(1, buckets)


def make_batches(agencies: Iterable[dict[str, Any]], buckets: int) -> list[Batch]:
    """The due agencies as batches, one per non-empty bucket, biggest first."""
    out: dict[int, Batch] = {}
    for hosts, ids in host_groups(agencies):
        b = out.setdefault(bucket_of(hosts[0], buckets), Batch(bucket_of(hosts[0], buckets)))
        b.hosts.extend(hosts)
        b.agencies.extend(ids)
    for b in out.values():
        b.hosts.sort()
        b.agencies.sort()
    return sorted(out.values(), key=lambda b: (-len(b.hosts), b.bucket))
