"""The intermediate form every reader produces: rows of cells in reading order.

HTML ``<tr>``, DOCX ``w:tr``, spreadsheet rows, tab-separated text lines and PDF/OCR
text lines all become :class:`Row` objects, so one interpreter (``parsing.tables``)
reads the national tables from any format.  A prose line is a row with one cell.
PDF and OCR cells carry their horizontal position, which lets the interpreter put a
number under the right column when blank cells left no trace in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Cell:
    """One cell (or one positioned word) of a row; ``x0``/``x1`` only for PDF and OCR."""

    text: str
    x0: float | None = None
    x1: float | None = None

    @property
    def xc(self) -> float | None:
        if self.x0 is None or self.x1 is None:
            return None
        return (self.x0 + self.x1) / 2


@dataclass(slots=True)
class Row:
    """A table row or a text line.  ``table`` is True for rows of a real table structure."""

    cells: list[Cell]
    table: bool = False
    page: int | None = None
    y: float | None = None

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)


@dataclass(slots=True)
class Layout:
    """What a reader extracted from one document, before any interpretation."""

    rows: list[Row]
    source_type: str
    title_hints: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    pages: int | None = None
    image_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreadable: bool = False  # tables are pictures and could not be read
    tables: dict[str, str] = field(default_factory=dict)  # run-together table text of a collapsed dump

    def text(self) -> str:
        """The document as plain text, one row per line."""
        return "\n".join(r.text for r in self.rows)


def text_row(text: str, **kw: Any) -> Row:
    """A prose line as a one-cell row."""
    return Row([Cell(text)], **kw)
