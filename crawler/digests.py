"""Build each recipient's digest and queue it in the outbox (service and CLI share this)."""

from __future__ import annotations

from datetime import date, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from crawler.config import Config, Recipient
from crawler.mailer import enqueue
from db.models import OutboxMessage
from db.schema import open_db
from monitor.digest import Scope, build_message, digest_data, period_of


def _since(session, recipient: str, as_of: date) -> date:
    """Since the last digest sent to this recipient, else a week back."""
    last = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == recipient,
                                                      OutboxMessage.status == "sent").order_by(OutboxMessage.id.desc()))
    if last is not None and last.sent_at is not None:
        return min(last.sent_at.date(), as_of)
    return as_of - timedelta(days=7)


def build_digests(db_url: str, cfg: Config, as_of: date, recipients: list[Recipient] | None = None,
                  since: date | None = None, audit_as_of: date | None = None) -> list[tuple[Recipient, EmailMessage]]:
    out = []
    with open_db(db_url)() as session:
        for r in recipients if recipients is not None else cfg.recipients:
            data = digest_data(session, Scope(r.regions, r.parents, r.agencies), since or _since(session, r.email, as_of),
                               as_of, audit_as_of)
            out.append((r, build_message(data, cfg.mail_from, r.email)))
    return out


def queue_digests(db_url: str, cfg: Config, as_of: date) -> int:
    """Queue this period's digest for every configured recipient; returns how many were new."""
    queued = 0
    built = build_digests(db_url, cfg, as_of)
    with open_db(db_url)() as session:
        for r, msg in built:
            if enqueue(session, r.email, period_of(as_of), msg) is not None:
                queued += 1
        session.commit()
    return queued
