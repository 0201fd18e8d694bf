"""Sending digests: an outbox in the database, SMTP with retries and backoff.

Nothing is lost and nothing is sent twice: a digest is queued once per recipient and
period (unique in the table), sending marks it sent, a failed send is retried with
exponential backoff and, after ``MAX_ATTEMPTS``, left as failed and reported.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 8
BACKOFF_MINUTES = 2.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    mode: str  # plain | starttls | ssl
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, password: str | None = None) -> SmtpSettings:
        """``smtp://host:25``, ``smtp+starttls://user@host:587``, ``smtps://host:465``."""
        parts = urlsplit(url)
        mode = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}.get(parts.scheme)
        if mode is None or not parts.hostname:
            raise ValueError(f"SMTP URL must be smtp://, smtp+starttls:// or smtps://host[:port], got {url!r}")
        port = parts.port or {"plain": 25, "starttls": 587, "ssl": 465}[mode]
        return cls(parts.hostname, port, mode, unquote(parts.username) if parts.username else None, password)


def send(settings: SmtpSettings, msg: bytes, sender: str, recipients: list[str]) -> None:
    """Send one message; raises smtplib/OSError on failure."""
    context = ssl.create_default_context()
    if settings.mode == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.mode == "starttls":
            client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.sendmail(sender, recipients, msg)


def enqueue(session: Session, recipient: str, period: str, msg: EmailMessage) -> OutboxMessage | None:
    """Queue a digest unless one for this recipient and period exists (then None)."""
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == recipient,
                                                          OutboxMessage.period == period))
    if existing is not None:
        return None
    # SMTP wants CRLF line ends; smtplib does not fix them for bytes
    row = OutboxMessage(recipient=recipient, period=period, subject=str(msg["Subject"]),
                        message=msg.as_bytes(policy=SMTP_POLICY),
                        status="queued", attempts=0, next_attempt_at=utcnow(), created_at=utcnow())
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return None
    return row


@dataclass(slots=True)
class OutboxResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def process_outbox(session: Session, settings: SmtpSettings, sender: str, now: datetime | None = None) -> OutboxResult:
    """Send what is due; failures are retried later with backoff, then given up and reported."""
    now = now or utcnow()
    result = OutboxResult(errors=[])
    due = session.scalars(select(OutboxMessage).where(
        or_(OutboxMessage.status == "queued", OutboxMessage.status == "retry"),
        OutboxMessage.next_attempt_at <= now).order_by(OutboxMessage.id))
    for row in due:
        row.attempts += 1
        try:
            send(settings, row.message, sender, [row.recipient])
        except (smtplib.SMTPException, OSError) as exc:
            row.last_error = f"{type(exc).__name__}: {str(exc)[:300]}"
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                result.failed += 1
            else:
                row.status = "retry"
                row.next_attempt_at = now + timedelta(minutes=BACKOFF_MINUTES * 2 ** (row.attempts - 1))
                result.retrying += 1
            result.errors.append(f"{row.recipient} ({row.period}): {row.last_error}")
        else:
            row.status, row.sent_at, row.last_error = "sent", now, None
            result.sent += 1
        session.commit()
    return result
