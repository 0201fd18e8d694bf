"""Text from crawled sites is text: a report titled <script>alert(1)</script> never runs,
on any page, and reaches the exports unchanged as data."""

from __future__ import annotations

import io

from sqlalchemy import select, update

from db.models import AgencyCrawl, Document, DocumentVersion
from db.schema import open_db
from tests.dashboard.conftest import AS_OF, copy_db, shot

EVIL = "<script>alert(1)</script>"


def test_crawled_text_is_escaped_everywhere(crawled, browser, tmp_path) -> None:
    from crawler.dashboard import start_in_thread

    url = copy_db(crawled["dir"] / "nianbao.db", tmp_path / "evil.db")
    with open_db(url)() as s:
        doc = s.scalar(select(Document).where(Document.agency_id == "xinzhou-kjj", Document.year == 2023,
                                              Document.kind == "page"))
        doc.title = EVIL
        v = s.scalar(select(DocumentVersion).where(DocumentVersion.document_id == doc.id).order_by(DocumentVersion.id.desc()))
        if v.report and v.report.get("cells_raw", {}).get("requests"):
            rep = dict(v.report)
            rep["cells_raw"]["requests"]["total"]["total"] = EVIL
            v.report = rep
        s.execute(update(AgencyCrawl).where(AgencyCrawl.agency_id == "dead-daj").values(reason=EVIL))
        s.commit()
    running = start_in_thread(url, "127.0.0.1", 0, as_of=AS_OF, warm=False)
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        for path in ("", "?year=2024", "matrix", "audit?year=2024", "findings", "agency/xinzhou-kjj",
                     "agency/dead-daj", "report/xinzhou-kjj/2023"):
            page.goto(running.url + path)
            html = page.content()
            assert "<script>alert(1)</script>" not in html, path
        page.goto(running.url + "agency/xinzhou-kjj")
        assert EVIL in page.locator("body").inner_text()  # shown, as text
        page.goto(running.url + "report/xinzhou-kjj/2023")
        assert EVIL in page.locator("h1").inner_text()
        page.goto(running.url + "audit?year=2024&status=unreachable")
        assert EVIL in page.locator("#audit").inner_text()
        shot(page, "escaped")
        with page.expect_download() as dl:
            page.click("#export-csv")
        assert EVIL in open(dl.value.path(), encoding="utf-8-sig").read()
        with page.expect_download() as dl:
            page.click("#export-xlsx")
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
        assert any(EVIL in str(c.value) for row in wb["2024年"].iter_rows() for c in row if c.value)
        assert dialogs == []
    finally:
        context.close()
        running.stop()
