"""A realistic roster workbook of 宿迁市 (and its CSV twin), built for the tests.

131 agencies: the city government, 30 city departments, three counties (沭阳县, 泗阳县,
泗洪县) each with its government, 12 departments and its 乡镇/街道 (real 2023 codes).
As auditors' sheets are: a merged title row, headers merged over two rows with variants
(单位类别, 区划代码, 所属政府, 门户网站, 年报栏目), kinds and parents sometimes left blank,
sites without http://, a blank row — and the mistakes the import must name:
"""

from __future__ import annotations

import csv
from pathlib import Path

CITY_DEPTS = ["发展和改革委员会", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局",
              "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "城市管理局", "交通运输局",
              "水利局", "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
              "审计局", "市场监督管理局", "统计局", "医疗保障局", "数据局", "政务服务管理办公室", "信访局",
              "机关事务管理局", "公共资源交易中心"]
COUNTY_DEPTS = ["教育局", "公安局", "民政局", "财政局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局",
                "交通运输局", "农业农村局", "卫生健康委员会", "市场监督管理局", "统计局"]
COUNTIES = {
    "沭阳县": ("321322", "shuyang", [
        ("001", "沭城街道"), ("002", "南湖街道"), ("003", "梦溪街道"), ("004", "十字街道"), ("005", "章集街道"),
        ("006", "七雄街道"), ("101", "陇集镇"), ("102", "胡集镇"), ("103", "钱集镇"), ("104", "塘沟镇"),
        ("105", "马厂镇"), ("106", "沂涛镇"), ("107", "庙头镇"), ("108", "韩山镇"), ("109", "华冲镇"),
        ("110", "桑墟镇"), ("111", "悦来镇"), ("112", "刘集镇"), ("114", "李恒镇"), ("115", "扎下镇"),
        ("116", "颜集镇"), ("117", "潼阳镇"), ("118", "龙庙镇"), ("119", "高墟镇"), ("120", "耿圩镇"),
        ("124", "新河镇"), ("125", "贤官镇"), ("126", "吴集镇"), ("128", "青伊湖镇"), ("205", "西圩乡"),
        ("", "")][:30]),
    "泗阳县": ("321323", "siyang", [
        ("001", "众兴街道"), ("002", "城厢街道"), ("003", "来安街道"), ("101", "爱园镇"), ("102", "王集镇"),
        ("103", "裴圩镇"), ("104", "新袁镇"), ("105", "李口镇"), ("106", "临河镇"), ("107", "穿城镇"),
        ("110", "卢集镇"), ("111", "三庄镇"), ("200", "庄圩乡")]),
    "泗洪县": ("321324", "sihong", [
        ("001", "青阳街道"), ("002", "大楼街道"), ("003", "重岗街道"), ("101", "双沟镇"), ("102", "上塘镇"),
        ("103", "魏营镇"), ("104", "临淮镇"), ("105", "半城镇"), ("106", "孙园镇"), ("107", "梅花镇"),
        ("108", "归仁镇"), ("109", "金锁镇"), ("110", "朱湖镇"), ("111", "界集镇"), ("113", "龙集镇"),
        ("202", "天岗湖乡"), ("203", "车门乡"), ("204", "瑶沟乡")]),
}
TITLE = "宿迁市政府信息公开工作年度报告发布主体名单（2025年）"
HEAD1 = ["序号", "单位名称", "单位类别", "区划代码", "所属政府", "网站信息", "网站信息"]
HEAD2 = ["", "", "", "", "", "门户网站", "年报栏目"]

# the mistakes, by the name of the row that carries them (the import must name each one)
DUPLICATE = "沭阳县教育局"                 # listed twice: the second is an error
WRONG_CODE = ("泗阳县王集镇", "321322102")   # a 沭阳县 code on a 泗阳县 township: error
BAD_CODE = ("泗洪县统计局", "3213244")      # seven digits: error
BAD_KIND = ("宿迁市公共资源交易中心", "事业单位")  # not a kind the registry knows: error
SWAPPED = ("沭阳县钱集镇人民政府", "321322104")  # 塘沟镇's code on 钱集镇: a warning (提示)


