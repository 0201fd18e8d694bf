"""The variety web: a simulated government web on which the crawler is measured.

Built from spec/sites.md's descriptions of real platforms (Hanweb jpage and 信息公开 module,
JPaaS, TRUECMS, Epoint WebBuilder, gkmlpt, UCAP, Shanghai front/api, TRS, 博达 VSB, iframe and
SPA shells, year folders, a query-string platform, shared portals, blocks, migration
artefacts, picture tables, GBK pages), independently of the spider's code, so that the
measurement stays honest.

    with VarietyServer() as web:
        registry_yaml("registry.yaml")
        # nianbao crawl --registry registry.yaml --proxy {web.proxy_url} --delay 0.05
        result = measure(reports_json, web.log)

Not in the wheel, like :mod:`sampleweb`.  May import the product and ``sampleweb``
(report content, scoring); the product never imports it.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

from varietyweb.measure import format_table
from varietyweb.measure import measure as _measure
from varietyweb.server import LogEntry, VarietyHTTPServer
from varietyweb.world import World

__all__ = ["VarietyServer", "registry_yaml", "truth", "measure", "build", "format_table", "LogEntry"]


@functools.lru_cache(maxsize=1)
def build() -> World:
    """The whole web (deterministic; built once per process)."""
    from varietyweb.catalog import build_part1
    from varietyweb.catalog2 import build_part2

    w = World()
    build_part1(w)
    build_part2(w)
    return w


def truth() -> dict[str, Any]:
    """Ground truth: agencies (registry rows + expected outcome), reports (year, URL, title,
    expected publication date, class, tags), unreachable reports, absences, traps, noise."""
    return build().truth()


def registry_rows() -> list[dict[str, Any]]:
    return [a.registry_row() for a in build().agencies]


def registry_yaml(path: str | Path | None = None) -> str:
    """The registry (spec/interfaces.md) of every agency; written to ``path`` when given."""
    import yaml

    doc = {"defaults": {"deadlines": {"department": "01-31", "government": "03-31", "township": "03-31"},
                        "trusted_hosts": ["gov.cn.test"]},  # the test webs' domain, a government one here
           "agencies": registry_rows()}
    text = "# 多样性测试网（variety web）的登记表：由 varietyweb 生成\n" + yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=200)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def measure(reports_json: list[dict[str, Any]], request_log: list[Any], truth_: dict[str, Any] | None = None,
            outcomes: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Recall, precision, attribution, traps, concurrency and per-class table of a crawl;
    with ``outcomes`` (agency -> {outcome, reason}) also blocked/unreachable agencies."""
    return _measure(reports_json, request_log, truth_ or truth(), outcomes)


class VarietyServer:
    """Context manager serving the variety web on 127.0.0.1 (origin and HTTP proxy)."""

    def __init__(self, port: int = 0, latency: float = 0.0) -> None:
        self.world = build()
        self.http = VarietyHTTPServer(self.world.sites, port, latency)
        self._thread: threading.Thread | None = None

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    @property
    def log(self) -> list[LogEntry]:
        return self.http.log

    def truth(self) -> dict[str, Any]:
        return self.world.truth()

    def start(self) -> VarietyServer:
        self._thread = threading.Thread(target=self.http.serve_forever, name="variety-web", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def __enter__(self) -> VarietyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
