"""Live cards may be unfurls: the link a card was unfurled under, one card per link of a message.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add live_cards.unfurl_url; a message's cards are unique per link."""
    with op.batch_alter_table("live_cards") as table:
        table.add_column(
            sa.Column("unfurl_url", sa.String(length=1000), nullable=False, server_default="")
        )
        table.drop_constraint("uq_live_cards_message", type_="unique")
        table.create_unique_constraint("uq_live_cards_message", ["channel_id", "ts", "unfurl_url"])


def downgrade() -> None:
    """Forget unfurled cards, then drop the column."""
    op.execute("DELETE FROM live_cards WHERE unfurl_url <> ''")
    with op.batch_alter_table("live_cards") as table:
        table.drop_constraint("uq_live_cards_message", type_="unique")
        table.create_unique_constraint("uq_live_cards_message", ["channel_id", "ts"])
        table.drop_column("unfurl_url")
