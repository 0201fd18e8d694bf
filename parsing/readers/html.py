"""HTML article pages (and Word "Save as HTML" exports) -> rows.

The report is the article body inside site chrome (menus, footers).  The body is found by
the usual CMS containers (TRS ``.TRS_Editor``/``#zoom``, VSB ``#vsb_content``, …) and,
failing those, as the smallest element holding both the 总体情况 heading and table 三.
Table cells are read as text with ``<span>``/``<br>``/``<o:p>`` fragments joined, and
rowspan/colspan are ignored on purpose: the interpreter does not rely on them.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from parsing.errors import ParseError
from parsing.layout import Cell, Layout, Row, text_row
from parsing.normalize import clean_cell

_SKIP_TAGS = frozenset({"script", "style", "noscript", "head", "template", "iframe", "object", "select",
                        "button", "input", "textarea", "svg", "form"})
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section",
                         "article", "center", "blockquote", "pre", "dd", "dt", "dl", "tr", "header",
                         "footer", "nav", "aside", "main", "caption", "hr", "figure", "figcaption"})
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_REPORT_BODY_RE = re.compile(r"总体情况")


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode bytes whatever the page declares: (text, encoding used).

    Strict UTF-8 first (it practically never accepts GBK bytes), then GB18030 (a
    superset of GBK/GB2312), then the declared charset, then charset detection.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    m = _META_CHARSET_RE.search(data[:4096])
    if m:
        enc = m.group(1).decode("ascii", "replace")
        try:
            return data.decode(enc, "replace"), enc
        except LookupError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return data.decode("gb18030", "replace"), "gb18030"
    return str(best), best.encoding


_TAGS: dict[str, str] = {}


def _tag(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    name = _TAGS.get(tag)
    if name is None:
        name = _TAGS[tag] = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()
    return name


_SLOW_CELL = etree.XPath("boolean(" + "|".join(f".//{t}" for t in sorted(_SKIP_TAGS)) + "|.//comment()"
                        + "|.//processing-instruction())")
_CELL_STRING = etree.XPath("string(.)")


def _cell_text(cell: etree._Element) -> str:
    if not _SLOW_CELL(cell):  # the common cell: plain text in spans, joined in C
        return clean_cell(_CELL_STRING(cell))
    parts: list[str] = []
    for node in cell.iter():
        if _tag(node) in _SKIP_TAGS:
            continue
        if node is not cell and node.text:
            parts.append(node.text)
        elif node is cell and cell.text:
            parts.append(cell.text)
        if node is not cell and node.tail:
            parts.append(node.tail)
    return clean_cell("".join(parts))


def _table_rows(table: etree._Element) -> list[Row]:
    rows: list[Row] = []
    for tr in table.iter("tr"):
        owner = next((a for a in tr.iterancestors() if _tag(a) == "table"), None)
        if owner is not table:
            continue
        cells = [Cell(_cell_text(td)) for td in tr if _tag(td) in ("td", "th")]
        if cells:
            rows.append(Row(cells, table=True))
    return rows


def _walk(root: etree._Element) -> list[Row]:
    rows: list[Row] = []
    buf: list[str] = []

    def flush() -> None:
        text = clean_cell("".join(buf))
        buf.clear()
        if text:
            rows.append(text_row(text))

    def visit(el: etree._Element) -> None:
        tag = _tag(el)
        if tag in _SKIP_TAGS or not tag:
            if el.tail:
                buf.append(el.tail)
            return
        if tag == "table":
            flush()
            rows.extend(_table_rows(el))
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCK_TAGS
            if block:
                flush()
            if el.text:
                buf.append(el.text)
            for child in el:
                visit(child)
            if block:
                flush()
        if el.tail:
            buf.append(el.tail)

    visit(root)
    flush()
    return rows


_HAS_BODY = etree.XPath("contains(string(.), '总体情况')")  # as text_content() + search, in C
_BY_ID = {"zoom": 1, "vsb_content": 2, "UCAP-CONTENT": 4, "content": 6}
_BY_CLASS = {"TRS_Editor": 0, "v_news_content": 3, "article-content": 5, "view": 8}
_ARTICLE_RANK = 7


# [@id] / [@class] first: libxml2 then tests the costly predicates on few elements
_CANDIDATES = etree.XPath(
    "//*[@id][" + " or ".join(f"@id='{i}'" for i in _BY_ID) + "]"
    " | //*[@class][" + " or ".join(f"contains(@class, '{c}')" for c in _BY_CLASS) + "]"  # tokens checked below
    " | //article")


def _candidates(doc: etree._Element) -> list[etree._Element]:
    """Article containers of the common CMSs, best first: class TRS_Editor, id zoom, id
    vsb_content, class v_news_content, id UCAP-CONTENT, class article-content, id content,
    <article>, class view; in document order within each (one XPath pass over the tree)."""
    ranked: list[tuple[int, int, etree._Element]] = []
    for n, el in enumerate(_CANDIDATES(doc)):
        ranks = [_BY_CLASS[t] for t in (el.get("class") or "").split() if t in _BY_CLASS]
        if el.get("id") in _BY_ID:
            ranks.append(_BY_ID[el.get("id")])
        if el.tag == "article":
            ranks.append(_ARTICLE_RANK)
        if ranks:
            ranked.append((min(ranks), n, el))
    return [el for _, _, el in sorted(ranked, key=lambda x: (x[0], x[1]))]


def _content_root(doc: etree._Element) -> etree._Element:
    for el in _candidates(doc):
        if _HAS_BODY(el) or el.find(".//table") is not None:
            return el
    # smallest element containing 总体情况 and a table
    for table in doc.iter("table"):
        for anc in table.iterancestors():
            if _HAS_BODY(anc):
                return anc
    body = doc.find("body")
    return body if body is not None else doc


def read_html(data: bytes) -> Layout:
    """Read an HTML page: the article body as rows, title/date hints from the page."""
    text, encoding = decode_html(data)
    text = _XML_DECL_RE.sub("", text)
    if not text.strip():
        raise ParseError("empty HTML page")
    try:
        doc = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"unreadable HTML: {exc}") from exc
    layout = Layout(rows=[], source_type="html")
    layout.meta["encoding"] = encoding
    for meta in doc.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip()
        content = (meta.get("content") or "").strip()
        if name and content:
            layout.meta[name] = content
    if layout.meta.get("ArticleTitle"):
        layout.title_hints.append(layout.meta["ArticleTitle"])
    for h in doc.xpath("//h1|//h2|//*[contains(@class,'title')]")[:6]:
        t = clean_cell(h.text_content() or "")
        if t and len(t) <= 80:
            layout.title_hints.append(t)
    title = doc.find(".//title")
    if title is not None and title.text:
        layout.title_hints.append(clean_cell(title.text))
    root = _content_root(doc)
    layout.rows = _walk(root)
    if root.xpath(".//img") and not root.xpath(".//table") and len(layout.text()) < 2000:
        layout.warnings.append("the page body holds images and no tables (tables may be pictures)")
    return layout
