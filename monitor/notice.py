"""A 通报 draft of the audit list (``nianbao notice``), as a DOCX a person edits.

The usual shape of a 政务公开办 notice: title, addressee, 基本情况 (scope and method),
检查结果 (the counts), then tables of the agencies not published, published late and with
content problems, each row with its evidence, and the next steps left to edit.  Agencies
whose report was not found but whose absence is not proved (未找到，待核实, and sites that
could not be reached) go into a separate table for checking that never says 未发布.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from monitor.exports.labels import STATUS_LABELS, TIME_NOTE, code_label, counts_text, region_label
from monitor.exports.words import content_items, evidence_text, evidence_urls

EDIT = "（请编辑）"


@dataclass(slots=True)
class NoticeScope:
    year: int
    as_of: date
    scope: str = "全部机关"  # in words, e.g. 地区320812
    office: str = "××人民政府办公室（政务公开办）"


def sections(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The notice's tables: missing, late, content, to_check (not proved), by row."""
    return {
        "missing": [r for r in rows if r.get("status") == "missing"],
        "late": [r for r in rows if r.get("status") == "late"],
        "content": [r for r in rows if content_items(r)],
        "to_check": [r for r in rows if r.get("status") in ("not_found", "unreachable")],
    }


def counts_sentence(rows: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.get("status") or ""] = counts.get(r.get("status") or "", 0) + 1
    return counts_text(counts) or "无"


def _who(r: dict[str, Any]) -> str:
    reg = region_label(r.get("region"))
    return f"{r.get('name') or r.get('agency')}" + (f"（{reg}）" if reg else "")


def build_notice(rows: list[dict[str, Any]], scope: NoticeScope) -> bytes:
    """The DOCX bytes of the draft."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.6)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    normal = doc.styles["Normal"]
    normal.font.name = "FangSong"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")

    def para(text: str, *, bold: bool = False, size: int | None = None, center: bool = False,
             indent: bool = True, font: str | None = None) -> Any:
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if font:
            run.font.name = font
            run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            p.paragraph_format.first_line_indent = Pt(28)
        return p

    def heading(text: str) -> None:
        p = para(text, bold=True, font="黑体", indent=True)
        p.paragraph_format.space_before = Pt(12)
        p.paragraph_format.keep_with_next = True

    y, day = scope.year, scope.as_of.isoformat()
    parts = sections(rows)
    para(f"关于{y}年度政府信息公开工作年度报告发布情况的通报", bold=True, size=20, center=True, font="方正小标宋简体")
    para("（草稿，供审核修改）", center=True, size=12)
    para(f"各有关单位{EDIT}：", indent=False)
    para(f"根据《中华人民共和国政府信息公开条例》第四十九条、第五十条规定，行政机关应当在规定期限内向社会公布"
         f"本机关上一年度政府信息公开工作年度报告。现将{y}年度政府信息公开工作年度报告发布情况通报如下。")
    heading("一、基本情况")
    para(f"本次检查范围为{scope.scope}，共{len({r.get('agency') for r in rows})}个机关。检查方式为：对各机关政府网站"
         f"政府信息公开专栏及年报栏目进行自动检查并逐项留存证据，发布日期依据网页发布时间、落款日期、首次发现时间等"
         f"认定，法定期限按《条例》及本地规定确定。检查截至{day}，{TIME_NOTE}。")
    heading("二、检查结果")
    para(f"经检查，{counts_sentence(rows)}；年度报告存在内容问题的{len(parts['content'])}个。"
         "未找到年度报告但尚不能证明未发布的机关，单独列出，待核实后再作认定。")
    n = 3
    numerals = "三四五六七八"

    def table(title: str, note: str, header: list[str], body: list[list[str]], widths: list[float]) -> None:
        nonlocal n
        heading(f"{numerals[n - 3]}、{title}")
        n += 1
        if note:
            para(note)
        if not body:
            para("无。")
            return
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.autofit = False
        for i, text in enumerate(header):
            cell = t.rows[0].cells[i]
            cell.text = ""
            r = cell.paragraphs[0].add_run(text)
            r.bold = True
            r.font.size = Pt(10.5)
        _repeat_header(t.rows[0])
        for values in body:
            cells = t.add_row().cells
            for i, text in enumerate(values):
                cells[i].text = ""
                cells[i].paragraphs[0].add_run(text).font.size = Pt(10.5)
        _set_widths(t, [Cm(w) for w in widths])

    def links(r: dict[str, Any]) -> str:
        urls = evidence_urls(r)
        return ("\n" + "\n".join(urls[:3])) if urls else ""

    table("未发布年度报告的机关", "以下机关在法定期限后经检查确认未发布年度报告（已留存检查记录）。",
          ["序号", "机关", "法定期限", "检查证据"],
          [[str(i), _who(r), r.get("deadline") or "", evidence_text(r) + links(r)]
           for i, r in enumerate(parts["missing"], 1)], [1.3, 4.1, 2.6, 7.8])
    table("逾期发布年度报告的机关", "", ["序号", "机关", "法定期限", "发布日期", "逾期天数", "证据"],
          [[str(i), _who(r), r.get("deadline") or "", r.get("published") or "", str(r.get("days_late") or ""),
            evidence_text(r) + links(r)] for i, r in enumerate(parts["late"], 1)], [1.3, 3.3, 2.6, 2.6, 1.4, 4.6])
    table("年度报告存在内容问题的机关", "", ["序号", "机关", "问题", "报告"],
          [[str(i), _who(r), "\n".join(f"{code_label(c.get('code', ''))}：{c.get('message', '')}" for c in content_items(r)),
            "\n".join(evidence_urls(r)[:1])] for i, r in enumerate(parts["content"], 1)], [1.3, 3.5, 7.8, 3.2])
    table("未找到年度报告、待核实的机关",
          "以下机关暂未找到年度报告，或其网站无法访问，现有证据不足以作出认定，请相关单位核实后报送情况，本通报不作认定。",
          ["序号", "机关", "情况", "说明"],
          [[str(i), _who(r), STATUS_LABELS.get(r.get("status") or "", ""), evidence_text(r) + links(r)]
           for i, r in enumerate(parts["to_check"], 1)], [1.3, 4.1, 2.4, 8.0])
    heading(f"{numerals[n - 3]}、下一步工作要求")
    para(f"请未发布、逾期发布及存在内容问题的单位于××月××日前完成整改并报送整改情况{EDIT}。")
    para(f"请待核实的单位于××月××日前报送本单位年度报告的发布网址及发布日期{EDIT}。")
    doc.add_paragraph()
    p = para(scope.office, indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = para(f"{scope.as_of.year}年{scope.as_of.month}月{scope.as_of.day}日{EDIT}", indent=False)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = sec.footer.paragraphs[0]
    footer.text = "本通报由年报监测工具生成草稿，须经人工核对后印发"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _set_widths(table: Any, widths: list[Any]) -> None:
    """Column widths that Word and LibreOffice both honour: the grid and every cell."""
    from docx.oxml.ns import qn

    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        col.set(qn("w:w"), str(int(w.twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths, strict=False):
            cell.width = w


def _repeat_header(row: Any) -> None:
    """Mark a table row as the header repeated on every page (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)
