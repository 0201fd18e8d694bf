"""The HTTP cache's storage (crawler/httpcache.py): one verified file per response (round 4).

Pinned: a stored response comes back as Scrapy's own storage would give it; a response is
one file; a damaged entry is not served; and a cache of the previous seven-file layout
keeps answering (trusted only with its sha256 sidecar), so an upgrade does not refetch
every page in full.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from scrapy import Request, Spider
from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.httpcache import SIDECAR, VerifiedCacheStorage

BODY = "<html><head><title>2024年政府信息公开工作年度报告</title></head><body>正文</body></html>".encode()


def _setup(tmp_path: Path) -> tuple[Spider, Request, HtmlResponse, object]:
    crawler = get_crawler(Spider, {"HTTPCACHE_DIR": str(tmp_path / "cache")})
    spider = Spider.from_crawler(crawler, name="reports")
    request = Request("http://www.a.gov.cn/nb/2024.html")
    response = HtmlResponse(request.url, status=200, body=BODY, request=request,
                            headers={"ETag": '"v1"', "Content-Type": "text/html; charset=utf-8"})
    return spider, request, response, crawler.settings


def _same(a: HtmlResponse | None, b: HtmlResponse) -> None:
    assert a is not None
    assert (type(a), a.url, a.status, a.body, a.headers.get("ETag")) == (type(b), b.url, b.status, b.body,
                                                                        b.headers.get("ETag"))


def test_one_file_per_response_and_the_same_response_back(tmp_path: Path) -> None:
    spider, request, response, settings = _setup(tmp_path)
    storage = VerifiedCacheStorage(settings)
    storage.open_spider(spider)
    storage.store_response(spider, request, response)
    files = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].name.endswith(".entry")
    _same(storage.retrieve_response(spider, request), response)
    assert "cache_timestamp" in request.meta


def test_a_damaged_entry_is_not_served(tmp_path: Path) -> None:
    spider, request, response, settings = _setup(tmp_path)
    storage = VerifiedCacheStorage(settings)
    storage.open_spider(spider)
    storage.store_response(spider, request, response)
    entry = next((tmp_path / "cache").rglob("*.entry"))
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 2])  # cut short
    assert storage.retrieve_response(spider, request) is None
    entry.write_bytes(whole.replace("正文".encode(), "正本".encode()))  # same length, other bytes
    assert storage.retrieve_response(spider, request) is None
    storage.store_response(spider, request, response)  # stored anew: served again
    _same(storage.retrieve_response(spider, request), response)


def test_a_cache_of_the_previous_layout_keeps_answering(tmp_path: Path) -> None:
    spider, request, response, settings = _setup(tmp_path)
    old = FilesystemCacheStorage(settings)
    old.open_spider(spider)
    old.store_response(spider, request, response)
    rpath = Path(old._get_request_path(spider, request))
    storage = VerifiedCacheStorage(settings)
    storage.open_spider(spider)
    assert storage.retrieve_response(spider, request) is None  # no sidecar: not trusted
    (rpath / SIDECAR).write_text(f"{len(BODY)} {hashlib.sha256(BODY).hexdigest()}", encoding="ascii")
    _same(storage.retrieve_response(spider, request), response)
    (rpath / "response_body").write_bytes(BODY[:10])  # truncated in the old layout
    assert storage.retrieve_response(spider, request) is None
