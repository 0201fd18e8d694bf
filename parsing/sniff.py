"""Detect a document's real type from its bytes, never from its name.

Government sites serve ``.doc`` files that are HTML, "PDF" links that answer an HTML
error page, WPS files that are OLE compound documents, and so on.
"""

from __future__ import annotations

import io
import re
import zipfile

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_HTML_RE = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|meta|table|div|p|title)[\s>/]", re.I)
_IMAGE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)

# Types the parser reads, and the family each belongs to.
IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "tiff", "bmp", "webp"})


def sniff(data: bytes) -> str:
    """One of: pdf, docx, xlsx, doc, wps, xls, et, rtf, html, text, zip, ole, image types,
    empty, binary."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_OLE_MAGIC):
        return _sniff_ole(data)
    if head.lstrip().startswith(b"{\\rtf"):
        return "rtf"
    for magic, kind in _IMAGE_MAGICS:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.count(b"\x00") > len(head) // 10 and not _looks_utf16(head):
        return "binary"
    probe = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_RE.search(probe[:1024]) or (probe.startswith(b"<") and _HTML_RE.search(head)):
        return "html"
    if b"MIME-Version:" in head[:512] and b"text/html" in head:
        return "html"
    return "text"


def _looks_utf16(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return "binary"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def _sniff_ole(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a corrupt container is just "ole"
        return "ole"
    try:
        streams = {"/".join(s) for s in ole.listdir()}
        producer = b""
        if ole.exists("\x05SummaryInformation"):
            try:
                producer += ole.get_metadata().creating_application or b""
            except Exception:  # noqa: BLE001 - unreadable metadata is no evidence
                pass
        if ole.exists("\x01CompObj"):
            producer += ole.openstream("\x01CompObj").read(512)
    finally:
        ole.close()
    # Kingsoft WPS/ET files are Word/Excel binaries that name WPS as their producer.
    wps = any(m in producer.lower() for m in (b"wps", b"kingsoft"))
    if "WordDocument" in streams:
        return "wps" if wps else "doc"
    if "Workbook" in streams or "Book" in streams:
        return "et" if wps else "xls"
    return "ole"
