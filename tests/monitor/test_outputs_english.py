"""No English phrase of the program's own reaches a Chinese output.

Covers every rule message (a report built to break every rule), every template (the digest
with every group), and every output a person reads (CSV, XLSX, HTML, the notice, the
dataset's notes, the CLI's lines).  Ids, URLs, file names, option names and finding codes
are not phrases and are removed first; nothing else is excused.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from crawler.cli import main
from monitor import across, audit, rules
from monitor.digest import render
from parsing.labels import OUTCOME_KEYS
from tests.monitor.outputs_data import AS_OF, YEAR, build_world, contract_rows

IDS = {"nobody", "hongze", "huaian", "hongze-jyj", "hongze-dead", "hongze-fresh", "x-wjw", "x-sfj"}
NOT_PHRASES = [
    r"`[^`]*`", r"(?:https?|file)://\S+", r"[\w.+-]+@[\w.-]+", r"(?<![A-Za-z0-9])/[\w./-]+", r"--[a-z][\w-]*(?: [a-z]+\b)?",
    r"\S*\.(?:csv|xlsx|html|htm|json|parquet|docx|pdf|txt|eml|md|db|py)\b", r"YYYY-MM-DD", r"\b[A-Z][A-Z0-9_]{2,}\b",
    r"\bnianbao(?: [a-z]+)?\b", r"\bSHA-256\b",
]

def english(text: str) -> list[str]:
    """The English phrases left in ``text`` once ids, URLs and codes are removed."""
    for pattern in NOT_PHRASES:
        text = re.sub(pattern, " ", text)
    for i in sorted(IDS, key=len, reverse=True):
        text = re.sub(rf"(?<![A-Za-z0-9-]){re.escape(i)}(?![A-Za-z0-9-])", " ", text)
    return re.findall(r"[A-Za-z]{2,}(?:[ :/-]+[A-Za-z]{2,})*", text)


def test_the_detector_finds_english() -> None:
    assert english("表三（identical tables，相似度100%）") == ["identical tables"]
    assert english("自2025-04-10起网站无法访问（timed out）") == ["timed out"]
    assert english("见 http://a.gov.cn/x?y=abc 与 hongze-jyj、BALANCE，--year，a.xlsx") == []


# ---------------------------------------------------------------- every rule message

BROKEN = {
    "format": "2019", "sections": ["一", "二"], "title_year": 2023, "statistics_period": "2023年1月1日至12月31日",
    "table_status": {"active": "ok", "requests": "ok", "appeals": "unreadable"},
    "tables": {
        "requests": {"layout": "2021", "rows": {
            "new_received": {"natural_person": 5, "commercial": 1, "research": 0, "social_welfare": 0, "legal_services": 0,
                             "other_org": 0, "total": 9},
            "carried_over": {"total": 1}, "granted": {"total": 3}, "total": {"total": 4}, "carried_forward": {"total": 2}}},
        "appeals": {"review": {"upheld": 1, "corrected": 1, "other": 0, "pending": 0, "total": 5}},
        "active": {"layout": "2021", "rows": {"regulations": {"issued": -1, "repealed": 0, "in_force": 10},
                                              "normative_documents": {"issued": 1.5, "repealed": None, "in_force": 3}}},
    },
    "table_details": {"requests": {"missing_rows": ["withdrawn"], "misaligned": [{"row": "granted"}],
                                   "cell_errors": [{"row": "granted", "column": "total", "raw": "三"}]}},
    "prose_numbers": [{"key": "requests.new_received.total", "value": 7, "sentence": "共收到申请7件"}],
}
for _leaf in OUTCOME_KEYS["2021"]:  # every outcome filled, so that R2 (sum of outcomes = 总计) is assessed
    BROKEN["tables"]["requests"]["rows"].setdefault(_leaf, {"total": 0})
PREVIOUS = {"tables": {"requests": {"layout": "2021", "rows": {"carried_forward": {"total": 9}}},
                       "active": {"layout": "2021", "rows": {"regulations": {"in_force": 2}}}}}


def rule_messages() -> list[str]:
    who = "某某局2024年年度报告"
    drafts, na = rules.arithmetic(BROKEN, who)
    drafts += rules.content(BROKEN, 2024, who, na)
    cur = across.ReportRef("a", "某某局", 2024, "http://a.gov.cn/2024", BROKEN, "")
    prev = across.ReportRef("a", "某某局", 2023, "http://a.gov.cn/2023", PREVIOUS, "")
    drafts += across.carryover(cur, prev) + across.in_force_drift(cur, prev)
    text = "。".join(f"第{i}句话说明一些具体的情况并且足够长" for i in range(12))
    prints = [across.fingerprint(across.ReportRef(a, n, 2024, f"http://{a}.gov.cn/", BROKEN, text))
              for a, n in (("a", "某某局"), ("b", "某某委"))]
    prints[1].tables = prints[0].tables = "same"
    for ds in across.duplicates(prints).values():
        drafts += ds
    codes = {d.code for d in drafts}
    assert codes >= {"BALANCE", "OUTCOME_TOTAL", "APPLICANT_TOTAL", "APPEAL_TOTAL", "BAD_VALUE", "FORMAT_OUTDATED",
                     "SECTION_MISSING", "TABLE_MISSING", "TABLE_INCOMPLETE", "PROSE_MISMATCH", "YEAR_MISMATCH",
                     "CARRYOVER_MISMATCH", "IN_FORCE_DRIFT", "DUPLICATE_CONTENT"}, codes
    return [d.message for d in drafts]


def test_every_rule_message_is_chinese() -> None:
    bad = {m: english(m) for m in rule_messages() if english(m)}
    assert bad == {}


def test_every_finding_code_has_a_chinese_name() -> None:
    from monitor.exports.labels import CODE_LABELS
    from monitor.registry import SEVERITY

    assert set(SEVERITY) <= set(CODE_LABELS)
    assert all(not english(v) for v in CODE_LABELS.values())


# ---------------------------------------------------------------- every template and output


def _digest_data() -> dict:
    line = {"agency": "a", "name": "某某局", "year": 2024, "text": "某某局2024年年度报告逾期发布", "due": "2025年度报告须于2026-01-31前发布",
            "links": [{"label": "报告", "url": "http://a.gov.cn/nb.html"}]}
    groups = [{"key": k, "title": t, "lines": [{**line, "name": f"某某局{n}"}]}
              for n, (k, t) in enumerate(__import__("monitor.digest", fromlist=["GROUPS"]).GROUPS)]
    return {"since": "2025-01-01", "as_of": "2025-01-07", "period": "2025-W02", "scope": "全部机关", "agencies": 3,
            "audit_year": 2024, "time_note": "时间均为北京时间", "groups": groups, "new_reports": [{}],
            "new_findings": {"error": [{}], "warning": [], "info": []}, "resolved": [{}],
            "upcoming": [{"agency": "b", "name": "某某委", "deadline": "2025-01-31", "rule": "依据《条例》第四十九条"}],
            "audit_counts": {s: 1 for s in ("missing", "late", "not_found", "unreachable", "published", "not_due", "unchecked")},
            "audit_rows": [], "changed": True}


def _visible(html_text: str) -> str:
    from lxml import html as lhtml

    tree = lhtml.fromstring(html_text)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(tree.itertext())


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every human-readable output, as text, keyed by where it came from."""
    import docx
    import openpyxl

    from crawler.cli import audit_list
    from monitor.notice import NoticeScope, build_notice

    d = tmp_path_factory.mktemp("english")
    url = build_world(d)
    out: dict[str, str] = {}
    runner = CliRunner()
    out["cli check"] = runner.invoke(main, ["check", "--db", url, "--as-of", AS_OF.isoformat()]).output
    out["cli reports"] = runner.invoke(main, ["reports", "--db", url]).output
    rows = audit_list(url, [YEAR], AS_OF, False) + contract_rows()
    out["csv"] = audit.to_csv(rows).decode("utf-8-sig")
    wb = openpyxl.load_workbook(io.BytesIO(audit.to_xlsx(rows)))
    out["xlsx"] = "\n".join(str(c.value) for ws in wb for r in ws.iter_rows() for c in r if c.value is not None)
    out["xlsx footer"] = wb.worksheets[0].oddFooter.center.text
    out["html"] = _visible(audit.to_html(rows, "2024年度政府信息公开工作年度报告发布情况"))
    doc = docx.Document(io.BytesIO(build_notice(rows, NoticeScope(YEAR, AS_OF))))
    out["notice"] = "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for c in t._cells]
                              + [p.text for p in doc.sections[0].footer.paragraphs])
    subject, text, page = render(_digest_data())
    out["digest template"] = subject + text + _visible(page)
    for args in (["audit", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "-o", str(d / "a.xlsx")],
                 ["notice", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "-o", str(d / "n.docx")],
                 ["export", "--format", "csv", "-o", str(d / "ds"), "--as-of", AS_OF.isoformat()]):
        out["cli " + args[0]] = runner.invoke(main, [*args, "--db", url]).output
    out["cli digest"] = runner.invoke(main, ["digest", "--db", url, "--since", "2025-01-01", "--to", "x@y.gov.cn",
                                             "-o", str(d / "d.html")]).output.split(" (to ")[0]
    out["digest"] = _visible((d / "d.html").read_text(encoding="utf-8"))
    out["dataset README"] = "\n".join(ln.split("|")[3] if ln.startswith("| ") else ln
                                      for ln in (d / "ds" / "README.md").read_text(encoding="utf-8").splitlines()
                                      if not ln.startswith("#") and not ln.startswith("|---") and not ln.startswith("| 列"))
    notes = list(csv.DictReader(io.StringIO((d / "ds" / "columns.csv").read_text(encoding="utf-8-sig"))))
    out["dataset columns"] = "\n".join(n["description"] for n in notes)
    errors = [["audit", "--year", "2024", "--db", f"sqlite:///{d}/none.db"],
              ["audit", "--year", "2024", "--db", url, "-o", str(d / "a.txt")],
              ["audit", "--year", "2024", "--db", url, "--format", "csv", "-o", str(d / "a.xlsx")],
              ["check", "--agency", "nobody", "--db", url], ["check", "--as-of", "30/06/2025", "--db", url],
              ["dismiss", "--db", url, "--reason", "x"], ["notice", "--year", "2024", "--db", url, "-o", str(d / "n.pdf")],
              ["crawl", "--db", f"sqlite:///{d}/none.db"]]
    out["cli errors"] = "\n".join(runner.invoke(main, a).output.replace("nianbao: ", "", 1) for a in errors)
    return out


