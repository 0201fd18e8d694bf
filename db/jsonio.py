"""JSON as the database hands it back, decoded by orjson (several times faster than
:func:`json.loads`, which psycopg and SQLite's JSON type use by default).

The national check reads hundreds of thousands of JSON values (findings' evidence, crawl
proofs, agencies' hosts); decoding them was a visible share of its time.  orjson refuses
what :func:`json.dumps` may write (NaN, Infinity, integers beyond 64 bits): those fall
back to :func:`json.loads`, so every value decodes to exactly what it did before.
Writing is unchanged (the engine's default serializer), so stored text stays the same.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(text: str | bytes) -> Any:
    """The value of a JSON text, as :func:`json.loads` gives it."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # NaN, Infinity, a huge integer: json.loads reads them
        return json.loads(text)
