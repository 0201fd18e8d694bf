"""Tables published as pictures in an article: the body's <img> are taken (not the site
chrome), stacked in page order and read by OCR through parsing's public API, with the
warning that the values came from OCR."""

from __future__ import annotations

import io

import pytest

from crawler.ingestion import stack_images
from parsing.api import parse_bytes
from parsing.readers import ocr
from spiders.articles import table_images
from tests.conftest import FIXTURES

PAGE = """<html><body><div class="logo"><img src="/images/logo.png"></div>
<div id="zoom"><p>一、总体情况……</p><p><img src="./W020240125_1.png" width="640"></p>
<p><img src="./W020240125_2.jpg"></p><img src="/images/share_weixin.png"><img src="icon.gif" width="16"></div>
<div class="footer"><img src="/dzjg.png"></div></body></html>"""


def test_only_the_bodys_pictures_are_taken() -> None:
    url = "http://www.mmx.gov.cn/xxgk/ndbg/202401/t20240125_1.html"
    assert table_images(url, PAGE) == ["http://www.mmx.gov.cn/xxgk/ndbg/202401/W020240125_1.png",
                                       "http://www.mmx.gov.cn/xxgk/ndbg/202401/W020240125_2.jpg"]
    assert table_images(url, "<html><body><p>no body container</p><img src='a.png'></body></html>") == []


def test_a_page_without_pictures_is_not_parsed_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most article pages have no <img>: answered without building a selector tree and
    trying every body selector on the crawl's reactor thread; a tag in any case is still read."""
    import spiders.articles as articles

    url = "http://www.mmx.gov.cn/xxgk/ndbg/202401/t20240125_1.html"
    upper = PAGE.replace("<img", "<IMG")
    assert table_images(url, upper) == table_images(url, PAGE)

    def no_parse(*args: object, **kw: object) -> None:
        raise AssertionError("parsed a page without pictures")

    monkeypatch.setattr(articles, "Selector", no_parse)
    assert table_images(url, '<html><body><div id="zoom"><p>一、总体情况……</p></div></body></html>') == []


def _halves() -> list[bytes]:
    from PIL import Image

    img = Image.open(FIXTURES / "formats" / "hongze-2023-tables.png").convert("RGB")
    out = []
    for box in ((0, 0, img.width, img.height // 2), (0, img.height // 2, img.width, img.height)):
        buf = io.BytesIO()
        img.crop(box).save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def test_stacked_pictures_keep_their_order_and_size() -> None:
    from PIL import Image

    top, bottom = _halves()
    sheet = Image.open(io.BytesIO(stack_images([top, bottom])))
    whole = Image.open(FIXTURES / "formats" / "hongze-2023-tables.png")
    assert sheet.size == whole.size
    assert stack_images([b"not a picture"]) is None


@pytest.mark.ocr
@pytest.mark.skipif(not ocr.available(), reason="OCR extra (rapidocr-onnxruntime) not installed")
def test_tables_split_over_two_pictures_are_read_by_ocr() -> None:
    report = parse_bytes(stack_images(_halves()))
    whole = parse_bytes((FIXTURES / "formats" / "hongze-2023-tables.png").read_bytes())
    assert report.tables["active"].found and report.tables["appeals"].found  # the picture holds tables 二 and 四
    assert report.tables["appeals"].rows == whole.tables["appeals"].rows
    assert "tables read by OCR from an image; check the values" in report.warnings

