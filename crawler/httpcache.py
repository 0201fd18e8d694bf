"""The HTTP cache: one verified file per response.

Scrapy's filesystem cache writes seven files per response (meta twice, headers and body of
request and response, the response's extra data) in a directory of their own, one after
another and in place.  Two costs follow:

- issue 16 item 12: a crawl killed (or a disk filled) while writing leaves a truncated
  ``response_body``; every later crawl revalidates it, the server answers 304, and the
  truncated body is served as the page (a false EDITED, missing sections and tables);
- per page CPU (round 4): nine file operations and a directory per response were about a
  tenth of the crawl process's work on the reactor thread.

Here a response is one file, ``<fingerprint>.entry`` beside where Scrapy's directory would
be: a pickle of the response (URL, status, raw headers, body, Scrapy's extra response
data), the request's URL and method, the time it was stored, and the body's length and
sha256.  It is written under a temporary name and renamed into place, so an entry is either
whole or absent; an entry that cannot be read, or whose body does not match its sha256, is
treated as not cached (fetched in full, without validators, and stored anew).

Caches written by the previous layout keep answering: with no ``.entry`` for a request, the
Scrapy directory is read, trusted only with its ``response_body.sha256`` sidecar.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path
from time import time
from typing import Any

from scrapy.extensions.httpcache import FilesystemCacheStorage
from scrapy.http import Request, Response
from w3lib.http import headers_dict_to_raw, headers_raw_to_dict

log = logging.getLogger(__name__)

SIDECAR = "response_body.sha256"  # the previous layout's check of its body
ENTRY = ".entry"


def _digest(body: bytes) -> str:
    return f"{len(body)} {hashlib.sha256(body).hexdigest()}"


def _response(data: dict[str, Any]) -> Response:
    """The response as Scrapy's own storage rebuilds it."""
    try:
        from scrapy.utils.response import response_from_dict
    except ImportError:  # Scrapy before 2.19
        from scrapy.http import Headers
        from scrapy.responsetypes import responsetypes

        headers = Headers(data["headers"])
        cls = responsetypes.from_args(headers=headers, url=data["url"], body=data["body"])
        return cls(url=data["url"], status=data["status"], headers=headers, body=data["body"])
    return response_from_dict(data)


class VerifiedCacheStorage(FilesystemCacheStorage):
    """A filesystem cache of one atomically written, sha256-checked file per response."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self._dirs: set[Path] = set()

    def _entry_path(self, spider: Any, request: Request) -> Path:
        return Path(self._get_request_path(spider, request) + ENTRY)

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        path = self._entry_path(spider, request)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        as_dict = getattr(response, "to_dict", None)  # Scrapy 2.19+: the response's other fields
        extra = {k: v for k, v in as_dict().items() if k not in {"url", "status", "headers", "body"}} if as_dict else {}
        entry = {"url": request.url, "method": request.method, "timestamp": time(), "status": response.status,
                 "response_url": response.url, "headers": headers_dict_to_raw(response.headers),
                 "body": response.body, "extra": extra, "digest": _digest(response.body)}
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_bytes(pickle.dumps(entry, protocol=4))
        tmp.replace(path)  # whole or absent: a crawl killed while writing leaves only the .part

    def retrieve_response(self, spider: Any, request: Request) -> Response | None:
        path = self._entry_path(spider, request)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return self._retrieve_previous_layout(spider, request)
        except OSError as exc:
            log.warning("HTTP cache entry for %s unreadable (%s): fetched again", request.url, exc)
            return None
        try:
            entry = pickle.loads(raw)  # noqa: S301 - our own cache directory
            body, expected = entry["body"], entry["digest"]
        except Exception as exc:  # noqa: BLE001 - a truncated or damaged file, whatever the pickle error
            log.warning("HTTP cache entry for %s unreadable (%s): fetched again", request.url, type(exc).__name__)
            return None
        if _digest(body) != expected:
            log.warning("HTTP cache entry for %s is not the body stored (%s, expected %s): fetched again",
                        request.url, _digest(body)[:30], expected[:30])
            return None
        if 0 < self.expiration_secs < time() - entry["timestamp"]:
            return None  # expired
        request.meta["cache_timestamp"] = entry["timestamp"]
        return _response({"url": entry["response_url"], "status": entry["status"],
                          "headers": headers_raw_to_dict(entry["headers"]), "body": body, **entry["extra"]})

    def _retrieve_previous_layout(self, spider: Any, request: Request) -> Response | None:
        """An entry of the seven-file layout (caches of earlier versions), with its sidecar."""
        rpath = Path(self._get_request_path(spider, request))
        if not rpath.is_dir():
            return None
        try:
            response = super().retrieve_response(spider, request)
            if response is None:
                return None
            expected = (rpath / SIDECAR).read_text(encoding="ascii").strip()
        except (OSError, EOFError, ValueError, pickle.UnpicklingError) as exc:  # a file missing, a truncated pickle
            log.warning("HTTP cache entry for %s unreadable (%s): fetched again", request.url, exc)
            return None
        if _digest(response.body) != expected:
            log.warning("HTTP cache entry for %s is not the body stored (%s, expected %s): fetched again",
                        request.url, _digest(response.body)[:30], expected[:30])
            return None
        return response
