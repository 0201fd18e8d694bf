"""Measure a crawl of the variety web against its ground truth.

Input: the stored reports as ``nianbao reports --json`` prints them, and the server's
request log.  Output: recall, precision, attribution accuracy, publication-date accuracy,
trap requests, the largest number of concurrent requests per host, and a found/expected
table per platform class and per trait (tag).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit


def norm_url(url: str) -> str:
    """Compare URLs without fragment, default port or host case."""
    p = urlsplit(url.strip().replace("&amp;", "&"))
    host = (p.hostname or "").lower()
    if p.port and p.port != 80:
        host += f":{p.port}"
    return urlunsplit((p.scheme.lower() or "http", host, p.path or "/", p.query, ""))


def _entry(e: Any) -> dict[str, Any]:
    return e if isinstance(e, dict) else e.as_dict()


def max_concurrency(log: list[dict[str, Any]]) -> dict[str, int]:
    """Per host, the largest number of requests being served at the same instant."""
    events: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for e in log:
        events[e["host"]].append((e["start"], 1))
        events[e["host"]].append((e["end"], -1))
    out = {}
    for host, ev in events.items():
        ev.sort(key=lambda t: (t[0], t[1]))  # an end at the same instant as a start comes first
        cur = best = 0
        for _t, d in ev:
            cur += d
            best = max(best, cur)
        out[host] = best
    return out


def disallowed(log: list[dict[str, Any]], robots: dict[str, str]) -> list[str]:
    """URLs requested although the host's robots.txt disallows them for every agent."""
    from urllib.robotparser import RobotFileParser

    parsers = {}
    for host, text in robots.items():
        rp = RobotFileParser()
        rp.parse(text.splitlines())
        parsers[host] = rp
    out = []
    for e in log:
        parser = parsers.get(e["host"])
        if parser is not None and e["path"] != "/robots.txt" and not parser.can_fetch("nianbao", f"http://{e['host']}{e['path']}"):
            out.append(f"http://{e['host']}{e['path']}")
    return out


def judge_outcomes(outcomes: dict[str, dict[str, Any]], truth: dict[str, Any]) -> dict[str, Any]:
    """Agency outcomes (agency -> {outcome, reason}) against the expected ones: blocked and dead
    agencies must be recorded unreachable; a reachable one recorded unreachable is wrong."""
    expected_down = {a["id"]: a for a in truth["agencies"] if a["expected"] != "ok"}
    down = {k for k, v in outcomes.items() if v.get("outcome") == "unreachable"}
    return {"expected_unreachable": sorted(expected_down), "recorded_unreachable": sorted(down),
            "missed_blocks": sorted(set(expected_down) - down),
            "wrongly_unreachable": sorted({k: outcomes[k].get("reason") for k in down - set(expected_down)}.items()),
            "reasons": {k: outcomes[k].get("reason") for k in sorted(down & set(expected_down))}}


