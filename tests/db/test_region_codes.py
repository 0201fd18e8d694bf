"""Region codes: 6-digit counties, 9-digit 乡镇/街道, 12-digit villages; the prefix must fit the parent."""

from __future__ import annotations

import pytest

from db.registry import RegistryError, parse_registry, region_prefix

COUNTY = """agencies:
  - {id: siyang, name: 泗阳县人民政府, kind: government, region: "321323", site: 'http://www.siyang.gov.cn/'}
  - {id: suqian, name: 宿迁市人民政府, kind: government, region: "321300", site: 'http://www.suqian.gov.cn/'}
  - id: town
    name: 某某镇人民政府
    kind: township
    region: "%s"
    parent: %s
    site: http://town.gov.cn/
"""


@pytest.mark.parametrize(("code", "parent"), [("321323104", "siyang"), ("321323104000", "siyang"), ("321323", "suqian"),
                                              ("321323104", "suqian")])
def test_township_codes_are_accepted(code: str, parent: str) -> None:
    reg = parse_registry(COUNTY % (code, parent))
    assert reg.get("town").region == code


def test_a_wrong_prefix_is_named() -> None:
    with pytest.raises(RegistryError) as info:
        parse_registry(COUNTY % ("321322104", "siyang"), "reg.yaml")
    [(line, field, why)] = info.value.errors
    assert (line, field) == (7, "agencies[2].region")
    assert "321322104" in why and "siyang" in why and "321323" in why and "应以321323开头" in why


@pytest.mark.parametrize("code", ["32132310", "3213231040", "32132A"])
def test_other_lengths_are_rejected(code: str) -> None:
    with pytest.raises(RegistryError) as info:
        parse_registry(COUNTY % (code, "siyang"))
    assert [f for _, f, _ in info.value.errors] == ["agencies[2].region"]


@pytest.mark.parametrize(("code", "prefix"), [("320000", "32"), ("321300", "3213"), ("321323", "321323"),
                                              ("321323104", "321323104"), ("321323104000", "321323104"),
                                              ("321323000000", "321323")])
def test_region_prefix(code: str, prefix: str) -> None:
    assert region_prefix(code) == prefix
