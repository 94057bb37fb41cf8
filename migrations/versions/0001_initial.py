"""Our tables as `create_all` made them until 2026-12 (handoffs, outbox, accounts, sessions, catalogue,
privacy, summaries)

Revision ID: 0001
Revises:
Create Date: 2026-12-01 03:19:19.405703
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Each table only where it is missing: a database an earlier version made with `create_all` keeps its tables."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "boss_summaries" not in existing:
        op.create_table(
            "boss_summaries",
            sa.Column("token", sa.String(length=64), nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("product_id", sa.String(length=64), nullable=False),
            sa.Column("roi", sa.JSON(), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("token"),
        )
        with op.batch_alter_table("boss_summaries", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_boss_summaries_conversation_id"), ["conversation_id"], unique=False)
    if "catalogue_products" not in existing:
        op.create_table(
            "catalogue_products",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("segment", sa.String(length=3), nullable=False),
            sa.Column("synonyms", sa.JSON(), nullable=False),
            sa.Column("short_de", sa.Text(), nullable=False),
            sa.Column("short_en", sa.Text(), nullable=False),
            sa.Column("description_de", sa.Text(), nullable=False),
            sa.Column("description_en", sa.Text(), nullable=False),
            sa.Column("features", sa.JSON(), nullable=False),
            sa.Column("specs", sa.JSON(), nullable=False),
            sa.Column("integrations", sa.JSON(), nullable=False),
            sa.Column("hosting_de", sa.Text(), nullable=False),
            sa.Column("hosting_en", sa.Text(), nullable=False),
            sa.Column("docs_url", sa.String(length=500), nullable=False),
            sa.Column("video_url", sa.String(length=500), nullable=False),
            sa.Column("roi", sa.JSON(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
    if "catalogue_versions" not in existing:
        op.create_table(
            "catalogue_versions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("content_hash", sa.String(length=64), nullable=False),
            sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("products", sa.Integer(), nullable=False),
            sa.Column("reviews", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
    if "conversation_revisions" not in existing:
        op.create_table(
            "conversation_revisions",
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("sender_id"),
        )
    if "handoffs" not in existing:
        op.create_table(
            "handoffs",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("conversation_id", sa.String(length=255), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=True),
            sa.Column("company", sa.String(length=300), nullable=True),
            sa.Column("email", sa.String(length=320), nullable=True),
            sa.Column("phone", sa.String(length=40), nullable=True),
            sa.Column("callback_time", sa.String(length=300), nullable=True),
            sa.Column("consent_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("consent_version", sa.String(length=40), nullable=False),
            sa.Column("consent_text", sa.Text(), nullable=False),
            sa.Column("segment", sa.String(length=3), nullable=True),
            sa.Column("phase", sa.String(length=20), nullable=True),
            sa.Column("persona", sa.String(length=30), nullable=True),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("company_size", sa.Integer(), nullable=True),
            sa.Column("roi", sa.JSON(), nullable=True),
            sa.Column("products_shown", sa.JSON(), nullable=False),
            sa.Column("reviews_shown", sa.JSON(), nullable=False),
            sa.Column("questions", sa.JSON(), nullable=False),
            sa.Column("touchpoint", sa.String(length=300), nullable=True),
            sa.Column("transcript", sa.JSON(), nullable=False),
            sa.Column("journey_explanation", sa.JSON(), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("assignee", sa.String(length=100), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("conversation_id"),
        )
        with op.batch_alter_table("handoffs", schema=None) as batch_op:
            batch_op.create_index("ix_handoffs_assignee_created_at", ["assignee", "created_at"], unique=False)
    if "privacy_reviewed_conversations" not in existing:
        op.create_table(
            "privacy_reviewed_conversations",
            sa.Column("sender_id", sa.String(length=255), nullable=False),
            sa.Column("last_event_id", sa.Integer(), nullable=False),
            sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("events_rewritten", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("sender_id"),
        )
    if "sales_login_failures" not in existing:
        op.create_table(
            "sales_login_failures",
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column("subject", sa.String(length=100), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("kind", "subject"),
        )
    if "sales_users" not in existing:
        op.create_table(
            "sales_users",
            sa.Column("username", sa.String(length=100), nullable=False),
            sa.Column("password_hash", sa.String(length=300), nullable=False),
            sa.Column("salesperson_id", sa.String(length=100), nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("username"),
        )
    if "catalogue_plans" not in existing:
        op.create_table(
            "catalogue_plans",
            sa.Column("product_id", sa.String(length=64), nullable=False),
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("name_de", sa.String(length=200), nullable=False),
            sa.Column("name_en", sa.String(length=200), nullable=False),
            sa.Column("price_eur", sa.String(length=32), nullable=False),
            sa.Column("per_unit", sa.Boolean(), nullable=False),
            sa.Column("min_units", sa.Integer(), nullable=False),
            sa.Column("max_units", sa.Integer(), nullable=True),
            sa.Column("one_off_eur", sa.String(length=32), nullable=False),
            sa.Column("description_de", sa.Text(), nullable=False),
            sa.Column("description_en", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["product_id"], ["catalogue_products.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("product_id", "id"),
        )
    if "catalogue_reviews" not in existing:
        op.create_table(
            "catalogue_reviews",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("product_id", sa.String(length=64), nullable=False),
            sa.Column("rating", sa.Integer(), nullable=False),
            sa.Column("language", sa.String(length=2), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("author", sa.String(length=300), nullable=False),
            sa.Column("company_size", sa.String(length=10), nullable=True),
            sa.Column("date", sa.Date(), nullable=False),
            sa.Column("source", sa.String(length=100), nullable=False),
            sa.Column("response_de", sa.Text(), nullable=True),
            sa.Column("response_en", sa.Text(), nullable=True),
            sa.ForeignKeyConstraint(["product_id"], ["catalogue_products.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
    if "catalogue_vouchers" not in existing:
        op.create_table(
            "catalogue_vouchers",
            sa.Column("product_id", sa.String(length=64), nullable=False),
            sa.Column("code", sa.String(length=64), nullable=False),
            sa.Column("value_de", sa.Text(), nullable=False),
            sa.Column("value_en", sa.Text(), nullable=False),
            sa.Column("valid_from", sa.Date(), nullable=False),
            sa.Column("valid_until", sa.Date(), nullable=False),
            sa.Column("discount_percent", sa.String(length=32), nullable=True),
            sa.Column("discount_eur", sa.String(length=32), nullable=True),
            sa.ForeignKeyConstraint(["product_id"], ["catalogue_products.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("product_id", "code"),
        )
    if "handoff_activity" not in existing:
        op.create_table(
            "handoff_activity",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("author", sa.String(length=100), nullable=False),
            sa.Column("action", sa.String(length=20), nullable=False),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("handoff_activity", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_handoff_activity_handoff_id"), ["handoff_id"], unique=False)
    if "handoff_notes" not in existing:
        op.create_table(
            "handoff_notes",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("author", sa.String(length=100), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("handoff_notes", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_handoff_notes_handoff_id"), ["handoff_id"], unique=False)
    if "handoff_outbox" not in existing:
        op.create_table(
            "handoff_outbox",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("handoff_id", sa.Integer(), nullable=False),
            sa.Column("channel", sa.String(length=40), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("last_error", sa.Text(), nullable=True),
            sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
            sa.ForeignKeyConstraint(["handoff_id"], ["handoffs.id"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("handoff_id", "channel"),
        )
    if "sales_sessions" not in existing:
        op.create_table(
            "sales_sessions",
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("username", sa.String(length=100), nullable=False),
            sa.Column("csrf_token", sa.String(length=64), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(["username"], ["sales_users.username"], ondelete="CASCADE"),
            sa.PrimaryKeyConstraint("token_hash"),
        )


def downgrade() -> None:
    op.drop_table("sales_sessions")
    op.drop_table("handoff_outbox")
    with op.batch_alter_table("handoff_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_notes_handoff_id"))

    op.drop_table("handoff_notes")
    with op.batch_alter_table("handoff_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handoff_activity_handoff_id"))

    op.drop_table("handoff_activity")
    op.drop_table("catalogue_vouchers")
    op.drop_table("catalogue_reviews")
    op.drop_table("catalogue_plans")
    op.drop_table("sales_users")
    op.drop_table("sales_login_failures")
    op.drop_table("privacy_reviewed_conversations")
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_index("ix_handoffs_assignee_created_at")

    op.drop_table("handoffs")
    op.drop_table("conversation_revisions")
    op.drop_table("catalogue_versions")
    op.drop_table("catalogue_products")
    with op.batch_alter_table("boss_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_boss_summaries_conversation_id"))

    op.drop_table("boss_summaries")
