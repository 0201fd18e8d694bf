"""document_owners and document_links: one document, every agency whose report it is, every
page that attaches it (issue 16)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=100), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "agency_id", name="uq_document_owners"),
    )
    with op.batch_alter_table("document_owners") as batch:
        batch.create_index("ix_document_owners_document_id", ["document_id"])
        batch.create_index("ix_document_owners_agency_id", ["agency_id"])
    op.create_table(
        "document_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["page_id"], ["documents.id"]),
        sa.ForeignKeyConstraint(["attachment_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("page_id", "attachment_id", name="uq_document_links"),
    )
    with op.batch_alter_table("document_links") as batch:
        batch.create_index("ix_document_links_page_id", ["page_id"])
        batch.create_index("ix_document_links_attachment_id", ["attachment_id"])
    # every stored document's first (and so far only) owner
    op.execute("INSERT INTO document_owners (document_id, agency_id, first_seen) "
               "SELECT id, agency_id, first_seen FROM documents")


def downgrade() -> None:
    with op.batch_alter_table("document_links") as batch:
        batch.drop_index("ix_document_links_attachment_id")
        batch.drop_index("ix_document_links_page_id")
    op.drop_table("document_links")
    with op.batch_alter_table("document_owners") as batch:
        batch.drop_index("ix_document_owners_agency_id")
        batch.drop_index("ix_document_owners_document_id")
    op.drop_table("document_owners")
