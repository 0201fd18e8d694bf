"""From a reader's :class:`~parsing.layout.Layout` to a :class:`~parsing.model.Report`.

Format-independent: finds sections and table regions, reads the three tables, decides
the national format from the labels (and says when it disagrees with the year), and
collects title, agency, dates and the numbers stated in prose.
"""

from __future__ import annotations

from parsing import meta
from parsing.labels import SECTION_NUMERALS
from parsing.layout import Layout
from parsing.model import Report, TableResult
from parsing.tables.active import read_active
from parsing.tables.appeals import read_appeals
from parsing.tables.collapsed import (
    read_active_collapsed,
    read_appeals_collapsed,
    read_requests_collapsed,
    split_requests,
)
from parsing.tables.regions import find_regions
from parsing.tables.requests import read_requests


def format_for_year(year: int | None) -> str | None:
    """The national format a report year must use (spec/annual-report.md section 2)."""
    if year is None:
        return None
    if year <= 2018:
        return "none"
    return "2019" if year <= 2020 else "2021"


def interpret(layout: Layout) -> Report:
    """Read everything the parser reports from the rows of one document."""
    rows = layout.rows
    lines = [r.text for r in rows]
    text = "\n".join(lines)
    report = Report(source_type=layout.source_type, pages=layout.pages, text=text, page_meta=dict(layout.meta))
    report.text_chars = len(text)
    report.warnings.extend(layout.warnings)

    report.title = meta.find_title(lines, layout.title_hints)
    report.title_year = meta.title_year(report.title)
    report.statistics_period, period_year = meta.find_statistics_period(text)
    report.year = meta.guess_year(report.title, period_year, text)
    report.agency = meta.agency_from_title(report.title)
    report.signed_date = meta.find_signed_date(lines)

    regions = find_regions(rows)
    report.sections = [n for n in SECTION_NUMERALS if n in regions.headings]
    year_layout = format_for_year(report.year)
    year_layout = year_layout if year_layout in ("2019", "2021") else None

    if layout.tables:  # a collapsed dump: the tables are run-together text
        active, requests, appeals = _collapsed_tables(layout, year_layout)
    else:
        active = read_active(rows[slice(*regions.active)], year_layout) if regions.active else TableResult("active")
        label_layout = active.layout or year_layout
        requests = (read_requests(rows[slice(*regions.requests)], label_layout)
                    if regions.requests else TableResult("requests"))
        appeals = read_appeals(rows[slice(*regions.appeals)]) if regions.appeals else TableResult("appeals")
    report.tables = {"active": active, "requests": requests, "appeals": appeals}

    if layout.unreadable:
        for t in report.tables.values():
            if not t.found:
                t.status = "unreadable"

    report.format = _decide_format(report, active, requests)
    _warn(report, year_layout)

    in_tables: set[int] = set()
    for span in (regions.active, regions.requests, regions.appeals):
        if span and not layout.tables:
            in_tables.update(range(*span))
    in_tables.update(i for i, r in enumerate(rows) if layout.tables and r.table)
    prose = "\n".join(line for i, line in enumerate(lines) if i not in in_tables)
    report.prose_numbers = meta.find_prose_numbers(prose)
    return report


def _collapsed_tables(layout: Layout, year_layout: str | None) -> tuple[TableResult, TableResult, TableResult]:
    t = dict(layout.tables)
    if "requests" not in t and "active" in t:  # a dump that starts table 三 mid-way, without its heading
        t["active"], requests_text = split_requests(t["active"])
        if requests_text:
            t["requests"] = requests_text
    active = read_active_collapsed(t["active"], year_layout) if "active" in t else TableResult("active")
    requests = read_requests_collapsed(t["requests"]) if "requests" in t else TableResult("requests")
    if requests.layout is None and requests.rows:
        requests.layout = active.layout or year_layout
    appeals = read_appeals_collapsed(t["appeals"]) if "appeals" in t else TableResult("appeals")
    return active, requests, appeals


def _decide_format(report: Report, active: TableResult, requests: TableResult) -> str | None:
    """2019/2021 from the labels; "none" when no standard table; None when unknown."""
    if active.found and active.layout:
        return active.layout
    if requests.found and requests.layout == "2021":
        return "2021"
    if requests.found and requests.layout == "2019":
        return "2019"
    if any(t.status == "unreadable" for t in report.tables.values()):
        return None
    if not any(t.found for t in report.tables.values()):
        return "none" if report.text_chars else None
    return None


def _warn(report: Report, year_layout: str | None) -> None:
    w = report.warnings
    expected = format_for_year(report.year)
    if report.format in ("2019", "2021") and expected in ("2019", "2021") and report.format != expected:
        w.append(f"format {report.format} does not match report year {report.year} (expects {expected})")
    req = report.tables["requests"]
    act = report.tables["active"]
    if req.found and act.found and req.layout and act.layout and req.layout != act.layout:
        w.append(f"table 三 uses the {req.layout} row layout while table 二 uses {act.layout}")
    for t in report.tables.values():
        if t.missing_rows:
            w.append(f"table {t.name}: rows not found: {', '.join(t.missing_rows)}")
        for m in t.misaligned:
            w.append(f"table {t.name}: row {m.get('row')} misaligned ({m.get('why')}); cells kept raw, values null")
        for e in t.cell_errors:
            w.append(f"table {t.name}: cell {e['row']}/{e['column']} is not a number: {e['raw']!r}")
        if t.status == "not_found" and report.year and report.year >= 2019:
            w.append(f"table {t.name} not found")
        if t.status == "unreadable":
            w.append(f"table {t.name} unreadable ({t.reason or 'tables are images'})")
        if t.inferred:
            w.append(f"table {t.name}: {len(t.inferred)} row(s) split from run-together digits by the identities")
    if report.year is None:
        w.append("report year not found")
    if report.title is None:
        w.append("title not found")
    if report.title_year and report.statistics_period and report.year and report.title_year != report.year:
        w.append(f"title year {report.title_year} differs from the statistics period")
    missing = [n for n in SECTION_NUMERALS if n not in report.sections]
    if missing and report.text_chars:
        w.append(f"sections not found: {'、'.join(missing)}")
