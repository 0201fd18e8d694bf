"""Every finding the monitor can report, in one table: code, severity, scope, the data the
rule needs, and the function that decides it (spec/findings.md).

The table is the extension point: a new finding is one function (usually in
:mod:`monitor.rules`) and one :class:`Rule` line here (README, "Add a finding").  What a
rule ``needs`` also tells a run what to load and what it can judge: a run limited by year
loads the previous year only because a rule needs ``previous_report``, and a run limited by
year, agency or region leaves alone the findings of rules that need ``all_reports``.

Scopes, in the order :mod:`monitor.check` runs them:

* ``publication``: decided together by :func:`monitor.compliance.assess` from the
  agency-year's documents and crawls (one procedure: the status decides which of them holds);
* ``document``: a page and its attachments, parsed or not (:func:`monitor.rules.wrong_document`,
  :func:`non_gov_host`);
* ``report``: one parsed report (``check(Subject) -> drafts``);
* ``pair``: a report and the agency's report of the previous year (``check(cur, prev)``);
* ``across``: every stored report (:func:`monitor.across.duplicates`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from monitor import across, rules
from monitor.findings import Draft

# the data a rule may need (what monitor.load reads)
DATA = {
    "registry": "the agency's registry entry (name, kind, region, deadline, hosts)",
    "crawls": "the agency's crawl outcomes with their proofs of absence",
    "documents": "the agency-year's documents: URLs, first/last seen, removals, date evidence, versions",
    "text": "the text of each document version",
    "report": "the parse result (report JSON) of the agency-year's report",
    "previous_report": "the parse result of the agency's report of the previous year",
    "all_reports": "a fingerprint of every stored report of every agency",
}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    severity: str  # error | warning | info
    scope: str  # publication | document | report | pair | across
    needs: frozenset[str]
    check: Callable[..., Any] | None = None  # None: decided by its scope's procedure


def non_gov_host(hosts: set[str], own: set[str], trusted: tuple[str, ...], who: str,
                 gov_suffixes: tuple[str, ...] = (".gov.cn",)) -> list[Draft]:
    """The only copies are on hosts outside the agency's, the government suffixes and the trusted list."""
    if not hosts:
        return []
    suffixes = gov_suffixes + tuple("." + t for t in trusted)
    if all(h and h not in own and h not in trusted and not h.endswith(suffixes) for h in hosts):
        return [Draft("NON_GOV_HOST", f"{who}仅在非政府网站{'、'.join(sorted(h for h in hosts if h))}发现",
                      {"hosts": sorted(h for h in hosts if h)})]
    return []


# an http(s) URL whose host is plain lower-case letters, digits, dots and hyphens (with at most
# a port), followed by its path or nothing: ``urlsplit(u).hostname`` is that host, read 10x faster
_PLAIN_HOST_RE = re.compile(r"https?://([a-z0-9.-]+)(?::[0-9]+)?(?=/|$)")


def host_of(url: str) -> str | None:
    """``urlsplit(url).hostname``, read by a regular expression when the URL is plain."""
    m = _PLAIN_HOST_RE.match(url)
    return m.group(1) if m else urlsplit(url).hostname


def document_hosts(urls: list[str]) -> set[str]:
    return {host_of(u) for u in urls if u.startswith("http")}  # type: ignore[misc]


_PUB = frozenset({"registry", "crawls", "documents"})
_REPORT = frozenset({"report"})

RULES: tuple[Rule, ...] = (
    Rule("MISSING", "error", "publication", _PUB),
    Rule("NOT_FOUND", "warning", "publication", _PUB | {"report"}),  # a wrong document leaves the year not found
    Rule("DATE_CONFLICT", "warning", "publication", _PUB),
    Rule("UNREACHABLE", "warning", "publication", _PUB),
    Rule("LATE", "error", "publication", _PUB),
    Rule("BACKDATED", "warning", "publication", _PUB),
    Rule("EDITED", "warning", "publication", _PUB | {"text"}),
    Rule("REMOVED", "warning", "publication", _PUB),
    Rule("WRONG_DOCUMENT", "warning", "document", frozenset({"documents", "report"}), rules.wrong_document),
    Rule("NON_GOV_HOST", "info", "document", frozenset({"registry", "documents"}), non_gov_host),
    Rule("BALANCE", "error", "report", _REPORT, rules.balance),
    Rule("OUTCOME_TOTAL", "error", "report", _REPORT, rules.outcome_total),
    Rule("APPLICANT_TOTAL", "error", "report", _REPORT, rules.applicant_total),
    Rule("APPEAL_TOTAL", "error", "report", _REPORT, rules.appeal_total),
    Rule("BAD_VALUE", "error", "report", _REPORT, rules.bad_value),
    Rule("FORMAT_OUTDATED", "error", "report", _REPORT, rules.format_outdated),
    Rule("SECTION_MISSING", "error", "report", _REPORT, rules.section_missing),
    Rule("TABLE_MISSING", "error", "report", _REPORT, rules.table_missing),
    Rule("TABLE_INCOMPLETE", "warning", "report", _REPORT, rules.table_incomplete),
    Rule("PROSE_MISMATCH", "warning", "report", _REPORT, rules.prose_mismatch),
    Rule("YEAR_MISMATCH", "warning", "report", _REPORT, rules.year_mismatch),
    Rule("CARRYOVER_MISMATCH", "warning", "pair", frozenset({"report", "previous_report"}), across.carryover),
    Rule("IN_FORCE_DRIFT", "info", "pair", frozenset({"report", "previous_report"}), across.in_force_drift),
    Rule("DUPLICATE_CONTENT", "warning", "across", frozenset({"report", "text", "all_reports"}), across.duplicates),
)
BY_CODE = {r.code: r for r in RULES}
SEVERITY = {r.code: r.severity for r in RULES}
# findings about a report's publication (the audit row's status), as opposed to its content
PUBLICATION_CODES = tuple(r.code for r in RULES if r.scope == "publication")
CONTENT_CODES = tuple(r.code for r in RULES if r.scope != "publication")
# rules that compare a report with every other agency's reports: a run limited by year,
# agency or region cannot evaluate them, so it leaves their findings as they are
ACROSS_ALL_CODES = tuple(r.code for r in RULES if "all_reports" in r.needs)
REPORT_RULES = tuple(r.check for r in RULES if r.scope == "report" and r.check is not None)
PAIR_RULES = tuple(r.check for r in RULES if r.scope == "pair" and r.check is not None)


def needs(codes: list[str] | None = None) -> frozenset[str]:
    """The data the rules for ``codes`` (default: every rule) need."""
    return frozenset().union(*(r.needs for r in RULES if codes is None or r.code in codes))


def years_back(codes: list[str] | None = None) -> int:
    """How many previous years a run limited by year must load as well (for the pair rules)."""
    return 1 if "previous_report" in needs(codes) else 0


def judge_report(subject: rules.Subject) -> list[Draft]:
    """Every report rule on one report, in the table's order."""
    return [d for check in REPORT_RULES for d in check(subject)]


def judge_pair(cur: across.ReportRef, prev: across.ReportRef) -> list[Draft]:
    return [d for check in PAIR_RULES for d in check(cur, prev)]


def describe() -> list[dict[str, Any]]:
    """The table as plain data (for the docs and the tests)."""
    return [{"code": r.code, "severity": r.severity, "scope": r.scope, "needs": sorted(r.needs)} for r in RULES]
