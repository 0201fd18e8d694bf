"""Placing reports and noise documents on a site, and cutting the column into pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from varietyweb.content import Noise, Report, add_attachment, article_page
from varietyweb.web import Site

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
            from varietyweb.images import add_pictures

            body = add_pictures(site, rep, path.rsplit("/", 1)[0] + "/")
        elif rep.fmt == "flipbook":
            body = add_flipbook(site, rep)
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


def add_flipbook(site: Site, rep: Report) -> str:
    """A flipbook (``…/files/basic-html/pageN.html``, one page of text each) embedded in the
    article by an iframe, as some organs publish the report."""
    import html

    from varietyweb.pdf import report_lines
    from varietyweb.web import page

    lines = report_lines(rep.agency.name, rep.year, rep.tables or {}, rep.signed)
    root = f"/flipbook/{rep.ident}/"
    per = 25
    n = -(-len(lines) // per)
    for k in range(n):
        text = "".join(f"<p>{html.escape(x)}</p>" for x in lines[k * per:(k + 1) * per])
        nav = (f"<a href='page{k + 2}.html'>下一页</a>" if k + 1 < n else "")
        site.add(f"{root}files/basic-html/page{k + 1}.html", page(site, f"第{k + 1}页", text + nav, nav=False, noscript=False))
    site.add(f"{root}index.html", page(site, rep.title, f"<div id='flipbook' data-pages='{n}'></div>"
                                                         f"<script src='{root}files/assets/flipbook.js'></script>", nav=False))
    rep.also.append(site.url(f"{root}index.html"))
    return (f"<p>{html.escape(rep.title)}</p><iframe src='{root}index.html' width='100%' height='900' frameborder='0'></iframe>"
            f"<p><a href='{root}files/basic-html/page1.html'>文字版</a></p>")


def chunks(entries: list[Entry], per: int) -> list[list[Entry]]:
    return [entries[i:i + per] for i in range(0, len(entries), per)] or [[]]
