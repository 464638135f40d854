"""Async client for Kickserv's APIv2 JSON routes: `{base}/{account}/<resource>.json`, HTTP Basic
with the API key as user and password, bodies wrapped in the resource name, 200 even for creates.
"""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar, Unpack
from urllib.parse import quote

import httpx
from pydantic import BaseModel

from api.cache import AsyncTTLCache
from api.errors import InvalidRequest, MalformedResponse, NotFound
from api.filters import checked
from api.http import (
    RetryPolicy,
    new_async_client,
    register_secret,
    send_with_retries,
)
from api.kickserv.codec import BACKEND, build, build_list, error_for, loads
from api.kickserv.filters import CustomerFilters, JobFilters
from api.kickserv.models import (
    Employee,
    InvoicePage,
    Job,
    JobType,
    KickservCustomer,
    Note,
    Payment,
    Task,
)

logger = logging.getLogger("deskhand.kickserv")

NoteOwner = Literal["customers", "jobs"]
M = TypeVar("M", bound=BaseModel)
DEFAULT_PAGE_SIZE = 25


class KickservClient:
    """One pooled connection to one Kickserv account; every call goes through `_request`."""

    def __init__(
        self,
        base_url: str,
        account: str,
        api_key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 10.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        lookup_ttl: float = 300.0,
    ) -> None:
        register_secret(api_key)
        self._retry = retry or RetryPolicy()
        self._page_size = page_size
        self._lookups = AsyncTTLCache(lookup_ttl)
        self._http = new_async_client(
            f"{base_url.rstrip('/')}/{quote(account, safe='')}",
            transport=transport,
            timeout=timeout,
            auth=(api_key, api_key),
            headers={"Accept": "application/json"},
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- customers -----------------------------------------------------------------------------

    async def list_customers(
        self, *, page: int = 1, **filters: Unpack[CustomerFilters]
    ) -> list[KickservCustomer]:
        """One page of customers; filters match exactly but `q` (name substring), `begins_with`."""
        params = checked(filters, CustomerFilters)
        params["customers_page"] = page  # customers page with customers_page, not page
        data = await self._request("GET", "/customers.json", params=params, action="list customers")
        return build_list(KickservCustomer, data, "list customers")

    def iter_customers(self, **filters: Any) -> AsyncIterator[KickservCustomer]:
        """Every customer matching `filters`; stops at an empty or short page (no total exists)."""
        return self._walk(lambda page: self.list_customers(page=page, **filters))

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

    async def create_customer(self, **fields: Any) -> KickservCustomer:
        """Create a customer (Kickserv assigns the number)."""
        data = await self._request(
            "POST", "/customers.json", json_body={"customer": fields}, action="create customer"
        )
        return build(KickservCustomer, data, "create customer")

    async def update_customer(self, customer_number: int, **fields: Any) -> KickservCustomer:
        """Change only the given fields of a customer."""
        data = await self._request(
            "PUT",
            f"/customers/{int(customer_number)}.json",
            json_body={"customer": fields},
            action="update customer",
            what=f"customer {customer_number}",
        )
        return build(KickservCustomer, data, "update customer")

    # -- notes (customer and job) --------------------------------------------------------------

    async def list_notes(self, owner: NoteOwner, number: int, *, page: int = 1) -> list[Note]:
        """One page of a customer's or a job's notes."""
        data = await self._request(
            "GET",
            _notes_path(owner, number),
            params={"page": page},
            action="list notes",
            what=f"{owner[:-1]} {number}",
        )
        return build_list(Note, data, "list notes")

    def iter_notes(self, owner: NoteOwner, number: int) -> AsyncIterator[Note]:
        """Every note of a customer or a job."""
        return self._walk(lambda page: self.list_notes(owner, number, page=page))

    async def add_note(self, owner: NoteOwner, number: int, text: str) -> Note:
        """Add a note (`{note: {note: text}}`); the reply names its creator."""
        data = await self._request(
            "POST",
            _notes_path(owner, number),
            json_body={"note": {"note": text}},
            action="add note",
            what=f"{owner[:-1]} {number}",
        )
        return build(Note, data, "add note")

    async def get_note(self, owner: NoteOwner, number: int, note_id: int) -> Note:
        """One note by id (build the URL from the note's real owner: Kickserv does not check)."""
        data = await self._request(
            "GET", _notes_path(owner, number, note_id), action="get note", what=f"note {note_id}"
        )
        return build(Note, data, "get note")

    async def update_note(self, owner: NoteOwner, number: int, note_id: int, text: str) -> Note:
        """Replace a note's text."""
        data = await self._request(
            "PUT",
            _notes_path(owner, number, note_id),
            json_body={"note": {"note": text}},
            action="update note",
            what=f"note {note_id}",
        )
        return build(Note, data, "update note")

    async def delete_note(self, owner: NoteOwner, number: int, note_id: int) -> None:
        """Delete a note."""
        await self._request(
            "DELETE",
            _notes_path(owner, number, note_id),
            action="delete note",
            what=f"note {note_id}",
        )

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

    async def get_job(self, job_number: int) -> Job:
        """One job (or opportunity) by job number."""
        data = await self._request(
            "GET", f"/jobs/{int(job_number)}.json", action="get job", what=f"job {job_number}"
        )
        return build(Job, data, "get job")

    async def update_job(self, job_number: int, **fields: Any) -> Job:
        """Change several fields of a job in one call."""
        data = await self._request(
            "PUT",
            f"/jobs/{int(job_number)}.json",
            json_body={"job": fields},
            action="update job",
            what=f"job {job_number}",
        )
        return build(Job, data, "update job")

    async def create_job(
        self, customer_number: int, job_type_id: int, description: str = "", **fields: Any
    ) -> Job:
        """Create a job for a customer (POST /customers/{n}/jobs.json); never retried."""
        body = {"job": {"job_type_id": job_type_id, "description": description, **fields}}
        data = await self._request(
            "POST",
            f"/customers/{int(customer_number)}/jobs.json",
            json_body=body,
            action="create job",
            what=f"customer {customer_number}",
        )
        return build(Job, data, "create job")

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

    async def create_task(
        self, job_global_id: int, starts_at: datetime, ends_at: datetime, employee_ids: list[int]
    ) -> Task:
        """Put a job on the calendar with these employees (global ids) assigned; never retried.

        The body's shape is inferred (the notes show the routes, not the create payload)."""
        body = {
            "task": {
                "job_id": job_global_id,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "employee_ids": employee_ids,
            }
        }
        data = await self._request("POST", "/tasks.json", json_body=body, action="create task")
        return build(Task, data, "create task")

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

    # -- paging and the one choke point --------------------------------------------------------

    async def _walk(
        self, fetch: Callable[[int], Awaitable[list[M]]], page_size: int | None = None
    ) -> AsyncIterator[M]:
        size = page_size or self._page_size
        page = 1
        while True:
            batch = await fetch(page)
            for item in batch:
                yield item
            if len(batch) < size:
                return
            page += 1

    async def _request(
        self,
        method: str,
        path: str,
        *,
        action: str,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json_body: Any = None,
        what: str = "record",
        is_read: bool | None = None,
    ) -> Any:
        """Send one request; map every failure to api.errors; return the decoded JSON."""
        request = self._http.build_request(method, path, params=params, json=json_body)
        is_read = method == "GET" if is_read is None else is_read
        response = await send_with_retries(
            self._http,
            request,
            backend=BACKEND,
            action=action,
            policy=self._retry,
            is_read=is_read,
        )
        if response.status_code >= 300:
            error = error_for(response, action, what)
            if is_read and what == "record" and isinstance(error, NotFound):
                # A list names no record, so its "not found" cannot mean "none": a wrong address.
                status = response.status_code
                error = InvalidRequest(
                    f"Kickserv did not recognise `{action}` (HTTP {status}).",
                    backend=BACKEND,
                    action=action,
                )
            raise error
        if not response.content.strip():
            if request.method == "GET":  # every read answers JSON; nothing is not "no records"
                raise MalformedResponse(
                    f"Kickserv sent an empty reply to `{action}`.", backend=BACKEND, action=action
                )
            return None
        return loads(response.text, action)


def _notes_path(owner: NoteOwner, number: int, note_id: int | None = None) -> str:
    base = f"/{owner}/{int(number)}/notes"
    return f"{base}/{int(note_id)}.json" if note_id is not None else f"{base}.json"
