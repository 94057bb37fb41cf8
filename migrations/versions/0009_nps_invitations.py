"""NPS invitations (bot/aftersale/nps.py): when the question was put to a customer, so that one who did not answer is
not asked again within the period either

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "nps_invitations" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "nps_invitations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("customer", sa.String(length=100), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_nps_invitations_conversation_id", "nps_invitations", ["conversation_id"])
    op.create_index("ix_nps_invitations_customer", "nps_invitations", ["customer"])


def downgrade() -> None:
    op.drop_table("nps_invitations")
