"""The ``nianbao`` command line (spec/interfaces.md).

Every command exits non-zero with a one-line error on stderr when it fails.  Commands
whose part of the system is not built yet say so plainly and exit 2.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import click

from crawler.summary import format_report, format_table_line

DEFAULT_DB = "sqlite:///nianbao.db"


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
@click.option("--samples", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of report files to parse (default: the bundled samples).")
@db_option
def demo(samples: str | None, db_url: str) -> None:
    """Run the main job on bundled material (today: parse the bundled sample reports)."""
    from parsing.api import parse_guarded

    root = Path(samples) if samples else _bundled_samples()
    if root is None:
        fail("bundled samples not found; pass --samples DIR")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.endswith((".json", ".md")))  # type: ignore[union-attr]
    click.echo(f"Parsing {len(files)} sample reports under {root}")
    failures = 0
    for p in files:
        t0 = time.perf_counter()
        report = parse_guarded(p.read_bytes())
        ms = (time.perf_counter() - t0) * 1000
        rel = p.relative_to(root)  # type: ignore[arg-type]
        if not report.ok:
            failures += 1
            click.echo(f"  {rel}: ERROR {report.error}")
            continue
        click.echo(f"  {rel} [{report.source_type}, {ms:.0f} ms] {format_table_line(report)}")
    click.echo(f"{len(files) - failures} parsed, {failures} failed")
    click.echo("The crawler, monitor and digests are not built yet: see README (Status).")


def _bundled_samples() -> Path | None:
    here = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
    return here if here.is_dir() else None


def _not_built(name: str, issue: str) -> None:
    fail(f"'{name}' is not built yet ({issue}); see README, section Status", code=2)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def crawl(db_url: str) -> None:
    """Discover, download, parse and store the agencies' reports (not built yet)."""
    _not_built("crawl", "discovery and download")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def ingest(db_url: str) -> None:
    """Store a report file obtained elsewhere (not built yet)."""
    _not_built("ingest", "storage")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def reports(db_url: str) -> None:
    """Print the stored reports (not built yet)."""
    _not_built("reports", "storage")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def check(db_url: str) -> None:
    """Run the monitor and print findings (not built yet)."""
    _not_built("check", "the monitor")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def audit(db_url: str) -> None:
    """The audit list of non-publishing agencies (not built yet)."""
    _not_built("audit", "the monitor")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def digest(db_url: str) -> None:
    """Build and send the weekly compliance digest (not built yet)."""
    _not_built("digest", "the service")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@db_option
def serve(db_url: str) -> None:
    """The long-running service (not built yet)."""
    _not_built("serve", "the service")


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    main()
