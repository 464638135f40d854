"""Write claims carry their owner, a lease, how to recognise the write and the audit row.

A claim whose lease ran out while pending belonged to a process that stopped mid-write: the next
process reads the target back to learn whether the write was applied.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add owner, lease_until, plan and audit_id to write_claims; index the lease."""
    with op.batch_alter_table("write_claims") as table:
        table.add_column(
            sa.Column("owner", sa.String(length=64), nullable=False, server_default="")
        )
        table.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("plan", sa.Text(), nullable=False, server_default=""))
        table.add_column(sa.Column("audit_id", sa.Integer(), nullable=True))
    op.create_index("ix_write_claims_lease_until", "write_claims", ["lease_until"])
    # A claim left pending before leases existed belonged to a process long gone: due now.
    op.execute("UPDATE write_claims SET lease_until = claimed_at WHERE state = 'pending'")


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_write_claims_lease_until", table_name="write_claims")
    with op.batch_alter_table("write_claims") as table:
        for column in ("audit_id", "plan", "lease_until", "owner"):
            table.drop_column(column)
