"""Live chat with a salesperson (issue 18): the waiting and active chats (bot/sales/live.py) and when a salesperson
last had the queue open

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "live_chats" not in tables:
        op.create_table(
            "live_chats",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("state", sa.String(length=20), nullable=False),
            sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("salesperson", sa.String(length=100), nullable=True),
            sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("messages", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_live_chats_state", "live_chats", ["state"])
        op.create_index("ix_live_chats_handoff_id", "live_chats", ["handoff_id"])
        op.create_index("ix_live_chats_conversation_id", "live_chats", ["conversation_id"])
    if "sales_presence" not in tables:
        op.create_table(
            "sales_presence",
            sa.Column("salesperson", sa.String(length=100), nullable=False),
            sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("salesperson"),
        )


def downgrade() -> None:
    op.drop_table("sales_presence")
    op.drop_table("live_chats")
