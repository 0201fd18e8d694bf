"""The whole variety web: sites, agencies, reports, traps and the ground truth they make.

Platform modules add sites and reports to a :class:`World`; :func:`furnish` gives every
site the pages real sites have around the 年报 column (home page, 政务公开 hub, news,
search and calendar traps, session-id links).
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from typing import Any

from varietyweb.content import Agency, Noise, Report, noise_page
from varietyweb.web import TLD, Request, Resource, Site, page


class World:
    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.agencies: list[Agency] = []
        self.reports: list[Report] = []
        self.unreachable_reports: list[Report] = []  # published, but behind a block: not expected
        self.absent: list[dict[str, Any]] = []  # (agency, year) with no report anywhere
        self.traps: list[dict[str, str]] = []
        self.noise_urls: list[str] = []

    # -- building ---------------------------------------------------------------------------
    def site(self, host: str, name: str, platform: str, **kw: Any) -> Site:
        if not host.endswith(TLD):
            host = f"{host}.{TLD}"
        if host in self.sites:
            return self.sites[host]
        s = Site(host, name, platform, **kw)
        self.sites[host] = s
        return s

    def agency(self, id: str, name: str, kind: str, region: str, site: str, *, hosts: list[str] | None = None,
               parent: str | None = None, start_urls: list[str] | None = None, expected: str = "ok",
               reason: str | None = None) -> Agency:
        host = re.sub(r"^https?://([^/]+).*$", r"\1", site)
        a = Agency(id, name, kind, region, site, hosts or [host], parent, list(start_urls or []), expected, reason)
        assert all(x.id != id for x in self.agencies), id
        self.agencies.append(a)
        return a

    def add_reports(self, reps: list[Report], reachable: bool = True) -> list[Report]:
        (self.reports if reachable else self.unreachable_reports).extend(reps)
        return reps

    def mark_absent(self, agency: Agency, year: int, why: str) -> None:
        self.absent.append({"agency": agency.id, "year": year, "why": why})

    def add_noise(self, site: Site, n: Noise, path: str, style: str = "plain") -> Noise:
        site.add(path, noise_page(site, n, style))
        n.url = site.url(path)
        self.noise_urls.append(n.url)
        return n

    def trap(self, host: str, pattern: str, what: str) -> None:
        self.traps.append({"host": host, "pattern": pattern, "what": what})

    # -- truth ------------------------------------------------------------------------------
    def truth(self) -> dict[str, Any]:
        return {
            "agencies": [dict(a.registry_row(), expected=a.expected, reason=a.reason) for a in self.agencies],
            "reports": [r.truth() for r in self.reports],
            "unreachable_reports": [r.truth() for r in self.unreachable_reports],
            "absent": list(self.absent),
            "traps": list(self.traps),
            "noise": list(self.noise_urls),
            "hosts": sorted(self.sites),
            "robots": {h: s.robots for h, s in sorted(self.sites.items()) if s.robots},
        }


def furnish(world: World, site: Site, column_links: list[tuple[str, str]], *, hub: str = "/zwgk/",
            calendar: bool = False, jsessionid: bool = False, home_extra: str = "", home: str = "/") -> None:
    """Home page, 政务公开 hub linking the columns, news page and the traps around them."""
    links = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for t, h in column_links)
    site.resources.setdefault(hub, page(site, "政务公开", f"<div class='xxgk-nav'><ul><li><a href='{hub}zn/'>政府信息公开指南</a></li>"
                                        f"<li><a href='{hub}zd/'>政府信息公开制度</a></li><li><a href='{hub}fdzdgknr/'>法定主动公开内容</a></li>"
                                        f"{links}</ul></div>"))
    for sub, t in (("zn/", "政府信息公开指南"), ("zd/", "政府信息公开制度"), ("fdzdgknr/", "法定主动公开内容")):
        site.resources.setdefault(hub + sub, page(site, t, f"<h1>{t}</h1><p>{t}。</p>"))
    site.resources.setdefault("/xwzx/", page(site, "新闻中心", "<h1>新闻中心</h1><ul><li><a href='/xwzx/'>工作动态</a></li></ul>"))
    site.resources.setdefault("/wzdt/", page(site, "网站地图", f"<a href='/'>首页</a> <a href='{hub}'>政务公开</a>"))
    extra = home_extra
    if calendar:
        extra += "<div class='rili'><a href='/calendar/?date=2025-01-01'>活动日历</a></div>"
        site.route("/calendar/", lambda req: _calendar(site, req))
        world.trap(site.host, r"^/calendar/", "日历：每一天链接下一天")
    if jsessionid:
        extra += f"<a href='{hub};jsessionid=A1B2C3D4E5'>信息公开（会话）</a>"
        site.route(hub.rstrip("/") + "/;jsessionid=", lambda req: _session(site, hub, req))
        world.trap(site.host, r";jsessionid=", "会话编号：每页生成新的 jsessionid 链接")
    site.resources.setdefault(home, page(site, site.name, f"<h1>{html.escape(site.name)}</h1><div class='nav'>"
                                         f"<a href='{hub}'>政务公开</a> <a href='{hub}'>政府信息公开</a> <a href='/xwzx/'>新闻中心</a></div>{extra}"))
    if home != "/":  # the root only forwards to the real home page, as many portals do
        site.resources.setdefault("/", Resource(f"<html><head><meta http-equiv='refresh' content='0;url={home}'></head>"
                                                "<body></body></html>".encode()))
    site.resources.setdefault("/index.html", site.resources["/"])
    site.route("/search/", lambda req: _search(site, req))
    world.trap(site.host, r"^/search/", "站内搜索：每个结果页链接下一页")


def _calendar(site: Site, req: Request) -> Resource:
    try:
        d = date.fromisoformat(req.arg("date", "") or "")
    except ValueError:
        d = date(2025, 1, 1)
    nxt, prv = d + timedelta(days=1), d - timedelta(days=1)
    return page(site, "活动日历", f"<a href='/calendar/?date={prv}'>{prv}</a> <a href='/calendar/?date={nxt}'>{nxt}</a>")


def _search(site: Site, req: Request) -> Resource:
    p = req.int_arg("page", 1)
    kw = html.escape(req.arg("keyword", "") or "")
    return page(site, "搜索结果", f"<p>搜索“{kw}”的结果：共 {10000 - p} 条</p><a href='/search/?keyword={kw}&amp;page={p + 1}'>下一页</a>"
                                 f" <a href='/search/?keyword=%E5%B9%B4%E6%8A%A5&amp;page={p}&amp;sort=time'>按时间排序</a>")


def _session(site: Site, hub: str, req: Request) -> Resource:
    import hashlib

    nxt = hashlib.md5(req.target.encode()).hexdigest()[:10].upper()
    return page(site, "政务公开", f"<a href='{hub};jsessionid={nxt}'>政务公开</a> <a href='{hub}'>返回</a>")


def min_number_regex(n: int) -> str:
    """A regex matching decimal integers >= n (for 'endless ?page=' trap patterns)."""
    s = str(n)
    alts = [rf"[1-9]\d{{{len(s)},}}"]  # more digits
    for i, ch in enumerate(s):
        d = int(ch)
        if d < 9:
            alts.append(re.escape(s[:i]) + f"[{d + 1}-9]" + (rf"\d{{{len(s) - i - 1}}}" if len(s) - i - 1 else ""))
    alts.append(re.escape(s))
    return "(?:" + "|".join(alts) + ")"
