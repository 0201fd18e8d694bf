"""The building blocks of the variety web: resources, requests, sites and the page template.

A :class:`Site` is one host.  It answers from a table of fixed resources (path, or path
with query string) and from route handlers (prefix -> function of the request) for the
dynamic list interfaces.  Pages are rendered with :func:`page`, which imitates the
furniture of real government sites (navigation, ``<noscript>`` notice, footer) and the
charset mistakes they make.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import parse_qs

TLD = "gov.cn.test"  # RFC 2606 reserved: resolvable only through the variety web's proxy

NOSCRIPT = "<noscript>请开启JavaScript，以获得更好的浏览体验。您的浏览器不支持或已禁用JavaScript。</noscript>"


@dataclass(slots=True)
class Resource:
    """One answer: body, type, status and extra headers (Location, Set-Cookie…)."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def redirect(location: str, status: int = 302) -> Resource:
        return Resource(b"", "text/html", status, {"Location": location})

    @staticmethod
    def json(data: object, status: int = 200) -> Resource:
        return Resource(json.dumps(data, ensure_ascii=False).encode(), "application/json;charset=UTF-8", status)


NOT_FOUND = Resource(b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
                     b"<hr><center>nginx</center></body></html>", "text/html", 404)


@dataclass(slots=True)
class Request:
    """A request as a site sees it: method, path, parsed query and form, headers."""

    method: str
    host: str
    path: str
    query_string: str
    body: bytes
    headers: Mapping[str, str] | Message  # http.server gives an email Message

    @property
    def target(self) -> str:
        return self.path + ("?" + self.query_string if self.query_string else "")

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @property
    def form(self) -> dict[str, list[str]]:
        ctype = self.headers.get("Content-Type", "") or ""
        if not self.body or "json" in ctype:
            return {}
        return parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    def json_body(self) -> object:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """A parameter from the query string or the form (the form wins, as in most JSP stacks)."""
        for src in (self.form, self.query):
            if name in src:
                return src[name][0]
        return default

    def int_arg(self, name: str, default: int) -> int:
        try:
            return int(self.arg(name, str(default)) or default)
        except ValueError:
            return default


Handler = Callable[[Request], Resource | None]


@dataclass
class Site:
    """One host of the variety web."""

    host: str
    name: str  # SiteName: the organ running the site
    platform: str  # short platform label for humans (the truth keeps the exact class per report)
    charset: str = "utf-8"  # utf-8 | gbk | gbk-declared-utf8 | gb18030-undeclared | gb18030-declared-gb2312
    state: str = "ok"  # ok | dead | js-challenge | slider
    flaky: bool = False  # list pages answer 503 the first time (a 5xx burst), then 200
    delay: float = 0.0  # seconds every answer takes (a slow government server)
    robots: str | None = None
    site_code: str = "0000000000"
    footer: str = ""  # extra footer text (an address, an ICP number)
    resources: dict[str, Resource] = field(default_factory=dict)
    routes: list[tuple[str, Handler]] = field(default_factory=list)
    stores: dict[str, dict] = field(default_factory=dict)  # a platform's API data, by platform

    def add(self, target: str, res: Resource) -> str:
        self.resources[target] = res
        return target

    def route(self, prefix: str, fn: Handler) -> None:
        self.routes.append((prefix, fn))

    def url(self, target: str) -> str:
        return f"http://{self.host}{target}"

    def serve(self, req: Request) -> Resource:
        res = self.resources.get(req.target)
        if res is not None:
            return res
        for prefix, fn in self.routes:
            if req.path.startswith(prefix):
                got = fn(req)
                if got is not None:
                    return got
        if req.query_string and req.path in self.resources and not req.path.endswith(".jsp"):
            # most servers ignore unknown query parameters on static files (cache busters, ?v=)
            return self.resources[req.path]
        if req.path == "/robots.txt" and self.robots is not None:
            return Resource(self.robots.encode(), "text/plain")
        return NOT_FOUND


def encode_page(site: Site, text: str, charset: str | None = None) -> Resource:
    """Encode a page the way the site does, with its right or wrong declaration."""
    mode = charset or site.charset
    if mode == "utf-8":
        return Resource(text.encode("utf-8"), "text/html; charset=utf-8")
    if mode == "gbk":
        return Resource(text.replace("charset=utf-8", "charset=gbk").encode("gb18030"), "text/html; charset=GBK")
    if mode == "gbk-declared-utf8":  # GBK bytes while the meta and the header say UTF-8
        return Resource(text.encode("gb18030"), "text/html; charset=utf-8")
    if mode == "gb18030-undeclared":  # no declaration anywhere
        text = text.replace('<meta http-equiv="Content-Type" content="text/html; charset=utf-8">', "")
        return Resource(text.encode("gb18030"), "text/html")
    if mode == "gb18030-declared-gb2312":  # declared GB2312, but characters only GB18030 has
        text = text.replace("charset=utf-8", "charset=gb2312")
        return Resource(text.encode("gb18030"), "text/html; charset=gb2312")
    raise ValueError(mode)


def page(site: Site, title: str, body: str, meta: Mapping[str, str] | None = None, *, head: str = "",
         noscript: bool = True, nav: bool = True, charset: str | None = None) -> Resource:
    """A full page in the site's template: head metas, top navigation, body, footer."""
    metas = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in (meta or {}).items())
    top = ('<div class="top"><a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/xwzx/">新闻中心</a> '
           '<a href="/search/?keyword=">站内搜索</a></div>' if nav else "")
    doc = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
           f'<meta name="SiteName" content="{html.escape(site.name)}"><meta name="SiteDomain" content="{site.host}">'
           f'<meta name="SiteIDCode" content="{site.site_code}">{metas}{head}<title>{html.escape(title)}</title></head>'
           f"<body>{NOSCRIPT if noscript else ''}{top}\n{body}\n"
           f'<div class="footer">主办单位：{html.escape(site.name)}　网站标识码：{site.site_code}　'
           f"<a href='/wzdt/'>网站地图</a> {html.escape(site.footer)}</div></body></html>")
    return encode_page(site, doc, charset)


def li(href: str, title: str, day: object) -> str:
    """One list entry as most CMS templates write it."""
    return (f'<li><a href="{html.escape(href)}" title="{html.escape(title)}" target="_blank">'
            f"{html.escape(title)}</a><span>{day}</span></li>")
