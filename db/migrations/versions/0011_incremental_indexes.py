"""indexes for the incremental check: the timestamps it ranges over, a duplicate's other side; document_states (issue 14)

The incremental check asks what changed since the last check; without these indexes each
question was a scan of documents, versions, evidence and crawl outcomes, so its cost grew
with the database instead of with what changed.  ``ix_findings_other_agency`` indexes the
other agency of a DUPLICATE_CONTENT finding (its evidence), so the partners of a touched
agency are looked up, not read from every finding.  ``document_states`` keeps a digest of
what the check read of each document, so a report a crawl merely saw again (``last_seen``)
is told apart from one whose title, year, removal or parse result changed.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIMESTAMPS = (
    ("ix_documents_first_seen", "documents", "first_seen"),
    ("ix_documents_last_seen", "documents", "last_seen"),
    ("ix_documents_removed_at", "documents", "removed_at"),
    ("ix_document_versions_fetched_at", "document_versions", "fetched_at"),
    ("ix_evidence_observed_at", "evidence", "observed_at"),
    ("ix_agency_crawls_finished_at", "agency_crawls", "finished_at"),
    ("ix_agencies_updated_at", "agencies", "updated_at"),
    ("ix_agencies_active", "agencies", "active"),
    ("ix_document_owners_first_seen", "document_owners", "first_seen"),
    ("ix_document_links_first_seen", "document_links", "first_seen"),
)


def _other_agency() -> sa.TextClause:
    """The expression db.models indexes, as each dialect compiles it."""
    if op.get_bind().dialect.name == "postgresql":
        return sa.text("(CAST((evidence ->> 'other_agency') AS VARCHAR))")
    return sa.text("CAST(JSON_EXTRACT(evidence, '$.\"other_agency\"') AS VARCHAR)")


def upgrade() -> None:
    op.create_table(
        "document_states",
        sa.Column("document_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("digest", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("document_id"),
    )
    for name, table, column in TIMESTAMPS:
        op.create_index(name, table, [column])
    op.create_index("ix_findings_other_agency", "findings", [_other_agency()])


def downgrade() -> None:
    op.drop_index("ix_findings_other_agency", table_name="findings")
    for name, table, _ in reversed(TIMESTAMPS):
        op.drop_index(name, table_name=table)
    op.drop_table("document_states")
