"""Visits: the tickets and jobs linked when a visit is booked from a ticket, and the notes each
visit owes (kept until written once).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ticket_visits and visit_notes."""
    op.create_table(
        "ticket_visits",
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("job_number", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("booked_by", sa.String(length=32), nullable=False),
        sa.Column("booker_name", sa.String(length=255), nullable=False),
        sa.Column("booker_email", sa.String(length=255), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("scheduled", sa.String(length=40), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id", "job_number"),
    )
    op.create_index("ix_ticket_visits_job_number", "ticket_visits", ["job_number"])
    op.create_index("ix_ticket_visits_done", "ticket_visits", ["done"])
    op.create_table(
        "visit_notes",
        sa.Column("intent_key", sa.String(length=255), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("job_number", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=False),
        sa.Column("author_email", sa.String(length=255), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("offer_close", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("intent_key"),
    )
    op.create_index("ix_visit_notes_next_try_at", "visit_notes", ["next_try_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_visit_notes_next_try_at", table_name="visit_notes")
    op.drop_table("visit_notes")
    op.drop_index("ix_ticket_visits_done", table_name="ticket_visits")
    op.drop_index("ix_ticket_visits_job_number", table_name="ticket_visits")
    op.drop_table("ticket_visits")
