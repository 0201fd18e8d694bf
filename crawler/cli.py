"""The ``nianbao`` command line (spec/interfaces.md).

Every command exits non-zero with a one-line error on stderr when it fails.  Commands
whose part of the system is not built yet say so plainly and exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from crawler.summary import format_crawl_summary, format_report

DEFAULT_DB = "sqlite:///nianbao.db"


def files_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--files", "files_dir", envvar="NIANBAO_FILES", default="nianbao-files", show_default=True,
        help="Folder of the downloaded files (content-addressed; env NIANBAO_FILES).",
    )(f)


def registry_option(f):  # type: ignore[no-untyped-def]
    return click.option("--registry", "registry_path", envvar="NIANBAO_REGISTRY", default=None,
                        help="Agency registry (YAML; env NIANBAO_REGISTRY).")(f)


def open_session_factory(db_url: str):  # type: ignore[no-untyped-def]
    """Open the database (migrating it on first use), or fail with one line."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.schema import open_db

    try:
        return open_db(db_url)
    except (SQLAlchemyError, OSError) as exc:
        fail(f"cannot open database {db_url}: {str(exc).splitlines()[0]}")


def sqlite_path(db_url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(db_url)
    except Exception:  # noqa: BLE001 - open_session_factory reports a bad URL
        return None
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def open_existing_db(db_url: str):  # type: ignore[no-untyped-def]
    """Open a database a read-only command needs, without creating an empty one."""
    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        fail(f"没有数据库 {path}：请先运行 nianbao crawl 或 nianbao ingest，或用 --db（环境变量 NIANBAO_DB_URL）指定")
    return open_session_factory(db_url)


def require_agencies(session, agency_ids) -> None:  # type: ignore[no-untyped-def]
    """Exit 1 naming every agency id that is not in the database (as crawl does)."""
    from sqlalchemy import select

    from db.models import Agency

    wanted = sorted(set(agency_ids or ()))
    if not wanted:
        return
    known = set(session.scalars(select(Agency.id).where(Agency.id.in_(wanted))))
    unknown = [a for a in wanted if a not in known]
    if unknown:
        fail(f"未知机关代码：{'、'.join(unknown)}（请先同步登记册：--registry FILE）")


def load_registry_or_fail(registry_path: str):  # type: ignore[no-untyped-def]
    """The registry, or exit 1 listing every error (line, field, why)."""
    from db.registry import RegistryError, load_registry

    try:
        return load_registry(registry_path)
    except RegistryError as exc:
        click.echo(f"nianbao: {exc}", err=True)
        sys.exit(1)


def load_and_sync_registry(session, registry_path: str):  # type: ignore[no-untyped-def]
    from db.registry import sync_registry

    registry = load_registry_or_fail(registry_path)
    return registry, sync_registry(session, registry)


def db_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--db", "db_url", envvar="NIANBAO_DB_URL", default=DEFAULT_DB, show_default=True,
        help="Database URL (env NIANBAO_DB_URL).",
    )(f)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """Crawl, parse and check China's 政府信息公开工作年度报告 (annual disclosure reports)."""


@main.command()
@click.argument("path")
@click.option("--json", "as_json", is_flag=True, help="Print the report JSON (spec/interfaces.md).")
@click.option("--no-ocr", is_flag=True, help="Do not OCR scanned pages or images.")
@click.option("--timeout", default=120.0, show_default=True, help="Seconds before parsing is abandoned.")
@click.option("--text", "with_text", is_flag=True, help="With --json: include the extracted text.")
def parse(path: str, as_json: bool, no_ocr: bool, timeout: float, with_text: bool) -> None:
    """Parse one report file (HTML, text, PDF, DOC, DOCX, WPS, XLS, XLSX, ET; '-' for stdin)."""
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
              help="Folder for the demo's database, files, registry and ground truth (recreated).")
@click.option("--delay", default=0.2, show_default=True, help="Politeness delay per host for the demo crawl.")
def demo(out_dir: str, delay: float) -> None:
    """Serve the bundled sample government web on loopback, crawl it into SQLite, report."""
    import shutil

    from crawler.demo import run_demo

    out = Path(out_dir)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ok = run_demo(out, delay=delay, echo=click.echo)
    if not ok:
        sys.exit(1)


