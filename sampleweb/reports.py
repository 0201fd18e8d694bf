"""Report content for the sample web: consistent tables in the 2019/2021 templates, as
HTML article bodies, DOCX and XLSX attachments.

Numbers come from a seeded RNG so every build is identical; the arithmetic rules R1-R4
hold unless a case asks otherwise, and the values are kept as ground truth.
"""

from __future__ import annotations

import html
import io
import random
from typing import Any

from parsing.labels import APPEAL_CELLS, APPEAL_GROUPS, REQUEST_COLUMNS

OUTCOMES_2019 = ["granted", "partially_granted", "denied.state_secret", "denied.prohibited_by_law",
                 "denied.security_stability", "denied.third_party_rights", "denied.internal_affairs",
                 "denied.process_information", "denied.enforcement_files", "denied.administrative_query",
                 "unavailable.not_held", "unavailable.needs_creation", "unavailable.still_unclear",
                 "not_processed.petition", "not_processed.repeated", "not_processed.publication",
                 "not_processed.excessive", "not_processed.confirmation"]
LABELS = {
    "new_received": "一、本年新收政府信息公开申请数量", "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开", "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密", "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.security_stability": "3.危及“三安全一稳定”", "denied.third_party_rights": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息", "denied.process_information": "6.属于四类过程性信息",
    "denied.enforcement_files": "7.属于行政执法案卷", "denied.administrative_query": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息", "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.still_unclear": "3.补正后申请内容仍不明确", "not_processed.petition": "1.信访举报投诉类申请",
    "not_processed.repeated": "2.重复申请", "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirmation": "5.要求行政机关确认或重新出具已获取信息", "other": "（六）其他处理",
    "other.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other.other": "3.其他", "total": "（七）总计", "carried_forward": "四、结转下年度继续办理",
}
GROUPS = {"denied.state_secret": "（三）不予公开", "unavailable.not_held": "（四）无法提供",
          "not_processed.petition": "（五）不予处理", "other.no_correction": "（六）其他处理"}


