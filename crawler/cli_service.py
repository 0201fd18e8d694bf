"""The service commands of the CLI: ``digest``, ``serve``, ``jobs`` (registered on ``main``)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from crawler.cli_common import (  # noqa: F401 - config_option and _config kept importable from here
    _as_of,
    _config,
    as_of_option,
    config_option,
    db_option,
    fail,
    main,
    open_existing_db,
    open_session_factory,
)


@main.command()
@click.option("--since", default=None, help="汇总自此日期以来的变化（默认自上次发送周报起，没有则为一周）。")
@as_of_option
@click.option("--to", "to", multiple=True, help="改为发送到这些邮箱（不按范围筛选），不发给配置中的收件人。")
@click.option("--dry-run", is_flag=True, help="只生成周报并写成 .eml 文件，不发送。")
@click.option("-o", "--output", default=None, help="把周报写入此文件：.eml（邮件）或 .html（预览）。")
@config_option
@db_option
def digest(since: str | None, as_of: str | None, to: tuple[str, ...], dry_run: bool, output: str | None,
           config_path: str | None, db_url: str) -> None:
    """周报：生成每周发布情况周报（HTML 和纯文本邮件），通过 SMTP 发送或写成文件。"""
    from datetime import date

    from crawler.config import Recipient
    from crawler.digests import build_digests
    from crawler.mailer import SmtpConfigError, enqueue, process_outbox, smtp_settings
    from monitor.digest import period_of

    cfg = _config(config_path)
    day = _as_of(as_of)
    since_day = date.fromisoformat(since) if since else None
    recipients = [Recipient(a) for a in to] if to else cfg.recipients
    if not recipients and not (dry_run or output):
        fail("no recipients: configure [[recipients]] or pass --to ADDR (or use --dry-run / -o FILE)")
    recipients = recipients or [Recipient("preview@localhost")]
    settings = None
    if not (dry_run or output):  # a bad or unsafe SMTP server fails before any work, in one line
        if not cfg.smtp_url:
            fail("no SMTP server: set NIANBAO_SMTP_URL or [smtp] url in the configuration")
        try:
            settings = smtp_settings(cfg)
        except SmtpConfigError as exc:
            fail(str(exc))
    open_existing_db(db_url)
    built = build_digests(db_url, cfg, day, recipients, since_day)
    if dry_run or output:
        for n, (r, msg) in enumerate(built):
            target = Path(output) if output else Path(f"digest-{period_of(day)}-{r.email}.eml")
            if output and len(built) > 1:
                target = target.with_name(f"{target.stem}-{n + 1}{target.suffix}")
            if target.suffix == ".html":
                html_part = msg.get_body(preferencelist=("html",))
                target.write_text(html_part.get_content(), encoding="utf-8")  # type: ignore[union-attr]
            else:
                target.write_bytes(msg.as_bytes())
            click.echo(f"{target}: {msg['Subject']} (to {r.email})")
        return
    factory = open_session_factory(db_url)
    with factory() as session:
        queued = sum(enqueue(session, r.email, period_of(day), msg) is not None for r, msg in built)
        session.commit()
        result = process_outbox(session, settings, cfg.mail_from)  # type: ignore[arg-type]
    click.echo(f"{queued} digest(s) queued for {period_of(day)}; sent {result.sent}, retrying {result.retrying}, "
               f"failed {result.failed}")
    for e in result.errors or []:
        click.echo(f"nianbao: not sent: {e}", err=True)
    if result.failed or result.retrying:
        sys.exit(1)


@main.command()
@config_option
@db_option
def serve(config_path: str | None, db_url: str) -> None:
    """常驻服务：按季节频率定时抓取、检查并发送周报。"""
    from crawler.service import serve as run_service

    _config(config_path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_service(db_url, config_path)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@db_option
def jobs(as_json: bool, db_url: str) -> None:
    """查看服务的定时任务及上次、下次运行时间；使用 PostgreSQL 时另列各工作进程的任务队列。"""
    from crawler.cli_jobs import show_queue
    from crawler.service import jobs as list_jobs

    queue = show_queue(db_url, as_json)
    if queue and as_json:
        return
    rows = list_jobs(db_url)
    if queue and not rows:
        return
    if queue:
        click.echo("")
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no jobs scheduled yet: start `nianbao serve` once")
    for r in rows:
        last = r["last_run"] or {}
        click.echo(f"{r['id']:<8} next {r['next_run'] or '—'}  last {last.get('last_start', '—')} "
                   f"({last.get('status', '—')})  {r['trigger']}  {r['name']}")
