"""Agencies, their reports and the article pages that carry them.

Report bodies reuse the sample web's generator (``sampleweb.reports``): the three
national tables in the 2021 template with consistent numbers.  Here the reports get their
titles (with the variants real organs use), publication dates, article pages (metadata
table, 发布时间, body container of each CMS) and attachments.
"""

from __future__ import annotations

import hashlib
import html
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sampleweb.reports import make_tables, report_body, report_docx, report_xlsx
from varietyweb.web import Resource, Site, page

YEARS = (2022, 2023, 2024)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Agency:
    id: str
    name: str
    kind: str  # government | department | township
    region: str
    site: str
    hosts: list[str]
    parent: str | None = None
    start_urls: list[str] = field(default_factory=list)
    expected: str = "ok"  # ok | blocked | unreachable
    reason: str | None = None

    def registry_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "name": self.name, "kind": self.kind, "region": self.region}
        if self.parent:
            row["parent"] = self.parent
        row["site"] = self.site
        if self.start_urls:
            row["start_urls"] = list(self.start_urls)
        row["hosts"] = list(self.hosts)
        return row


@dataclass
class Report:
    agency: Agency
    year: int
    published: date
    klass: str  # platform/variant class, e.g. "hanweb-jpage/startrecord"
    title: str
    fmt: str = "html"  # html | docx | xlsx | pdf | imgtables | flipbook
    url: str = ""
    attachments: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # other URLs that lead to the same report
    tables: dict[str, Any] | None = None
    ident: int = 0
    tags: list[str] = field(default_factory=list)  # orthogonal traits: shared-portal, gbk, attachment-302…

    @property
    def signed(self) -> str:
        return f"{self.published:%Y年%-m月%-d日}"

    def truth(self) -> dict[str, Any]:
        return {"agency": self.agency.id, "year": self.year, "title": self.title, "url": self.url,
                "published": self.published.isoformat(), "class": self.klass, "format": self.fmt,
                "attachments": list(self.attachments), "tags": sorted(set(self.tags)),
                "urls": sorted({self.url, *self.attachments, *self.also})}


TITLE_FORMS = ("{n}{y}年政府信息公开工作年度报告", "{n}{y}年度政府信息公开工作年度报告", "{n}{y}年政府信息公开年度报告",
               "{n}政府信息公开工作{y}年度报告", "{y}年{n}政府信息公开工作年度报告", "{n}{y}年政府信息公开年报")

NOISE = ("{y}年政府工作报告", "{n}{y}年法治政府建设年度报告", "{n}{y}年部门预算公开", "{n}{y}年度部门决算公开",
         "关于做好{y}年政府信息公开工作年度报告编制工作的通知", "图解：{n}{y}年政府信息公开工作年度报告",
         "解读《{n}{y}年政府信息公开工作年度报告》", "{n}{y}年度工作总结", "{n}关于{y}年度政务公开工作要点的通知")


def rng_for(*parts: object) -> random.Random:
    return random.Random(hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest())


def publication_day(agency: Agency, year: int) -> date:
    """A plausible publication date: departments in January, governments by the end of March,
    now and then a little late."""
    rng = rng_for("pub", agency.id, year)
    if agency.kind == "department":
        start, span = date(year + 1, 1, 8), 24
    else:
        start, span = date(year + 1, 1, 20), 68
    day = start + timedelta(days=rng.randrange(span))
    if rng.random() < 0.08:
        day += timedelta(days=20 + rng.randrange(30))  # late
    return day


def make_reports(agency: Agency, klass: str, *, years: tuple[int, ...] = YEARS, fmt: str | dict[int, str] = "html",
                 title_form: int | None = None, bare_title: bool = False, tags: tuple[str, ...] = ()) -> list[Report]:
    """The agency's reports for ``years`` with consistent tables and a title form."""
    rng = rng_for("reports", agency.id)
    form = TITLE_FORMS[title_form if title_form is not None else rng.randrange(len(TITLE_FORMS))]
    out, prev = [], None
    for y in years:
        tables = make_tables(rng, y, prev)
        prev = tables
        title = (f"{y}年政府信息公开工作年度报告" if bare_title else form.format(n=agency.name, y=y))
        f = fmt.get(y, "html") if isinstance(fmt, dict) else fmt
        ident = int(hashlib.md5(f"{agency.id}{y}".encode()).hexdigest()[:6], 16) % 900000 + 100000
        out.append(Report(agency, y, publication_day(agency, y), klass, title, f, tables=tables, ident=ident,
                          tags=list(tags) + (["bare-title"] if bare_title else []) + ([f"format-{f}"] if f != "html" else [])))
    return out


@dataclass
class Noise:
    title: str
    day: date
    ident: int
    url: str = ""