def layout_for(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def make_tables(rng: random.Random, year: int, prev: dict[str, Any] | None = None) -> dict[str, Any]:
    """Consistent tables for one report (R1-R4 hold); with ``prev`` (last year's tables) the
    series is consistent too: 上年结转 = last year's 结转下年度 (H1), and in-force counts carry
    forward (H2)."""
    layout = layout_for(year)
    prev_forward = [prev["requests"]["carried_forward"][c] for c in REQUEST_COLUMNS[:6]] if prev else None
    outcomes = OUTCOMES_2019 + (["other"] if layout == "2019" else ["other.no_correction", "other.unpaid_fee", "other.other"])
    rows: dict[str, list[int]] = {k: [0] * 6 for k in ["new_received", "carried_over", *outcomes, "total", "carried_forward"]}
    for col in range(6):
        weight = 1.0 if col == 0 else 0.15
        received = int(rng.random() * 40 * weight)
        carried = prev_forward[col] if prev_forward else int(rng.random() * 3 * weight)
        rows["new_received"][col], rows["carried_over"][col] = received, carried
        pool = received + carried
        forward = min(pool, int(rng.random() * 3))
        done = pool - forward
        for _ in range(done):
            rows[rng.choice(outcomes[:4] + outcomes[10:11] + outcomes[-1:])][col] += 1
        rows["total"][col], rows["carried_forward"][col] = done, forward
    requests = {k: dict(zip(REQUEST_COLUMNS, [*v, sum(v)], strict=True)) for k, v in rows.items()}
    appeals = {}
    for g in APPEAL_GROUPS:
        cells = [int(rng.random() * 3) for _ in range(4)]
        appeals[g] = dict(zip(APPEAL_CELLS, [*cells, sum(cells)], strict=True))
    if layout == "2019":
        active = {"regulations": {"new_made": 0, "new_published": 0, "total_published": rng.randrange(5)},
                  "normative_documents": {"new_made": (m := rng.randrange(6)), "new_published": m, "total_published": m + rng.randrange(30)},
                  "licensing": {"previous_items": rng.randrange(50), "change": rng.randrange(-3, 4), "decisions": rng.randrange(2000)},
                  "other_services": {"previous_items": rng.randrange(20), "change": 0, "decisions": rng.randrange(500)},
                  "penalty": {"previous_items": rng.randrange(30), "change": rng.randrange(-2, 3), "decisions": rng.randrange(800)},
                  "coercion": {"previous_items": rng.randrange(5), "change": 0, "decisions": rng.randrange(40)},
                  "fees": {"previous_items": rng.randrange(4), "change": 0},
                  "procurement": {"projects": rng.randrange(20), "amount": round(rng.random() * 900, 2)}}
    else:
        before = (prev or {}).get("active", {}) if prev and prev.get("layout") == "2021" else {}
        reg_before = before.get("regulations", {}).get("in_force", rng.randrange(5))
        doc_before = before.get("normative_documents", {}).get("in_force", 20)
        active = {"regulations": {"issued": 0, "repealed": 0, "in_force": reg_before},
                  "normative_documents": {"issued": (i := rng.randrange(6)), "repealed": (r := rng.randrange(3)),
                                          "in_force": doc_before + i - r},
                  "licensing": {"decisions": rng.randrange(5000)}, "penalty": {"decisions": rng.randrange(900)},
                  "coercion": {"decisions": rng.randrange(60)}, "fees": {"amount": round(rng.random() * 50, 2)}}
    return {"layout": layout, "active": active, "requests": requests, "appeals": appeals}


ACTIVE_BLOCKS = {
    "2019": [("第二十条第（一）项", ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
              [("regulations", "规章"), ("normative_documents", "规范性文件")]),
             ("第二十条第（五）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
              [("licensing", "行政许可"), ("other_services", "其他对外管理服务事项")]),
             ("第二十条第（六）项", ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
              [("penalty", "行政处罚"), ("coercion", "行政强制")]),
             ("第二十条第（八）项", ["信息内容", "上一年项目数量", "本年增/减"], [("fees", "行政事业性收费")]),
             ("第二十条第（九）项", ["信息内容", "采购项目数量", "采购总金额"], [("procurement", "政府集中采购")])],
    "2021": [("第二十条第（一）项", ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
              [("regulations", "规章"), ("normative_documents", "行政规范性文件")]),
             ("第二十条第（五）项", ["信息内容", "本年处理决定数量"], [("licensing", "行政许可")]),
             ("第二十条第（六）项", ["信息内容", "本年处理决定数量"], [("penalty", "行政处罚"), ("coercion", "行政强制")]),
             ("第二十条第（八）项", ["信息内容", "本年收费金额（单位：万元）"], [("fees", "行政事业性收费")])],
}
SECTIONS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def _td(v: Any, **attrs: Any) -> str:
    a = "".join(f' {k}="{val}"' for k, val in attrs.items())
    return f"<td{a}>{html.escape(str(v)) if v not in (None, '') else '&nbsp;'}</td>"


def report_body(name: str, year: int, tables: dict[str, Any], signed: str, drop_sections: tuple[str, ...] = ()) -> str:
    """The report as an HTML article body (title, six sections, three tables, signature)."""
    t = tables
    new = t["requests"]["new_received"]["total"]
    out = [f"<p style='text-align:center'><strong>{html.escape(name)}{year}年政府信息公开工作年度报告</strong></p>"]
    prose = {
        0: f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日至{year}年12月31日。"
           f"{year}年，{html.escape(name)}共收到政府信息公开申请{new}件。</p>",
        4: "<p>政策解读形式还不够丰富，下一步将加强培训。</p>", 5: "<p>无。</p>",
    }
    for i, heading in enumerate(SECTIONS):
        if heading[0] in drop_sections:
            continue
        out.append(f"<p><strong>{heading}</strong></p>")
        if i in prose:
            out.append(prose[i])
        if i == 1:
            out.append("<table border='1' cellspacing='0'>")
            for header, cols, rows in ACTIVE_BLOCKS[t["layout"]]:
                out.append(f"<tr>{_td(header, colspan=len(cols))}</tr><tr>" + "".join(_td(c) for c in cols) + "</tr>")
                for key, label in rows:
                    out.append("<tr>" + _td(label) + "".join(_td(v) for v in t["active"][key].values()) + "</tr>")
            out.append("</table>")
        elif i == 2:
            out.append("<table border='1' cellspacing='0'><tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3)
                       + _td("申请人情况", colspan=7) + "</tr><tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5)
                       + _td("总计", rowspan=2) + "</tr><tr>" + "".join(_td(x) for x in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]) + "</tr>")
            for key, cells in t["requests"].items():
                label = LABELS[key]
                lead = ""
                if key in ("new_received", "carried_over", "carried_forward"):
                    lead = _td(label, colspan=3)
                elif key in ("granted",):
                    lead = _td("三、本年度办理结果", rowspan=22) + _td(label, colspan=2)
                elif key in ("partially_granted", "other", "total"):
                    lead = _td(label, colspan=2)
                else:
                    lead = (_td(GROUPS[key], rowspan=8) if key in GROUPS else "") + _td(label)
                out.append("<tr>" + lead + "".join(_td(v) for v in cells.values()) + "</tr>")
            out.append("</table>")
        elif i == 3:
            words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
            out.append("<table border='1' cellspacing='0'><tr>" + _td("行政复议", colspan=5) + _td("行政诉讼", colspan=10) + "</tr><tr>"
                       + "".join(_td(w, rowspan=2) for w in words) + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5)
                       + "</tr><tr>" + "".join(_td(w) for w in words * 2) + "</tr><tr>"
                       + "".join(_td(v) for g in APPEAL_GROUPS for v in t["appeals"][g].values()) + "</tr></table>")
    out.append(f"<p style='text-align:right'>{html.escape(name)}</p><p style='text-align:right'>{signed}</p>")
    return "\n".join(out)


