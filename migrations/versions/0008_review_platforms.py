"""Review platforms per product (`review_platforms` in the product files): where the bot invites promoters to
review the product, as [{"name": "Trustpilot", "url": "https://…"}]

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """NULL (no platforms) for every stored product; `make content` loads the catalogue again, which has the new
    field. A table that has the column already (made by `create_all` from the newer models) is left alone."""
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("catalogue_products")}
    if "review_platforms" in columns:
        return
    with op.batch_alter_table("catalogue_products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_platforms", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalogue_products", schema=None) as batch_op:
        batch_op.drop_column("review_platforms")
