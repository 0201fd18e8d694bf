"""The sample government web: which agencies, sites, reports and noise exist, and the
ground truth the tests, the benchmark and ``make demo`` check against.

Everything is generated from a seed, so two builds are identical.  ``phase`` 2 is the
same web some weeks later: one report edited, one removed, one newly posted with a
back-dated page date.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sampleweb.reports import make_tables

FAMILIES = ("trs", "hanweb", "vsb", "gkmlpt", "generic")
TLD = "gov.cn.test"  # RFC 2606 reserved: never resolvable outside the sample web


@dataclass(slots=True)
class SampleReport:
    agency_id: str
    year: int
    title: str
    published: date | None  # None: never published
    fmt: str = "html"  # html | pdf | docx | xlsx | doc | wps | xls | et | image
    tables: dict[str, Any] | None = None
    real_file: str | None = None  # a bundled real report used as the attachment
    edited_in_phase2: bool = False
    removed_in_phase2: bool = False
    appears_in_phase: int = 1
    displayed: date | None = None  # page date when it differs from the real one (back-dated)
    ident: int = 0
    flags: set[str] = field(default_factory=set)  # seeded content cases
    on_failed_page: bool = False  # listed only on a column page that always fails (set when rendered)


@dataclass(slots=True)
class SampleSite:
    agency_id: str
    name: str
    kind: str
    host: str
    family: str
    charset: str = "utf-8"
    state: str = "ok"  # ok | dead | slow | waf
    parent: str | None = None
    region: str | None = None
    reports: list[SampleReport] = field(default_factory=list)
    noise: list[tuple[str, date]] = field(default_factory=list)
    column_in_nav: bool = True  # False: the 年报 column is only reachable via sitemap.xml
    column_id: int = 100
    per_page: int = 5
    failing_pages: tuple[int, ...] = ()  # list pages (1-based) that always answer HTTP 500
    column_hidden: bool = False  # no 年报 column anywhere: the report pages exist but nothing links them
    foreign: list[SampleReport] = field(default_factory=list)  # another agency's reports, the only column here
    pubdate_reset: date | None = None  # a CMS migration set every page's PubDate meta to this day

    @property
    def base(self) -> str:
        return f"http://{self.host}/"


NOISE_TITLES = ["{y}年政府工作报告", "{name}{y}年法治政府建设年度报告", "{name}{y}年部门预算公开",
                "关于做好{y}年政府信息公开工作年度报告编制工作的通知", "{name}召开{y}年度工作会议",
                "图解：{name}{y}年政府信息公开工作年度报告", "{name}{y}年度部门决算"]

# The demo/test web: each row exercises families and cases (see ground truth).
DEMO_AGENCIES: list[dict[str, Any]] = [
    {"id": "huaian-szf", "name": "淮安市人民政府", "kind": "government", "family": "trs", "charset": "gbk",
     "region": "320800", "years": {2021: "03-20", 2022: "03-25:template2019", 2023: "03-28:nosection5",
                                   2024: "real:huaian-szf-2024-pdf"}},
    {"id": "hongze-qzf", "name": "淮安市洪泽区人民政府", "kind": "government", "family": "hanweb", "parent": "huaian-szf",
     "years": {2021: "03-15", 2022: None, 2023: "real:hongze-qzf-2023-pdf", 2024: "real:hongze-qzf-2024-pdf"}},
    {"id": "xinzhou-kjj", "name": "忻州市科学技术局", "kind": "department", "family": "vsb",
     "years": {2020: "02-05", 2021: "01-20", 2022: "01-28:docx", 2023: "01-18:unbalanced", 2024: "01-26:xlsx"}},
    {"id": "luoyang-kjj", "name": "洛阳市科学技术局", "kind": "department", "family": "gkmlpt",
     "years": {2020: "01-22", 2021: "01-25", 2022: "01-30:copied", 2023: "01-29:edited", 2024: "02-20"}},
    {"id": "zibo-kjj", "name": "淄博市科学技术局", "kind": "department", "family": "generic",
     "years": {2021: "01-27:removed", 2022: "01-21:doc", 2023: "01-24:wps", 2024: "01-23"}},
    {"id": "puyang-kjj", "name": "濮阳市科学技术局", "kind": "department", "family": "trs", "charset": "gbk-declared-utf8",
     "years": {2022: "01-31:image", 2023: "01-19:xls", 2024: "backdated:01-25"}},
    {"id": "shanggao-kjj", "name": "上高县科技局", "kind": "department", "family": "generic", "nav": False,
     "years": {2020: "01-31", 2023: "01-30:et", 2024: "01-29"}},
    {"id": "dead-daj", "name": "某某县档案局", "kind": "department", "family": "trs", "state": "dead", "years": {2024: "01-20"}},
    {"id": "slow-tjj", "name": "某某县统计局", "kind": "department", "family": "generic", "state": "slow", "years": {2024: "01-20"}},
    {"id": "waf-sfj", "name": "某某县司法局", "kind": "department", "family": "vsb", "state": "waf", "years": {2024: "01-20"}},
    {"id": "anfeng-zhen", "name": "某某县安丰镇人民政府", "kind": "township", "family": "hanweb", "region": "320831",
     "years": {2022: "02-10:coverletter", 2023: "02-18", 2024: "02-25"}},
    # issue 8: what the crawler cannot prove must not become an accusation
    {"id": "gaoyou-kjj", "name": "高邮市科学技术局", "kind": "department", "family": "trs", "failing_pages": (3,),
     "per_page": 4, "years": {2019: "01-25", 2020: "01-22", 2021: "01-26", 2022: "01-20", 2023: None, 2024: "01-24"}},
    {"id": "suining-kjj", "name": "睢宁县科学技术局", "kind": "department", "family": "vsb", "hidden": True,
     "years": {2023: "01-18", 2024: "01-22"}},
    {"id": "chengguan-zhen", "name": "某某县城关镇人民政府", "kind": "township", "family": "trs", "region": "320831",
     "foreign": ("某某县人民政府", {2023: "03-20", 2024: "03-18"}), "years": {2023: None, 2024: None}},
    {"id": "siyang-kjj", "name": "泗阳县科学技术局", "kind": "department", "family": "trs", "pubdate_reset": "2025-04-16",
     "years": {2022: "01-20", 2023: "01-22", 2024: "01-24"}},
]
_FORMAT_FIXTURES = {"doc": "huaian-2024.doc", "wps": "huaian-2024.wps", "xls": "huaian-2024.xls",
                    "et": "huaian-2024.et", "image": "hongze-2023-tables.png"}


def _host(agency_id: str) -> str:
    return f"{agency_id.replace('_', '-')}.{TLD}"


def _parse_spec(spec: str | None, year: int) -> tuple[date | None, str, set[str], str | None, date | None]:
    """'01-28:docx' -> (date, fmt, flags, real sample, displayed date)."""
    if spec is None:
        return None, "html", set(), None, None
    if spec.startswith("real:"):
        return None, "pdf", {"real"}, spec[5:], None
    parts = spec.split(":")
    flags = {p for p in parts if not p[:1].isdigit()}
    mmdd = next(p for p in parts if p[:1].isdigit())
    month, day = (int(x) for x in mmdd.split("-"))
    fmt = next((f for f in flags if f in ("docx", "xlsx", "doc", "wps", "xls", "et", "image")), "html")
    displayed = None
    if "backdated" in flags:
        displayed = date(year + 1, 1, 15)
    return date(year + 1, month, day), fmt, flags, None, displayed


REAL_DATES = {"huaian-szf-2024-pdf": date(2025, 3, 20), "hongze-qzf-2023-pdf": date(2024, 3, 22),
              "hongze-qzf-2024-pdf": date(2025, 3, 25)}


def _seed_content(report: SampleReport, earlier: list[SampleReport], rng: random.Random) -> None:
    """Content cases the monitor must find (see expected_findings)."""
    t = report.tables
    if t is None:
        return
    if "unbalanced" in report.flags:  # R1 fails in the 自然人 column
        t["requests"]["carried_forward"]["natural_person"] += 2
        t["requests"]["carried_forward"]["total"] += 2
    if "copied" in report.flags and earlier:  # the previous year's tables, unchanged
        prev = earlier[-1].tables
        if prev and prev["layout"] == t["layout"]:
            report.tables = json.loads(json.dumps(prev))
    if "template2019" in report.flags:  # a 2022 report on the 2019 template
        report.tables = make_tables(rng, 2020)


def demo_sites(seed: int = 7) -> list[SampleSite]:
    """The bundled demo web (11 agencies, all families and cases)."""
    rng = random.Random(seed)
    sites: list[SampleSite] = []
    ident = 1000
    for n, a in enumerate(DEMO_AGENCIES):
        site = SampleSite(a["id"], a["name"], a["kind"], _host(a["id"]), a["family"], a.get("charset", "utf-8"),
                          a.get("state", "ok"), a.get("parent"), a.get("region"), column_in_nav=a.get("nav", True),
                          column_id=100 + n, per_page=a.get("per_page", 3), failing_pages=a.get("failing_pages", ()),
                          column_hidden=a.get("hidden", False),
                          pubdate_reset=date.fromisoformat(a["pubdate_reset"]) if "pubdate_reset" in a else None)
        for year, spec in a["years"].items():
            ident += 1
            published, fmt, flags, real, displayed = _parse_spec(spec, year)
            title = f"{a['name']}{year}年政府信息公开工作年度报告"
            if real:
                published = REAL_DATES[real]
            prev = next((r.tables for r in reversed(site.reports) if r.tables and r.year == year - 1), None)
            report = SampleReport(a["id"], year, title, published, fmt, None if real else make_tables(rng, year, prev),
                                  real_file=real, edited_in_phase2="edited" in flags,
                                  removed_in_phase2="removed" in flags,
                                  appears_in_phase=2 if "backdated" in flags else 1, displayed=displayed, ident=ident,
                                  flags=flags)
            if fmt in _FORMAT_FIXTURES:
                report.real_file = _FORMAT_FIXTURES[fmt]
            _seed_content(report, site.reports, rng)
            site.reports.append(report)
        if "foreign" in a:
            other, years = a["foreign"]
            for year, spec in years.items():
                ident += 1
                published, *_ = _parse_spec(spec, year)
                site.foreign.append(SampleReport(a["id"], year, f"{other}{year}年政府信息公开工作年度报告", published,
                                                 tables=make_tables(rng, year), ident=ident, flags={"foreign"}))
        for k, t in enumerate(NOISE_TITLES[: 3 + n % 4]):
            y = 2021 + (k % 4)
            site.noise.append((t.format(y=y, name=a["name"]), date(y, 1 + (k * 3) % 12, 10 + k)))
        _mark_failed_pages(site)
        sites.append(site)
    return sites


def column_order(site: SampleSite, phase: int = 1) -> list[tuple[date, str, SampleReport | None]]:
    """The column's entries newest first, as the list pages show them (render.py paginates this)."""
    entries: list[tuple[date, str, SampleReport | None]] = []
    for r in [*site.reports, *site.foreign]:
        if r.published is None or r.appears_in_phase > phase or (r.removed_in_phase2 and phase >= 2):
            continue
        entries.append((r.displayed or r.published, r.title, r))
    entries += [(day, title, None) for title, day in site.noise]
    return sorted(entries, key=lambda e: (e[0], e[1]), reverse=True)


