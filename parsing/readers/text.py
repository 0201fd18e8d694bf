"""Plain-text and Markdown extractions of reports.

Three table shapes occur in text dumps (see ``../shared/seeds``):

* a row per line, cells separated by tabs (``规章\t0\t0\t0``);
* a cell per line with a leading tab, rows separated by blank lines; a line without a
  tab continues the previous cell (Word wrapped ``商业`` / ``企业``);
* Markdown pipe tables from document converters (``| 规章 | 0 |``), possibly split by
  page footers.

Everything else is a prose line.  Page-number lines (``- 4 -``) are dropped.  A dump
collapsed onto a few long lines goes to ``parsing.readers.collapsed``.
"""

from __future__ import annotations

import re

from parsing.layout import Cell, Layout, Row, text_row
from parsing.readers.collapsed import is_collapsed, read_collapsed

PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_MD_MARKUP_RE = re.compile(r"^#{1,6}\s+|^\*\*(.*)\*\*$|^>\s+")
_MD_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _is_md_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.count("|") >= 2


def _md_cells(line: str) -> list[Cell]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [Cell(part.replace("<br>", "").strip()) for part in s.split("|")]


def read_text(text: str, source_type: str = "text") -> Layout:
    """Split a text dump into rows; see the module docstring for the shapes handled."""
    if is_collapsed(text):
        return read_collapsed(text, source_type)
    rows: list[Row] = []
    group: list[Cell] | None = None  # the current cell-per-line row

    def close_group() -> None:
        nonlocal group
        if group:
            rows.append(Row(group, table=True))
        group = None

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip("\n")
        stripped = line.strip(" \u3000\u00a0")
        if PAGE_NUMBER_RE.match(line):
            continue
        if _is_md_row(line):
            close_group()
            if not _MD_SEPARATOR_RE.match(line.strip()):
                rows.append(Row(_md_cells(line), table=True))
            continue
        if "\t" in line:
            body = line.lstrip("\t")
            if line.startswith("\t") and "\t" not in body:
                # one cell per line
                if group is None:
                    group = []
                group.append(Cell(body.strip()))
                continue
            close_group()
            rows.append(Row([Cell(c.strip()) for c in line.split("\t")], table=True))
            continue
        if not stripped:
            close_group()
            continue
        if group is not None:
            # a wrapped cell: the line continues the previous cell
            if group:
                group[-1].text += stripped
            else:
                group.append(Cell(stripped))
            continue
        rows.append(text_row(_MD_MARKUP_RE.sub(r"\1", stripped)))
    close_group()
    return Layout(rows=rows, source_type=source_type)
