"""A malformed registry is rejected whole, with every error's line and field."""

from __future__ import annotations

import pytest

from db.registry import RegistryError, parse_registry

BAD = """defaults:
  deadlines: {department: "01-32", county: "03-31"}
agencies:
  - id: Good-ID
    name: 某局
    kind: department
    site: http://a.gov.cn/
  - id: b
    kind: bureau
    site: ftp://b.gov.cn/
    deadline: "2-30"
    region: 1409
    parent: nobody
    colour: red
  - id: b
    name: 重复
    kind: township
    site: http://c.gov.cn/
    start_urls: [not-a-url]
"""


def test_every_error_with_line_and_field() -> None:
    with pytest.raises(RegistryError) as info:
        parse_registry(BAD, "reg.yaml")
    errors = info.value.errors
    fields = {(line, field) for line, field, _ in errors}
    assert (2, "defaults.deadlines.department") in fields
    assert (2, "defaults.deadlines.county") in fields
    assert (4, "agencies[0].id") in fields
    assert {(8, "agencies[1].name"), (9, "agencies[1].kind"), (10, "agencies[1].site"),
            (11, "agencies[1].deadline"), (12, "agencies[1].region"), (14, "agencies[1].colour"),
            (13, "agencies[1].parent")} <= fields
    assert (15, "agencies[2].id") in fields and (19, "agencies[2].start_urls") in fields
    assert str(info.value).startswith("reg.yaml: 12 error(s) in the registry\n  line 2:")


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(RegistryError) as info:
        parse_registry("agencies:\n  - id: a\n   name: [broken\n", "r.yaml")
    assert info.value.errors[0][0] >= 2


def test_valid_registry() -> None:
    reg = parse_registry(
        "defaults:\n  deadlines: {township: '02-20'}\nagencies:\n  - id: x\n    name: 某镇\n    kind: township\n"
        "    site: https://x.gov.cn/\n    hosts: [X.gov.cn, y.gov.cn]\n")
    assert reg.deadlines["township"] == "02-20" and reg.deadlines["department"] == "01-31"
    assert reg.agencies[0].hosts == ("x.gov.cn", "y.gov.cn")


def test_attachment_hosts_in_defaults_and_per_agency() -> None:
    base = "agencies:\n  - id: x\n    name: 某镇\n    kind: township\n    site: https://x.gov.cn/\n"
    reg = parse_registry("defaults:\n  attachment_hosts: [Files.Example.com]\n" + base + "    attachment_hosts: [cdn.x.cn]\n")
    assert reg.attachment_hosts == ["files.example.com"] and reg.agencies[0].attachment_hosts == ("cdn.x.cn",)
    with pytest.raises(RegistryError) as info:
        parse_registry("defaults:\n  attachment_hosts: cdn.x.cn\n" + base + "    attachment_hosts: [not a host]\n")
    fields = {f for _, f, _ in info.value.errors}
    assert fields == {"defaults.attachment_hosts", "agencies[0].attachment_hosts"}
