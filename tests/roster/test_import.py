"""registry import on a realistic roster: the registry that comes out, and every error named."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from db.registry import parse_registry
from db.roster import build_registry
from db.roster_sheet import SheetError, read_sheet
from tests.roster import book

# (row, column, field, level) of every problem the workbook carries, and a word of each message
EXPECTED = [
    (34, "C", "kind", "error", "事业单位"),          # BAD_KIND
    (57, "D", "region", "warning", "塘沟镇"),         # SWAPPED: 钱集镇 carries 塘沟镇's code
    (96, "D", "region", "error", "泗阳县人民政府"),    # WRONG_CODE: a 沭阳县 code under 泗阳县
    (117, "D", "region", "error", "3213244"),         # BAD_CODE: seven digits
    (136, "B", "name", "error", "第37行"),            # DUPLICATE of 沭阳县教育局
]


def _rows_named(grid_name: str) -> int:
    return next(n for n, row in enumerate(book.grid(), start=1) if row[1] == grid_name)


def test_expected_rows_are_those_of_the_mistakes() -> None:
    """The expectations point at the rows the workbook builder put the mistakes in."""
    assert _rows_named(book.BAD_KIND[0]) == 34
    assert _rows_named(book.SWAPPED[0]) == 57
    assert _rows_named(book.WRONG_CODE[0]) == 96
    assert _rows_named(book.BAD_CODE[0]) == 117
    assert [n for n, r in enumerate(book.grid(), start=1) if r[1] == book.DUPLICATE] == [37, 136]
    assert book.agency_count() >= 100


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_mistake_is_named_by_row_and_column(workbooks: dict[str, Path], fmt: str) -> None:
    sheet = read_sheet(workbooks[fmt])
    assert sheet.headers == {"name": "单位名称", "kind": "单位类别", "region": "区划代码", "parent": "所属政府",
                             "site": "门户网站", "column": "年报栏目"}
    assert len(sheet.rows) == book.agency_count() + 1  # the blank row skipped, the duplicate kept
    result = build_registry(sheet)
    got = [(i.row, i.column, i.field, i.level) for i in result.issues]
    assert got == [e[:4] for e in EXPECTED]
    for issue, expected in zip(result.issues, EXPECTED, strict=True):
        assert expected[4] in issue.why
        assert str(issue).startswith(f"第{expected[0]}行 {expected[1]}列")


def test_the_csv_twin_gives_the_same_registry(workbooks: dict[str, Path]) -> None:
    a = build_registry(read_sheet(workbooks["xlsx"]), skip_invalid=True)
    b = build_registry(read_sheet(workbooks["csv"]), skip_invalid=True)
    assert a.yaml() == b.yaml()


@pytest.fixture(scope="module")
def registry(workbooks: dict[str, Path]):
    result = build_registry(read_sheet(workbooks["xlsx"]), skip_invalid=True)
    return result, parse_registry(result.yaml())


def test_the_registry_that_comes_out(registry) -> None:
    result, reg = registry
    assert result.counts == {"new": 128, "kept": 0, "vanished": 0, "skipped": 4}
    assert Counter(a.kind for a in reg.agencies) == {"government": 4, "department": 64, "township": 60}
    by_id = {a.id: a for a in reg.agencies}
    city = by_id["suqian-rmzf"]
    assert (city.name, city.kind, city.region, city.parent) == ("宿迁市人民政府", "government", "321300", None)
    assert city.site == "http://www.suqian.gov.cn/"  # typed without http://
    assert city.start_urls == ("http://www.suqian.gov.cn/sqszf/zfxxgkndbg/",)  # 年报栏目
    # kinds left blank are inferred from the name; parents by name, code, short name, or implied
    assert by_id["suqian-jyj"].kind == "department" and by_id["suqian-jyj"].parent == "suqian-rmzf"
    assert by_id["shuyang-rmzf"].parent == "suqian-rmzf"
    assert by_id["shuyang-jyj"].parent == "shuyang-rmzf"          # blank: implied by the code
    assert by_id["siyang-jyj"].parent == "siyang-rmzf"            # by full name
    assert by_id["sihong-jyj"].parent == "sihong-rmzf"            # by short name 泗洪县
    town = by_id["shuyang-qianji-rmzf"]
    assert (town.kind, town.region, town.parent) == ("township", "321322104", "shuyang-rmzf")
    assert by_id["siyang-aiyuan"].parent == "siyang-rmzf"         # by code 321323
    assert by_id["siyang-aiyuan"].kind == "township"              # 类型 blank, 泗阳县爱园镇
    assert by_id["sihong-qingyang-bsc"].name == "泗洪县青阳街道办事处"
    assert all(a.parent for a in reg.agencies if a.id != "suqian-rmzf")
    # the rows with errors are left out, nothing else
    names = {a.name for a in reg.agencies}
    assert not names & {book.BAD_KIND[0], book.WRONG_CODE[0], book.BAD_CODE[0]}
    assert book.SWAPPED[0] in names  # a warning does not block


def test_ids_are_ascii_unique_and_stable(workbooks: dict[str, Path], registry) -> None:
    _, reg = registry
    ids = [a.id for a in reg.agencies]
    assert len(set(ids)) == len(ids) and all(i.isascii() for i in ids)
    again = build_registry(read_sheet(workbooks["xlsx"]), skip_invalid=True)
    assert [a["id"] for a in again.data["agencies"]] == ids


def test_header_variants_and_a_gbk_csv(tmp_path: Path) -> None:
    text = ("机构名称,类型,行政区划代码,上级单位,网址\n"
            "泗阳县人民政府,,321323,,http://www.siyang.gov.cn\n"
            "泗阳县城市管理局,,321323,泗阳县人民政府,http://www.siyang.gov.cn/cgj/\n"
            ",,,,\n"
            "泗阳县众兴街道办事处,乡镇,321323001,321323,http://www.siyang.gov.cn/zx/\n"
            "泗阳县档案馆,单位类别不明,321323,,ftp://www.siyang.gov.cn/daj/\n")
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode("gbk"))
    result = build_registry(read_sheet(path))
    agencies = {a["name"]: a for a in result.data["agencies"]}
    assert agencies["泗阳县人民政府"]["kind"] == "government"
    assert agencies["泗阳县城市管理局"]["kind"] == "department"  # 城市 is not a place
    assert agencies["泗阳县城市管理局"]["id"] == "siyang-csglj"
    assert agencies["泗阳县众兴街道办事处"]["parent"] == "siyang-rmzf"
    # the registry's own validation (db/registry.py) reports the ftp site, mapped to its cell
    got = [(i.row, i.column, i.field) for i in result.errors]
    assert got == [(6, "B", "kind"), (6, "E", "site")]


def test_not_a_roster_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(SheetError, match="找不到表头"):
        read_sheet(path)
    (tmp_path / "x.ods").write_text("", encoding="utf-8")
    with pytest.raises(SheetError, match="只支持"):
        read_sheet(tmp_path / "x.ods")


def test_cli_lists_every_error_and_writes_nothing(workbooks: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "registry.yaml"
    run = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "import", str(workbooks["xlsx"]), "-o", str(out)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 1 and not out.exists()
    lines = run.stderr.splitlines()
    for row, col, *_ in EXPECTED:
        assert any(line.strip().startswith(f"第{row}行 {col}列") for line in lines), run.stderr
    assert lines[-1] == "nianbao: 4 处错误，未写入名录（改正后重新导入，或用 --skip-invalid 先导入无误的行）"
    ok = subprocess.run([sys.executable, "-m", "crawler.cli", "registry", "import", str(workbooks["csv"]), "-o", str(out),
                         "--skip-invalid"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "128 个单位" in ok.stdout and "跳过有错误的 4 行" in ok.stdout
    assert "沭阳县（321322）：部门 12，政府 1，乡镇（街道） 30" in ok.stdout  # counts by region name
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["agencies"]) == 128


@pytest.mark.soffice
def test_an_old_xls_workbook_reads_the_same(workbooks: dict[str, Path], tmp_path: Path) -> None:
    """Offices still keep .xls: the same sheet saved by LibreOffice as Excel 97-2003."""
    import shutil

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: scripts/system-packages.sh installs it")
    subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(workbooks["xlsx"])],
                   capture_output=True, timeout=180, check=True)
    xls = build_registry(read_sheet(tmp_path / (workbooks["xlsx"].stem + ".xls")), skip_invalid=True)
    xlsx = build_registry(read_sheet(workbooks["xlsx"]), skip_invalid=True)
    assert xls.yaml() == xlsx.yaml()
    assert [str(i) for i in xls.issues] == [str(i) for i in xlsx.issues]


def test_kind_words_and_codes_as_typed(tmp_path: Path) -> None:
    text = ("单位名称,单位类别,区划代码,网站\n"
            "沭阳县人民政府,县（区）政府,３２１３２２,www.shuyang.gov.cn\n"
            "沭阳县教育局,县直部门,321322.0,www.shuyang.gov.cn/jyj\n"
            "沭阳县钱集镇人民政府,镇（街道）,321322103,www.shuyang.gov.cn/qjz\n")
    path = tmp_path / "名单.csv"
    path.write_text(text, encoding="utf-8")
    result = build_registry(read_sheet(path))
    assert result.issues == []
    got = [(a["kind"], a["region"], a.get("parent"), a["site"]) for a in result.data["agencies"]]
    assert got == [("government", "321322", None, "http://www.shuyang.gov.cn/"),
                   ("department", "321322", "shuyang-rmzf", "http://www.shuyang.gov.cn/jyj"),
                   ("township", "321322103", "shuyang-rmzf", "http://www.shuyang.gov.cn/qjz")]
