"""The outputs opened as a user's program would: openpyxl, python-docx, pyarrow, the email parser.

The renderings (audit HTML via headless chromium, the XLSX and the notice via LibreOffice
to PDF and pdftoppm) are written as PNGs to ``test-artefacts/`` for a person to look at.
"""

from __future__ import annotations

import email
import io
import shutil
import subprocess
from datetime import date
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import main
from monitor import audit
from tests.monitor.outputs_data import AS_OF, YEAR, build_world, contract_rows

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    d = tmp_path_factory.mktemp("outputs")
    url = build_world(d)
    r = CliRunner().invoke(main, ["check", "--db", url, "--as-of", AS_OF.isoformat()])
    assert r.exit_code == 0, r.output
    return d, url


def _run(*args: str) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def _rows(url: str) -> list[dict]:
    from crawler.cli import audit_list

    return audit_list(url, [YEAR], AS_OF, False) + contract_rows()


def test_xlsx_dates_links_words_and_print_setup(world) -> None:
    import openpyxl

    d, url = world
    path = d / "a.xlsx"
    _run("audit", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--db", url, "-o", str(path))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [f"{YEAR}年", "汇总"]
    ws = wb[f"{YEAR}年"]
    assert "时间均为北京时间" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:3] == ["机关代码", "机关名称", "类型"] and "证据" in header and "法定期限" in header
    assert all(isinstance(h, str) and not h.isascii() for h in header)
    rows = {r[0].value: {h: c for h, c in zip(header, r, strict=True)} for r in ws.iter_rows(min_row=3)}
    late = rows["huaian"]
    assert late["发布情况"].value == "逾期发布"
    assert late["法定期限"].is_date and late["法定期限"].value.date() == date(2025, 3, 31)
    assert late["发布日期"].is_date and late["法定期限"].number_format == "yyyy-mm-dd"
    assert late["逾期天数"].value == 20 and late["逾期天数"].data_type == "n"
    assert late["报告或证据链接"].hyperlink.target == "http://www.huaian.gov.cn/nb/2024.pdf"
    ev = late["证据"].value
    assert "{" not in ev and "首次发现于2025-04-20 09:00" in ev and "晚于法定期限20天" in ev  # Beijing time, in words
    missing = rows["hongze-jyj"]
    assert missing["发布情况"].value == "未发布" and "检查网站37个页面" in missing["证据"].value
    assert missing["报告或证据链接"].hyperlink.target == "http://jyj.hongze.gov.cn/col/xxgk/ndbg/"
    assert "正文与表格数字不符" in rows["hongze"]["内容问题"].value
    assert (late["报告或证据链接"].value, missing["报告或证据链接"].value, rows["hongze-dead"]["报告或证据链接"].value) == \
        ("查看报告", "查看检查的栏目", "尝试访问的网址")
    assert rows["hongze-dead"]["报告或证据链接"].hyperlink.target == "http://zjj.hongze.gov.cn/"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.print_title_rows == "$2:$2"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert 8 <= ws.column_dimensions["B"].width <= 30 and ws.column_dimensions["M"].width <= 40
    assert late["证据"].alignment.wrap_text
    roll = wb["汇总"]
    assert [c.value for c in roll[2]][:3] == ["汇总方式", "地区或上级政府", "未发布"]
    assert any(r[1].value == "淮安市洪泽区人民政府" for r in roll.iter_rows(min_row=3))  # parent by name


def test_xlsx_renders_new_contract_rows() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(audit.to_xlsx(contract_rows())))
    ws = wb[f"{YEAR}年"]
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    nf = next(v for v in values if v[0] == "x-wjw")
    assert "未找到，待核实" in nf and any("未找到年报栏目" in str(x) for x in nf)
    assert not any(x == "未发布" for x in nf)
    assert any("表三收结不平衡" in str(x) for x in next(v for v in values if v[0] == "x-sfj"))


def test_csv_has_chinese_headers_and_words(world) -> None:
    import csv

    _, url = world
    data = audit.to_csv(_rows(url))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert set(rows[0]) >= {"机关名称", "发布情况", "法定期限", "证据"}
    assert {r["发布情况"] for r in rows} >= {"按时发布", "逾期发布", "未发布", "网站无法访问", "未找到，待核实"}
    assert not any("{" in r["证据"] for r in rows)
    missing = next(r for r in rows if r["发布情况"] == "未发布")
    assert "已读完本机关年报栏目" in missing["证据"]  # the proof of absence, in words


