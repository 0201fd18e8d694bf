"""document_versions: why a parse failed, which parser parsed, how often (issue 16, item 8)

A version whose first parse failed for a transient reason (a timeout, a busy LibreOffice,
a killed worker) was never parsed again because its bytes do not change.  The failure
kind says which failures the next crawl and ``nianbao reparse`` parse again; the parser
version says which results ``nianbao reparse --since-version`` renews.  Existing errors
are classified from their message (the same rule as ``parsing.errors.failure_of``).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# messages of transient failures written before this revision (parsing/api.py, parsing/pool.py,
# parsing/readers/office.py)
_TRANSIENT = ("%timed out%", "parser process died%", "parser process failed%", "%needs LibreOffice%")


def upgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(sa.Column("parse_failure", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("parser_version", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("parse_attempts", sa.Integer(), nullable=False, server_default="1"))
    versions = sa.table("document_versions", sa.column("parse_status", sa.String),
                        sa.column("parse_error", sa.Text), sa.column("parse_failure", sa.String))
    failed = versions.c.parse_status == "error"
    transient = sa.or_(*(versions.c.parse_error.like(p) for p in _TRANSIENT))
    op.execute(versions.update().where(failed, transient).values(parse_failure="transient"))
    op.execute(versions.update().where(failed, versions.c.parse_failure.is_(None)).values(parse_failure="permanent"))


def downgrade() -> None:
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("parse_attempts")
        batch.drop_column("parser_version")
        batch.drop_column("parse_failure")
