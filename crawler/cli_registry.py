"""``nianbao registry …``: from the office's Excel roster to a registry that stays right.

    registry import FILE.xlsx|.csv [-o registry.yaml]   the sheet -> a validated registry
    registry discover URL -o proposals.yaml              agencies proposed from a portal
    registry accept proposals.yaml --registry FILE       the reviewed proposals -> the registry
    registry columns [--agency ID]… -o columns.yaml      each agency's 年报 column, by a crawl
    registry export -o roster.xlsx                       the registry back as the sheet

Proposals are files for a person to review (``accept: true|false``); only ``import`` and
``accept`` write a registry, and only a registry that passes validation.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click
import yaml

from crawler.cli_common import (
    db_option,
    fail,
    files_option,
    load_registry_or_fail,
    main,
    open_session_factory,
)

BEIJING = timezone(timedelta(hours=8))
KIND_LABELS = {"government": "政府", "department": "部门", "township": "乡镇（街道）"}


@main.group()
def registry() -> None:
    """机关登记册：导入名录表，发现机关和年报栏目，导出。"""


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        fail(f"{path}: 无法读取：{str(exc).splitlines()[0]}")
    if not isinstance(data, dict):
        fail(f"{path}: 不是名录文件（应为 YAML 映射）")
    return data


def _write_registry(path: Path | None, data: dict[str, Any]) -> None:
    """Validate, then write (or print); an invalid registry is never written."""
    from db.registry import RegistryError, parse_registry
    from db.roster import dump_registry

    text = dump_registry(data)
    try:
        parse_registry(text, str(path or "registry"))
    except RegistryError as exc:
        click.echo(f"nianbao: {exc}", err=True)
        sys.exit(1)
    if path is None:
        click.echo(text, nl=False)
    else:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


@registry.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--sheet", default=None, help="工作表名称（默认第一个工作表）。")
@click.option("-o", "--output", default=None,
              help="要写入的登记册；已存在时合并进去（保留原机关代码，名单中已消失的标为 vanished）。")
@click.option("--skip-invalid", is_flag=True, help="只写入无误的行，跳过有错误的行。")
def import_(file: str, sheet: str | None, output: str | None, skip_invalid: bool) -> None:
    """导入名录表（.xlsx/.xls/.csv），校验后生成登记册，错误逐一按行列指出。"""
    from db.roster import build_registry
    from db.roster_sheet import SheetError, read_sheet

    try:
        parsed = read_sheet(file, sheet)
    except SheetError as exc:
        fail(str(exc))
    out = Path(output) if output else None
    existing = _read_yaml(out) if out is not None and out.exists() else None
    result = build_registry(parsed, existing, skip_invalid=skip_invalid)
    err = sys.stderr  # click.get_text_stream is deprecated (Click 8.2+)
    cols = "、".join(f"{parsed.columns[f]}列“{h}”" for f, h in parsed.headers.items())
    click.echo(f"{file}: 表头 {cols}；{len(parsed.rows)} 行数据", file=err)
    for issue in result.issues:
        click.echo(f"  {issue}", file=err)
    if result.errors and not skip_invalid:
        fail(f"{len(result.errors)} 处错误，未写入名录（改正后重新导入，或用 --skip-invalid 先导入无误的行）")
    _write_registry(out, result.data)
    c = result.counts
    kinds: dict[str, int] = {}
    for a in result.data["agencies"]:
        if a.get("status") != "vanished":
            kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    by_kind = "，".join(f"{KIND_LABELS[k]} {n}" for k, n in sorted(kinds.items()))
    summary = (f"{out or '名录'}: {sum(kinds.values())} 个单位（{by_kind}）；新增 {c['new']}，保留原标识 {c['kept']}，"
               f"名单中已消失 {c['vanished']}（标为 vanished，未删除）")
    if c.get("skipped"):
        summary += f"；跳过有错误的 {c['skipped']} 行"
    click.echo(summary, file=err if out is None else None)
    click.echo(_by_region(result.data["agencies"]), file=err if out is None else None)


def _by_region(agencies: list[dict[str, Any]]) -> str:
    """Counts per county-level region, by name: 沭阳县（321322）：政府 1，部门 12，乡镇（街道） 30."""
    from db.regions import region_label

    groups: dict[str, dict[str, int]] = {}
    for a in agencies:
        if a.get("status") == "vanished":
            continue
        key = str(a.get("region") or "")[:6]
        kinds = groups.setdefault(key, {})
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    lines = []
    for key in sorted(groups, key=lambda k: (k == "", k)):
        label = region_label(key) if key else "未填区划代码"
        lines.append(f"  {label}：" + "，".join(f"{KIND_LABELS[k]} {n}" for k, n in sorted(groups[key].items())))
    return "按行政区划：\n" + "\n".join(lines)


@registry.command()
@click.argument("url")
@click.option("--parent", default=None, help="门户网站所属政府在登记册中的机关代码。")
@click.option("-o", "--output", default="proposals.yaml", show_default=True, help="待审核的建议文件。")
@click.option("--delay", default=1.0, show_default=True, help="两次请求之间的间隔秒数。")
@click.option("--timeout", default=20.0, show_default=True)
@click.option("--proxy", default=None, help="HTTP 代理（默认取环境变量 http_proxy）。")
def discover(url: str, parent: str | None, output: str, delay: float, timeout: float, proxy: str | None) -> None:
    """从门户网站的部门导航、乡镇列表或机构列表中发现机关（名称、类别、网站、上级），生成建议。"""
    from crawler.roster_discover import DiscoverError, PoliteFetcher
    from crawler.roster_discover import discover as run_discover
    from db.regions import region_label

    fetcher = PoliteFetcher(delay=delay, timeout=timeout, proxy=proxy)
    try:
        found = run_discover(url, parent=parent, fetcher=fetcher)
    except DiscoverError as exc:
        fail(str(exc))
    rows = [p.as_dict() for p in found]
    head = ("# 从门户网站发现的单位（待审核）：逐行核对，把 accept 改成 true 或 false，然后运行\n"
            f"#   nianbao registry accept {output} --registry registry.yaml\n"
            "# confidence: 0.9 页面上的全称；0.8 由简称补全的名称；两处都找到时更高\n")
    doc = {"kind": "agencies", "source": url,
           "discovered_at": datetime.now(BEIJING).isoformat(timespec="seconds"), "agencies": rows}
    Path(output).write_text(head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    for p in found:
        region = f" {region_label(p.region)}" if p.region else ""
        click.echo(f"  {KIND_LABELS.get(p.kind, p.kind):<6} {p.name}{region}  {p.site}  （{p.confidence:.2f}）")
    counts: dict[str, int] = {}
    for p in found:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    click.echo(f"{output}: 建议 {len(found)} 个单位（" + "，".join(f"{KIND_LABELS[k]} {n}" for k, n in counts.items())
               + f"）；{fetcher.requests} 次请求；审核后用 registry accept 写入名录")


@registry.command()
@click.argument("proposals", type=click.Path(exists=True, dir_okay=False))
@click.option("--registry", "registry_path", envvar="NIANBAO_REGISTRY", required=True,
              help="把审核通过的行写入此登记册（环境变量 NIANBAO_REGISTRY）。")
def accept(proposals: str, registry_path: str) -> None:
    """把 discover 或 columns 生成、经审核（accept: true）的建议写入登记册。"""
    from crawler.roster_columns import accept_columns
    from db.roster import accept_agencies

    doc = _read_yaml(Path(proposals))
    path = Path(registry_path)
    data = _read_yaml(path) if path.exists() else {"agencies": []}
    if doc.get("kind") == "agencies":
        added = accept_agencies(data, doc.get("agencies") or [])
        _write_registry(path, data)
        for a in added:
            click.echo(f"  + {a['id']}  {a['name']}")
        click.echo(f"{path}: 增加 {len(added)} 个单位")
    elif doc.get("kind") == "columns":
        pairs = accept_columns(data, doc.get("agencies") or [])
        _write_registry(path, data)
        for aid, url in pairs:
            click.echo(f"  + {aid}  start_urls: {url}")
        click.echo(f"{path}: {len(pairs)} 个年报栏目写入 start_urls（此后抓取以之为准，可证明未发布）")
    else:
        fail(f"{proposals}: 不是 registry discover 或 registry columns 生成的建议文件")


@registry.command()
@click.option("--registry", "registry_path", envvar="NIANBAO_REGISTRY", default=None,
              help="机关登记册（YAML 文件；默认用数据库中的机关；用 --accept 时必须指定文件）。")
@click.option("--agency", "agency_ids", multiple=True, help="只处理这些机关（填机关代码，可重复）。")
@click.option("-o", "--output", default="columns.yaml", show_default=True, help="待审核的建议文件。")
@click.option("--accept", "accept_now", is_flag=True, help="直接把建议的栏目写入登记册。")
@click.option("--delay", default=1.0, show_default=True, help="对同一站点两次请求之间的间隔秒数。")
@click.option("--timeout", default=30.0, show_default=True)
@click.option("--proxy", default=None, help="HTTP 代理（默认取环境变量 http_proxy）。")
@files_option
@db_option
def columns(registry_path: str | None, agency_ids: tuple[str, ...], output: str, accept_now: bool, delay: float,
            timeout: float, proxy: str | None, files_dir: str, db_url: str) -> None:
    """查找年报栏目：通过抓取发现各机关的年报栏目，附证据建议作为 start_urls。"""
    from crawler.roster_columns import accept_columns, propose_columns
    from crawler.roster_discover import PoliteFetcher
    from crawler.run import CrawlOptions, run_crawl
    from db.roster_export import registry_from_db

    if accept_now and not registry_path:
        fail("--accept 需要 --registry FILE（写入哪个名录）")
    reg = load_registry_or_fail(registry_path) if registry_path else None
    factory = open_session_factory(db_url)
    opts = CrawlOptions(db_url=db_url, files=files_dir, registry=reg, agencies=list(agency_ids), delay=delay,
                        timeout=timeout, proxy=proxy, progress=False)
    try:
        summary = run_crawl(opts)
    except ValueError as exc:
        fail(str(exc))
    fetcher = PoliteFetcher(delay=delay, timeout=timeout, proxy=proxy)
    with factory() as session:
        entries = propose_columns(session, summary["run_id"], reg or registry_from_db(session), fetcher)
    doc = {"kind": "columns", "run": summary["run_id"],
           "proposed_at": datetime.now(BEIJING).isoformat(timespec="seconds"), "agencies": entries}
    head = ("# 各单位的年报栏目（待审核）：核对栏目名称和所列年报，把 accept 改成 true 或 false，然后运行\n"
            f"#   nianbao registry accept {output} --registry {registry_path or 'registry.yaml'}\n")
    Path(output).write_text(head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    proposed = 0
    for e in entries:
        click.echo(f"{e['name']}（{e['agency']}）" + ("" if e["outcome"] == "ok" else f"：无法访问 {e.get('reason', '')}"))
        if not e["columns"] and e["outcome"] == "ok":
            click.echo("  未找到年报栏目：请人工查找后填入 start_urls")
        for col in e["columns"]:
            years = "、".join(str(y) for y in col["years"]) or "无"
            state = "已在 start_urls" if col["pinned"] else ("建议采用" if col["accept"] else "未列出本单位年报，不建议")
            click.echo(f"  {col['url']}  “{col['title'] or '（无标题）'}”  列出年报：{years}（{len(col['reports'])}篇） {state}")
            proposed += bool(col["accept"])
    click.echo(f"{output}: {len(entries)} 个单位，建议 {proposed} 个年报栏目")
    if accept_now and registry_path:
        data = _read_yaml(Path(registry_path))
        pairs = accept_columns(data, entries)
        _write_registry(Path(registry_path), data)
        click.echo(f"{registry_path}: {len(pairs)} 个年报栏目写入 start_urls")


@registry.command()
@click.option("--registry", "registry_path", envvar="NIANBAO_REGISTRY", default=None,
              help="机关登记册（YAML 文件；默认用最近一次同步到数据库的机关）。")
@click.option("-o", "--output", required=True, help="要写入的表格（.xlsx）。")
@db_option
def export(registry_path: str | None, output: str, db_url: str) -> None:
    """导出登记册为名录表，附各机关最近一次抓取结果。"""
    from db.roster_export import export_rows, registry_from_db, to_xlsx

    reg = load_registry_or_fail(registry_path) if registry_path else None
    factory = open_session_factory(db_url)
    with factory() as session:
        reg = reg or registry_from_db(session)
        if not reg.agencies:
            fail("没有单位：用 --registry 指定名录，或先 nianbao crawl --registry FILE 同步到数据库")
        rows = export_rows(session, reg)
    Path(output).write_bytes(to_xlsx(rows))
    result = rows[0].index("抓取结果")
    crawled = sum(1 for r in rows[1:] if r[result] != "未抓取")
    unreachable = sum(1 for r in rows[1:] if str(r[result]).startswith("无法访问"))
    click.echo(f"{output}: {len(rows) - 1} 个单位，{crawled} 个有抓取记录，其中 {unreachable} 个无法访问")