def _mark_failed_pages(site: SampleSite) -> None:
    for i, (_, _, r) in enumerate(column_order(site)):
        if r is not None and i // site.per_page + 1 in site.failing_pages:
            r.on_failed_page = True


def bulk_sites(count: int, seed: int = 11) -> list[SampleSite]:
    """A large web for the benchmark: ``count`` agencies, HTML reports 2021-2024."""
    rng = random.Random(seed)
    sites = []
    for n in range(count):
        aid = f"bulk-{n:04d}"
        site = SampleSite(aid, f"第{n}号县某某局", "department", _host(aid), FAMILIES[n % len(FAMILIES)],
                          column_id=100 + n % 900, per_page=5)
        for year in range(2021, 2025):
            prev = site.reports[-1].tables if site.reports else None
            site.reports.append(SampleReport(aid, year, f"{site.name}{year}年政府信息公开工作年度报告",
                                             date(year + 1, 1, 10 + rng.randrange(18)), "html",
                                             make_tables(rng, year, prev), ident=10_000 + n * 10 + year % 10))
        for k, t in enumerate(NOISE_TITLES[:3]):
            site.noise.append((t.format(y=2023, name=site.name), date(2023, 3 + k, 5)))
        sites.append(site)
    return sites


REGIONAL_RULES = {"3208": {"township": "02-20"}}  # a city's rule for its 乡镇/街道


