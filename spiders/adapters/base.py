"""The one contract every platform adapter follows: fingerprint → entries → next requests.

An adapter is a module with ``NAME`` and two functions:

- ``fingerprint(page) -> bool``: does this page belong to the platform (from the page
  itself: markup, scripts, URL shapes; never from configuration);
- ``read(page) -> Listing``: the list entries the page (or API answer) holds, the further
  requests that complete the column, and what the page says about the column's size.

Requests an adapter asks for carry its ``state`` back to it: the spider sends their answer
to the same adapter's ``read`` (an API answer is never re-sniffed).  ``Next.kind`` says
what a request is: another page of the same column (``page``), or a sub-column to read
as a column of its own (``subcolumn``: a year folder, a 本级/部门/乡镇 sub-column, an
iframe's list), which is sniffed afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Entry:
    """One list item: the link, its title, the list date and an organ hint (the sub-column
    label or an ``orgCode``-style parameter's name) used for attribution."""

    url: str
    title: str
    date: str | None = None
    org: str | None = None


@dataclass(slots=True)
class Page:
    """A fetched page or API answer, already decoded (one decoder for every path)."""

    url: str
    text: str
    status: int = 200
    state: dict[str, Any] = field(default_factory=dict)  # the adapter's own, carried by its requests
    fragment: str = ""  # the fragment of the URL we were given (never sent over HTTP)
    org: str | None = None  # organ hint inherited from the link that led here
    _sel: Any = field(default=None, repr=False, compare=False)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)  # readers' results, computed once

    @property
    def sel(self) -> Any:
        """The page parsed once (a parsel Selector), shared by every fingerprint and reader."""
        if self._sel is None:
            from parsel import Selector

            self._sel = Selector(text=self.text or "<html></html>")
        return self._sel


@dataclass(slots=True)
class Next:
    url: str
    method: str = "GET"
    formdata: dict[str, str] | None = None
    body: str | None = None  # a raw body (JSON POSTs)
    headers: dict[str, str] | None = None
    state: dict[str, Any] = field(default_factory=dict)
    kind: str = "page"  # page | subcolumn
    label: str | None = None  # a sub-column's anchor text (an organ hint when it names one)
    sequential: bool = False  # a probe: the next one is only asked for if this page had entries


@dataclass(slots=True)
class Listing:
    entries: list[Entry] = field(default_factory=list)
    next: list[Next] = field(default_factory=list)
    pages_total: int | None = None  # what the page says (None: unknown, probed)
    listed_total: int | None = None  # number of records the platform says the column has
    error: str | None = None  # the answer was not a valid list answer (e.g. HTTP 404 on a step)
    render: bool = False  # an SPA shell with no known interface: render it in the browser


class Adapter(Protocol):
    NAME: str

    def fingerprint(self, page: Page) -> bool: ...

    def read(self, page: Page) -> Listing: ...
