"""The dashboard in headless Chromium over the sample web's crawl results."""

from __future__ import annotations

import re
from collections import Counter

from tests.dashboard.conftest import AS_OF, TOKEN, audit_json, shot


def _count(page, status: str) -> int:
    return int(page.locator(f'#counts .card[data-status="{status}"] .n').inner_text())


def test_overview_numbers_equal_the_audit_json(page, dashboard, dash_db) -> None:
    rows = audit_json(dash_db, 2024)
    expected = Counter(r["status"] for r in rows)
    page.goto(dashboard.url + "?year=2024")
    assert "2024年度" in page.locator("h1").inner_text()
    for status in ("published", "late", "missing", "not_found", "unreachable", "not_due", "unchecked"):
        assert _count(page, status) == expected.get(status, 0), status
    assert _count(page, "total") == len(rows)
    assert expected["late"] and expected["unreachable"]  # the sample web has both in 2024
    # per region: the 3208 rows of the audit json are the 320800/320831 rows on the page
    by_region = Counter(r["region"] for r in rows if r["region"])
    table = page.locator("#by-region").inner_text()
    for region in by_region:
        assert region in table
    assert page.locator("svg[aria-label='各行政区划发布情况'] rect").count() > 0
    assert page.locator("#trend").inner_text().count("年") >= 3
    assert "网站无法访问" in page.locator("#health").inner_text()
    shot(page, "overview")


def test_audit_filters_sort_and_exports(page, dashboard, dash_db) -> None:
    rows = audit_json(dash_db, 2024)
    page.goto(dashboard.url + "audit?year=2024")
    assert page.locator("#audit tbody tr").count() == len(rows)
    page.select_option("select[name=status]", "late")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=late"))
    got = {r.get_attribute("data-agency") for r in page.locator("#audit tbody tr").all()}
    assert got == {r["agency"] for r in rows if r["status"] == "late"}
    page.select_option("select[name=status]", "")
    page.select_option("select[name=kind]", "government")
    page.click("form.filters button[type=submit]")
    got = {r.get_attribute("data-agency") for r in page.locator("#audit tbody tr").all()}
    assert got == {r["agency"] for r in rows if r["kind"] == "government"}
    # finding-code filter: the agencies whose 2024 report has a PROSE_MISMATCH
    page.goto(dashboard.url + "audit?year=2024&code=PROSE_MISMATCH")
    got = {r.get_attribute("data-agency") for r in page.locator("#audit tbody tr").all()}
    assert got == {"hongze-qzf"}
    # sorting by days late, descending
    page.goto(dashboard.url + "audit?year=2024&sort=days_late&desc=1")
    first = page.locator("#audit tbody tr").first.get_attribute("data-agency")
    assert first == max(rows, key=lambda r: r["days_late"] or -1)["agency"]
    # the export is the current view, through monitor.audit's writers
    page.goto(dashboard.url + "audit?year=2024&status=unreachable")
    shot(page, "audit")
    with page.expect_download() as dl:
        page.click("#export-csv")
    text = open(dl.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0].startswith("机关代码,")  # the audit CSV's Chinese headers
    assert len(text.strip().splitlines()) == 1 + sum(r["status"] == "unreachable" for r in rows)
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert wb["2024年"].max_row == 2 + sum(r["status"] == "unreachable" for r in rows)  # title and header rows


def test_matrix_rolls_up_by_parent(page, dashboard) -> None:
    page.goto(dashboard.url + "matrix")
    table = page.locator("#matrix")
    assert "淮安市人民政府" in table.inner_text()
    head = page.locator("#matrix tr.grp").first.inner_text()
    assert "个机关" in head and "✓" in head
    assert page.locator("#matrix .st-late").count() >= 1 and page.locator("#matrix .st-missing").count() >= 1
    # a symbol in every status cell, not colour alone
    for cell in page.locator("#matrix td.c .st").all()[:40]:
        assert cell.inner_text().strip()
    page.emulate_media(media="print")
    shot(page, "matrix-print")
    page.emulate_media(media="screen")
    shot(page, "matrix")


