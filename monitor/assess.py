"""One partition of the check: its agencies' agency-years judged batch by batch, as plain data.

:func:`assess_agencies` is the body of :func:`monitor.check.assess_all` for a list of
agencies: publication (:mod:`monitor.compliance`), the content rules on each report (read
from :mod:`monitor.memo` or judged now), the pair rules, and each report's fingerprint
for the duplicates, which the caller judges across every partition.  The worker processes
of a partitioned check (:mod:`monitor.partition`) run it as well, so one code path gives
the results whatever the number of processes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from monitor import across, compliance, load, memo, registry
from monitor.deadlines import BEIJING, Deadline, deadline_for_agency, deadline_settings
from monitor.findings import Draft, finding_key
from monitor.load import AgencyInfo, LoadedDoc

FIRST_YEAR = 2019
GOV_SUFFIXES = (".gov.cn",)  # other domains (a city portal, the test webs' .gov.cn.test): defaults.trusted_hosts


@dataclass(slots=True)
class AgencyYear:
    agency: AgencyInfo
    year: int
    status: compliance.Status
    drafts: list[Draft] = field(default_factory=list)
    deadline: str = ""
    rule: str = ""


BATCH = 500  # agencies per batch: only one batch's reports are in memory at a time


def as_of_cutoff(as_of: date) -> datetime:
    """The end of ``as_of``, Beijing time: nothing known later counts."""
    return datetime.combine(as_of, time(23, 59, 59), BEIJING)


Prints = list[tuple[tuple[str, int], across.Fingerprint]]


def assess_agencies(session: Session, agency_rows: list[AgencyInfo], as_of: date, years: list[int] | None,
                    crawls: dict[str, list[compliance.Crawl]], fp: str,
                    save: Callable[[Session, str, dict[str, tuple[str, str]]], None] | None
                    ) -> tuple[list[AgencyYear], Prints]:
    """These agencies' agency-years, batch by batch (only one batch's documents in memory),
    and the fingerprints of their reports for the duplicates; ``save`` stores each batch's
    new judgements (None: a replay, nothing stored)."""
    cutoff = as_of_cutoff(as_of)
    settings = deadline_settings(session)
    trusted = load.trusted_hosts(session)
    # the year-to-year rules need the previous year: assess it too, but do not report it
    wanted = set(years or [])
    needed = wanted | {y - k for y in wanted for k in range(1, registry.years_back() + 1)}
    results: list[AgencyYear] = []
    prints: Prints = []
    deadlines: dict[tuple[Any, ...], Deadline] = {}
    for k in range(0, len(agency_rows), BATCH):
        batch = agency_rows[k:k + BATCH]
        names = {a.id: a.name for a in batch}
        docs = load.documents(session, [a.id for a in batch], cutoff, lean=True)
        stored = memo.lookup_agencies(session, fp, list(names))  # the pages' and the pairs' results at once
        judged, new = _judge_batch(session, fp, names, docs, stored)
        load.fill(session, list({id(d): d for ds in docs.values() for d in ds if len(d.versions) > 1}.values()),
                  every_version=True)  # EDITED compares the texts of successive versions
        refs: dict[tuple[str, int], _Ref] = {}
        doc_years: dict[str, set[int]] = defaultdict(set)
        for aid, y in docs:
            doc_years[aid].add(y)
        batch_results: dict[tuple[str, int], AgencyYear] = {}
        for a in batch:
            span = set(range(max(a.since or FIRST_YEAR, 2007), as_of.year)) | doc_years[a.id]
            for year in sorted(y for y in span if not years or y in needed):
                year_docs = docs.get((a.id, year), [])
                ay = assess_one(a, year, as_of, year_docs, [judged[id(d), a.id] for d in year_docs],
                                 crawls.get(a.id, []), settings, refs, trusted, deadlines)
                if not years or year in wanted:
                    batch_results[(a.id, year)] = ay
                    results.append(ay)
        pairs = [(key, ref, prev) for key, ref in refs.items()
                 if (prev := refs.get((key[0], key[1] - 1))) and key in batch_results]
        for (aid, year), drafts in _judge_pairs(session, fp, names, pairs, new, stored).items():
            batch_results[(aid, year)].drafts += drafts
        for (aid, year), ref in refs.items():  # the previous year's too: duplicates compare all
            prints.append(((aid, year), across.Fingerprint(aid, names[aid], year, ref.doc.url, set(ref.judged.sentences),
                                                           ref.judged.tables)))
        if save is not None:
            save(session, fp, new)
        del docs, refs, judged, stored
    return results, prints


@dataclass(slots=True)
class _Ref:
    """The report of an agency-year the pair and duplicate rules compare."""

    doc: LoadedDoc
    judged: memo.Judged


def _stored(session: Session, stored: dict[str, str], keys: Iterable[str]) -> dict[str, str]:
    """The stored results of ``keys``: from what was read by agency, the rest by key (rows
    stored before the memo knew their agency)."""
    keys = list(keys)
    out = {k: stored[k] for k in keys if k in stored}
    rest = [k for k in keys if k not in out]
    if rest:
        out.update(memo.lookup(session, rest))
    return out


def _judge_batch(session: Session, fp: str, names: dict[str, str], docs: dict[tuple[str, int], list[LoadedDoc]],
                 by_agency: dict[str, str]) -> tuple[dict[tuple[int, str], memo.Judged], dict[str, tuple[str, str]]]:
    """Every page's judgement, per (page, agency): read from the memo (``by_agency``: what
    :func:`memo.lookup_agencies` read), or judged now (their content read first).  Returns
    them and the new results to store (key -> (agency, JSON))."""
    keyed = {(id(d), aid): (memo.doc_key(fp, names[aid], year, d), aid, year, d)
             for (aid, year), ds in docs.items() for d in ds}
    stored = _stored(session, by_agency, (k for k, _, _, _ in keyed.values()))
    missing = {k: (aid, year, d) for k, aid, year, d in keyed.values() if k not in stored}
    load.fill(session, list({id(d): d for _, _, d in missing.values()}.values()))
    new = {k: (aid, memo.encode(memo.judge(names[aid], year, d))) for k, (aid, year, d) in missing.items()}
    texts = {**stored, **{k: v for k, (_, v) in new.items()}}
    decoded: dict[str, memo.Judged] = {}
    out = {}
    for at, (k, _, _, _) in keyed.items():
        if k not in decoded:
            decoded[k] = memo.decode(k, texts[k])
        out[at] = decoded[k]
    return out, new


def _judge_pairs(session: Session, fp: str, names: dict[str, str], pairs: list[tuple[tuple[str, int], _Ref, _Ref]],
                 new: dict[str, tuple[str, str]], by_agency: dict[str, str]) -> dict[tuple[str, int], list[Draft]]:
    """The pair rules' drafts per agency-year, from the memo or judged now (adds to ``new``)."""
    keys = {at: memo.pair_key(fp, at[0], cur.judged.key, cur.doc.url, prev.judged.key, prev.doc.url)
            for at, cur, prev in pairs}
    stored = _stored(session, by_agency, (k for k in keys.values() if k not in new))
    todo = [(at, cur, prev) for at, cur, prev in pairs if keys[at] not in stored and keys[at] not in new]
    load.fill(session, list({id(r.doc): r.doc for _, cur, prev in todo for r in (cur, prev)
                             if r.doc.versions[-1][2] is None}.values()))
    for (aid, year), cur, prev in todo:
        new[keys[aid, year]] = (aid, memo.encode(memo.judge_pair(aid, names[aid], year, cur.doc, prev.doc)))
    return {at: memo.decode_drafts(stored.get(k) or new[k][1]) for at, k in keys.items()}


