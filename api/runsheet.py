"""A technician's run-sheet: today's jobs of a person's Kickserv employee, in time order, each
with its customer's address and notes (where gate codes live).

Two round trips once the employees and services are cached: the employee's calendar entries
(the day before, of and after) and the day's job list at once, then every customer's record
and notes and any job the list missed, all at once. A person's sheet read again the same day is
one round trip: the customers their day had last time are read (fresh) with the calendar, and
only a customer new to the day waits for a second trip.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from api.errors import BackendError
from api.identity import Match, employee_match
from api.jobs import newest_order
from api.kickserv import Employee, Job, KickservClient, KickservCustomer, Note, Task
from api.reads import all_at_once, settle
from store import Store

JOBS_PAGE = 100  # the day's jobs are read in pages this big (one page for most accounts)
STRAYS = 20  # jobs on the person's calendar but not on the day's list, read one by one
NOTES_SHOWN = 3  # a customer's newest notes on the sheet
DAYS_REMEMBERED = 1000  # (employee, day) pairs whose customers are read early next time


@dataclass(frozen=True)
class Stop:
    """One job on the run-sheet: when, for whom, where, what, and what to know at the door."""

    job: Job
    starts_at: datetime | None
    customer: str
    address: str  # the service address on one line; "" when Kickserv has none
    service: str
    notes: list[str]  # the customer's newest notes, newest first (and special instructions)


@dataclass
class RunSheet:
    """A person's day; `employee` None when Deskhand does not know who they are in Kickserv
    (`how` says why), `error` when the day could not be read, `unread` a customer's details."""

    day: date
    employee: Employee | None
    how: Match
    stops: list[Stop] = field(default_factory=list)
    error: str = ""
    unread: str = ""


class RunSheets:
    """Run-sheets, remembering each (employee, day)'s customers so the next read of that day
    reads them with the calendar, not after it (their records and notes are read afresh)."""

    def __init__(self, kickserv: KickservClient, store: Store) -> None:
        self._kickserv = kickserv
        self._store = store
        self._customers_of: dict[tuple[int, date], tuple[int, ...]] = {}

    async def read(self, user_id: str, email: str | None, day: date, timezone: str) -> RunSheet:
        """The run-sheet of the chat user `user_id` for `day` (in the business's `timezone`)."""
        kickserv = self._kickserv
        employee, how = await employee_match(kickserv, await self._store.links.get(user_id), email)
        if employee is None:
            return RunSheet(day, None, how, error=how.error)
        known = (employee.global_id, day)
        try:
            sheet, customers = await _sheet(
                kickserv, employee, how, day, ZoneInfo(timezone), self._customers_of.get(known, ())
            )
        except BackendError as err:
            return RunSheet(day, employee, how, error=err.message)
        if len(self._customers_of) >= DAYS_REMEMBERED:
            self._customers_of.pop(next(iter(self._customers_of)))  # the oldest remembered
        self._customers_of[known] = customers
        return sheet