def report_docx(name: str, year: int, tables: dict[str, Any], signed: str) -> bytes:
    """The report as a DOCX attachment (paragraphs and the three tables)."""
    import docx

    d = docx.Document()
    d.core_properties.title = f"{name}{year}年政府信息公开工作年度报告"
    d.add_paragraph(f"{name}{year}年政府信息公开工作年度报告")
    t = tables
    for i, heading in enumerate(SECTIONS):
        d.add_paragraph(heading)
        if i == 1:
            tab = d.add_table(rows=0, cols=4)
            for header, cols, rows in ACTIVE_BLOCKS[t["layout"]]:
                r = tab.add_row().cells
                r[0].text = header
                r = tab.add_row().cells
                for k, c in enumerate(cols):
                    r[k].text = c
                for key, label in rows:
                    r = tab.add_row().cells
                    r[0].text = label
                    for k, v in enumerate(t["active"][key].values()):
                        r[k + 1].text = str(v)
        elif i == 2:
            tab = d.add_table(rows=0, cols=10)
            head = tab.add_row().cells
            for k, c in enumerate(["", "", "", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]):
                head[k].text = c
            for key, cells in t["requests"].items():
                r = tab.add_row().cells
                r[0].text = GROUPS.get(key, "")
                r[2].text = LABELS[key]
                for k, v in enumerate(cells.values()):
                    r[3 + k].text = str(v)
        elif i == 3:
            tab = d.add_table(rows=2, cols=15)
            for k, w in enumerate(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3):
                tab.rows[0].cells[k].text = w
            for k, v in enumerate(v for g in APPEAL_GROUPS for v in t["appeals"][g].values()):
                tab.rows[1].cells[k].text = str(v)
        else:
            d.add_paragraph("略。")
    d.add_paragraph(signed)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def report_xlsx(name: str, year: int, tables: dict[str, Any], signed: str) -> bytes:
    """The three tables as a workbook (one sheet each), as some agencies publish them."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"{name}{year}年政府信息公开工作年度报告"])
    ws.append([SECTIONS[1]])
    t = tables
    for header, cols, rows in ACTIVE_BLOCKS[t["layout"]]:
        ws.append([header])
        ws.append(cols)
        for key, label in rows:
            ws.append([label, *t["active"][key].values()])
    ws.append([SECTIONS[2]])
    ws.append([None, None, None, "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    for key, cells in t["requests"].items():
        ws.append([GROUPS.get(key), None, LABELS[key], *cells.values()])
    ws.append([SECTIONS[3]])
    ws.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
    ws.append([v for g in APPEAL_GROUPS for v in t["appeals"][g].values()])
    ws.append([SECTIONS[4]])
    ws.append([SECTIONS[5]])
    ws.append([signed])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
