"""Every finding rule of the registry on small written-down reports, one table row per case.

Each case starts from a clean 2023 report (every rule holds), changes what the case is
about, and states the complete set of (code, detail) every report rule then gives: a rule
that fires where it should not fails the case as surely as one that stays quiet.  The
publication rules (MISSING ... REMOVED) are decided together by ``compliance.assess`` and
pinned case by case in test_verdicts.py; the registry test below makes sure no rule is
added without a row here or there.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from monitor import across, registry, rules
from parsing.labels import REQUEST_COLUMNS, REQUEST_ROWS
from parsing.model import Report

WHO = "某某局2023年年度报告"
APPLICANTS = REQUEST_COLUMNS[:-1]


def _row(natural_person: int) -> dict[str, int]:
    return {**dict.fromkeys(APPLICANTS, 0), "natural_person": natural_person, "total": natural_person}


def clean() -> dict[str, Any]:
    """5 new + 1 carried over = 5 granted + 1 carried forward; everything else 0."""
    rows = {r.key: _row(0) for r in REQUEST_ROWS}
    rows.update(new_received=_row(5), carried_over=_row(1), granted=_row(5), total=_row(5), carried_forward=_row(1))
    appeals = {g: {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
               for g in ("review", "litigation_direct", "litigation_after_review")}
    active = {"regulations": {"issued": 1, "repealed": 0, "in_force": 11},
              "normative_documents": {"issued": 2, "repealed": 1, "in_force": 21}}
    return {"title": "某某局2023年政府信息公开工作年度报告", "year": 2023, "format": "2021", "title_year": 2023,
            "statistics_period": "2023年1月1日至12月31日", "sections": list("一二三四五六"),
            "tables": {"active": {"layout": "2021", "rows": active, "extra": []},
                       "requests": {"layout": "2021", "rows": rows}, "appeals": appeals},
            "table_status": {"active": "ok", "requests": "ok", "appeals": "ok"}, "table_details": {},
            "prose_numbers": [{"key": "requests.new_received.total", "value": 5, "sentence": "共收到申请5件"}]}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(r: dict[str, Any]) -> None:
        *head, last = path.split("/")
        node: Any = r
        for k in head:
            node = node[int(k)] if k.isdigit() else node[k]
        node[int(last) if last.isdigit() else last] = value
    return change


def _both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(r: dict[str, Any]) -> None:
        for c in changes:
            c(r)
    return change


REQ = "tables/requests/rows"
CASES: list[tuple[str, str, Callable[[dict[str, Any]], None], set[tuple[str, str]]]] = [
    ("clean", "every rule holds", lambda r: None, set()),
    ("BALANCE", "one more carried forward, in the row and its total",
     _both(_set(f"{REQ}/carried_forward/natural_person", 2), _set(f"{REQ}/carried_forward/total", 2)),
     {("BALANCE", "natural_person"), ("BALANCE", "total")}),
    ("OUTCOME_TOTAL", "the outcome total one short", _both(_set(f"{REQ}/total/natural_person", 4), _set(f"{REQ}/total/total", 4)),
     {("OUTCOME_TOTAL", "natural_person"), ("OUTCOME_TOTAL", "total"),
      ("BALANCE", "natural_person"), ("BALANCE", "total")}),  # 5 + 1 = 4 + 1 fails too
    ("APPLICANT_TOTAL", "a row's total is not the sum of its columns", _set(f"{REQ}/granted/total", 6),
     {("APPLICANT_TOTAL", "granted"), ("OUTCOME_TOTAL", "total")}),  # the leaves of 总计 now sum to 6
    ("APPEAL_TOTAL", "review: 1 upheld, total 2", _set("tables/appeals/review/total", 2), {("APPEAL_TOTAL", "review")}),
    ("BAD_VALUE", "a negative count", _set("tables/active/rows/regulations/issued", -1), {("BAD_VALUE", "active.regulations.issued")}),
    ("BAD_VALUE", "a fractional count", _set("tables/appeals/review/pending", 0.5),
     {("BAD_VALUE", "appeals.review.pending"), ("APPEAL_TOTAL", "review")}),
    ("BAD_VALUE", "a cell the parser could not read",
     _set("table_details", {"requests": {"cell_errors": [{"row": "granted", "column": "total", "raw": "五"}]}}),
     {("BAD_VALUE", "requests.granted.total")}),
    ("FORMAT_OUTDATED", "a 2023 report on the 2019 template", _set("format", "2019"), {("FORMAT_OUTDATED", "")}),
    ("SECTION_MISSING", "no part 五", _set("sections", list("一二三四六")), {("SECTION_MISSING", "")}),
    ("TABLE_MISSING", "table 四 only as a picture",
     _both(_set("tables/appeals", None), _set("table_status/appeals", "unreadable")), {("TABLE_MISSING", "")}),
    ("TABLE_INCOMPLETE", "a blank cell: R3 of that row not assessable, not a failure", _set(f"{REQ}/granted/research", None),
     {("TABLE_INCOMPLETE", "")}),
    ("PROSE_MISMATCH", "the text says 7 received, the table 5", _set("prose_numbers/0/value", 7),
     {("PROSE_MISMATCH", "requests.new_received.total")}),
    ("YEAR_MISMATCH", "the title says 2022", _set("title_year", 2022), {("YEAR_MISMATCH", "")}),
    ("YEAR_MISMATCH", "the statistics period says 2022", _set("statistics_period", "2022年度"), {("YEAR_MISMATCH", "")}),
]


@pytest.mark.parametrize(("code", "case", "change", "expected"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_report_rules(code: str, case: str, change: Callable[[dict[str, Any]], None],
                      expected: set[tuple[str, str]]) -> None:
    report = clean()
    change(report)
    drafts = registry.judge_report(rules.Subject(Report.from_json(report), 2023, WHO))
    assert {(d.code, d.detail) for d in drafts} == expected
    assert all(d.message.startswith(WHO) for d in drafts)


def test_a_blank_cell_is_listed_as_not_assessable() -> None:
    report = clean()
    report["tables"]["requests"]["rows"]["granted"]["research"] = None
    (draft,) = rules.table_incomplete(rules.Subject(Report.from_json(report), 2023, WHO))
    assert draft.evidence["rules_not_assessable"] == ["R2 research", "R3 granted"]  # R1 does not read 予以公开
    assert draft.evidence["tables"]["requests"]["blank_cells"] == ["granted/research"]


PREVIOUS = clean()
PAIRS: list[tuple[str, Callable[[dict[str, Any]], None], set[tuple[str, str]]]] = [
    ("consistent years", lambda r: None, set()),
    ("上年结转 is not last year's 结转下年度", _set(f"{REQ}/carried_forward/total", 3), {("CARRYOVER_MISMATCH", "")}),
    ("in force 11 + 1 issued - 0 repealed should be 12", _set("tables/active/rows/regulations/in_force", 11),
     {("IN_FORCE_DRIFT", "regulations")}),
]


@pytest.mark.parametrize(("case", "change_previous", "expected"), PAIRS, ids=[p[0] for p in PAIRS])
def test_pair_rules(case: str, change_previous: Callable[[dict[str, Any]], None], expected: set[tuple[str, str]]) -> None:
    prev = clean()
    prev["tables"]["requests"]["rows"]["carried_forward"] = _row(1)
    prev["tables"]["active"]["rows"] = {"regulations": {"issued": 0, "repealed": 0, "in_force": 10},
                                        "normative_documents": {"issued": 0, "repealed": 0, "in_force": 20}}
    change_previous(prev)
    cur = across.ReportRef("a", "某某局", 2023, "http://a.gov.cn/2023", clean(), "")
    before = across.ReportRef("a", "某某局", 2022, "http://a.gov.cn/2022", prev, "")
    assert {(d.code, d.detail) for d in registry.judge_pair(cur, before)} == expected


DOCUMENTS: list[tuple[str, dict[str, Any] | None, set[str]]] = [
    ("a report", clean(), set()),
    ("nothing parsable", None, {"WRONG_DOCUMENT"}),
    ("a notice: two sections, no table",
     {"sections": ["一", "二"], "tables": {"active": None, "requests": None, "appeals": None}}, {"WRONG_DOCUMENT"}),
    ("tables as pictures are a report still",
     {"sections": [], "tables": {}, "table_status": {"active": "unreadable"}}, set()),
]


@pytest.mark.parametrize(("case", "report", "expected"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_wrong_document(case: str, report: dict[str, Any] | None, expected: set[str]) -> None:
    assert {d.code for d in rules.wrong_document(copy.deepcopy(report), WHO, "标题")} == expected


HOSTS: list[tuple[str, set[str], tuple[str, ...], set[str]]] = [
    ("the agency's own host", {"www.a.com"}, (), set()),
    ("a government host", {"www.js.gov.cn"}, (), set()),
    ("a trusted host", {"news.example.org"}, ("example.org",), set()),
    ("only a portal outside government", {"news.example.org"}, (), {"NON_GOV_HOST"}),
    ("one copy at home is enough", {"news.example.org", "www.a.com"}, (), set()),
]


@pytest.mark.parametrize(("case", "hosts", "trusted", "expected"), HOSTS, ids=[h[0] for h in HOSTS])
def test_non_gov_host(case: str, hosts: set[str], trusted: tuple[str, ...], expected: set[str]) -> None:
    drafts = registry.non_gov_host(hosts, {"www.a.com"}, trusted, WHO)
    assert {d.code for d in drafts} == expected


def test_duplicates() -> None:
    text = "。".join(f"第{i}句话说明本机关一些具体的工作情况" for i in range(12))
    prints = [across.fingerprint(across.ReportRef(a, a, 2023, f"http://{a}.gov.cn/", clean(), t))
              for a, t in (("a", text), ("b", text), ("c", "另一份报告。" * 3))]
    found = across.duplicates(prints)
    # b copies a (text and tables); c shares a's tables, which are enough on their own
    assert {i: sorted((d.code, d.detail) for d in ds) for i, ds in found.items()} == {
        1: [("DUPLICATE_CONTENT", "a:2023")], 2: [("DUPLICATE_CONTENT", "a:2023"), ("DUPLICATE_CONTENT", "b:2023")]}


def test_every_rule_has_cases_and_says_what_it_needs() -> None:
    tested = {c[0] for c in CASES if c[0] != "clean"} | {code for p in PAIRS for code, _ in p[2]} | {"WRONG_DOCUMENT", "NON_GOV_HOST",
                                                                                 "DUPLICATE_CONTENT"}
    publication = {r.code for r in registry.RULES if r.scope == "publication"}  # test_verdicts.py
    assert {r.code for r in registry.RULES} == tested | publication
    assert all(r.needs <= set(registry.DATA) and r.severity in ("error", "warning", "info") for r in registry.RULES)
    assert registry.ACROSS_ALL_CODES == ("DUPLICATE_CONTENT",) and registry.years_back() == 1


def test_the_report_reader_round_trips_the_parsers_json() -> None:
    report = Report.from_json(clean())
    again = Report.from_json({**clean(), "tables": report.tables_json()})
    assert again.tables_json() == report.tables_json() == clean()["tables"]
    assert report.tables["appeals"].rows["review"]["total"] == 1 and report.prose_numbers[0].value == 5
