"""``nianbao dashboard``: the dashboard alone, over a database (registered on ``main``)."""

from __future__ import annotations

import click

from crawler.cli_common import _as_of, as_of_option, db_option, fail, main, open_session_factory


@main.command()
@click.option("--host", default=None, help="监听地址（默认 127.0.0.1，即只允许本机访问）。")
@click.option("--port", default=None, type=int, help="端口（默认 8720）。")
@click.option("--config", "config_path", default=None, help="配置文件（默认 nianbao.toml）。")
@as_of_option
@db_option
def dashboard(host: str | None, port: int | None, config_path: str | None, as_of: str | None, db_url: str) -> None:
    """启动看板：总览、发布情况矩阵、督查清单、机关、年报、问题。"""
    from crawler.dashboard import make_server
    from crawler.dashboard.auth import is_loopback, load_settings

    settings = load_settings(config_path)
    host = host or settings.host
    port = settings.port if port is None else port
    open_session_factory(db_url)
    day = _as_of(as_of) if as_of else None
    try:
        server = make_server(db_url, host, port, settings.token, day, config_path)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"看板地址 http://{shown}:{server.server_port}/ （按 Ctrl+C 停止）")
    if not is_loopback(host) and not settings.token:
        click.echo("注意：监听非本机地址且未配置令牌（NIANBAO_DASHBOARD_TOKEN），看板为只读。", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
