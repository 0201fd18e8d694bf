"""Proof of absence (spec/findings.md, "No accusation without proof"; COMMON.md contract 1).

A crawl proves an agency-year's report absent only when it read a column *shown to be this
agency's report column* to its end: ``why`` set (pinned in the registry, lists this agency's
reports of other years, or named as its 年报 column on its own site), no list page failed,
and the pagination exhausted or the listed total reached — and the column does not list a
report of that year.  A column that lists no report of this agency at all is not proof
(spec/findings.md, NOT_FOUND), even when the agency's site links it as its 年报 column (a
township's site often links the county's column); only a column pinned in the registry and
listing no other agency's reports is taken on the registry's word.  :func:`judge` says whether a crawl's stored proof does that, and if
not, what part is missing, in Chinese an auditor can read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WHY_NAMES = {"pinned": "登记表中指定的年报栏目", "lists_other_years": "列有本机关其他年度的年报",
             "named_on_site": "本机关网站上标明为年报栏目"}
STOPPED_NAMES = {"budget": "达到抓取页面上限后停止", "done": "已浏览完可达页面"}


@dataclass(slots=True)
class Judgement:
    proved: bool
    reason: str  # Chinese: what was explored and which part of the proof is missing (or what proved it)
    column: dict[str, Any] | None = None  # the column that proved absence
    gaps: list[str] = field(default_factory=list)  # machine-readable: which parts are missing


def column_is_own(col: dict[str, Any]) -> bool:
    """Shown to be this agency's report column: a why, and its own reports of other years listed
    (or pinned in the registry and listing nobody else's)."""
    if not col.get("why"):
        return False
    return bool(col.get("years")) or (col["why"] == "pinned" and not col.get("other_agencies"))


def column_complete(col: dict[str, Any]) -> bool:
    """Contract 1: why is not null, failed is empty, and (exhausted or listed_total reached)."""
    listed = col.get("listed_total")
    reached = listed is not None and (col.get("entries") or 0) >= listed
    return bool(col.get("why")) and not col.get("failed") and (bool(col.get("exhausted")) or reached)


def _pages(col: dict[str, Any]) -> str:
    total = col.get("pages_total")
    return f"已读{col.get('pages_read', 0)}/{total if total is not None else '未知'}页"


def _explored(proof: dict[str, Any]) -> str:
    ex = proof.get("explored") or {}
    text = f"共浏览{ex.get('pages', 0)}个页面"
    if ex.get("stopped"):
        text += f"（{STOPPED_NAMES.get(ex['stopped'], ex['stopped'])}）"
    return text


def judge(proof: dict[str, Any] | None, year: int) -> Judgement:
    """Does this crawl's proof show the report of ``year`` absent? See module docstring."""
    if not proof:
        return Judgement(False, "该次抓取未记录栏目证明（旧版抓取记录），不足以证明报告不存在", gaps=["no_proof"])
    columns = list(proof.get("columns") or [])
    explored = _explored(proof)
    blocked = proof.get("blocked") or []
    block_text = "".join(f"；{b.get('url')}被拦截（{b.get('evidence') or b.get('status')}）" for b in blocked[:3])
    if not columns:
        return Judgement(False, f"未找到本机关的年报栏目（{explored}{block_text}）", gaps=["no_column"])
    own = [c for c in columns if column_is_own(c)]
    for col in own:
        if column_complete(col) and year not in (col.get("years") or []):
            years = "、".join(str(y) for y in sorted(col.get("years") or [])) or "无"
            reason = (f"已读完本机关年报栏目{col.get('url')}（{WHY_NAMES.get(col['why'], col['why'])}；{_pages(col)}，"
                      f"共{col.get('entries', 0)}条；所列本机关年报年度：{years}），其中没有{year}年报告")
            return Judgement(True, reason, col)
    parts: list[str] = []
    gaps: list[str] = []
    if not own:
        others = sorted({n for c in columns for n in c.get("other_agencies") or []})
        urls = "、".join(str(c.get("url")) for c in columns[:3])
        named = [c for c in columns if c.get("why")]
        if others and not any(c.get("years") for c in columns):
            parts.append(f"找到的栏目{urls}只列出其他机关的年报（{'、'.join(others[:5])}），未列出本机关任何年度的年报，"
                         "不能证明是本机关的年报栏目")
            gaps.append("other_agency_column")
        elif named:
            parts.append(f"栏目{urls}未列出本机关任何年度的年报，不能证明是本机关的年报栏目")
            gaps.append("column_lists_none_of_agency")
        else:
            parts.append(f"找到的栏目{urls}未能证明是本机关的年报栏目（非登记表指定、未列出本机关其他年度年报、"
                         "也未在本机关网站上标明为年报栏目）")
            gaps.append("column_not_shown_own")
    for col in own:
        url = col.get("url")
        for f in (col.get("failed") or [])[:3]:
            parts.append(f"栏目{url}的页面{f.get('url')}读取失败（{f.get('error')}）")
            gaps.append("page_failed")
        listed = col.get("listed_total")
        if not col.get("exhausted") and not (listed is not None and (col.get("entries") or 0) >= listed):
            total = f"，栏目标明共{listed}条，只读到{col.get('entries', 0)}条" if listed is not None else ""
            parts.append(f"栏目{url}翻页未读完（{_pages(col)}{total}）")
            gaps.append("not_exhausted")
        if year in (col.get("years") or []):
            parts.append(f"栏目{url}列有{year}年报告，但未能取得")
            gaps.append("listed_not_stored")
    return Judgement(False, "；".join(parts) + f"（{explored}{block_text}）", gaps=gaps)