def test_html_prints_on_a4_landscape_and_sorts_dates(world) -> None:
    from lxml import html as lhtml

    _, url = world
    page = audit.to_html(_rows(url), "2024年度政府信息公开工作年度报告发布情况")
    assert "@page{size:A4 landscape" in page and "table-layout:fixed" in page
    tree = lhtml.fromstring(page)
    cols = tree.xpath("//table[@id='audit']/colgroup/col/@style")
    assert len(cols) == 9 and sum(int(c.split(":")[1].rstrip("%")) for c in cols) == 100
    heads = tree.xpath("//table[@id='audit']//th")
    types = {h.text_content(): h.get("data-type") for h in heads}
    assert types["法定期限"] == "date" and types["逾期天数"] == "num"
    assert "时间均为北京时间" in tree.xpath("//p[@class='note']")[0].text_content()
    hrefs = tree.xpath("//table[@id='audit']//a/@href")
    assert "http://www.huaian.gov.cn/nb/2024.pdf" in hrefs
    nf = tree.xpath("//tr[@class='not_found']")[0].text_content()
    assert "未找到，待核实" in nf and "未发布" not in nf


def test_notice_docx(world) -> None:
    import docx

    d, url = world
    path = d / "通报.docx"
    out = _run("notice", "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--db", url, "-o", str(path))
    assert "未发布1个" in out and "待核实1个" in out
    doc = docx.Document(str(path))
    text = [p.text for p in doc.paragraphs]
    assert text[0] == f"关于{YEAR}年度政府信息公开工作年度报告发布情况的通报"
    assert any("时间均为北京时间" in t for t in text) and any("一、基本情况" == t for t in text)
    assert any(t.startswith("经检查，未发布1个，逾期发布1个") for t in text)
    sec = doc.sections[0]
    assert abs(sec.page_width.cm - 21) < 0.1 and abs(sec.page_height.cm - 29.7) < 0.1
    tables = doc.tables
    assert len(tables) == 4  # not published, late, content, to be checked
    missing, late, content, to_check = ([[c.text for c in r.cells] for r in t.rows] for t in tables)
    assert missing[0] == ["序号", "机关", "法定期限", "检查证据"] and "淮安市洪泽区教育体育局" in missing[1][1]
    assert "检查网站37个页面" in missing[1][3] and "http://jyj.hongze.gov.cn/col/xxgk/ndbg/" in missing[1][3]
    assert late[1][3] == "2025-04-20" and late[1][4] == "20"
    assert "正文与表格数字不符" in content[1][2]
    assert "住房和城乡建设局" in to_check[1][1] and to_check[1][2] == "网站无法访问"
    # the to-be-checked part never calls anyone 未发布
    start = text.index("六、未找到年度报告、待核实的机关")
    assert "未发布" not in "".join(text[start:start + 2]) and not any("未发布" in c for r in to_check for c in r)
    header = tables[0].rows[0]._tr.trPr
    assert header is not None and "tblHeader" in header.xml  # repeated on every page


def test_notice_keeps_not_found_apart() -> None:
    import docx

    from monitor.notice import NoticeScope, build_notice

    doc = docx.Document(io.BytesIO(build_notice(contract_rows(), NoticeScope(YEAR, AS_OF))))
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    to_check = next(t for t in tables if t[0] == ["序号", "机关", "情况", "说明"])
    assert to_check[1][2] == "未找到，待核实" and "未找到年报栏目" in to_check[1][3]
    others = [t for t in tables if t is not to_check]
    assert not any("卫生健康委员会" in c for t in others for r in t for c in r)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx"])
