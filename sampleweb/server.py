"""Serve the sample web on loopback, as origin server and as HTTP proxy.

The crawler reaches the sample hosts (``*.gov.cn.test``) through this server used as its
``http_proxy``, so URLs keep their real shape and per-host politeness applies per site,
while nothing leaves 127.0.0.1.  Every request is logged (time, host, path, status) so
tests and the benchmark can measure politeness from the server's side.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sampleweb import portal
from sampleweb.render import RenderedSite, Resource, calendar_page, render_site
from sampleweb.sites import SampleSite

WAF_PAGE = ("<html><head><title>安全验证</title></head><body><p>您的访问疑似攻击行为，已被网站防火墙拦截。"
            "请开启JavaScript并刷新页面完成安全验证。</p><script>document.cookie='waf_token=1';</script></body></html>").encode()
NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"


@dataclass(slots=True)
class LogEntry:
    at: float
    host: str
    method: str
    path: str
    status: int
    size: int


class SampleWeb:
    """The sites of a sample web, rendered per phase, with a request log."""

    def __init__(self, sites: list[SampleSite], slow_delay: float = 3.0) -> None:
        self.sites = {s.host: s for s in sites}
        self.phase = 1
        self.slow_delay = slow_delay
        self.log: list[LogEntry] = []
        self._rendered: dict[tuple[str, int], RenderedSite] = {}
        self._lock = threading.Lock()

    def rendered(self, host: str) -> RenderedSite:
        key = (host, self.phase)
        with self._lock:
            if key not in self._rendered:
                self._rendered[key] = render_site(self.sites[host], self.phase)
            return self._rendered[key]

    def set_phase(self, phase: int) -> None:
        self.phase = phase

    def truth(self) -> dict[str, Any]:
        """Ground truth for the current phase: every report and every non-report URL."""
        reports, non_reports, foreign = [], [], []
        for host, site in self.sites.items():
            r = self.rendered(host)
            for t in r.truth_reports:
                reports.append(dict(t, site_state=site.state, family=site.family))
            non_reports.extend(r.non_reports)
            foreign.extend(r.foreign_reports)
        return {"phase": self.phase, "reports": reports, "non_reports": non_reports, "foreign_reports": foreign}

    def record(self, entry: LogEntry) -> None:
        with self._lock:
            self.log.append(entry)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SampleServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - silence stderr
        return

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _target(self) -> tuple[str, str]:
        if self.path.startswith("http://") or self.path.startswith("https://"):
            parts = urlsplit(self.path)
            host, path = parts.hostname or "", parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            return host.lower(), path
        return (self.headers.get("Host") or "").split(":")[0].lower(), self.path

    def _serve(self, method: str) -> None:
        web = self.server.web
        host, path = self._target()
        length = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        fleet = getattr(web, "fleet", None)  # a generated fleet of shared hosts (sampleweb/fleet.py)
        if fleet is not None and host in fleet.hosts:
            return fleet.serve(self, web, host, method, path)
        site = web.sites.get(host)
        if site is None and (page := portal.serve(host, path)) is not None:  # the county portal
            return self._send(web, host, method, path, page)
        if site is None or site.state == "dead":
            # what a real proxy answers when the origin refuses the connection
            return self._send(web, host, method, path, Resource(b"Bad Gateway: connection refused", "text/plain", 502))
        if site.state == "slow":
            time.sleep(web.slow_delay)
        if site.state == "waf":
            return self._send(web, host, method, path, Resource(WAF_PAGE, "text/html; charset=utf-8"))
        rendered = web.rendered(host)
        res = rendered.resources.get(path)
        if method == "POST" and path.startswith("/module/web/jpage/dataproxy.jsp"):
            res = self._dataproxy(rendered, path, form)
        elif path.startswith("/calendar"):
            res = calendar_page(site, parse_qs(urlsplit(path).query).get("date", [""])[0])
        elif path.startswith("/search"):
            res = Resource("<html><body>搜索结果：政府信息公开年报</body></html>".encode())
        if res is None or (res.post_only and method != "POST"):
            res = Resource(NOT_FOUND, "text/html", 404)
        self._send(web, host, method, path, res)

    @staticmethod
    def _dataproxy(rendered: RenderedSite, path: str, form: str) -> Resource:
        import json

        params = {**parse_qs(urlsplit(path).query), **parse_qs(form)}
        col = params.get("columnid", [""])[0]
        store = rendered.resources.get(f"/module/web/jpage/dataproxy.jsp#{col}")
        if store is None:
            return Resource(NOT_FOUND, "text/html", 404)
        records = json.loads(store.body)
        start = int(params.get("startrecord", ["1"])[0])
        end = int(params.get("endrecord", [str(len(records))])[0])
        body = (f"<datastore><totalrecord>{len(records)}</totalrecord><recordset>"
                + "".join(records[start - 1:end]) + "</recordset></datastore>")
        return Resource(body.encode(), "text/xml; charset=utf-8")

    def _send(self, web: SampleWeb, host: str, method: str, path: str, res: Resource) -> None:
        etag = '"' + hashlib.sha1(res.body).hexdigest()[:16] + '"'
        status = res.status
        if status == 200 and self.headers.get("If-None-Match") == etag:
            status = 304
        self.send_response(status)
        self.send_header("Content-Type", res.content_type)
        if res.location:
            self.send_header("Location", res.location)
        if res.status == 200:
            self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            if res.modified:
                self.send_header("Last-Modified", format_datetime(res.modified.astimezone(), usegmt=True)
                                 if res.modified.tzinfo else _http_date(res.modified))
        body = b"" if status == 304 or method == "HEAD" else res.body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        web.record(LogEntry(time.time(), host, method, path, status, len(body)))


def _http_date(naive) -> str:
    from db.dates import BEIJING

    return format_datetime(naive.replace(tzinfo=BEIJING).astimezone(UTC), usegmt=True)


class SampleServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 serving a :class:`SampleWeb`."""

    daemon_threads = True

    def __init__(self, web: SampleWeb, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.web = web

    def handle_error(self, request, client_address) -> None:
        """A client that hung up (a crawler timing out on the slow site) is not an error."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> SampleServer:
        threading.Thread(target=self.serve_forever, name="sample-web", daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
