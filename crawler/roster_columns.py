"""Propose each agency's 年报 column from a real crawl (``nianbao registry columns``).

The crawler's own discovery is run (crawler.run.run_crawl: the same spiders, families and
politeness as ``nianbao crawl``) and each agency's crawl record is read back: the columns
it crawled (``AgencyCrawl.columns``, or the columns of its proof of absence once the spider
records one) and the reports it stored.  Each column becomes a proposal with its evidence:
the page's title and the reports of this agency it lists.  Accepted columns go into the
registry's ``start_urls``, where the crawler treats them as pinned: a later crawl that reads
such a column to the end proves what the agency did not publish.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import lxml.html
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.roster_discover import DiscoverError, PoliteFetcher
from db.models import AgencyCrawl, Document
from db.registry import Registry


def _proof_columns(crawl: AgencyCrawl) -> list[dict[str, Any]]:
    proof = getattr(crawl, "proof", None) or {}
    cols = proof.get("columns") if isinstance(proof, dict) else None
    if cols:
        return [c for c in cols if isinstance(c, dict) and c.get("url")]
    return [{"url": c} if isinstance(c, str) else c for c in (crawl.columns or []) if c]


def _page_evidence(fetcher: PoliteFetcher | None, url: str) -> tuple[str, set[str]]:
    """(the column page's title, the links on it); empty when it cannot be read."""
    if fetcher is None:
        return "", set()
    try:
        text = fetcher.get(url)
    except DiscoverError:
        return "", set()
    if not text:
        return "", set()
    doc = lxml.html.fromstring(text)
    title = (doc.findtext(".//title") or "").strip()
    links = {urljoin(url, h) for h in doc.xpath("//a/@href")}
    return title, links


def propose_columns(session: Session, run_id: int, registry: Registry,
                    fetcher: PoliteFetcher | None = None) -> list[dict[str, Any]]:
    """One entry per crawled agency: its columns, each with title, reports and ``accept``."""
    out: list[dict[str, Any]] = []
    crawls = session.scalars(select(AgencyCrawl).where(AgencyCrawl.run_id == run_id).order_by(AgencyCrawl.id))
    for crawl in crawls:
        spec = registry.get(crawl.agency_id)
        docs = session.scalars(select(Document).where(Document.agency_id == crawl.agency_id, Document.kind == "page",
                                                      Document.removed_at.is_(None)).order_by(Document.year)).all()
        reports = [{"year": d.year, "title": d.title, "url": d.url} for d in docs]
        cols = _proof_columns(crawl)
        entry: dict[str, Any] = {"agency": crawl.agency_id, "name": spec.name if spec else crawl.agency_id,
                                 "outcome": crawl.outcome, "columns": []}
        if crawl.reason:
            entry["reason"] = crawl.reason
        for col in cols:
            url = col["url"]
            title, links = _page_evidence(fetcher, url)
            listed = [r for r in reports if r["url"] in links]
            if len(cols) == 1:
                listed = reports  # the only column the crawl read: every report came from it
            years = sorted({r["year"] for r in listed if r["year"]} | set(col.get("years") or []))
            pinned = bool(spec and url in spec.start_urls)
            proposal = {"url": url, "title": title, "years": years, "reports": listed,
                        "how": col.get("why") or "crawler discovery", "pinned": pinned,
                        "accept": bool(listed or years) and not pinned}
            entry["columns"].append(proposal)
        out.append(entry)
    return out


def accept_columns(registry_data: dict[str, Any], proposals: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Write the accepted columns into the registry data's start_urls; returns (agency, url) added."""
    by_id = {a.get("id"): a for a in registry_data.get("agencies") or [] if isinstance(a, dict)}
    added = []
    for entry in proposals:
        agency = by_id.get(entry.get("agency"))
        if agency is None:
            continue
        for col in entry.get("columns") or []:
            if col.get("accept") and col.get("url") not in (agency.get("start_urls") or []):
                agency["start_urls"] = [col["url"], *(agency.get("start_urls") or [])]
                added.append((agency["id"], col["url"]))
    return added
