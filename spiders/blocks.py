"""Blocked is not JavaScript.  A ``<noscript>请开启JavaScript…</noscript>`` notice is page
furniture; a real block is HTTP 412/403 with a JS cookie challenge (瑞数-style), a slider
captcha, or a challenge page that replaces the content.  Also: failures described in
Chinese for the per-agency record (超时, 连接被拒绝, 域名解析失败, HTTP 503, 被拦截（…）)."""

from __future__ import annotations

import re

from twisted.python.failure import Failure

_NOSCRIPT_RE = re.compile(r"<noscript\b.*?</noscript>", re.S | re.I)
_INVISIBLE_RE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_CHALLENGE_JS_RE = re.compile(r"document\.cookie\s*=|\$_ts\s*=|\$_ts\.|eval\(function\(p,a,c,k|_0x[0-9a-f]{4}|"
                              r"location\.reload\(|acw_sc__v2|__jsl_clearance|FSSBBIl1UgzbN7N", re.I)
_SLIDER_RE = re.compile(r"滑动验证|拖动滑块|向右滑动|滑块验证|请完成验证|nc_wrapper|nocaptcha|geetest|slider[-_]?captcha|captcha", re.I)
_CHALLENGE_TEXT_RE = re.compile(r"安全验证|访问验证|人机验证|防火墙拦截|访问被拦截|访问受限|请求被拒绝|疑似攻击|安全检查|"
                                r"Access Denied|Forbidden|challenge", re.I)


def visible_text(html: str) -> str:
    return " ".join(_TAG_RE.sub(" ", _INVISIBLE_RE.sub(" ", _NOSCRIPT_RE.sub(" ", html))).split())


def block_evidence(status: int, html: str) -> str | None:
    """Why this answer is a block (Chinese, with a snippet), or None for an ordinary page."""
    text = visible_text(html)
    snippet = text[:80]
    scripts = _NOSCRIPT_RE.sub(" ", html)
    if status in (412, 403, 429, 418) and (_CHALLENGE_JS_RE.search(scripts) or len(text) < 400):
        kind = "JS Cookie 校验" if _CHALLENGE_JS_RE.search(scripts) else "拒绝访问"
        return f"HTTP {status}，{kind}" + (f"：{snippet}" if snippet else "")
    if len(text) < 2000 and _SLIDER_RE.search(_NOSCRIPT_RE.sub(" ", html)):
        return f"滑块验证码：{snippet}"
    if len(text) < 600 and _CHALLENGE_TEXT_RE.search(text):
        return f"验证页面替换了正文：{snippet}"
    if len(text) < 200 and _CHALLENGE_JS_RE.search(scripts) and not re.search(r"<a\s", html, re.I):
        return f"JS Cookie 校验页（HTTP {status}）"
    return None


def describe_failure(failure: Failure) -> str:
    """A failed request in Chinese: 超时, 连接被拒绝, 域名解析失败, HTTP 503, …"""
    from scrapy.exceptions import IgnoreRequest
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet.error import (
        ConnectionLost,
        ConnectionRefusedError,
        DNSLookupError,
        TCPTimedOutError,
        TimeoutError,
    )
    from twisted.web._newclient import ResponseNeverReceived

    from spiders.scope import OutOfScope

    exc = failure.value
    if isinstance(exc, OutOfScope):
        return str(exc)
    if isinstance(exc, IgnoreRequest) and not isinstance(exc, HttpError):
        return "robots.txt 禁止抓取" if "robots" in str(exc).lower() or not str(exc) else f"请求被忽略（{str(exc)[:60]}）"
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}"
    name = type(exc).__name__  # Scrapy ≥ 2.14 wraps Twisted's errors in its own (CannotResolveHostError, …)
    if isinstance(exc, DNSLookupError) or name == "CannotResolveHostError":
        return "域名解析失败"
    if isinstance(exc, (TimeoutError, TCPTimedOutError)) or "Timeout" in name:
        return "超时"
    if isinstance(exc, ConnectionRefusedError) or name == "DownloadConnectionRefusedError":
        return "连接被拒绝"
    if isinstance(exc, (ConnectionLost, ResponseNeverReceived)) or name in ("DownloadFailedError", "ResponseDataLossError"):
        return "连接中断"
    if "SSL" in type(exc).__name__ or "TLS" in str(exc)[:200]:
        return "TLS 握手失败"
    return f"请求失败（{type(exc).__name__}）"
