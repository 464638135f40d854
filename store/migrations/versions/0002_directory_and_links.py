"""The customer directory and who-is-who links.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create directory_entries, directory_fills and user_links."""
    op.create_table(
        "directory_entries",
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("record_key", sa.String(length=255), nullable=False),
        sa.Column("global_id", sa.BigInteger(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("company", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("search_text", sa.String(length=1024), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system", "record_key"),
    )
    op.create_index("ix_directory_entries_email", "directory_entries", ["email"])
    op.create_index("ix_directory_entries_global_id", "directory_entries", ["global_id"])
    op.create_index("ix_directory_entries_phone", "directory_entries", ["phone"])
    op.create_table(
        "directory_fills",
        sa.Column("system", sa.String(length=16), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("system"),
    )
    op.create_table(
        "user_links",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("technician", sa.String(length=255), nullable=True),
        sa.Column("employee_number", sa.BigInteger(), nullable=True),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("user_links")
    op.drop_table("directory_fills")
    op.drop_table("directory_entries")
