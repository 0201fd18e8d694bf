"""Tables published as pictures inside an HTML article: the prose stays text, the three
tables are PNG images drawn with PIL and a CJK font (fonts-noto-cjk), legible to OCR.

Images are drawn on first request and kept (building the web stays fast).
"""

from __future__ import annotations

import functools
import html
import io
from pathlib import Path

from varietyweb.content import Report, hexname
from varietyweb.web import Request, Resource, Site

FONT_CANDIDATES = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


@functools.lru_cache(maxsize=1)
def _font(size: int = 20):
    from PIL import ImageFont

    for path in FONT_CANDIDATES:
        if Path(path).exists():
            for index in range(10):  # pick the Simplified Chinese face of the collection
                try:
                    f = ImageFont.truetype(path, size, index=index)
                except OSError:
                    break
                if "SC" in " ".join(n or "" for n in f.getname()):
                    return f
            return ImageFont.truetype(path, size)
    raise RuntimeError("没有找到中文字体：请安装 fonts-noto-cjk（scripts/system-packages.sh）")


def table_rows(rep: Report, which: int) -> list[list[str]]:
    """Rows (cells as text) of table ``which`` (0 active, 1 requests, 2 appeals)."""
    from sampleweb.reports import ACTIVE_BLOCKS, LABELS

    t = rep.tables or {}
    if which == 0:
        rows: list[list[str]] = []
        for header, cols, items in ACTIVE_BLOCKS[t["layout"]]:
            rows += [[header], list(cols)]
            rows += [[label, *map(str, t["active"][key].values())] for key, label in items]
        return rows
    if which == 1:
        rows = [["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]
        return rows + [[LABELS[k], *map(str, cells.values())] for k, cells in t["requests"].items()]
    words = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    names = {"review": "行政复议", "litigation_direct": "未经复议直接起诉", "litigation_after_review": "复议后起诉"}
    return [["", *words]] + [[names.get(g, g), *map(str, cells.values())] for g, cells in t["appeals"].items()]


def draw_table(rows: list[list[str]]) -> bytes:
    """A bordered table as a PNG (white background, black text)."""
    from PIL import Image, ImageDraw

    font = _font()
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    for r in rows:
        for k, cell in enumerate(r):
            widths[k] = max(widths[k], int(font.getlength(cell)) + 24)
    widths = [max(w, 60) for w in widths]
    row_h = 38
    width, height = sum(widths) + 2, row_h * len(rows) + 2
    img = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(img)
    y = 0
    for r in rows:
        x = 0
        for k in range(ncols):
            w = widths[k] if (len(r) > 1 or k == 0) else 0
            if len(r) == 1:  # a heading row spans the table
                w = width - 2 if k == 0 else 0
            if w:
                d.rectangle([x, y, x + w, y + row_h], outline="black", width=1)
                if k < len(r):
                    d.text((x + 12, y + 7), r[k], fill="black", font=font)
            x += w
        y += row_h
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def add_pictures(site: Site, rep: Report, base: str) -> str:
    """Register the report's three table images under ``base`` and return the article body:
    prose as text, each table an ``<img>``."""
    from sampleweb.reports import SECTIONS

    stem = hexname(rep, "img")[:20]
    prefix = f"{base}W0{rep.published:%Y%m%d}{stem}"
    cache: dict[int, bytes] = {}

    def serve(req: Request) -> Resource | None:
        tail = req.path[len(prefix):]
        if tail not in ("_1.png", "_2.png", "_3.png"):
            return None
        which = int(tail[1]) - 1
        if which not in cache:
            cache[which] = draw_table(table_rows(rep, which))
        return Resource(cache[which], "image/png")

    site.route(prefix, serve)
    new = (rep.tables or {}).get("requests", {}).get("new_received", {}).get("total", 0)
    out = [f"<p style='text-align:center'><strong>{html.escape(rep.title)}</strong></p>",
           f"<p>本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{rep.year}年1月1日至{rep.year}年12月31日。"
           f"{rep.year}年共收到政府信息公开申请{new}件。</p>"]
    for i, heading in enumerate(SECTIONS):
        out.append(f"<p><strong>{heading}</strong></p>")
        if 1 <= i <= 3:
            out.append(f'<p style="text-align:center"><img src="{prefix}_{i}.png" border="0" alt="" '
                       f'style="width:100%;max-width:900px"></p>')
        else:
            out.append("<p>无。</p>" if i >= 4 else "")
    out.append(f"<p style='text-align:right'>{html.escape(rep.agency.name)}</p><p style='text-align:right'>{rep.signed}</p>")
    return "\n".join(out)