@main.command()
@registry_option
@click.option("--agency", "agency_ids", multiple=True, help="Only these agencies (repeatable).")
@click.option("--year", "years", multiple=True, type=int, help="Only reports of these years (repeatable).")
@click.option("--delay", default=1.0, show_default=True, help="Seconds between requests to one host (0: no politeness delay).")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds before a request times out.")
@click.option("--retries", default=2, show_default=True, help="Retries of a failed request (with backoff).")
@click.option("--proxy", default=None, help="HTTP proxy for all requests (default: http_proxy from the environment).")
@click.option("-v", "--verbose", count=True, help="Show Scrapy's log (-v warnings, -vv info).")
@files_option
@db_option
def crawl(registry_path: str | None, agency_ids: tuple[str, ...], years: tuple[int, ...], delay: float,
          timeout: float, retries: int, proxy: str | None, verbose: int, files_dir: str, db_url: str) -> None:
    """Discover, download, parse and store the agencies' reports; ends with a summary."""
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
@click.option("--agency", "agency_id", required=True, help="Registry id of the agency the report belongs to.")
@click.option("--url", default=None, help="Where the file was published (default: a file:// URL).")
@click.option("--seen", default=None, help="First-seen date YYYY-MM-DD (default: now).")
@registry_option
@files_option
@db_option
def ingest(path: str, agency_id: str, url: str | None, seen: str | None, registry_path: str | None,
           files_dir: str, db_url: str) -> None:
    """Store a report file obtained elsewhere as if crawled: parsed, versioned, evidenced."""
    from datetime import datetime

    from crawler.ingestion import build_fetch
    from db.dates import BEIJING as beijing  # noqa: N811 - Beijing time is defined once
    from db.store import FileStore, agency_exists, store_fetch

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
        body = Path(path).read_bytes()
        doc_url = url or Path(path).resolve().as_uri()
        fetch = build_fetch(agency_id, doc_url, body, seen_at=seen_at)
        fetch.evidence.append(("ingest", seen_at.date().isoformat()))
        stored = store_fetch(session, fetch, FileStore(files_dir))
        session.commit()
        state = "新文件" if stored.new_document else ("新版本" if stored.new_version else "内容未变")
        parsed = {"ok": "解析成功", "error": "解析失败", "skipped": "未解析"}.get(stored.version.parse_status,
                                                                          stored.version.parse_status)
        click.echo(f"{doc_url}：{state}；{fetch.title or '无标题'}（{f'{fetch.year}年' if fetch.year else '年度不明'}）；"
                   f"{parsed}" + (f"：{fetch.parse_error}" if fetch.parse_error else ""))


@main.command()
@click.option("--agency", "agency_id", default=None, help="Only this agency.")
@click.option("--year", type=int, default=None, help="Only this report year.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON array of spec/interfaces.md.")
@db_option
def reports(agency_id: str | None, year: int | None, as_json: bool, db_url: str) -> None:
    """Print the stored reports."""
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


def as_of_option(f):  # type: ignore[no-untyped-def]
    return click.option("--as-of", "as_of", default=None, help="Evaluate as of this date YYYY-MM-DD (default: today, Beijing).")(f)


def _as_of(value: str | None):  # type: ignore[no-untyped-def]
    from datetime import date, datetime

    from db.dates import BEIJING

    if value is None:
        return datetime.now(BEIJING).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} 不是日期（应为 YYYY-MM-DD）")


@main.command()
@click.option("--year", "years", multiple=True, type=int, help="Only these report years (repeatable).")
@click.option("--agency", "agency_ids", multiple=True, help="Only these agencies (repeatable).")
@click.option("--region", "region_codes", multiple=True, help="Only agencies whose region code starts with this (repeatable).")
@as_of_option
@click.option("--replay", is_flag=True, help="Store nothing (a past --as-of never stores: it is always a replay).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as the JSON array of spec/interfaces.md.")
@db_option
def check(years: tuple[int, ...], agency_ids: tuple[str, ...], region_codes: tuple[str, ...], as_of: str | None,
          replay: bool, as_json: bool, db_url: str) -> None:
    """Run the monitor: compute, store and print the findings (dismissed ones stay quiet).

    Only what was known by the end of --as-of counts; a past --as-of stores nothing."""
    from monitor.check import finding_json, run_check

    day = _as_of(as_of)
    replay = replay or day < _as_of(None)
    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, agency_ids)
        found, results = run_check(session, day, list(years) or None, list(agency_ids) or None, replay,
                                   list(region_codes) or None)
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
@click.option("--reason", required=True, help="Why this finding is dismissed (kept with it).")
@db_option
def dismiss(key: str | None, agency_id: str | None, year: int | None, code: str | None, reason: str, db_url: str) -> None:
    """Dismiss findings (by KEY, or by --agency/--year/--code): they stay quiet in later checks."""
    from sqlalchemy import select

    from db.models import Finding

    if not key and not (agency_id and year and code):
        fail("请给出问题编号 KEY，或同时给出 --agency、--year 和 --code")
    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, [agency_id] if agency_id else [])
        q = select(Finding)
        q = q.where(Finding.key == key) if key else q.where(Finding.agency_id == agency_id, Finding.year == year,
                                                           Finding.code == code)
        rows = list(session.scalars(q))
        if not rows:
            fail("没有这项问题")
        for f in rows:
            f.status, f.dismissed_reason = "dismissed", reason
        session.commit()
    click.echo(f"已忽略{len(rows)}项问题")


FORMATS_BY_SUFFIX = {".csv": "csv", ".xlsx": "xlsx", ".html": "html", ".htm": "html", ".json": "json"}


