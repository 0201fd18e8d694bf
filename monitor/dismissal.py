"""Dismissing findings: the one home of how a person silences a finding.

A dismissed finding stays stored with its reason, later checks keep it quiet, and the
dismissal is recorded (who, how, why) in ``finding_events`` as the dashboard's are.
The CLI's ``nianbao dismiss`` and :func:`monitor.check.dismiss` go through here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Finding, FindingEvent, utcnow


def dismiss_findings(session: Session, reason: str, *, key: str | None = None, agency: str | None = None,
                     year: int | None = None, code: str | None = None, actor: str = "nianbao",
                     via: str | None = None) -> list[Finding]:
    """Dismiss the finding ``key``, or every finding of ``agency``, ``year`` and ``code``.

    Returns the findings dismissed (empty when none matches); the caller commits."""
    if key is None and not (agency and year and code):
        raise ValueError("a finding key, or agency, year and code together")
    q = select(Finding).where(Finding.key == key) if key is not None else select(Finding).where(
        Finding.agency_id == agency, Finding.year == year, Finding.code == code)
    rows = list(session.scalars(q.order_by(Finding.id)))
    for f in rows:
        previous = f.status
        f.status, f.dismissed_reason = "dismissed", reason
        session.add(FindingEvent(finding_id=f.id, action="dismiss", reason=reason, actor=actor, via=via,
                                 previous_status=previous, at=utcnow()))
    return rows
