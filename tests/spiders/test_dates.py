"""Publication dates after a CMS migration: a reset PubDate is evidence, not the date."""

from __future__ import annotations


def test_a_migration_reset_pubdate_is_not_a_publication_date() -> None:
    from crawler.ingestion import MIGRATED, distrust_migrated_pubdate

    reset = [("meta:PubDate", "2024-06-30"), ("page:date", "2024-01-20"), ("url", "2024-01-20"), ("list:date", "2024-01-20")]
    assert distrust_migrated_pubdate(reset)[0] == (MIGRATED, "2024-06-30")
    fine = [("meta:PubDate", "2024-01-21"), ("page:date", "2024-01-20"), ("url", "2024-01-20")]
    assert distrust_migrated_pubdate(fine) == fine
    alone = [("meta:PubDate", "2024-06-30"), ("url", "2024-01-20")]  # one other source: not enough to overrule
    assert distrust_migrated_pubdate(alone) == alone
