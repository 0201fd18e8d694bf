"""Query-string platforms: one list serves many agencies, the agency and year in the
parameters (``artview/<col>/<id>.html?nbYear=2021&orgCode=…``, ``list.html?orgCode=…``).
Query strings are kept (they are the identity of the page); each ``orgCode`` list is a
sub-column whose anchor text names the organ, and entries carry that organ as their hint.
Attribution then goes by the title, the ``orgCode`` and that hint, never by the crawl."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from spiders.adapters.base import Listing, Next, Page
from spiders.adapters.common import canonical, link_entries, same_origin

NAME = "querystring"
ORG_PARAMS = ("orgCode", "orgcode", "deptCode", "deptcode", "unitCode", "unitcode", "orgId", "deptId", "dwdm")
_FP_RE = re.compile(r"artview/\d+/\d+\.html\?|[?&](?:nbYear|orgCode|orgcode)=", re.I)
_NEXT_RE = re.compile(r"^(下一页|下页|后页|>|›|»)$")


def org_code(url: str) -> str | None:
    q = parse_qs(urlsplit(url).query)
    return next((q[k][0] for k in ORG_PARAMS if q.get(k)), None)


def fingerprint(page: Page) -> bool:
    return bool(_FP_RE.search(page.text)) or org_code(page.url) is not None


def read(page: Page) -> Listing:
    sel = page.sel
    here = org_code(page.url)
    listing = Listing(entries=link_entries(page.url, page.sel, page.org))
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#")):
            continue
        url = canonical(urljoin(page.url, href))
        label = " ".join(" ".join(a.css("::text").getall()).split())
        code = org_code(url)
        path = urlsplit(url).path
        if code and code != here and "artview" not in path and same_origin(url, page.url) and label:
            listing.next.append(Next(url, kind="subcolumn", label=label, state={"orgCode": code}))
        elif _NEXT_RE.match(label) and same_origin(url, page.url):
            listing.next.append(Next(url, sequential=True, state=dict(page.state)))
    return listing
