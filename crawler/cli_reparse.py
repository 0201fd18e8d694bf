"""``nianbao reparse``: parse stored versions again (issue 16, item 8).

A version whose parse failed for a transient reason (timeout, busy LibreOffice) keeps its
bytes, so nothing else would ever parse it again; and a parser upgrade leaves every old
result as the old parser made it.  This command reads the stored bytes back from the
file store and parses them again through the crawler's own path
(:func:`crawler.ingestion.build_fetch` with a :class:`parsing.pool.ParserPool`), keeping
the new result on the same version row (:func:`db.reparse.refresh_version`) and the new
date evidence (the signed date) observed when the version was fetched.  Each version is
committed on its own: an interrupted run loses nothing and the next run resumes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from crawler.cli_common import (
    db_option,
    fail,
    files_option,
    main,
    open_existing_db,
    require_agencies,
)


@dataclass(slots=True)
class _Job:
    version_id: int
    agency_id: str
    url: str
    kind: str
    stored_path: str | None
    fetched_at: datetime


def reparse_versions(factory: Any, files_dir: str | Path, *, agency: str | None = None,
                     since_version: str | None = None, parser: Any = None, processes: int = 2,
                     on_done: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Parse again the versions :func:`db.reparse.versions_to_reparse` selects; counts.

    ``parser``: a :class:`parsing.pool.ParserPool` (one of ``processes`` workers is started
    when None, and closed at the end).
    """
    from crawler.ingestion import build_fetch
    from db.models import DocumentVersion
    from db.reparse import TRANSIENT, refresh_version, versions_to_reparse
    from db.store import add_evidence
    from parsing.pool import ParserPool

    root = Path(files_dir)
    with factory() as session:
        ids = versions_to_reparse(session, agency, since_version)
        jobs = []
        for vid in ids:
            v = session.get(DocumentVersion, vid)
            jobs.append(_Job(vid, v.document.agency_id, v.document.url, v.document.kind, v.stored_path, v.fetched_at))
            session.expunge(v)  # keep the session small: reports are large
    counts = {"selected": len(jobs), "ok": 0, "failed": 0, "transient": 0, "missing_file": 0, "kept": 0}
    if not jobs:
        return counts
    own = parser is None
    pool = ParserPool(processes) if own else parser

    def parse(job: _Job) -> tuple[_Job, Any]:
        path = root / job.stored_path if job.stored_path else None
        if path is None or not path.is_file():
            return job, None
        return job, build_fetch(job.agency_id, job.url, path.read_bytes(), kind=job.kind,
                                seen_at=job.fetched_at, parser=pool)

    try:
        with ThreadPoolExecutor(max_workers=max(1, getattr(pool, "processes", processes))) as executor:
            for done, (job, fetch) in enumerate(executor.map(parse, jobs), 1):
                if fetch is None:
                    counts["missing_file"] += 1
                else:
                    with factory() as session:
                        version = session.get(DocumentVersion, job.version_id)
                        if version is not None:
                            if not refresh_version(version, fetch):
                                counts["kept"] += 1  # a passing failure never replaces a success
                            doc = version.document
                            doc.title = doc.title or fetch.title
                            doc.year = doc.year or fetch.year
                            doc.report_agency = doc.report_agency or fetch.report_agency
                            evidence = list(fetch.evidence)
                            if signed := (fetch.report or {}).get("signed_date"):
                                evidence.append(("signed", signed))
                            add_evidence(session, doc, evidence, None, job.fetched_at)
                            session.commit()
                    if fetch.parse_error:
                        counts["failed"] += 1
                        counts["transient"] += fetch.parse_failure == TRANSIENT
                    else:
                        counts["ok"] += 1
                if on_done:
                    on_done(done, len(jobs))
    finally:
        if own:
            pool.close()
    return counts


def summary(counts: dict[str, int]) -> str:
    """The Chinese one-line summary of a reparse run."""
    if not counts["selected"]:
        return "没有需要重新解析的版本"
    text = f"重新解析 {counts['selected']} 个版本：{counts['ok']} 个解析成功，{counts['failed']} 个解析失败"
    if counts["transient"]:
        text += f"（其中 {counts['transient']} 个为暂时性失败，下次抓取或再次运行 reparse 时重试"
        text += f"；{counts['kept']} 个保留原有成功结果）" if counts["kept"] else "）"
    if counts["missing_file"]:
        text += f"，{counts['missing_file']} 个文件在文件库中缺失（未解析）"
    return text


@main.command()
@click.option("--agency", "agency_id", default=None, help="只重新解析此机关的文件（填机关代码）。")
@click.option("--since-version", default=None,
              help="另外重新解析由低于此版本的解析器解析的全部文件（解析器升级后使用）；"
                   "不加此项时只重新解析暂时性失败（超时、LibreOffice 忙）的文件。")
@click.option("--processes", default=None, type=click.IntRange(1, 64),
              help="同时解析的进程数（默认 CPU 核数）。")
@files_option
@db_option
def reparse(agency_id: str | None, since_version: str | None, processes: int | None, files_dir: str,
            db_url: str) -> None:
    """重新解析已存的文件版本（暂时性解析失败之后，或解析器升级之后）。"""
    from db.reparse import version_key
    from parsing.api import PARSER_VERSION

    if since_version is not None and not version_key(since_version):
        fail(f"--since-version {since_version!r} 不是版本号（例如 {PARSER_VERSION}）")
    factory = open_existing_db(db_url)
    if agency_id:
        with factory() as session:
            require_agencies(session, [agency_id])
    counts = reparse_versions(factory, files_dir, agency=agency_id, since_version=since_version,
                              processes=processes or max(1, os.cpu_count() or 1))
    click.echo(f"{summary(counts)}（解析器版本 {PARSER_VERSION}）")
