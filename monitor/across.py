"""Rules across documents: carry-over (H1), in-force drift (H2) and duplicate content.

Duplicates at scale without comparing all pairs: each report's text becomes a set of
sentence hashes; an inverted index over the sentences that few reports share (boilerplate
of the national template is dropped by document frequency) yields the candidate pairs,
which are scored by Jaccard similarity.  Identical non-trivial tables are a duplicate too.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import orjson

from monitor.findings import Draft
from parsing.model import Report

SIMILAR = 0.9
MIN_SENTENCES = 8
MAX_DF = 25  # a sentence in more reports than this is template text
HOW_NAMES = {"text": "正文相似", "tables": "统计表数字完全相同"}  # evidence "how" -> words
_NONZERO_RE = re.compile(rb":\s*[1-9]\d*(?:\.\d+)?")
SIGNATURE_VERSION = 2  # 2: orjson's canonical form (1: json.dumps with sort_keys)
_SPLIT_RE = re.compile(r"[。；！？\n]+")
_SPACE_RE = re.compile(r"\s+")


@dataclass(slots=True)
class ReportRef:
    agency: str
    name: str
    year: int
    url: str
    report: Report
    text: str

    def __post_init__(self) -> None:
        if isinstance(self.report, dict):  # the stored JSON (tests, old callers): read it once
            self.report = Report.from_json(self.report)


def _num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _rows(report: Report, name: str) -> tuple[dict[str, dict[str, Any]], str | None]:
    t = report.tables.get(name)
    return (t.rows, t.layout) if t is not None else ({}, None)


def carryover(cur: ReportRef, prev: ReportRef) -> list[Draft]:
    """H1: this year's 上年结转 equals last year's 结转下年度 (总计)."""
    now = (_rows(cur.report, "requests")[0].get("carried_over") or {}).get("total")
    before = (_rows(prev.report, "requests")[0].get("carried_forward") or {}).get("total")
    if _num(now) and _num(before) and now != before:
        return [Draft("CARRYOVER_MISMATCH", f"{cur.name}{cur.year}年报告上年结转{now}件，与{prev.year}年报告结转下年度{before}件不符",
                      {"rule": "H1", "carried_over": now, "previous_carried_forward": before,
                       "url": cur.url, "previous_url": prev.url})]
    return []


def in_force_drift(cur: ReportRef, prev: ReportRef) -> list[Draft]:
    """H2 (2021 format): in_force(Y) ~ in_force(Y-1) + issued(Y) - repealed(Y)."""
    out: list[Draft] = []
    (crows, clayout), (prows, playout) = _rows(cur.report, "active"), _rows(prev.report, "active")
    if clayout != "2021" or playout != "2021":
        return out
    for row, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        c, p = crows.get(row) or {}, prows.get(row) or {}
        vals: tuple[Any, ...] = (c.get("in_force"), p.get("in_force"), c.get("issued"), c.get("repealed"))
        if all(_num(v) for v in vals):
            now, before, issued, repealed = vals
            expected = before + issued - repealed
            if now != expected:
                out.append(Draft("IN_FORCE_DRIFT", f"{cur.name}{cur.year}年现行有效{label}{now}件，按上年{before}件加制发{issued}件减废止{repealed}件应为{expected}件（相差{now - expected}）",
                                 {"rule": "H2", "row": row, "in_force": now, "previous_in_force": before, "issued": issued,
                                  "repealed": repealed, "expected": expected, "difference": now - expected}, detail=row))
    return out


def _sentences(text: str) -> set[int]:
    out = set()
    for s in _SPLIT_RE.split(text or ""):
        s = _SPACE_RE.sub("", s)
        if len(s) >= 12:
            out.add(int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big"))
    return out


def _table_signature(report: Report) -> str | None:
    """SHA-256 of the tables as canonical JSON (sorted keys, orjson: the national check signs
    every report), or None when fewer than six cells are non-zero.  Its form is part of the
    stored sketches (:data:`SIGNATURE_VERSION`)."""
    numbers = orjson.dumps(report.tables_json(), option=orjson.OPT_SORT_KEYS)
    if len(_NONZERO_RE.findall(numbers)) < 6:  # all-zero tables are common and legitimate
        return None
    return hashlib.sha256(numbers).hexdigest()


@dataclass(slots=True)
class Fingerprint:
    """What duplicate detection keeps of a report: small, so thousands fit in memory."""

    agency: str
    name: str
    year: int
    url: str
    sentences: set[int]
    tables: str | None


def fingerprint(ref: ReportRef) -> Fingerprint:
    return Fingerprint(ref.agency, ref.name, ref.year, ref.url, _sentences(ref.text), _table_signature(ref.report))


def duplicates(reports: list[Fingerprint]) -> dict[int, list[Draft]]:
    """Near-identical reports (to the agency's previous year or to other agencies')."""
    sets = [r.sentences for r in reports]
    df: dict[int, int] = defaultdict(int)
    for s in sets:
        for h in s:
            df[h] += 1
    index: dict[int, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for h in s:
            if df[h] <= MAX_DF:
                index[h].append(i)
    found: dict[int, list[Draft]] = defaultdict(list)
    for i, s in enumerate(sets):
        if len(s) < MIN_SENTENCES:
            continue
        counts: dict[int, int] = defaultdict(int)
        for h in s:
            if df[h] <= MAX_DF:
                for j in index[h]:
                    if j != i:
                        counts[j] += 1
        for j, shared in counts.items():
            if shared < MIN_SENTENCES // 2 or not _earlier(reports[j], reports[i]) or reports[j].url == reports[i].url:
                continue  # the same document, two agencies' report (issue 16), is no duplicate
            sim = len(s & sets[j]) / len(s | sets[j])
            if sim >= SIMILAR:
                found[i].append(_dup(reports[i], reports[j], round(sim, 3), "text"))
    tables: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(reports):
        if r.tables:
            tables[r.tables].append(i)
    for members in tables.values():
        for i in members:
            for j in members:
                if j != i and _earlier(reports[j], reports[i]) and reports[j].url != reports[i].url and not any(
                        d.evidence.get("other_url") == reports[j].url for d in found[i]):
                    found[i].append(_dup(reports[i], reports[j], 1.0, "tables"))
    return found


def _earlier(other: Fingerprint, this: Fingerprint) -> bool:
    """Report a pair once, on the later report (or, same year, on the second agency)."""
    return (other.year, other.agency, other.url) < (this.year, this.agency, this.url)


def _dup(this: Fingerprint, other: Fingerprint, sim: float, how: str) -> Draft:
    whose = "上年报告" if other.agency == this.agency else f"{other.name}{other.year}年报告"
    what = HOW_NAMES.get(how, how)
    return Draft("DUPLICATE_CONTENT", f"{this.name}{this.year}年年度报告与{whose}高度雷同（{what}，相似度{sim:.0%}）",
                 {"similarity": sim, "how": how, "other_agency": other.agency, "other_year": other.year,
                  "other_url": other.url, "url": this.url}, detail=f"{other.agency}:{other.year}")
