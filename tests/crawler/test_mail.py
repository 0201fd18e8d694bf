"""Digests through a real SMTP server on loopback (aiosmtpd).

The clock is frozen (time-machine) just after the sample web's crawl: the digest, the
check and the CLI's default ``--as-of`` (Beijing time) all see the same day, whatever the
real date and hour the tests run at (the UTC date and the Beijing date differ from 16:00
UTC, and a run may cross midnight)."""

from __future__ import annotations

import email
import shutil
import socket
from datetime import UTC, date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from sqlalchemy import func, select

from crawler.cli import main
from crawler.config import Config, Recipient
from crawler.digests import build_digests
from crawler.mailer import SmtpSettings, enqueue, process_outbox
from db.models import CrawlRun, OutboxMessage
from db.schema import open_db
from monitor.deadlines import BEIJING

TODAY: date  # the crawl's day in Beijing, set by the ``db`` fixture while the clock stands there


class Inbox:
    """An SMTP handler that keeps what it receives; it can refuse the first N messages."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 mailbox busy, try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    servers = []

    def start(refuse: int = 0) -> tuple[Inbox, str]:
        inbox = Inbox(refuse)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return inbox, f"smtp://127.0.0.1:{port}"

    yield start
    for c in servers:
        c.stop()


@pytest.fixture
def db(crawled, tmp_path: Path):
    """A copy of the crawled sample web's database, checked (findings exist), with the clock
    frozen a minute after the crawl finished."""
    global TODAY
    shutil.copy(crawled["dir"] / "nianbao.db", tmp_path / "n.db")
    url = f"sqlite:///{tmp_path / 'n.db'}"
    from monitor.check import run_check

    with open_db(url)() as s:
        finished = s.scalar(select(func.max(CrawlRun.finished_at)))
    moment = (finished if finished.tzinfo else finished.replace(tzinfo=UTC)) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        TODAY = datetime.now(BEIJING).date()
        with open_db(url)() as s:
            run_check(s, TODAY)  # as of D counts only what was known by D: the crawl was made on D
            s.commit()
        yield url


def test_scoped_digest_over_smtp(db: str, smtp, tmp_path: Path) -> None:
    inbox, url = smtp()
    cfg = tmp_path / "nianbao.toml"
    cfg.write_text(f'[smtp]\nurl = "{url}"\nfrom = "nianbao@monitor.test"\n'
                   '[[recipients]]\nemail = "gkb@huaian.gov.cn.test"\nname = "淮安市政务公开办"\nparents = ["huaian-szf"]\n'
                   '[[recipients]]\nemail = "all@province.gov.cn.test"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["digest", "--config", str(cfg), "--db", db, "--since", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert "2 digest(s) queued" in result.output and "sent 2" in result.output
    assert sorted(m[1][0] for m in inbox.messages) == ["all@province.gov.cn.test", "gkb@huaian.gov.cn.test"]
    raw = next(m[2] for m in inbox.messages if m[1] == ["gkb@huaian.gov.cn.test"])
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["To"] == "gkb@huaian.gov.cn.test" and msg["From"] == "nianbao@monitor.test"
    assert msg["Subject"].startswith("政府信息公开年报监测周报")
    text = msg.get_body(preferencelist=("plain",)).get_content()
    page = msg.get_body(preferencelist=("html",)).get_content()
    assert text and page.startswith("<!DOCTYPE html>")
    attachments = [p.get_filename() for p in msg.iter_attachments()]
    assert attachments == [f"audit-{TODAY.year - 1}.csv"]
    # scope: 淮安市 and its 洪泽区 only
    assert "淮安市洪泽区人民政府" in text and "忻州市科学技术局" not in text and "洛阳" not in page
    assert "未发布2022年" in text  # 洪泽区 2022 is missing
    again = CliRunner().invoke(main, ["digest", "--config", str(cfg), "--db", db])
    assert "0 digest(s) queued" in again.output  # never twice for the same period
    assert len(inbox.messages) == 2


def test_refused_then_accepted_arrives_exactly_once(db: str, smtp) -> None:
    inbox, url = smtp(refuse=1)
    settings = SmtpSettings.from_url(url)
    [(r, msg)] = build_digests(db, Config(mail_from="nianbao@monitor.test"), TODAY, [Recipient("gkb@x.gov.cn.test")])
    factory = open_db(db)
    with factory() as s:
        assert enqueue(s, r.email, "2026-W01", msg) is not None
        assert enqueue(s, r.email, "2026-W01", msg) is None
        s.commit()
        first = process_outbox(s, settings, "nianbao@monitor.test")
        assert (first.sent, first.retrying) == (0, 1) and "451" in first.errors[0]
        row = s.scalar(select(OutboxMessage))
        assert row.status == "retry" and row.attempts == 1
        early = process_outbox(s, settings, "nianbao@monitor.test")  # backoff not over yet
        assert early.sent == 0
        later = process_outbox(s, settings, "nianbao@monitor.test", datetime.now(UTC) + timedelta(hours=1))
        assert later.sent == 1
        assert process_outbox(s, settings, "nianbao@monitor.test", datetime.now(UTC) + timedelta(days=1)).sent == 0
    assert len(inbox.messages) == 1


def test_dry_run_and_preview_files(db: str, tmp_path: Path) -> None:
    eml, html = tmp_path / "d.eml", tmp_path / "d.html"
    for target in (eml, html):
        r = CliRunner().invoke(main, ["digest", "--db", db, "--to", "x@y.gov.cn.test", "-o", str(target)])
        assert r.exit_code == 0, r.output
    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert parsed.is_multipart() and parsed["To"] == "x@y.gov.cn.test"
    assert "<h1>政府信息公开年报监测周报" in html.read_text(encoding="utf-8")


def test_smtp_urls() -> None:
    assert SmtpSettings.from_url("smtp+starttls://bot@mail.gov.cn:587", "pw") == \
        SmtpSettings("mail.gov.cn", 587, "starttls", "bot", "pw")
    assert SmtpSettings.from_url("smtps://mail.gov.cn").port == 465
    with pytest.raises(ValueError):
        SmtpSettings.from_url("http://mail.gov.cn")


def test_an_empty_week_still_says_so(db: str) -> None:
    from monitor.digest import Scope, digest_data, render

    with open_db(db)() as s:
        data = digest_data(s, Scope(), date(2001, 1, 1), date(2001, 1, 7), audit_as_of=TODAY)
    subject, text, page = render(data)
    assert not data["changed"] and subject.endswith("本周无变化")
    # the audit counts are still given (the sample web has no 2025 reports: nothing 按时发布)
    assert "本周无变化" in text and f"{TODAY.year - 1}年度报告发布情况：未发布" in text
