"""Importing a new version of the roster into the registry the office already has."""

from __future__ import annotations

import csv
from pathlib import Path

from db.registry import parse_registry, sync_registry
from db.roster import build_registry
from db.roster_names import assign_ids, base_id
from db.roster_sheet import read_sheet
from db.schema import open_db
from tests.roster import book


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位名称", "类型", "区划代码", "上级单位", "网站"], *rows])
    return path


def test_merge_keeps_ids_and_marks_vanished_rows(workbooks: dict[str, Path], tmp_path: Path) -> None:
    first = build_registry(read_sheet(workbooks["csv"]), skip_invalid=True)
    existing = first.data
    # the office's ids are its own: an agency renamed by hand in the registry keeps its id
    existing["agencies"][1]["id"] = "sq-fgw"
    existing["agencies"][2]["start_urls"] = ["http://www.suqian.gov.cn/sq01/ndbg/"]
    existing["agencies"][2]["deadline"] = "02-15"
    existing["defaults"] = {"deadlines": {"township": "02-28"}}
    # next year's sheet: 宿迁市统计局 gone, a new 宿迁市数据局 sub-office, everything else alike
    rows = [r[:5] for r in book.roster_rows() if any(r) and r[0] not in (
        "宿迁市统计局", book.BAD_KIND[0], book.WRONG_CODE[0], book.BAD_CODE[0])]
    rows = [r for n, r in enumerate(rows) if r[0] != book.DUPLICATE or n < 60]
    rows.append(["宿迁市大数据中心", "部门", "321300", "宿迁市人民政府", "http://www.suqian.gov.cn/dsj/"])
    merged = build_registry(read_sheet(_write(tmp_path / "2026.csv", rows)), existing)
    assert merged.errors == []
    assert merged.counts == {"new": 1, "kept": 127, "vanished": 1, "skipped": 0}
    by_id = {a["id"]: a for a in merged.data["agencies"]}
    assert by_id["sq-fgw"]["name"] == "宿迁市发展和改革委员会"  # the existing id, not a new one
    assert by_id["suqian-jyj"]["start_urls"] == ["http://www.suqian.gov.cn/sq01/ndbg/"]  # kept
    assert by_id["suqian-jyj"]["deadline"] == "02-15"
    assert by_id["suqian-tjj"]["status"] == "vanished"  # kept, marked, not deleted
    assert by_id["suqian-dsjzx"]["parent"] == "suqian-rmzf"
    assert merged.data["defaults"] == {"deadlines": {"township": "02-28"}}
    reg = parse_registry(merged.yaml())
    # in the database the vanished agency becomes inactive (not crawled), its history stays
    with open_db(f"sqlite:///{tmp_path / 'db.sqlite'}")() as session:
        sync_registry(session, reg)
        from db.models import Agency

        assert session.get(Agency, "suqian-tjj").active is False
        assert session.get(Agency, "suqian-jyj").active is True
    # and when it comes back on the roster it is active again, under its old id
    rows.append(["宿迁市统计局", "部门", "321300", "宿迁市人民政府", "http://www.suqian.gov.cn/sq23/"])
    back = build_registry(read_sheet(_write(tmp_path / "2027.csv", rows)), merged.data)
    assert {a["id"]: a for a in back.data["agencies"]}["suqian-tjj"].get("status") is None


def test_ids_collide_deterministically() -> None:
    names = ["沭阳县教育局", "沭阳县交易局", "沭阳县教育局"]
    assert base_id(names[0]) == base_id(names[1]) == "shuyang-jyj"
    assert assign_ids(names) == ["shuyang-jyj", "shuyang-jyj-2", "shuyang-jyj-3"]
    assert assign_ids(names, taken={"shuyang-jyj"}) == ["shuyang-jyj-2", "shuyang-jyj-3", "shuyang-jyj-4"]


def test_skip_invalid_keeps_what_the_registry_had(workbooks: dict[str, Path], tmp_path: Path) -> None:
    existing = build_registry(read_sheet(workbooks["csv"]), skip_invalid=True).data
    rows = [["宿迁市人民政府", "政府", "321300", "", "http://www.suqian.gov.cn/"],
            ["宿迁市教育局", "部门", "32130", "宿迁市人民政府", "http://www.suqian.gov.cn/jyj-new/"],  # bad code
            ["宿迁市新设局", "部门", "321300", "宿迁市教育局", "http://www.suqian.gov.cn/xsj/"]]
    merged = build_registry(read_sheet(_write(tmp_path / "part.csv", rows)), existing, skip_invalid=True)
    by_id = {a["id"]: a for a in merged.data["agencies"]}
    assert by_id["suqian-jyj"]["site"] == "http://www.suqian.gov.cn/sq01/"  # the previous entry, not lost
    assert by_id["suqian-xsj"]["parent"] == "suqian-jyj"
    assert merged.counts["new"] == 1 and merged.counts["skipped"] == 1
    assert parse_registry(merged.yaml())