def roster_rows() -> list[list[str]]:
    """The data rows (after the two header rows), with one blank row and the mistakes."""
    rows: list[list[str]] = [["宿迁市人民政府", "政府", "321300", "", "www.suqian.gov.cn", "http://www.suqian.gov.cn/sqszf/zfxxgkndbg/"]]
    for n, d in enumerate(CITY_DEPTS):
        kind = "部门" if n % 3 else ""  # a third left blank: inferred from the name
        rows.append([f"宿迁市{d}", kind, "321300", "宿迁市人民政府", f"http://www.suqian.gov.cn/sq{n:02d}/", ""])
    rows.append(["", "", "", "", "", ""])  # a blank row between the city and its counties
    for c, (county, (code, slug, towns)) in enumerate(COUNTIES.items()):
        gov = f"{county}人民政府"
        rows.append([gov, "政府", code, "宿迁市人民政府", f"http://www.{slug}.gov.cn/", ""])
        for n, d in enumerate(COUNTY_DEPTS):
            parent = ["", gov, county][c]  # blank (implied by the code), full name, short name
            rows.append([f"{county}{d}", "部门" if c != 1 else "", code, parent, f"http://www.{slug}.gov.cn/{slug[:2]}bm{n:02d}/", ""])
        for suffix, town in towns:
            if not town:
                continue
            name = f"{county}{town}" + ("人民政府" if c == 0 and town.endswith(("镇", "乡")) else
                                        "办事处" if town.endswith("街道") and c == 2 else "")
            parent = ["", code, gov][c]  # implied, by code, by name
            kind = "乡镇（街道）" if c == 2 else ""
            rows.append([name, kind, code + suffix, parent, f"http://www.{slug}.gov.cn/xz{suffix}/", ""])
    rows.append([DUPLICATE, "部门", "321322", "", "http://www.shuyang.gov.cn/jyj/", ""])
    fix = {WRONG_CODE[0]: (2, WRONG_CODE[1]), BAD_CODE[0]: (2, BAD_CODE[1]), BAD_KIND[0]: (1, BAD_KIND[1]),
           SWAPPED[0]: (2, SWAPPED[1])}
    for row in rows:
        if row[0] in fix:
            col, value = fix[row[0]]
            row[col] = value
    return rows


def grid() -> list[list[str]]:
    """The whole sheet as text: title, two header rows, numbered data rows."""
    out = [[TITLE, "", "", "", "", "", ""], HEAD1, HEAD2]
    n = 0
    for row in roster_rows():
        if any(row):
            n += 1
            out.append([str(n), *row])
        else:
            out.append(["", *row])
    return out


def write_xlsx(path: Path) -> Path:
    """The workbook: merged title, headers merged over two rows, codes stored as numbers."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    for r, row in enumerate(grid(), start=1):
        for c, value in enumerate(row, start=1):
            if not value or r == 1 or (r == 3 and c < 6):
                continue  # covered by a merged cell: Excel keeps the text in the first cell only
            numeric = r > 3 and c in (1, 4) and value.isdigit()  # 序号 and 区划代码 typed as numbers
            ws.cell(r, c, int(value) if numeric else value)
    ws.cell(1, 1, TITLE)
    ws.merge_cells("A1:G1")
    for col in "ABCDE":
        ws.merge_cells(f"{col}2:{col}3")  # 序号 … 所属政府 span both header rows
    ws.merge_cells("F2:G2")  # 网站信息 over 门户网站 | 年报栏目
    ws2 = wb.create_sheet("说明")
    ws2["A1"] = "本表由政务公开办维护"
    wb.save(path)
    return path


def write_csv(path: Path) -> Path:
    """The CSV twin, as Excel saves it: a merged cell's text only in its first cell."""
    g = grid()
    g[1] = ["序号", "单位名称", "单位类别", "区划代码", "所属政府", "网站信息", ""]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(g)
    return path


def agency_count() -> int:
    return sum(1 for r in roster_rows() if any(r)) - 1  # less the duplicate row
