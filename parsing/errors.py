"""The one exception the parser raises for bad input; its message is one line.

A failure is *transient* when the same bytes may parse another time (a timeout, a
LibreOffice that was busy or crashed, a worker killed from outside) and *permanent* when
they never will with this parser (a broken or hostile file).  The crawler stores which,
so that transient failures are parsed again (issue 16, item 8).
"""

TRANSIENT = "transient"
PERMANENT = "permanent"


class ParseError(Exception):
    """The document cannot be parsed (empty, truncated, encrypted, not a report, …)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.failure = TRANSIENT if transient else PERMANENT
