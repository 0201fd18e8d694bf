"""Text normalisation and cell-value parsing shared by every reader.

Reports arrive with full-width digits and brackets, labels broken into single
characters, curly quotes, thousands separators and "blank" markers such as ``/``
or ``—``.  Everything that compares labels goes through :func:`norm_label`, and
every table cell goes through :func:`parse_cell`, so that all formats agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Full-width forms that NFKC leaves alone or that reports use interchangeably.
_PUNCT_MAP = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "【": "(",
        "】": ")",
        "〔": "(",
        "〕": ")",
        "［": "(",
        "］": ")",
        "．": ".",
        "、": ".",
        "，": ",",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "：": ":",
        "；": ";",
        "〇": "〇",
    }
)
_WS_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")

# Cell texts that mean "blank" (null), never zero.
BLANK_MARKERS = frozenset({"", "/", "-", "—", "——", "－", "–", "无", "空", "\\", "＼", "／"})

_SPLIT_DIGITS_RE = re.compile(r"\d[\s\u3000\u00a0]+\d")
_SPACE_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0]\d{3})+(?:\.\d+)?$")
_NUM_RE = re.compile(r"^([+-]?)(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)$")
_UNIT_RE = re.compile(r"^(.*?\d)\s*(万元|元|亿元|件|个|项|条)$")


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width digits/letters to ASCII) and unify punctuation."""
    return unicodedata.normalize("NFKC", text).translate(_PUNCT_MAP)


def squash(text: str) -> str:
    """Remove every kind of whitespace (PDFs split labels into single characters)."""
    return _WS_RE.sub("", text)


@functools.lru_cache(maxsize=8192)
def norm_label(text: str) -> str:
    """Canonical comparison form of a label: NFKC, unified punctuation, no whitespace."""
    return squash(nfkc(text))


def clean_cell(text: str) -> str:
    """Collapse whitespace inside a cell and trim it, keeping the characters."""
    return _WS_RE.sub(" ", text).strip()


@dataclass(frozen=True, slots=True)
class CellValue:
    """A parsed table cell: ``value`` is a number or None (blank); ``raw`` is as printed.

    ``error`` is set when the cell is neither blank nor a number (R5 evidence).
    ``unit`` keeps a unit printed inside the cell ("251000元").
    """

    value: int | float | None
    raw: str
    error: str | None = None
    unit: str | None = None


def parse_cell(raw: str | int | float | None) -> CellValue:
    """Parse one cell into a number, None for blanks, or an error for garbage."""
    if isinstance(raw, str):
        return _parse_text_cell(raw)
    if raw is None:
        return CellValue(None, "")
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, int):
        return CellValue(raw, str(raw))
    if isinstance(raw, float):
        value: int | float = int(raw) if raw.is_integer() else raw
        return CellValue(value, str(value))
    return _parse_text_cell(raw)


@functools.lru_cache(maxsize=8192)
def _parse_text_cell(raw: str) -> CellValue:
    """parse_cell for text, cached: tables repeat the same few cell texts (CellValue is frozen)."""
    text = clean_cell(raw)
    spaced = nfkc(text).strip()
    if _SPLIT_DIGITS_RE.search(spaced) and not _SPACE_THOUSANDS_RE.match(spaced):
        return CellValue(None, text, error="several numbers in one cell")
    compact = squash(spaced)
    if compact in BLANK_MARKERS:
        return CellValue(None, text)
    unit = None
    m = _UNIT_RE.match(compact)
    if m:
        compact, unit = m.group(1), m.group(2)
    m = _NUM_RE.match(compact)
    if not m:
        return CellValue(None, text, error="not a number")
    sign, digits = m.groups()
    digits = digits.replace(",", "")
    number: int | float = float(digits) if "." in digits else int(digits)
    if sign == "-":
        number = -number
    return CellValue(number, text, unit=unit)


def is_numeric_text(text: str) -> bool:
    """True when the text parses as a number (after normalisation)."""
    cell = parse_cell(text)
    return cell.value is not None


def is_blank_text(text: str) -> bool:
    """True when the text is a blank marker."""
    return squash(nfkc(text)) in BLANK_MARKERS


_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def cn_number(text: str) -> int | None:
    """Parse Chinese numerals used in dates: 二〇二一 -> 2021, 二十八 -> 28, 十二 -> 12."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if "十" in text:
        head, _, tail = text.partition("十")
        tens = _CN_DIGITS.get(head, None) if head else 1
        ones = _CN_DIGITS.get(tail, None) if tail else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))
