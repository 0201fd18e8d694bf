"""Failures described in Chinese (spiders/blocks.describe_failure), with the errors Scrapy
2.19 raises in place of Twisted's: they came out as 请求失败（CannotResolveHostError）."""

from __future__ import annotations

import pytest
from scrapy import exceptions as sx
from twisted.internet.error import ConnectionRefusedError, DNSLookupError
from twisted.python.failure import Failure

from spiders.blocks import describe_failure
from spiders.scope import OutOfScope


@pytest.mark.parametrize(("exc", "words"), [
    (DNSLookupError("x"), "域名解析失败"),
    (sx.CannotResolveHostError("x"), "域名解析失败"),
    (ConnectionRefusedError("x"), "连接被拒绝"),
    (sx.DownloadConnectionRefusedError("x"), "连接被拒绝"),
    (sx.DownloadTimeoutError("x"), "超时"),
    (sx.DownloadFailedError("x"), "连接中断"),
    (OutOfScope("不在本机关站点内：www.b.gov.cn"), "不在本机关站点内：www.b.gov.cn"),
])
def test_failures_in_chinese(exc: Exception, words: str) -> None:
    assert describe_failure(Failure(exc)) == words
