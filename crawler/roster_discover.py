"""Propose registry rows from a government portal (``nianbao registry discover URL``).

Reads the portal's home page, follows its links named 部门导航 / 部门网站 / 乡镇（街道）/
镇街 / 政府信息公开 / 机构 (same host, at most ``max_pages``), and takes from those pages the
links whose text is an agency's name, leaving out menus and 友情链接.  Each proposal says how
it was found and how sure it is; a person reviews the file and accepts rows with
``nianbao registry accept``.  Nothing is written into the registry here.

Polite like the crawler: robots.txt obeyed, the crawler's User-Agent, a delay between
requests, http_proxy/https_proxy honoured (urllib's proxy handler, or ``proxy``).
"""

from __future__ import annotations

import re
import time
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from crawler.settings import USER_AGENT
from db.roster_names import infer_kind, normalize_name, split_places

NAV_WORDS = re.compile(r"部门导航|部门网站|政府部门|部门链接|乡镇(（|\()?街道|镇街|镇（街道）|乡镇导航|信息公开|机构(列表|导航)")
TOWNSHIP_WORDS = re.compile(r"乡镇|街道|镇街")
DEPARTMENT_WORDS = re.compile(r"部门")
NOISE_BLOCKS = re.compile(r"yqlj|friend|footer|foot|link|友情|nav|menu|header|top", re.I)
NOISE_TEXT = re.compile(r"^(首页|更多|返回|上一页|下一页|尾页|English|无障碍|登录|注册)")
SHORT_DEPT = re.compile(r"^(县|市|区|旗)?.{1,20}(局|委员会|委|办公室|办|厅|中心|署)$")
SHORT_TOWN = re.compile(r"^.{1,8}(镇|乡|街道)(人民政府|办事处)?$")


class DiscoverError(RuntimeError):
    """The portal cannot be read (one line for the CLI)."""


@dataclass(slots=True)
class Proposal:
    name: str
    kind: str
    site: str
    parent: str | None
    found: list[str] = field(default_factory=list)   # how: "部门导航 http://…/bmdh/ 链接“县教育局”"
    confidence: float = 0.5
    region: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "site": self.site}
        if self.parent:
            d["parent"] = self.parent
        if self.region:
            d["region"] = self.region
        d["found"] = self.found
        d["confidence"] = round(self.confidence, 2)
        d["accept"] = self.confidence >= 0.8
        return d


class PoliteFetcher:
    """GET pages one at a time with the crawler's UA, a delay, robots.txt and the proxy."""

    def __init__(self, delay: float = 1.0, timeout: float = 20.0, proxy: str | None = None) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        if proxy:
            handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
        self.opener = urllib.request.build_opener(*handlers)  # default ProxyHandler reads http_proxy
        self.delay, self.timeout = delay, timeout
        self.robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        self.last = 0.0
        self.requests = 0

    def _raw(self, url: str) -> tuple[int, bytes, str]:
        wait = self.last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        self.requests += 1
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read(), resp.headers.get_content_charset() or ""
        except urllib.error.HTTPError as exc:
            return exc.code, b"", ""
        finally:
            self.last = time.monotonic()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            rp = urllib.robotparser.RobotFileParser()
            try:
                status, body, _ = self._raw(root + "/robots.txt")
            except OSError:
                status, body = 0, b""
            rp.parse(body.decode("utf-8", "replace").splitlines() if status == 200 else [])
            self.robots[root] = rp
        return self.robots[root].can_fetch(USER_AGENT, url)

    def get(self, url: str) -> str | None:
        """The page's text, or None when robots.txt forbids it or it is not a 200."""
        if not self.allowed(url):
            return None
        try:
            status, body, charset = self._raw(url)
        except OSError as exc:
            raise DiscoverError(f"无法访问 {url}：{exc}") from exc
        if status != 200:
            return None
        head = body[:2048].decode("ascii", "replace").lower()
        m = re.search(r'charset=["\']?([a-z0-9_-]+)', head)
        for enc in (charset, m.group(1) if m else "", "utf-8", "gb18030"):
            if not enc:
                continue
            try:
                return body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
        return body.decode("utf-8", "replace")


def _context(a: lxml.html.HtmlElement) -> tuple[str, bool]:
    """(the heading the link sits under, whether it is in a menu / 友情链接 / footer block)."""
    noise = False
    heading = ""
    node = a
    while node is not None:
        cls = f"{node.get('class', '')} {node.get('id', '')}"
        if NOISE_BLOCKS.search(cls):
            noise = True
        if not heading:
            prev = node.getprevious()
            while prev is not None and not heading:
                if prev.tag in ("h1", "h2", "h3", "h4", "h5", "caption") or "title" in (prev.get("class") or ""):
                    heading = prev.text_content().strip()
                prev = prev.getprevious()
        node = node.getparent()
    return heading, noise


def _government_name(doc: lxml.html.HtmlElement) -> str | None:
    meta = doc.xpath('//meta[@name="SiteName"]/@content')
    title = (doc.findtext(".//title") or "").strip()
    for text in [*meta, *re.split(r"[_|\-—－]", title)[::-1]]:
        name = normalize_name(text)
        if name.endswith("人民政府") and infer_kind(name) == "government":
            return name
    return None


