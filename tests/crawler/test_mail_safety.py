"""Digests over hostile or broken SMTP on loopback (aiosmtpd): no password in clear, no
password in an error, never sent twice (issue 16, items 5 and 13)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from sqlalchemy import select

from crawler.cli import main
from crawler.config import Config, Recipient
from crawler.digests import build_digests
from crawler.mailer import SmtpConfigError, SmtpSettings, enqueue, process_outbox
from db.models import OutboxMessage, utcnow
from db.registry import parse_registry, sync_registry
from db.schema import open_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-Pa55"
REGISTRY = """agencies:
  - {id: a, name: 甲局, kind: department, site: "http://a.gov.cn/"}
  - {id: b, name: 乙局, kind: department, site: "http://b.gov.cn/"}
"""


class Scripted:
    """An SMTP handler that keeps what it receives, records logins, and can fail QUIT or
    take its time over DATA."""

    def __init__(self, fail_quit: bool = False, data_delay: float = 0.0) -> None:
        self.fail_quit = fail_quit
        self.data_delay = data_delay
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.logins: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        return "421 4.3.0 service shutting down, QUIT failed" if self.fail_quit else "221 Bye"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(bytes(auth_data.password))
        return AuthResult(success=True)


@pytest.fixture
def smtp():
    controllers = []

    def start(handler: Scripted) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        c = Controller(handler, hostname="127.0.0.1", port=port, auth_require_tls=False,
                       authenticator=handler.authenticate)
        c.start()
        controllers.append(c)
        return f"127.0.0.1:{port}"

    yield start
    for c in controllers:
        c.stop()


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mail.db'}"
    with open_db(url)() as s:
        sync_registry(s, parse_registry(REGISTRY))
        s.commit()
    return url


def _config(tmp_path: Path, smtp_url: str, extra: str = "") -> Path:
    cfg = tmp_path / "nianbao.toml"
    cfg.write_text(f'[smtp]\nurl = "{smtp_url}"\nfrom = "nianbao@monitor.test"\n{extra}'
                   '[[recipients]]\nemail = "one@x.gov.cn"\n[[recipients]]\nemail = "two@x.gov.cn"\n',
                   encoding="utf-8")
    return cfg


def _cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler.cli", *args], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=120)


# ---------------------------------------------------------------- item 5: passwords in clear
def test_login_without_tls_is_refused_unless_allowed(db: str, smtp, tmp_path: Path) -> None:
    server = Scripted()
    where = smtp(server)
    cfg = _config(tmp_path, f"smtp://bot@{where}")
    r = CliRunner().invoke(main, ["digest", "--config", str(cfg), "--db", db], env={"NIANBAO_SMTP_PASSWORD": PASSWORD})
    assert r.exit_code == 1
    [line] = r.output.strip().splitlines()
    assert "未加密" in line and "insecure_login" in line and PASSWORD not in line
    assert server.logins == [] and server.messages == []  # the password never left the process
    allowed = _config(tmp_path, f"smtp://bot@{where}", "insecure_login = true\n")
    r = CliRunner().invoke(main, ["digest", "--config", str(allowed), "--db", db],
                           env={"NIANBAO_SMTP_PASSWORD": PASSWORD})
    assert r.exit_code == 0, r.output
    assert server.logins == [PASSWORD.encode()] * 2 and len(server.messages) == 2


def test_settings_refuse_plain_login_and_never_show_the_password() -> None:
    with pytest.raises(SmtpConfigError, match="insecure_login"):
        SmtpSettings.from_url("smtp://bot@mail.gov.cn", PASSWORD)
    assert SmtpSettings.from_url("smtp://bot@mail.gov.cn", PASSWORD, insecure_login=True).user == "bot"
    assert SmtpSettings.from_url("smtp://mail.gov.cn:25").mode == "plain"  # no login: nothing to protect
    assert PASSWORD not in repr(SmtpSettings.from_url("smtps://bot@mail.gov.cn", PASSWORD))
    for url in (f"smtp+starttls://bot:{PASSWORD}@mail.gov.cn:notaport", f"smtps://bot:{PASSWORD}@mail.gov.cn",
                f"http://bot:{PASSWORD}@mail.gov.cn"):
        with pytest.raises(SmtpConfigError) as exc:
            SmtpSettings.from_url(url)
        assert PASSWORD not in str(exc.value) and "***" in str(exc.value)


def test_a_bad_smtp_url_is_one_line_with_the_password_masked(db: str, tmp_path: Path) -> None:
    r = _cli(["digest", "--db", db, "--to", "one@x.gov.cn"], tmp_path, NIANBAO_SMTP_URL=f"smtp+starttls://bot:{PASSWORD}@mail.gov.cn:notaport")
    assert r.returncode == 1
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert PASSWORD not in r.stderr + r.stdout and "Traceback" not in r.stderr
    assert "bot:***@mail.gov.cn" in r.stderr


def test_the_service_logs_a_bad_smtp_url_in_one_line(db: str, tmp_path: Path, caplog) -> None:
    import crawler.service as service

    cfg = _config(tmp_path, f"smtp://bot:{PASSWORD}@mail.gov.cn:25")
    result = service.outbox_tick(db, str(cfg))
    assert result is not None and result["sent"] == 0
    assert PASSWORD not in caplog.text and "***" in caplog.text


# ---------------------------------------------------------------- item 13: never twice
def test_a_failed_quit_after_accepted_data_sends_once(db: str, smtp) -> None:
    server = Scripted(fail_quit=True)
    settings = SmtpSettings.from_url(f"smtp://{smtp(server)}")
    [(r, msg)] = build_digests(db, Config(mail_from="nianbao@monitor.test"), date(2025, 3, 3), [Recipient("one@x.gov.cn")])
    with open_db(db)() as s:
        enqueue(s, r.email, "2025-W10", msg)
        s.commit()
        first = process_outbox(s, settings, "nianbao@monitor.test")
        assert (first.sent, first.retrying, first.failed) == (1, 0, 0), first.errors
        later = process_outbox(s, settings, "nianbao@monitor.test", utcnow() + timedelta(days=1))
        assert later.sent == 0
        row = s.scalar(select(OutboxMessage))
        assert row is not None and row.status == "sent" and row.attempts == 1
    assert len(server.messages) == 1


def test_two_digest_processes_at_once_send_each_digest_once(db: str, smtp, tmp_path: Path) -> None:
    server = Scripted(data_delay=1.5)  # both processes reach the outbox while the first still sends
    cfg = _config(tmp_path, f"smtp://{smtp(server)}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "crawler.cli", "digest", "--config", str(cfg), "--db", db, "--as-of", "2025-03-03"]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert sorted(m[1][0] for m in server.messages) == ["one@x.gov.cn", "two@x.gov.cn"], outs
    with open_db(db)() as s:
        rows = list(s.scalars(select(OutboxMessage)))
        assert [(r.recipient, r.status, r.attempts) for r in sorted(rows, key=lambda r: r.recipient)] == \
            [("one@x.gov.cn", "sent", 1), ("two@x.gov.cn", "sent", 1)]


def test_a_claim_left_by_a_dead_process_is_taken_over(db: str, smtp) -> None:
    from crawler.mailer import CLAIM_MINUTES, claim

    server = Scripted()
    settings = SmtpSettings.from_url(f"smtp://{smtp(server)}")
    [(r, msg)] = build_digests(db, Config(), date(2025, 3, 3), [Recipient("one@x.gov.cn")])
    with open_db(db)() as s:
        row = enqueue(s, r.email, "2025-W10", msg)
        s.commit()
        assert row is not None and claim(s, row.id, utcnow())  # a process claims it, then dies
        assert process_outbox(s, settings, "nianbao@monitor.test").sent == 0  # still its claim
        assert server.messages == []
        late = utcnow() + timedelta(minutes=CLAIM_MINUTES + 1)
        assert process_outbox(s, settings, "nianbao@monitor.test", late).sent == 1
    assert len(server.messages) == 1


def test_the_digest_period_and_date_follow_the_clock(db: str, tmp_path: Path) -> None:
    """The period, the ``Date`` header and the week looked back come from the clock (frozen)."""
    from email import policy
    from email.parser import BytesParser

    from crawler.config import load_config
    from crawler.digests import queue_digests

    cfg = load_config(str(_config(tmp_path, "smtp://127.0.0.1:1")), env={})
    with time_machine.travel("2025-03-03 08:00:00 +0800", tick=False):
        assert queue_digests(db, cfg, date(2025, 3, 3)) == 2
    with open_db(db)() as s:
        rows = list(s.scalars(select(OutboxMessage)))
    assert {r.period for r in rows} == {"2025-W10"}
    msg = BytesParser(policy=policy.default).parsebytes(rows[0].message)
    assert msg["Date"] == "Mon, 03 Mar 2025 08:00:00 +0800"
    assert "统计期间：2025-02-24 至 2025-03-03" in msg.get_body(preferencelist=("plain",)).get_content()
