"""Live cards: posted ticket and job cards, the last state of their records, claimed updates;
alert posts get an index on when they were claimed, so old claims can be pruned.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create live_cards, live_records and live_updates; index alert_posts.claimed_at."""
    op.create_index("ix_alert_posts_claimed_at", "alert_posts", ["claimed_at"])
    op.create_table(
        "live_cards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("shared_by", sa.String(length=32), nullable=False),
        sa.Column("shown_version", sa.Integer(), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel_id", "ts", name="uq_live_cards_message"),
    )
    op.create_index("ix_live_cards_record_key", "live_cards", ["record_key"])
    op.create_index("ix_live_cards_posted_at", "live_cards", ["posted_at"])
    op.create_table(
        "live_records",
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("gone", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("record_key"),
    )
    op.create_index("ix_live_records_checked_at", "live_records", ["checked_at"])
    op.create_table(
        "live_updates",
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("card_id", "change"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("live_updates")
    op.drop_table("live_records")
    op.drop_table("live_cards")
    op.drop_index("ix_alert_posts_claimed_at", table_name="alert_posts")