def assess_one(a: AgencyInfo, year: int, as_of: date, year_docs: list[LoadedDoc], judged: list[memo.Judged],
                crawls: list[compliance.Crawl], settings: dict[str, Any], refs: dict[tuple[str, int], _Ref],
                trusted: tuple[str, ...] = (), deadlines: dict[tuple[Any, ...], Deadline] | None = None) -> AgencyYear:
    """One agency-year: a page is not a report until it parses as one (WRONG_DOCUMENT).
    ``deadlines``: a cache of :func:`deadline_for_agency` under these ``settings``."""
    dl = deadline_for_agency(a, year, settings, deadlines)
    who = f"{a.name}{year}年年度报告"
    checked = list(zip(year_docs, judged, strict=True))
    reports = [c for c in checked if not c[1].wrong]
    wrong = [c for c in checked if c[1].wrong]
    cdocs = [compliance.Doc(d.url, d.first_seen, d.last_seen, d.removed_at, d.removed_reason, d.evidence,
                            [compliance.Version(v[0], v[1], v[3]) for v in d.versions])
             for d, _ in reports]
    status, drafts = compliance.assess(a.name, year, dl, as_of, cdocs, crawls)
    if wrong and not reports and status.status != "not_due":
        # only pages that are something else: the year stays unproved, never 按时发布 nor 未发布
        doc, wj = wrong[0]
        wd = wj.wrong
        why = wd[0].evidence.get("why")
        reason = f"标题为年度报告的页面{doc.url}实为其他文件（{wd[0].evidence.get('why_cn')}），未找到真正的年度报告"
        ev = {"deadline": dl.iso, "rule": dl.rule, "wrong_document": doc.url, "why": why,
              "linked_finding": finding_key(a.id, year, "WRONG_DOCUMENT", "")}
        status = compliance.Status("not_found", url=doc.url, evidence=ev, reason=reason)
        drafts = [Draft("NOT_FOUND", f"{who}未找到，待核实：{reason}", ev)]
    ay = AgencyYear(a, year, status, drafts, deadline=dl.iso, rule=dl.rule)
    for _, wj in wrong[:1]:
        ay.drafts += wj.wrong
    if reports:
        live = [c for c in reports if c[0].removed_at is None] or reports
        doc, j = live[0]
        if j.report:  # the content rules judge a report, not a cover letter
            ay.drafts += j.drafts
            refs[(a.id, year)] = _Ref(doc, j)
    if year_docs:
        own = {h.lower() for h in a.hosts or []} | {(registry.host_of(a.site) or "").lower()}
        ay.drafts += registry.non_gov_host(registry.document_hosts([d.url for d in year_docs]), own, trusted, who,
                                           GOV_SUFFIXES)
    return ay
