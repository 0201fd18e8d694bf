"""Placing reports and noise documents on a site, and cutting the column into pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from crawler.varietyweb.content import Noise, Report, add_attachment, article_page
from crawler.varietyweb.web import Site

PathOf = Callable[[date, int], str]
AttachOf = Callable[[Report], tuple[str, str | None, str]]  # (link, redirect target or None, ext)


@dataclass
class Entry:
    title: str
    href: str  # site-absolute path of the article
    day: date
    report: Report | None = None

    @property
    def is_report(self) -> bool:
        return self.report is not None


def place(world, site: Site, reps: list[Report], noise: list[Noise], path_of: PathOf, *, style: str = "plain",
          attach: AttachOf | None = None, pubdate: str | None = None, charset: str | None = None,
          reachable: bool = True) -> list[Entry]:
    """Render the article pages of ``reps`` and ``noise`` on ``site``; return the list entries,
    newest first, and record the reports in the world's truth."""
    entries: list[Entry] = []
    for rep in reps:
        path = path_of(rep.published, rep.ident)
        link, ext = None, "docx"
        if rep.fmt in ("docx", "xlsx", "pdf"):
            ext = rep.fmt
            if attach is None:
                link, target = path.rsplit("/", 1)[0] + f"/P0{rep.published:%Y%m%d}{rep.ident}.{ext}", None
            else:
                link, target, ext = attach(rep)
            add_attachment(site, rep, link, target, ext)
        body = None
        if rep.fmt == "imgtables":
            from crawler.varietyweb.images import add_pictures

            body = add_pictures(site, rep, path.rsplit("/", 1)[0] + "/")
        site.add(path, article_page(site, rep, style=style, pubdate=pubdate, attachment_link=link, ext=ext, charset=charset,
                                    body=body))
        rep.url = site.url(path)
        entries.append(Entry(rep.title, path, rep.published, rep))
    world.add_reports(reps, reachable)
    for n in noise:
        path = path_of(n.day, n.ident)
        world.add_noise(site, n, path, style)
        entries.append(Entry(n.title, path, n.day))
    entries.sort(key=lambda e: (e.day, e.title), reverse=True)
    return entries


def chunks(entries: list[Entry], per: int) -> list[list[Entry]]:
    return [entries[i:i + per] for i in range(0, len(entries), per)] or [[]]
