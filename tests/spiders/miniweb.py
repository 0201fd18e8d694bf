"""A tiny loopback web for spider tests: origin server and HTTP proxy for made-up hosts.

Routes map ``(host, path?query)`` to an answer ``(status, body, content type)`` (plus,
optionally, a dict of extra headers such as ``Location``) or to a function of
``(method, body)`` returning one.  ``bind`` is the loopback address to listen on (another
one, e.g. ``127.0.0.2``, plays an internal host).  Every request is logged with its start and
end time, so tests measure politeness (one request at a time per host) at the server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

Answer = tuple[int, bytes | str, str] | tuple[int, bytes | str, str, dict[str, str]]


@dataclass(slots=True)
class Hit:
    host: str
    method: str
    path: str
    body: bytes
    start: float
    end: float
    status: int


class MiniWeb:
    def __init__(self, routes: dict[tuple[str, str], Answer | Callable[[str, bytes], Answer]],
                 bind: str = "127.0.0.1") -> None:
        self.routes = routes
        self.log: list[Hit] = []
        self.lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def _serve(self, method: str) -> None:
                start = time.monotonic()
                target = urlsplit(self.path)
                host = (target.hostname or self.headers.get("Host", "")).split(":")[0]
                path = (target.path or "/") + (f"?{target.query}" if target.query else "")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                route = web.routes.get((host, path))
                if route is None and path != "/robots.txt":
                    route = web.routes.get((host, path.split("?")[0] + "?*"))
                if callable(route):
                    route = route(method, body)
                status, content, ctype, *extra = route or (404, "<html><body>404 Not Found</body></html>", "text/html")
                data = content.encode("utf-8") if isinstance(content, str) else content
                time.sleep(0.02)  # a real server takes a moment: overlapping requests would show
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (extra[0] if extra else {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                with web.lock:
                    web.log.append(Hit(host, method, path, body, start, time.monotonic(), status))

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

        self.server = ThreadingHTTPServer((bind, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{bind}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MiniWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def max_parallel_per_host(self) -> int:
        worst = 0
        for h in {x.host for x in self.log}:
            hits = sorted((x for x in self.log if x.host == h), key=lambda x: x.start)
            for i, a in enumerate(hits):
                worst = max(worst, 1 + sum(1 for b in hits[i + 1:] if b.start < a.end))
        return worst
