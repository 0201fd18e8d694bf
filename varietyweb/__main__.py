"""``python -m varietyweb serve|measure|run|truth|registry``.

- ``serve [--port P] [--log FILE] [--registry FILE]``: serve the web on 127.0.0.1 for
  manual runs; the request log is appended to FILE (JSON lines) as requests come.
- ``measure --db URL [--log FILE] [--json]``: measure the crawl stored in the database.
- ``run [--db URL] [--delay S] [--json]``: serve, crawl with ``nianbao crawl``, measure.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

from varietyweb import VarietyServer, format_table, measure, registry_yaml, truth


def _stored_reports(db_url: str) -> list[dict]:
    from db.schema import open_db
    from db.store import reports

    factory = open_db(db_url)
    with factory() as session:
        return reports(session)


def _outcomes(db_url: str) -> dict[str, dict]:
    """Each agency's outcome in the latest run that crawled it."""
    from sqlalchemy import select

    from db.models import AgencyCrawl
    from db.schema import open_db

    factory = open_db(db_url)
    out: dict[str, dict] = {}
    with factory() as session:
        for row in session.scalars(select(AgencyCrawl).order_by(AgencyCrawl.id)):
            out[row.agency_id] = {"outcome": row.outcome, "reason": row.reason}
    return out


def _read_log(path: str | None) -> list[dict]:
    if not path:
        return []
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


@click.group()
def main() -> None:
    """多样性测试网：独立构建的模拟政府网站，用来度量爬虫。"""


@main.command()
@click.option("--port", default=8765, show_default=True, help="回环地址上的端口。")
@click.option("--log", "log_path", default="varietyweb-requests.jsonl", show_default=True, help="请求日志（JSON 行）。")
@click.option("--registry", "registry_path", default="varietyweb-registry.yaml", show_default=True, help="写出登记表。")
def serve(port: int, log_path: str, registry_path: str) -> None:
    """在 127.0.0.1 上提供多样性测试网（既是源站也是 HTTP 代理）。"""
    registry_yaml(registry_path)
    with VarietyServer(port=port) as web, open(log_path, "a", encoding="utf-8") as out:
        click.echo(f"多样性测试网已启动：代理 {web.proxy_url}；登记表 {registry_path}；请求日志 {log_path}")
        click.echo(f"爬取：nianbao crawl --registry {registry_path} --proxy {web.proxy_url} --delay 0.05")
        click.echo(f"度量：python -m varietyweb measure --db sqlite:///nianbao.db --log {log_path}")
        written = 0
        try:
            while True:
                time.sleep(0.5)
                for e in web.log[written:]:
                    out.write(json.dumps(e.as_dict(), ensure_ascii=False) + "\n")
                written = len(web.log)
                out.flush()
        except KeyboardInterrupt:
            click.echo("已停止。")


@main.command("measure")
@click.option("--db", "db_url", required=True, help="爬取结果所在的数据库 URL。")
@click.option("--log", "log_path", default=None, help="serve 写出的请求日志（陷阱与并发的度量需要它）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def measure_cmd(db_url: str, log_path: str | None, as_json: bool) -> None:
    """度量一次爬取：召回率、精确率、归属、陷阱请求、并发、各平台找到/应有。"""
    result = measure(_stored_reports(db_url), _read_log(log_path), outcomes=_outcomes(db_url))
    if not log_path:
        click.echo("提示：未提供请求日志（--log），陷阱请求与每主机并发未度量。", err=True)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))


@main.command()
@click.option("--db", "db_url", default=None, help="数据库 URL（默认：临时目录中的 SQLite）。")
@click.option("--delay", default=0.05, show_default=True, help="每主机请求间隔（秒）。")
@click.option("--latency", default=0.01, show_default=True, help="服务器每次应答的延迟（秒），便于观察并发。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
def run(db_url: str | None, delay: float, latency: float, as_json: bool) -> None:
    """启动测试网，用 nianbao crawl 爬取全部机构，然后度量。"""
    work = Path(tempfile.mkdtemp(prefix="varietyweb-"))
    db_url = db_url or f"sqlite:///{work / 'nianbao.db'}"
    reg = work / "registry.yaml"
    registry_yaml(reg)
    with VarietyServer(latency=latency) as web:
        cmd = [sys.executable, "-m", "crawler.cli", "crawl", "--registry", str(reg), "--proxy", web.proxy_url,
               "--delay", str(delay), "--db", db_url, "--files", str(work / "files")]
        click.echo("运行：" + " ".join(cmd), err=True)
        proc = subprocess.run(cmd, cwd=work, check=False)
        if proc.returncode != 0:
            click.echo(f"爬取退出码 {proc.returncode}（仍然度量已入库的结果）", err=True)
        log = list(web.log)
    result = measure(_stored_reports(db_url), log, outcomes=_outcomes(db_url))
    (work / "measure.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(json.dumps(result, ensure_ascii=False, indent=2) if as_json else format_table(result))
    click.echo(f"结果：{work / 'measure.json'}", err=True)


@main.command("verdicts")
@click.option("--db", "db_url", required=True, help="爬取结果所在的数据库 URL。")
def verdicts_cmd(db_url: str) -> None:
    """发布情况判定与实际情况对照（混淆矩阵）及错误指认数。"""
    from datetime import datetime

    from db.dates import BEIJING
    from varietyweb.verdicts import judge

    v = judge(db_url, datetime.now(BEIJING).date())
    click.echo(f"共{v.total}个机关年度（行：实际情况，列：判定）：")
    for line in v.table():
        click.echo("  " + line)
    click.echo(f"错误指认：{len(v.false_accusations)}个；准确率{v.accuracy:.3f}")
    for r in v.false_accusations:
        click.echo(f"  错误指认 {r['agency']} {r['year']}：{r['status']}")


@main.command("truth")
def truth_cmd() -> None:
    """输出基准真相（JSON）。"""
    click.echo(json.dumps(truth(), ensure_ascii=False, indent=2))


@main.command("registry")
@click.option("-o", "out", default=None, help="输出文件（默认标准输出）。")
def registry_cmd(out: str | None) -> None:
    """输出登记表（YAML）。"""
    text = registry_yaml(out)
    if out is None:
        click.echo(text)


if __name__ == "__main__":
    main()
