"""judgements: the content rules' results memoized per report content (issue 14)

A full check judged every stored report again each time although the report rules, the
wrong-document test and the duplicate fingerprint depend only on the content, the agency's
name, the year and the rules' code.  The table keeps those results keyed by a hash of all of
them (monitor/memo.py); it is a cache, so the downgrade just drops it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "judgements",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("rules", sa.String(length=16), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_judgements_rules", "judgements", ["rules"])


def downgrade() -> None:
    op.drop_index("ix_judgements_rules", table_name="judgements")
    op.drop_table("judgements")
