"""The journey dashboard's tables (bot/analytics/models.py): one row per conversation, daily counts of phase changes
and questions, the messages not understood; filled from Rasa's events by bot/analytics/ingest.py

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
        op.create_index("ix_analytics_conversations_mix", "analytics_conversations",
                        ["started_at", "language", "reached", "phase", "persona", "segment", "touchpoint"])  # fmt: skip
    if "analytics_transitions_daily" not in existing:
        op.create_table(
            "analytics_transitions_daily",
            sa.Column("day", sa.String(length=10), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("from_phase", sa.String(length=20), nullable=False),
            sa.Column("to_phase", sa.String(length=20), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("day", "language", "from_phase", "to_phase"),
        )
    if "analytics_questions_daily" not in existing:
        op.create_table(
            "analytics_questions_daily",
            sa.Column("day", sa.String(length=10), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("phase", sa.String(length=20), nullable=False),
            sa.Column("intent", sa.String(length=100), nullable=False),
            sa.Column("count", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("day", "language", "phase", "intent"),
        )
    if "analytics_missed" not in existing:
        op.create_table(
            "analytics_missed",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_analytics_missed_at", "analytics_missed", ["at"])
        op.create_index("ix_analytics_missed_sender_id", "analytics_missed", ["sender_id"])
    if "analytics_progress" not in existing:
        op.create_table(
            "analytics_progress",
            sa.Column("name", sa.String(length=40), nullable=False),
            sa.Column("last_event_id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("name"),
        )


def downgrade() -> None:
    for table in ("analytics_progress", "analytics_missed", "analytics_questions_daily", "analytics_transitions_daily",
                  "analytics_conversations"):  # fmt: skip
        op.drop_table(table)