def test_export_dataset(world, tmp_path: Path, fmt: str) -> None:
    _, url = world
    out = tmp_path / "ds"
    printed = _run("export", "--format", fmt, "-o", str(out), "--as-of", AS_OF.isoformat(), "--db", url)
    assert "columns.csv" in printed
    for name in ("cells", "agency_years", "findings"):
        assert (out / f"{name}.{fmt}").is_file()
    assert "## cells" in (out / "README.md").read_text(encoding="utf-8")
    if fmt == "xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(out / "cells.xlsx").active
        header = [c.value for c in ws[1]]
        assert header[:4] == ["agency_id", "agency_name", "region", "region_name"]
        values = [r[header.index("value")] for r in ws.iter_rows(min_row=2, values_only=True)]
        assert values and all(v is None or isinstance(v, (int, float)) for v in values)
    if fmt == "csv":
        import csv

        with (out / "cells.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert rows and set(rows[0]) >= {"table", "row", "column", "value", "raw_text", "source_url", "sha256"}
    if fmt != "parquet":
        return
    import pyarrow.parquet as pq

    cells = pq.read_table(out / "cells.parquet")
    assert cells.schema.field("value").type == "double" and cells.schema.field("year").type == "int64"
    assert cells.schema.field("raw_text").metadata[b"description"].decode() == "报告中印出的单元格文字"
    rows = cells.to_pylist()
    hit = [r for r in rows if r["agency_id"] == "hongze" and r["table"] == "requests" and r["row"] == "new_received"
           and r["column"] == "total"]
    assert hit and hit[0]["value"] == 95.0 and hit[0]["raw_text"] and len(hit[0]["sha256"]) == 64
    assert hit[0]["source_url"].endswith("P020250325123.pdf") and hit[0]["row_name"]
    years = {r["agency_id"]: r for r in pq.read_table(out / "agency_years.parquet").to_pylist()}
    assert years["huaian"]["status"] == "late" and years["huaian"]["days_late"] == 20
    assert years["hongze-jyj"]["status_name"] == "未发布" and "MISSING" in years["hongze-jyj"]["finding_codes"]
    findings = pq.read_table(out / "findings.parquet").to_pylist()
    assert {f["code"] for f in findings} >= {"MISSING", "LATE", "UNREACHABLE", "PROSE_MISMATCH"}
    assert all(f["status"] == "open" for f in findings)  # checked before: stored status joined
    import csv

    notes = list(csv.DictReader(io.StringIO((out / "columns.csv").read_text(encoding="utf-8-sig"))))
    assert {(n["file"], n["column"]) for n in notes} >= {("cells.parquet", "value"), ("findings.parquet", "evidence")}


def test_digest_one_line_per_agency_year_with_links(world, tmp_path: Path) -> None:
    d, url = world
    target = tmp_path / "d.eml"
    _run("digest", "--db", url, "--since", "2025-01-01", "--to", "gkb@example.gov.cn", "-o", str(target))
    msg = email.message_from_bytes(target.read_bytes(), policy=policy.default)
    text = msg.get_body(preferencelist=("plain",)).get_content()
    page = msg.get_body(preferencelist=("html",)).get_content()
    assert "时间均为北京时间" in text
    assert "[" not in text.replace("［", "") and "PROSE_MISMATCH" not in page and "正文与表格数字不符" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("- ")]
    heads = [ln.split("：", 1)[0] for ln in lines]
    assert len(heads) == len(set(heads))  # no agency-year listed twice
    assert sum("淮安市人民政府2024年" in h for h in heads) == 1  # new report + late: one line, under 逾期
    assert text.index("新增未发布") < text.index("新增逾期发布") < text.index("新发现的报告")
    from lxml import html as lhtml

    tree = lhtml.fromstring(page)
    links = {a.text_content(): a.get("href") for a in tree.xpath("//ul[@class='missing']//a")}
    assert links == {"［检查的栏目］": "http://jyj.hongze.gov.cn/col/xxgk/ndbg/"}
    assert "http://www.huaian.gov.cn/nb/2024.pdf" in tree.xpath("//ul[@class='late']//a/@href")
    [att] = list(msg.iter_attachments())
    assert att.get_content_type() == "text/csv" and att.get_param("charset") == "utf-8"
    assert att.get_payload(decode=True).decode("utf-8-sig").startswith("机关代码,机关名称")


# ---------------------------------------------------------------- renderings, looked at by a person


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.skip(f"{tool} not installed (scripts/system-packages.sh)")
    return path


def _a4_landscape(pdfinfo: str) -> bool:
    w, _, h = pdfinfo.split("Page size:")[1].split()[:3]
    return abs(float(w) - 841.9) < 2 and abs(float(h) - 595.3) < 2  # 297 x 210 mm


def _pdf_to_png(pdf: Path, stem: Path) -> list[Path]:
    subprocess.run([_need("pdftoppm"), "-r", "80", "-png", str(pdf), str(stem)], check=True, timeout=120)
    return sorted(stem.parent.glob(stem.name + "*.png"))


