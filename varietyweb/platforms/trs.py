"""TRS WCM columns: lists paged by script (``createPageHTML`` / ``createPage``), articles at
``./YYYYMM/tYYYYMMDD_<id>.html`` (or ``.shtml``), attachments ``./YYYYMM/P0…``.

Variants:
- ``createPageHTML``: ``createPageHTML(total, current0, "index", "html")``, page i is
  ``index_i.html``;
- ``createPage``: the newer template ``createPage('pagenav', total, current1, 'index',
  'shtml', records)`` with a 1-based current page and ``.shtml`` files.
"""

from __future__ import annotations

import html

from varietyweb.columns import Entry, chunks
from varietyweb.web import Site, page


def art_path(base: str, ext: str = "html"):
    return lambda day, ident: f"{base}{day:%Y%m}/t{day:%Y%m%d}_{ident}.{ext}"


def trs_column(site: Site, base: str, entries: list[Entry], *, per: int = 10, variant: str = "createPageHTML",
               ext: str = "html", title: str = "政府信息公开年报", charset: str | None = None) -> str:
    """Serve the column under ``base`` (ending in /); return the first page's path."""
    pages = chunks(entries, per)
    for i, chunk in enumerate(pages):
        lis = "".join(f'<li><a href="./{html.escape(e.href[len(base):])}" target="_blank" title="{html.escape(e.title)}">'
                      f"{html.escape(e.title)}</a><span>{e.day:%Y-%m-%d}</span></li>" if e.href.startswith(base) else
                      f'<li><a href="{html.escape(e.href)}">{html.escape(e.title)}</a><span>{e.day:%Y-%m-%d}</span></li>'
                      for e in chunk)
        if variant == "createPage":
            script = (f"<div id='pagenav'></div><script type='text/javascript'>createPage('pagenav', {len(pages)}, {i + 1}, "
                      f"'index', '{ext}', {len(entries)});</script>")
        else:
            script = (f'<script type="text/javascript">var currentPage = {i};var countPage = {len(pages)};'
                      f'createPageHTML(countPage, currentPage, "index", "{ext}");</script>')
        name = f"index.{ext}" if i == 0 else f"index_{i}.{ext}"
        site.add(base + name, page(site, title, f"<div class='list'><h2>{html.escape(title)}</h2><ul>{lis}</ul></div>"
                                               f"<div class='page'>{script}</div>", {"ColumnName": title}, charset=charset))
    site.add(base, site.resources[f"{base}index.{ext}"])
    return base + f"index.{ext}"
