"""Data rights (issue 17): the audit record of every export, deletion and retention sweep (bot/privacy/audit.py, no
personal data in it), and personal API tokens of inbox accounts (bot/sales/accounts.py), which the privacy API
accepts from accounts with the admin role

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 19:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "privacy_audit" not in tables:
        op.create_table(
            "privacy_audit",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=120), nullable=False),
            sa.Column("action", sa.String(length=20), nullable=False),
            sa.Column("selector", sa.String(length=20), nullable=False),
            sa.Column("conversations", sa.Integer(), nullable=False),
            sa.Column("rows", sa.JSON(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_privacy_audit_at", "privacy_audit", ["at"])
    if "sales_api_tokens" not in tables:
        op.create_table(
            "sales_api_tokens",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=100), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["username"], ["sales_users.username"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("token_hash"),
        )
        op.create_index("ix_sales_api_tokens_username", "sales_api_tokens", ["username"])


def downgrade() -> None:
    op.drop_table("sales_api_tokens")
    op.drop_table("privacy_audit")
