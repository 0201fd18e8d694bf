"""A minimal text PDF writer for Chinese attachments, without any PDF library.

Uses the PDF standard CJK font ``STSong-Light`` with the predefined CMap ``UniGB-UCS2-H``
(no font embedding: every reader knows Adobe-GB1), one line of text per row, so the
report's text and table rows can be extracted from the file as from a real text PDF.
"""

from __future__ import annotations


def _hex(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        out.append(f"{code:04X}" if code <= 0xFFFF else "FF1F")  # outside UCS-2: a visible placeholder
    return "".join(out)


def text_pdf(lines: list[str], title: str = "") -> bytes:
    """A PDF of ``lines`` (A4, 40 lines a page, 10.5 pt)."""
    per = 40
    pages = [lines[i:i + per] for i in range(0, len(lines), per)] or [[]]
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    catalog = add(b"")  # placeholders filled below
    pages_obj = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
               b"/DescendantFonts [" + str(len(objs) + 3).encode() + b" 0 R] >>")
    add(b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>")
    add(b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (GB1) /Supplement 4 >> /FontDescriptor " + str(font + 1).encode() + b" 0 R /DW 1000 >>")
    kids = []
    for chunk in pages:
        ops = ["BT", "/F1 10.5 Tf", "14 TL", "50 800 Td"]
        for line in chunk:
            ops.append(f"<{_hex(line)}> Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("ascii")
        content = add(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent " + str(pages_obj).encode() + b" 0 R /MediaBox [0 0 595 842] "
                        b"/Resources << /Font << /F1 " + str(font).encode() + b" 0 R >> >> /Contents "
                        + str(content).encode() + b" 0 R >>"))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages " + str(pages_obj).encode() + b" 0 R >>"
    objs[pages_obj - 1] = (b"<< /Type /Pages /Kids [" + b" ".join(f"{k} 0 R".encode() for k in kids)
                           + b"] /Count " + str(len(kids)).encode() + b" >>")
    info = add(b"<< /Title <FEFF" + _hex(title).encode() + b"> /Producer (WPS Office) >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def report_lines(name: str, year: int, tables: dict, signed: str) -> list[str]:
    """The report as text lines: headings, prose and one line per table row."""
    from sampleweb.reports import ACTIVE_BLOCKS, LABELS, SECTIONS

    t = tables
    lines = [f"{name}{year}年政府信息公开工作年度报告", "",
             f"本报告根据《中华人民共和国政府信息公开条例》编制，统计期限自{year}年1月1日至{year}年12月31日。"]
    for i, heading in enumerate(SECTIONS):
        lines.append(heading)
        if i == 1:
            for header, cols, rows in ACTIVE_BLOCKS[t["layout"]]:
                lines += [header, " ".join(cols)]
                lines += [" ".join([label, *map(str, t["active"][key].values())]) for key, label in rows]
        elif i == 2:
            lines.append("自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计")
            lines += [" ".join([LABELS[k], *map(str, cells.values())]) for k, cells in t["requests"].items()]
        elif i == 3:
            lines.append("行政复议 结果维持 结果纠正 其他结果 尚未审结 总计")
            for g, cells in t["appeals"].items():
                lines.append(" ".join([g, *map(str, cells.values())]))
        elif i in (4, 5):
            lines.append("无。")
    return lines + ["", name, signed]
