"""The one checker of adapter fixtures: ``tests/fixtures/sites/<adapter>/cases.json``.

Each case names a saved page (``file``), the URL it was served at, what the request that
fetched it carried (``fragment``, ``state``, ``status``), and what must come out: the
adapter the sniffer picks (``sniff``; omitted for API answers, which are never sniffed),
the report titles it lists (``reports``, exactly), the number of entries, the next
requests (``next``: URL, method, form subset, kind, label, sequential), and the totals.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parsing.classify import classify_title
from spiders.adapters import BY_NAME, Page, sniff
from spiders.decode import page_text

SITES = Path(__file__).parents[1] / "fixtures" / "sites"


def cases(adapter: str) -> list[dict[str, Any]]:
    return json.loads((SITES / adapter / "cases.json").read_text(encoding="utf-8"))


def page_of(adapter: str, case: dict[str, Any]) -> Page:
    text = page_text((SITES / adapter / case["file"]).read_bytes())
    return Page(url=case["url"], text=text, status=case.get("status", 200), state=case.get("state") or {},
                fragment=case.get("fragment", ""), org=case.get("org"))


def check(adapter: str, case: dict[str, Any]) -> None:
    page = page_of(adapter, case)
    if "sniff" in case:
        assert sniff(page).NAME == case["sniff"], case["name"]
    listing = BY_NAME[adapter].read(page)
    reports = sorted(e.title for e in listing.entries if classify_title(e.title).is_report)
    if "reports" in case:
        assert reports == sorted(case["reports"]), case["name"]
    if "report_urls" in case:
        got = sorted(e.url for e in listing.entries if classify_title(e.title).is_report)
        assert got == sorted(case["report_urls"]), case["name"]
    if "dated" in case:
        assert all(e.date for e in listing.entries if classify_title(e.title).is_report), case["name"]
    if "entries" in case:
        assert len(listing.entries) == case["entries"], (case["name"], len(listing.entries))
    if "orgs" in case:
        assert sorted({e.org for e in listing.entries if e.org}) == sorted(case["orgs"]), case["name"]
    for key in ("listed_total", "pages_total", "render"):
        if key in case:
            assert getattr(listing, key) == case[key], (case["name"], key, getattr(listing, key))
    if "error" in case:
        assert bool(listing.error) is case["error"], (case["name"], listing.error)
    if "next" in case:
        got = listing.next
        assert [n.url for n in got] == [n["url"] for n in case["next"]], (case["name"], [n.url for n in got])
        for n, want in zip(got, case["next"], strict=True):
            assert n.method == want.get("method", "GET"), case["name"]
            for k, v in (want.get("form") or {}).items():
                assert (n.formdata or {}).get(k) == v, (case["name"], k, n.formdata)
            if "body" in want:
                assert json.loads(n.body or "{}") == {**json.loads(n.body or "{}"), **want["body"]}, (case["name"], n.body)
            if "headers" in want:
                assert {**(n.headers or {}), **want["headers"]} == (n.headers or {}), case["name"]
            for k in ("kind", "label", "sequential"):
                if k in want:
                    assert getattr(n, k) == want[k], (case["name"], k, getattr(n, k))
            if "state" in want:
                assert {**n.state, **want["state"]} == n.state, (case["name"], n.state)
    if "next_count" in case:
        assert len(listing.next) == case["next_count"], (case["name"], len(listing.next))
