"""Title, agency, year, signed date, statistics period and the numbers the prose states.

Titles are often split over lines ("淄博市科学技术局" / "2021年政府信息公开工作年度报告")
and agency names sit before or after the year.  The signed date is the last date near
the end of the report, in Arabic or Chinese numerals (二〇二一年二月五日).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from parsing.model import ProseNumber
from parsing.normalize import cn_number, nfkc, squash

_REPORT_WORDS_RE = re.compile(r"政府信息公开.{0,6}(?:年度报告|年报)|信息公开.{0,4}年度报告|年度报告|年报")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR_RE = re.compile(r"([二〇零○一三四五六七八九]{4})年")
_TITLE_PREFIX_RE = re.compile(r"^(?:关于|附件[:：]?\d*)")
_DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})\s*日?"
)
_CN_DATE_RE = re.compile(
    r"([二〇零○一三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
_PERIOD_RE = re.compile(
    r"(?:统计期限|统计时限|统计时间|统计期间|数据统计)[^。]{0,12}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
    r"\s*(?:起\s*)?(?:至|到|-|—)\s*((?:19|20)\d{2})\s*年\s*12\s*月\s*31\s*日"
)
_MAX_TITLE_LINES = 4


def find_title(lines: Sequence[str], hints: Sequence[str] = ()) -> str | None:
    """The report title: a hint (page title/meta) or the first lines that name a report."""
    candidates: list[str] = []
    for i, line in enumerate(lines[:40]):
        text = squash(line)
        if not text or len(text) > 60:
            continue
        if _REPORT_WORDS_RE.search(text):
            # join the preceding short line(s) when the title is split ("XX局" / "2021年…报告")
            joined = text
            j = i - 1
            while j >= 0 and i - j < _MAX_TITLE_LINES and lines[j].strip() and len(squash(lines[j])) <= 30 \
                    and not _REPORT_WORDS_RE.search(squash(lines[j])) and not re.match(r"^[一二三四五六]、", lines[j]):
                joined = squash(lines[j]) + joined
                j -= 1
            candidates.append(_TITLE_PREFIX_RE.sub("", joined))
            break
    for hint in hints:
        h = squash(hint)
        if h and _REPORT_WORDS_RE.search(h):
            candidates.append(_TITLE_PREFIX_RE.sub("", h))
    # Prefer a title from the body with a year; then any hint with a year; then anything.
    for c in candidates:
        if _YEAR_RE.search(c) or _CN_YEAR_RE.search(c):
            return c
    return candidates[0] if candidates else None


def title_year(title: str | None) -> int | None:
    if not title:
        return None
    m = _YEAR_RE.search(title)
    if m:
        return int(m.group(1))
    m = _CN_YEAR_RE.search(title)
    return cn_number(m.group(1)) if m else None


def agency_from_title(title: str | None) -> str | None:
    """The organ's name: before the year ("XX局2020年…") or after it ("2020年XX局…")."""
    if not title:
        return None
    t = nfkc(title)
    m = re.search(r"(?:19|20)\d{2}\s*年度?|[二〇零○一三四五六七八九]{4}年度?", t)
    if not m:
        return None
    before = t[: m.start()].strip(" :：")
    cut = re.search(r"政府信息公开|信息公开|政务公开", before)
    if cut:
        before = before[: cut.start()]
    before = before.strip(" :：(（")
    if len(before) >= 2:
        return before
    after = t[m.end():]
    n = re.search(r"政府信息公开|信息公开|政务公开", after)
    name = after[: n.start()] if n else ""
    return name or None


def find_signed_date(lines: Sequence[str]) -> str | None:
    """The date printed at the end of the report (last date in the final lines)."""
    tail = [squash(line) for line in lines[-12:] if line.strip()]
    for line in reversed(tail):
        if len(line) > 40:
            continue
        for m in reversed(list(_DATE_RE.finditer(line))):
            d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
        for m in reversed(list(_CN_DATE_RE.finditer(line))):
            y, mo, da = (cn_number(g) for g in m.groups())
            if y and mo and da:
                d = _safe_date(y, mo, da)
                if d:
                    return d
    return None


