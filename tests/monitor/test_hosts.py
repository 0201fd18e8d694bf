"""The fast host reading of NON_GOV_HOST (monitor/registry.py) is urlsplit's, on every shape."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from monitor.registry import host_of


@pytest.mark.parametrize("url", [
    "http://a00001.gov.cn/ndbg/2024/1.html", "https://www.X.gov.cn/a", "http://h.gov.cn", "http://h.gov.cn:8080/x",
    "http://u:p@h.gov.cn/", "http://h.gov.cn?x=1", "http://[::1]/a", "http://h.gov.cn#f", "http://h.gov.cn\t/x",
    "http://h.gov.cn:/x", "http://h.gov.cn/x\ty", "http:///x", "https://a-b.c.gov.cn.test/", "http://h.gov.cn.:80/",
    " http://h.gov.cn/", "http://例子.gov.cn/", "http://h.gov.cn%2F/x", "HTTP://h.gov.cn/", "h.gov.cn", "h.gov.cn/x", ""])
def test_the_host_is_urlsplits(url: str) -> None:
    assert host_of(url) == urlsplit(url).hostname
