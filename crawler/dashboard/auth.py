"""Who may write (dismiss a finding, undo a dismissal) and the writes themselves.

Writes need either the configured token (``NIANBAO_DASHBOARD_TOKEN``, or ``token`` under
``[dashboard]`` in ``nianbao.toml``), entered once on the sign-in page and kept in the
signed session cookie, or — when no token is configured — a local-only session: the
server bound to loopback and the request from loopback, naming a loopback host (so a web
page elsewhere cannot reach it through DNS rebinding).  Every form carries a CSRF token.
Each write is recorded in ``finding_events`` with who, when and from where.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Finding, FindingEvent, utcnow

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass(slots=True)
class DashboardSettings:
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8720
    token: str | None = None


def load_settings(config_path: str | None = None, env: dict[str, str] | None = None) -> DashboardSettings:
    """``[dashboard]`` of the configuration file, then the environment over it."""
    env = dict(os.environ if env is None else env)
    file = Path(config_path) if config_path else Path("nianbao.toml")
    data: dict[str, Any] = {}
    if file.exists():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8")).get("dashboard") or {}
        except (OSError, tomllib.TOMLDecodeError):
            data = {}  # crawler.config reports a bad file with its one-line error
    s = DashboardSettings(enabled=bool(data.get("enabled", True)), host=str(data.get("host", "127.0.0.1")),
                          port=int(data.get("port", 8720)), token=data.get("token") or None)
    if env.get("NIANBAO_DASHBOARD_TOKEN"):
        s.token = env["NIANBAO_DASHBOARD_TOKEN"]
    if env.get("NIANBAO_DASHBOARD", "").lower() in ("0", "off", "false", "no"):
        s.enabled = False
    return s


def is_loopback(addr: str | None) -> bool:
    try:
        return ipaddress.ip_address((addr or "").strip("[]")).is_loopback
    except ValueError:
        return (addr or "") == "localhost"


def host_is_loopback(host_header: str | None) -> bool:
    host = (host_header or "").rsplit(":", 1)[0] if not (host_header or "").startswith("[") else \
        (host_header or "").split("]")[0] + "]"
    return host in LOOPBACK_NAMES or is_loopback(host)


def token_ok(configured: str | None, given: str | None) -> bool:
    return bool(configured) and bool(given) and hmac.compare_digest(str(configured).encode(), str(given).encode())


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


class WriteError(ValueError):
    """A dismiss or undo that cannot be done (one line, Chinese)."""


def dismiss(session: Session, key: str, reason: str, actor: str, via: str,
            draft: dict[str, Any] | None) -> Finding:
    """Dismiss the finding ``key``; a finding not stored yet (no ``nianbao check`` since) is
    stored from the snapshot's draft, dismissed, so later checks keep it quiet."""
    reason = (reason or "").strip()
    if not reason:
        raise WriteError("忽略问题须填写原因")
    f = session.scalar(select(Finding).where(Finding.key == key))
    if f is None:
        if draft is None:
            raise WriteError("没有这个问题")
        now = utcnow()
        f = Finding(key=key, agency_id=draft["agency"], year=draft["year"], code=draft["code"],
                    severity=draft["severity"], message=draft["message"], evidence=draft["evidence"],
                    status="open", first_seen=now, last_seen=now)
        session.add(f)
        session.flush()
    if f.status == "dismissed":
        raise WriteError("该问题已被忽略")
    previous = f.status
    f.status, f.dismissed_reason = "dismissed", reason
    session.add(FindingEvent(finding_id=f.id, action="dismiss", reason=reason, actor=actor, via=via,
                             previous_status=previous, at=utcnow()))
    return f


def undo(session: Session, key: str, actor: str, via: str) -> Finding:
    """Undo a dismissal: the finding is open again (the next check resolves it if it no longer holds)."""
    f = session.scalar(select(Finding).where(Finding.key == key))
    if f is None or f.status != "dismissed":
        raise WriteError("该问题未被忽略，无需撤销")
    reason = f.dismissed_reason
    f.status, f.dismissed_reason = "open", None
    session.add(FindingEvent(finding_id=f.id, action="undo", reason=reason, actor=actor, via=via,
                             previous_status="dismissed", at=utcnow()))
    return f