def _full_name(text: str, gov: str | None, kind: str) -> tuple[str, bool]:
    """"县教育局" on 沭阳县's portal -> 沭阳县教育局; "钱集镇" -> 沭阳县钱集镇人民政府 (built: True)."""
    name = normalize_name(text)
    places, _ = split_places(name)
    place = (split_places(gov)[0] or [""])[-1] if gov else ""
    built = False
    bare_town = bool(places) and places[0].endswith(("镇", "乡", "街道")) and kind == "township"
    if place and (not places or bare_town) and kind in ("department", "township"):
        if kind == "department" and name[:1] in "县市区旗" and place.endswith(name[:1]):
            name = place + name[1:]
        else:
            name = place + name
        built = True
    if kind == "township" and not name.endswith(("人民政府", "办事处")):
        name += "办事处" if name.endswith("街道") else "人民政府"
        built = True
    return name, built


def discover(url: str, parent: str | None = None, fetcher: PoliteFetcher | None = None,
             max_pages: int = 20) -> list[Proposal]:
    """Proposals from the portal at ``url`` (the portal's government first when no parent)."""
    fetcher = fetcher or PoliteFetcher()
    text = fetcher.get(url)
    if text is None:
        raise DiscoverError(f"{url}：无法读取（robots.txt 不允许，或不是 200）")
    home = lxml.html.fromstring(text, base_url=url)
    gov = _government_name(home)
    code = next((c[:6] for c in home.xpath('//meta[@name="SiteIDCode"]/@content') if re.fullmatch(r"\d{10}", c)), None)
    host = urlsplit(url).hostname
    out: dict[str, Proposal] = {}
    if gov and parent is None:
        out[gov] = Proposal(gov, "government", url, None, [f"门户网站 {url} 的网站名称"], 0.9, code)
    parent_ref = parent or gov
    pages = [(url, home, "首页")]
    seen = {url}
    for a in home.iter("a"):
        label = a.text_content().strip()
        href = urljoin(url, a.get("href") or "")
        if NAV_WORDS.search(label) and urlsplit(href).hostname == host and href not in seen and len(pages) < max_pages:
            seen.add(href)
            page = fetcher.get(href)
            if page is not None:
                pages.append((href, lxml.html.fromstring(page, base_url=href), label))
    seen_selects: set[tuple[str, ...]] = set()
    for n, (page_url, doc, label) in enumerate(pages):
        page_kind = _section(label)
        if n > 0:  # the home page's own links are news and menus; its 部门/乡镇 dropdowns count
            for a in doc.iter("a"):
                heading, noise = _context(a)
                if not noise:
                    _add(out, normalize_name(a.text_content()), urljoin(page_url, a.get("href") or ""),
                         _section(heading) or page_kind, gov, code, parent_ref,
                         f"{label} {page_url} 链接“{normalize_name(a.text_content())}”"
                         + (f"（栏目“{heading}”）" if heading else ""), _table_code(a))
        for sel in doc.iter("select"):  # 部门网站 ▾ / 乡镇（街道）网站 ▾ dropdowns
            options = sel.findall("option")
            signature = tuple((o.get("value") or "") for o in options)
            if not options or (options[0].get("value") or "").startswith("http") or signature in seen_selects:
                continue  # a dropdown repeated in every page's footer counts once
            seen_selects.add(signature)
            title = normalize_name(options[0].text_content())
            section = _section(title)
            if section is None:
                continue  # 县区政府网站 and the like: other governments
            for opt in options[1:]:
                href = (opt.get("value") or "").strip()
                text = normalize_name(opt.text_content())
                if href.startswith(("http://", "https://", "/")):
                    _add(out, text, urljoin(page_url, href), section, gov, code, parent_ref,
                         f"{label} {page_url} 下拉框“{title}”选项“{text}”", None)
    return list(out.values())


def _section(text: str) -> str | None:
    return "township" if TOWNSHIP_WORDS.search(text) else "department" if DEPARTMENT_WORDS.search(text) else None


def _table_code(a: lxml.html.HtmlElement) -> str | None:
    """A 9- or 12-digit code in the same table row as the link (乡镇 lists often show it)."""
    cell = a.getparent()
    if cell is None or cell.tag != "td" or cell.getparent() is None:
        return None
    cells = [c.text_content().strip() for c in cell.getparent()]
    return next((c for c in cells if re.fullmatch(r"\d{9}|\d{12}", c)), None)


def _kind_of(text: str, section: str | None) -> str | None:
    """department | township for a link's text on a list of that section; None: not an agency."""
    if not text or NOISE_TEXT.match(text) or len(text) > 30:
        return None
    kind = infer_kind(text) or ("department" if SHORT_DEPT.match(text) else
                                "township" if SHORT_TOWN.match(text) else None)
    if kind == "government":
        return None  # this portal's own government, or another one linked across
    if section == "township" and SHORT_TOWN.match(text):
        return "township"
    return kind


def _add(out: dict[str, Proposal], text: str, site: str, section: str | None, gov: str | None, code: str | None,
         parent: str | None, how: str, region: str | None) -> None:
    kind = _kind_of(text, section)
    if kind is None:
        return
    name, built = _full_name(text, gov, kind)
    conf = 0.8 if built else 0.9
    if region is None and kind == "department":
        region = code  # a department carries its government's code
    p = out.get(name)
    if p is None:
        out[name] = Proposal(name, kind, site, parent, [how], conf, region)
        return
    # found twice (部门导航 and the 机构 list): surer; an own site beats a platform's list page
    p.found.append(how)
    p.confidence = round(min(0.97, max(p.confidence, conf) + 0.05), 2)
    if "?" in p.site and "?" not in site:
        p.site = site
    p.region = p.region or region
