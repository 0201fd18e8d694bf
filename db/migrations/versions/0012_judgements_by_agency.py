"""judgements.agency_id: the national check reads an agency's memoized judgements by agency (issue 14)

A check looked up each report's judgement by its key, a sha256: 1.2 million scattered
probes of the primary key at national scale, the most PostgreSQL time of a warm check.
Read by agency instead (an index range per agency, the rows stored together), then by key
only for what that misses (rows stored before this column, which stay valid).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("judgements") as batch:
        batch.add_column(sa.Column("agency_id", sa.String(100), nullable=True))
    op.create_index("ix_judgements_agency_id", "judgements", ["agency_id"])


def downgrade() -> None:
    op.drop_index("ix_judgements_agency_id", table_name="judgements")
    with op.batch_alter_table("judgements") as batch:
        batch.drop_column("agency_id")
