"""Output commands of the CLI: ``notice`` (a 通报 draft) and ``export`` (the research dataset)."""

from __future__ import annotations

from pathlib import Path

import click

from crawler.cli_common import (
    _as_of,
    as_of_option,
    audit_list,
    db_option,
    fail,
    main,
    open_existing_db,
    scope_options,
    scope_words,
)


@main.command()
@click.option("--year", type=int, required=True, help="报告年度。")
@as_of_option
@click.option("--replay", is_flag=True, help="只使用 --as-of 当日结束前已掌握的情况。")
@scope_options
@click.option("--office", default="××人民政府办公室（政务公开办）", show_default=True, help="发文单位（落款）。")
@click.option("-o", "--output", default=None, help="要写入的 .docx 文件（默认 通报-YEAR.docx）。")
@db_option
def notice(year: int, as_of: str | None, replay: bool, regions: tuple[str, ...], parents: tuple[str, ...],
           kinds: tuple[str, ...], office: str, output: str | None, db_url: str) -> None:
    """通报草稿：按督查清单生成 DOCX 草稿（范围、数量、附证据的表格），供修改。"""
    from monitor.notice import NoticeScope, build_notice, sections

    target = Path(output or f"通报-{year}.docx")
    if target.suffix.lower() != ".docx":
        fail(f"{target}：通报草稿只能写成 .docx 文件")
    day = _as_of(as_of)
    rows = audit_list(db_url, [year], day, replay, regions, parents, kinds)
    target.write_bytes(build_notice(rows, NoticeScope(year, day, scope_words(regions, parents, kinds), office)))
    parts = sections(rows)
    click.echo(f"{target}：未发布{len(parts['missing'])}个，逾期发布{len(parts['late'])}个，"
               f"内容问题{len(parts['content'])}个，待核实{len(parts['to_check'])}个（草稿，请人工核对后印发）")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]), default="csv", show_default=True)
@click.option("-o", "--output", "out_dir", default="nianbao-dataset", show_default=True, help="写入的文件夹。")
@as_of_option
@db_option
def export(fmt: str, out_dir: str, as_of: str | None, db_url: str) -> None:
    """导出数据集：所有已保存的表格（长表格式）、机关年度和问题，供分析。"""
    from monitor import dataset

    day = _as_of(as_of)
    target = Path(out_dir)
    if target.exists() and not target.is_dir():
        fail(f"{target} 不是文件夹")
    factory = open_existing_db(db_url)
    with factory() as session:
        tables = dataset.build(session, day)
    written = dataset.write(tables, target, fmt)
    click.echo(f"{target}：单元格{len(tables['cells'])}行，机关年度{len(tables['agency_years'])}行，"
               f"问题{len(tables['findings'])}行；列说明见 {target / 'columns.csv'}")
    for p in written:
        click.echo(f"  {p}")
