"""Threads that sync: the channels opted in, the threads synced and what was done once in each.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create thread_channels, synced_threads and thread_marks."""
    op.create_table(
        "thread_channels",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("synced", sa.Boolean(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id"),
    )
    op.create_table(
        "synced_threads",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("baseline_done", sa.Boolean(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "thread_ts"),
    )
    op.create_index("ix_synced_threads_record_key", "synced_threads", ["record_key"])
    op.create_index("ix_synced_threads_started_at", "synced_threads", ["started_at"])
    op.create_index("ix_synced_threads_checked_at", "synced_threads", ["checked_at"])
    op.create_table(
        "thread_marks",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=False),
        sa.Column("mark", sa.String(length=96), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("channel_id", "thread_ts", "mark"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("thread_marks")
    op.drop_index("ix_synced_threads_checked_at", table_name="synced_threads")
    op.drop_index("ix_synced_threads_started_at", table_name="synced_threads")
    op.drop_index("ix_synced_threads_record_key", table_name="synced_threads")
    op.drop_table("synced_threads")
    op.drop_table("thread_channels")
