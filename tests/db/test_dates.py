"""The one rule for a report's displayed publication date (db/dates.py), table-driven."""

from __future__ import annotations

import pytest

from db.dates import publication_date

MIGRATED = [("url", "2024-01-22"), ("page:date", "2024-01-22"), ("list:date", "2024-01-22"), ("signed", "2024-01-22"),
            ("meta:PubDate", "2025-05-10")]


@pytest.mark.parametrize(("evidence", "day", "source", "conflict"), [
    (MIGRATED, "2024-01-22", "page:date", True),  # a CMS migration reset PubDate: outvoted
    ([("meta:PubDate-migrated", "2025-05-10") if s == "meta:PubDate" else (s, v) for s, v in MIGRATED],
     "2024-01-22", "page:date", True),  # as ingestion marks it: still listed, still outvoted
    ([("meta:PubDate", "2024-01-25 09:30"), ("page:date", "2024-01-25")], "2024-01-25", "meta:PubDate", False),
    ([("meta:PubDate", "2024-01-25"), ("signed", "2024-01-20")], "2024-01-25", "meta:PubDate", False),  # within 7 days
    ([("meta:PubDate", "2024-03-01"), ("signed", "2024-01-20")], "2024-01-20", "signed", True),  # a tie: the earlier
    ([("http:last-modified", "2024-02-02")], "2024-02-02", "http:last-modified", False),  # weak, alone
    ([("http:last-modified", "2020-01-01"), ("page:date", "2024-02-02")], "2024-02-02", "page:date", False),  # weak: no vote
    ([("page:date", "2024-02-09"), ("page:date", "2024-02-02")], "2024-02-02", "page:date", False),  # earliest per source
    ([("first_seen", "2024-02-02T01:00:00+00:00"), ("ingest", "2024-02-02")], None, None, False),
])
def test_publication_date(evidence, day, source, conflict) -> None:
    choice = publication_date(evidence)
    if day is None:
        assert choice is None
        return
    assert choice is not None
    assert (choice.day.isoformat(), choice.source, choice.conflict) == (day, source, conflict)
    if conflict:
        assert choice.why and set(choice.dates) >= {s.removesuffix("-migrated") for s, _ in evidence}
