"""The open-tickets digest is the unresolved digest: one word for one set on every surface.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rename the kind of subscriptions made under the old name."""
    op.execute("UPDATE digest_subscriptions SET kind = 'unresolved' WHERE kind = 'open-tickets'")


def downgrade() -> None:
    """Give them their old name back."""
    op.execute("UPDATE digest_subscriptions SET kind = 'open-tickets' WHERE kind = 'unresolved'")
