"""博达 VSB: articles ``/info/<colId>/<id>.htm`` (body ``#vsb_content``), lists counting down.

Variants:
- ``countdown``: ``/<col>.htm`` then ``/<col>/<n-1>.htm`` … ``/<col>/1.htm``, each with a
  relative 下页 link;
- ``a2p``: the dynamic form of the same list, ``/<col>.htm?a2t=<pages>&a2p=<p>&a2c=10&
  urltype=tree.TreeTempUrl&wbtreeid=<col>`` (the static pages do not exist);
- ``gotopage``: static countdown pages, but the pager is only ``共N条 1/P`` text, a
  ``_simple_list_gotopage_fun`` box and a 尾页 link: the pages between must be inferred.
"""

from __future__ import annotations

import html
import posixpath

from varietyweb.columns import Entry, chunks
from varietyweb.web import Request, Resource, Site, page


def art_path(col: int):
    return lambda day, ident: f"/info/{col}/{ident}.htm"


def _rel(frm: str, to: str) -> str:
    return posixpath.relpath(to, posixpath.dirname(frm))


def vsb_column(site: Site, colpath: str, colid: int, entries: list[Entry], *, per: int = 10,
               variant: str = "countdown", title: str = "信息公开年报") -> str:
    """Serve the list whose first page is ``colpath + '.htm'``; return that path."""
    pages = chunks(entries, per)
    n = len(pages)
    first = colpath + ".htm"

    def render(i: int, where: str) -> Resource:
        lis = "".join(f'<li id="line_u8_{k}"><a href="{html.escape(_rel(where, e.href))}" target="_blank" title="{html.escape(e.title)}">'
                      f"{html.escape(e.title)}</a><span class='time'>{e.day:%Y-%m-%d}</span></li>" for k, e in enumerate(pages[i]))
        if variant == "a2p":
            def q(p: int) -> str:
                return f"?a2t={n}&a2p={p}&a2c={per}&urltype=tree.TreeTempUrl&wbtreeid={colid}"
            nav = (f'<a href="{posixpath.basename(first)}{q(i + 2)}" class="Next">下页</a>' if i + 1 < n else "")
            nav += f' <a href="{posixpath.basename(first)}{q(n)}" class="Last">尾页</a>'
        else:
            def at(p: int) -> str:  # page p (1-based) of n
                return first if p == 1 else f"{colpath}/{n - p + 1}.htm"
            if variant == "gotopage":
                nav = (f'<input type="text" id="GOPAGE" size="2"> <a href="javascript:;" onclick="_simple_list_gotopage_fun({n},'
                       f"'GOPAGE',2)\">跳转</a> <a href=\"{html.escape(_rel(where, at(n)))}\" class='Last'>尾页</a>")
            else:
                nav = (f'<a href="{html.escape(_rel(where, at(i + 2)))}" class="Next">下页</a>' if i + 1 < n else "")
                nav += (f' <a href="{html.escape(_rel(where, at(i)))}" class="Prev">上页</a>' if i > 0 else "")
        pb = f'<div class="pb_sys_common pb_sys_normal pb_sys_style1"><span class="p_t">共{len(entries)}条</span> <span class="p_pages">{i + 1}/{n}</span> {nav}</div>'
        return page(site, title, f"<div class='list'><ul>{lis}</ul></div>{pb}", {"ColumnName": title},
                    head="<script type='text/javascript' src='/system/resource/js/centerCutImg.js'></script>")

    if variant == "a2p":
        site.add(first, render(0, first))

        def dyn(req: Request) -> Resource | None:
            if req.path != first or not req.query_string:
                return None
            p = req.int_arg("a2p", 1)
            return render(p - 1, first) if 1 <= p <= n else page(site, title, "<div class='list'><ul></ul></div>")
        site.route(first, dyn)
    else:
        for i in range(n):
            where = first if i == 0 else f"{colpath}/{n - i}.htm"
            site.add(where, render(i, where))
    return first
