"""Platform adapters, one module each, behind one contract (:mod:`spiders.adapters.base`).

:func:`sniff` picks the adapter of a page from the page itself, trying ``ORDER`` first to
last (the first whose ``fingerprint`` holds wins):

1. list interfaces with unambiguous markers: ``gkmlpt`` (the app and its JSON API),
   ``hanweb_jpage`` (inline ``<datastore>``/``dataproxy.jsp``), ``hanweb_xxgk``
   (``module/xxgk/`` without a datastore), ``jpaas`` (``unitbuild.js``), ``truecms``
   (``getMessage.do``), ``epoint`` (``webBuilderCommon.js``), ``ucap`` (``/queryList``,
   ``/pc/list.html``), ``shanghai`` (``new CMS(``, ``/front/api/``);
2. ``querystring`` platforms (``artview/…?nbYear=``, ``list.html?orgCode=``), whose
   entries need their parameters kept;
3. static CMS families whose markers also appear in site chrome: ``trs``, ``vsb``;
4. page shapes: ``iframe`` shells, ``year_folders`` (a column of folders only), ``spa``
   shells (rendered in the browser as the last resort);
5. ``generic`` paging, which always matches.

An API answer is never sniffed: the request that asked for it names its adapter.

May import: ``parsing`` and the rest of ``spiders``; an adapter reads a page, it does
not fetch or store.
"""

from __future__ import annotations

from types import ModuleType

from spiders.adapters import (
    epoint,
    generic,
    gkmlpt,
    hanweb_jpage,
    hanweb_xxgk,
    iframe,
    jpaas,
    querystring,
    shanghai,
    spa,
    trs,
    truecms,
    ucap,
    vsb,
    year_folders,
)
from spiders.adapters.base import Entry, Listing, Next, Page

ORDER: tuple[ModuleType, ...] = (gkmlpt, hanweb_jpage, hanweb_xxgk, jpaas, truecms, epoint, ucap, shanghai,
                                 querystring, trs, vsb, iframe, year_folders, spa, generic)
BY_NAME: dict[str, ModuleType] = {m.NAME: m for m in ORDER}

__all__ = ["BY_NAME", "ORDER", "Entry", "Listing", "Next", "Page", "sniff"]


def sniff(page: Page) -> ModuleType:
    """The adapter of a page, from its markup and URL (never from configuration)."""
    for adapter in ORDER:
        if adapter.fingerprint(page):
            return adapter
    return generic
