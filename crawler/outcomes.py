"""Per-agency outcomes written as each agency finishes, and store failures that count.

Issue 16 item 11: a crawl the service kills at its time limit never reaches the spider's
close, so when the outcomes were written only there, none was recorded.  Here an agency's
outcome is written as soon as the agency is finished: no request of it pending, none of its
columns (sub-columns included) with a page outstanding, and none of its items still in the
pipelines.  At the end of the run every outcome is written again, final (one row per run
and agency, :func:`db.runs.record_agency_crawl`).

Issue 16 item 6: a report the crawl found but could not save (the SQLite file locked past
its timeout) is an error of the run.  The agency's outcome becomes ``store_failed`` (not
``ok``, so the monitor concludes nothing from this run), its reason says what was lost,
and every column of its proof is marked failed, so the proof never counts as complete.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

STORE_FAILED = "store_failed"


def inflight(crawler: Any) -> Counter[str]:
    """Items per agency that entered the pipelines and have not left them (shared by the
    attachments pipeline, which counts them in, and the signals that count them out)."""
    counts = getattr(crawler, "_nianbao_inflight", None)
    if counts is None:
        counts = Counter()
        crawler._nianbao_inflight = counts
    return counts


def columns_by_agency(spider: Any) -> dict[str, list[str]]:
    """The columns each agency reached (one pass over the crawl's columns)."""
    out: dict[str, list[str]] = {}
    for c in spider.columns.values():
        for aid in c.reached_by:
            out.setdefault(aid, []).append(c.url)
    return out


def _columns_settled(spider: Any, roots: list[str]) -> bool:
    """No page outstanding in any of these columns, nor in their sub-columns."""
    columns = spider.columns
    stack = list(roots)
    seen: set[str] = set()
    while stack:
        url = stack.pop()
        if url in seen or url not in columns:
            continue
        seen.add(url)
        col = columns[url]
        if col.outstanding > 0:
            return False
        stack.extend(col.children)
    return True


def finished_agencies(spider: Any, crawler: Any, skip: set[str]) -> list[str]:
    """The agencies (not in ``skip``) with nothing more under way (see module docstring)."""
    counts = inflight(crawler)
    idle = [aid for aid, st in spider.ledgers.items() if aid not in skip and st.done
            and st.pending <= 0 and counts[aid] <= 0]
    if not idle:
        return []
    reached = columns_by_agency(spider)
    return [aid for aid in idle if _columns_settled(spider, reached.get(aid, []))]


def with_store_failures(outcome: dict[str, Any], failures: list[dict[str, str]]) -> dict[str, Any]:
    """The outcome of an agency some of whose documents could not be saved: not ``ok``,
    the reason in Chinese, and a proof that cannot count as complete."""
    if not failures:
        return outcome
    first = failures[0]
    reason = (f"有{len(failures)}份文件未能保存入数据库（{first['url']}：{first['error']}），"
              "本次抓取不作为该机关的判断依据")
    if outcome.get("reason"):
        reason += f"；{outcome['reason']}"
    proof = dict(outcome.get("proof") or {})
    marks = [{"url": f["url"], "error": f"保存失败：{f['error']}"} for f in failures[:10]]
    proof["columns"] = [{**c, "failed": [*(c.get("failed") or []), *marks]} for c in proof.get("columns") or []]
    proof["store_failed"] = failures[:50]
    return {**outcome, "outcome": STORE_FAILED, "reason": reason, "proof": proof}


def describe_store_error(exc: BaseException) -> str:
    """One line for a failed store: the database's own words, no SQL or parameters."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    text = str(orig if orig is not None else exc).strip().splitlines()
    return f"{type(orig or exc).__name__}: {text[0][:200] if text else ''}".rstrip(": ")
