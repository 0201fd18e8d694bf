"""The incremental check: re-evaluate only the agency-years touched since the last check.

Touched since the watermark (``settings['check:incremental']``), from indexed timestamps
(:mod:`monitor.touched`):

* an agency whose documents changed (first seen, seen again, changed, removed, new date
  evidence, a new owner or link) or whose registry entry changed is judged whole, by
  :func:`monitor.check.run_check`, together with the agencies the duplicate rule ties it
  to (:mod:`monitor.sketches`), so duplicates stay right in both directions;
* an agency that only has a new crawl outcome has only its years *without* a report
  judged again, by the check's own procedure for one agency-year: a crawl outcome is
  evidence for the publication rules alone, and for a year with a report only an outcome
  from before the report was first seen counts (see :mod:`monitor.touched`).  A crawl of
  1,000 agencies that changed 100 reports costs 100 agencies' judging, not 1,000.

A change of the registry-wide settings, an as-of date earlier than the last one, an
as-of date that passes a deadline (every agency-year with that deadline stops being
"not due"), or the first run checks everything.  Rows stamped up to ``MARGIN`` before
the last check started, or after the last check's as-of cutoff, count as new: a late
commit is not missed.

Limit (documented for the lead): the duplicate rule ignores sentences found in more than
``across.MAX_DF`` reports; within a limited run those counts are taken over the agencies
in scope, not the whole corpus.  Sketch hashes found in more than MAX_DF reports are not
used to pick partners for the same reason.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Agency, Finding, Setting, utcnow
from monitor import across, check, load, states, upsert
from monitor.assess import assess_one
from monitor.deadlines import STATUTE, deadline_settings
from monitor.registry import ACROSS_ALL_CODES
from monitor.sketches import departed_with_sketches, partners, update_sketches
from monitor.touched import report_years, touched_since

WATERMARK = "check:incremental"
# Rows are stamped when made and committed a little later (a crawl's item, its outcome):
# look back this much before the last check's start, so a late commit is not missed.
MARGIN = timedelta(minutes=10)


def _settings_hash(session: Session) -> str:
    values: list[Any] = [(s.key, s.value) for s in session.scalars(select(Setting).where(
        Setting.key.in_(["deadlines", "trusted_hosts"])).order_by(Setting.key))]
    values.append(("table_signature", across.SIGNATURE_VERSION))  # a new form: every sketch is made again
    return hashlib.sha1(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def deadline_between(session: Session, before: date, after: date) -> bool:
    """Whether some deadline day D has ``before <= D < after``: as of ``before`` its
    agency-years were not due, as of ``after`` they are (``compliance.assess``)."""
    if after <= before:
        return False
    if (after - before).days > 366:
        return True
    settings = deadline_settings(session)
    days = {"03-31", *STATUTE.values(), *(settings.get("kinds") or {}).values()}
    days |= {mmdd for rule in (settings.get("regions") or {}).values() for mmdd in rule.values()}
    days |= {d for d in session.scalars(select(Agency.deadline).where(Agency.deadline.is_not(None)).distinct()) if d}
    day = before
    while day < after:
        mmdd = f"{day.month:02d}-{day.day:02d}"
        # 02-29 falls on 02-28 in a common year (deadlines._on)
        if mmdd in days or (mmdd == "02-28" and "02-29" in days):
            return True
        day += timedelta(days=1)
    return False


def recheck_crawled(session: Session, as_of: date, agencies: set[str]) -> set[tuple[str, int]]:
    """Judge again the years without a report of agencies that only have a new crawl
    outcome (with :func:`monitor.assess.assess_one`, as the full check does) and store their
    findings; returns the agency-years judged."""
    cutoff = check.as_of_cutoff(as_of)
    rows = load.agencies(session, sorted(agencies)) if agencies else []
    if not rows:
        return set()
    ids = [a.id for a in rows]
    have = report_years(session, ids, cutoff)
    todo = [(a, y) for a in rows for y in range(max(a.since or check.FIRST_YEAR, 2007), as_of.year)
            if (a.id, y) not in have]
    if not todo:
        return set()
    settings, trusted = deadline_settings(session), load.trusted_hosts(session)
    crawls = load.crawls(session, cutoff, sorted({a.id for a, _ in todo}))
    results = [assess_one(a, year, as_of, [], [], crawls.get(a.id, []), settings, {}, trusted) for a, year in todo]
    scope = {(r.agency.id, r.year) for r in results}
    upsert.store(session, ((r.agency.id, r.year, d) for r in results for d in r.drafts), scope,
                 sorted({a for a, _ in scope}), ACROSS_ALL_CODES, utcnow())
    return scope


def _open_in(session: Session, scope: set[tuple[str, int]]) -> int:
    """How many open findings these agency-years have (a count: no ORM objects)."""
    ids = sorted({a for a, _ in scope})
    f = Finding.__table__
    return sum(1 for k in range(0, len(ids), 5000)
               for aid, year in session.execute(select(f.c.agency_id, f.c.year).where(
                   f.c.status == "open", f.c.agency_id.in_(ids[k:k + 5000]))) if (aid, year) in scope)


def _aware(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _full_reason(session: Session, mark: Setting | None, settings: str, as_of: date, full: bool) -> str | None:
    """Why this run must check everything, or None."""
    if full:
        return "asked"
    if mark is None or not (mark.value or {}).get("at"):
        return "first run"
    if mark.value.get("settings") != settings:
        return "settings changed"
    last = mark.value.get("as_of")
    if last is None:
        return "no as-of date recorded"
    last_day = date.fromisoformat(last)
    if as_of < last_day:
        return "as-of date earlier than the last check's"
    if deadline_between(session, last_day, as_of):
        return "a deadline passed"
    return None


def run_incremental_check(session: Session, as_of: date, full: bool = False) -> dict[str, Any]:
    """Check what changed since the last (incremental) check; the first run checks everything.

    Returns {"mode": "full"|"incremental"|"nothing", "agencies": n judged whole, "touched": n,
    "partners": n, "crawled_only": n agencies whose years without a report were judged,
    "findings": open findings in scope, "steps": seconds per step, "why": why full}.
    Does not commit.
    """
    started = utcnow()
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    mark = session.get(Setting, WATERMARK)
    settings = _settings_hash(session)
    why = _full_reason(session, mark, settings, as_of, full)
    out: dict[str, Any]
    if why is not None:
        digests = states.current(session, None)  # before judging: a change committed meanwhile counts next time
        found, results = check.run_check(session, as_of)
        lap("check")
        states.store(session, digests, everything=True)
        everyone = sorted({r.agency.id for r in results} | departed_with_sketches(session))
        update_sketches(session, everyone)
        lap("sketches")
        out = {"mode": "full", "agencies": len(everyone), "touched": len(everyone), "partners": 0, "crawled_only": 0,
               "findings": len(found), "why": why}
    else:
        assert mark is not None
        since = _aware(mark.value["at"]) - MARGIN
        last_cutoff = check.as_of_cutoff(date.fromisoformat(mark.value["as_of"]))
        touched = touched_since(session, min(since, last_cutoff))  # what the last check could not count yet
        whole = touched.documents | departed_with_sketches(session)
        lap("touched")
        update_sketches(session, sorted(whole))
        session.flush()
        lap("sketches")
        tied = partners(session, whole) if whole else set()
        lap("partners")
        scope = sorted(whole | tied)
        found = check.run_check(session, as_of, agencies=scope, closed=True)[0] if scope else []
        lap("check")
        states.store(session, touched.digests)
        crawled = recheck_crawled(session, as_of, touched.crawled - whole - tied)
        n_open = _open_in(session, crawled)
        lap("crawled")
        mode = "incremental" if scope or touched.crawled else "nothing"
        out = {"mode": mode, "agencies": len(scope), "touched": len(touched) + len(whole - touched.documents),
               "partners": len(tied), "crawled_only": len({a for a, _ in crawled}), "findings": len(found) + n_open}
    value = {"at": started.isoformat(), "settings": settings, "as_of": as_of.isoformat(),
             "last": {k: v for k, v in out.items()}}
    if mark is None:
        session.add(Setting(key=WATERMARK, value=value))
    else:
        mark.value = value
    session.flush()
    lap("watermark")
    out["steps"] = steps
    return out