def test_no_english_phrase_reaches_a_chinese_output(outputs: dict[str, str]) -> None:
    assert all(outputs.values())
    found = {where: english(text) for where, text in outputs.items() if english(text)}
    assert found == {}, "\n".join(f"{w}: {sorted(set(v))}" for w, v in found.items())



def test_times_are_beijing_and_said_once(outputs: dict[str, str]) -> None:
    for where in ("xlsx", "html", "notice", "digest", "csv"):
        text = outputs[where]
        assert "UTC" not in text and not re.search(r"T\d\d:\d\d", text), where
    for where in ("xlsx", "html", "notice", "digest"):
        assert outputs[where].count("时间均为北京时间") == (2 if where == "xlsx" else 1), where  # xlsx: per sheet
    assert datetime(2025, 4, 20, 1, 0, tzinfo=UTC)  # huaian first seen 01:00 UTC is shown as 09:00
    assert "首次发现于2025-04-20 09:00" in outputs["csv"]


def test_the_crawlers_reasons_are_chinese() -> None:
    from twisted.internet.error import DNSLookupError, TimeoutError
    from twisted.python.failure import Failure

    from monitor.exports.words import evidence_text
    from spiders.blocks import describe_failure as _describe

    reasons = [_describe(Failure(e)) for e in (TimeoutError(), DNSLookupError())]
    rows = [{"status": "unreachable", "evidence": {"last_error": r, "since": "2025-04-10T10:00+08:00", "attempts": 2}}
            for r in reasons]
    assert [english(evidence_text(r)) for r in rows] == [[], []]


def test_the_wrong_document_message_is_chinese() -> None:
    from monitor.rules import wrong_document as _wrong_document

    drafts = _wrong_document({"tables": {}, "sections": []}, "某某局2024年年度报告", "标题")
    drafts += _wrong_document(None, "某某局2024年年度报告", "标题")
    assert [english(d.message) for d in drafts] == [[], []]
