"""The ``nianbao`` command line (spec/interfaces.md).

Every command exits non-zero with a one-line error on stderr when it fails.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

from crawler.cli_common import (  # noqa: F401 - main is the entry point; audit_list for callers
    _as_of,
    as_of_option,
    audit_list,
    db_option,
    fail,
    files_option,
    load_and_sync_registry,
    load_registry_or_fail,
    main,
    open_existing_db,
    open_session_factory,
    output_format,
    registry_option,
    require_agencies,
    scope_options,
    scope_words,
    sqlite_path,
)
from crawler.summary import format_crawl_summary, format_report


@main.command()
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="输出报告的 JSON（格式见 spec/interfaces.md）。")
@click.option("--no-ocr", is_flag=True, help="不对扫描页或图片做文字识别（OCR）。")
@click.option("--timeout", default=120.0, show_default=True, help="解析超过此秒数即放弃。")
@click.option("--text", "with_text", is_flag=True, help="与 --json 同用：同时输出提取出的正文。")
def parse(path: str, as_json: bool, no_ocr: bool, timeout: float, with_text: bool) -> None:
    """解析一份年报文件（HTML、文本、PDF、DOC、DOCX、WPS、XLS、XLSX、ET；'-' 表示从标准输入读取）。"""
    from parsing.api import MAX_BYTES, parse_guarded

    if path == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        p = Path(path)
        if not p.is_file():
            fail(f"{path}: no such file")
        data = p.read_bytes() if p.stat().st_size <= MAX_BYTES else p.open("rb").read(MAX_BYTES + 1)
    report = parse_guarded(data, use_ocr=not no_ocr, timeout=timeout)
    if as_json:
        click.echo(json.dumps(report.to_json(include_text=with_text), ensure_ascii=False, indent=2))
    elif report.ok:
        click.echo(format_report(report))
    if not report.ok:
        fail(f"{path}: {report.error}")


@main.command()
@click.option("--out", "out_dir", default="demo-output", show_default=True,
              help="演示用的数据库、文件、登记册和标准答案所在文件夹（每次重新创建）。")
@click.option("--delay", default=0.2, show_default=True, help="演示抓取时对每个站点两次请求之间的间隔秒数。")
def demo(out_dir: str, delay: float) -> None:
    """演示：在本机启动自带的样例政府网站，抓取入 SQLite 并输出结果。"""
    import shutil

    try:
        from sampleweb.demo import run_demo
    except ImportError:
        fail("演示需要源码仓库中的样例网站（sampleweb 包不随安装包发布）：请在源码目录中运行 make demo")

    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ok = run_demo(out, delay=delay, echo=click.echo)
    if not ok:
        sys.exit(1)


@main.command()
@registry_option
@click.option("--agency", "agency_ids", multiple=True, help="只处理这些机关（填机关代码，可重复）。")
@click.option("--year", "years", multiple=True, type=int, help="只处理这些年度的报告（可重复）。")
@click.option("--delay", default=1.0, show_default=True, help="对同一站点两次请求之间的间隔秒数（0 表示不间隔）。")
@click.option("--timeout", default=30.0, show_default=True, help="单次请求超过此秒数即超时。")
@click.option("--retries", default=2, show_default=True, help="请求失败后的重试次数（逐次延长等待）。")
@click.option("--proxy", default=None, help="所有请求使用的 HTTP 代理（默认取环境变量 http_proxy）。")
@click.option("-v", "--verbose", count=True, help="显示 Scrapy 日志（-v 警告，-vv 详细信息）。")
@files_option
@db_option
def crawl(registry_path: str | None, agency_ids: tuple[str, ...], years: tuple[int, ...], delay: float,
          timeout: float, retries: int, proxy: str | None, verbose: int, files_dir: str, db_url: str) -> None:
    """抓取：查找、下载、解析并保存各机关的年报，最后输出汇总。"""
    from crawler.run import CrawlOptions, run_crawl

    registry = load_registry_or_fail(registry_path) if registry_path else None
    if registry is None:
        _require_known_agencies(db_url, agency_ids)
    else:
        unknown = sorted(set(agency_ids) - {a.id for a in registry.agencies})
        if unknown:
            fail(f"未知机关代码：{'、'.join(unknown)}（登记册 {registry_path} 中没有）")
    open_session_factory(db_url)
    opts = CrawlOptions(db_url=db_url, files=files_dir, registry=registry, agencies=list(agency_ids),
                        years=list(years), delay=delay, timeout=timeout, retries=retries, proxy=proxy,
                        log_level=["CRITICAL", "WARNING", "INFO"][min(verbose, 2)])
    try:
        summary = run_crawl(opts)
    except ValueError as exc:
        fail(str(exc))
    click.echo(format_crawl_summary(summary))
    if summary["counters"].get("store_errors"):  # found but not saved: the run failed for those agencies
        fail(f"有{summary['counters']['store_errors']}份文件未能保存入数据库，相关机关本次抓取不作为判断依据，请稍后重新抓取")


def _require_known_agencies(db_url: str, agency_ids: tuple[str, ...]) -> None:
    """crawl without --registry: the database must already hold the (requested) agencies."""
    from sqlalchemy import func, select

    from db.models import Agency

    no_registry = "没有机关登记册：请用 --registry FILE（或环境变量 NIANBAO_REGISTRY）指定"
    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        fail(no_registry)
    with open_session_factory(db_url)() as session:
        if not session.scalar(select(func.count()).select_from(Agency).where(Agency.active.is_(True))):
            fail(no_registry)
        require_agencies(session, agency_ids)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", "agency_id", required=True, help="报告所属机关在登记册中的机关代码。")
@click.option("--url", default=None, help="文件的发布网址（默认用本地 file:// URL）。")
@click.option("--seen", default=None, help="首次发现日期 YYYY-MM-DD（默认现在）。")
@registry_option
@files_option
@db_option
def ingest(path: str, agency_id: str, url: str | None, seen: str | None, registry_path: str | None,
           files_dir: str, db_url: str) -> None:
    """导入从别处取得的年报文件，与抓取所得一样解析、记录版本并留存证据。"""
    from datetime import datetime

    from crawler.ingestion import ingest_file
    from db.dates import BEIJING as beijing  # noqa: N811 - Beijing time is defined once
    from db.store import FileStore, agency_exists

    if seen:
        try:
            seen_at = datetime.strptime(seen, "%Y-%m-%d").replace(tzinfo=beijing)
        except ValueError:
            fail(f"--seen {seen!r} is not a date YYYY-MM-DD")
    else:
        seen_at = datetime.now(beijing)
    factory = open_session_factory(db_url)
    with factory() as session:
        if registry_path:
            load_and_sync_registry(session, registry_path)
        if not agency_exists(session, agency_id):
            fail(f"未知机关代码：{agency_id}（请先同步登记册：--registry FILE）")
        doc_url = url or Path(path).resolve().as_uri()
        fetch, stored = ingest_file(session, agency_id, Path(path).read_bytes(), doc_url, seen_at, FileStore(files_dir))
        session.commit()
        state = "新文件" if stored.new_document else ("新版本" if stored.new_version else "内容未变")
        parsed = {"ok": "解析成功", "error": "解析失败", "skipped": "未解析"}.get(stored.version.parse_status,
                                                                          stored.version.parse_status)
        click.echo(f"{doc_url}：{state}；{fetch.title or '无标题'}（{f'{fetch.year}年' if fetch.year else '年度不明'}）；"
                   f"{parsed}" + (f"：{fetch.parse_error}" if fetch.parse_error else ""))


@main.command()
@click.option("--agency", "agency_id", default=None, help="只看此机关（填机关代码）。")
@click.option("--year", type=int, default=None, help="只看此报告年度。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组（格式见 spec/interfaces.md）。")
@db_option
def reports(agency_id: str | None, year: int | None, as_json: bool, db_url: str) -> None:
    """列出已保存的年报。"""
    from db.store import reports as stored_reports

    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, [agency_id] if agency_id else [])
        rows = stored_reports(session, agency_id, year)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    parsed = {"ok": "解析成功", "error": "解析失败", "skipped": "未解析"}
    for r in rows:
        pub = r["published"] or {}
        fmt = f"{r['format']}年版" if r["format"] in ("2019", "2021") else ("无标准表格" if r["format"] else "—")
        click.echo(f"{r['agency']:<24} {r['year'] or '----'} {pub.get('date', '—'):<10} "
                   f"{fmt:<6} {parsed.get(r['parse_status'], r['parse_status'])}  {r['title'] or ''}  {r['url']}")
    click.echo(f"共{len(rows)}份报告")


@main.command()
@click.option("--year", "years", multiple=True, type=int, help="只看这些报告年度（可重复）。")
@click.option("--agency", "agency_ids", multiple=True, help="只看这些机关（填机关代码，可重复）。")
@click.option("--region", "region_codes", multiple=True, help="只看行政区划代码以此开头的机关（可重复）。")
@as_of_option
@click.option("--replay", is_flag=True, help="不保存结果（--as-of 为过去日期时一律不保存，即为回放）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 数组输出问题（格式见 spec/interfaces.md）。")
@click.option("--processes", type=click.IntRange(min=1), default=None,
              help="全面检查（PostgreSQL）时并行的进程数，默认等于CPU核数；SQLite及限定范围的检查只用一个进程。")
@db_option
def check(years: tuple[int, ...], agency_ids: tuple[str, ...], region_codes: tuple[str, ...], as_of: str | None,
          replay: bool, as_json: bool, processes: int | None, db_url: str) -> None:
    """检查：找出并保存、输出问题（已忽略的问题不再提示）。

    只计入 --as-of 当日结束前已掌握的情况；--as-of 为过去日期时不保存结果。"""
    from monitor.check import finding_json, run_check

    day = _as_of(as_of)
    replay = replay or day < _as_of(None)
    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, agency_ids)
        found, results = run_check(session, day, list(years) or None, list(agency_ids) or None, replay,
                                   list(region_codes) or None, processes=processes)
        session.commit()
        rows = [finding_json(f) for f in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from monitor.exports.labels import SEVERITY_LABELS, code_label

    for r in rows:
        click.echo(f"{SEVERITY_LABELS.get(r['severity'], r['severity'])}　{code_label(r['code'])}：{r['message']}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    click.echo(f"截至{day}，{len(results)}个机关年度共{len(rows)}项问题："
               + "，".join(f"{SEVERITY_LABELS.get(s, s)}{n}项" for s, n in sorted(counts.items())) if rows else
               f"截至{day}，{len(results)}个机关年度未发现问题")


@main.command()
@click.argument("key", required=False)
@click.option("--agency", "agency_id", default=None)
@click.option("--year", type=int, default=None)
@click.option("--code", default=None)
@click.option("--reason", required=True, help="忽略这项问题的理由（随问题一并保存）。")
@db_option
def dismiss(key: str | None, agency_id: str | None, year: int | None, code: str | None, reason: str, db_url: str) -> None:
    """忽略问题（按问题编号 KEY，或按 --agency/--year/--code）：此后检查不再提示。"""
    from monitor.dismissal import dismiss_findings

    if not key and not (agency_id and year and code):
        fail("请给出问题编号 KEY，或同时给出 --agency、--year 和 --code")
    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, [agency_id] if agency_id else [])
        rows = dismiss_findings(session, reason, key=key or None, agency=agency_id, year=year, code=code,
                                actor=_os_user(), via="nianbao dismiss")
        if not rows:
            fail("没有这项问题")
        session.commit()
    click.echo(f"已忽略{len(rows)}项问题")


def _os_user() -> str:
    """Who dismissed (recorded with the dismissal): the login name, as far as it is known."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