def _office_pdf(src: Path, out: Path) -> Path:
    subprocess.run([_need("soffice"), "--headless", "--convert-to", "pdf", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=180)
    return out / (src.stem + ".pdf")


def test_render_audit_html_png(world) -> None:
    _, url = world
    browser = _need("chromium")
    ARTEFACTS.mkdir(exist_ok=True)
    page = ARTEFACTS / "audit.html"
    page.write_text(audit.to_html(_rows(url), "2024年度政府信息公开工作年度报告发布情况（截至2025-06-30）"), encoding="utf-8")
    png = ARTEFACTS / "audit-html.png"
    png.unlink(missing_ok=True)
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    f"--screenshot={png}", "--window-size=1400,900", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    assert png.stat().st_size > 10_000
    pdf = ARTEFACTS / "audit-html.pdf"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=120)
    info = subprocess.run([_need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert _a4_landscape(info)
    _pdf_to_png(pdf, ARTEFACTS / "audit-html-print")


def test_render_xlsx_printed_png(world) -> None:
    _, url = world
    ARTEFACTS.mkdir(exist_ok=True)
    src = ARTEFACTS / "audit.xlsx"
    src.write_bytes(audit.to_xlsx(_rows(url), "2024年度政府信息公开工作年度报告发布情况（截至2025-06-30）"))
    pdf = _office_pdf(src, ARTEFACTS)
    info = subprocess.run([_need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(info.split("Pages:")[1].split()[0])
    assert pages == 2  # the year's sheet on one page, 汇总 on another: not 12 pages for 7 rows
    assert _a4_landscape(info)
    assert _pdf_to_png(pdf, ARTEFACTS / "audit-xlsx")


def test_render_notice_png(world) -> None:
    from monitor.notice import NoticeScope, build_notice

    _, url = world
    ARTEFACTS.mkdir(exist_ok=True)
    src = ARTEFACTS / "notice.docx"
    src.write_bytes(build_notice(_rows(url), NoticeScope(YEAR, AS_OF)))
    pdf = _office_pdf(src, ARTEFACTS)
    assert _pdf_to_png(pdf, ARTEFACTS / "notice")


def test_digest_groups_each_agency_year_once_under_its_most_serious_change() -> None:
    from types import SimpleNamespace as F

    from monitor.digest import change_groups

    def finding(agency: str, year: int, code: str, message: str, **ev: object) -> F:
        return F(agency_id=agency, year=year, code=code, message=message, evidence=ev)

    names = {"a": "甲局", "b": "乙局", "c": "丙局"}
    docs = [F(agency_id="b", year=2024, title="乙局2024年政府信息公开工作年度报告", url="http://b.gov.cn/nb.html")]
    new = [finding("a", 2024, "MISSING", "甲局截至2025-04-10未发布2024年政府信息公开工作年度报告",
                   columns=["http://a.gov.cn/ndbg/"]),
           finding("a", 2023, "BALANCE", "甲局2023年年度报告表三收结不平衡", url="http://a.gov.cn/2023.html"),
           finding("b", 2024, "APPEAL_TOTAL", "乙局2024年年度报告表四合计不符", url="http://b.gov.cn/nb.html")]
    resolved = [finding("a", 2024, "UNREACHABLE", "甲局网站无法访问"), finding("c", 2022, "LATE", "丙局逾期")]
    groups = {g["key"]: g["lines"] for g in change_groups(names, docs, new, resolved)}
    assert list(groups) == ["missing", "reports", "problems", "resolved"]
    [missing] = groups["missing"]
    assert (missing["agency"], missing["year"]) == ("a", 2024)
    assert missing["text"].startswith("截至2025-04-10未发布") and "已解决：网站无法访问" in missing["text"]
    assert missing["links"] == [{"label": "检查的栏目", "url": "http://a.gov.cn/ndbg/"}]
    [report] = groups["reports"]
    assert "表四复议诉讼合计不符：表四合计不符" in report["text"] and report["links"] == [
        {"label": "报告", "url": "http://b.gov.cn/nb.html"}]  # the same URL once
    assert [(x["agency"], x["year"]) for x in groups["problems"]] == [("a", 2023)]
    assert groups["problems"][0]["text"] == "表三收结不平衡：表三收结不平衡"
    assert [(x["agency"], x["text"]) for x in groups["resolved"]] == [("c", "已解决：逾期发布")]
    every = [(x["agency"], x["year"]) for lines in groups.values() for x in lines]
    assert len(every) == len(set(every))
