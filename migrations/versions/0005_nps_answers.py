"""NPS answers from the chat (bot/aftersale/nps.py): score, customer, product, phase, language, comment, date

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 13:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "nps_answers" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "nps_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("customer", sa.String(length=100), nullable=False),
        sa.Column("product", sa.String(length=64), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_nps_answers_conversation_id", "nps_answers", ["conversation_id"])
    op.create_index("ix_nps_answers_customer", "nps_answers", ["customer"])
    op.create_index("ix_nps_answers_created_at", "nps_answers", ["created_at"])


def downgrade() -> None:
    op.drop_table("nps_answers")