def registry_yaml(sites: list[SampleSite]) -> str:
    """The agency registry (spec/interfaces.md) for a sample web."""
    lines = ["# The bundled sample government web (generated; hosts resolve only through its proxy)",
             "defaults:", "  trusted_hosts: [gov.cn.test]  # the test webs' domain, a government one here",
             "  regions:"]
    lines += [f'    "{code}": {{{", ".join(f"{k}: {v!r}" for k, v in rules.items())}}}' for code, rules in REGIONAL_RULES.items()]
    lines.append("agencies:")
    for s in sites:
        lines += [f"  - id: {s.agency_id}", f"    name: {s.name}", f"    kind: {s.kind}", f"    site: {s.base}"]
        if s.reports:
            lines.append(f"    since: {min(r.year for r in s.reports)}")
        if s.region:
            lines.append(f'    region: "{s.region}"')
        if s.parent:
            lines.append(f"    parent: {s.parent}")
    return "\n".join(lines) + "\n"


SAMPLE_YEARS = tuple(range(2019, 2025))  # the report years the sample web is about (all long due)


def true_status(site: SampleSite, year: int, phase: int) -> str:
    """What really happened on the sample web: published (on time), late or missing.

    Reachability plays no part: an agency whose site is down still published what it did.
    """
    report = next((r for r in site.reports if r.year == year and r.published and r.appears_in_phase <= phase), None)
    if report is None or report.published is None or "coverletter" in report.flags:
        return "missing"  # a cover letter under the report's title is not the report
    if report.appears_in_phase > 1:
        return "late"  # posted after a crawl that read the whole column, with a back-dated page
    return "late" if report.published > statutory_deadline(site, year) else "published"