def test_agency_page_shows_late_evidence_and_missing_proof(page, dashboard, dash_db) -> None:
    rows = audit_json(dash_db, 2024)
    late = next(r for r in rows if r["status"] == "late")
    page.goto(dashboard.url + f"agency/{late['agency']}")
    row = page.locator("#y2024")
    assert row.get_attribute("data-status") == "late"
    text = row.inner_text()
    assert f"逾期{late['days_late']}天" in text and "逾期证据" in text
    assert f"{int(late['deadline'][5:7])}月{int(late['deadline'][8:])}日" in text  # the deadline, in Chinese
    assert "报告及其版本" in page.content() and page.locator(".doc").count() >= 1
    assert page.locator(".doc a[href^='http']").count() >= 1  # the original page
    shot(page, "agency-late")
    missing = next(r for y in (2024, 2023, 2022, 2021) for r in audit_json(dash_db, y) if r["status"] == "missing")
    page.goto(dashboard.url + f"agency/{missing['agency']}")
    row = page.locator(f"#y{missing['year']}")
    assert row.get_attribute("data-status") == "missing"
    assert "未发布的证明" in row.inner_text() and str(missing["evidence"]["pages"]) in row.inner_text()
    for r in (r for r in rows if r["status"] == "not_found"):  # once the monitor reports not_found (contract 3)
        page.goto(dashboard.url + f"agency/{r['agency']}")
        assert "未找到，待核实" in page.locator("#y2024").inner_text()
    shot(page, "agency-missing")


def test_report_page_highlights_the_inconsistent_cell(page, dashboard) -> None:
    page.goto(dashboard.url + "report/xinzhou-kjj/2023")
    balance = page.locator("#report-findings li[data-code=BALANCE]").count()
    assert balance >= 1
    cells = page.locator("#table-requests td.hl")
    ids = [c.get_attribute("data-cell").split(".") for c in cells.all()]
    columns = {col for _, _, col in ids}
    assert len(ids) == 4 * balance and len(columns) == balance  # 本年新收, 上年结转, 总计, 结转下年度 of each column
    assert {row for _, row, _ in ids} == {"new_received", "carried_over", "total", "carried_forward"}
    title = cells.first.get_attribute("title")
    assert title.startswith("原文：") and "问题" in title and "≠" in title
    assert page.locator("#table-requests .prev").count() > 0  # last year's values beside
    cells.first.hover()
    shot(page, "report")


def test_dismiss_and_undo_need_the_token(page, dashboard, dash_db) -> None:
    from sqlalchemy import select

    from db.models import Finding, FindingEvent
    from db.schema import open_db

    page.goto(dashboard.url + "findings?code=BALANCE")
    row = page.locator("#findings tbody tr.findrow").first
    key = row.get_attribute("data-key")
    row.locator("input[name=reason]").fill("已与该局核实，表格为笔误")
    row.locator("form.dismiss button").click()
    assert "需要登录" in page.content()  # refused without the token
    with open_db(dash_db)() as s:
        assert s.scalar(select(Finding.status).where(Finding.key == key)) in (None, "open")  # not stored until checked
    page.goto(dashboard.url + "login?next=/findings?code=BALANCE")
    page.fill("input[name=actor]", "张三")
    page.fill("input[name=token]", "wrong")
    page.click("#login button")
    assert "令牌不正确" in page.content()
    page.fill("input[name=actor]", "张三")
    page.fill("input[name=token]", TOKEN)
    page.click("#login button")
    page.wait_for_url(re.compile(r"^http://[^/]+/findings"))
    row = page.locator(f"#findings tr[data-key='{key}']")
    row.locator("input[name=reason]").fill("已与该局核实，表格为笔误")
    row.locator("form.dismiss button").click()
    row = page.locator(f"#findings tr[data-key='{key}']")
    assert "已忽略" in row.inner_text() and "张三" in row.inner_text()
    with open_db(dash_db)() as s:
        f = s.scalar(select(Finding).where(Finding.key == key))
        assert f.status == "dismissed" and f.dismissed_reason == "已与该局核实，表格为笔误"
        ev = s.scalars(select(FindingEvent).where(FindingEvent.finding_id == f.id)).all()
        assert [(e.action, e.actor) for e in ev] == [("dismiss", "张三")] and ev[0].at is not None
    page.goto(dashboard.url + "findings?state=dismissed")
    assert page.locator("#findings tbody tr.findrow").count() == 1
    shot(page, "findings-dismissed")
    page.locator(f"#findings tr[data-key='{key}'] button.undo").click()
    with open_db(dash_db)() as s:
        f = s.scalar(select(Finding).where(Finding.key == key))
        assert f.status == "open" and f.dismissed_reason is None
        assert [e.action for e in s.scalars(select(FindingEvent).where(FindingEvent.finding_id == f.id))] == ["dismiss", "undo"]
    page.goto(dashboard.url + "findings")
    shot(page, "findings")


def test_pages_are_chinese_and_as_of_is_shown(page, dashboard) -> None:
    page.goto(dashboard.url)
    assert f"{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日" in page.locator("header").inner_text()
    for label in ("总览", "矩阵", "未发布名单", "问题"):
        assert label in page.locator("header").inner_text()
