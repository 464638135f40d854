"""A live card may keep a line under it through every redraw: the watch that posted it.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add live_cards.footer."""
    with op.batch_alter_table("live_cards") as table:
        table.add_column(
            sa.Column("footer", sa.String(length=255), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("live_cards") as table:
        table.drop_column("footer")
