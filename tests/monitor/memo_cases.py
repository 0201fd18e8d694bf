"""Shared by the memo tests (tests/monitor/test_memo.py, tests/db/test_judgements.py): a small
generated database with the cases the memo must get right, and what a check's outcome is,
as comparable plain data."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bench.monitor import build
from db.models import CrawlRun, Document, DocumentVersion, Finding
from db.schema import open_db
from db.store import Fetch, store_fetch

AS_OF = date(2026, 11, 30)
YEARS = (2021, 2022, 2023, 2024)


def _j(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)


def outcome(results: list[Any], found: list[Finding]) -> tuple[list[Any], list[Any]]:
    """Every agency-year's status and drafts, in order, and the open findings returned."""
    statuses = sorted((r.agency.id, r.year, r.status.status, r.status.published, r.status.source, r.status.days_late,
                       r.status.url, _j(r.status.evidence), r.status.reason, r.deadline, r.rule,
                       tuple((d.code, d.message, _j(d.evidence), d.detail) for d in r.drafts)) for r in results)
    return statuses, [(f.key, f.code, f.severity, f.message, _j(f.evidence), f.status) for f in found]


def stored_findings(session: Session) -> list[Any]:
    """The findings table (every status), without the times of this run."""
    return [(f.key, f.code, f.severity, f.message, _j(f.evidence), f.status)
            for f in session.scalars(select(Finding).order_by(Finding.key))]


def generated(url: str, n: int = 30) -> None:
    """``n`` agencies x 4 years (bench/monitor.py's generator), then: a report changed by a
    later fetch (EDITED, other arithmetic), a page whose new version is no report (WRONG_DOCUMENT),
    an attachment, and a copy of another agency's report (DUPLICATE_CONTENT)."""
    build(url, n, years=YEARS)
    seen = datetime(2026, 11, 10, tzinfo=UTC)
    with open_db(url)() as s:
        run = CrawlRun(started_at=seen, finished_at=seen, status="done", stats={})
        s.add(run)
        s.flush()

        def page(aid: str, year: int) -> tuple[Document, dict[str, Any]]:
            doc = s.scalar(select(Document).where(Document.agency_id == aid, Document.year == year))
            assert doc is not None
            report = s.scalars(select(DocumentVersion.report).where(DocumentVersion.document_id == doc.id)).first()
            return doc, copy.deepcopy(report)

        doc, report = page("a00003", 2024)
        report["tables"]["requests"]["rows"]["total"]["total"] += 7  # R1/R2/R3 break
        store_fetch(s, Fetch(agency_id="a00003", url=doc.url, body=b"v2", year=2024, title=doc.title, report=report,
                             text=f"{doc.title}（更正版）。全年收到申请若干件，均已按时办结。", seen_at=seen), None, run.id)
        doc, _ = page("a00005", 2023)
        store_fetch(s, Fetch(agency_id="a00005", url=doc.url, body=b"cover", year=2023, title=doc.title, report=None,
                             text="通知", seen_at=seen), None, run.id)
        doc, report = page("a00007", 2022)
        store_fetch(s, Fetch(agency_id="a00007", kind="attachment", url=doc.url + ".pdf", parent_url=doc.url,
                             body=b"att", year=2022, title="附件", report=report, text="附件正文。", seen_at=seen),
                    None, run.id)
        text = "。".join(f"第{i}条关于政府信息公开工作的具体情况说明文字内容" for i in range(12))
        for aid in ("a00010", "a00011"):
            doc, report = page(aid, 2023)
            v = s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)).first()
            assert v is not None
            v.text = text  # the same long text: a duplicate of the other's
        s.commit()


def reparse_in_place(s: Session, agency: str, year: int, review_total: int = 999) -> None:
    """A version re-parsed in place (``nianbao reparse``): the same version row, another
    report (the appeals table's review total changed), so its judgement key changes."""
    doc = s.scalar(select(Document).where(Document.agency_id == agency, Document.year == year))
    assert doc is not None
    v = s.scalars(select(DocumentVersion).where(DocumentVersion.document_id == doc.id)).first()
    assert v is not None and v.report is not None
    report = dict(v.report)
    report["tables"] = {**report["tables"], "appeals": {**report["tables"]["appeals"]}}
    report["tables"]["appeals"]["review"] = {**report["tables"]["appeals"]["review"], "total": review_total}
    s.execute(update(DocumentVersion).where(DocumentVersion.id == v.id).values(report=report))
