"""Handoff kinds (issue 16): sales, support (to the support team) and upsell; one handoff of each kind per
conversation instead of one in all

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: SQLite keeps the first revision's unique constraint without a name; in batch mode it gets this one
NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _single_unique(columns: list[str]) -> str | None:
    """The name of the unique constraint on exactly these columns, if there is one ("" when it has no name)."""
    for unique in sa.inspect(op.get_bind()).get_unique_constraints("handoffs"):
        if unique["column_names"] == columns:
            return unique["name"] or ""
    return None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("handoffs")}
    old = _single_unique(["conversation_id"])
    with op.batch_alter_table("handoffs", naming_convention=NAMES) as batch:
        if "kind" not in columns:
            batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="sales"))
        if old is not None:
            batch.drop_constraint(old or "uq_handoffs_conversation_id", type_="unique")
        if _single_unique(["conversation_id", "kind"]) is None:
            batch.create_unique_constraint("uq_handoffs_conversation_kind", ["conversation_id", "kind"])


def downgrade() -> None:
    with op.batch_alter_table("handoffs", naming_convention=NAMES) as batch:
        batch.drop_constraint("uq_handoffs_conversation_kind", type_="unique")
        batch.drop_column("kind")
        batch.create_unique_constraint("uq_handoffs_conversation_id", ["conversation_id"])