def _safe_date(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_statistics_period(text: str) -> tuple[str | None, int | None]:
    """The statistics period sentence (统计期限自Y年1月1日至Y年12月31日) and its year."""
    m = _PERIOD_RE.search(squash(text))
    if not m:
        return None, None
    y1, y2 = int(m.group(1)), int(m.group(2))
    return m.group(0), (y1 if y1 == y2 else None)


# (key, pattern) — the number is group 1; patterns run on whitespace-free prose.
_PROSE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("requests.new_received.total", re.compile(
        r"(?:共|全年|累计|本年度?|新)?(?:收到|受理|接收|办理|新收)(?:各类|市民|群众|公民)?"
        r"(?:政府信息公开|依申请公开|信息公开)?申请(?:共|总计|合计)?(\d+)(?:件|个|条|份)")),
    ("requests.granted.total", re.compile(r"(?<!不)予以公开(\d+)(?:件|个|条)")),
    ("requests.partially_granted.total", re.compile(r"部分公开(\d+)(?:件|个|条)")),
    ("requests.carried_forward.total", re.compile(r"(?:结转下年度|转下年度|顺延到下年度)(?:继续办理)?(\d+)(?:件|个|条)|另有(\d+)件顺延")),
    ("appeals.review.total", re.compile(r"(?:被申请|发生|收到|涉及)?(?:政府信息公开)?行政复议(?:案件)?(?:共)?(\d+)(?:件|起|宗)")),
    ("appeals.litigation.total", re.compile(r"(?:被提起|发生|涉及)?(?:政府信息公开)?行政诉讼(?:案件)?(?:共)?(\d+)(?:件|起|宗)")),
)
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[。；;！!？?])")


# Compound statements first: their spans are taken out before the simple patterns run, so
# "予以公开及部分公开258件" is never read as 部分公开258件.
_COUNT = r"(\d+)(?:件|个|条)"
_COMPOUND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("requests.granted_and_partial.total", re.compile(
        r"(?:予以公开|同意公开|全部公开)(?:及|和|与|或|、|以及)(?:予以)?部分公开(?:的)?(?:申请)?(?:共|合计)?" + _COUNT
        + r"|(?:全部或部分|全部和部分|全部及部分)(?:予以)?公开(?:的)?(?:申请)?(?:共|合计)?" + _COUNT)),
    ("requests.denied_all.total", re.compile(r"(?<![及和与、])不予公开(?:的)?(?:申请)?(?:共|合计)?" + _COUNT)),
    ("requests.unavailable_all.total", re.compile(r"无法提供(?:的)?(?:申请)?(?:共|合计)?" + _COUNT)),
    ("requests.not_processed_all.total", re.compile(r"不予处理(?:的)?(?:申请)?(?:共|合计)?" + _COUNT)),
)
_ALL_UPHELD_RE = re.compile(r"均(?:获|被|予以|得到|已)?维持|全部(?:获|被|予以|得到)?维持")


def find_prose_numbers(prose: str) -> list[ProseNumber]:
    """Numbers the text states about requests and appeals (H3 in spec/annual-report.md).

    Compound statements get their own keys (``parsing.labels.PROSE_SUMS``): the sum
    予以公开及部分公开, the group counts 不予公开/无法提供/不予处理, and "均获维持" (a
    statement that no review or suit was corrected, otherwise concluded or pending).
    """
    found: list[ProseNumber] = []
    seen: set[tuple[str, int]] = set()

    def add(key: str, value: int, sentence: str) -> None:
        if (key, value) not in seen:
            seen.add((key, value))
            found.append(ProseNumber(key, value, sentence[:200]))

    for sentence in _SENTENCE_SPLIT_RE.split(squash(prose)):
        if not sentence:
            continue
        rest = sentence
        for key, pattern in _COMPOUND_PATTERNS:
            for m in pattern.finditer(rest):
                value_text = next((g for g in m.groups() if g), None)
                if value_text is not None:
                    add(key, int(value_text), sentence)
            rest = pattern.sub("#", rest)
        for key, pattern in _PROSE_PATTERNS:
            for m in pattern.finditer(rest):
                value_text = next((g for g in m.groups() if g), None)
                if value_text is not None:
                    add(key, int(value_text), sentence)
        if _ALL_UPHELD_RE.search(sentence):
            if "复议" in sentence:
                add("appeals.review.not_upheld", 0, sentence)
            if "诉讼" in sentence:
                add("appeals.litigation.not_upheld", 0, sentence)
    return found


def guess_year(title: str | None, period_year: int | None, text: str) -> int | None:
    """Report year: the title's, else the statistics period's, else the commonest 'YYYY年'."""
    ty = title_year(title)
    if ty:
        return ty
    if period_year:
        return period_year
    counts: dict[int, int] = {}
    for m in _YEAR_RE.finditer(text[:5000]):
        y = int(m.group(1))
        counts[y] = counts.get(y, 0) + 1
    return max(counts, key=lambda y: (counts[y], y)) if counts else None