def measure(reports_json: list[dict[str, Any]], request_log: list[Any], truth: dict[str, Any],
            outcomes: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    log = [_entry(e) for e in request_log]
    index: dict[str, dict[str, Any]] = {}
    for t in truth["reports"] + truth["unreachable_reports"]:
        for u in t["urls"]:
            index[norm_url(u)] = t
    noise = {norm_url(u) for u in truth["noise"]}
    expected = {t["url"]: t for t in truth["reports"]}
    matches: dict[str, list[dict[str, Any]]] = defaultdict(list)  # truth url -> stored rows
    false_reports: list[Any]
    noise_stored: list[Any]
    false_reports, noise_stored = [], []
    for row in reports_json:
        urls = [row.get("url") or ""] + [a.get("url") or "" for a in row.get("attachments") or []]
        hit = next((index[norm_url(u)] for u in urls if u and norm_url(u) in index), None)
        if hit is None:
            item = {"agency": row.get("agency"), "title": row.get("title"), "url": row.get("url")}
            (noise_stored if any(norm_url(u) in noise for u in urls if u) else false_reports).append(item)
            continue
        matches[hit["url"]].append(row)
    found = [t for u, t in expected.items() if u in matches]
    missed = [{"agency": t["agency"], "year": t["year"], "class": t["class"], "url": t["url"], "title": t["title"]}
              for u, t in expected.items() if u not in matches]
    wrong_agency, wrong_year, wrong_date, duplicates = [], [], [], []
    for t in found:
        rows = matches[t["url"]]
        agencies = {r.get("agency") for r in rows}
        if agencies != {t["agency"]}:
            wrong_agency.append({"url": t["url"], "title": t["title"], "expected": t["agency"], "stored": sorted(map(str, agencies))})
        if any(r.get("year") != t["year"] for r in rows):
            wrong_year.append({"url": t["url"], "expected": t["year"], "stored": sorted({str(r.get("year")) for r in rows})})
        dates = {((r.get("published") or {}).get("date")) for r in rows}
        if dates != {t["published"]}:
            wrong_date.append({"url": t["url"], "expected": t["published"], "stored": sorted(map(str, dates))})
        if len(rows) > 1:
            duplicates.append({"url": t["url"], "count": len(rows)})
    stored = len(reports_json)
    correct_rows = stored - len(false_reports) - len(noise_stored)
    per_class: dict[str, dict[str, int]] = defaultdict(lambda: {"found": 0, "expected": 0})
    per_tag: dict[str, dict[str, int]] = defaultdict(lambda: {"found": 0, "expected": 0})
    for u, t in expected.items():
        for table, keys in ((per_class, [t["class"]]), (per_tag, t.get("tags") or [])):
            for k in keys:
                table[k]["expected"] += 1
                table[k]["found"] += u in matches
    traps = [(re.compile(tr["pattern"]), tr) for tr in truth["traps"]]
    trap_hits = [e for e in log if any(e["host"] == tr["host"] and rx.search(e["path"]) for rx, tr in traps)]
    conc = max_concurrency(log)
    robots_violations = disallowed(log, truth.get("robots") or {})
    n = len(expected)
    return {
        "expected": n, "found": len(found), "recall": round(len(found) / n, 4) if n else None,
        "stored": stored, "precision": round(correct_rows / stored, 4) if stored else None,
        "false_reports": false_reports, "noise_stored": noise_stored,
        "attribution": {"correct": len(found) - len(wrong_agency), "total": len(found),
                        "accuracy": round((len(found) - len(wrong_agency)) / len(found), 4) if found else None,
                        "wrong": wrong_agency},
        "year_wrong": wrong_year,
        "published": {"correct": len(found) - len(wrong_date), "total": len(found), "wrong": wrong_date},
        "duplicates": duplicates, "missed": missed,
        "requests": len(log), "trap_requests": len(trap_hits),
        "trap_urls": sorted({f"http://{e['host']}{e['path']}" for e in trap_hits})[:50],
        "robots_violations": len(robots_violations),
        "robots_violation_urls": robots_violations[:50],
        "max_concurrent_per_host": max(conc.values(), default=0),
        "concurrency": {h: c for h, c in sorted(conc.items()) if c > 1},
        "per_class": dict(sorted(per_class.items())), "per_tag": dict(sorted(per_tag.items())),
        "agencies": judge_outcomes(outcomes, truth) if outcomes is not None else None,
    }


def format_table(result: dict[str, Any]) -> str:
    """The measurement as Chinese text for a person."""
    lines = [f"召回率 {result['recall']}（{result['found']}/{result['expected']}），精确率 {result['precision']}"
             f"（入库 {result['stored']}，误报 {len(result['false_reports'])}，噪声 {len(result['noise_stored'])}）",
             f"归属正确率 {result['attribution']['accuracy']}（{result['attribution']['correct']}/{result['attribution']['total']}），"
             f"发布日期正确 {result['published']['correct']}/{result['published']['total']}，年度错误 {len(result['year_wrong'])}",
             f"请求 {result['requests']} 次，陷阱请求 {result['trap_requests']} 次，违反 robots.txt {result['robots_violations']} 次，"
             f"单主机最大并发 {result['max_concurrent_per_host']}",
             "", f"{'平台/变体':<40} 找到/应有"]
    for k, v in result["per_class"].items():
        lines.append(f"{k:<44} {v['found']}/{v['expected']}")
    lines += ["", f"{'特征':<40} 找到/应有"]
    for k, v in result["per_tag"].items():
        lines.append(f"{k:<44} {v['found']}/{v['expected']}")
    ag = result.get("agencies")
    if ag:
        lines += ["", f"应不可达 {len(ag['expected_unreachable'])} 个，记为不可达 {len(ag['recorded_unreachable'])} 个；"
                      f"漏记封锁 {len(ag['missed_blocks'])} 个，误记不可达 {len(ag['wrongly_unreachable'])} 个"]
        lines += [f"  误记不可达：{k}（{why}）" for k, why in ag["wrongly_unreachable"]]
        lines += [f"  漏记封锁：{k}" for k in ag["missed_blocks"]]
    if result["missed"]:
        lines += ["", "未找到："] + [f"  {m['agency']} {m['year']} [{m['class']}] {m['url']}" for m in result["missed"]]
    if result["attribution"]["wrong"]:
        lines += ["", "归属错误："] + [f"  {m['title']}：应为 {m['expected']}，存为 {','.join(m['stored'])}"
                                   for m in result["attribution"]["wrong"]]
    if result["false_reports"] or result["noise_stored"]:
        lines += ["", "误报："] + [f"  {m['agency']} {m['title']} {m['url']}" for m in result["false_reports"] + result["noise_stored"]]
    if result["trap_urls"]:
        lines += ["", "陷阱请求："] + [f"  {u}" for u in result["trap_urls"][:20]]
    return "\n".join(lines)
