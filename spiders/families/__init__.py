"""CMS families: how each lists its columns, pages them and links attachments.

A family module exposes ``NAME``, ``matches(url, text)``, ``entries(url, text)`` (the list
items of a column page) and ``more_requests(url, text, meta)`` (further pages).  The
spider asks :func:`detect` which family a page belongs to, from the page itself.
"""

from __future__ import annotations

from types import ModuleType

from spiders.families import generic, gkmlpt, hanweb, trs, vsb

FAMILIES: tuple[ModuleType, ...] = (hanweb, gkmlpt, trs, vsb, generic)  # generic last: it always matches


def detect(url: str, text: str) -> ModuleType:
    """The family of a page, from its markup and URLs (never from configuration)."""
    for family in FAMILIES:
        if family.matches(url, text):
            return family
    return generic
