"""Meetings booked in the chat (issue 18): the meetings with their slot held by a unique index over booked ones, and
the outbox's topic, so a handoff's channels also carry each booking, rebooking and cancellation; the inbox's language
per account

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 00:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

#: SQLite keeps the first revision's unique constraint without a name; in batch mode it gets this one
NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique(columns: list[str]) -> str | None:
    """The name of the outbox's unique constraint on exactly these columns, if there is one ("" without a name)."""
    for unique in sa.inspect(op.get_bind()).get_unique_constraints("handoff_outbox"):
        if unique["column_names"] == columns:
            return unique["name"] or ""
    return None


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    if "meetings" not in tables:
        op.create_table(
            "meetings",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("salesperson", sa.String(length=100), nullable=False),
            sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("minutes", sa.Integer(), nullable=False),
            sa.Column("time_zone", sa.String(length=60), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("state", sa.String(length=20), nullable=False),
            sa.Column("sequence", sa.Integer(), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("token_hash"),
        )
        op.create_index("ix_meetings_handoff_id", "meetings", ["handoff_id"])
        op.create_index("uq_meetings_booked_slot", "meetings", ["salesperson", "starts_at"], unique=True,
                        sqlite_where=sa.text("state = 'booked'"), postgresql_where=sa.text("state = 'booked'"))
    if "language" not in {column["name"] for column in sa.inspect(bind).get_columns("sales_users")}:
        op.add_column("sales_users", sa.Column("language", sa.String(length=2), nullable=False, server_default="de"))
    columns = {column["name"] for column in sa.inspect(bind).get_columns("handoff_outbox")}
    old = _unique(["handoff_id", "channel"])
    if "topic" in columns and old is None:
        return  # made by create_all from the current models
    with op.batch_alter_table("handoff_outbox", naming_convention=NAMES) as batch:
        if "topic" not in columns:
            batch.add_column(sa.Column("topic", sa.String(length=60), nullable=False, server_default="handoff"))
        if old is not None:
            batch.drop_constraint(old or "uq_handoff_outbox_handoff_id", type_="unique")
        batch.create_unique_constraint("uq_handoff_outbox_topic", ["handoff_id", "channel", "topic"])


def downgrade() -> None:
    with op.batch_alter_table("sales_users") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("handoff_outbox", naming_convention=NAMES) as batch:
        batch.drop_constraint("uq_handoff_outbox_topic", type_="unique")
        batch.drop_column("topic")
        batch.create_unique_constraint("uq_handoff_outbox_handoff_id", ["handoff_id", "channel"])
    op.drop_table("meetings")
