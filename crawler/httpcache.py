"""The HTTP cache, verified: a cached body is used only when it is the body that was stored.

Issue 16 item 12: Scrapy's filesystem cache writes a response's files one after another,
in place; a crawl killed (or a disk filled) while writing leaves a truncated
``response_body``.  Every later crawl revalidates it, the server answers 304, and the
truncated body is served as the page: a new "version" of the report (false EDITED), and
sections and tables missing from it (false SECTION_MISSING, TABLE_MISSING).

Here each stored body gets a sidecar ``response_body.sha256`` (its length and sha256,
written last and atomically, removed before the body is rewritten).  A cached entry whose
body does not match it, or that has none, is treated as not cached: the request goes out
without validators and the full body is fetched (and stored anew).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path
from typing import Any

from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response

log = logging.getLogger(__name__)

SIDECAR = "response_body.sha256"


def _digest(body: bytes) -> str:
    return f"{len(body)} {hashlib.sha256(body).hexdigest()}"


class VerifiedCacheStorage(FilesystemCacheStorage):
    """:class:`FilesystemCacheStorage` whose bodies are checked against their sha256."""

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        rpath = Path(self._get_request_path(spider, request))
        sidecar = rpath / SIDECAR
        sidecar.unlink(missing_ok=True)  # until the new body is complete, the entry is not trusted
        super().store_response(spider, request, response)
        tmp = rpath / f"{SIDECAR}.{os.getpid()}.part"
        tmp.write_text(_digest(response.body), encoding="ascii")
        tmp.replace(sidecar)

    def retrieve_response(self, spider: Any, request: Request) -> Response | None:
        rpath = Path(self._get_request_path(spider, request))
        try:
            response = super().retrieve_response(spider, request)
            if response is None:
                return None
            expected = (rpath / SIDECAR).read_text(encoding="ascii").strip()
        except (OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:  # a file missing, a truncated gzip or pickle
            log.warning("HTTP cache entry for %s unreadable (%s): fetched again", request.url, exc)
            return None
        if _digest(response.body) != expected:
            log.warning("HTTP cache entry for %s is not the body stored (%s, expected %s): fetched again",
                        request.url, _digest(response.body)[:30], expected[:30])
            return None
        return response
