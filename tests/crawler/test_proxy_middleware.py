"""HostProxyMiddleware: Scrapy's proxy choice, with ``no_proxy`` asked once per host (round 4).

Scrapy's HttpProxyMiddleware parses the environment for every request; ours keeps the
answer per host.  Pinned: the same proxy meta and headers as Scrapy's for every kind of
request, and one ``proxy_bypass`` call per host however many requests go there.
"""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.httpproxy import HttpProxyMiddleware

import crawler.middlewares as mw


def _requests() -> list[Request]:
    return [Request("http://a.gov.cn.test/1.html"), Request("http://a.gov.cn.test/2.html"),
            Request("https://a.gov.cn.test/3.html"), Request("http://skip.test/x.html"),
            Request("http://skip.test/y.html"), Request("http://b.gov.cn.test/", meta={"proxy": None}),
            Request("http://b.gov.cn.test/", meta={"proxy": "http://other:8080"})]


def _outcome(req: Request) -> tuple:
    return (req.url, req.meta.get("proxy"), req.meta.get("_scheme_proxy"), req.headers.get(b"Proxy-Authorization"))


def test_the_same_proxy_as_scrapy_with_no_proxy_asked_once_per_host(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "no_proxy", "NO_PROXY"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("http_proxy", "http://user:pw@proxy.test:3128")
    monkeypatch.setenv("https_proxy", "http://proxy.test:3128")
    monkeypatch.setenv("no_proxy", "skip.test")
    theirs, ours = HttpProxyMiddleware("latin-1"), mw.HostProxyMiddleware("latin-1")
    asked: list[str] = []
    real = mw.proxy_bypass
    monkeypatch.setattr(mw, "proxy_bypass", lambda host: asked.append(host) or real(host))
    expected, got = _requests(), _requests()
    for req in expected:
        theirs.process_request(req)
    for req in got:
        ours.process_request(req)
    assert [_outcome(r) for r in got] == [_outcome(r) for r in expected]
    assert got[0].meta["proxy"] == "http://proxy.test:3128" and got[3].meta.get("proxy") is None
    assert sorted(asked) == ["a.gov.cn.test", "skip.test"]  # once per host, not once per request
