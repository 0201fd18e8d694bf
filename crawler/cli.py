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
    open_session_factory(db_url)
    opts = CrawlOptions(db_url=db_url, files=files_dir, registry=registry, agencies=list(agency_ids),
                        years=list(years), delay=delay, timeout=timeout, retries=retries, proxy=proxy,
                        log_level=["CRITICAL", "WARNING", "INFO"][min(verbose, 2)])
    try:
        summary = run_crawl(opts)
    except ValueError as exc:
        fail(str(exc))
    click.echo(format_crawl_summary(summary))


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
    from datetime import datetime, timedelta, timezone

    from crawler.ingestion import build_fetch
    from db.store import FileStore, agency_exists, store_fetch

    beijing = timezone(timedelta(hours=8))
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
            fail(f"unknown agency {agency_id!r}: sync a registry first (--registry FILE)")
        body = Path(path).read_bytes()
        doc_url = url or Path(path).resolve().as_uri()
        fetch = build_fetch(agency_id, doc_url, body, seen_at=seen_at)
        fetch.evidence.append(("ingest", seen_at.date().isoformat()))
        stored = store_fetch(session, fetch, FileStore(files_dir))
        session.commit()
        state = "new document" if stored.new_document else ("new version" if stored.new_version else "unchanged")
        click.echo(f"{doc_url}: {state}; {fetch.title or 'untitled'} ({fetch.year or 'year unknown'}); "
                   f"parse {stored.version.parse_status}" + (f": {fetch.parse_error}" if fetch.parse_error else ""))


@main.command()
@click.option("--agency", "agency_id", default=None, help="Only this agency.")
@click.option("--year", type=int, default=None, help="Only this report year.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON array of spec/interfaces.md.")
@db_option
def reports(agency_id: str | None, year: int | None, as_json: bool, db_url: str) -> None:
    """Print the stored reports."""
    from db.store import reports as stored_reports

    factory = open_session_factory(db_url)
    with factory() as session:
        rows = stored_reports(session, agency_id, year)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        pub = r["published"] or {}
        click.echo(f"{r['agency']:<24} {r['year'] or '----'} {pub.get('date', '—'):<10} "
                   f"{r['format'] or '—':<5} {r['parse_status']:<7} {r['title'] or ''}  {r['url']}")
    click.echo(f"{len(rows)} report(s)")


def as_of_option(f):  # type: ignore[no-untyped-def]
    return click.option("--as-of", "as_of", default=None, help="Evaluate as of this date YYYY-MM-DD (default: today, Beijing).")(f)


def _as_of(value: str | None):  # type: ignore[no-untyped-def]
    from datetime import date, datetime, timedelta, timezone

    if value is None:
        return datetime.now(timezone(timedelta(hours=8))).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of {value!r} is not a date YYYY-MM-DD")


@main.command()
@click.option("--year", "years", multiple=True, type=int, help="Only these report years (repeatable).")
@click.option("--agency", "agency_ids", multiple=True, help="Only these agencies (repeatable).")
@as_of_option
@click.option("--replay", is_flag=True, help="Use only what was known at the end of --as-of (stores nothing).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as the JSON array of spec/interfaces.md.")
@db_option
def check(years: tuple[int, ...], agency_ids: tuple[str, ...], as_of: str | None, replay: bool, as_json: bool,
          db_url: str) -> None:
    """Run the monitor: compute, store and print the findings (dismissed ones stay quiet)."""
    from monitor.check import finding_json, run_check

    day = _as_of(as_of)
    factory = open_session_factory(db_url)
    with factory() as session:
        found, results = run_check(session, day, list(years) or None, list(agency_ids) or None, replay)
        session.commit()
        rows = [finding_json(f) for f in found]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['severity']:<7} {r['code']:<18} {r['message']}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    click.echo(f"{len(rows)} finding(s) for {len(results)} agency-years as of {day}: "
               + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) if rows else
               f"no findings for {len(results)} agency-years as of {day}")


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
        fail("give a finding KEY, or --agency, --year and --code")
    factory = open_session_factory(db_url)
    with factory() as session:
        q = select(Finding)
        q = q.where(Finding.key == key) if key else q.where(Finding.agency_id == agency_id, Finding.year == year,
                                                           Finding.code == code)
        rows = list(session.scalars(q))
        if not rows:
            fail("no such finding")
        for f in rows:
            f.status, f.dismissed_reason = "dismissed", reason
        session.commit()
    click.echo(f"dismissed {len(rows)} finding(s)")


@main.command()
@click.option("--year", type=int, required=True, help="Report year.")
@as_of_option
@click.option("--replay", is_flag=True, help="Use only what was known at the end of --as-of.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html", "json"]), default="json", show_default=True)
@click.option("-o", "--output", default=None, help="Write to this file (default: stdout; xlsx needs a file).")
@db_option
def audit(year: int, as_of: str | None, replay: bool, fmt: str, output: str | None, db_url: str) -> None:
    """The audit list of non-publishing agencies for a year, with evidence and roll-ups."""
    from monitor import audit as audit_mod
    from monitor.check import run_check

    day = _as_of(as_of)
    factory = open_session_factory(db_url)
    with factory() as session:
        _, results = run_check(session, day, [year], replay=replay)
        session.commit()
    rows = audit_mod.audit_rows(results)
    if fmt == "xlsx" and not output:
        fail("--format xlsx needs -o FILE")
    data: bytes | str = {"json": lambda: audit_mod.to_json(rows), "csv": lambda: audit_mod.to_csv(rows),
                         "xlsx": lambda: audit_mod.to_xlsx(rows),
                         "html": lambda: audit_mod.to_html(rows, f"{year}年政府信息公开工作年度报告发布情况（截至{day}）")}[fmt]()
    if output:
        Path(output).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        click.echo(f"{output}: {len(rows)} agencies, " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
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


import crawler.cli_jobs  # noqa: E402,F401 - registers worker, enqueue (the distributed mode)
import crawler.cli_service  # noqa: E402,F401 - registers digest, serve, jobs

if __name__ == "__main__":  # pragma: no cover
    # under `python -m`, this module is __main__: run the group the service commands joined
    from crawler.cli import main as registered_main

    registered_main()