def output_format(fmt: str | None, output: str | None, default: str = "json") -> str:
    """The format: --format, else the suffix of -o, else ``default``; a mismatch is an error."""
    suffix = Path(output).suffix.lower() if output else ""
    inferred = FORMATS_BY_SUFFIX.get(suffix)
    if fmt and inferred and fmt != inferred:
        fail(f"--format {fmt} 与输出文件 {output} 的扩展名不符")
    if fmt:
        return fmt
    if output and not inferred:
        fail(f"无法从 {output} 的扩展名判断格式：请用 .csv/.xlsx/.html/.json，或给出 --format")
    return inferred or default


def scope_options(f):  # type: ignore[no-untyped-def]
    """--region/--parent/--kind filters (repeatable), shared by audit and notice."""
    f = click.option("--kind", "kinds", multiple=True, type=click.Choice(["department", "government", "township"]),
                     help="Only agencies of this kind (repeatable).")(f)
    f = click.option("--parent", "parents", multiple=True, help="Only agencies under this parent government id (repeatable).")(f)
    return click.option("--region", "regions", multiple=True,
                        help="Only agencies whose region code starts with this (repeatable).")(f)


def filter_rows(rows, regions=(), parents=(), kinds=()):  # type: ignore[no-untyped-def]
    out = []
    for r in rows:
        if regions and not any((r.get("region") or "").startswith(x) for x in regions):
            continue
        if parents and r.get("parent") not in parents and r.get("agency") not in parents:
            continue
        if kinds and r.get("kind") not in kinds:
            continue
        out.append(r)
    return out


def audit_list(db_url: str, years: list[int], day, replay: bool, regions=(), parents=(), kinds=()):  # type: ignore[no-untyped-def]
    """The audit rows (with their 内容问题 from the open findings) for the years and scope."""
    from monitor import audit as audit_mod
    from monitor.check import finding_json, run_check
    from monitor.exports.words import with_content

    factory = open_existing_db(db_url)
    with factory() as session:
        require_agencies(session, parents)
        found, results = run_check(session, day, years, replay=replay)
        session.commit()
        findings = [finding_json(f) for f in found]
    rows = with_content(audit_mod.audit_rows(results), findings)
    return filter_rows(rows, regions, parents, kinds)


def scope_words(regions=(), parents=(), kinds=()) -> str:  # type: ignore[no-untyped-def]
    from monitor.exports.labels import KIND_LABELS, region_label

    parts = ["、".join(region_label(r) for r in regions) if regions else "",
             ("上级政府" + "、".join(parents)) if parents else "",
             "、".join(KIND_LABELS.get(k, k) for k in kinds) if kinds else ""]
    return "，".join(p for p in parts if p) or "全部机关"


@main.command()
@click.option("--year", "years", type=int, multiple=True, required=True, help="Report year (repeatable).")
@as_of_option
@click.option("--replay", is_flag=True, help="Store nothing (a past --as-of never stores: it is always a replay).")
@scope_options
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html", "json"]), default=None,
              help="Output format (default: from the suffix of -o, else json).")
@click.option("-o", "--output", default=None, help="Write to this file (default: stdout; xlsx needs a file).")
@db_option
def audit(years: tuple[int, ...], as_of: str | None, replay: bool, regions: tuple[str, ...], parents: tuple[str, ...],
          kinds: tuple[str, ...], fmt: str | None, output: str | None, db_url: str) -> None:
    """The audit list of non-publishing agencies for the years, with evidence and roll-ups."""
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
    data: bytes | str = {"json": lambda: audit_mod.to_json(rows), "csv": lambda: audit_mod.to_csv(rows),
                         "xlsx": lambda: audit_mod.to_xlsx(rows, title),
                         "html": lambda: audit_mod.to_html(rows, title)}[fmt]()
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


# Commands of spec/interfaces.md whose part of the system is not built yet.
_NOT_BUILT: dict[str, tuple[str, str]] = {}


def _add_not_built(name: str, doc: str, part: str) -> None:
    @db_option
    def command(db_url: str) -> None:
        fail(f"'{name}' is not built yet ({part}); see README, section Status", code=2)

    command.__doc__ = f"{doc.rstrip('.')} (not built yet)."
    main.command(name=name, context_settings={"ignore_unknown_options": True, "allow_extra_args": True})(command)


for _name, (_doc, _part) in _NOT_BUILT.items():
    _add_not_built(_name, _doc, _part)


import crawler.cli_dashboard  # noqa: E402,F401 - registers dashboard
import crawler.cli_jobs  # noqa: E402,F401 - registers worker, enqueue (the distributed mode)
import crawler.cli_outputs  # noqa: E402,F401 - registers notice, export
import crawler.cli_registry  # noqa: E402,F401 - registers registry import/discover/accept/columns/export
import crawler.cli_service  # noqa: E402,F401 - registers digest, serve, jobs

if __name__ == "__main__":  # pragma: no cover
    # under `python -m`, this module is __main__: run the group the service commands joined
    from crawler.cli import main as registered_main

    registered_main()
