"""A redirect to another host is fetched in the new host's slot (one request at a time per host)."""

from __future__ import annotations

from scrapy import Request

from crawler.middlewares import SlotPerHostMiddleware


def test_redirected_request_takes_the_new_hosts_slot() -> None:
    moved = Request("http://www.new.gov.cn/zwgk/", meta={"download_slot": "www.old.gov.cn"})
    SlotPerHostMiddleware().process_request(moved)
    assert moved.meta["download_slot"] == "www.new.gov.cn"
    fresh = Request("http://www.old.gov.cn/")
    SlotPerHostMiddleware().process_request(fresh)
    assert "download_slot" not in fresh.meta
