"""Cell values: numbers, blanks (null, never 0) and garbage, as reports print them."""

from __future__ import annotations

import pytest

from parsing.labels import REQUEST_ROWS
from parsing.normalize import cn_number, norm_label, parse_cell
from parsing.sniff import sniff
from parsing.tables.rows import best_match


@pytest.mark.parametrize(
    ("raw", "value"),
    [("0", 0), ("１２３", 123), ("1,284", 1284), ("12 345", 12345), ("1 2", None), ("-3", -3), ("5.07", 5.07),
     ("7730.28", 7730.28), ("", None), ("&nbsp;", None), ("\u00a0", None), ("/", None), ("—", None),
     ("-", None), ("无", None), ("　0 ", 0), ("251000元", 251000), ("3件", 3), (12, 12), (5.0, 5), (None, None)],
)
def test_parse_cell(raw: object, value: object) -> None:
    assert parse_cell(raw).value == value


def test_unparseable_cell_keeps_raw_and_error() -> None:
    cell = parse_cell("约5")
    assert cell.value is None and cell.raw == "约5" and cell.error


def test_unit_is_kept() -> None:
    assert parse_cell("251000元").unit == "元"


def test_blank_is_not_zero() -> None:
    assert parse_cell("").value is None and parse_cell("0").value == 0


@pytest.mark.parametrize(
    ("label", "key"),
    [("2.其他法律行政止公开", "denied.prohibited_by_law"),  # real typo (hongze)
     ("结 果 维 持", None),
     ("（四）无 法提供 1.本机关不掌握相关政府信息", "unavailable.not_held"),
     ("三、本年度办理结果（一）予以公开", "granted"),
     ("（三）不予公开 1．属于国家秘密", "denied.state_secret"),
     ("（六）其他处理", "other"),
     ("（六）其他处理 3.其他", "other.other"),
     ("（六）其他处理 1、申请人无正当理由逾期不补 正、行政机关不再处理其政府信息公开申请", "other.no_correction"),
     ("四、结转下年度继续办理", "carried_forward"),
     ("（七）总计", "total")],
)
def test_label_matching(label: str, key: str | None) -> None:
    assert best_match(norm_label(label), [(r.key, r.pattern) for r in REQUEST_ROWS]) == key


def test_norm_label_unifies_widths_and_spaces() -> None:
    assert norm_label("（ 三 ）不 予\u3000公开 １．") == "(三)不予公开1."


@pytest.mark.parametrize(("text", "n"), [("二〇二一", 2021), ("十二", 12), ("二十八", 28), ("五", 5), ("十", 10)])
def test_cn_number(text: str, n: int) -> None:
    assert cn_number(text) == n


@pytest.mark.parametrize(
    ("data", "kind"),
    [(b"%PDF-1.7", "pdf"), (b"\xef\xbb\xbf<html><body>", "html"), (b"  <!DOCTYPE html><html>", "html"),
     (b"\x89PNG\r\n\x1a\nxxxx", "png"), (b"\xff\xd8\xff\xe0", "jpeg"), ("一、总体情况\n".encode("gbk"), "text"),
     (b"{\\rtf1\\ansi", "rtf"), (b"", "empty"), (b"\x00\x01\x02\x03" * 100, "binary")],
)
def test_sniff(data: bytes, kind: str) -> None:
    assert sniff(data) == kind
