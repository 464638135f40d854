"""Home tabs: when each person's was last published (re-opening it re-reads at most once a
minute).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create home_tabs."""
    op.create_table(
        "home_tabs",
        sa.Column("slack_user_id", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("slack_user_id"),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("home_tabs")
