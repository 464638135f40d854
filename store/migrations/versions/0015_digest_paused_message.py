"""A digest paused from its card remembers that message, so a resume can say so there.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add digest_subscriptions.paused_message."""
    with op.batch_alter_table("digest_subscriptions") as table:
        table.add_column(
            sa.Column("paused_message", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("digest_subscriptions") as table:
        table.drop_column("paused_message")
