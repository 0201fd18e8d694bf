"""The one exception the parser raises for bad input; its message is one line."""


class ParseError(Exception):
    """The document cannot be parsed (empty, truncated, encrypted, not a report, …)."""
