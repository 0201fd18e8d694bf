"""One decoder on every path: every page, API answer and article, whichever adapter
reached it, is decoded by the parser's charset detection (GBK/GB18030 with wrong
declarations included), never by the HTTP header alone."""

from __future__ import annotations

from parsing.readers.html import decode_html


def page_text(body: bytes) -> str:
    return decode_html(body)[0]
