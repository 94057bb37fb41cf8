"""The journey dashboard's tables (bot/analytics/models.py): one row per conversation, phase change and visitor
message, filled from Rasa's events by bot/analytics/ingest.py

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "analytics_conversations" not in existing:
        op.create_table(
            "analytics_conversations",
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=True),
            sa.Column("touchpoint", sa.String(length=20), nullable=True),
            sa.Column("phase", sa.String(length=20), nullable=True),
            sa.Column("reached", sa.Integer(), nullable=False),
            sa.Column("persona", sa.String(length=30), nullable=True),
            sa.Column("segment", sa.String(length=3), nullable=True),
            sa.Column("messages", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("sender_id"),
        )
        op.create_index("ix_analytics_conversations_started_at", "analytics_conversations", ["started_at"])
    if "analytics_transitions" not in existing:
        op.create_table(
            "analytics_transitions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("from_phase", sa.String(length=20), nullable=True),
            sa.Column("to_phase", sa.String(length=20), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_analytics_transitions_at", "analytics_transitions", ["at"])
        op.create_index("ix_analytics_transitions_sender_id", "analytics_transitions", ["sender_id"])
    if "analytics_turns" not in existing:
        op.create_table(
            "analytics_turns",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("intent", sa.String(length=100), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=True),
            sa.Column("phase", sa.String(length=20), nullable=True),
            sa.Column("understood", sa.Boolean(), nullable=False),
            sa.Column("text", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_analytics_turns_at", "analytics_turns", ["at"])
        op.create_index("ix_analytics_turns_sender_id", "analytics_turns", ["sender_id"])
    if "analytics_progress" not in existing:
        op.create_table(
            "analytics_progress",
            sa.Column("name", sa.String(length=40), nullable=False),
            sa.Column("last_event_id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )


def downgrade() -> None:
    for table in ("analytics_progress", "analytics_turns", "analytics_transitions", "analytics_conversations"):
        op.drop_table(table)
