"""Region names beside codes (contract 4), from the shipped 2023 statistical codes."""

from __future__ import annotations

import pytest

from db.regions import SOURCE, region_label, region_name, region_path, valid_code

NAMES = [("321322", "沭阳县"), ("321300", "宿迁市"), ("320000", "江苏省"), ("320800", "淮安市"),
         ("320813", "洪泽区"), ("140900", "忻州市"), ("110100", "北京市"), ("110101", "东城区"),
         ("321322103", "钱集镇"), ("321322104", "塘沟镇"), ("321322001", "沭城街道"), ("321323101", "爱园镇"),
         ("321324202", "天岗湖乡"), ("321322103000", "钱集镇"), ("321322000", "沭阳县")]


@pytest.mark.parametrize(("code", "name"), NAMES)
def test_names(code: str, name: str) -> None:
    assert region_name(code) == name


@pytest.mark.parametrize("code", [None, "", "32132", "3213244", "999999", "321322999", "321322103201", "abcdef"])
def test_unknown_or_malformed_is_none(code: str | None) -> None:
    assert region_name(code) is None


def test_label_and_path() -> None:
    assert region_label("321322") == "沭阳县（321322）"
    assert region_label("321322103") == "钱集镇（321322103）"
    assert region_label("999999") == "999999"
    assert region_label(None) == ""
    assert region_path("321322103") == ["江苏省", "宿迁市", "沭阳县", "钱集镇"]
    assert valid_code("321322103") and not valid_code("3213221")
    assert "2023" in SOURCE


def test_every_township_of_the_fixtures_is_known() -> None:
    from tests.roster import book

    for _county, (code, _slug, towns) in book.COUNTIES.items():
        for suffix, town in towns:
            if town:
                assert region_name(code + suffix) == town