async def _sheet(
    kickserv: KickservClient,
    employee: Employee,
    how: Match,
    day: date,
    zone: ZoneInfo,
    expected: tuple[int, ...],
) -> tuple[RunSheet, tuple[int, ...]]:
    """The sheet, and the customer numbers on it; `expected` customers are read at once with
    the calendar."""
    tasks, listed, job_types, *early = await all_at_once(
        _collect_tasks(kickserv, employee, day),
        _collect_jobs(kickserv),
        kickserv.job_types(),
        *(settle(_customer(kickserv, n)) for n in expected),
    )
    mine = sorted(
        (t for t in tasks if t.job and _on(t, day, zone) and assigned_to(t, employee)),
        key=lambda t: (t.starts_at is None, t.starts_at),
    )
    jobs = {j.global_id: j for j in listed}
    strays = sorted(
        {t.job.job_number for t in mine if t.job and t.job.job_number}
        - {j.job_number for j in listed}
    )[:STRAYS]
    numbers = sorted({t.customer.customer_number for t in mine if t.customer} - {None})
    customers = dict(zip(expected, early, strict=True))
    later = [n for n in numbers if n not in customers]
    read = await asyncio.gather(
        *(settle(kickserv.get_job(n)) for n in strays),
        *(settle(_customer(kickserv, n)) for n in later),  # type: ignore[arg-type]
    )
    jobs.update({j.global_id: j for j in read[: len(strays)] if isinstance(j, Job)})
    customers.update(zip(later, read[len(strays) :], strict=True))
    customers = {n: customers[n] for n in numbers}  # not one that left the day
    services = {t.job_type_id: t.name for t in job_types}
    sheet = RunSheet(day, employee, how)
    seen: set[int] = set()
    for task in mine:
        job = jobs.get(task.job.global_id) if task.job else None
        if job is None or job.global_id in seen:
            continue
        seen.add(job.global_id)
        number = task.customer.customer_number if task.customer else None
        found = customers.get(number) if number else None
        sheet.stops.append(_stop(job, task, found, services))
    failed = [c for c in customers.values() if isinstance(c, BackendError)]
    if failed:
        sheet.unread = f"Some customers' details could not be read: {failed[0].message}"
    return sheet, tuple(numbers)  # type: ignore[arg-type]


def _stop(
    job: Job,
    task: Task,
    found: tuple[KickservCustomer, list[Note]] | BackendError | None,
    services: dict[int, str],
) -> Stop:
    service = services.get(job.job_type_id or 0) or job.name or "—"
    name = task.customer.name if task.customer else "—"
    if not isinstance(found, tuple):
        return Stop(job, task.starts_at or job.scheduled_on, name, "", service, [])
    customer, notes = found
    newest = sorted(notes, key=newest_order, reverse=True)[:NOTES_SHOWN]
    texts = [n.text.strip() for n in newest if n.text.strip()]
    if (customer.special_instructions or "").strip():
        texts.insert(0, customer.special_instructions.strip())  # type: ignore[union-attr]
    return Stop(
        job,
        task.starts_at or job.scheduled_on,
        customer.company_name or customer.name or name,
        service_address(customer),
        service,
        texts,
    )


def service_address(customer: KickservCustomer) -> str:
    """Where the job is: the customer's service address on one line."""
    street = ", ".join(p for p in (customer.service_address, customer.service_address_2) if p)
    region = " ".join(p for p in (customer.service_state, customer.service_zip_code) if p)
    return ", ".join(p for p in (street, customer.service_city, region) if p)


def assigned_to(task: Task, employee: Employee) -> bool:
    """The calendar entry names the employee (checked here too: the filter's name is inferred)."""
    return any(
        e.global_id == employee.global_id
        or (e.employee_number is not None and e.employee_number == employee.employee_number)
        for e in task.employees
    )


def _on(task: Task, day: date, zone: ZoneInfo) -> bool:
    return task.starts_at is not None and task.starts_at.astimezone(zone).date() == day


async def _customer(kickserv: KickservClient, number: int) -> tuple[KickservCustomer, list[Note]]:
    """A customer's record and first page of notes, at once."""
    customer, notes = await asyncio.gather(
        kickserv.get_customer(number), kickserv.list_notes("customers", number)
    )
    return customer, notes


async def _collect_tasks(kickserv: KickservClient, employee: Employee, day: date) -> list[Task]:
    """The employee's calendar entries the day before, on and after `day` (the account's days
    and the business's may differ by one: the entries are cut to the business's day afterwards),
    each day read at once (a day is a page)."""

    async def one(each: date) -> list[Task]:
        found = kickserv.iter_tasks(start=each, end=each, employee_number=employee.employee_number)
        return [task async for task in found]

    days = await asyncio.gather(*(one(day + timedelta(days=d)) for d in (-1, 0, 1)))
    return [task for tasks in days for task in tasks]


async def _collect_jobs(kickserv: KickservClient) -> list[Job]:
    """Kickserv's jobs scheduled today (its day; a job of the business's day it misses is read
    by its number)."""
    return [job async for job in kickserv.iter_jobs(per_page=JOBS_PAGE, scheduled="today")]
