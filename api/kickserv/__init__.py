"""Kickserv field service (APIv2 JSON routes): client and models."""

from api.kickserv.client import KickservClient
from api.kickserv.models import (
    Employee,
    Invoice,
    InvoicePage,
    Job,
    JobType,
    KickservCustomer,
    Note,
    Payment,
    Task,
)

__all__ = [
    "Employee",
    "Invoice",
    "InvoicePage",
    "Job",
    "JobType",
    "KickservClient",
    "KickservCustomer",
    "Note",
    "Payment",
    "Task",
]