def statutory_deadline(site: SampleSite, year: int) -> date:
    """The deadline of the sample web's agencies, written out from spec/annual-report.md §1
    (not computed by monitor.deadlines, which the tests check against this): 部门 1月31日,
    政府 and 乡镇 3月31日 of the next year; 3月31日 for everyone up to the 2018 report; the
    sample city's own rule for its 乡镇 (:data:`REGIONAL_RULES`, region 3208): 2月20日."""
    if year <= 2018:
        return date(year + 1, 3, 31)
    if site.kind == "township" and (site.region or "").startswith("3208"):
        return date(year + 1, 2, 20)
    return date(year + 1, 1, 31) if site.kind == "department" else date(year + 1, 3, 31)


def expected_status(site: SampleSite, year: int, phase: int) -> str:
    """The audit status the monitor must give this agency-year under "no accusation without
    proof" (spec/findings.md): MISSING only where the crawl could read the agency's own
    column to its end; NOT_FOUND where it could not (a list page fails, no column, only
    another agency's column) or where the page titled as the report is something else."""
    if site.state != "ok":
        return "unreachable"
    truth = true_status(site, year, phase)
    report = next((r for r in site.reports if r.year == year and r.published and r.appears_in_phase <= phase), None)
    if report is not None and "coverletter" in report.flags:
        return "not_found"
    if site.column_hidden or site.foreign and not any(r.published for r in site.reports):
        return "not_found"
    if report is None:
        return "not_found" if site.failing_pages else "missing"
    if report.on_failed_page:
        return "not_found"
    if truth == "late" and report.appears_in_phase > 1:
        return "late"
    return truth


def expected_findings(sites: list[SampleSite], phase: int) -> set[tuple[str, int, str]]:
    """(agency, year, code) the monitor must report on the sample web."""
    out: set[tuple[str, int, str]] = set()
    for s in sites:
        years = range(min(r.year for r in s.reports), 2025) if s.reports else range(0)
        for y in years:
            status = expected_status(s, y, phase)
            if status in ("missing", "late", "unreachable", "not_found"):
                out.add((s.agency_id, y, status.upper()))
            if status == "not_found" and any(r.year == y and "coverletter" in r.flags for r in s.reports):
                out.add((s.agency_id, y, "WRONG_DOCUMENT"))
        for r in s.reports:
            if r.appears_in_phase > phase or s.state != "ok":
                continue
            if r.published is None or r.on_failed_page or s.column_hidden:
                continue  # never seen: nothing about its content can be found
            if r.appears_in_phase == 2:
                out.add((s.agency_id, r.year, "BACKDATED"))
            shown = r.displayed or r.published  # the page's 发布时间, list date and URL stamp
            dates = [shown, s.pubdate_reset or shown] + ([r.published] if r.fmt == "html" else [])  # + signed (落款)
            if "coverletter" not in r.flags and (max(dates) - min(dates)).days > 7:
                out.add((s.agency_id, r.year, "DATE_CONFLICT"))
            if phase >= 2 and r.edited_in_phase2:
                out.add((s.agency_id, r.year, "EDITED"))
            if phase >= 2 and r.removed_in_phase2:
                out.add((s.agency_id, r.year, "REMOVED"))
            flag_codes = {"unbalanced": "BALANCE", "copied": "DUPLICATE_CONTENT", "template2019": "FORMAT_OUTDATED",
                          "nosection5": "SECTION_MISSING", "coverletter": "WRONG_DOCUMENT"}
            out |= {(s.agency_id, r.year, code) for flag, code in flag_codes.items() if flag in r.flags}
            if r.fmt == "image":
                out.add((s.agency_id, r.year, "TABLE_MISSING"))  # the picture holds tables 二 and 四 only
    return out
