"""The dashboard: the compliance picture in a browser (server-rendered, read-mostly).

``nianbao dashboard`` serves it alone; ``nianbao serve`` starts it in a thread next to the
scheduler (:func:`start_in_thread`).  Bound to loopback unless told otherwise.

May import: ``db``, ``monitor``, ``parsing``, and of ``crawler`` only ``config`` and
``cadence``; never the service or the CLI, which start it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

log = logging.getLogger("nianbao.dashboard")


@dataclass(slots=True)
class Running:
    """A dashboard serving in a background thread."""

    server: Any
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def make_server(db_url: str, host: str = "127.0.0.1", port: int = 8720, token: str | None = None,
                as_of: date | None = None, config_path: str | None = None) -> Any:
    """A threaded WSGI server for the dashboard (port 0: any free port)."""
    from werkzeug.serving import make_server as werkzeug_server

    from crawler.dashboard.app import create_app

    app = create_app(db_url, token=token, as_of=as_of, config_path=config_path, bound_host=host)
    server = werkzeug_server(host, port, app, threaded=True)
    server.app = app
    return server


def start_in_thread(db_url: str, host: str = "127.0.0.1", port: int = 8720, token: str | None = None,
                    as_of: date | None = None, config_path: str | None = None, warm: bool = True) -> Running:
    """Serve the dashboard from a daemon thread; ``warm`` computes the first snapshot at once."""
    server = make_server(db_url, host, port, token, as_of, config_path)
    thread = threading.Thread(target=server.serve_forever, name="dashboard", daemon=True)
    thread.start()
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_port}/"
    if warm:
        from crawler.dashboard.labels import today_beijing

        server.app.extensions["nianbao"]["cache"].refresh_in_background(as_of or today_beijing())
    log.info("dashboard on %s", url)
    return Running(server, thread, url)


def start_dashboard_if_enabled(db_url: str, config_path: str | None) -> Running | None:
    """For ``nianbao serve``: the dashboard unless ``[dashboard] enabled = false`` or
    ``NIANBAO_DASHBOARD=off``; a port already in use is logged, not fatal to the service."""
    from crawler.dashboard.auth import load_settings

    settings = load_settings(config_path)
    if not settings.enabled:
        log.info("dashboard disabled by configuration")
        return None
    try:
        return start_in_thread(db_url, settings.host, settings.port, settings.token, config_path=config_path)
    except OSError as exc:
        log.error("dashboard not started: cannot listen on %s:%s (%s)", settings.host, settings.port, exc)
        return None
