"""What a customer owes, defined once: the cards and Home only show these numbers.

Owed: the unpaid remainder Kickserv keeps on each job (`balance_remaining`), summed over the
customer's jobs that are booked or done (unscheduled, scheduled, in progress, on hold,
completed). A canceled job owes nothing, and an opportunity is not a job yet. Kickserv's
customer `balance` field is not used: its meaning is not documented, and it leaves out work not
yet invoiced that the job lines show as unpaid.
"""

from decimal import Decimal

from api.kickserv import Job

OWING_STATUSES = ("unscheduled", "scheduled", "in_progress", "on_hold", "completed")
NOTHING = Decimal("0.00")


def job_owed(job: Job) -> Decimal:
    """What one job still owes (nothing for a canceled job or an opportunity)."""
    if job.status not in OWING_STATUSES:
        return NOTHING
    return job.balance_remaining or NOTHING


def customer_owed(jobs: list[Job]) -> Decimal:
    """What a customer owes: the sum over all their jobs (every page read) of what each owes."""
    return sum((job_owed(j) for j in jobs), NOTHING)
