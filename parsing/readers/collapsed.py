"""Collapsed text dumps: the whole report on one line or a few, as web archivers and
copy-paste make them ("…等文件要求… 一、总体情况 2023年，…"), table cells run together.

The text is cut back into lines: the title (up to the first 年度报告/年报), each section
heading (一、总体情况 … 六、其他需要报告的事项, searched in order, wherever they stand),
prose sentences, and the three tables, whose run-together text is kept whole in
``Layout.tables`` for ``parsing.tables.collapsed`` (the row readers need cells).
"""

from __future__ import annotations

import re

from parsing.labels import SECTION_NUMERALS, SECTION_PATTERNS
from parsing.layout import Cell, Layout, Row, text_row
from parsing.normalize import _PUNCT_MAP

_MIN_LONG_LINE = 1000
_MIN_SHORT_DUMP = 200
_REPORT_WORDS_RE = re.compile(r"政府信息公开.{0,6}(?:年度报告|年报)|信息公开.{0,4}年度报告|年度报告|年报")
_SENTENCE_END_RE = re.compile(r"(?<=[。；;！？])")
# 1:1 character map (positions survive): full-width digits and punctuation to ASCII
_LOCATE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                         **{k: v for k, v in ((chr(k), v) for k, v in _PUNCT_MAP.items()) if len(v) == 1}})
# the start of each table inside its section: its column headers or first block
_TABLE_START = {
    "二": re.compile(r"第二十条|信息内容"),
    "三": re.compile(r"\(本列数据|申请人情况|自然人"),
    "四": re.compile(r"行政复议.{0,4}行政诉讼|行政复议结果|结果维[持护]"),
}
_HEADINGS = {n: re.compile(p.pattern.lstrip("^")) for n, p in SECTION_PATTERNS.items()}


def is_collapsed(text: str) -> bool:
    """A dump whose long lines hold section headings inline."""
    for line in text.splitlines():
        if len(line) < _MIN_SHORT_DUMP:
            continue
        located = line.translate(_LOCATE)
        inline = sum(1 for p in _HEADINGS.values() if p.search(located, 1))
        if inline >= 3 or (inline >= 2 and len(line) >= _MIN_LONG_LINE):
            return True
    return False


def _headings(flat: str) -> list[tuple[str, int, int]]:
    """(numeral, start, end) of each section heading, in order, each after the previous."""
    located = flat.translate(_LOCATE)
    out: list[tuple[str, int, int]] = []
    pos = 0
    for numeral in SECTION_NUMERALS:
        m = _HEADINGS[numeral].search(located, pos)
        if m:
            out.append((numeral, m.start(), m.end()))
            pos = m.end()
    return out


def _sentences(text: str) -> list[Row]:
    return [text_row(s.strip()) for s in _SENTENCE_END_RE.split(text) if s.strip()]


def _head_rows(head: str) -> list[Row]:
    """The title (cut after the first 年度报告/年报) and the introduction."""
    m = _REPORT_WORDS_RE.search(head[:200])
    if not m:
        return _sentences(head)
    start = max(head.rfind(ch, 0, m.start()) for ch in ">|。")
    start = start + 1 if start >= 0 and m.start() - start <= 60 else max(0, m.start() - 40)
    rows = [text_row(head[start:m.end()].strip())]
    return rows + _sentences(head[m.end():])


def read_collapsed(text: str, source_type: str = "text") -> Layout:
    """Rows and pre-read tables of a collapsed dump (see the module docstring)."""
    flat = re.sub(r"\s*\n\s*", " ", text).strip()
    found = _headings(flat)
    layout = Layout(rows=[], source_type=source_type)
    layout.warnings.append("collapsed text (the report on few lines, table cells run together): "
                           "cells recovered only where the national identities leave one split")
    if not found:
        layout.rows = _head_rows(flat)
        return layout
    layout.rows.extend(_head_rows(flat[:found[0][1]]))
    located = flat.translate(_LOCATE)
    for i, (numeral, start, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(flat)
        layout.rows.append(text_row(flat[start:end].strip()))
        body = flat[end:stop]
        start_re = _TABLE_START.get(numeral)
        m = start_re.search(located, end, stop) if start_re else None
        if m is None:
            layout.rows.extend(_sentences(body))
            continue
        layout.rows.extend(_sentences(flat[end:m.start()]))
        segment = flat[m.start():stop]
        layout.rows.append(Row([Cell(segment.strip())], table=True))
        name = {"二": "active", "三": "requests", "四": "appeals"}[numeral]
        layout.tables[name] = segment
    return layout
