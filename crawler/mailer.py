"""Sending digests: an outbox in the database, SMTP with retries and backoff.

Nothing is lost and nothing is sent twice: a digest is queued once per recipient and
period (unique in the table); a sender first *claims* a message (one atomic UPDATE from
queued/retry to ``sending``), so two ``digest`` processes never send the same one; the
message is marked sent as soon as the server accepts its DATA (a failed QUIT afterwards
changes nothing); a failed send is retried with exponential backoff and, after
``MAX_ATTEMPTS``, left as failed and reported.  A claim whose process died is taken over
after ``CLAIM_MINUTES``.

Passwords never travel in clear: ``smtp://user@host`` (login without TLS) is refused
unless the configuration says ``insecure_login = true``; no error message shows the
password.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crawler.config import Config
from db.models import OutboxMessage, utcnow

MAX_ATTEMPTS = 8
BACKOFF_MINUTES = 2.0
CLAIM_MINUTES = 30.0  # far beyond the SMTP timeout: a claim this old belongs to a dead process


class SmtpConfigError(ValueError):
    """The SMTP URL is invalid or unsafe (one line, the password masked)."""


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and logs)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "（无法解析的地址）"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{netloc[1]}").geturl()


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    mode: str  # plain | starttls | ssl
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0
    insecure_login: bool = False  # allow AUTH over an unencrypted connection (smtp://user@host)

    def __repr__(self) -> str:  # no password in a traceback's locals or a log line
        return f"SmtpSettings({self.mode}://{self.user + '@' if self.user else ''}{self.host}:{self.port})"

    @classmethod
    def from_url(cls, url: str, password: str | None = None, insecure_login: bool = False) -> SmtpSettings:
        """``smtp://host:25``, ``smtp+starttls://user@host:587``, ``smtps://host:465``.

        Raises :class:`SmtpConfigError` (the password masked) for a bad URL, a password in
        the URL, or a login over ``smtp://`` unless ``insecure_login``."""
        shown = mask_url(url)
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise SmtpConfigError(f"SMTP 地址无效：{shown}（应为 smtp://、smtp+starttls:// 或 smtps://主机[:端口]）") from None
        mode = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "ssl"}.get(parts.scheme)
        if mode is None or not parts.hostname:
            raise SmtpConfigError(f"SMTP 地址无效：{shown}（应为 smtp://、smtp+starttls:// 或 smtps://主机[:端口]）")
        if parts.password is not None:
            raise SmtpConfigError(f"SMTP 地址 {shown} 中含有密码：密码只能放在环境变量 NIANBAO_SMTP_PASSWORD 中")
        user = unquote(parts.username) if parts.username else None
        if mode == "plain" and user and not insecure_login:
            raise SmtpConfigError(f"SMTP 地址 {shown} 会在未加密的连接上发送用户名和密码：请改用 smtp+starttls:// 或 smtps://"
                                  "（确需明文登录时在配置 [smtp] 中设 insecure_login = true）")
        return cls(parts.hostname, port or {"plain": 25, "starttls": 587, "ssl": 465}[mode], mode, user, password,
                   insecure_login=insecure_login)


def smtp_settings(cfg: Config) -> SmtpSettings:
    """The configuration's SMTP server (raises :class:`SmtpConfigError`, one line)."""
    return SmtpSettings.from_url(cfg.smtp_url or "", cfg.smtp_password, cfg.smtp_insecure_login)


def send(settings: SmtpSettings, msg: bytes, sender: str, recipients: list[str]) -> None:
    """Send one message; raises smtplib/OSError when the server did not accept it.

    Once the server has accepted the DATA the message is sent: a failing QUIT (or a
    connection dropped after it) is not an error, so the message is not sent again."""
    if settings.mode == "plain" and settings.user and not settings.insecure_login:
        raise SmtpConfigError("拒绝在未加密的 SMTP 连接上登录（insecure_login 未开启）")
    context = ssl.create_default_context()
    if settings.mode == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.mode == "starttls":
            client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password or "")
        client.sendmail(sender, recipients, msg)
    except BaseException:
        client.close()
        raise
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()  # the DATA was accepted: the message is sent whatever QUIT says


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
    try:
        with session.begin_nested():  # a savepoint: losing the race drops this row only
            session.add(row)
    except IntegrityError:
        return None  # another process queued it first
    return row


@dataclass(slots=True)
class OutboxResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def claim(session: Session, row_id: int, now: datetime) -> bool:
    """Take a due message for this process, atomically; False when another process has it."""
    done = session.execute(update(OutboxMessage).where(
        OutboxMessage.id == row_id, OutboxMessage.status.in_(("queued", "retry", "sending")),
        OutboxMessage.next_attempt_at <= now,
    ).values(status="sending", next_attempt_at=now + timedelta(minutes=CLAIM_MINUTES),
             attempts=OutboxMessage.attempts + 1).execution_options(synchronize_session=False))
    session.commit()
    return done.rowcount == 1  # type: ignore[attr-defined]


def process_outbox(session: Session, settings: SmtpSettings, sender: str, now: datetime | None = None) -> OutboxResult:
    """Send what is due; failures are retried later with backoff, then given up and reported."""
    now = now or utcnow()
    result = OutboxResult(errors=[])
    due = list(session.scalars(select(OutboxMessage.id).where(
        or_(OutboxMessage.status == "queued", OutboxMessage.status == "retry", OutboxMessage.status == "sending"),
        OutboxMessage.next_attempt_at <= now).order_by(OutboxMessage.id)))
    session.commit()
    for row_id in due:
        if not claim(session, row_id, now):
            continue  # another digest process is sending it
        row = session.get(OutboxMessage, row_id, populate_existing=True)
        assert row is not None
        try:
            send(settings, row.message, sender, [row.recipient])
        except (smtplib.SMTPException, OSError, SmtpConfigError) as exc:
            row.last_error = f"{type(exc).__name__}: {str(exc)[:300]}"
            if row.attempts >= MAX_ATTEMPTS or isinstance(exc, SmtpConfigError):
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
