"""Where requests may go (spiders/scope.py, crawler/middlewares.ScopeMiddleware): http(s)
only, the agency's own hosts, attachments elsewhere only through the registry's
allow-list, internal addresses only when the registry names them, a moved site followed
only from its registered entry."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from scrapy import Request

from crawler import settings
from crawler.middlewares import ScopeMiddleware
from spiders.scope import OutOfScope, Scope, is_internal


def _scope() -> Scope:
    return Scope({
        "a": {"id": "a", "site": "http://www.a.gov.cn/", "hosts": ["a.gov.cn"], "start_urls": ["http://xxgk.a.gov.cn/nb/"],
              "attachment_hosts": ["files.cdn.example.com"]},
        "local": {"id": "local", "site": "http://127.0.0.1:8080/", "hosts": [], "start_urls": []},
    })


def test_only_http_is_fetched_and_no_non_http_handler_is_on() -> None:
    s = _scope()
    for url in ("file:///proc/self/environ#.pdf", "file:///etc/passwd", "ftp://www.a.gov.cn/x.pdf",
                "data:text/html,hi", "s3://bucket/x.pdf"):
        assert s.refusal(url, {"agency": "a", "role": "attachment"}) is not None
    assert {settings.DOWNLOAD_HANDLERS[k] for k in ("file", "data", "s3", "ftp")} == {None}


def test_pages_stay_on_the_agencys_hosts() -> None:
    s = _scope()
    page = {"agency": "a", "role": "article"}
    assert s.refusal("http://www.a.gov.cn/nb/1.html", page) is None
    assert s.refusal("http://xxgk.a.gov.cn/nb/2.html", page) is None  # a start URL's host
    assert s.refusal("http://www.b.gov.cn/nb/1.html", page) is not None
    assert s.refusal("http://files.cdn.example.com/x.pdf", page) is not None  # attachments only
    s.lists_reports_of("a", "http://www.portal.gov.cn/nb/list.html")  # a shared portal lists its reports
    assert s.refusal("http://www.portal.gov.cn/nb/3.html", page) is None


def test_attachments_elsewhere_only_through_the_allow_list() -> None:
    s = _scope()
    att = {"agency": "a", "role": "attachment"}
    assert s.refusal("http://files.cdn.example.com/x.pdf", att) is None
    assert s.refusal("http://eu.files.cdn.example.com/x.pdf", att) is None
    assert "attachment_hosts" in (s.refusal("http://cdn.other.com/x.pdf", att) or "")


def test_internal_addresses_only_when_the_registry_names_them() -> None:
    s = _scope()
    assert s.refusal("http://127.0.0.1:8080/x.html", {"agency": "local", "role": "article"}) is None
    for url in ("http://127.0.0.2/x.pdf", "http://10.0.0.5/", "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/", "http://localhost:8080/", "http://192.168.1.1/"):
        assert "内部地址" in (s.refusal(url, {"agency": "local", "role": "attachment"}) or ""), url
    assert is_internal("::ffff:127.0.0.1") and not is_internal("8.8.8.8") and not is_internal("www.a.gov.cn")


def test_a_site_that_moved_is_followed_only_from_its_registered_entry() -> None:
    s = _scope()
    moved = {"agency": "a", "role": "explore", "redirect_urls": ["http://www.a.gov.cn/"]}
    assert s.refusal("http://www.a-new.gov.cn/", moved) is None
    assert s.refusal("http://www.a-new.gov.cn/nb/1.html", {"agency": "a", "role": "article"}) is None  # its host now
    hop = {"agency": "a", "role": "article", "redirect_urls": ["http://www.a.gov.cn/nb/9.html"]}
    assert s.refusal("http://www.elsewhere.gov.cn/", hop) is not None  # a page's redirect: not a move
    internal = {"agency": "a", "role": "explore", "redirect_urls": ["http://www.a.gov.cn/"]}
    assert s.refusal("http://10.1.2.3/", internal) is not None


def test_the_middleware_refuses_before_anything_is_sent() -> None:
    mw = ScopeMiddleware(SimpleNamespace(spider=SimpleNamespace(scope=_scope())))
    with pytest.raises(OutOfScope):
        mw.process_request(Request("http://127.0.0.2/secret.pdf", meta={"agency": "a", "role": "attachment"}))
    with pytest.raises(OutOfScope):  # robots.txt of a host no agency has
        mw.process_request(Request("http://www.b.gov.cn/robots.txt"))
    assert mw.process_request(Request("http://www.a.gov.cn/robots.txt")) is None
    bare = ScopeMiddleware(SimpleNamespace(spider=SimpleNamespace()))  # any spider: http(s) only
    with pytest.raises(OutOfScope):
        bare.process_request(Request("file:///etc/passwd"))
