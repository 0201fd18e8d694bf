"""A generated fleet for the distributed tests and benchmark: many agencies on few hosts.

``hosts`` county portals (``county-NNN.gov.cn.test``), each carrying ``per_host``
departments under ``/bm/K/``; every department has a pinned 年报 column listing its
reports of ``years`` (HTML articles with a page date).  Deterministic: two builds serve
the same bytes, so two crawls (three workers, or one process) can be compared.

The fleet keeps its own request log with the ``X-Nianbao-Job`` header each crawl sends
(worker/job/attempt) and the moment every response started and ended, so a test can show
from the server's side that no host was ever served to two jobs at the same moment.  It
is attached to a :class:`sampleweb.server.SampleWeb` as ``web.fleet``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sampleweb.render import Resource
from sampleweb.sites import TLD

NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
DEPARTMENTS = ["发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局", "自然资源局",
               "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局",
               "卫生健康委员会", "应急管理局", "审计局", "市场监督管理局", "统计局"]


@dataclass(slots=True)
class Served:
    """One response of the fleet: which host, which crawl (job tag), when it started and ended."""

    host: str
    path: str
    tag: str
    start: float
    end: float
    status: int


@dataclass(slots=True)
class FleetAgency:
    id: str
    name: str
    host: str
    dept: int
    years: tuple[int, ...]

    @property
    def column(self) -> str:
        return f"/bm/{self.dept}/ndbg/"

    def published(self, year: int) -> date:
        return date(year + 1, 1, 5 + (self.dept * 7 + year) % 20)


@dataclass
class Fleet:
    hosts_count: int = 60
    per_host: int = 5
    years: tuple[int, ...] = (2023, 2024)
    service_time: float = 0.01  # seconds each response takes (overlaps become observable)
    agencies: list[FleetAgency] = field(default_factory=list)
    log: list[Served] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        if not self.agencies:
            for h in range(self.hosts_count):
                host = f"county-{h:03d}.{TLD}"
                for k in range(self.per_host):
                    name = f"第{h}县{DEPARTMENTS[k % len(DEPARTMENTS)]}" + (f"{k // len(DEPARTMENTS)}" if k >= len(DEPARTMENTS) else "")
                    self.agencies.append(FleetAgency(f"fleet-{h:03d}-{k:02d}", name, host, k, self.years))
        self.hosts = {a.host for a in self.agencies}
        self._by_path = {(a.host, a.dept): a for a in self.agencies}

    # ---------------------------------------------------------------- registry and truth
    def registry_yaml(self) -> str:
        lines = ["# A generated fleet: departments sharing county portals (sampleweb/fleet.py)",
                 "defaults:", "  trusted_hosts: [gov.cn.test]", "agencies:"]
        for a in self.agencies:
            lines += [f"  - id: {a.id}", f"    name: {a.name}", "    kind: department", f"    site: http://{a.host}/",
                      f"    start_urls: [\"http://{a.host}{a.column}\"]", f"    since: {min(a.years)}"]
        return "\n".join(lines) + "\n"

    def report_urls(self) -> dict[str, set[str]]:
        return {a.id: {f"http://{a.host}{a.column}{y}.html" for y in a.years} for a in self.agencies}

    # ---------------------------------------------------------------- serving
    def resource(self, host: str, path: str) -> Resource:
        if path == "/robots.txt":
            return Resource(b"User-agent: *\nAllow: /\n", "text/plain")
        if path == "/":
            links = "".join(f'<li><a href="/bm/{a.dept}/">{a.name}</a></li>' for a in self.agencies if a.host == host)
            return _page(f"{host} 县人民政府门户网站", f"<ul>{links}</ul>")
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "bm" and parts[1].isdigit() and parts[2] == "ndbg":
            a = self._by_path.get((host, int(parts[1])))
            if a is None:
                return Resource(NOT_FOUND, "text/html", 404)
            if len(parts) == 3:
                items = "".join(f'<li><a href="{a.column}{y}.html" title="{a.name}{y}年政府信息公开工作年度报告">'
                                f'{a.name}{y}年政府信息公开工作年度报告</a><span>{a.published(y).isoformat()}</span></li>'
                                for y in sorted(a.years, reverse=True))
                return _page(f"{a.name} 政府信息公开年报", f'<ul class="list">{items}</ul>')
            if len(parts) == 4 and parts[3].removesuffix(".html").isdigit():
                y = int(parts[3].removesuffix(".html"))
                if y in a.years:
                    day = a.published(y)
                    body = (f"<h1>{a.name}{y}年政府信息公开工作年度报告</h1><p>发布日期：{day.isoformat()}</p>"
                            f"<p>本报告由{a.name}依据《中华人民共和国政府信息公开条例》编制，"
                            f"所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。</p>")
                    return Resource(_page(f"{a.name}{y}年政府信息公开工作年度报告", body,
                                          {"PubDate": f"{day.isoformat()} 09:00"}).body,
                                    modified=datetime(day.year, day.month, day.day, 9, 0))
        return Resource(NOT_FOUND, "text/html", 404)

    def serve(self, handler: Any, web: Any, host: str, method: str, path: str) -> None:
        """Answer one request on a fleet host (called by the sample server's handler)."""
        start = time.time()
        res = self.resource(host, path)
        if self.service_time:
            time.sleep(self.service_time)
        handler._send(web, host, method, path, res)
        with self._lock:
            self.log.append(Served(host, path, handler.headers.get("X-Nianbao-Job") or "", start, time.time(),
                                   res.status))

    # ---------------------------------------------------------------- politeness, from the server's side
    def overlaps(self) -> list[tuple[str, str, str]]:
        """(host, tag, tag) where one host served two crawls at once: their spans (first to
        last response of a crawl on the host) intersect."""
        spans: dict[tuple[str, str], list[float]] = {}
        for s in self.log:
            span = spans.setdefault((s.host, s.tag), [s.start, s.end])
            span[0], span[1] = min(span[0], s.start), max(span[1], s.end)
        out = []
        by_host: dict[str, list[tuple[float, float, str]]] = {}
        for (host, tag), (a, b) in spans.items():
            by_host.setdefault(host, []).append((a, b, tag))
        for host, items in by_host.items():
            items.sort()
            for (_a1, b1, t1), (a2, _b2, t2) in zip(items, items[1:], strict=False):
                if a2 < b1:
                    out.append((host, t1, t2))
        return out


def _page(title: str, body: str, meta: dict[str, str] | None = None) -> Resource:
    metas = "".join(f'<meta name="{k}" content="{v}">' for k, v in (meta or {}).items())
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>{metas}</head>'
            f"<body>{body}</body></html>")
    return Resource(html.encode("utf-8"))
