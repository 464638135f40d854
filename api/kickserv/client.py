"""Async client for Kickserv's APIv2 JSON routes: `{base}/{account}/<resource>.json`, HTTP Basic
with the API key as user and password, bodies wrapped in the resource name, 200 even for creates.

This module holds the reads; writes.py the writes; connection.py the one choke point and paging.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, Unpack

from api.filters import checked
from api.kickserv.codec import M, build, build_list, loads
from api.kickserv.connection import DEFAULT_PAGE_SIZE, NoteOwner, notes_path
from api.kickserv.filters import CustomerFilters, JobFilters
from api.kickserv.models import (
    CustomerListing,
    Employee,
    InvoicePage,
    Job,
    JobType,
    KickservCustomer,
    Note,
    Payment,
    Task,
)
from api.kickserv.writes import KickservWrites


class KickservClient(KickservWrites):
    """One Kickserv account: the reads here, the writes in writes.py, every call through one
    choke point (connection.py)."""

    # -- customers -----------------------------------------------------------------------------

    async def list_customers(
        self, *, page: int = 1, **filters: Unpack[CustomerFilters]
    ) -> list[KickservCustomer]:
        """One page of customers; filters match exactly but `q` (name substring), `begins_with`."""
        return await self._customers(KickservCustomer, page, filters)

    def iter_customers(self, **filters: Any) -> AsyncIterator[CustomerListing]:
        """Every customer matching `filters` as a listing (what the directory keeps); stops at
        an empty or short page (no total exists)."""
        return self._walk(lambda page: self._customers(CustomerListing, page, filters))

    async def _customers(self, model: type[M], page: int, filters: Mapping[str, Any]) -> list[M]:
        params = checked(filters, CustomerFilters)
        params["customers_page"] = page  # customers page with customers_page, not page
        data = await self._request("GET", "/customers.json", params=params, action="list customers")
        return build_list(model, data, "list customers")

    async def filter_customers(self, text: str) -> list[KickservCustomer]:
        """Customers whose name or address contains `text` (/customers/filter.json)."""
        data = await self._request(
            "GET", "/customers/filter.json", params={"name": text}, action="filter customers"
        )
        rows = data.get("customers") if isinstance(data, dict) else data
        # No match comes back as one empty customer object (customer_number null); a reply
        # without a list is no answer, so not "no match" either (build_list refuses it).
        if isinstance(rows, list):
            rows = [r for r in rows if isinstance(r, dict) and r.get("customer_number")]
        return build_list(KickservCustomer, rows, "filter customers")

    async def find_customer_by_name(self, name: str) -> KickservCustomer | None:
        """The customer whose full name is exactly `name`, or None (customer_validation.json)."""
        data = await self._request(
            "POST",
            "/customers/customer_validation.json",
            json_body={"name": name},
            action="validate customer",
            is_read=True,
        )
        if data is False or (isinstance(data, dict) and data.get("status") not in (None, "exist")):
            return None  # Kickserv said no customer has that name
        customer = data.get("customer") if isinstance(data, dict) else None  # else malformed
        if isinstance(customer, str):  # the notes show it as a JSON string inside the object
            customer = loads(customer, "validate customer")
        return build(KickservCustomer, customer, "validate customer")

    async def get_customer(self, customer_number: int) -> KickservCustomer:
        """One customer by customer number."""
        data = await self._request(
            "GET",
            f"/customers/{int(customer_number)}.json",
            action="get customer",
            what=f"customer {customer_number}",
        )
        return build(KickservCustomer, data, "get customer")

    # -- notes (customer and job) --------------------------------------------------------------

    async def list_notes(self, owner: NoteOwner, number: int, *, page: int = 1) -> list[Note]:
        """One page of a customer's or a job's notes."""
        data = await self._request(
            "GET",
            notes_path(owner, number),
            params={"page": page},
            action="list notes",
            what=f"{owner[:-1]} {number}",
        )
        return build_list(Note, data, "list notes")

    def iter_notes(self, owner: NoteOwner, number: int) -> AsyncIterator[Note]:
        """Every note of a customer or a job."""
        return self._walk(lambda page: self.list_notes(owner, number, page=page))

    async def get_note(self, owner: NoteOwner, number: int, note_id: int) -> Note:
        """One note by id (build the URL from the note's real owner: Kickserv does not check)."""
        data = await self._request(
            "GET", notes_path(owner, number, note_id), action="get note", what=f"note {note_id}"
        )
        return build(Note, data, "get note")

    # -- jobs ----------------------------------------------------------------------------------

    async def list_jobs(self, *, page: int = 1, **filters: Unpack[JobFilters]) -> list[Job]:
        """One page of jobs, newest first (25 a page unless `per_page`)."""
        params = {**checked(filters, JobFilters), "page": page}
        data = await self._request("GET", "/jobs.json", params=params, action="list jobs")
        return build_list(Job, data, "list jobs")

    def iter_jobs(self, *, per_page: int = DEFAULT_PAGE_SIZE, **filters: Any) -> AsyncIterator[Job]:
        """Every job matching `filters`."""
        return self._walk(
            lambda page: self.list_jobs(per_page=per_page, page=page, **filters), per_page
        )

    async def list_customer_jobs(
        self, customer_number: int, *, statuses: Sequence[str] = (), page: int = 1
    ) -> list[Job]:
        """A customer's jobs, optionally only those in `statuses` (sent as `status[]`)."""
        params: list[tuple[str, str | int]] = [("status[]", s) for s in statuses]
        params.append(("page", page))
        data = await self._request(
            "GET",
            f"/customers/{int(customer_number)}/jobs.json",
            params=params,
            action="list customer jobs",
            what=f"customer {customer_number}",
        )
        return build_list(Job, data, "list customer jobs")

    def iter_customer_jobs(
        self, customer_number: int, *, statuses: Sequence[str] = ()
    ) -> AsyncIterator[Job]:
        """Every job of a customer in `statuses`, page after page."""
        return self._walk(
            lambda page: self.list_customer_jobs(customer_number, statuses=statuses, page=page)
        )

    async def get_job(self, job_number: int) -> Job:
        """One job (or opportunity) by job number."""
        data = await self._request(
            "GET", f"/jobs/{int(job_number)}.json", action="get job", what=f"job {job_number}"
        )
        return build(Job, data, "get job")

    async def list_tasks(
        self,
        *,
        job_global_id: int | None = None,
        start: date | None = None,
        end: date | None = None,
        employee_number: int | None = None,
        page: int = 1,
    ) -> list[Task]:
        """One page of calendar entries: a job's (by its global id), or those from `start` up to
        and including `end` (Kickserv's `to` is exclusive, so one day is added)."""
        params: dict[str, Any] = {"page": page}
        if job_global_id is not None:
            params["job_id"] = job_global_id
        if start is not None:
            params["from"] = start.isoformat()
        if end is not None:
            params["to"] = (end + timedelta(days=1)).isoformat()
        if employee_number is not None:
            params["employee_number"] = employee_number
        data = await self._request("GET", "/tasks.json", params=params, action="list tasks")
        return build_list(Task, data, "list tasks")

    def iter_tasks(self, **filters: Any) -> AsyncIterator[Task]:
        """Every calendar entry matching `filters` (as `list_tasks` takes them)."""
        return self._walk(lambda page: self.list_tasks(page=page, **filters))

    async def job_types(self) -> list[JobType]:
        """The account's services, from calendar.json, cached for a few minutes."""

        async def load() -> list[JobType]:
            data = await self._request("GET", "/calendar.json", action="read job types")
            types = data.get("job_types") if isinstance(data, dict) else None
            return build_list(JobType, types, "read job types")

        return await self._lookups.get_or_load("job_types", load)

    # -- payments, invoices, employees ---------------------------------------------------------

    async def list_customer_payments(self, customer_number: int, *, page: int = 1) -> list[Payment]:
        """One page of a customer's payments."""
        data = await self._request(
            "GET",
            f"/customers/{int(customer_number)}/payments.json",
            params={"page": page},
            action="list payments",
            what=f"customer {customer_number}",
        )
        return build_list(Payment, data, "list payments")

    def iter_customer_payments(self, customer_number: int) -> AsyncIterator[Payment]:
        """Every payment of a customer."""
        return self._walk(lambda page: self.list_customer_payments(customer_number, page=page))

    async def list_invoices(
        self, *, status: Literal["paid", "unpaid"] | None = None, page: int = 1
    ) -> InvoicePage:
        """One page of invoices, with the account-wide balance still owed."""
        params = {"page": page, **({"invoice_status": status} if status else {})}
        data = await self._request("GET", "/invoices.json", params=params, action="list invoices")
        if isinstance(data, list):  # tolerate a bare array, as other list endpoints return
            data = {"invoices": data}
        return build(InvoicePage, data, "list invoices")

    async def customer_balance(self, customer_number: int) -> Decimal:
        """What a customer still owes: the sum of their unpaid invoices' balances."""
        total, page = Decimal("0"), 1
        while True:
            batch = (await self.list_invoices(status="unpaid", page=page)).invoices
            total += sum(
                (i.balance_remaining or Decimal("0"))
                for i in batch
                if i.customer and i.customer.customer_number == customer_number
            )
            if len(batch) < self._page_size:
                return total
            page += 1

    async def list_employees(self) -> list[Employee]:
        """Active employees (credential fields dropped by the model)."""
        data = await self._request("GET", "/employees.json", action="list employees")
        return build_list(Employee, data, "list employees")

    async def employees(self) -> list[Employee]:
        """Active employees, cached for a few minutes."""
        return await self._lookups.get_or_load("employees", self.list_employees)
