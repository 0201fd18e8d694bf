"""Year folders and kind sub-columns: a column that lists one folder per year
(``…/xxgknb/2023/``, ``…/zfxxgknb/2024n78/xzjd/``) or one sub-column per kind or agency
(本级 / 部门 / 乡镇（街道）, or each department by name).  :func:`subcolumns` finds them on
any column page (every adapter's pages go through it); as an adapter it takes the pages
that list only such folders."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from parsing.classify import classify_title
from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import (
    ATTACHMENT_RE,
    canonical,
    link_entries,
    same_origin,
    text_of,
    under,
)

NAME = "year_folders"
YEAR_LABEL_RE = re.compile(r"^(?:(?:19|20)\d{2})\s*(?:年度?|年报)?(?:政府信息公开)?(?:年度报告|年报)?$")
KIND_LABEL_RE = re.compile(r"^(?!.*(?:19|20)\d{2})[\u4e00-\u9fa5（）()、及和与]{0,6}(?:本级|部门|乡镇|街道|县直|市直|区直|镇街|单位|直属)"
                           r"[\u4e00-\u9fa5（）()、及和与]{0,8}$")
ORGAN_LABEL_RE = re.compile(r"^[\u4e00-\u9fa5（）()]{1,24}(?:局|委员会|委|办公室|办|人民政府|政府|镇|乡|街道|街道办事处|中心|院|署|"
                            r"管委会|管理委员会|分局|队|馆|厅|部|会)$")
_LISTISH_RE = re.compile(r"(?:/|/index(?:_\d+)?\.s?html?|/list(?:_\d+)?\.s?html?|\.htm|/col/col\d+/index\.html)$|[?&](?:orgCode|orgcode|deptCode|deptcode|unitCode|orgId|deptId)=", re.I)


def _label(a: Selector) -> str:
    return " ".join(text_of(a).split()) or (a.attrib.get("title") or "").strip()


def subcolumns(page: Page) -> list[Next]:
    """Links to year folders, kind sub-columns and per-agency sub-columns of this column
    (computed once per page: the fingerprint and the spider both ask)."""
    if "subcolumns" not in page.memo:
        page.memo["subcolumns"] = _subcolumns(page)
    return list(page.memo["subcolumns"])


def _subcolumns(page: Page) -> list[Next]:
    out: list[Next] = []
    seen = set()
    for a in page.sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        label = _label(a)
        if not href or href.startswith(("javascript:", "mailto:", "#")) or not label or len(label) > 26:
            continue
        url = canonical(urljoin(page.url, href))
        if url in seen or url == canonical(page.url) or not same_origin(url, page.url) or ATTACHMENT_RE.search(url):
            continue
        path = urlsplit(url).path
        is_year = bool(YEAR_LABEL_RE.match(label)) and under(url, page.url)
        is_kind = bool(KIND_LABEL_RE.match(label)) and (under(url, page.url) or bool(_LISTISH_RE.search(url)))
        is_organ = bool(ORGAN_LABEL_RE.match(label)) and not classify_title(label).is_report and bool(
            _LISTISH_RE.search(url)) and (under(url, page.url) or "orgcode=" in url.lower() or "/pc/list.html" in path)
        if is_year or is_kind or is_organ:
            seen.add(url)
            out.append(Next(url, kind="subcolumn", label=label if is_organ else None))
    return out


def fingerprint(page: Page) -> bool:
    subs = subcolumns(page)
    if not subs:
        return False
    folders = {n.url for n in subs}
    reports = [e for e in link_entries(page.url, page.sel) if classify_title(e.title).is_report and e.url not in folders]
    return not reports


def read(page: Page) -> Listing:
    return Listing(entries=link_entries(page.url, page.sel, page.org), next=subcolumns(page))
