"""DOCX (WordprocessingML) -> rows, reading the XML directly.

Paragraphs and tables are taken in body order (content controls unwrapped).  Merged
cells need no special care: a vertically merged continuation cell is an empty ``w:tc``
(a blank label cell), and ``gridSpan`` is ignored like HTML colspan.
"""

from __future__ import annotations

import zipfile

from lxml import etree

from parsing.errors import ParseError
from parsing.layout import Cell, Layout, Row, text_row
from parsing.normalize import clean_cell
from parsing.readers.zipguard import open_package, read_member

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
MAX_XML_BYTES = 32 * 1024 * 1024  # lxml needs ~10 times the text: a worker stays well under 500 MB
MAX_CORE_BYTES = 256 * 1024  # docProps/core.xml: a title and a few dates
_SAFE = etree.XMLParser(huge_tree=False, resolve_entities=False, no_network=True)


def _para_lines(p: etree._Element) -> list[str]:
    """A paragraph's text; explicit line breaks split it."""
    lines: list[str] = [""]
    for node in p.iter(f"{W}t", f"{W}br", f"{W}cr", f"{W}tab"):
        if node.tag == f"{W}t":
            lines[-1] += node.text or ""
        elif node.tag == f"{W}tab":
            lines[-1] += " "
        else:
            lines.append("")
    return lines


def _cell_text(tc: etree._Element) -> str:
    return clean_cell("".join("".join(_para_lines(p)) for p in tc.iter(f"{W}p")))


def _table_rows(tbl: etree._Element) -> list[Row]:
    rows: list[Row] = []
    for tr in tbl.iter(f"{W}tr"):
        if next(tr.iterancestors(f"{W}tbl")) is not tbl:
            continue
        cells = [Cell(_cell_text(tc)) for tc in tr.iterchildren(f"{W}tc")]
        # cells wrapped in content controls
        for sdt in tr.iterchildren(f"{W}sdt"):
            cells.extend(Cell(_cell_text(tc)) for tc in sdt.iter(f"{W}tc"))
        if cells:
            rows.append(Row(cells, table=True))
    return rows


def _body_rows(body: etree._Element) -> list[Row]:
    rows: list[Row] = []
    for el in body:
        if el.tag == f"{W}p":
            rows.extend(text_row(clean_cell(line)) for line in _para_lines(el) if clean_cell(line))
        elif el.tag == f"{W}tbl":
            rows.extend(_table_rows(el))
        elif el.tag == f"{W}sdt":
            content = el.find(f"{W}sdtContent")
            if content is not None:
                rows.extend(_body_rows(content))
    return rows


def read_docx(data: bytes) -> Layout:
    """Every member's inflated size and ratio is checked before any is read (zip bombs)."""
    with open_package(data, "docx") as zf:
        try:
            info = zf.getinfo("word/document.xml")
        except KeyError as exc:
            raise ParseError("broken DOCX: word/document.xml is missing") from exc
        if info.file_size > MAX_XML_BYTES:
            raise ParseError(f"DOCX body too large ({info.file_size // 2**20} MB)")
        try:
            root = etree.fromstring(read_member(zf, info.filename, MAX_XML_BYTES), parser=_SAFE)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, EOFError) as exc:
            raise ParseError(f"broken DOCX: {exc}") from exc
        layout = Layout(rows=[], source_type="docx")
        if "docProps/core.xml" in zf.namelist():
            try:
                core = etree.fromstring(read_member(zf, "docProps/core.xml", MAX_CORE_BYTES), parser=_SAFE)
                title = core.findtext(_DC_TITLE)
                if title and title.strip():
                    layout.title_hints.append(title.strip())
            except (etree.XMLSyntaxError, ParseError, zipfile.BadZipFile, EOFError):
                layout.warnings.append("docProps/core.xml unreadable or too large; its title was not used")
    body = root.find(f"{W}body")
    if body is None:
        raise ParseError("broken DOCX: no document body")
    layout.rows = _body_rows(body)
    return layout
