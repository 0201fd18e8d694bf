"""report sketches for the incremental check

Revision ID: 0007
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_sketches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_sketches_agency_id", "report_sketches", ["agency_id"])
    op.create_index("ix_report_sketches_hash", "report_sketches", ["hash"])


def downgrade() -> None:
    op.drop_index("ix_report_sketches_hash", table_name="report_sketches")
    op.drop_index("ix_report_sketches_agency_id", table_name="report_sketches")
    op.drop_table("report_sketches")