def make_noise(owner: str, count: int, seed: str) -> list[Noise]:
    """Unrelated documents mixed into the same lists (some name 年度报告 but are not the report)."""
    rng = rng_for("noise", seed)
    out = []
    for k in range(count):
        y = rng.choice(YEARS)
        title = NOISE[(k + rng.randrange(3)) % len(NOISE)].format(n=owner, y=y)
        out.append(Noise(title, date(y + 1, 1, 1) + timedelta(days=rng.randrange(300)), 500000 + rng.randrange(400000)))
    return out


def hexname(rep: Report, salt: str = "") -> str:
    return hashlib.md5(f"{rep.agency.id}-{rep.year}-{salt}".encode()).hexdigest()


def attachment_bytes(rep: Report, ext: str) -> tuple[bytes, str]:
    name = rep.agency.name
    if ext == "xlsx":
        return report_xlsx(name, rep.year, rep.tables or {}, rep.signed), XLSX
    if ext == "pdf":
        from varietyweb.pdf import report_lines, text_pdf

        return text_pdf(report_lines(name, rep.year, rep.tables or {}, rep.signed), rep.title), "application/pdf"
    return report_docx(name, rep.year, rep.tables or {}, rep.signed), DOCX


def add_attachment(site: Site, rep: Report, link: str, target: str | None = None, ext: str = "docx") -> str:
    """Serve the report's attachment at ``link`` (through a 302 to ``target`` when given)."""
    body, ctype = attachment_bytes(rep, ext)
    if target:
        site.add(link, Resource.redirect(site.url(target)))
        site.add(target, Resource(body, ctype))
        rep.also.append(site.url(target))
    else:
        site.add(link, Resource(body, ctype))
    rep.attachments.append(site.url(link) if link.startswith("/") else link)
    return link


def body_html(rep: Report, attachment_link: str | None = None, ext: str = "docx") -> str:
    """The article body: the report itself, or a short text with the attachment link."""
    if rep.fmt == "html":
        return report_body(rep.agency.name, rep.year, rep.tables or {}, rep.signed)
    return (f"<p>{html.escape(rep.title)}</p><p>附件：<a href=\"{html.escape(attachment_link or '')}\">"
            f"{html.escape(rep.title)}.{ext}</a></p>")


CONTAINERS = {"trs": ('<div class="TRS_Editor">', "</div>"), "hanweb": ('<div id="zoom">', "</div>"),
              "vsb": ('<div id="vsb_content"><div class="v_news_content">', "</div></div>"),
              "gkmlpt": ('<div class="article-content">', "</div>"), "ucap": ('<div class="article-content" id="content">', "</div>"),
              "plain": ('<div class="content">', "</div>"), "view": ('<div class="view TRS_UEDITOR">', "</div>")}


def article_page(site: Site, rep: Report, *, style: str = "plain", pubdate: str | None = None,
                 attachment_link: str | None = None, ext: str = "docx", head: str = "", list_day: date | None = None,
                 charset: str | None = None, body: str | None = None) -> Resource:
    """The report's article page with its 信息公开目录 table, 发布时间 and the body."""
    day = list_day or rep.published
    opener, closer = CONTAINERS[style]
    meta = {"ArticleTitle": rep.title, "PubDate": pubdate or f"{day:%Y-%m-%d} 09:{rep.ident % 60:02d}",
            "ContentSource": rep.agency.name, "ColumnName": "政府信息公开年报"}
    info = (f'<table class="xxgk-meta"><tr><td>索引号：</td><td>{rep.agency.region}/{rep.year + 1}-{rep.ident % 1000:05d}</td>'
            f"<td>发布机构：</td><td>{html.escape(rep.agency.name)}</td></tr><tr><td>发文日期：</td><td>{day:%Y-%m-%d}</td>"
            f"<td>主题分类：</td><td>政务公开</td></tr></table>")
    inner = body if body is not None else body_html(rep, attachment_link, ext)
    body = (f'<div class="article"><h1 class="title">{html.escape(rep.title)}</h1>{info}'
            f'<div class="info">发布时间：{day:%Y-%m-%d} 09:{rep.ident % 60:02d}　来源：{html.escape(rep.agency.name)}'
            f"　浏览次数：<span id='hits'></span></div>{opener}{inner}{closer}</div>")
    return page(site, rep.title, body, meta, head=head, charset=charset)


def noise_page(site: Site, n: Noise, style: str = "plain", charset: str | None = None) -> Resource:
    opener, closer = CONTAINERS[style]
    return page(site, n.title, f'<h1 class="title">{html.escape(n.title)}</h1><div class="info">发布时间：{n.day}</div>'
                               f"{opener}<p>{html.escape(n.title)}全文略。</p>{closer}",
                {"ArticleTitle": n.title, "PubDate": f"{n.day} 10:00"}, charset=charset)
