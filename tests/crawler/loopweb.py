"""A small loopback web for the storing tests: origin server and HTTP proxy for made-up hosts.

Each route ``(host, path)`` is an :class:`Answer` (status, body, ETag, a delay, a hook run
when it is requested) or a function of the request returning one.  Pages with an ETag
answer 304 to a matching ``If-None-Match``.  Every request is logged with its headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"


@dataclass
class Answer:
    body: bytes | str
    status: int = 200
    ctype: str = HTML
    etag: str | None = None
    delay: float = 0.0
    on_request: Callable[[], None] | None = None


@dataclass(slots=True)
class Hit:
    host: str
    path: str
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.monotonic)


class LoopWeb:
    def __init__(self, routes: dict[tuple[str, str], Answer | Callable[[dict[str, str]], Answer]]) -> None:
        self.routes = routes
        self.log: list[Hit] = []
        self.lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                target = urlsplit(self.path)
                host = (target.hostname or self.headers.get("Host", "")).split(":")[0]
                path = (target.path or "/") + (f"?{target.query}" if target.query else "")
                headers = {k.lower(): v for k, v in self.headers.items()}
                route = web.routes.get((host, path))
                answer = route(headers) if callable(route) else route
                if answer is None:
                    answer = Answer("<html><body>404 Not Found</body></html>", status=404)
                if answer.on_request is not None:
                    answer.on_request()
                status = answer.status
                data = answer.body.encode("utf-8") if isinstance(answer.body, str) else answer.body
                if answer.etag and headers.get("if-none-match") == answer.etag and status == 200:
                    status, data = 304, b""
                with web.lock:  # logged when asked, before any delay
                    web.log.append(Hit(host, path, headers, status))
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", answer.ctype)
                    if answer.etag:
                        self.send_header("ETag", answer.etag)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the crawler went away (a test kills it)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LoopWeb:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def hits(self, host: str, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if h.host == host and h.path == path]


def article(title: str, body: str = "") -> str:
    """A report page the spider takes as an article and the parser reads."""
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
            f"<div id='zoom'><p>{title}。一、总体情况……</p>{body}</div></body></html>")


def column(*items: tuple[str, str]) -> str:
    """A report column listing ``(href, title)`` entries, one page, no pager."""
    lis = "".join(f"<li><a href='{h}'>{t}</a><span>2024-01-20</span></li>" for h, t in items)
    return f"<html><head><meta charset='utf-8'></head><body><ul class='list'>{lis}</ul></body></html>"
