"""Technician days: what each technician was told of their jobs today and tomorrow, for the DM
that follows a burst of changes.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create technician_days."""
    op.create_table(
        "technician_days",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("told", sa.Text(), nullable=False),
        sa.Column("seen", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id"),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("technician_days")