@main.command()
@click.option("--year", "years", type=int, multiple=True, required=True, help="报告年度（可重复）。")
@as_of_option
@click.option("--replay", is_flag=True, help="不保存结果（--as-of 为过去日期时一律不保存，即为回放）。")
@scope_options
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html", "json"]), default=None,
              help="输出格式（默认按 -o 文件的扩展名判断，否则为 json）。")
@click.option("-o", "--output", default=None, help="写入此文件（默认输出到屏幕；xlsx 必须指定文件）。")
@db_option
def audit(years: tuple[int, ...], as_of: str | None, replay: bool, regions: tuple[str, ...], parents: tuple[str, ...],
          kinds: tuple[str, ...], fmt: str | None, output: str | None, db_url: str) -> None:
    """督查清单：所列年度未按要求发布年报的机关，附证据和汇总。"""
    from monitor import audit as audit_mod
    from monitor.exports.labels import TIME_NOTE, counts_text

    fmt = output_format(fmt, output)
    if fmt == "xlsx" and not output:
        fail("--format xlsx 需要用 -o FILE 指定输出文件")
    day = _as_of(as_of)
    replay = replay or day < _as_of(None)
    rows = audit_list(db_url, sorted(set(years)), day, replay, regions, parents, kinds)
    year_words = "、".join(str(y) for y in sorted(set(years)))
    scope = scope_words(regions, parents, kinds)
    title = f"{year_words}年度政府信息公开工作年度报告发布情况（{scope}，截至{day}）"
    render: dict[str, Callable[[], bytes | str]] = {"json": lambda: audit_mod.to_json(rows), "csv": lambda: audit_mod.to_csv(rows),
                         "xlsx": lambda: audit_mod.to_xlsx(rows, title),
                         "html": lambda: audit_mod.to_html(rows, title)}
    data = render[fmt]()
    if output:
        Path(output).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        click.echo(f"{output}：{len(rows)}个机关年度，"
                   + (counts_text(counts) or "无")
                   + f"（{TIME_NOTE}）")
    else:
        click.echo(data.decode("utf-8-sig") if isinstance(data, bytes) else data)


import crawler.cli_dashboard  # noqa: E402,F401 - registers dashboard
import crawler.cli_jobs  # noqa: E402,F401 - registers worker, enqueue (the distributed mode)
import crawler.cli_outputs  # noqa: E402,F401 - registers notice, export
import crawler.cli_registry  # noqa: E402,F401 - registers registry import/discover/accept/columns/export
import crawler.cli_reparse  # noqa: E402,F401 - registers reparse
import crawler.cli_service  # noqa: E402,F401 - registers digest, serve, jobs

if __name__ == "__main__":  # pragma: no cover
    main()
