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


AGENCY = "  - {id: a, name: 甲局, kind: department, site: 'http://a.gov.cn/'}\n"


def _errors(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(RegistryError) as info:
        parse_registry(text, "r.yaml")
    return info.value.errors


@pytest.mark.parametrize(("text", "line", "field"), [
    # typos that used to leave the statute's deadlines in force, silently
    ("default:\n  deadlines: {department: '02-15'}\nagencies:\n" + AGENCY, 1, "default"),
    ("defaults:\n  deadline: {department: '02-15'}\nagencies:\n" + AGENCY, 2, "defaults.deadline"),
    ("defaults:\n  regions:\n    '3208': {township: '02-20'}\n  trusted_host: [x.cn]\nagencies:\n" + AGENCY, 4,
     "defaults.trusted_host"),
    ("agencies:\n  - id: a\n    name: 甲局\n    kind: department\n    site: 'http://a.gov.cn/'\n    deadlines: '02-01'\n",
     6, "agencies[0].deadlines"),
])
def test_unknown_keys_are_rejected_at_every_level(text: str, line: int, field: str) -> None:
    errors = _errors(text)
    assert [(ln, f) for ln, f, _ in errors] == [(line, field)]
    assert "unknown" in errors[0][2]


def test_duplicate_keys_are_rejected_with_their_line() -> None:
    errors = _errors("defaults:\n  deadlines: {department: '02-15'}\n  deadlines: {department: '01-31'}\n"
                     "agencies:\n  - id: a\n    name: 甲局\n    kind: department\n    kind: government\n"
                     "    site: 'http://a.gov.cn/'\n")
    assert [(ln, f) for ln, f, _ in errors] == [(3, "defaults.deadlines"), (8, "agencies[0].kind")]
    assert all("duplicate key (first at line" in why for _, _, why in errors)
    top = _errors("agencies:\n" + AGENCY + "agencies:\n" + AGENCY)
    assert [(ln, f) for ln, f, _ in top] == [(3, "agencies")]


def test_parent_cycles_are_rejected_with_their_line() -> None:
    errors = _errors("agencies:\n"
                     "  - {id: a, name: 甲, kind: government, site: 'http://a.gov.cn/', parent: b}\n"
                     "  - {id: b, name: 乙, kind: government, site: 'http://b.gov.cn/', parent: a}\n"
                     "  - {id: c, name: 丙, kind: department, site: 'http://c.gov.cn/', parent: c}\n"
                     "  - {id: d, name: 丁, kind: department, site: 'http://d.gov.cn/', parent: a}\n")
    assert [(ln, f) for ln, f, _ in errors] == [(2, "agencies[0].parent"), (4, "agencies[2].parent")]
    assert "a -> b -> a" in errors[0][2] and "c -> c" in errors[1][2]


def test_attachment_hosts_is_a_known_key() -> None:
    reg = parse_registry("defaults:\n  attachment_hosts: [files.example.cn]\nagencies:\n"
                         "  - {id: a, name: 甲局, kind: department, site: 'http://a.gov.cn/', attachment_hosts: [x.cn]}\n")
    assert [a.id for a in reg.agencies] == ["a"]


@pytest.mark.parametrize("text", ["- a\n- b\n", "agencies:\n  a: {id: a}\n", "defaults: [1]\nagencies:\n" + AGENCY,
                                  "defaults: 3\nagencies: []\n", "agencies:\n  - 3\n  - [x]\n", "42\n", ""])
def test_a_registry_of_the_wrong_shape_is_an_error_not_a_crash(text: str) -> None:
    assert _errors(text)
def test_attachment_hosts_in_defaults_and_per_agency() -> None:
    base = "agencies:\n  - id: x\n    name: 某镇\n    kind: township\n    site: https://x.gov.cn/\n"
    reg = parse_registry("defaults:\n  attachment_hosts: [Files.Example.com]\n" + base + "    attachment_hosts: [cdn.x.cn]\n")
    assert reg.attachment_hosts == ["files.example.com"] and reg.agencies[0].attachment_hosts == ("cdn.x.cn",)
    with pytest.raises(RegistryError) as info:
        parse_registry("defaults:\n  attachment_hosts: cdn.x.cn\n" + base + "    attachment_hosts: [not a host]\n")
    fields = {f for _, f, _ in info.value.errors}
    assert fields == {"defaults.attachment_hosts", "agencies[0].attachment_hosts"}
