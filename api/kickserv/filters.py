"""The query filters Kickserv's list endpoints take, as typed keyword filters."""

from typing import Literal, TypedDict

Scheduled = Literal[
    "today",
    "tomorrow",
    "this_week",
    "next_week",
    "last_week",
    "this_month",
    "next_month",
    "last_month",
]


class CustomerFilters(TypedDict, total=False):
    """/customers.json: exact matches, but `q` (a name substring) and `begins_with`."""

    customer_number: int | None
    name: str | None
    service_address: str | None
    service_state: str | None
    q: str | None
    customer_source_id: int | None
    begins_with: str | None


class JobFilters(TypedDict, total=False):
    """/jobs.json."""

    status: str | None
    scheduled: Scheduled | None
    job_type_id: int | None
    per_page: int | None
