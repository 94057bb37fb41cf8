"""Accounts have roles: sales (the inbox), editor (the editor area), admin (both); every existing account is sales

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Existing accounts keep what they could do (the inbox). A table made by `create_all` from the newer models has
    the column already and is left alone."""
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("sales_users")}
    if "roles" in columns:
        return
    with op.batch_alter_table("sales_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roles", sa.String(length=100), server_default="sales", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("sales_users", schema=None) as batch_op:
        batch_op.drop_column("roles")
