"""Serve the variety web on loopback, as origin server and as HTTP proxy (like the sample
web): the crawler is given ``--proxy``, URLs keep their real ``*.gov.cn.test`` shape, and
nothing leaves 127.0.0.1.  Every request is logged with its start and end time, so
politeness (concurrent requests per host) is measured from the server's side.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from varietyweb.web import Request, Resource, Site

CHALLENGE_412 = (
    b"<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    b"<meta id='9DhefwqGPrzGxEp9hPaoag' content='_A1xwZ3ql7hrLbNEgTBkKcWqJf0N2d'>"
    b"<script type='text/javascript' charset='utf-8' src='/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js'></script></head>"
    b"<body><script type='text/javascript' r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84943;"
    b"$_ts.cd='qErcrrAlEGqrDaA7rr3lqGVqqGl';if($_ts.lcd)$_ts.lcd();</script></body></html>")
SLIDER = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>安全验证</title>"
    "<script src='//g.alicdn.com/sd/nch5/index.js?t=2015052012'></script></head><body>"
    "<div class='verify'><p>为保障您的正常访问，请进行验证</p><div id='nc_1_wrapper'><div id='nc_1_n1z' class='nc_iconfont btn_slide'>"
    "&gt;&gt;</div><span class='nc-lang-cnt'>请按住滑块，拖动到最右边</span></div></div>"
    "<script>var nc=new noCaptcha({renderTo:'#nc_1_wrapper',appkey:'FFFF0N0000000000A2B1',scene:'nc_other'});</script>"
    "</body></html>").encode()


@dataclass(slots=True)
class LogEntry:
    host: str
    method: str
    path: str  # path with query string
    status: int
    start: float
    end: float
    size: int

    def as_dict(self) -> dict:
        return asdict(self)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: VarietyHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep stderr quiet
        return

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def _target(self) -> tuple[str, str, str]:
        raw = self.path
        if raw.startswith(("http://", "https://")):
            parts = urlsplit(raw)
            return (parts.hostname or "").lower(), parts.path or "/", parts.query
        parts = urlsplit(raw)
        return (self.headers.get("Host") or "").split(":")[0].lower(), parts.path or "/", parts.query

    def _serve(self, method: str) -> None:
        start = time.time()
        host, path, query = self._target()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        site = self.server.sites.get(host)
        res = self.server.answer(site, Request(method, host, path, query, body, self.headers))
        self.send_response(res.status)
        self.send_header("Content-Type", res.content_type)
        self.send_header("Server", "nginx")
        for k, v in res.headers.items():
            self.send_header(k, v)
        out = b"" if method == "HEAD" else res.body
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if out:
            self.wfile.write(out)
        self.server.record(LogEntry(host, method, path + ("?" + query if query else ""), res.status, start, time.time(), len(out)))


class VarietyHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to 127.0.0.1 only."""

    daemon_threads = True

    def __init__(self, sites: dict[str, Site], port: int = 0, latency: float = 0.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.sites = sites
        self.latency = latency  # seconds each answer takes, so overlapping requests are visible
        self.log: list[LogEntry] = []
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str]] = set()  # for flaky sites: targets already answered once

    def record(self, entry: LogEntry) -> None:
        with self._lock:
            self.log.append(entry)

    def answer(self, site: Site | None, req: Request) -> Resource:
        if site is None or site.state == "dead":
            return Resource(b"Bad Gateway: connection refused", "text/plain", 502)
        if self.latency or site.delay:
            time.sleep(self.latency + site.delay)
        if site.state == "js-challenge":
            # the header cookie (…80S) comes with the 412; the one that passes (…80T) only the JS computes
            if "FSSBBIl1UgzbN7N80T=" not in (req.headers.get("Cookie") or ""):
                return Resource(CHALLENGE_412, "text/html", 412, {"Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; Path=/; HttpOnly"})
        if site.state == "slider":
            return Resource(SLIDER, "text/html; charset=utf-8")
        if site.flaky and (req.path.endswith("/") or "index" in req.path):
            with self._lock:
                first = (site.host, req.target) not in self._seen
                self._seen.add((site.host, req.target))
            if first:
                return Resource(b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>", "text/html", 503,
                                {"Retry-After": "1"})
        try:
            return site.serve(req)
        except Exception as exc:  # a bug in the web must show, not hang the crawler
            return Resource(f"500 Internal Server Error: {type(exc).__name__}: {exc}".encode(), "text/plain", 500)

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)
