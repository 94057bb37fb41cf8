"""A plan says whether its one-off amount is per unit (`one_off_per_unit`; before, a product without tiers meant so)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """False for every stored plan; `make content` loads the catalogue again, which has the new field. A table that
    has the column already (made by `create_all` from the newer models) is left alone."""
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("catalogue_plans")}
    if "one_off_per_unit" in columns:
        return
    with op.batch_alter_table("catalogue_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("one_off_per_unit", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("catalogue_plans", schema=None) as batch_op:
        batch_op.drop_column("one_off_per_unit")
