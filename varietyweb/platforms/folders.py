"""Year folders: a 年报 column that lists one folder per year, each a list of that year's
reports, sometimes split per kind (本级 / 部门 / 乡镇街道).

Variants:
- ``kind``: ``…/zfxxgknb/`` → ``2024n78/`` (year + column number) → ``bj/ bm/ xzjd/`` →
  reports (TRS-style lists with ``index_1.html`` paging);
- ``plain``: ``…/xxgknb/`` → ``2023/`` → reports.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from varietyweb.columns import Entry, chunks
from varietyweb.web import Site, page

KINDS = {"bj": "本级政府", "bm": "政府部门", "xzjd": "乡镇（街道）"}


def _list(site: Site, base: str, title: str, entries: list[Entry], per: int, crumbs: str) -> None:
    pages = chunks(entries, per)
    for i, chunk in enumerate(pages):
        lis = "".join(f'<li><a href="{html.escape(e.href)}" title="{html.escape(e.title)}">{html.escape(e.title)}</a>'
                      f"<span>{e.day:%Y-%m-%d}</span></li>" for e in chunk)
        nav = "".join(f' <a href="{"index.html" if k == 0 else f"index_{k}.html"}">{k + 1}</a>' for k in range(len(pages)))
        site.add(base + ("index.html" if i == 0 else f"index_{i}.html"),
                 page(site, title, f"<div class='crumb'>{crumbs}</div><ul class='list'>{lis}</ul><div class='page'>{nav}</div>"))
    site.add(base, site.resources[base + "index.html"])


def year_folders(site: Site, root: str, by_year: dict[int, dict[str, list[Entry]]], *, variant: str = "kind",
                 colno: int = 78, per: int = 10, title: str = "政府信息公开年报") -> str:
    """``by_year[year][kind]`` are the entries of one folder (kind ignored for ``plain``).
    Article paths must already be under the folder (see :func:`folder_path`)."""
    years = sorted(by_year, reverse=True)
    # the per-kind portal names each folder like a report (a precision trap); the plain one by year only
    label = "{y}年度政府信息公开工作年度报告" if variant == "kind" else "{y}年"
    links = "".join(f'<li><a href="{folder(root, y, variant, colno)}">{label.format(y=y)}</a></li>' for y in years)
    site.add(root, page(site, title, f"<h2>{title}</h2><ul class='folders'>{links}</ul>"))
    site.add(root + "index.html", site.resources[root])
    for y in years:
        base = folder(root, y, variant, colno)
        crumbs = f"<a href='{root}'>{title}</a> &gt; {y}年度"
        if variant == "kind":
            kinds = by_year[y]
            sub = "".join(f'<li><a href="{k}/">{KINDS[k]}</a></li>' for k in KINDS if k in kinds)
            site.add(base, page(site, f"{y}年度", f"<div class='crumb'>{crumbs}</div><ul class='kinds'>{sub}</ul>"))
            site.add(base + "index.html", site.resources[base])
            for k, entries in kinds.items():
                _list(site, f"{base}{k}/", f"{y}年度{KINDS[k]}", entries, per, crumbs + f" &gt; {KINDS[k]}")
        else:
            _list(site, base, f"{y}年度", [e for es in by_year[y].values() for e in es], per, crumbs)
    return root


def folder(root: str, year: int, variant: str, colno: int) -> str:
    return f"{root}{year}n{colno + year - 2024}/" if variant == "kind" else f"{root}{year}/"


def folder_path(base: str) -> Callable:
    return lambda day, ident: f"{base}{day:%Y%m}/t{day:%Y%m%d}_{ident}.html"
