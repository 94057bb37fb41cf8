"""The referral programme (bot/aftersale/referrals.py): customers' codes and the visitors credited to them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "referral_codes" not in existing:
        op.create_table(
            "referral_codes",
            sa.Column("code", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("customer", sa.String(length=100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("code"),
            sa.UniqueConstraint("customer"),
        )
        op.create_index("ix_referral_codes_conversation_id", "referral_codes", ["conversation_id"])
    if "referral_credits" not in existing:
        op.create_table(
            "referral_credits",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("code", sa.String(length=16), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["code"], ["referral_codes.code"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("conversation_id"),
        )
        op.create_index("ix_referral_credits_code", "referral_credits", ["code"])


def downgrade() -> None:
    op.drop_table("referral_credits")
    op.drop_table("referral_codes")
